//! The golden suite: every `tests/golden/<name>.json` (a display list and the images it
//! uses) rendered on every backend and compared with `<name>.png` at the tolerance in
//! `support` — one generated `#[test]` per case, as resvg's reference suite does. Set
//! `EASEL_UPDATE_GOLDENS=1` to write the references anew; failures write the actual image
//! and a diff next to `target/test-failures/`. Then exactness and agreement checks that no
//! single image shows.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

mod support;

use easel_render::{
    Color, DisplayItem, DisplayList, PathShape, Renderer, RendererOptions, RgbaImage, Transform,
};
use support::{assert_matches_golden, backends, load_case, psnr, renderer};

include!(concat!(env!("OUT_DIR"), "/golden_cases.rs"));

fn golden_case(name: &str) {
    for backend in backends() {
        let r = renderer(backend);
        let list = load_case(&r, name);
        let image = r.render(&list).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(image.dimensions(), (list.width, list.height), "{name}");
        assert_matches_golden(name, &image, backend);
    }
}

/// Every backend draws every case within 40 dB of every other backend: the CPU backend
/// (analytic coverage) and the GPU ones (MSAA) are interchangeable.
#[test]
fn backends_agree_on_every_case() {
    let list = backends();
    let mut worst = (f64::INFINITY, "", String::new());
    for name in GOLDEN_CASES {
        let images: Vec<(easel_render::Backend, RgbaImage)> = list
            .iter()
            .map(|b| {
                let r = renderer(*b);
                (*b, r.render(&load_case(&r, name)).unwrap())
            })
            .collect();
        for (i, (a, ia)) in images.iter().enumerate() {
            for (b, ib) in &images[i + 1..] {
                let score = psnr(ia, ib);
                if score < worst.0 {
                    worst = (score, name, format!("{a:?} vs {b:?}"));
                }
            }
        }
    }
    println!(
        "lowest agreement: {:.1} dB ({}, {})",
        worst.0, worst.1, worst.2
    );
    assert!(
        worst.0 >= 40.0,
        "{}: {} agree to {:.1} dB only",
        worst.1,
        worst.2,
        worst.0
    );
}

#[test]
fn the_suite_covers_every_feature() {
    // Shapes, paints, strokes, opacity, rotation, clipping, images and canvas edge cases.
    assert!(GOLDEN_CASES.len() >= 30, "{} cases", GOLDEN_CASES.len());
}

fn rect(w: f32, h: f32) -> PathShape {
    PathShape::Rect {
        width: w,
        height: h,
        radii: [0.0; 4],
    }
}

fn list(w: u32, h: u32, items: Vec<DisplayItem>) -> DisplayList {
    DisplayList {
        width: w,
        height: h,
        background: Color::WHITE,
        items,
        layers: Vec::new(),
    }
}

fn at(x: f32, y: f32) -> Transform {
    Transform::translate(x, y)
}

#[test]
fn solid_rect_pixels_are_exact() {
    // CPU reference: an axis-aligned rect on whole pixels covers exactly its pixels.
    for backend in backends() {
        let r = renderer(backend);
        let image = r
            .render(&list(
                20,
                10,
                vec![DisplayItem::filled(
                    rect(8.0, 4.0),
                    at(6.0, 3.0),
                    Color::new(1.0, 0.0, 0.0, 1.0),
                )],
            ))
            .unwrap();
        for (x, y, p) in image.enumerate_pixels() {
            let inside = (6..14).contains(&x) && (3..7).contains(&y);
            let want = if inside {
                [255, 0, 0, 255]
            } else {
                [255, 255, 255, 255]
            };
            assert_eq!(p.0, want, "{backend:?} pixel ({x},{y})");
        }
        // Half-transparent blue over white, exactly.
        let image = r
            .render(&list(
                4,
                4,
                vec![DisplayItem::filled(
                    rect(4.0, 4.0),
                    Transform::IDENTITY,
                    Color::new(0.0, 0.0, 1.0, 0.5),
                )],
            ))
            .unwrap();
        let p = image.get_pixel(1, 1).0;
        assert!(
            p.iter()
                .zip([127, 127, 255, 255])
                .all(|(a, b)| (*a as i32 - b).abs() <= 1),
            "{backend:?} {p:?}"
        );
    }
}

/// Coverage summed over the canvas: black ink on white.
fn ink(image: &RgbaImage) -> f64 {
    image.pixels().map(|p| (255.0 - p[0] as f64) / 255.0).sum()
}

#[test]
fn coverage_matches_analytic_area_and_edges_are_antialiased() {
    for backend in backends() {
        let r = renderer(backend);
        // A 45° rotated 40×40 square: area 1600.
        let rotated = list(
            80,
            80,
            vec![DisplayItem::filled(
                rect(40.0, 40.0),
                Transform::translate(-20.0, -20.0)
                    .then(Transform::rotate(std::f32::consts::FRAC_PI_4))
                    .then(at(40.0, 40.0)),
                Color::BLACK,
            )],
        );
        let image = r.render(&rotated).unwrap();
        let area = ink(&image);
        assert!(
            (area - 1600.0).abs() < 16.0,
            "{backend:?}: rotated square covers {area}"
        );
        let partial = image.pixels().filter(|p| p[0] > 10 && p[0] < 245).count();
        assert!(
            partial > 80,
            "{backend:?}: only {partial} antialiased edge pixels"
        );
        // An ellipse 60×30: area π·30·15.
        let ellipse = list(
            80,
            40,
            vec![DisplayItem::filled(
                PathShape::Ellipse {
                    width: 60.0,
                    height: 30.0,
                },
                at(10.0, 5.0),
                Color::BLACK,
            )],
        );
        let area = ink(&r.render(&ellipse).unwrap());
        let want = std::f64::consts::PI * 30.0 * 15.0;
        assert!(
            (area - want).abs() / want < 0.01,
            "{backend:?}: ellipse covers {area}, want {want}"
        );
    }
}

#[test]
fn backends_agree_with_each_other() {
    let images: Vec<RgbaImage> = backends()
        .into_iter()
        .map(|b| {
            let r = renderer(b);
            r.render(&load_case(&r, "many_overlapping")).unwrap()
        })
        .collect();
    for pair in images.windows(2) {
        let score = psnr(&pair[0], &pair[1]);
        assert!(score >= 40.0, "backends differ: PSNR {score:.1} dB");
    }
}

#[test]
fn tiles_join_without_seams() {
    let backend = backends()[0];
    let tiled = Renderer::new(RendererOptions {
        backend: Some(backend),
        max_tile_size: 64,
        ..Default::default()
    })
    .unwrap();
    let r = renderer(backend);
    let name = "opacity_group_fill_and_stroke";
    let list = load_case(&r, name);
    let mut big = list.clone();
    big.width = 150;
    big.height = 140;
    for it in &mut big.items {
        it.transform = it.transform.then(Transform::scale(2.2, 2.2));
    }
    let whole = r.render(&big).unwrap();
    let pieces = tiled.render(&big).unwrap();
    let score = psnr(&whole, &pieces);
    assert!(
        score >= 45.0,
        "{name}: tiled render differs, PSNR {score:.1} dB"
    );
}
