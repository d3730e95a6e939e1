//! Easel's whole-engine benchmark harness: runs the standard workloads through the public
//! `easel` API and prints one JSON object per line, then writes them all, with the date, the
//! adapter and the machine, to `target/easel-bench.json`.
//!
//! ```text
//! cargo run --release -p easel-bench -- [--quick] [--only GROUP…]
//! ```
//!
//! Groups: `engine`, `assets`, `store`, `export`, `large`, `throughput`, `peer`. Each runs in its own
//! child process, so memory figures do not mix. `peer` renders the `export` and `large`
//! workloads with `vello_cpu` directly (see `easel_bench::peer`); it runs first whenever
//! either of those groups does, and every `export.*` line then carries `vs_vello_cpu`, its
//! median over the peer's. Images are served from a loopback HTTP server the
//! harness starts itself, from the repository's `assets/samples/`.
//!
//! `--store SPEC` (`memory`, `sqlite:PATH`, a `postgres://` URL) runs the `assets` group on
//! that store; its lines then carry `"store"`. The `store` group measures the durable
//! backends themselves, in files under `target/`; its PostgreSQL workloads run when
//! `EASEL_BENCH_POSTGRES_URL` (or `EASEL_TEST_POSTGRES_URL`) names a server.

use easel::{BlockId, Engine, ExportOptions, LocalSourceOptions, MimeType, SceneLayout};
use serde_json::{Value, json};
use std::io::{BufRead, Read, Write};
use std::net::TcpListener;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

const GROUPS: &[&str] = &[
    "engine",
    "assets",
    "store",
    "export",
    "large",
    "throughput",
    "peer",
];

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let quick = args.iter().any(|a| a == "--quick");
    let store = args
        .iter()
        .position(|a| a == "--store")
        .map(|i| {
            args.get(i + 1)
                .cloned()
                .ok_or("--store needs a store: memory, sqlite:PATH or a postgres:// URL")
        })
        .transpose()?;
    if let Some(i) = args.iter().position(|a| a == "--group") {
        let group = args.get(i + 1).ok_or("--group needs a name")?;
        return run_group(
            group,
            quick,
            store.as_deref(),
            args.get(i + 2).map(String::as_str),
        );
    }
    let only: Vec<&str> = match args.iter().position(|a| a == "--only") {
        Some(i) => args[i + 1..]
            .iter()
            .take_while(|a| !a.starts_with("--"))
            .map(String::as_str)
            .collect(),
        None => GROUPS.to_vec(),
    };
    if let Some(bad) = only.iter().find(|g| !GROUPS.contains(g)) {
        return Err(format!("unknown group `{bad}`; groups: {}", GROUPS.join(", ")).into());
    }
    // The peer runs first, so the export lines can carry their ratio to it.
    let mut only: Vec<&str> = only.into_iter().filter(|g| *g != "peer").collect();
    if only.iter().any(|g| *g == "export" || *g == "large") || args.iter().any(|a| a == "peer") {
        only.insert(0, "peer");
    }
    let mut peer: std::collections::HashMap<String, f64> = Default::default();
    let exe = std::env::current_exe()?;
    let mut results = Vec::new();
    let mut adapter = Value::Null;
    for group in only {
        let mut cmd = Command::new(&exe);
        cmd.args(["--group", group])
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit());
        if quick {
            cmd.arg("--quick");
        }
        if let Some(store) = &store {
            cmd.args(["--store", store]);
        }
        let mut child = cmd.spawn()?;
        let stdout = child.stdout.take().ok_or("no child stdout")?;
        for line in std::io::BufReader::new(stdout).lines() {
            let line = line?;
            match serde_json::from_str::<Value>(&line) {
                Ok(v) if v.get("adapter").is_some() => adapter = v["adapter"].clone(),
                Ok(mut v) => {
                    let key = peer_key(&v);
                    let median = v["median_ms"].as_f64().unwrap_or(0.0);
                    if let Some(of) = key.strip_prefix("peer.") {
                        peer.insert(of.to_string(), median);
                    } else if let Some(p) = peer.get(&key).filter(|p| **p > 0.0) {
                        v["vs_vello_cpu"] = json!((median / p * 1000.0).round() / 1000.0);
                    }
                    println!("{v}");
                    results.push(v);
                }
                Err(_) => eprintln!("{line}"),
            }
        }
        let status = child.wait()?;
        if !status.success() {
            return Err(format!("group `{group}` failed: {status}").into());
        }
    }
    let report = json!({
        "date": iso_date(),
        "quick": quick,
        "adapter": adapter,
        "machine": machine(),
        "results": results,
    });
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../target");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("easel-bench.json");
    std::fs::write(&path, serde_json::to_string_pretty(&report)?)?;
    eprintln!("wrote {}", path.display());
    Ok(())
}

