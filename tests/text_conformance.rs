//! Replays every text case the reference engine recorded (`tests/conformance/text/`) through
//! Easel's API with the same Noto fonts, and compares with what the reference returned:
//! frame sizes within 1 px, baselines within 1 px, visible line counts and
//! `hasClippedLines` equal, the automatic font size within 0.5 pt, and each export
//! ≥ 30 dB PSNR against the reference PNG with its watermark masked out, on every backend.
//! Prints one line per case (the figures in `docs/fidelity.md`).

use crate::export_conformance::color;
use crate::support::{self, load_png, psnr_masked};
use easel::{
    Backend, BlockId, Color, Engine, EngineConfig, ExportOptions, FontStyle, FontWeight,
    RendererOptions, SceneLayout, Typeface,
};
use serde_json::Value;
use std::collections::HashMap;

fn dir() -> std::path::PathBuf {
    support::repo().join("tests/conformance/text")
}

fn fonts_uri() -> String {
    let fonts = support::repo()
        .join("crates/easel-text/fonts")
        .canonicalize()
        .unwrap();
    format!("file://{}", fonts.display())
}

/// The watermark mask of an 800×600 export: pixels where the reference's blank exports are
/// not white, grown by a few pixels for its anti-aliased rim.
fn watermark_mask() -> Vec<bool> {
    let blank = load_png(&support::repo().join("tests/conformance/render/png/blank-800x600.png"));
    let (w, h) = blank.dimensions();
    let mut mask = vec![false; (w * h) as usize];
    const GROW: i32 = 3;
    for (x, y, p) in blank.enumerate_pixels() {
        if p[0] < 250 || p[1] < 250 || p[2] < 250 {
            for dy in -GROW..=GROW {
                for dx in -GROW..=GROW {
                    let (nx, ny) = (x as i32 + dx, y as i32 + dy);
                    if (0..w as i32).contains(&nx) && (0..h as i32).contains(&ny) {
                        mask[(ny as u32 * w + nx as u32) as usize] = true;
                    }
                }
            }
        }
    }
    mask
}

/// One case's comparison figures.
#[derive(Debug, Default)]
struct Figures {
    checks: usize,
    failures: Vec<String>,
    worst_frame: f32,
    worst_baseline: f32,
    psnr: Option<f64>,
}

impl Figures {
    fn check(&mut self, ok: bool, what: impl FnOnce() -> String) {
        self.checks += 1;
        if !ok {
            self.failures.push(what());
        }
    }
}

fn typeface(v: &Value, fonts: &str) -> Typeface {
    let v: Value = serde_json::from_str(&v.to_string().replace("{{FONTS}}", fonts)).unwrap();
    serde_json::from_value(v).unwrap()
}

fn range(args: &[Value], i: usize) -> Option<(u32, u32)> {
    match (
        args.get(i).and_then(Value::as_u64),
        args.get(i + 1).and_then(Value::as_u64),
    ) {
        (Some(a), Some(b)) => Some((a as u32, b as u32)),
        _ => None,
    }
}

/// The PSNR every export must reach.
const MIN_PSNR: f64 = 30.0;

