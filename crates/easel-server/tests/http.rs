//! The server over real HTTP on 127.0.0.1: the guide ported to HTTP, live events, revisions,
//! every error code, the SSRF rules, auth and overload.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

mod support;

use reqwest::Method;
use serde_json::{Value, json};
use std::time::{Duration, Instant};
use support::{
    SseReader, TestServer, client, code, image_scene, samples, send, shapes_scene, tiny_http,
};

fn post(server: &TestServer, path: &str, body: Value) -> (u16, Value) {
    send(Method::POST, &server.url(path), Some(body), &[])
}

fn image_asset(id: &str, label: &str, tags: &[&str], uri: &str) -> Value {
    json!({
        "id": id,
        "label": {"en": label},
        "tags": {"en": tags},
        "meta": {"uri": uri, "blockType": "//ly.img.ubq/graphic"}
    })
}

#[test]
fn the_guide_over_http_gives_the_library_s_assets_and_png() {
    let config = easel_server::ServerConfig {
        file_root: Some(samples()),
        ..Default::default()
    };
    let server = TestServer::start(easel::AssetStore::in_memory(1000), config);
    let sample = |n: u32| format!("file://{}/sample_{n}.jpg", samples().display());
    // Section 1: a local source with 3 assets.
    assert_eq!(
        post(&server, "/v1/sources", json!({"id": "server-uploads"})).0,
        201
    );
    for (i, tags) in [
        ["sample", "image"],
        ["sample", "photo"],
        ["sample", "landscape"],
    ]
    .iter()
    .enumerate()
    {
        let n = i as u32 + 1;
        let asset = image_asset(
            &format!("asset-{n}"),
            &format!("Sample Image {n}"),
            tags,
            &sample(n),
        );
        assert_eq!(
            post(&server, "/v1/sources/server-uploads/assets", asset).0,
            201
        );
    }
    // Section 2: find.
    let (status, found) = post(
        &server,
        "/v1/sources/server-uploads/find",
        json!({"query": "sample", "perPage": 100}),
    );
    assert_eq!(status, 200);
    let ids: Vec<&str> = found["assets"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, ["asset-1", "asset-2", "asset-3"]);
    // Section 3: update (full replacement).
    let updated = image_asset(
        "asset-1",
        "Updated Sample Image",
        &["sample", "image", "updated"],
        &sample(1),
    );
    let (status, body) = send(
        Method::PUT,
        &server.url("/v1/sources/server-uploads/assets/asset-1"),
        Some(updated),
        &[],
    );
    assert_eq!((status, body["revision"].as_u64()), (200, Some(2)));
    // Section 4: remove.
    let (status, _) = send(
        Method::DELETE,
        &server.url("/v1/sources/server-uploads/assets/asset-2"),
        None,
        &[],
    );
    assert_eq!(status, 204);
    let (_, remaining) = send(
        Method::GET,
        &server.url("/v1/sources/server-uploads/assets"),
        None,
        &[],
    );
    assert_eq!(remaining["total"], 2);
    // Section 5: notify.
    assert_eq!(
        post(
            &server,
            "/v1/sources/server-uploads/contents-changed",
            json!({})
        )
        .0,
        204
    );
    // Sections 6-7: a temporary source, removed.
    assert_eq!(
        post(&server, "/v1/sources", json!({"id": "temp-source"})).0,
        201
    );
    assert_eq!(
        send(
            Method::DELETE,
            &server.url("/v1/sources/temp-source"),
            None,
            &[]
        )
        .0,
        204
    );
    let (_, sources) = send(Method::GET, &server.url("/v1/sources"), None, &[]);
    assert_eq!(sources, json!(["server-uploads"]));
    // The same assets as the library would hold.
    let (_, one) = send(
        Method::GET,
        &server.url("/v1/sources/server-uploads/assets/asset-1"),
        None,
        &[],
    );
    assert_eq!(one["label"], "Updated Sample Image");
    assert_eq!(one["tags"], json!(["sample", "image", "updated"]));
    assert_eq!(one["revision"], 2);
    // The export: the server's PNG is the library's, pixel for pixel.
    let (engine, page, doc) = image_scene(&sample(1), (800.0, 600.0));
    let library = image::load_from_memory(&engine.block.export(page, &Default::default()).unwrap())
        .unwrap()
        .to_rgba8();
    let response = client()
        .post(server.url("/v1/render"))
        .header("content-type", "application/json")
        .body(json!({"scene": serde_json::from_str::<Value>(&doc).unwrap()}).to_string())
        .send()
        .unwrap();
    assert_eq!(response.status().as_u16(), 200);
    assert_eq!(response.headers()["content-type"], "image/png");
    let served = image::load_from_memory(&response.bytes().unwrap())
        .unwrap()
        .to_rgba8();
    assert_eq!(served.dimensions(), (800, 600));
    assert!(
        served == library,
        "the served PNG decodes to the library's pixels"
    );
    // JPEG and a target size, too.
    let (status, _) = post(
        &server,
        "/v1/render",
        json!({"scene": doc, "options": {"mimeType": "image/jpeg", "targetWidth": 400, "targetHeight": 300}}),
    );
    assert_eq!(status, 200);
}

