//! The `easel` binary: batch rendering with a broken file in the batch, `serve` draining
//! in-flight requests on SIGTERM, and content files through `assets import|export`.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

use easel::{Engine, SceneLayout};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

fn easel() -> Command {
    Command::new(env!("CARGO_BIN_EXE_easel"))
}

/// A page of `w × h` with `n` ellipses.
fn scene(n: usize, (w, h): (f32, f32)) -> String {
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
        let c = easel::Color::rgba((i % 7) as f32 / 7.0, 0.4, 0.6, 0.7);
        engine.block.set_color(fill, "fill/color/value", c).unwrap();
        engine.block.set_fill(block, fill).unwrap();
        engine.block.set_width(block, w / 2.0).unwrap();
        engine.block.set_height(block, h / 2.0).unwrap();
        engine
            .block
            .set_position_x(block, (i as f32 * 13.0) % (w / 2.0))
            .unwrap();
        engine
            .block
            .set_position_y(block, (i as f32 * 29.0) % (h / 2.0))
            .unwrap();
        engine.block.append_child(page, block).unwrap();
    }
    engine.scene.save_to_string().unwrap()
}

#[test]
fn render_goes_through_1000_scenes_and_reports_the_broken_one_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let doc = scene(3, (64.0, 48.0));
    let mut files = Vec::new();
    for i in 0..1000 {
        let path = dir.path().join(format!("scene-{i:04}.json"));
        std::fs::write(&path, &doc).unwrap();
        files.push(path);
    }
    let broken = dir.path().join("broken-17.json");
    std::fs::write(&broken, "{ this is not a scene").unwrap();
    files.insert(500, broken);
    let out = dir.path().join("out");
    let output = easel()
        .arg("render")
        .args(&files)
        .args(["--out", out.to_str().unwrap(), "--jobs", "2"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stderr}");
    assert!(stderr.contains("broken-17.json"), "{stderr}");
    let summary = stderr.lines().last().unwrap();
    assert!(
        summary.contains("rendered 1000 of 1001")
            && summary.contains("exports/s")
            && summary.contains("1 failed"),
        "{summary}"
    );
    let pngs = std::fs::read_dir(&out).unwrap().count();
    assert_eq!(pngs, 1000);
    let first = image::open(out.join("scene-0000-0.png")).unwrap();
    assert_eq!((first.width(), first.height()), (64, 48));
    // JPEG and WebP by name.
    let one = easel()
        .args([
            "render",
            files[0].to_str().unwrap(),
            "--out",
            out.to_str().unwrap(),
            "--format",
            "jpeg",
        ])
        .output()
        .unwrap();
    assert!(one.status.success());
    assert!(out.join("scene-0000-0.jpeg").exists());
}

/// One HTTP/1.1 request on a fresh connection: the status and body.
fn http(addr: &str, method: &str, path: &str, body: &str) -> std::io::Result<(u16, Vec<u8>)> {
    let mut stream = TcpStream::connect(addr)?;
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    let mut response = Vec::new();
    stream.read_to_end(&mut response)?;
    let split = response
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .unwrap_or(response.len());
    let head = String::from_utf8_lossy(&response[..split]).to_string();
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    Ok((status, response[(split + 4).min(response.len())..].to_vec()))
}

#[test]
fn serve_drains_requests_in_flight_on_sigterm() {
    let mut child = easel()
        .args(["serve", "--memory", "--listen", "127.0.0.1:0"])
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let addr = loop {
        let line = lines.next().unwrap().unwrap();
        if let Some(rest) = line.split("serving on http://").nth(1) {
            break rest.split_whitespace().next().unwrap().to_string();
        }
    };
    std::thread::spawn(move || for _ in lines.by_ref() {});
    let doc = scene(60, (800.0, 800.0));
    let body = serde_json::json!({ "scene": doc }).to_string();
    let in_flight = {
        let addr = addr.clone();
        std::thread::spawn(move || http(&addr, "POST", "/v1/render", &body))
    };
    // Wait until the render is running, then ask the server to stop.
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let (_, metrics) = http(&addr, "GET", "/v1/metrics", "").unwrap();
        if String::from_utf8_lossy(&metrics).contains("easel_render_running 1") {
            break;
        }
        assert!(Instant::now() < deadline, "the render never started");
        std::thread::sleep(Duration::from_millis(5));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(killed.success());
    std::thread::sleep(Duration::from_millis(300));
    assert!(
        http(&addr, "GET", "/v1/health", "").is_err(),
        "no new connections after SIGTERM"
    );
    let (status, png) = in_flight.join().unwrap().unwrap();
    assert_eq!(status, 200, "the request in flight finished");
    assert_eq!(&png[1..4], b"PNG");
    let start = Instant::now();
    let exit = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        assert!(
            start.elapsed() < Duration::from_secs(15),
            "the server did not exit"
        );
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "{exit:?}");
}