fn replay(case: &Value, expected: &Value, backend: Backend, mask: &[bool]) -> Figures {
    let fonts = fonts_uri();
    let engine = Engine::new(EngineConfig {
        renderer: RendererOptions {
            backend: Some(backend),
            ..Default::default()
        },
        ..Default::default()
    });
    let mut vars: HashMap<String, BlockId> = HashMap::new();
    let mut fig = Figures::default();
    let name = case["name"].as_str().unwrap();
    for (i, op) in case["ops"].as_array().unwrap().iter().enumerate() {
        let (op_name, args, alias) = match op {
            Value::Array(a) => (a[0].as_str().unwrap(), a[1..].to_vec(), None),
            Value::Object(o) => (
                o["op"].as_str().unwrap(),
                o["args"].as_array().cloned().unwrap_or_default(),
                o.get("as").and_then(Value::as_str),
            ),
            _ => unreachable!(),
        };
        let want = &expected["ops"][i]["result"];
        let b = |i: usize| vars[args[i].as_str().unwrap()];
        let f = |i: usize| args[i].as_f64().unwrap() as f32;
        let s = |i: usize| args[i].as_str().unwrap().replace("{{FONTS}}", &fonts);
        let mut result: Option<BlockId> = None;
        let e = &engine.block;
        match op_name {
            "sceneCreate" => {
                let layout = SceneLayout::parse(args[0].as_str().unwrap()).unwrap();
                let created = engine.scene.create(layout, Some((f(1), f(2)))).unwrap();
                vars.insert("$scene".into(), created.scene);
                vars.insert("$page".into(), created.page().unwrap());
            }
            "blockCreate" => result = Some(e.create(args[0].as_str().unwrap()).unwrap()),
            "createShape" => result = Some(e.create_shape(args[0].as_str().unwrap()).unwrap()),
            "createFill" => result = Some(e.create_fill(args[0].as_str().unwrap()).unwrap()),
            "getFill" => result = e.fill(b(0)).unwrap(),
            "setShape" => drop(e.set_shape(b(0), b(1)).unwrap()),
            "setFill" => drop(e.set_fill(b(0), b(1)).unwrap()),
            "setColor" => e
                .set_color(b(0), args[1].as_str().unwrap(), color(&args[2]))
                .unwrap(),
            "replaceText" => e.replace_text(b(0), &s(1), range(&args, 2)).unwrap(),
            "setFont" => e
                .set_font(b(0), &s(1), &typeface(&args[2], &fonts))
                .unwrap(),
            "setTextFontSize" => e.set_text_font_size(b(0), f(1), range(&args, 2)).unwrap(),
            "setTextColor" => e
                .set_text_color(b(0), color(&args[1]), range(&args, 2))
                .unwrap(),
            "setTextFontWeight" => e
                .set_text_font_weight(
                    b(0),
                    FontWeight::parse(args[1].as_str().unwrap()).unwrap(),
                    range(&args, 2),
                )
                .unwrap(),
            "setTextFontStyle" => e
                .set_text_font_style(
                    b(0),
                    FontStyle::parse(args[1].as_str().unwrap()).unwrap(),
                    range(&args, 2),
                )
                .unwrap(),
            "setPositionX" => e.set_position_x(b(0), f(1)).unwrap(),
            "setPositionY" => e.set_position_y(b(0), f(1)).unwrap(),
            "setWidth" => e.set_width(b(0), f(1)).unwrap(),
            "setHeight" => e.set_height(b(0), f(1)).unwrap(),
            "setWidthMode" => e.set_width_mode(b(0), args[1].as_str().unwrap()).unwrap(),
            "setHeightMode" => e.set_height_mode(b(0), args[1].as_str().unwrap()).unwrap(),
            "setEnum" => e
                .set_enum(b(0), args[1].as_str().unwrap(), args[2].as_str().unwrap())
                .unwrap(),
            "setFloat" => e.set_float(b(0), args[1].as_str().unwrap(), f(2)).unwrap(),
            "setBool" => e
                .set_bool(b(0), args[1].as_str().unwrap(), args[2].as_bool().unwrap())
                .unwrap(),
            "setOpacity" => e.set_opacity(b(0), f(1)).unwrap(),
            "appendChild" => e.append_child(b(0), b(1)).unwrap(),
            "setSetting" => {
                // `fallbackFontUri`; CE.SDK's own asset folder maps to Easel's fallback set.
                let uri = s(0);
                if !uri.contains("{{CESDK_ASSETS_HTTP}}") {
                    engine
                        .editor
                        .update_settings(|st| st.fallback_font_uri = Some(uri));
                }
            }
            "getFrameWidth" | "getFrameHeight" => {
                let frame = e.frame(b(0)).unwrap();
                let got = if op_name == "getFrameWidth" {
                    frame.width
                } else {
                    frame.height
                };
                let w = want.as_f64().unwrap() as f32;
                fig.check((got - w).abs() <= 1.0, || {
                    format!("op {i} {op_name}: {got} vs {w}")
                });
            }
            "getTextVisibleLineCount" => {
                let got = e.text_visible_line_count(b(0)).unwrap();
                let w = want.as_u64().unwrap() as usize;
                fig.check(got == w, || format!("op {i} visible lines: {got} vs {w}"));
            }
            "getBool" => {
                e.frame(b(0)).unwrap();
                let got = e.get_bool(b(0), args[1].as_str().unwrap()).unwrap();
                fig.check(Some(got) == want.as_bool(), || {
                    format!("op {i} getBool: {got} vs {want}")
                });
            }
            "getTextFontSizes" if args.len() == 1 || args[1].is_number() => {
                let got = e.get_text_font_sizes(b(0), range(&args, 1)).unwrap();
                let w: Vec<f32> = serde_json::from_value(want.clone()).unwrap();
                fig.check(got == w, || format!("op {i} font sizes: {got:?} vs {w:?}"));
            }
            "getTextColors" => {
                let got = e.get_text_colors(b(0), range(&args, 1)).unwrap();
                let w: Vec<Color> = want.as_array().unwrap().iter().map(color).collect();
                fig.check(got == w, || format!("op {i} colours: {got:?} vs {w:?}"));
            }
            "getTextFontWeights" => {
                let got: Vec<&str> = e
                    .get_text_font_weights(b(0), range(&args, 1))
                    .unwrap()
                    .iter()
                    .map(|w| w.as_str())
                    .collect();
                fig.check(*want == serde_json::json!(got), || {
                    format!("op {i} weights: {got:?} vs {want}")
                });
            }
            "getTextFontStyles" => {
                let got: Vec<&str> = e
                    .get_text_font_styles(b(0), range(&args, 1))
                    .unwrap()
                    .iter()
                    .map(|w| w.as_str())
                    .collect();
                fig.check(*want == serde_json::json!(got), || {
                    format!("op {i} styles: {got:?} vs {want}")
                });
            }
            "getTextEffectiveHorizontalAlignment" => {
                let got = e.text_effective_horizontal_alignment(b(0)).unwrap();
                fig.check(want.as_str() == Some(got.as_str()), || {
                    format!("op {i} alignment: {got} vs {want}")
                });
            }
            "block.canToggleBoldFont" | "block.canToggleItalicFont" => {
                let got = if op_name.ends_with("BoldFont") {
                    e.can_toggle_bold_font(b(0)).unwrap()
                } else {
                    e.can_toggle_italic_font(b(0)).unwrap()
                };
                fig.check(Some(got) == want.as_bool(), || {
                    format!("op {i} {op_name}: {got}")
                });
            }
            "textInfo" => text_info(&engine, b(0), want, i, &mut fig),
            "exportPng" => {
                let png = e.export(b(0), &ExportOptions::default()).unwrap();
                let ours = image::load_from_memory(&png).unwrap().to_rgba8();
                let file = args[2].as_str().unwrap();
                let theirs = load_png(&dir().join(format!("png/{file}.png")));
                let (w, h) = ours.dimensions();
                assert_eq!((w, h), theirs.dimensions(), "{name}: size");
                let score = psnr_masked(&ours, &theirs, |x, y| !mask[(y * w + x) as usize]);
                if score < MIN_PSNR {
                    let dir = support::failure_dir();
                    support::save(&ours, &dir.join(format!("text-{file}.actual.png")));
                    support::save(
                        &support::diff_image(&ours, &theirs),
                        &dir.join(format!("text-{file}.diff.png")),
                    );
                }
                fig.psnr = Some(score);
                fig.check(score >= MIN_PSNR, || format!("export {score:.1} dB"));
            }
            // Reads the harness has no counterpart for; nothing to compare.
            _ => {}
        }
        if let (Some(a), Some(id)) = (alias, result) {
            vars.insert(a.to_string(), id);
        }
    }
    fig
}