#[test]
fn fifty_clients_each_receive_all_2000_events_in_order() {
    // A small relay buffer: clients fall behind it and catch up from the store's log.
    let config = easel_server::ServerConfig {
        event_buffer: 16,
        ..Default::default()
    };
    let server = TestServer::start(easel::AssetStore::in_memory(10_000), config);
    server
        .store
        .add_local_source("s", Default::default())
        .unwrap();
    let start_seq = server.store.last_seq();
    let url = server.url("/v1/events");
    let readers: Vec<_> = (0..50)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut sse = SseReader::open(&url, None);
                let mut seqs = Vec::with_capacity(2000);
                while seqs.len() < 2000 {
                    let Some(e) = sse.next_event() else { break };
                    assert_eq!(e.event, "updated");
                    let data: Value = serde_json::from_str(&e.data).unwrap();
                    assert_eq!(data["source"], "s");
                    assert_eq!(data["seq"].as_u64(), e.id);
                    seqs.push(e.id.unwrap());
                }
                seqs
            })
        })
        .collect();
    let deadline = Instant::now() + Duration::from_secs(30);
    while server.metric("easel_sse_clients") < 50.0 {
        assert!(Instant::now() < deadline, "clients did not connect");
        std::thread::sleep(Duration::from_millis(20));
    }
    for _ in 0..2000 {
        server.store.asset_source_contents_changed("s").unwrap();
    }
    let expected: Vec<u64> = (start_seq + 1..=start_seq + 2000).collect();
    for r in readers {
        assert_eq!(r.join().unwrap(), expected);
    }
}

#[test]
fn a_client_reconnecting_with_last_event_id_misses_nothing() {
    for durable in [false, true] {
        let dir = tempfile::tempdir().unwrap();
        let store = match durable {
            true => easel_assets_db::open_sqlite(dir.path().join("a.db"), "t").unwrap(),
            false => easel::AssetStore::in_memory(10_000),
        };
        let server = TestServer::start(store, Default::default());
        server
            .store
            .add_local_source("s", Default::default())
            .unwrap();
        let mut sse = SseReader::open(&server.url("/v1/events"), None);
        while server.metric("easel_sse_clients") < 1.0 {
            std::thread::sleep(Duration::from_millis(10));
        }
        for i in 0..100 {
            server
                .store
                .add_asset_to_source("s", easel::AssetDefinition::new(format!("a{i}")))
                .unwrap();
        }
        let mut last = 0;
        for _ in 0..40 {
            last = sse.next_event().unwrap().id.unwrap();
        }
        drop(sse);
        for i in 100..200 {
            server
                .store
                .add_asset_to_source("s", easel::AssetDefinition::new(format!("a{i}")))
                .unwrap();
        }
        let mut again = SseReader::open(&server.url("/v1/events"), Some(last));
        let end = server.store.last_seq();
        let mut seqs = Vec::new();
        while seqs.last() != Some(&end) {
            seqs.push(again.next_event().unwrap().id.unwrap());
        }
        assert_eq!(
            seqs,
            (last + 1..=end).collect::<Vec<_>>(),
            "durable: {durable}"
        );
    }
    // Too far behind a bounded log: an explicit reset, then live events.
    let server = TestServer::start(easel::AssetStore::in_memory(10), Default::default());
    server
        .store
        .add_local_source("s", Default::default())
        .unwrap();
    for _ in 0..50 {
        server.store.asset_source_contents_changed("s").unwrap();
    }
    let mut sse = SseReader::open(&server.url("/v1/events"), Some(1));
    let first = sse.next_event().unwrap();
    assert_eq!(first.event, "reset");
    assert_eq!(first.id, Some(server.store.last_seq()));
}

