//! Easel's whole-engine benchmark harness: runs the standard workloads through the public
//! `easel` API and prints one JSON object per line, then writes them all, with the date, the
//! adapter and the machine, to `target/easel-bench.json`.
//!
//! ```text
//! cargo run --release -p easel-bench -- [--quick] [--only GROUP…]
//! ```
//!
//! Groups: `engine`, `assets`, `store`, `export`, `large`, `throughput`, `text`, `scene`,
//! `peer`. Each runs in its own
//! child process, so memory figures do not mix. `peer` renders the `large` workloads with
//! `vello_cpu` directly (see `easel_bench::peer`) and runs first whenever `large` does; the
//! `export` group renders its 800 × 600 workloads with the peer itself, each Easel export in
//! turn with the peer's (a noisy machine slows both alike; `median_ms` is still each one
//! timed alone). Every `export.*` line then carries `vs_vello_cpu`, its median over the
//! peer's. Images are served from a loopback HTTP server the
//! harness starts itself, from the repository's `assets/samples/`.
//!
//! The `server` group runs the HTTP service in this process and loads it over loopback
//! (`--soak` adds a five-minute render soak watching peak memory).
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
    "text",
    "scene",
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
    // The peer runs first, so the large export lines can carry their ratio to it.
    let mut only: Vec<&str> = only.into_iter().filter(|g| *g != "peer").collect();
    if only.contains(&"large") || args.iter().any(|a| a == "peer") {
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
                    } else if let (None, Some(p)) =
                        (v.get("vs_vello_cpu"), peer.get(&key).filter(|p| **p > 0.0))
                    {
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
        "text" => text_group(quick),
        "scene" => scene_group(quick),
        "server" => server_group(quick, args_soak()),
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

/// `n` runs of `ours` and `theirs` in turn (one of each, then the next pair): both see the
/// same moments of a noisy machine, so their medians compare.
fn paired<T, U>(
    n: usize,
    mut ours: impl FnMut() -> T,
    mut theirs: impl FnMut() -> U,
) -> (Stats, Stats) {
    let (mut a, mut b) = (Vec::with_capacity(n), Vec::with_capacity(n));
    for _ in 0..n {
        a.push(time(&mut ours).0);
        b.push(time(&mut theirs).0);
    }
    (stats(a), stats(b))
}

/// Times `ours` as `workload` and the peer's render of it as `peer.{workload}`: each
/// alone (`median_ms`: what either costs on its own, caches warm), then the two in turn
/// (`paired_median_ms`), whose ratio is `vs_vello_cpu`. Emits the peer's line first.
fn against_peer<T, U>(
    workload: &str,
    n: usize,
    mut ours: impl FnMut() -> T,
    mut theirs: impl FnMut() -> U,
    extra: Value,
) {
    let (alone, _) = repeat(n, &mut ours);
    let (peer_alone, _) = repeat(n, &mut theirs);
    let (a, b) = paired(n, &mut ours, &mut theirs);
    let n_field = extra.get("n").cloned();
    let mut peer_extra = json!({ "paired_median_ms": (b.median * 1000.0).round() / 1000.0 });
    if let Some(v) = n_field {
        peer_extra["n"] = v;
    }
    emit(&format!("peer.{workload}"), &peer_alone, peer_extra);
    let mut extra = extra;
    extra["paired_median_ms"] = json!((a.median * 1000.0).round() / 1000.0);
    if b.median > 0.0 {
        extra["vs_vello_cpu"] = json!((a.median / b.median * 1000.0).round() / 1000.0);
    }
    emit(workload, &alone, extra);
}

/// Resident memory now, in MB.
fn rss_mb() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| (kb / 1024.0 * 10.0).round() / 10.0)
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
            .page()?;
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

fn args_soak() -> bool {
    std::env::args().any(|a| a == "--soak")
}