/// A workload's name with its `n`, the key that pairs an export with its peer.
fn peer_key(v: &Value) -> String {
    let name = v["workload"].as_str().unwrap_or_default();
    match v.get("n") {
        Some(n) => format!("{name}/{n}"),
        None => name.to_string(),
    }
}

fn run_group(group: &str, quick: bool, store: Option<&str>, arg: Option<&str>) -> Result<()> {
    match group {
        "peer" => peer_group(quick),
        "engine" => engine_group(),
        "assets" => assets_group(quick, store),
        "store" => store_group(quick),
        // The other end of a propagation workload (not a group of its own).
        "store-listener" => store_listener(arg.ok_or("store-listener needs a store")?),
        "export" => export_group(quick),
        "large" => large_group(quick),
        "throughput" => throughput_group(quick),
        other => Err(format!("unknown group `{other}`").into()),
    }
}

/// Median, min and max of repeated timings, in milliseconds.
struct Stats {
    median: f64,
    min: f64,
    max: f64,
    repeats: usize,
}

fn stats(mut ms: Vec<f64>) -> Stats {
    ms.sort_by(f64::total_cmp);
    let n = ms.len();
    let median = if n % 2 == 1 {
        ms[n / 2]
    } else {
        (ms[n / 2 - 1] + ms[n / 2]) / 2.0
    };
    Stats {
        median,
        min: ms[0],
        max: ms[n - 1],
        repeats: n,
    }
}

fn time<T>(f: impl FnOnce() -> T) -> (f64, T) {
    let start = Instant::now();
    let out = f();
    (start.elapsed().as_secs_f64() * 1000.0, out)
}

fn repeat<T>(n: usize, mut f: impl FnMut() -> T) -> (Stats, T) {
    let mut times = Vec::with_capacity(n);
    let mut last = None;
    for _ in 0..n {
        let (ms, out) = time(&mut f);
        times.push(ms);
        last = Some(out);
    }
    (stats(times), last.unwrap_or_else(|| unreachable!("n > 0")))
}

fn peak_rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
}

fn emit(workload: &str, s: &Stats, extra: Value) {
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    let mut line = json!({
        "workload": workload,
        "median_ms": round(s.median),
        "min_ms": round(s.min),
        "max_ms": round(s.max),
        "repeats": s.repeats,
        "peak_rss_mb": peak_rss_mb(),
    });
    if let (Some(obj), Value::Object(more)) = (line.as_object_mut(), extra) {
        obj.extend(more);
    }
    println!("{line}");
    let _ = std::io::stdout().flush();
}

fn engine_group() -> Result<()> {
    let (s, _) = repeat(10, || Engine::new(Default::default()));
    emit("engine.init", &s, json!({}));
    // Each repeat drops its engine, so the shared renderer goes too and the next repeat
    // opens a fresh device: this is the cost of the first export-ready state.
    let mut adapter = None;
    let (s, _) = repeat(5, || {
        let engine = Engine::new(Default::default());
        adapter = engine.init_renderer().ok();
    });
    emit("engine.init+renderer", &s, json!({}));
    if let Some(a) = adapter {
        println!("{}", json!({"adapter": a}));
    }
    let mut times = Vec::new();
    for _ in 0..5 {
        let engine = Engine::new(Default::default());
        let page = engine
            .scene
            .create(SceneLayout::VerticalStack, Some((800.0, 600.0)))?
            .page;
        engine.block.export(page, &ExportOptions::default())?;
        let (ms, ()) = time(|| engine.dispose());
        times.push(ms);
    }
    emit("engine.dispose", &stats(times), json!({}));
    Ok(())
}