#[test]
fn serve_refuses_a_public_address_without_a_token() {
    let output = easel()
        .args(["serve", "--memory", "--listen", "0.0.0.0:0"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("token") && stderr.contains("0.0.0.0"),
        "{stderr}"
    );
}

#[test]
fn assets_import_then_export_round_trips_a_content_file() {
    let dir = tempfile::tempdir().unwrap();
    let content = dir.path().join("content.json");
    std::fs::write(
        &content,
        r#"{"version": "2.0.0", "id": "photos", "assets": [
            {"id": "a", "label": {"en": "A"}, "meta": {"uri": "{{base_url}}/a.jpg"}},
            {"id": "b", "label": {"en": "B"}}
        ]}"#,
    )
    .unwrap();
    let store = format!("sqlite:{}", dir.path().join("assets.db").display());
    let import = easel()
        .args([
            "assets",
            "import",
            content.to_str().unwrap(),
            "--store",
            &store,
            "--base-url",
            "https://cdn.example",
        ])
        .output()
        .unwrap();
    assert!(
        import.status.success(),
        "{}",
        String::from_utf8_lossy(&import.stderr)
    );
    assert!(String::from_utf8_lossy(&import.stderr).contains("`photos` has 2 assets"));
    let export = easel()
        .args(["assets", "export", "photos", "--store", &store])
        .output()
        .unwrap();
    assert!(export.status.success());
    let file: serde_json::Value = serde_json::from_slice(&export.stdout).unwrap();
    assert_eq!(
        file["assets"][0]["meta"]["uri"],
        "https://cdn.example/a.jpg"
    );
    let missing = easel()
        .args(["assets", "export", "nope", "--store", &store])
        .output()
        .unwrap();
    assert!(!missing.status.success());
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope"));
}

/// Text looks the same whatever fonts the machine has: Easel never reads installed fonts.
/// The same scene renders byte-identically with the font directories and fontconfig
/// pointed at a decoy "Noto Sans" (another font under that name).
#[test]
fn text_renders_identically_whatever_fonts_the_machine_has() {
    let dir = tempfile::tempdir().unwrap();
    let engine = Engine::new(Default::default());
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((400.0, 120.0)))
        .unwrap()
        .page()
        .unwrap();
    let t = engine.block.create("text").unwrap();
    engine
        .block
        .replace_text(t, "Sphinx of black quartz", None)
        .unwrap();
    engine.block.set_width_mode(t, "Auto").unwrap();
    engine.block.append_child(page, t).unwrap();
    let scene = dir.path().join("text.json");
    std::fs::write(&scene, engine.scene.save_to_string().unwrap()).unwrap();
    // The decoy: Noto Sans Hebrew installed as "NotoSans-Regular.ttf" everywhere a font
    // scanner looks, and a fontconfig file that lists only it.
    let decoy = dir.path().join("home");
    for sub in [".fonts", ".local/share/fonts", "share/fonts"] {
        let d = decoy.join(sub);
        std::fs::create_dir_all(&d).unwrap();
        std::fs::write(
            d.join("NotoSans-Regular.ttf"),
            easel::text_engine::default_fonts::HEBREW,
        )
        .unwrap();
    }
    let fc = decoy.join("fonts.conf");
    std::fs::write(
        &fc,
        format!(
            "<?xml version=\"1.0\"?><fontconfig><dir>{}</dir></fontconfig>",
            decoy.join(".fonts").display()
        ),
    )
    .unwrap();
    let render = |out: &str, decoyed: bool| {
        let mut cmd = easel();
        cmd.args(["render", scene.to_str().unwrap(), "--out"])
            .arg(dir.path().join(out))
            .env("EASEL_BACKEND", "cpu");
        if decoyed {
            cmd.env("HOME", &decoy)
                .env("XDG_DATA_HOME", decoy.join(".local/share"))
                .env("XDG_DATA_DIRS", decoy.join("share"))
                .env("FONTCONFIG_FILE", &fc);
        }
        let status = cmd.status().unwrap();
        assert!(status.success());
        std::fs::read(dir.path().join(out).join("text-0.png")).unwrap()
    };
    let plain = render("plain", false);
    let decoyed = render("decoyed", true);
    assert!(plain == decoyed, "the installed fonts changed the output");
}

/// `easel render` takes CE.SDK archives too: the scene with its own font.
#[test]
fn render_takes_a_cesdk_archive() {
    let dir = tempfile::tempdir().unwrap();
    let archive = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/conformance/scenes/png/text-basic.zip");
    let status = easel()
        .args(["render", archive.to_str().unwrap(), "--out"])
        .arg(dir.path())
        .status()
        .unwrap();
    assert!(status.success());
    let png = image::open(dir.path().join("text-basic-0.png")).unwrap();
    assert_eq!((png.width(), png.height()), (800, 600));
}
