//! Renderer micro-benchmarks, each split into tessellation (`prepare`, cold cache), GPU
//! render + readback (`render_prepared`), and encoding; plus whole exports (render + encode).
//! Scenes: 800×600 with 1,000 and 10,000 generated shapes (every 10th stroked), 800×600
//! with one 400×300 image (the guide's scene), and 1920×1080 and 4000×4000 pages filled by
//! `sample_1.jpg`.
//!
//! `cargo bench -p easel-bench --bench render` (`EASEL_BACKEND=vulkan|gl` picks the backend).

#![allow(clippy::unwrap_used)] // benchmarks fail loudly on setup errors

use criterion::{Criterion, criterion_group, criterion_main};
use easel::render::{
    Color, DisplayItem, DisplayList, ImageHandle, Paint, PathShape, Renderer, Stroke, Transform,
    encode_jpeg, encode_png,
};
use std::hint::black_box;
use std::time::Duration;

fn shapes_scene(n: usize) -> DisplayList {
    let items = easel_bench::shapes(n)
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let path = match s.kind {
                easel_bench::ShapeKind::Rect => PathShape::Rect {
                    width: s.size,
                    height: s.size,
                    radii: [0.0; 4],
                },
                easel_bench::ShapeKind::Ellipse => PathShape::Ellipse {
                    width: s.size,
                    height: s.size,
                },
                easel_bench::ShapeKind::Star => PathShape::Star {
                    width: s.size,
                    height: s.size,
                    points: 5,
                    inner_diameter: 0.5,
                },
            };
            DisplayItem {
                path,
                transform: Transform::translate(s.x, s.y),
                fill: Some(Paint::Solid(Color::new(s.rgb[0], s.rgb[1], s.rgb[2], 1.0))),
                stroke: (i % 10 == 0).then(|| Stroke {
                    width: 2.0,
                    ..Default::default()
                }),
                opacity: 1.0,
                clip: None,
            }
        })
        .collect();
    DisplayList {
        width: 800,
        height: 600,
        background: Color::WHITE,
        items,
        layers: Vec::new(),
    }
}

/// An image drawn cover-fitted into a `w × h` box at (`x`, `y`) on a `cw × ch` white canvas.
fn image_scene(
    image: ImageHandle,
    (cw, ch): (u32, u32),
    (x, y, w, h): (f32, f32, f32, f32),
) -> DisplayList {
    let (iw, ih) = (image.width as f32, image.height as f32);
    let s = (w / iw).max(h / ih);
    let transform =
        Transform::scale(s, s).then(Transform::translate((w - iw * s) / 2.0, (h - ih * s) / 2.0));
    DisplayList {
        width: cw,
        height: ch,
        background: Color::WHITE,
        items: vec![DisplayItem {
            path: PathShape::Rect {
                width: w,
                height: h,
                radii: [0.0; 4],
            },
            transform: Transform::translate(x, y),
            fill: Some(Paint::Image { image, transform }),
            stroke: None,
            opacity: 1.0,
            clip: None,
        }],
        layers: Vec::new(),
    }
}

fn benches(c: &mut Criterion) {
    let renderer = Renderer::new(Default::default()).expect("a GPU or Mesa adapter");
    println!("adapter: {:?}", renderer.adapter());
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../assets/samples/sample_1.jpg"
    );
    let photo = image::open(path).unwrap().to_rgba8();
    let handle = renderer.add_image(&photo).unwrap();
    let scenes = [
        ("800x600 1k shapes", shapes_scene(1_000)),
        ("800x600 10k shapes", shapes_scene(10_000)),
        (
            "800x600 image 400x300",
            image_scene(handle, (800, 600), (200.0, 150.0, 400.0, 300.0)),
        ),
        (
            "1920x1080 image",
            image_scene(handle, (1920, 1080), (0.0, 0.0, 1920.0, 1080.0)),
        ),
        (
            "4000x4000 image",
            image_scene(handle, (4000, 4000), (0.0, 0.0, 4000.0, 4000.0)),
        ),
    ];
    let mut group = c.benchmark_group("render");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(4))
        .warm_up_time(Duration::from_secs(1));
    for (name, list) in &scenes {
        group.bench_function(format!("{name}/tessellate"), |b| {
            b.iter(|| {
                renderer.clear_tessellation_cache();
                black_box(renderer.prepare(list).unwrap())
            })
        });
        let frame = renderer.prepare(list).unwrap();
        group.bench_function(format!("{name}/render+readback"), |b| {
            b.iter(|| black_box(renderer.render_prepared(&frame).unwrap()))
        });
        let pixels = renderer.render(list).unwrap();
        group.bench_function(format!("{name}/encode png"), |b| {
            b.iter(|| black_box(encode_png(&pixels, 1).unwrap()))
        });
        group.bench_function(format!("{name}/encode jpeg q90"), |b| {
            b.iter(|| black_box(encode_jpeg(&pixels, 90).unwrap()))
        });
        group.bench_function(format!("{name}/export png (warm)"), |b| {
            b.iter(|| black_box(encode_png(&renderer.render(list).unwrap(), 1).unwrap()))
        });
    }
    group.finish();
}

criterion_group!(render, benches);
criterion_main!(render);
