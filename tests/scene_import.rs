//! Scene files saved by the reference engine (`tests/conformance/scenes/`): each loads,
//! its pages export, and each export is compared with CE.SDK's PNG of the same page (its
//! watermark masked out, as the render cases do). Prints one line per page with the PSNR
//! and what the load dropped (the figures in `docs/fidelity.md`).

use crate::export_conformance::{Watermark, premultiplied};
use crate::support::{self, load_png, psnr_masked};
use base64::Engine as _;
use easel::{Engine, EngineConfig, ExportOptions, LoadOptions};

fn dir() -> std::path::PathBuf {
    support::repo().join("tests/conformance/scenes/png")
}

fn file_url(path: &str) -> String {
    let p = support::repo().join(path).canonicalize().unwrap();
    format!("file://{}", p.display())
}

/// The saved string with the harness's tokens pointed at the repository's files.
fn localised(scene: &str) -> String {
    let body = scene.trim().strip_prefix("UBQ1").unwrap();
    let json = base64::engine::general_purpose::STANDARD
        .decode(body)
        .unwrap();
    let json = String::from_utf8(json)
        .unwrap()
        .replace("{{SAMPLES}}", &file_url("assets/samples"))
        .replace("{{FONTS}}", &file_url("crates/easel-text/fonts"));
    format!(
        "UBQ1{}",
        base64::engine::general_purpose::STANDARD.encode(json)
    )
}

/// The PSNR every page must reach against CE.SDK's export of it.
const MIN_PSNR: f64 = 35.0;