fn assets_group(quick: bool, store: Option<&str>) -> Result<()> {
    let sizes: &[usize] = if quick {
        &[1_000, 10_000, 100_000]
    } else {
        &[1_000, 10_000, 100_000, 1_000_000]
    };
    // On a durable store every line says which, and each size starts from an empty source.
    let kind = store.map(|s| {
        s.split(':')
            .next()
            .unwrap_or(s)
            .replace("postgresql", "postgres")
    });
    let tag = |mut v: Value| {
        if let Some(kind) = &kind {
            v["store"] = json!(kind);
        }
        v
    };
    for &n in sizes {
        let data = easel_bench::assets(n);
        let assets = match store {
            Some(spec) => {
                let store = easel_assets_db::open_store(spec, "easel-bench")?;
                if store.has_source("bench") {
                    store.remove_source("bench")?;
                }
                Some(store)
            }
            None => None,
        };
        let engine = Engine::new(easel::EngineConfig {
            assets,
            ..Default::default()
        });
        engine
            .asset
            .add_local_source("bench", LocalSourceOptions::default())?;
        let (ms, added) = time(|| {
            data.into_iter()
                .try_for_each(|a| engine.asset.add_asset_to_source("bench", a))
        });
        added?;
        emit(
            "asset.addAssetToSource",
            &stats(vec![ms]),
            tag(json!({ "n": n })),
        );
        let repeats = if n >= 1_000_000 { 5 } else { 20 };
        for (name, query) in easel_bench::asset_queries(n) {
            // The first query builds lazy indexes; it is reported separately.
            let (first, r) = time(|| engine.asset.find_assets("bench", &query));
            let r = r?;
            let (s, _) = repeat(repeats, || engine.asset.find_assets("bench", &query));
            emit(
                name,
                &s,
                tag(
                    json!({ "n": n, "total": r.total, "returned": r.assets.len(), "first_ms": first }),
                ),
            );
        }
        if n == 10_000 {
            let (ms, removed) = time(|| {
                (0..n).step_by(10).try_for_each(|i| {
                    engine
                        .asset
                        .remove_asset_from_source("bench", &format!("asset-{i}"))
                })
            });
            removed?;
            emit(
                "asset.removeAssetFromSource",
                &stats(vec![ms]),
                tag(json!({ "n": n, "removed": n / 10 })),
            );
        }
    }
    Ok(())
}

/// The durable backends: a 100k batch, single durable adds, opening a 100k store (until the
/// first query answers), the standard queries on the opened store, and how long a change
/// takes to reach a subscriber in another process.
fn store_group(quick: bool) -> Result<()> {
    use easel_assets_db::open_sqlite;
    let n = 100_000;
    let data = easel_bench::assets(n);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(format!(
        "../../target/easel-bench-store-{}",
        std::process::id()
    ));
    std::fs::create_dir_all(&dir)?;
    let repeats = if quick { 3 } else { 5 };
    let sqlite = json!({ "n": n, "store": "sqlite" });
    let mut times = Vec::new();
    for r in 0..repeats {
        let store = open_sqlite(dir.join(format!("batch-{r}.db")), "easel-bench")?;
        store.add_local_source("bench", LocalSourceOptions::default())?;
        let batch = data.clone();
        let (ms, added) = time(|| store.add_assets_to_source("bench", batch));
        added?;
        times.push(ms);
    }
    emit(
        "store.sqlite.addAssetsToSource",
        &stats(times),
        sqlite.clone(),
    );
    let path = dir.join("batch-0.db");
    let (s, store) = repeat(repeats, || -> Result<easel::AssetStore> {
        let store = open_sqlite(&path, "easel-bench")?;
        store.find_assets("bench", &easel::AssetQuery::default())?;
        Ok(store)
    });
    emit("store.sqlite.open", &s, sqlite.clone());
    let store = store?;
    for (name, query) in easel_bench::asset_queries(n) {
        let (first, r) = time(|| store.find_assets("bench", &query));
        let r = r?;
        let (s, _) = repeat(20, || store.find_assets("bench", &query));
        emit(
            name,
            &s,
            json!({ "n": n, "store": "sqlite", "total": r.total, "returned": r.assets.len(), "first_ms": first }),
        );
    }
    drop(store);
    let singles = if quick { 300 } else { 1_000 };
    let single = open_sqlite(dir.join("single.db"), "easel-bench")?;
    single.add_local_source("bench", LocalSourceOptions::default())?;
    let mut defs = data.iter().take(singles).cloned();
    let (s, added) = repeat(singles, || match defs.next() {
        Some(def) => single.add_asset_to_source("bench", def),
        None => Ok(()),
    });
    added?;
    emit(
        "store.sqlite.addAssetToSource.single",
        &s,
        json!({ "n": singles, "store": "sqlite" }),
    );
    let spec = format!("sqlite:{}", dir.join("single.db").display());
    propagation(
        "store.sqlite.propagation",
        &single,
        &spec,
        if quick { 50 } else { 200 },
    )?;
    drop(single);
    let _ = std::fs::remove_dir_all(&dir);

    let url = std::env::var("EASEL_BENCH_POSTGRES_URL")
        .or_else(|_| std::env::var("EASEL_TEST_POSTGRES_URL"))
        .ok()
        .filter(|u| !u.is_empty());
    let Some(url) = url else {
        eprintln!("store.postgres.*: skipped (set EASEL_BENCH_POSTGRES_URL to a server)");
        return Ok(());
    };
    // A fresh schema per repeat, as the SQLite workloads use fresh files.
    let schema = |r: usize| format!("easel_bench_{}_{r}", std::process::id());
    let spec = |r: usize| {
        format!(
            "{url}{}schema={}",
            if url.contains('?') { '&' } else { '?' },
            schema(r)
        )
    };
    let postgres = json!({ "n": n, "store": "postgres" });
    let mut times = Vec::new();
    for r in 0..repeats {
        let store = easel_assets_db::open_store(&spec(r), "easel-bench")?;
        store.add_local_source("bench", LocalSourceOptions::default())?;
        let batch = data.clone();
        let (ms, added) = time(|| store.add_assets_to_source("bench", batch));
        added?;
        times.push(ms);
    }
    emit("store.postgres.addAssetsToSource", &stats(times), postgres);
    let store = easel_assets_db::open_store(&spec(repeats), "easel-bench")?;
    store.add_local_source("bench", LocalSourceOptions::default())?;
    let result = propagation(
        "store.postgres.propagation",
        &store,
        &spec(repeats),
        if quick { 50 } else { 200 },
    );
    drop(store);
    let mut client = postgres::Client::connect(&url, postgres::NoTls)?;
    for r in 0..=repeats {
        client.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{}\" CASCADE", schema(r)))?;
    }
    result
}

