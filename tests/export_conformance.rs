//! Rebuilds every render case the reference engine recorded (`tests/conformance/render/`)
//! through Easel's API and compares each export with the reference PNG, the reference's
//! evaluation watermark masked out: PSNR ≥ 35 dB for every case.

use crate::support::{self, load_png, psnr_masked};
use easel::{
    Backend, BlendMode, BlockId, Color, ContentFillMode, Engine, EngineConfig, ExportOptions,
    GradientStop, RendererOptions, SceneLayout, StrokePosition,
};
use serde_json::Value;
use std::collections::HashMap;

fn dir() -> std::path::PathBuf {
    support::repo().join("tests/conformance/render")
}

/// The watermark: every non-white pixel of the blank 800×600 export. It is drawn at 89% of
/// the output width, centred, so it scales with the output; mapped into an export's pixels
/// it is dilated by `DILATE` output pixels: its glyphs are hinted differently at small sizes,
/// so the scaled 800-pixel outline misses their rims by a pixel or two.
const DILATE: f32 = 4.0;

pub(crate) struct Watermark {
    points: Vec<(f32, f32)>,
}

impl Watermark {
    pub(crate) fn load() -> Watermark {
        let blank = load_png(&dir().join("png/blank-800x600.png"));
        let points = blank
            .enumerate_pixels()
            .filter(|(_, _, p)| p[0] < 250 || p[1] < 250 || p[2] < 250)
            .map(|(x, y, _)| (x as f32 + 0.5, y as f32 + 0.5))
            .collect();
        Watermark { points }
    }

    /// The mask for a `w × h` export: true where the watermark may differ.
    pub(crate) fn mask(&self, w: u32, h: u32) -> Vec<bool> {
        let s = w as f32 / 800.0;
        let mut mask = vec![false; (w * h) as usize];
        for (mx, my) in &self.points {
            let (x, y) = (mx * s, (my - 300.0) * s + h as f32 / 2.0);
            for oy in (y - DILATE).floor() as i32..=(y + DILATE).ceil() as i32 {
                for ox in (x - DILATE).floor() as i32..=(x + DILATE).ceil() as i32 {
                    if (0..w as i32).contains(&ox) && (0..h as i32).contains(&oy) {
                        mask[(oy as u32 * w + ox as u32) as usize] = true;
                    }
                }
            }
        }
        mask
    }
}

pub(crate) fn premultiplied(image: &image::RgbaImage) -> image::RgbaImage {
    let mut out = image.clone();
    for p in out.pixels_mut() {
        let a = p[3] as u32;
        for c in 0..3 {
            p[c] = ((p[c] as u32 * a + 127) / 255) as u8;
        }
    }
    out
}

/// A recorded `{r, g, b, a}` colour.
pub(crate) fn color(v: &Value) -> Color {
    let c = |k: &str| v[k].as_f64().unwrap() as f32;
    Color::rgba(c("r"), c("g"), c("b"), c("a"))
}

#[test]
fn reference_render_cases_match_within_35_db() {
    for backend in support::backends() {
        replay_on(backend);
    }
}

/// The recorded case files: `render.json` (shapes, fills, strokes, images, pages),
/// `layers.json` (group opacity, the 27 blend modes, nested groups, graphics in graphics),
/// `shapes.json` (polygon orientation by side count, lines drawn as their stroke) and
/// `crop.json` (an image's crop rotation and scale ratio, under Cover and in Crop mode).
const CASE_FILES: [&str; 4] = ["render.json", "layers.json", "shapes.json", "crop.json"];