#[test]
fn reference_scene_files_load_and_export_alike() {
    let watermark = Watermark::load();
    let mut names: Vec<String> = std::fs::read_dir(dir())
        .unwrap()
        .filter_map(|e| e.ok()?.file_name().into_string().ok())
        .filter(|n| n.ends_with(".scene") && n != "demo-scene-offline.scene")
        .collect();
    names.sort();
    let mut failures = Vec::new();
    let mut pages_compared = 0;
    for name in &names {
        let case = name.trim_end_matches(".scene");
        let scene = localised(&std::fs::read_to_string(dir().join(name)).unwrap());
        let engine = Engine::new(EngineConfig::default());
        let (_, report) = match engine
            .scene
            .load_from_string_with_options(&scene, LoadOptions::default())
        {
            Ok(r) => r,
            Err(e) => {
                failures.push(format!("{case}: load: {e}"));
                continue;
            }
        };
        let dropped: Vec<String> = report
            .dropped
            .iter()
            .map(|d| format!("{} {}", d.component, d.detail))
            .collect();
        for (i, page) in engine
            .block
            .find_by_type("page")
            .unwrap()
            .iter()
            .enumerate()
        {
            let reference = dir().join(format!("{case}-page{}.png", i + 1));
            if !reference.exists() {
                continue;
            }
            let png = match engine.block.export(*page, &ExportOptions::default()) {
                Ok(p) => p,
                Err(e) => {
                    failures.push(format!("{case} page {}: export: {e}", i + 1));
                    continue;
                }
            };
            let ours = image::load_from_memory(&png).unwrap().to_rgba8();
            let theirs = load_png(&reference);
            if ours.dimensions() != theirs.dimensions() {
                failures.push(format!(
                    "{case} page {}: size {:?} vs {:?}",
                    i + 1,
                    ours.dimensions(),
                    theirs.dimensions()
                ));
                continue;
            }
            let (w, h) = ours.dimensions();
            let mask = watermark.mask(w, h);
            let score = psnr_masked(&premultiplied(&ours), &premultiplied(&theirs), |x, y| {
                !mask[(y * w + x) as usize]
            });
            pages_compared += 1;
            println!(
                "{case:28} page {} {score:6.1} dB  dropped: {}",
                i + 1,
                if dropped.is_empty() {
                    "none".to_string()
                } else {
                    dropped.join(", ")
                }
            );
            if score < MIN_PSNR {
                let out = support::failure_dir();
                support::save(
                    &ours,
                    &out.join(format!("scene-{case}-{}.actual.png", i + 1)),
                );
                failures.push(format!("{case} page {}: {score:.1} dB", i + 1));
            }
        }
    }
    assert!(pages_compared >= 12, "{pages_compared} pages compared");
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

fn page_psnr(engine: &Engine, reference: &str) -> f64 {
    let page = engine.block.find_by_type("page").unwrap()[0];
    let png = engine
        .block
        .export(page, &ExportOptions::default())
        .unwrap();
    let ours = image::load_from_memory(&png).unwrap().to_rgba8();
    let theirs = load_png(&dir().join(reference));
    let (w, h) = ours.dimensions();
    let mask = Watermark::load().mask(w, h);
    psnr_masked(&premultiplied(&ours), &premultiplied(&theirs), |x, y| {
        !mask[(y * w + x) as usize]
    })
}

/// An archive saved by CE.SDK renders from its own files: the font inside it, no network.
#[test]
fn a_reference_archive_loads_with_its_own_files() {
    let bytes = std::fs::read(dir().join("text-basic.zip")).unwrap();
    let engine = Engine::new(EngineConfig::default());
    let (_, report) = engine
        .scene
        .load_from_archive(&bytes, LoadOptions::default())
        .unwrap();
    assert!(report.is_empty(), "{report:?}");
    let text = engine.block.find_by_type("text").unwrap()[0];
    assert!(
        engine.block.typeface(text).unwrap().fonts[0]
            .uri
            .starts_with("buffer://archive-")
    );
    let score = page_psnr(&engine, "text-basic-page1.png");
    assert!(score >= MIN_PSNR, "{score:.1} dB");
}

/// A scene file by URI: `load_from_url` goes through the resource loader.
#[test]
fn scene_files_load_from_a_url() {
    let scene = localised(&std::fs::read_to_string(dir().join("linear-gradient.scene")).unwrap());
    let tmp = tempfile_path("linear-gradient.scene");
    std::fs::write(&tmp, scene).unwrap();
    let engine = Engine::new(EngineConfig::default());
    engine
        .scene
        .load_from_url(&format!("file://{}", tmp.display()), LoadOptions::default())
        .unwrap();
    assert!(page_psnr(&engine, "linear-gradient-page1.png") >= MIN_PSNR);
    let missing = engine
        .scene
        .load_from_url("file:///nonexistent/x.scene", LoadOptions::default())
        .unwrap_err();
    assert!(
        missing.to_string().contains("/nonexistent/x.scene"),
        "{missing}"
    );
}

fn tempfile_path(name: &str) -> std::path::PathBuf {
    let dir = support::repo().join("target/test-scratch");
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(format!("{}-{name}", std::process::id()))
}

fn zip_of(entries: &[(&str, Vec<u8>, bool)]) -> Vec<u8> {
    use std::io::Write;
    let mut out = std::io::Cursor::new(Vec::new());
    let mut zip = zip::ZipWriter::new(&mut out);
    for (name, data, deflate) in entries {
        let method = if *deflate {
            zip::CompressionMethod::Deflated
        } else {
            zip::CompressionMethod::Stored
        };
        zip.start_file(
            *name,
            zip::write::SimpleFileOptions::default().compression_method(method),
        )
        .unwrap();
        zip.write_all(data).unwrap();
    }
    zip.finish().unwrap();
    out.into_inner()
}

/// Bad archives are typed errors naming what is wrong, and the scene stays as it was.
#[test]
fn bad_archives_are_refused() {
    let scene = std::fs::read(dir().join("rect-corner-radii.scene")).unwrap();
    let engine = Engine::new(EngineConfig::default());
    let before = support::page(&engine, 10.0, 10.0);
    engine
        .editor
        .update_settings(|s| s.max_download_bytes = 1 << 20);
    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"PK\x03\x04 not really".to_vec(), "zip"),
        (
            zip_of(&[("other.txt", b"x".to_vec(), false)]),
            "no scene.scene",
        ),
        (
            zip_of(&[
                ("scene.scene", scene.clone(), false),
                ("../evil.txt", b"x".to_vec(), false),
            ]),
            "../evil.txt",
        ),
        (
            zip_of(&[
                ("scene.scene", scene.clone(), false),
                ("/etc/passwd", b"x".to_vec(), false),
            ]),
            "/etc/passwd",
        ),
        // 8 MB of zeros deflate to a few KB: a bomb against a 1 MB limit.
        (
            zip_of(&[
                ("scene.scene", scene, false),
                ("images/bomb.bin", vec![0; 8 << 20], true),
            ]),
            "download limit",
        ),
    ];
    for (bytes, why) in cases {
        let e = engine
            .scene
            .load_from_archive(&bytes, LoadOptions::default())
            .unwrap_err();
        assert!(e.to_string().contains(why), "{why}: {e}");
        assert!(engine.block.is_valid(before), "the scene stays");
    }
}