/// Microseconds since the Unix epoch: the clock both processes of a propagation share.
fn unix_us() -> u128 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_micros())
}

/// Adds `count` assets to source `bench` of `store`, one at a time, each after a listener
/// in another process (on `spec`) reported the previous one's event: the median time from
/// the call to the event's arrival there.
fn propagation(workload: &str, store: &easel::AssetStore, spec: &str, count: usize) -> Result<()> {
    let mut child = Command::new(std::env::current_exe()?)
        .args(["--group", "store-listener", spec])
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()?;
    let stdout = child.stdout.take().ok_or("no child stdout")?;
    let mut lines = std::io::BufReader::new(stdout).lines();
    let mut next = || -> Result<String> { Ok(lines.next().ok_or("the listener ended")??) };
    if next()? != "ready" {
        return Err("the listener did not start".into());
    }
    let mut times = Vec::with_capacity(count);
    for i in 0..count {
        let start = unix_us();
        store.add_asset_to_source(
            "bench",
            easel::AssetDefinition::new(format!("propagated-{i}")),
        )?;
        let line = next()?;
        let at: u128 = line
            .strip_prefix("event ")
            .ok_or("bad listener line")?
            .parse()?;
        times.push(at.saturating_sub(start) as f64 / 1000.0);
    }
    let _ = child.kill();
    let _ = child.wait();
    emit(
        workload,
        &stats(times),
        json!({ "n": count, "store": workload.split('.').nth(1) }),
    );
    Ok(())
}

/// The listening process of [`propagation`]: prints `ready`, then `event <unix µs>` as each
/// Updated event of source `bench` arrives.
fn store_listener(spec: &str) -> Result<()> {
    let store = easel_assets_db::open_store(spec, "easel-bench-listener")?;
    let events = store.subscribe();
    println!("ready");
    std::io::stdout().flush()?;
    for e in events {
        if e.source_id == "bench" && e.kind == easel::AssetSourceEventKind::Updated {
            println!("event {}", unix_us());
            std::io::stdout().flush()?;
        }
    }
    Ok(())
}

/// Serves the repository's sample images on 127.0.0.1 for as long as the process runs.
fn serve_samples() -> Result<String> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let base = format!("http://{}", listener.local_addr()?);
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/samples");
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let dir = dir.clone();
            std::thread::spawn(move || {
                let mut stream = stream;
                let mut buf = [0u8; 2048];
                let n = stream.read(&mut buf).unwrap_or(0);
                let request = String::from_utf8_lossy(&buf[..n]);
                let name = request
                    .split_whitespace()
                    .nth(1)
                    .unwrap_or("/")
                    .trim_start_matches('/');
                let body = (!name.contains(".."))
                    .then(|| std::fs::read(dir.join(name)).ok())
                    .flatten();
                let (status, body) = match body {
                    Some(b) => ("200 OK", b),
                    None => ("404 Not Found", Vec::new()),
                };
                let head = format!(
                    "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                    body.len()
                );
                let _ = stream.write_all(head.as_bytes());
                let _ = stream.write_all(&body);
            });
        }
    });
    Ok(base)
}