fn replay_on(backend: Backend) {
    let cases: Vec<Value> = CASE_FILES
        .iter()
        .flat_map(|file| {
            let v: Value =
                serde_json::from_str(&std::fs::read_to_string(dir().join(file)).unwrap()).unwrap();
            v["cases"].as_array().unwrap().clone()
        })
        .collect();
    let samples = support::repo()
        .join("assets/samples")
        .canonicalize()
        .unwrap()
        .display()
        .to_string();
    let watermark = Watermark::load();
    let mut report = Vec::new();
    for case in &cases {
        let engine = Engine::new(EngineConfig {
            renderer: RendererOptions {
                backend: Some(backend),
                ..Default::default()
            },
            ..Default::default()
        });
        let mut vars: HashMap<String, BlockId> = HashMap::new();
        for op in case["ops"].as_array().unwrap() {
            let (name, args, alias) = match op {
                Value::Array(a) => (a[0].as_str().unwrap(), a[1..].to_vec(), None),
                Value::Object(o) => (
                    o["op"].as_str().unwrap(),
                    o["args"].as_array().cloned().unwrap_or_default(),
                    o.get("as").and_then(Value::as_str),
                ),
                _ => unreachable!(),
            };
            let b = |i: usize| vars[args[i].as_str().unwrap()];
            let f = |i: usize| args[i].as_f64().unwrap() as f32;
            let s = |i: usize| args[i].as_str().unwrap().replace("{{SAMPLES}}", &samples);
            let result: Option<BlockId> = match name {
                "sceneCreate" => {
                    let layout = SceneLayout::parse(args[0].as_str().unwrap()).unwrap();
                    let size = (args.len() > 2).then(|| (f(1), f(2)));
                    let created = engine.scene.create(layout, size).unwrap();
                    vars.insert("$scene".into(), created.scene);
                    // The reference engine makes no page when no size is given; neither
                    // does Easel.
                    assert_eq!(created.page.is_some(), size.is_some());
                    if let Some(page) = created.page {
                        vars.insert("$page".into(), page);
                    }
                    None
                }
                "findByType" => {
                    let found = engine
                        .block
                        .find_by_type(args[0].as_str().unwrap())
                        .unwrap();
                    if let Some(a) = alias {
                        for (i, id) in found.iter().enumerate() {
                            vars.insert(format!("{a}.{i}"), *id);
                        }
                    }
                    None
                }
                "getFill" => engine.block.fill(b(0)).unwrap(),
                "blockCreate" => Some(engine.block.create(args[0].as_str().unwrap()).unwrap()),
                "createShape" => Some(
                    engine
                        .block
                        .create_shape(args[0].as_str().unwrap())
                        .unwrap(),
                ),
                "createFill" => Some(engine.block.create_fill(args[0].as_str().unwrap()).unwrap()),
                "setShape" => engine.block.set_shape(b(0), b(1)).map(|_| None).unwrap(),
                "setFill" => engine.block.set_fill(b(0), b(1)).map(|_| None).unwrap(),
                "setString" => engine
                    .block
                    .set_string(b(0), args[1].as_str().unwrap(), &s(2))
                    .map(|_| None)
                    .unwrap(),
                "setEnum" => engine
                    .block
                    .set_enum(b(0), args[1].as_str().unwrap(), args[2].as_str().unwrap())
                    .map(|_| None)
                    .unwrap(),
                "setFloat" => engine
                    .block
                    .set_float(b(0), args[1].as_str().unwrap(), f(2))
                    .map(|_| None)
                    .unwrap(),
                "setColor" => engine
                    .block
                    .set_color(b(0), args[1].as_str().unwrap(), color(&args[2]))
                    .map(|_| None)
                    .unwrap(),
                "setBool" => engine
                    .block
                    .set_bool(b(0), args[1].as_str().unwrap(), args[2].as_bool().unwrap())
                    .map(|_| None)
                    .unwrap(),
                "setInt" => engine
                    .block
                    .set_int(
                        b(0),
                        args[1].as_str().unwrap(),
                        args[2].as_i64().unwrap() as i32,
                    )
                    .map(|_| None)
                    .unwrap(),
                "setWidth" => engine.block.set_width(b(0), f(1)).map(|_| None).unwrap(),
                "setHeight" => engine.block.set_height(b(0), f(1)).map(|_| None).unwrap(),
                "setPositionX" => engine
                    .block
                    .set_position_x(b(0), f(1))
                    .map(|_| None)
                    .unwrap(),
                "setPositionY" => engine
                    .block
                    .set_position_y(b(0), f(1))
                    .map(|_| None)
                    .unwrap(),
                "appendChild" => engine.block.append_child(b(0), b(1)).map(|_| None).unwrap(),
                "group" => {
                    let ids: Vec<BlockId> = args[0]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|v| vars[v.as_str().unwrap()])
                        .collect();
                    Some(engine.block.group(&ids).unwrap())
                }
                "setOpacity" => engine.block.set_opacity(b(0), f(1)).map(|_| None).unwrap(),
                "setBlendMode" => {
                    let mode = BlendMode::parse(args[1].as_str().unwrap()).unwrap();
                    engine
                        .block
                        .set_blend_mode(b(0), mode)
                        .map(|_| None)
                        .unwrap()
                }
                "block.setContentFillMode" => engine
                    .block
                    .set_content_fill_mode(
                        b(0),
                        ContentFillMode::parse(args[1].as_str().unwrap()).unwrap(),
                    )
                    .map(|_| None)
                    .unwrap(),
                "block.setStrokeEnabled" => engine
                    .block
                    .set_stroke_enabled(b(0), args[1].as_bool().unwrap())
                    .map(|_| None)
                    .unwrap(),
                "block.setStrokeWidth" => engine
                    .block
                    .set_stroke_width(b(0), f(1))
                    .map(|_| None)
                    .unwrap(),
                "block.setStrokeColor" => engine
                    .block
                    .set_stroke_color(b(0), color(&args[1]))
                    .map(|_| None)
                    .unwrap(),
                "block.setStrokePosition" => engine
                    .block
                    .set_stroke_position(
                        b(0),
                        StrokePosition::parse(args[1].as_str().unwrap()).unwrap(),
                    )
                    .map(|_| None)
                    .unwrap(),
                "block.setGradientColorStops" => {
                    let stops: Vec<GradientStop> = args[2]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|s| GradientStop {
                            color: color(&s["color"]),
                            stop: s["stop"].as_f64().unwrap() as f32,
                        })
                        .collect();
                    engine
                        .block
                        .set_gradient_color_stops(b(0), &stops)
                        .map(|_| None)
                        .unwrap()
                }
                "exportPng" => {
                    let o = &args[1];
                    let options = ExportOptions {
                        target_width: o
                            .get("targetWidth")
                            .and_then(Value::as_f64)
                            .map(|v| v as f32),
                        target_height: o
                            .get("targetHeight")
                            .and_then(Value::as_f64)
                            .map(|v| v as f32),
                        ..Default::default()
                    };
                    let file = args[2].as_str().unwrap();
                    let png = engine
                        .block
                        .export(b(0), &options)
                        .unwrap_or_else(|e| panic!("{file}: {e}"));
                    let ours = image::load_from_memory(&png).unwrap().to_rgba8();
                    let theirs = load_png(&dir().join(format!("png/{file}.png")));
                    assert_eq!(ours.dimensions(), theirs.dimensions(), "{file}: size");
                    let (w, h) = ours.dimensions();
                    let mask = watermark.mask(w, h);
                    // Compared premultiplied: the colour of an invisible pixel does not count.
                    let score =
                        psnr_masked(&premultiplied(&ours), &premultiplied(&theirs), |x, y| {
                            !mask[(y * w + x) as usize]
                        });
                    if score < 35.0 {
                        let dir = support::failure_dir();
                        support::save(&ours, &dir.join(format!("{file}.actual.png")));
                        support::save(
                            &support::diff_image(&ours, &theirs),
                            &dir.join(format!("{file}.diff.png")),
                        );
                    }
                    report.push((file.to_string(), score));
                    None
                }
                // Inspection ops of the recorded run; nothing to rebuild.
                _ => None,
            };
            if let (Some(a), Some(id)) = (alias, result) {
                vars.insert(a.to_string(), id);
            }
        }
    }
    for (file, score) in &report {
        println!("{backend:?} {file:32} {score:6.1} dB");
    }
    assert_eq!(report.len(), 26, "every reference PNG compared");
    let failing: Vec<_> = report.iter().filter(|(_, s)| *s < 35.0).collect();
    assert!(failing.is_empty(), "{backend:?}: below 35 dB: {failing:?}");
}
