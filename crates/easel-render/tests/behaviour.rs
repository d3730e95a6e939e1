//! Renderer behaviour beyond pixels: errors, caches, threads, memory, encoders.

#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

mod support;

use easel_render::{
    Backend, Color, DisplayItem, DisplayList, Error, ImageHandle, Paint, PathShape, Renderer,
    RendererOptions, RgbaImage, Transform, encode_jpeg, encode_png, encode_webp,
};
use std::sync::Arc;
use support::{backends, gpu_backends, renderer};

fn small_scene() -> DisplayList {
    DisplayList {
        width: 32,
        height: 24,
        background: Color::WHITE,
        items: vec![
            DisplayItem::filled(
                PathShape::Ellipse {
                    width: 20.0,
                    height: 16.0,
                },
                Transform::translate(4.0, 4.0),
                Color::new(0.9, 0.1, 0.1, 1.0),
            ),
            DisplayItem::filled(
                PathShape::Star {
                    width: 16.0,
                    height: 16.0,
                    points: 5,
                    inner_diameter: 0.5,
                },
                Transform::translate(14.0, 6.0),
                Color::new(0.1, 0.3, 0.9, 0.7),
            ),
        ],
        layers: Vec::new(),
    }
}

#[test]
fn bad_input_is_a_typed_error_naming_the_value() {
    for backend in backends() {
        bad_input_is_a_typed_error_on(backend);
    }
}

fn bad_input_is_a_typed_error_on(backend: Backend) {
    let r = renderer(backend);
    let mut l = small_scene();
    l.width = 0;
    assert!(matches!(
        r.render(&l),
        Err(Error::InvalidCanvasSize { width: 0, .. })
    ));
    l.width = 16385;
    assert!(matches!(
        r.render(&l),
        Err(Error::InvalidCanvasSize {
            width: 16385,
            max: 16384,
            ..
        })
    ));
    let mut l = small_scene();
    l.background.g = f32::NAN;
    assert!(matches!(r.render(&l), Err(Error::InvalidBackground(_))));
    let mut l = small_scene();
    l.items[1].opacity = f32::NAN;
    let e = r.render(&l).unwrap_err();
    assert!(matches!(&e, Error::InvalidItem { index: 1, .. }), "{e}");
    let mut l = small_scene();
    l.items[0].path = PathShape::Ellipse {
        width: -3.0,
        height: 4.0,
    };
    assert!(r.render(&l).unwrap_err().to_string().contains("-3"));
    let mut l = small_scene();
    l.items[0].transform = Transform([f32::INFINITY, 0.0, 0.0, 1.0, 0.0, 0.0]);
    assert!(matches!(
        r.render(&l),
        Err(Error::InvalidItem { index: 0, .. })
    ));
    let mut l = small_scene();
    l.items[0].fill = Some(Paint::Image {
        image: ImageHandle {
            id: 999_999,
            width: 4,
            height: 4,
        },
        transform: Transform::IDENTITY,
    });
    assert!(matches!(r.render(&l), Err(Error::UnknownImage(999_999))));
    let mut l = small_scene();
    l.items[0].path = PathShape::Svg {
        data: "M 0 0 L 10 banana".into(),
        fill_rule: Default::default(),
        view_width: 10.0,
        view_height: 10.0,
        width: 10.0,
        height: 10.0,
    };
    let e = r.render(&l).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidPath { data, .. } if data.contains("banana")),
        "{e}"
    );
    assert!(r.add_image(&RgbaImage::new(0, 5)).is_err());
    // The renderer still works after all of that.
    r.render(&small_scene()).unwrap();
}

#[test]
fn backend_names_and_missing_adapters_are_clear_errors() {
    assert_eq!(Backend::parse("Vulkan").unwrap(), Backend::Vulkan);
    assert_eq!(Backend::parse("gles").unwrap(), Backend::Gl);
    assert!(matches!(Backend::parse("glide"), Err(Error::UnknownBackend(b)) if b == "glide"));
    if cfg!(target_os = "linux") {
        let e = Renderer::new(RendererOptions {
            backend: Some(Backend::Metal),
            ..Default::default()
        })
        .unwrap_err();
        assert!(matches!(e, Error::NoAdapter { .. }));
        assert!(e.to_string().contains("apt-get install"), "{e}");
    }
    let backend = backends()[0];
    let r = renderer(backend);
    let info = r.adapter();
    assert!(!info.name.is_empty());
    assert_eq!(
        info.backend, backend,
        "the adapter reports the backend it runs on"
    );
}