/// The guide's scene: an 800×600 page with `uri` cover-fitted in a 400×300 rect at (200, 150).
fn guide_scene(engine: &Engine, uri: &str) -> easel::Result<BlockId> {
    image_page(engine, uri, (800.0, 600.0), (200.0, 150.0, 400.0, 300.0))
}

fn image_page(
    engine: &Engine,
    uri: &str,
    (pw, ph): (f32, f32),
    (x, y, w, h): (f32, f32, f32, f32),
) -> easel::Result<BlockId> {
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((pw, ph)))?
        .page;
    let block = engine.block.create("graphic")?;
    engine
        .block
        .set_shape(block, engine.block.create_shape("rect")?)?;
    let fill = engine.block.create_fill("image")?;
    engine
        .block
        .set_string(fill, "fill/image/imageFileURI", uri)?;
    engine.block.set_fill(block, fill)?;
    engine.block.set_width(block, w)?;
    engine.block.set_height(block, h)?;
    engine.block.set_position_x(block, x)?;
    engine.block.set_position_y(block, y)?;
    engine.block.append_child(page, block)?;
    Ok(page)
}

fn export_group(quick: bool) -> Result<()> {
    let base = serve_samples()?;
    let engine = Engine::new(Default::default());
    engine.init_renderer()?;
    let page = guide_scene(&engine, &format!("{base}/sample_1.jpg"))?;
    let options = ExportOptions::default();
    let (first, png) = time(|| engine.block.export(page, &options));
    let png = png?;
    let repeats = if quick { 10 } else { 20 };
    for _ in 0..3 {
        engine.block.export(page, &options)?;
    }
    let (s, _) = repeat(repeats, || engine.block.export(page, &options));
    emit(
        "export.png.800x600.image400x300",
        &s,
        json!({ "first_export_ms": first, "png_bytes": png.len() }),
    );
    for n in [1_000, 10_000] {
        let engine = Engine::new(Default::default());
        engine.init_renderer()?;
        let shapes = easel_bench::shapes(n);
        let (build, page) = time(|| -> easel::Result<BlockId> {
            let page = engine
                .scene
                .create(SceneLayout::VerticalStack, Some((800.0, 600.0)))?
                .page;
            for s in &shapes {
                let b = engine.block.create("graphic")?;
                engine
                    .block
                    .set_shape(b, engine.block.create_shape(s.kind.name())?)?;
                let fill = engine.block.create_fill("color")?;
                engine.block.set_color(
                    fill,
                    "fill/color/value",
                    easel::Color::rgb(s.rgb[0], s.rgb[1], s.rgb[2]),
                )?;
                engine.block.set_fill(b, fill)?;
                engine.block.set_position_x(b, s.x)?;
                engine.block.set_position_y(b, s.y)?;
                engine.block.set_width(b, s.size)?;
                engine.block.set_height(b, s.size)?;
                engine.block.append_child(page, b)?;
            }
            Ok(page)
        });
        let page = page?;
        let (first, png) = time(|| engine.block.export(page, &options));
        let png = png?;
        let (s, _) = repeat(if quick { 5 } else { 10 }, || {
            engine.block.export(page, &options)
        });
        emit(
            "export.png.800x600.shapes",
            &s,
            json!({ "n": n, "build_ms": build, "first_export_ms": first, "png_bytes": png.len() }),
        );
    }
    Ok(())
}

fn large_group(quick: bool) -> Result<()> {
    let base = serve_samples()?;
    let uri = format!("{base}/sample_1.jpg");
    for (w, h) in [(1920.0, 1080.0), (4000.0, 4000.0)] {
        let engine = Engine::new(Default::default());
        engine.init_renderer()?;
        let page = image_page(&engine, &uri, (w, h), (0.0, 0.0, w, h))?;
        for (mime, name) in [(MimeType::Png, "png"), (MimeType::Jpeg, "jpeg")] {
            let options = ExportOptions {
                mime_type: mime,
                jpeg_quality: 0.9,
                ..Default::default()
            };
            let (first, bytes) = time(|| engine.block.export(page, &options));
            let bytes = bytes?;
            let (s, _) = repeat(if quick { 3 } else { 7 }, || {
                engine.block.export(page, &options)
            });
            let workload = format!("export.large.{name}.{}x{}.image", w as u32, h as u32);
            emit(
                &workload,
                &s,
                json!({ "first_export_ms": first, "bytes": bytes.len() }),
            );
        }
    }
    Ok(())
}

