//! Golden-image tests of the renderer: small scenes covering every shape, paint, stroke
//! option, opacity, rotation, clipping, images and canvas edge cases, rendered on every
//! available backend and compared with `tests/golden/*.png` (tolerance in `support`).

use crate::support::{self, assert_matches_golden, backends, renderer};
use easel::render::{
    Clip, Color, DisplayItem, DisplayList, FillRule, GradientStop, ImageHandle, LineCap, LineJoin,
    Paint, PathShape, Renderer, RgbaImage, Stroke, StrokePosition, Transform,
};

const RED: Color = Color::new(0.9, 0.1, 0.1, 1.0);
const BLUE: Color = Color::new(0.1, 0.3, 0.9, 1.0);
const GREEN: Color = Color::new(0.1, 0.7, 0.2, 1.0);

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
    }
}

fn at(x: f32, y: f32) -> Transform {
    Transform::translate(x, y)
}

fn item(
    path: PathShape,
    t: Transform,
    fill: Option<Paint>,
    stroke: Option<Stroke>,
    opacity: f32,
) -> DisplayItem {
    DisplayItem {
        path,
        transform: t,
        fill,
        stroke,
        opacity,
        clip: None,
    }
}

fn stroke(width: f32, color: Color) -> Stroke {
    Stroke {
        width,
        color,
        ..Default::default()
    }
}

fn stops(colors: &[(f32, Color)]) -> Vec<GradientStop> {
    colors
        .iter()
        .map(|(o, c)| GradientStop {
            stop: *o,
            color: *c,
        })
        .collect()
}

/// A 64×48 test image: a colour ramp with a black/white checker block, so scaling,
/// placement and orientation are all visible.
fn test_image() -> RgbaImage {
    RgbaImage::from_fn(64, 48, |x, y| {
        if x < 16 && y < 16 {
            let v = if (x / 4 + y / 4) % 2 == 0 { 0 } else { 255 };
            image::Rgba([v, v, v, 255])
        } else {
            image::Rgba([(x * 4) as u8, (y * 5) as u8, 160, 255])
        }
    })
}

fn sample_photo() -> RgbaImage {
    support::load_image(&support::repo().join("assets/samples/sample_1.jpg"))
}

fn image_paint(handle: ImageHandle, x: f32, y: f32, w: f32, h: f32) -> Paint {
    Paint::Image {
        image: handle,
        transform: Transform::scale(w / handle.width as f32, h / handle.height as f32)
            .then(Transform::translate(x, y)),
    }
}

/// Deterministic pseudo-random numbers (mulberry32).
fn prng(seed: u32) -> impl FnMut() -> f32 {
    let mut a = seed;
    move || {
        a = a.wrapping_add(0x6D2B_79F5);
        let mut t = a;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        (t ^ (t >> 14)) as f32 / 4_294_967_296.0
    }
}