/// The server on 127.0.0.1 (port 0) on a runtime of its own, for as long as the process runs.
fn start_server(store: easel::AssetStore, config: easel_server::ServerConfig) -> Result<String> {
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let runtime = match tokio::runtime::Builder::new_multi_thread()
            .enable_all()
            .build()
        {
            Ok(r) => r,
            Err(e) => return drop(tx.send(Err(e.to_string()))),
        };
        runtime.block_on(async move {
            let listener = match tokio::net::TcpListener::bind("127.0.0.1:0").await {
                Ok(l) => l,
                Err(e) => return drop(tx.send(Err(e.to_string()))),
            };
            let addr = listener
                .local_addr()
                .map(|a| a.to_string())
                .map_err(|e| e.to_string());
            let _ = tx.send(addr);
            let server = easel_server::EaselServer::new(store, config);
            let _ = server.serve(listener, std::future::pending()).await;
        });
    });
    let addr = rx.recv()??;
    Ok(format!("http://{addr}"))
}

/// A keep-alive HTTP/1.1 connection, as light as a load generator's client can be (so the
/// clients, which share the machine with the server, cost it little).
struct Conn {
    addr: String,
    stream: Option<std::io::BufReader<std::net::TcpStream>>,
}

impl Conn {
    fn new(base: &str) -> Conn {
        Conn {
            addr: base.trim_start_matches("http://").to_string(),
            stream: None,
        }
    }

    /// Sends one request; the status and the body's length. Reconnects once if the
    /// server closed the connection.
    fn request(&mut self, method: &str, path: &str, body: &str) -> std::io::Result<(u16, usize)> {
        match self.try_request(method, path, body) {
            Ok(r) => Ok(r),
            Err(_) => {
                self.stream = None;
                self.try_request(method, path, body)
            }
        }
    }

    fn try_request(
        &mut self,
        method: &str,
        path: &str,
        body: &str,
    ) -> std::io::Result<(u16, usize)> {
        if self.stream.is_none() {
            let s = std::net::TcpStream::connect(&self.addr)?;
            s.set_nodelay(true)?;
            self.stream = Some(std::io::BufReader::new(s));
        }
        let reader = self
            .stream
            .as_mut()
            .ok_or(std::io::ErrorKind::NotConnected)?;
        let head = format!(
            "{method} {path} HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n",
            self.addr,
            body.len()
        );
        let stream = reader.get_mut();
        stream.write_all(head.as_bytes())?;
        stream.write_all(body.as_bytes())?;
        let mut line = String::new();
        reader.read_line(&mut line)?;
        let status: u16 = line
            .split_whitespace()
            .nth(1)
            .and_then(|s| s.parse().ok())
            .ok_or(std::io::ErrorKind::InvalidData)?;
        let (mut length, mut chunked, mut close) = (0usize, false, false);
        loop {
            line.clear();
            reader.read_line(&mut line)?;
            let l = line.trim_end().to_ascii_lowercase();
            if l.is_empty() {
                break;
            }
            if let Some(v) = l.strip_prefix("content-length:") {
                length = v.trim().parse().unwrap_or(0);
            } else if l.starts_with("transfer-encoding:") && l.contains("chunked") {
                chunked = true;
            } else if l.starts_with("connection:") && l.contains("close") {
                close = true;
            }
        }
        let mut total = 0;
        if chunked {
            loop {
                line.clear();
                reader.read_line(&mut line)?;
                let size = usize::from_str_radix(line.trim(), 16)
                    .map_err(|_| std::io::ErrorKind::InvalidData)?;
                let mut chunk = vec![0; size + 2];
                reader.read_exact(&mut chunk)?;
                total += size;
                if size == 0 {
                    break;
                }
            }
        } else {
            let mut bodybuf = vec![0; length];
            reader.read_exact(&mut bodybuf)?;
            total = length;
        }
        if close {
            self.stream = None;
        }
        Ok((status, total))
    }
}