#[test]
fn tessellation_is_cached_and_images_upload_once() {
    // Tessellation is the GPU backends' (the CPU one rasterises paths as they are). A
    // private renderer, so other tests' frames do not move the counters.
    let Some(gpu) = gpu_backends().first().copied() else {
        return;
    };
    let r = Renderer::new(RendererOptions {
        backend: Some(gpu),
        ..Default::default()
    })
    .unwrap();
    let l = small_scene();
    r.render(&l).unwrap();
    let first = r.stats();
    assert_eq!(first.tessellation_misses, 2);
    r.render(&l).unwrap();
    let second = r.stats();
    assert_eq!(second.tessellation_misses, 2, "nothing re-tessellated");
    assert_eq!(second.tessellation_hits, first.tessellation_hits + 2);
    let img = RgbaImage::from_pixel(300, 200, image::Rgba([10, 200, 30, 255]));
    let h = r.add_image(&img).unwrap();
    let stats = r.stats();
    assert_eq!(stats.images, 1);
    assert!(
        stats.image_bytes >= 300 * 200 * 4,
        "mipmaps included: {}",
        stats.image_bytes
    );
    let mut l = small_scene();
    l.items[0].fill = Some(Paint::Image {
        image: h,
        transform: Transform::scale(0.1, 0.1),
    });
    r.render(&l).unwrap();
    r.render(&l).unwrap();
    assert_eq!(r.stats().images, 1);
    r.remove_image(h);
    assert_eq!(r.stats().images, 0);
    assert!(matches!(r.render(&l), Err(Error::UnknownImage(_))));
}

#[test]
fn one_renderer_serves_many_threads() {
    for backend in backends() {
        one_renderer_serves_many_threads_on(backend);
    }
}

fn one_renderer_serves_many_threads_on(backend: Backend) {
    let r = renderer(backend);
    let expected = r.render(&small_scene()).unwrap();
    let results: Vec<RgbaImage> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|_| {
                let r = Arc::clone(&r);
                s.spawn(move || {
                    let mut last = None;
                    for _ in 0..10 {
                        last = Some(r.render(&small_scene()).unwrap());
                    }
                    last.unwrap()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    for img in results {
        assert_eq!(img, expected);
    }
}

#[test]
fn prepared_frames_render_the_same() {
    for backend in backends() {
        let r = renderer(backend);
        let frame = r.prepare(&small_scene()).unwrap();
        if backend != Backend::Cpu {
            assert!(frame.triangle_count() > 10);
        }
        assert_eq!(
            r.render_prepared(&frame).unwrap(),
            r.render(&small_scene()).unwrap()
        );
    }
}

fn rss_kib() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmRSS:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|v| v.parse().ok())
        .unwrap_or(0)
}

/// Runs in a child process (see `memory_stays_flat_over_10000_renders`), so other tests do
/// not disturb the measurement.
#[test]
#[ignore = "run by memory_stays_flat_over_10000_renders in its own process"]
fn memory_child() {
    let backend = Backend::parse(&std::env::var("EASEL_MEMORY_BACKEND").unwrap()).unwrap();
    let r = Renderer::new(RendererOptions {
        backend: Some(backend),
        ..Default::default()
    })
    .unwrap();
    let mut l = small_scene();
    for _ in 0..500 {
        r.render(&l).unwrap();
    }
    let before = rss_kib();
    for i in 0..10_000 {
        // Vary the geometry a little so buffers are rewritten, not just reused.
        l.items[0].transform = Transform::translate(4.0 + (i % 7) as f32, 4.0);
        r.render(&l).unwrap();
    }
    let after = rss_kib();
    println!("RSS before {before} KiB, after {after} KiB");
    assert!(
        after < before + 16 * 1024,
        "RSS grew from {before} KiB to {after} KiB over 10,000 renders"
    );
}

#[test]
fn memory_stays_flat_over_10000_renders() {
    if cfg!(not(target_os = "linux")) {
        return;
    }
    // The CPU backend and a GPU one.
    let mut checked = backends();
    checked.truncate(2);
    for backend in checked {
        memory_stays_flat_on(backend);
    }
}

fn memory_stays_flat_on(backend: Backend) {
    let out = std::process::Command::new(std::env::current_exe().unwrap())
        .args([
            "--exact",
            "memory_child",
            "--ignored",
            "--nocapture",
            "--test-threads=1",
        ])
        .env("EASEL_MEMORY_BACKEND", format!("{backend:?}"))
        .output()
        .unwrap();
    let text =
        String::from_utf8_lossy(&out.stdout).to_string() + &String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success() && text.contains("1 passed"), "{text}");
}