/// Every scene, by name. Images are uploaded to `r` as needed.
fn scenes(r: &Renderer) -> Vec<(&'static str, DisplayList)> {
    let img = r.add_image(&test_image()).unwrap();
    let photo = r.add_image(&sample_photo()).unwrap();
    let solid = |c| Some(Paint::Solid(c));
    let mut out = vec![
        (
            "rect_solid",
            list(
                64,
                48,
                vec![DisplayItem::filled(rect(40.0, 24.0), at(12.0, 12.0), RED)],
            ),
        ),
        (
            "rect_rounded",
            list(
                64,
                48,
                vec![DisplayItem::filled(
                    PathShape::Rect {
                        width: 48.0,
                        height: 32.0,
                        radii: [12.0, 0.0, 6.0, 16.0],
                    },
                    at(8.0, 8.0),
                    BLUE,
                )],
            ),
        ),
        (
            "ellipse",
            list(
                64,
                48,
                vec![DisplayItem::filled(
                    PathShape::Ellipse {
                        width: 56.0,
                        height: 36.0,
                    },
                    at(4.0, 6.0),
                    GREEN,
                )],
            ),
        ),
        (
            "star",
            list(
                64,
                64,
                vec![DisplayItem::filled(
                    PathShape::Star {
                        width: 56.0,
                        height: 56.0,
                        points: 5,
                        inner_diameter: 0.45,
                    },
                    at(4.0, 4.0),
                    RED,
                )],
            ),
        ),
        (
            "star_many_points",
            list(
                64,
                64,
                vec![DisplayItem::filled(
                    PathShape::Star {
                        width: 56.0,
                        height: 48.0,
                        points: 12,
                        inner_diameter: 0.7,
                    },
                    at(4.0, 8.0),
                    BLUE,
                )],
            ),
        ),
        (
            "polygon",
            list(
                64,
                64,
                vec![DisplayItem::filled(
                    PathShape::Polygon {
                        width: 56.0,
                        height: 56.0,
                        sides: 6,
                        corner_radius: 0.0,
                    },
                    at(4.0, 4.0),
                    GREEN,
                )],
            ),
        ),
        (
            "polygon_rounded",
            list(
                64,
                64,
                vec![DisplayItem::filled(
                    PathShape::Polygon {
                        width: 56.0,
                        height: 56.0,
                        sides: 3,
                        corner_radius: 8.0,
                    },
                    at(4.0, 4.0),
                    RED,
                )],
            ),
        ),
        (
            "svg_path_nonzero",
            list(
                64,
                64,
                vec![DisplayItem::filled(
                    PathShape::Svg {
                        data: "M10 10 H90 V90 H10 Z M30 30 H70 V70 H30 Z".into(),
                        fill_rule: FillRule::NonZero,
                        view_width: 100.0,
                        view_height: 100.0,
                        width: 60.0,
                        height: 60.0,
                    },
                    at(2.0, 2.0),
                    BLUE,
                )],
            ),
        ),
        (
            "svg_path_evenodd",
            list(
                64,
                64,
                vec![DisplayItem::filled(
                    PathShape::Svg {
                        data: "M10 10 H90 V90 H10 Z M30 30 H70 V70 H30 Z".into(),
                        fill_rule: FillRule::EvenOdd,
                        view_width: 100.0,
                        view_height: 100.0,
                        width: 60.0,
                        height: 60.0,
                    },
                    at(2.0, 2.0),
                    BLUE,
                )],
            ),
        ),
        (
            "svg_path_curves_and_arcs",
            list(
                64,
                64,
                vec![DisplayItem::filled(
                    PathShape::Svg {
                        data: "M 8 32 C 8 0, 56 0, 56 32 A 24 24 0 0 1 8 32 z".into(),
                        fill_rule: FillRule::NonZero,
                        view_width: 64.0,
                        view_height: 64.0,
                        width: 64.0,
                        height: 64.0,
                    },
                    Transform::IDENTITY,
                    GREEN,
                )],
            ),
        ),
        (
            "linear_gradient",
            list(
                96,
                48,
                vec![item(
                    rect(80.0, 32.0),
                    at(8.0, 8.0),
                    Some(Paint::LinearGradient {
                        start: [0.0, 0.0],
                        end: [80.0, 0.0],
                        stops: stops(&[(0.0, RED), (1.0, BLUE)]),
                    }),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "linear_gradient_diagonal_multi_stop",
            list(
                96,
                64,
                vec![item(
                    rect(80.0, 48.0),
                    at(8.0, 8.0),
                    Some(Paint::LinearGradient {
                        start: [0.0, 0.0],
                        end: [80.0, 48.0],
                        stops: stops(&[
                            (0.0, RED),
                            (0.3, Color::new(1.0, 0.9, 0.1, 1.0)),
                            (0.6, Color::new(0.1, 0.7, 0.2, 0.5)),
                            (1.0, BLUE),
                        ]),
                    }),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "radial_gradient",
            list(
                64,
                64,
                vec![item(
                    PathShape::Ellipse {
                        width: 56.0,
                        height: 56.0,
                    },
                    at(4.0, 4.0),
                    Some(Paint::RadialGradient {
                        center: [28.0, 20.0],
                        radius: 36.0,
                        stops: stops(&[(0.0, Color::WHITE), (1.0, BLUE)]),
                    }),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "conical_gradient",
            list(
                64,
                64,
                vec![item(
                    rect(56.0, 56.0),
                    at(4.0, 4.0),
                    Some(Paint::ConicalGradient {
                        center: [28.0, 28.0],
                        stops: stops(&[(0.0, RED), (0.5, GREEN), (1.0, RED)]),
                    }),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "image_stretched",
            list(
                80,
                60,
                vec![item(
                    rect(64.0, 48.0),
                    at(8.0, 6.0),
                    Some(image_paint(img, 0.0, 0.0, 64.0, 48.0)),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "image_cover",
            list(
                80,
                60,
                vec![item(
                    rect(40.0, 48.0),
                    at(20.0, 6.0),
                    Some(image_paint(img, -12.0, 0.0, 64.0, 48.0)),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "image_contain",
            list(
                80,
                60,
                vec![item(
                    rect(40.0, 48.0),
                    at(20.0, 6.0),
                    Some(image_paint(img, 0.0, 9.0, 40.0, 30.0)),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "image_crop_zoomed",
            list(
                80,
                60,
                vec![item(
                    rect(64.0, 48.0),
                    at(8.0, 6.0),
                    Some(image_paint(img, -64.0, -48.0, 192.0, 144.0)),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "image_photo_minified",
            list(
                100,
                67,
                vec![item(
                    rect(100.0, 67.0),
                    Transform::IDENTITY,
                    Some(image_paint(photo, 0.0, 0.0, 100.0, 66.7)),
                    None,
                    1.0,
                )],
            ),
        ),
        (
            "image_clipped_to_rounded_rect",
            list(
                80,
                60,
                vec![DisplayItem {
                    clip: Some(Clip {
                        path: PathShape::Rect {
                            width: 64.0,
                            height: 48.0,
                            radii: [16.0; 4],
                        },
                        transform: at(8.0, 6.0),
                    }),
                    ..item(
                        rect(80.0, 60.0),
                        Transform::IDENTITY,
                        Some(image_paint(img, 0.0, 0.0, 80.0, 60.0)),
                        None,
                        1.0,
                    )
                }],
            ),
        ),
        (
            "stroke_centre_rect",
            list(
                64,
                48,
                vec![item(
                    rect(40.0, 24.0),
                    at(12.0, 12.0),
                    solid(Color::new(1.0, 0.85, 0.1, 1.0)),
                    Some(stroke(6.0, Color::BLACK)),
                    1.0,
                )],
            ),
        ),
        (
            "stroke_inner",
            list(
                64,
                48,
                vec![item(
                    PathShape::Ellipse {
                        width: 40.0,
                        height: 32.0,
                    },
                    at(12.0, 8.0),
                    solid(GREEN),
                    Some(Stroke {
                        position: StrokePosition::Inner,
                        ..stroke(6.0, RED)
                    }),
                    1.0,
                )],
            ),
        ),
        (
            "stroke_outer",
            list(
                64,
                48,
                vec![item(
                    PathShape::Ellipse {
                        width: 40.0,
                        height: 32.0,
                    },
                    at(12.0, 8.0),
                    solid(Color::new(0.1, 0.7, 0.2, 0.5)),
                    Some(Stroke {
                        position: StrokePosition::Outer,
                        ..stroke(6.0, RED)
                    }),
                    1.0,
                )],
            ),
        ),
    ];
    let zigzag = PathShape::Svg {
        data: "M4 40 L20 8 L36 40 L52 8".into(),
        fill_rule: FillRule::NonZero,
        view_width: 64.0,
        view_height: 48.0,
        width: 64.0,
        height: 48.0,
    };
    for (name, join) in [
        ("stroke_join_miter", LineJoin::Miter),
        ("stroke_join_bevel", LineJoin::Bevel),
        ("stroke_join_round", LineJoin::Round),
    ] {
        out.push((
            name,
            list(
                64,
                48,
                vec![item(
                    zigzag.clone(),
                    Transform::IDENTITY,
                    None,
                    Some(Stroke {
                        join,
                        miter_limit: 10.0,
                        ..stroke(6.0, BLUE)
                    }),
                    1.0,
                )],
            ),
        ));
    }
    let caps = [LineCap::Butt, LineCap::Round, LineCap::Square]
        .into_iter()
        .enumerate()
        .map(|(i, cap)| {
            item(
                PathShape::Line {
                    x0: 12.0,
                    y0: 0.0,
                    x1: 52.0,
                    y1: 0.0,
                },
                at(0.0, 12.0 + i as f32 * 14.0),
                None,
                Some(Stroke {
                    cap,
                    ..stroke(8.0, Color::BLACK)
                }),
                1.0,
            )
        })
        .collect();
    out.push(("stroke_caps", list(64, 48, caps)));
    out.push((
        "stroke_dashed",
        list(
            64,
            48,
            vec![item(
                rect(48.0, 32.0),
                at(8.0, 8.0),
                None,
                Some(Stroke {
                    dash_array: vec![8.0, 4.0],
                    dash_offset: 2.0,
                    cap: LineCap::Round,
                    ..stroke(3.0, RED)
                }),
                1.0,
            )],
        ),
    ));
    out.push((
        "opacity_group_fill_and_stroke",
        list(
            64,
            48,
            vec![
                DisplayItem::filled(rect(64.0, 16.0), at(0.0, 16.0), BLUE),
                item(
                    rect(36.0, 28.0),
                    at(14.0, 10.0),
                    solid(RED),
                    Some(stroke(8.0, Color::BLACK)),
                    0.5,
                ),
            ],
        ),
    ));
    out.push((
        "opacity_single_fill",
        list(
            64,
            48,
            vec![
                DisplayItem::filled(rect(64.0, 16.0), at(0.0, 16.0), BLUE),
                item(
                    PathShape::Ellipse {
                        width: 40.0,
                        height: 40.0,
                    },
                    at(12.0, 4.0),
                    solid(RED),
                    None,
                    0.4,
                ),
            ],
        ),
    ));
    out.push((
        "rotated_45",
        list(
            64,
            64,
            vec![DisplayItem::filled(
                rect(32.0, 32.0),
                Transform::translate(-16.0, -16.0)
                    .then(Transform::rotate(std::f32::consts::FRAC_PI_4))
                    .then(at(32.0, 32.0)),
                RED,
            )],
        ),
    ));
    out.push((
        "flipped_star",
        list(
            64,
            64,
            vec![item(
                PathShape::Star {
                    width: 56.0,
                    height: 56.0,
                    points: 5,
                    inner_diameter: 0.45,
                },
                Transform::scale(1.0, -1.0).then(at(4.0, 60.0)),
                Some(Paint::LinearGradient {
                    start: [0.0, 0.0],
                    end: [0.0, 56.0],
                    stops: stops(&[(0.0, RED), (1.0, BLUE)]),
                }),
                None,
                1.0,
            )],
        ),
    ));
    let mut rnd = prng(7);
    let many = (0..200)
        .map(|i| {
            let s = 6.0 + rnd() * 24.0;
            let (x, y) = (rnd() * (128.0 - s), rnd() * (96.0 - s));
            let c = Color::new(rnd(), rnd(), rnd(), 0.6);
            let path = match i % 3 {
                0 => rect(s, s),
                1 => PathShape::Ellipse {
                    width: s,
                    height: s,
                },
                _ => PathShape::Star {
                    width: s,
                    height: s,
                    points: 5,
                    inner_diameter: 0.5,
                },
            };
            DisplayItem::filled(path, at(x, y), c)
        })
        .collect();
    out.push(("many_overlapping", list(128, 96, many)));
    out.push((
        "transparent_background",
        DisplayList {
            width: 48,
            height: 48,
            background: Color::TRANSPARENT,
            items: vec![item(
                PathShape::Ellipse {
                    width: 40.0,
                    height: 40.0,
                },
                at(4.0, 4.0),
                solid(Color::new(0.2, 0.4, 0.8, 0.5)),
                None,
                1.0,
            )],
        },
    ));
    out.push((
        "one_pixel",
        DisplayList {
            width: 1,
            height: 1,
            background: Color::WHITE,
            items: vec![DisplayItem::filled(
                rect(0.5, 1.0),
                Transform::IDENTITY,
                Color::BLACK,
            )],
        },
    ));
    out.push((
        "tall_thin",
        list(
            3,
            500,
            vec![DisplayItem::filled(rect(3.0, 250.0), at(0.0, 125.0), GREEN)],
        ),
    ));
    out.push((
        "tiled_9000x300",
        list(
            9000,
            300,
            vec![
                item(
                    rect(9000.0, 300.0),
                    Transform::IDENTITY,
                    Some(Paint::LinearGradient {
                        start: [0.0, 0.0],
                        end: [9000.0, 0.0],
                        stops: stops(&[(0.0, RED), (0.5, GREEN), (1.0, BLUE)]),
                    }),
                    None,
                    1.0,
                ),
                DisplayItem::filled(
                    PathShape::Ellipse {
                        width: 600.0,
                        height: 200.0,
                    },
                    at(3800.0, 50.0),
                    Color::WHITE,
                ),
                item(
                    rect(8800.0, 40.0),
                    at(100.0, 130.0),
                    None,
                    Some(stroke(4.0, Color::BLACK)),
                    1.0,
                ),
            ],
        ),
    ));
    out
}

#[test]
fn golden_scenes_match_on_every_backend() {
    for backend in backends() {
        let r = renderer(backend);
        let scenes = scenes(&r);
        assert!(scenes.len() >= 30, "{} scenes", scenes.len());
        for (name, list) in &scenes {
            let image = r.render(list).unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(image.dimensions(), (list.width, list.height), "{name}");
            assert_matches_golden(name, &image, &format!("{backend:?}"));
        }
    }
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
    let list = scenes(&renderer(backends()[0]))
        .into_iter()
        .find(|(n, _)| *n == "many_overlapping")
        .unwrap()
        .1;
    let images: Vec<RgbaImage> = backends()
        .into_iter()
        .map(|b| renderer(b).render(&list).unwrap())
        .collect();
    for pair in images.windows(2) {
        let score = support::psnr(&pair[0], &pair[1]);
        assert!(score >= 40.0, "backends differ: PSNR {score:.1} dB");
    }
}

#[test]
fn tiles_join_without_seams() {
    let backend = backends()[0];
    let tiled = Renderer::new(easel::render::RendererOptions {
        backend: Some(backend),
        max_tile_size: 64,
        ..Default::default()
    })
    .unwrap();
    let r = renderer(backend);
    let (name, list) = scenes(&r)
        .into_iter()
        .find(|(n, _)| *n == "opacity_group_fill_and_stroke")
        .unwrap();
    let mut big = list.clone();
    big.width = 150;
    big.height = 140;
    for it in &mut big.items {
        it.transform = it.transform.then(Transform::scale(2.2, 2.2));
    }
    let whole = r.render(&big).unwrap();
    let pieces = tiled.render(&big).unwrap();
    let score = support::psnr(&whole, &pieces);
    assert!(
        score >= 45.0,
        "{name}: tiled render differs, PSNR {score:.1} dB"
    );
}
