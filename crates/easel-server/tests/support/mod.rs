//! A real server on 127.0.0.1 (port 0) on a runtime of its own, a blocking HTTP client, an
//! SSE reader, and scenes to render.
#![allow(dead_code, clippy::unwrap_used)]

use easel::{AssetStore, BlockId, Engine, SceneLayout};
use easel_server::{EaselServer, ServerConfig};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::time::Duration;

/// A server running until dropped.
pub struct TestServer {
    pub base: String,
    pub store: AssetStore,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl TestServer {
    pub fn start(store: AssetStore, config: ServerConfig) -> TestServer {
        let (addr_tx, addr_rx) = std::sync::mpsc::channel();
        let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
        let served = store.clone();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .unwrap();
            runtime.block_on(async move {
                let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
                addr_tx.send(listener.local_addr().unwrap()).unwrap();
                let server = EaselServer::new(served, config);
                server
                    .serve(listener, async {
                        let _ = stopped.await;
                    })
                    .await
                    .unwrap();
            });
        });
        let addr = addr_rx.recv_timeout(Duration::from_secs(10)).unwrap();
        TestServer {
            base: format!("http://{addr}"),
            store,
            stop: Some(stop),
            thread: Some(thread),
        }
    }

    pub fn memory() -> TestServer {
        TestServer::start(AssetStore::in_memory(10_000), ServerConfig::default())
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A gauge or counter from `/v1/metrics`.
    pub fn metric(&self, name: &str) -> f64 {
        let text = client()
            .get(self.url("/v1/metrics"))
            .send()
            .unwrap()
            .text()
            .unwrap();
        text.lines()
            .find_map(|l| l.strip_prefix(&format!("{name} ")))
            .and_then(|v| v.trim().parse().ok())
            .unwrap_or(0.0)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

pub fn client() -> reqwest::blocking::Client {
    reqwest::blocking::Client::builder()
        .timeout(Duration::from_secs(120))
        .build()
        .unwrap()
}

/// Sends JSON and returns the status and the parsed body (Null when empty or not JSON).
pub fn send(
    method: reqwest::Method,
    url: &str,
    body: Option<serde_json::Value>,
    headers: &[(&str, &str)],
) -> (u16, serde_json::Value) {
    let mut req = client().request(method, url);
    for (k, v) in headers {
        req = req.header(*k, *v);
    }
    if let Some(b) = body {
        req = req
            .header("content-type", "application/json")
            .body(b.to_string());
    }
    let response = req.send().unwrap();
    let status = response.status().as_u16();
    let text = response.text().unwrap_or_default();
    (
        status,
        serde_json::from_str(&text).unwrap_or(serde_json::Value::Null),
    )
}

/// The error code of an error body.
pub fn code(body: &serde_json::Value) -> &str {
    body["error"]["code"].as_str().unwrap_or("")
}

/// One Server-Sent Event.
#[derive(Debug, Clone, PartialEq)]
pub struct Sse {
    pub event: String,
    pub id: Option<u64>,
    pub data: String,
}

/// Reads events from an open `/v1/events` response.
pub struct SseReader {
    lines: std::io::Lines<BufReader<reqwest::blocking::Response>>,
}

impl SseReader {
    pub fn open(url: &str, last_event_id: Option<u64>) -> SseReader {
        let client = reqwest::blocking::Client::builder()
            .timeout(None)
            .build()
            .unwrap();
        let mut req = client.get(url);
        if let Some(id) = last_event_id {
            req = req.header("last-event-id", id.to_string());
        }
        let response = req.send().unwrap();
        assert_eq!(response.status().as_u16(), 200);
        SseReader {
            lines: BufReader::new(response).lines(),
        }
    }

    /// The next event (keep-alive comments skipped); `None` when the stream ended.
    pub fn next_event(&mut self) -> Option<Sse> {
        let mut event = Sse {
            event: "message".into(),
            id: None,
            data: String::new(),
        };
        let mut any = false;
        for line in self.lines.by_ref() {
            let line = line.ok()?;
            if line.is_empty() {
                if any {
                    return Some(event);
                }
                continue;
            }
            if line.starts_with(':') {
                continue;
            }
            any = true;
            if let Some(v) = line.strip_prefix("event:") {
                event.event = v.trim().to_string();
            } else if let Some(v) = line.strip_prefix("id:") {
                event.id = v.trim().parse().ok();
            } else if let Some(v) = line.strip_prefix("data:") {
                event.data.push_str(v.trim());
            }
        }
        None
    }
}

pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

pub fn samples() -> PathBuf {
    repo().join("assets/samples").canonicalize().unwrap()
}

/// A page of `w × h` with an image fill from `uri` covering a rect, as a scene document.
pub fn image_scene(uri: &str, (w, h): (f32, f32)) -> (Engine, BlockId, String) {
    let engine = Engine::new(Default::default());
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((w, h)))
        .unwrap()
        .page()
        .unwrap();
    let block = engine.block.create("graphic").unwrap();
    engine
        .block
        .set_shape(block, engine.block.create_shape("rect").unwrap())
        .unwrap();
    let fill = engine.block.create_fill("image").unwrap();
    engine
        .block
        .set_string(fill, "fill/image/imageFileURI", uri)
        .unwrap();
    engine.block.set_fill(block, fill).unwrap();
    engine.block.set_width(block, w / 2.0).unwrap();
    engine.block.set_height(block, h / 2.0).unwrap();
    engine.block.set_position_x(block, w / 4.0).unwrap();
    engine.block.set_position_y(block, h / 4.0).unwrap();
    engine.block.append_child(page, block).unwrap();
    let doc = engine.scene.save_to_string().unwrap();
    (engine, page, doc)
}

/// A page of `w × h` with `n` coloured rectangles (no resources).
pub fn shapes_scene(n: usize, (w, h): (f32, f32)) -> String {
    let engine = Engine::new(Default::default());
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((w, h)))
        .unwrap()
        .page()
        .unwrap();
    for i in 0..n {
        let block = engine.block.create("graphic").unwrap();
        engine
            .block
            .set_shape(block, engine.block.create_shape("ellipse").unwrap())
            .unwrap();
        let fill = engine.block.create_fill("color").unwrap();
        engine
            .block
            .set_color(
                fill,
                "fill/color/value",
                easel::Color::rgba(i as f32 / n as f32, 0.5, 0.2, 0.8),
            )
            .unwrap();
        engine.block.set_fill(block, fill).unwrap();
        engine.block.set_width(block, w / 3.0).unwrap();
        engine.block.set_height(block, h / 3.0).unwrap();
        engine
            .block
            .set_position_x(block, (i as f32 * 37.0) % (w * 0.6))
            .unwrap();
        engine
            .block
            .set_position_y(block, (i as f32 * 53.0) % (h * 0.6))
            .unwrap();
        engine.block.append_child(page, block).unwrap();
    }
    engine.scene.save_to_string().unwrap()
}

/// A one-shot HTTP server on 127.0.0.1: answers every request with `response(path)`.
pub fn tiny_http(response: impl Fn(&str) -> Vec<u8> + Send + Sync + 'static) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let response = std::sync::Arc::new(response);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let response = response.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 4096];
                let n = stream.read(&mut buf).unwrap_or(0);
                let text = String::from_utf8_lossy(&buf[..n]);
                let path = text.split_whitespace().nth(1).unwrap_or("/").to_string();
                let _ = stream.write_all(&response(&path));
            });
        }
    });
    port
}