#[test]
fn conditional_writes_answer_412_and_etags_carry_revisions() {
    let server = TestServer::memory();
    post(&server, "/v1/sources", json!({"id": "s"}));
    post(&server, "/v1/sources/s/assets", json!({"id": "a"}));
    let get = client()
        .get(server.url("/v1/sources/s/assets/a"))
        .send()
        .unwrap();
    assert_eq!(get.headers()["etag"], "\"1\"");
    let put = |if_match: &str| {
        send(
            Method::PUT,
            &server.url("/v1/sources/s/assets/a"),
            Some(json!({"label": {"en": "x"}})),
            &[("if-match", if_match)],
        )
    };
    assert_eq!(put("\"1\"").0, 200);
    let (status, body) = put("\"1\"");
    assert_eq!((status, code(&body)), (412, "revision_conflict"));
    assert!(
        body["error"]["message"]
            .as_str()
            .unwrap()
            .contains("revision 2"),
        "{body}"
    );
    let (status, _) = send(
        Method::DELETE,
        &server.url("/v1/sources/s/assets/a"),
        None,
        &[("if-match", "1")],
    );
    assert_eq!(status, 412);
    let (status, _) = send(
        Method::DELETE,
        &server.url("/v1/sources/s/assets/a"),
        None,
        &[("if-match", "W/\"2\"")],
    );
    assert_eq!(status, 204);
    let (status, body) = put("abc");
    assert_eq!((status, code(&body)), (422, "invalid_value"));
}