fn text_info(engine: &Engine, id: BlockId, want: &Value, op: usize, fig: &mut Figures) {
    let frame = engine.block.frame(id).unwrap();
    let f: Vec<f32> = serde_json::from_value(want["frame"].clone()).unwrap();
    let got = [frame.bounds_x, frame.bounds_y, frame.width, frame.height];
    let worst = got
        .iter()
        .zip(&f)
        .map(|(a, b)| (a - b).abs())
        .fold(0.0, f32::max);
    fig.worst_frame = fig.worst_frame.max(worst);
    fig.check(worst <= 1.0, || format!("op {op} frame {got:?} vs {f:?}"));
    let lines = engine.block.text_lines(id).unwrap();
    let visible = lines.iter().filter(|l| l.visible).count();
    let want_visible = want["visibleLineCount"].as_u64().unwrap() as usize;
    fig.check(visible == want_visible, || {
        format!("op {op} visible lines {visible} vs {want_visible}")
    });
    let clipped = engine.block.get_bool(id, "text/hasClippedLines").unwrap();
    fig.check(Some(clipped) == want["hasClippedLines"].as_bool(), || {
        format!("op {op} hasClippedLines {clipped}")
    });
    // The reference lists a baseline per line that has ink; empty lines have none.
    let ours: Vec<f32> = lines
        .iter()
        .filter(|l| !l.content.trim().is_empty())
        .map(|l| l.baseline + frame.bounds_y)
        .collect();
    let theirs: Vec<f32> = serde_json::from_value(want["baselines"].clone()).unwrap();
    for (a, b) in ours.iter().zip(&theirs) {
        fig.worst_baseline = fig.worst_baseline.max((a - b).abs());
    }
    let baselines_ok = ours.len() >= theirs.len().min(1)
        && ours.iter().zip(&theirs).all(|(a, b)| (a - b).abs() <= 1.0);
    fig.check(baselines_ok, || {
        format!("op {op} baselines {ours:?} vs {theirs:?}")
    });
    let auto = &want["automaticFontSize"];
    if auto[0].as_bool() == Some(true) && !theirs.is_empty() {
        // The reference's first baseline gives the size it chose: ascent (1.069 em for
        // Noto Sans) below the top of a top-aligned frame.
        let size = engine.block.text_drawn_font_size(id).unwrap();
        let theirs_pt = (theirs[0] - f[1]) / 1.069 / (300.0 / 72.0);
        fig.check((size - theirs_pt).abs() <= 0.5, || {
            format!("op {op} automatic font size {size} vs {theirs_pt}")
        });
    }
}

fn cases() -> (Value, Value) {
    let read = |f: &str| -> Value {
        serde_json::from_str(&std::fs::read_to_string(dir().join(f)).unwrap()).unwrap()
    };
    (read("text.json"), read("text.expected.json"))
}

#[test]
fn reference_text_cases_lay_out_and_render_alike() {
    let (cases, expected) = cases();
    let mask = watermark_mask();
    for backend in support::backends() {
        let mut failures = Vec::new();
        for (case, want) in cases["cases"]
            .as_array()
            .unwrap()
            .iter()
            .zip(expected["cases"].as_array().unwrap())
        {
            let name = case["name"].as_str().unwrap();
            let fig = replay(case, want, backend, &mask);
            println!(
                "{backend:?} {name:30} {:>5.1} dB  frame ±{:.2} px  baseline ±{:.2} px  {}/{} checks",
                fig.psnr.unwrap_or(f64::NAN),
                fig.worst_frame,
                fig.worst_baseline,
                fig.checks - fig.failures.len(),
                fig.checks
            );
            for f in &fig.failures {
                failures.push(format!("{backend:?} {name}: {f}"));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }
}