/// `clients` threads, each on its own keep-alive connection, sending `request` for
/// `seconds`: the latencies of the successes and the count of failures.
fn load(
    clients: usize,
    seconds: f64,
    base: &str,
    request: impl Fn(&mut Conn) -> bool + Sync,
) -> (Vec<f64>, usize, f64) {
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let start = Instant::now();
    let results: Vec<(Vec<f64>, usize)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..clients)
            .map(|_| {
                s.spawn(|| {
                    let mut conn = Conn::new(base);
                    let (mut times, mut errors) = (Vec::new(), 0);
                    while Instant::now() < deadline {
                        let (ms, ok) = time(|| request(&mut conn));
                        match ok {
                            true => times.push(ms),
                            false => errors += 1,
                        }
                    }
                    (times, errors)
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    let elapsed = start.elapsed().as_secs_f64();
    let errors = results.iter().map(|r| r.1).sum();
    let times = results.into_iter().flat_map(|r| r.0).collect();
    (times, errors, elapsed)
}

/// Emits a load workload: requests/s, p50, p99, errors.
fn emit_load(workload: &str, (mut times, errors, elapsed): (Vec<f64>, usize, f64), extra: Value) {
    times.sort_by(f64::total_cmp);
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 * p) as usize).min(times.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    let round = |v: f64| (v * 1000.0).round() / 1000.0;
    let s = Stats {
        median: pct(0.5),
        min: times.first().copied().unwrap_or(0.0),
        max: times.last().copied().unwrap_or(0.0),
        repeats: times.len(),
    };
    let mut fields = json!({
        "requests_per_s": round(times.len() as f64 / elapsed),
        "p50_ms": round(pct(0.5)),
        "p99_ms": round(pct(0.99)),
        "errors": errors,
    });
    if let (Some(obj), Value::Object(more)) = (fields.as_object_mut(), extra) {
        obj.extend(more);
    }
    emit(workload, &s, fields);
}

fn server_group(quick: bool, soak: bool) -> Result<()> {
    let seconds = if quick { 5.0 } else { 20.0 };
    // Render: the guide's page, its photo from a loopback server the config allows.
    let samples = serve_samples()?;
    let mut config = easel_server::ServerConfig::default();
    config.hosts.allowed_hosts = vec![samples.trim_start_matches("http://").to_string()];
    let store = easel::AssetStore::in_memory(easel::assets::DEFAULT_CHANGE_LOG_CAPACITY);
    let base = start_server(store.clone(), config)?;
    let engine = Engine::new(Default::default());
    guide_scene(&engine, &format!("{samples}/sample_1.jpg"))?;
    let body = json!({ "scene": serde_json::from_str::<Value>(&engine.scene.save_to_string()?)? })
        .to_string();
    let render = |conn: &mut Conn| matches!(conn.request("POST", "/v1/render", &body), Ok((200, n)) if n > 8);
    let mut warm = Conn::new(&base);
    if !render(&mut warm) {
        return Err("the warm-up render failed".into());
    }
    emit_load(
        "server.render.800x600.image",
        load(16, seconds, &base, render),
        json!({ "clients": 16 }),
    );
    if soak {
        // Resident memory every 30 s while the soak runs: flat means no growth after the
        // first minute (allocator arenas and caches warm up in it).
        let done = std::sync::atomic::AtomicBool::new(false);
        let (result, samples) = std::thread::scope(|s| {
            let sampler = s.spawn(|| {
                let mut samples = Vec::new();
                let start = Instant::now();
                while !done.load(std::sync::atomic::Ordering::Relaxed) {
                    std::thread::sleep(Duration::from_millis(250));
                    if start.elapsed().as_secs_f64() >= 30.0 * (samples.len() + 1) as f64 {
                        samples.push(rss_mb());
                    }
                }
                samples
            });
            let result = load(16, 300.0, &base, render);
            done.store(true, std::sync::atomic::Ordering::Relaxed);
            (result, sampler.join().unwrap_or_default())
        });
        let after_warmup = samples.get(1).copied().unwrap_or(0.0);
        let last = samples.last().copied().unwrap_or(0.0);
        emit_load(
            "server.render.soak",
            result,
            json!({
                "clients": 16,
                "seconds": 300,
                "rss_mb_every_30s": samples,
                "rss_change_after_first_minute": ((last / after_warmup.max(1.0) - 1.0) * 1000.0).round() / 1000.0,
            }),
        );
    }
    // Find: the text query over 100,000 assets.
    let n = 100_000;
    store.add_local_source("bench", LocalSourceOptions::default())?;
    store.add_assets_to_source("bench", easel_bench::assets(n))?;
    let (_, query) = easel_bench::asset_queries(n)
        .into_iter()
        .find(|(name, _)| *name == "asset.find.query")
        .ok_or("no text query workload")?;
    let query = serde_json::to_string(&json!({ "query": query.query, "perPage": query.per_page }))?;
    let find = |conn: &mut Conn| {
        matches!(
            conn.request("POST", "/v1/sources/bench/find", &query),
            Ok((200, _))
        )
    };
    find(&mut warm);
    emit_load(
        "server.find.query",
        load(64, seconds, &base, find),
        json!({ "clients": 64, "n": n }),
    );
    // Fan-out: 100 subscribers, 10,000 events each.
    let (subscribers, events) = (100, 10_000);
    store.add_local_source("fanout", LocalSourceOptions::default())?;
    let connected = std::sync::atomic::AtomicUsize::new(0);
    let first = store.last_seq() + 1;
    let (received, elapsed) = std::thread::scope(|s| {
        let readers: Vec<_> = (0..subscribers)
            .map(|_| {
                s.spawn(|| {
                    // Bounded: a lost event must not hang the harness.
                    let client = reqwest::blocking::Client::builder()
                        .timeout(Duration::from_secs(60))
                        .build()
                        .ok()?;
                    let response = client.get(format!("{base}/v1/events")).send().ok()?;
                    connected.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    let mut got = 0usize;
                    let mut expected = first;
                    for line in std::io::BufReader::new(response).lines() {
                        let Ok(line) = line else { break };
                        if let Some(id) = line.strip_prefix("id:") {
                            let id = id.trim().parse::<u64>().unwrap_or(0);
                            if id == expected {
                                got += 1;
                            } else {
                                eprintln!("fanout: expected {expected}, got {id}");
                            }
                            expected = id + 1;
                            if expected >= first + events as u64 {
                                break;
                            }
                        }
                    }
                    Some(got)
                })
            })
            .collect();
        while connected.load(std::sync::atomic::Ordering::SeqCst) < subscribers {
            std::thread::sleep(Duration::from_millis(10));
        }
        // The stream is open once headers arrive; give the last subscriptions a moment.
        std::thread::sleep(Duration::from_millis(200));
        let start = Instant::now();
        for _ in 0..events {
            let _ = store.asset_source_contents_changed("fanout");
        }
        let got: Vec<usize> = readers
            .into_iter()
            .map(|h| h.join().ok().flatten().unwrap_or(0))
            .collect();
        (got, start.elapsed().as_secs_f64())
    });
    let delivered: usize = received.iter().sum();
    let lost = subscribers * events - delivered;
    let s = Stats {
        median: elapsed * 1000.0,
        min: elapsed * 1000.0,
        max: elapsed * 1000.0,
        repeats: 1,
    };
    emit(
        "server.sse.fanout",
        &s,
        json!({
            "subscribers": subscribers,
            "events": events,
            "events_per_s": (delivered as f64 / elapsed).round(),
            "lost": lost,
        }),
    );
    Ok(())
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
        .page()?;
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
    use easel_bench::peer::PeerFormat;
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
    let photo = easel_bench::peer::pixmap(&image::open(sample_path())?.to_rgba8());
    against_peer(
        "export.png.800x600.image400x300",
        repeats,
        || engine.block.export(page, &options),
        || {
            easel_bench::peer::image_export(
                &photo,
                (800, 600),
                (200.0, 150.0, 400.0, 300.0),
                PeerFormat::Png,
            )
        },
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
                .page()?;
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
        against_peer(
            "export.png.800x600.shapes",
            if quick { 5 } else { 10 },
            || engine.block.export(page, &options),
            || easel_bench::peer::shapes_export(&shapes, PeerFormat::Png),
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

/// The sample photo the image workloads draw, from the repository's `assets/samples/`.
fn sample_path() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../assets/samples/sample_1.jpg")
}

/// The peer's renders of the `large` workloads (the 800 × 600 ones run in turn with
/// Easel's, in the `export` group).
fn peer_group(quick: bool) -> Result<()> {
    use easel_bench::peer::{self, PeerFormat};
    let photo = peer::pixmap(&image::open(sample_path())?.to_rgba8());
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

/// The text workloads' paragraph: about 1,000 characters of prose.
fn paragraph() -> String {
    let words = [
        "Design",
        "automation",
        "renders",
        "certificates,",
        "banners",
        "and",
        "social",
        "posts",
        "with",
        "names,",
        "prices",
        "and",
        "titles",
        "set",
        "in",
        "real",
        "fonts;",
        "every",
        "line",
        "breaks",
        "where",
        "the",
        "frame",
        "ends.",
    ];
    let mut s = String::new();
    let mut i = 0;
    while s.len() < 1_000 {
        if !s.is_empty() {
            s.push(' ');
        }
        s.push_str(words[i % words.len()]);
        i += 1;
    }
    s
}

/// Run sizes of the mixed-size paragraph: (UTF-16 start, end, points), every 40 units.
fn mixed_sizes(len: u32) -> Vec<(u32, u32, f32)> {
    let sizes = [5.0, 6.5, 4.5, 7.0];
    (0..len)
        .step_by(40)
        .enumerate()
        .map(|(i, start)| (start, (start + 40).min(len), sizes[i % sizes.len()]))
        .collect()
}

/// An 800 × 600 page with the paragraph in a 760 px frame, its runs in mixed sizes.
fn text_scene(engine: &Engine) -> easel::Result<BlockId> {
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((800.0, 600.0)))?
        .page()?;
    let t = engine.block.create("text")?;
    let text = paragraph();
    engine.block.replace_text(t, &text, None)?;
    for (from, to, size) in mixed_sizes(text.len() as u32) {
        engine.block.set_text_font_size(t, size, Some((from, to)))?;
    }
    engine.block.set_width(t, 760.0)?;
    engine.block.set_height_mode(t, "Auto")?;
    engine.block.set_position_x(t, 20.0)?;
    engine.block.set_position_y(t, 20.0)?;
    engine.block.append_child(page, t)?;
    Ok(page)
}

fn text_group(quick: bool) -> Result<()> {
    let repeats = if quick { 20 } else { 50 };
    // Cold: a fresh engine (the process's renderer already up, as in a server): the shipped
    // fonts are parsed, the paragraph laid out, every glyph outline read and tessellated.
    Engine::new(Default::default()).init_renderer()?;
    let engine = Engine::new(Default::default());
    let page = text_scene(&engine)?;
    let options = ExportOptions::default();
    let (cold, png) = time(|| engine.block.export(page, &options));
    let png = png?;
    let glyphs = engine.block.display_list(page, &options)?.items.len();
    emit(
        "text.first_export_ms",
        &stats(vec![cold]),
        json!({ "glyphs_drawn": glyphs }),
    );
    // Warm: the same export again; layout and tessellations come from the caches.
    for _ in 0..3 {
        engine.block.export(page, &options)?;
    }
    let (s, _) = repeat(repeats, || engine.block.export(page, &options));
    emit(
        "export.png.800x600.text",
        &s,
        json!({ "glyphs_drawn": glyphs, "png_bytes": png.len() }),
    );
    // Layout alone, through the text crate: shaping, bidi, line breaking, placement.
    let mut fonts = easel::text_engine::FontLibrary::new();
    let font = fonts.register("noto", easel::text_engine::default_fonts::REGULAR.to_vec())?;
    let text = paragraph();
    let runs: Vec<easel::text_engine::RunStyle> = mixed_sizes(text.len() as u32)
        .into_iter()
        .map(|(from, to, pt)| easel::text_engine::RunStyle {
            range: from as usize..to as usize,
            font,
            size: pt * 300.0 / 72.0,
            brush: 0,
        })
        .collect();
    let style = easel::text_engine::ParagraphStyle {
        width: Some(760.0),
        ..Default::default()
    };
    let layout = fonts.layout(&text, &runs, &style)?;
    for _ in 0..10 {
        fonts.layout(&text, &runs, &style)?;
    }
    let (s, _) = repeat(repeats * 4, || fonts.layout(&text, &runs, &style));
    emit(
        "text.layout.1000glyphs",
        &s,
        json!({ "glyphs": layout.glyphs.len(), "lines": layout.lines.len() }),
    );
    Ok(())
}

/// A CE.SDK-format scene string (`UBQ1` + base64 JSON, the fields CE.SDK 1.79 writes for
/// these components) with `n` rectangles of the generated shapes on one 800 × 600 page.
fn cesdk_scene(n: usize) -> String {
    use base64::Engine as _;
    let shapes = easel_bench::shapes(n);
    let color = |r: f32, g: f32, b: f32| {
        json!({"version": 5, "colorSpace": 0, "tint": 1.0, "externalReference": "",
               "components": {"version": 1, "x": r, "y": g, "z": b, "w": 1.0}})
    };
    let size = |w: f32, h: f32| {
        json!({"version": 1, "width": {"version": 1, "unit": 1, "value": w},
               "height": {"version": 1, "unit": 1, "value": h}})
    };
    let mut elements = vec![
        json!({"entity": 0, "id": "//ly.img.ubq/scene", "layout": 1, "designUnit": 0, "dpi": 300.0}),
        json!({"entity": 1, "id": "//ly.img.ubq/stack", "axis": 1, "spacing": 0.0}),
        json!({"entity": 2, "id": "//ly.img.ubq/page", "block_size": size(800.0, 600.0),
               "block_position": {"version": 2, "type": 1}, "block_fill": {"enabled": true, "value": 3}}),
        json!({"entity": 3, "id": "//ly.img.ubq/fill/color", "value": color(1.0, 1.0, 1.0)}),
    ];
    let mut children = Vec::with_capacity(n);
    for (i, s) in shapes.iter().enumerate() {
        let base = 10 + 3 * i as u64;
        children.push(base);
        elements.push(json!({
            "entity": base, "id": "//ly.img.ubq/graphic",
            "block_position": {"version": 2, "left": {"version": 1, "unit": 1, "value": s.x},
                               "top": {"version": 1, "unit": 1, "value": s.y}, "type": 0},
            "block_size": size(s.size, s.size),
            "block_rotation": {"version": 1, "x": 0.0, "y": 0.0, "z": 0.0},
            "block_scale": {"version": 1, "x": 1.0, "y": 1.0, "z": 1.0},
            "opacity": 1.0, "hidden": false, "block_blend_mode": 1,
            "block_common": {"version": 2, "name": "", "exportable": true},
            "metadata": [], "block_effects": {"version": 1, "effects": []},
            "block_shape": {"version": 1, "value": base + 1},
            "block_fill": {"version": 1, "enabled": true, "value": base + 2},
            "block_content_fill_mode": 1,
        }));
        elements.push(json!({"entity": base + 1, "id": "//ly.img.ubq/shape/rect",
            "cornerRadiusTL": 0.0, "cornerRadiusTR": 0.0, "cornerRadiusBR": 0.0, "cornerRadiusBL": 0.0}));
        elements.push(json!({"entity": base + 2, "id": "//ly.img.ubq/fill/color",
            "value": color(s.rgb[0], s.rgb[1], s.rgb[2])}));
    }
    let doc = json!({
        "format": "//ly.img.ubq/scene",
        "version": "1.10.0",
        "designElements": elements,
        "hierarchy": {"root": 0, "children": [
            {"key": 0, "value": [1]}, {"key": 1, "value": [2]}, {"key": 2, "value": children},
        ]},
    });
    format!(
        "UBQ1{}",
        base64::engine::general_purpose::STANDARD.encode(doc.to_string())
    )
}

fn scene_group(quick: bool) -> Result<()> {
    let n = 10_000;
    let repeats = if quick { 5 } else { 11 };
    let cesdk = cesdk_scene(n);
    let engine = Engine::new(Default::default());
    let (s, _) = repeat(repeats, || engine.scene.load_from_string(&cesdk));
    let blocks = engine.block.find_by_type("graphic")?.len();
    emit(
        "scene.load.cesdk",
        &s,
        json!({ "n": n, "graphics": blocks, "input_bytes": cesdk.len() }),
    );
    // Converting the file into Easel's format (load into a fresh graph, save): a migration.
    let (s, _) = repeat(repeats, || {
        easel::scene_graph::cesdk_to_easel_json(&cesdk, Default::default())
    });
    emit("scene.convert.cesdk_to_easel", &s, json!({ "n": n }));
    let easel = engine.scene.save_to_string()?;
    let (s, _) = repeat(repeats, || engine.scene.load_from_string(&easel));
    emit(
        "scene.load.easel",
        &s,
        json!({ "n": n, "input_bytes": easel.len() }),
    );
    Ok(())
}