#[test]
fn every_request_error_has_its_status_and_code() {
    let config = easel_server::ServerConfig {
        body_limit: 1000,
        ..Default::default()
    };
    let server = TestServer::start(easel::AssetStore::in_memory(100), config);
    post(&server, "/v1/sources", json!({"id": "s"}));
    let raw = |method: Method, path: &str, content_type: Option<&str>, body: String| {
        let mut req = client().request(method, server.url(path)).body(body);
        if let Some(t) = content_type {
            req = req.header("content-type", t);
        }
        let r = req.send().unwrap();
        let status = r.status().as_u16();
        let body: Value = serde_json::from_str(&r.text().unwrap()).unwrap_or(Value::Null);
        (status, code(&body).to_string())
    };
    let json_type = Some("application/json");
    type Case<'a> = ((u16, String), (u16, &'a str));
    let cases: Vec<Case> = vec![
        (
            raw(Method::POST, "/v1/sources", json_type, "{not json".into()),
            (400, "malformed_request"),
        ),
        (
            raw(Method::POST, "/v1/sources", None, "{}".into()),
            (415, "unsupported_media_type"),
        ),
        (
            raw(Method::POST, "/v1/sources", json_type, "x".repeat(5000)),
            (413, "body_too_large"),
        ),
        (
            raw(Method::POST, "/v1/sources", json_type, "{\"id\": 5}".into()),
            (422, "invalid_value"),
        ),
        (
            raw(
                Method::POST,
                "/v1/sources",
                json_type,
                "{\"id\": \"s\"}".into(),
            ),
            (409, "duplicate_source"),
        ),
        (
            raw(Method::GET, "/v1/sources/nope/assets", None, String::new()),
            (404, "source_not_found"),
        ),
        (
            raw(
                Method::GET,
                "/v1/sources/s/assets/nope",
                None,
                String::new(),
            ),
            (404, "asset_not_found"),
        ),
        (
            raw(Method::GET, "/v1/nothing", None, String::new()),
            (404, "not_found"),
        ),
        (
            raw(
                Method::POST,
                "/v1/sources/s/assets",
                json_type,
                "{\"id\": \"\"}".into(),
            ),
            (422, "invalid_asset"),
        ),
        (
            raw(
                Method::POST,
                "/v1/sources/s/find",
                json_type,
                "{\"perPage\": 0}".into(),
            ),
            (422, "invalid_query"),
        ),
        (
            raw(
                Method::GET,
                "/v1/sources/s/assets?sortingOrder=Sideways",
                None,
                String::new(),
            ),
            (422, "invalid_value"),
        ),
        (
            raw(
                Method::POST,
                "/v1/render",
                json_type,
                "{\"scene\": \"{}\"}".into(),
            ),
            (400, "malformed_scene"),
        ),
    ];
    for (got, (status, code)) in cases {
        assert_eq!(got, (status, code.to_string()));
    }
    let (status, body) = post(
        &server,
        "/v1/sources/s/assets",
        json!([{"id": "x"}, {"id": "x"}]),
    );
    assert_eq!((status, code(&body)), (409, "duplicate_asset"));
    assert_eq!(
        server.store.asset_count("s").unwrap(),
        Some(0),
        "a failed batch adds nothing"
    );
    let doc = shapes_scene(1, (100.0, 100.0));
    let (status, body) = post(&server, "/v1/render", json!({"scene": doc, "page": 3}));
    assert_eq!((status, code(&body)), (404, "page_not_found"));
    let (status, body) = post(
        &server,
        "/v1/render",
        json!({"scene": doc, "options": {"targetWidth": 9000, "targetHeight": 9000}}),
    );
    assert_eq!((status, code(&body)), (422, "output_too_large"));
    let (status, body) = post(
        &server,
        "/v1/render",
        json!({"scene": doc, "options": {"mimeType": "image/gif"}}),
    );
    assert_eq!((status, code(&body)), (422, "invalid_export_option"));
}

/// A render request for a scene whose image is at `uri`: the status, code and message.
fn render_image(server: &TestServer, uri: &str) -> (u16, String, String) {
    let (_, _, doc) = image_scene(uri, (200.0, 100.0));
    let (status, body) = post(server, "/v1/render", json!({"scene": doc}));
    let message = body["error"]["message"].as_str().unwrap_or("").to_string();
    (status, code(&body).to_string(), message)
}