fn throughput_group(quick: bool) -> Result<()> {
    let base = serve_samples()?;
    let uri = format!("{base}/sample_1.jpg");
    let seconds = if quick { 3 } else { 10 };
    let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
    let mut threads = 1;
    while threads <= cores.max(2) * 2 && threads <= 16 {
        // One engine per thread, as a render server runs them; the GPU device is shared.
        let engines: Vec<(Engine, BlockId)> = (0..threads)
            .map(|_| {
                let engine = Engine::new(Default::default());
                let page = guide_scene(&engine, &uri)?;
                engine.block.export(page, &ExportOptions::default())?;
                Ok((engine, page))
            })
            .collect::<easel::Result<_>>()?;
        let deadline = Instant::now() + Duration::from_secs(seconds);
        let start = Instant::now();
        let counts: Vec<usize> = std::thread::scope(|s| {
            let handles: Vec<_> = engines
                .iter()
                .map(|(engine, page)| {
                    s.spawn(move || {
                        let mut n = 0;
                        while Instant::now() < deadline {
                            if engine
                                .block
                                .export(*page, &ExportOptions::default())
                                .is_ok()
                            {
                                n += 1;
                            }
                        }
                        n
                    })
                })
                .collect();
            handles.into_iter().map(|h| h.join().unwrap_or(0)).collect()
        });
        let elapsed = start.elapsed().as_secs_f64();
        let total: usize = counts.iter().sum();
        let per_export = elapsed * 1000.0 / total.max(1) as f64 * threads as f64;
        let s = Stats {
            median: per_export,
            min: per_export,
            max: per_export,
            repeats: total,
        };
        emit(
            "export.throughput",
            &s,
            json!({ "threads": threads, "exports_per_s": (total as f64 / elapsed * 10.0).round() / 10.0 }),
        );
        threads *= 2;
    }
    Ok(())
}

fn peer_group(quick: bool) -> Result<()> {
    use easel_bench::peer::{self, PeerFormat};
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/samples/sample_1.jpg");
    let photo = peer::pixmap(&image::open(path)?.to_rgba8());
    let repeats = if quick { 10 } else { 20 };
    let (s, png) = repeat(repeats, || {
        peer::image_export(
            &photo,
            (800, 600),
            (200.0, 150.0, 400.0, 300.0),
            PeerFormat::Png,
        )
    });
    emit(
        "peer.export.png.800x600.image400x300",
        &s,
        json!({ "png_bytes": png.len() }),
    );
    for n in [1_000, 10_000] {
        let shapes = easel_bench::shapes(n);
        let (s, png) = repeat(if quick { 5 } else { 10 }, || {
            peer::shapes_export(&shapes, PeerFormat::Png)
        });
        emit(
            "peer.export.png.800x600.shapes",
            &s,
            json!({ "n": n, "png_bytes": png.len() }),
        );
    }
    for (w, h) in [(1920u16, 1080u16), (4000, 4000)] {
        for (format, name) in [(PeerFormat::Png, "png"), (PeerFormat::Jpeg, "jpeg")] {
            let area = (0.0, 0.0, f64::from(w), f64::from(h));
            let (s, bytes) = repeat(if quick { 3 } else { 7 }, || {
                peer::image_export(&photo, (w, h), area, format)
            });
            emit(
                &format!("peer.export.large.{name}.{w}x{h}.image"),
                &s,
                json!({ "bytes": bytes.len() }),
            );
        }
    }
    Ok(())
}

fn machine() -> Value {
    let cpuinfo = std::fs::read_to_string("/proc/cpuinfo").unwrap_or_default();
    let model = cpuinfo
        .lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split(':').nth(1))
        .map_or("unknown".to_string(), |m| m.trim().to_string());
    json!({
        "cores": std::thread::available_parallelism().map_or(0, |n| n.get()),
        "cpu": model,
        "os": std::env::consts::OS,
    })
}

/// Today's date (UTC) as `YYYY-MM-DD`, from the system clock.
fn iso_date() -> String {
    let days = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() / 86_400) as i64;
    // Howard Hinnant's civil-from-days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02}")
}