/// After loading each saved scene, the block tree and read-backs equal what CE.SDK
/// reported for the same file (`describeScene` in `scenes.expected.json`): types, nesting
/// and child order, sizes (auto-sized text measured), rotation, visibility, opacity, fill
/// colours, and positions of unrotated blocks. Cameras (a CE.SDK editor concept) are skipped.
#[test]
fn loaded_block_trees_match_what_the_reference_reports() {
    let expected: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(dir().join("../scenes.expected.json")).unwrap(),
    )
    .unwrap();
    let mut mismatches = Vec::new();
    let mut compared = 0;
    for case in expected["cases"].as_array().unwrap() {
        let name = case["name"].as_str().unwrap().trim_start_matches("scenes/");
        if name == "demo-scene-offline" {
            continue;
        }
        let Some(described) = case["ops"]
            .as_array()
            .unwrap()
            .iter()
            .rev()
            .find(|o| o["op"] == "describeScene")
        else {
            continue;
        };
        let theirs: Vec<&serde_json::Value> = described["result"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|b| b["kind"] != "camera")
            .collect();
        let scene =
            localised(&std::fs::read_to_string(dir().join(format!("{name}.scene"))).unwrap());
        let engine = Engine::new(EngineConfig::default());
        let root = engine.scene.load_from_string(&scene).unwrap();
        // Ours in pre-order, with depth.
        let mut ours = Vec::new();
        let mut pending = vec![(root, 0u64)];
        while let Some((id, depth)) = pending.pop() {
            ours.push((id, depth));
            let children = engine.block.children(id).unwrap();
            pending.extend(children.into_iter().rev().map(|c| (c, depth + 1)));
        }
        if ours.len() != theirs.len() {
            mismatches.push(format!("{name}: {} blocks vs {}", ours.len(), theirs.len()));
            continue;
        }
        for ((id, depth), t) in ours.iter().zip(&theirs) {
            let mut check = |what: &str, ok: bool, detail: String| {
                compared += 1;
                if !ok {
                    mismatches.push(format!("{name} {}: {what} {detail}", t["block"]));
                }
            };
            let ty = engine.block.type_of(*id).unwrap();
            check(
                "type",
                ty == t["type"].as_str().unwrap(),
                format!("{ty} vs {}", t["type"]),
            );
            check(
                "depth",
                *depth == t["depth"].as_u64().unwrap(),
                format!("{depth}"),
            );
            let kind = t["kind"].as_str().unwrap_or_default();
            if matches!(kind, "scene" | "stack") {
                continue;
            }
            let frame = engine.block.frame(*id).unwrap();
            let f = |k: &str| t[k].as_f64().unwrap_or(0.0) as f32;
            let near = |a: f32, b: f32| (a - b).abs() <= 1.0;
            check(
                "width",
                near(frame.width, f("width")),
                format!("{} vs {}", frame.width, f("width")),
            );
            check(
                "height",
                near(frame.height, f("height")),
                format!("{} vs {}", frame.height, f("height")),
            );
            // CE.SDK reports placements in page coordinates (group members included) with
            // the position at the block's rotated top-left corner; Easel keeps members
            // relative to their group: compare the same global placement.
            let mut page = *id;
            while engine.block.type_of(page).unwrap() != "//ly.img.ubq/page" {
                match engine.block.parent(page).unwrap() {
                    Some(p) => page = p,
                    None => break,
                }
            }
            let to_page = engine
                .block
                .frame(page)
                .unwrap()
                .transform
                .invert()
                .unwrap();
            let placed = frame.transform.then(to_page);
            let [a, b, ..] = placed.0;
            let rotation = b.atan2(a);
            let turn = (rotation - f("rotation")).rem_euclid(std::f32::consts::TAU);
            check(
                "rotation",
                !(1e-3..=std::f32::consts::TAU - 1e-3).contains(&turn),
                format!("{rotation}"),
            );
            check(
                "visible",
                Some(engine.block.is_visible(*id).unwrap()) == t["visible"].as_bool(),
                String::new(),
            );
            if let Some(o) = t["opacity"].as_f64() {
                let ours = engine.block.opacity(*id).unwrap();
                check(
                    "opacity",
                    (ours - o as f32).abs() < 1e-3,
                    format!("{ours} vs {o}"),
                );
            }
            if kind == "page" {
                // Pages report their own position (0, 0 in a stack, placed in a free layout).
                let (x, y) = (
                    engine.block.position_x(*id).unwrap(),
                    engine.block.position_y(*id).unwrap(),
                );
                check("x", near(x, f("x")), format!("{x} vs {}", f("x")));
                check("y", near(y, f("y")), format!("{y} vs {}", f("y")));
            } else {
                let (x, y) = placed.apply(0.0, 0.0);
                check("x", near(x, f("x")), format!("{x} vs {}", f("x")));
                check("y", near(y, f("y")), format!("{y} vs {}", f("y")));
            }
            if let Some(c) = t["fill"]["color"].as_object()
                && kind != "text"
            {
                let fill = engine.block.fill(*id).unwrap().unwrap();
                let ours = engine.block.get_color(fill, "fill/color/value").unwrap();
                let want = |k: &str| c[k].as_f64().unwrap() as f32;
                let ok = (ours.r - want("r")).abs() < 1e-3
                    && (ours.g - want("g")).abs() < 1e-3
                    && (ours.b - want("b")).abs() < 1e-3;
                check("fill colour", ok, format!("{ours:?}"));
            }
        }
    }
    println!("{compared} read-backs compared");
    assert!(compared > 300, "{compared}");
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}