#[test]
fn images_from_private_addresses_are_refused_naming_the_host() {
    let png = {
        let mut bytes = Vec::new();
        image::RgbaImage::from_pixel(4, 4, image::Rgba([255, 0, 0, 255]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    };
    let served = png.clone();
    let port = tiny_http(move |_| {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            served.len()
        )
        .into_bytes();
        r.extend_from_slice(&served);
        r
    });
    let redirect_port = tiny_http(|_| {
        b"HTTP/1.1 302 Found\r\nLocation: http://10.0.0.1/x.png\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec()
    });
    let mut config = easel_server::ServerConfig::default();
    config.hosts.allowed_hosts = vec![format!("127.0.0.1:{redirect_port}")];
    let server = TestServer::start(easel::AssetStore::in_memory(10), config);
    for (uri, host) in [
        (
            format!("http://127.0.0.1:{port}/x.png"),
            "127.0.0.1".to_string(),
        ),
        ("http://0.0.0.0/x.png".into(), "0.0.0.0".into()),
        ("http://[::1]/x.png".into(), "::1".into()),
        (
            "http://169.254.169.254/latest/meta-data/".into(),
            "169.254.169.254".into(),
        ),
        ("http://10.0.0.1/x.png".into(), "10.0.0.1".into()),
        (format!("http://localhost:{port}/x.png"), "localhost".into()),
        (
            format!("http://127.0.0.1:{redirect_port}/moved.png"),
            "10.0.0.1".into(),
        ),
    ] {
        let (status, code, message) = render_image(&server, &uri);
        assert_eq!(
            (status, code.as_str()),
            (403, "host_refused"),
            "{uri}: {message}"
        );
        assert!(message.contains(&format!("`{host}`")), "{uri}: {message}");
    }
    // file: is refused unless a directory is exposed.
    let path = format!("file://{}/sample_1.jpg", samples().display());
    let (status, code, _) = render_image(&server, &path);
    assert_eq!((status, code.as_str()), (403, "scheme_not_allowed"));
    // Allowed explicitly, the same loopback image renders.
    let mut config = easel_server::ServerConfig::default();
    config.hosts.allowed_hosts = vec![format!("127.0.0.1:{port}")];
    let open = TestServer::start(easel::AssetStore::in_memory(10), config);
    let (status, _, message) = render_image(&open, &format!("http://127.0.0.1:{port}/x.png"));
    assert_eq!(status, 200, "{message}");
    // And with --allow-private everything private is reachable.
    let mut config = easel_server::ServerConfig::default();
    config.hosts.block_private = false;
    let private = TestServer::start(easel::AssetStore::in_memory(10), config);
    assert_eq!(
        render_image(&private, &format!("http://localhost:{port}/x.png")).0,
        200
    );
}

#[test]
fn tokens_guard_every_route_but_health_and_are_needed_off_loopback() {
    let mut config = easel_server::ServerConfig::default();
    assert!(easel_server::check_listen("127.0.0.1:7878".parse().unwrap(), &config).is_ok());
    let e = easel_server::check_listen("0.0.0.0:7878".parse().unwrap(), &config).unwrap_err();
    assert!(
        e.to_string().contains("0.0.0.0:7878") && e.to_string().contains("token"),
        "{e}"
    );
    config.tokens = vec!["s3cret".into()];
    assert!(easel_server::check_listen("0.0.0.0:7878".parse().unwrap(), &config).is_ok());
    let server = TestServer::start(easel::AssetStore::in_memory(10), config);
    let (status, body) = send(Method::GET, &server.url("/v1/sources"), None, &[]);
    assert_eq!((status, code(&body)), (401, "unauthorized"));
    let (status, _) = send(
        Method::GET,
        &server.url("/v1/sources"),
        None,
        &[("authorization", "Bearer wrong")],
    );
    assert_eq!(status, 401);
    let (status, _) = send(
        Method::GET,
        &server.url("/v1/sources"),
        None,
        &[("authorization", "Bearer s3cret")],
    );
    assert_eq!(status, 200);
    assert_eq!(
        send(Method::GET, &server.url("/v1/health"), None, &[]).0,
        200
    );
}

#[test]
fn overload_answers_503_with_retry_after_never_a_timeout() {
    let config = easel_server::ServerConfig {
        render_threads: 1,
        render_queue: 1,
        ..Default::default()
    };
    let server = TestServer::start(easel::AssetStore::in_memory(10), config);
    let doc = shapes_scene(300, (1500.0, 1500.0));
    let body = json!({"scene": doc}).to_string();
    let results: Vec<(u16, Option<String>)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..8)
            .map(|_| {
                s.spawn(|| {
                    let r = client()
                        .post(server.url("/v1/render"))
                        .header("content-type", "application/json")
                        .body(body.clone())
                        .send()
                        .unwrap();
                    let retry = r
                        .headers()
                        .get("retry-after")
                        .map(|v| v.to_str().unwrap().to_string());
                    (r.status().as_u16(), retry)
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let ok = results.iter().filter(|r| r.0 == 200).count();
    let refused: Vec<_> = results.iter().filter(|r| r.0 == 503).collect();
    assert!(ok >= 1 && !refused.is_empty(), "{results:?}");
    assert_eq!(ok + refused.len(), 8, "only 200 or 503: {results:?}");
    assert!(
        refused.iter().all(|r| r.1.as_deref() == Some("1")),
        "Retry-After on every 503"
    );
    assert!(server.metric("easel_render_queue_depth") <= 1.0);
    let metrics = client()
        .get(server.url("/v1/metrics"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    assert!(
        metrics.contains("easel_renders_total{result=\"overloaded\"}"),
        "{metrics}"
    );
    assert!(
        metrics.contains("easel_http_request_duration_seconds_bucket{route=\"/v1/render\""),
        "{metrics}"
    );
}

#[test]
fn content_files_export_and_replace_atomically() {
    let server = TestServer::memory();
    post(&server, "/v1/sources", json!({"id": "s"}));
    post(
        &server,
        "/v1/sources/s/assets",
        json!([{"id": "a"}, {"id": "b"}]),
    );
    let exported = client()
        .get(server.url("/v1/sources/s/content.json"))
        .send()
        .unwrap()
        .text()
        .unwrap();
    let file: Value = serde_json::from_str(&exported).unwrap();
    assert_eq!(file["id"], "s");
    assert_eq!(file["assets"].as_array().unwrap().len(), 2);
    let replacement =
        json!({"version": "2.0.0", "id": "s", "assets": [{"id": "c", "label": {"en": "C"}}]});
    let (status, body) = send(
        Method::PUT,
        &server.url("/v1/sources/s/content.json"),
        Some(replacement),
        &[],
    );
    assert_eq!((status, body["assets"].as_u64()), (200, Some(1)));
    let ids: Vec<String> = server
        .store
        .definitions("s")
        .unwrap()
        .into_iter()
        .map(|d| d.id.to_string())
        .collect();
    assert_eq!(ids, ["c"]);
    let new = json!({"id": "fresh", "assets": [{"id": "x"}]});
    assert_eq!(
        send(
            Method::PUT,
            &server.url("/v1/sources/fresh/content.json"),
            Some(new),
            &[]
        )
        .0,
        200
    );
    let wrong = json!({"id": "other", "assets": []});
    let (status, body) = send(
        Method::PUT,
        &server.url("/v1/sources/s/content.json"),
        Some(wrong),
        &[],
    );
    assert_eq!((status, code(&body)), (422, "invalid_value"));
}

#[test]
fn exports_fetching_over_http_work_from_inside_an_async_runtime() {
    // The blocking HTTP client panics when built or used on a runtime thread; the engine
    // fetches on threads of its own, so an async caller may export directly.
    let png = {
        let mut bytes = Vec::new();
        image::RgbaImage::from_pixel(8, 8, image::Rgba([0, 0, 255, 255]))
            .write_to(
                &mut std::io::Cursor::new(&mut bytes),
                image::ImageFormat::Png,
            )
            .unwrap();
        bytes
    };
    let port = tiny_http(move |_| {
        let mut r = format!(
            "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
            png.len()
        )
        .into_bytes();
        r.extend_from_slice(&png);
        r
    });
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let bytes = runtime.block_on(async move {
        let (engine, page, _) =
            image_scene(&format!("http://127.0.0.1:{port}/blue.png"), (40.0, 40.0));
        let bytes = engine.block.export(page, &Default::default()).unwrap();
        drop(engine); // dropping the engine (and its HTTP client) here is fine too
        bytes
    });
    let image = image::load_from_memory(&bytes).unwrap().to_rgba8();
    assert_eq!(image.get_pixel(20, 20).0, [0, 0, 255, 255]);
}