#[test]
fn encoders_round_trip() {
    let img = renderer(backends()[0]).render(&small_scene()).unwrap();
    for level in [0, 1, 6, 9] {
        let png = encode_png(&img, level).unwrap();
        assert_eq!(
            image::load_from_memory(&png).unwrap().to_rgba8(),
            img,
            "level {level}"
        );
    }
    assert!(matches!(
        encode_png(&img, 10),
        Err(Error::InvalidOption { .. })
    ));
    let webp = encode_webp(&img).unwrap();
    assert_eq!(
        image::load_from_memory(&webp).unwrap().to_rgba8(),
        img,
        "lossless"
    );
    // JPEG on a smooth image (4:2:0 chroma subsampling smears the tiny scene's hard edges).
    let smooth = RgbaImage::from_fn(64, 64, |x, y| {
        image::Rgba([(x * 4) as u8, (y * 4) as u8, 128, 255])
    });
    let jpeg = encode_jpeg(&smooth, 90).unwrap();
    let back = image::load_from_memory(&jpeg).unwrap().to_rgba8();
    let score = support::psnr(&back, &smooth);
    assert!(score > 35.0, "JPEG q90 PSNR {score:.1}");
    assert!(matches!(
        encode_jpeg(&img, 0),
        Err(Error::InvalidOption { .. })
    ));
}

#[test]
fn display_lists_serialise_for_replay() {
    let l = small_scene();
    let json = serde_json::to_string(&l).unwrap();
    let back: DisplayList = serde_json::from_str(&json).unwrap();
    assert_eq!(back, l);
    let r = renderer(backends()[0]);
    assert_eq!(r.render(&back).unwrap(), r.render(&l).unwrap());
}

#[test]
fn images_beyond_the_texture_limit_are_scaled_to_fit() {
    for backend in backends() {
        images_beyond_the_texture_limit_are_scaled_to_fit_on(backend);
    }
}

fn images_beyond_the_texture_limit_are_scaled_to_fit_on(backend: Backend) {
    let r = renderer(backend);
    // Wider than any adapter's 2-D texture limit here (16384): red left half, blue right half.
    let wide = RgbaImage::from_fn(17_000, 2, |x, _| {
        if x < 8_500 {
            image::Rgba([255, 0, 0, 255])
        } else {
            image::Rgba([0, 0, 255, 255])
        }
    });
    let h = r.add_image(&wide).unwrap();
    assert_eq!(
        (h.width, h.height),
        (17_000, 2),
        "the handle keeps the caller's size"
    );
    let list = DisplayList {
        width: 100,
        height: 10,
        background: Color::WHITE,
        items: vec![DisplayItem {
            path: PathShape::Rect {
                width: 100.0,
                height: 10.0,
                radii: [0.0; 4],
            },
            transform: Transform::IDENTITY,
            fill: Some(Paint::Image {
                image: h,
                transform: Transform::scale(100.0 / 17_000.0, 5.0),
            }),
            stroke: None,
            opacity: 1.0,
            clip: None,
        }],
        layers: Vec::new(),
    };
    let img = r.render(&list).unwrap();
    assert_eq!(img.get_pixel(20, 5).0, [255, 0, 0, 255]);
    assert_eq!(img.get_pixel(80, 5).0, [0, 0, 255, 255]);
    r.remove_image(h);
}

#[test]
fn a_lost_device_is_an_error_and_a_new_renderer_works() {
    let Some(backend) = gpu_backends().first().copied() else {
        return;
    };
    let r = Renderer::new(RendererOptions {
        backend: Some(backend),
        ..Default::default()
    })
    .unwrap();
    r.render(&small_scene()).unwrap();
    r.simulate_device_loss();
    let e = r.render(&small_scene()).unwrap_err();
    assert!(matches!(e, Error::DeviceLost(_)), "{e}");
    assert!(matches!(
        r.add_image(&RgbaImage::new(4, 4)),
        Err(Error::DeviceLost(_))
    ));
    let fresh = Renderer::new(RendererOptions {
        backend: Some(backend),
        ..Default::default()
    })
    .unwrap();
    fresh.render(&small_scene()).unwrap();
}
