//! Helpers shared by the renderer's tests and the engine's (which include this file): the
//! renderers per backend, image comparison with tolerances and failure artefacts.

#![allow(dead_code, clippy::unwrap_used)]

use easel_render::{Backend, Renderer, RendererOptions, RgbaImage};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

/// The backends to test: `EASEL_TEST_BACKENDS=gl,vulkan` makes each one required; otherwise
/// every backend that has an adapter here (at least one must).
pub fn backends() -> Vec<Backend> {
    static LIST: OnceLock<Vec<Backend>> = OnceLock::new();
    LIST.get_or_init(|| match std::env::var("EASEL_TEST_BACKENDS") {
        Ok(list) if !list.trim().is_empty() => list
            .split(',')
            .map(|b| Backend::parse(b).unwrap_or_else(|e| panic!("EASEL_TEST_BACKENDS: {e}")))
            .collect(),
        _ => {
            let found: Vec<Backend> = [Backend::Cpu, Backend::Gl, Backend::Vulkan]
                .into_iter()
                .filter(|b| try_renderer(*b).is_some())
                .collect();
            assert!(
                !found.is_empty(),
                "no GL or Vulkan adapter: install Mesa (see README)"
            );
            found
        }
    })
    .clone()
}

/// The GPU backends among [`backends`].
pub fn gpu_backends() -> Vec<Backend> {
    backends()
        .into_iter()
        .filter(|b| *b != Backend::Cpu)
        .collect()
}

fn try_renderer(backend: Backend) -> Option<Arc<Renderer>> {
    static CACHE: OnceLock<Mutex<HashMap<Backend, Option<Arc<Renderer>>>>> = OnceLock::new();
    let mut cache = CACHE
        .get_or_init(Default::default)
        .lock()
        .unwrap_or_else(|p| p.into_inner());
    cache
        .entry(backend)
        .or_insert_with(|| {
            Renderer::new(RendererOptions {
                backend: Some(backend),
                ..Default::default()
            })
            .ok()
            .map(Arc::new)
        })
        .clone()
}

/// The shared renderer for a backend; panics with the reason when it has no adapter.
pub fn renderer(backend: Backend) -> Arc<Renderer> {
    try_renderer(backend).unwrap_or_else(|| {
        let e = Renderer::new(RendererOptions {
            backend: Some(backend),
            ..Default::default()
        })
        .unwrap_err();
        panic!("{backend:?} is required but unavailable: {e}")
    })
}

pub fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Where failing comparisons write their actual and diff images.
pub fn failure_dir() -> PathBuf {
    let dir = repo().join("target/test-failures");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// A pixel's premultiplied components: the colour of a nearly transparent pixel is noise
/// (a straight-alpha pixel of alpha 1/255 may have any colour) and must not count.
pub fn premultiplied(p: &image::Rgba<u8>) -> [f64; 4] {
    let a = p[3] as f64 / 255.0;
    [
        p[0] as f64 * a,
        p[1] as f64 * a,
        p[2] as f64 * a,
        p[3] as f64,
    ]
}

/// Peak signal-to-noise ratio over premultiplied RGBA (alpha included), counting only
/// pixels where `include` says so. Identical images give infinity.
pub fn psnr_masked(a: &RgbaImage, b: &RgbaImage, include: impl Fn(u32, u32) -> bool) -> f64 {
    assert_eq!(a.dimensions(), b.dimensions(), "sizes differ");
    let (mut sum, mut n) = (0f64, 0u64);
    for (x, y, p) in a.enumerate_pixels() {
        if !include(x, y) {
            continue;
        }
        let (p, q) = (premultiplied(p), premultiplied(b.get_pixel(x, y)));
        for c in 0..4 {
            let d = p[c] - q[c];
            sum += d * d;
        }
        n += 4;
    }
    if sum == 0.0 {
        return f64::INFINITY;
    }
    10.0 * (255.0f64 * 255.0 / (sum / n as f64)).log10()
}

pub fn psnr(a: &RgbaImage, b: &RgbaImage) -> f64 {
    psnr_masked(a, b, |_, _| true)
}

/// Per-pixel difference, amplified ×4, for failure artefacts.
pub fn diff_image(a: &RgbaImage, b: &RgbaImage) -> RgbaImage {
    RgbaImage::from_fn(a.width(), a.height(), |x, y| {
        let (p, q) = (a.get_pixel(x, y), b.get_pixel(x, y));
        let d = |c: usize| ((p[c] as i32 - q[c] as i32).unsigned_abs() * 4).min(255) as u8;
        image::Rgba([d(0), d(1), d(2), 255])
    })
}

pub fn save(image: &RgbaImage, path: &Path) {
    std::fs::write(path, easel_render::encode_png(image, 1).unwrap()).unwrap();
}

pub fn load_png(path: &Path) -> RgbaImage {
    image::load_from_memory(
        &std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display())),
    )
    .unwrap()
    .to_rgba8()
}

/// The reference image of a golden case for a backend: `<name>.png` for the GPU backends
/// (rasterised by MSAA and supersampling), `<name>.cpu.png` for the CPU backend (analytic
/// coverage). The two families agree within 40 dB (`backends_agree_on_every_case`); each
/// is held to the strict tolerance against its own reference.
pub fn golden_path(name: &str, backend: Backend) -> PathBuf {
    let file = match backend {
        Backend::Cpu => format!("{name}.cpu.png"),
        _ => format!("{name}.png"),
    };
    repo().join("crates/easel-render/tests/golden").join(file)
}

/// The golden-image tolerance: at least 99.9% of pixels within 8/255 on every channel
/// (premultiplied), and PSNR ≥ 40 dB, against the backend family's reference. Backends of a
/// family differ in rasterisation and MSAA sample positions, so edges move by a fraction of
/// a pixel; byte equality is never expected.
pub fn assert_matches_golden(name: &str, actual: &RgbaImage, backend: Backend) {
    let label = format!("{backend:?}");
    let path = golden_path(name, backend);
    if std::env::var_os("EASEL_UPDATE_GOLDENS").is_some() || !path.exists() {
        assert!(
            std::env::var_os("EASEL_UPDATE_GOLDENS").is_some(),
            "golden {} is missing; run with EASEL_UPDATE_GOLDENS=1 to create it",
            path.display()
        );
        save(actual, &path);
        return;
    }
    let golden = load_png(&path);
    assert_eq!(
        actual.dimensions(),
        golden.dimensions(),
        "{name} on {label}: size"
    );
    let total = actual.width() as usize * actual.height() as usize;
    let off = actual
        .pixels()
        .zip(golden.pixels())
        .filter(|(p, q)| {
            let (p, q) = (premultiplied(p), premultiplied(q));
            (0..4).any(|c| (p[c] - q[c]).abs() > 8.0)
        })
        .count();
    let score = psnr(actual, &golden);
    if off * 1000 > total || score < 40.0 {
        let dir = failure_dir();
        save(actual, &dir.join(format!("{name}.{label}.actual.png")));
        save(
            &diff_image(actual, &golden),
            &dir.join(format!("{name}.{label}.diff.png")),
        );
        panic!(
            "{name} on {label}: {off} of {total} pixels differ by more than 8/255, PSNR {score:.1} dB; \
             actual and diff written to {}",
            dir.display()
        );
    }
}

pub fn load_image(path: &Path) -> RgbaImage {
    load_png(path)
}

/// The 64×48 image golden cases call `checker`: a colour ramp with a black/white checker
/// block, so scaling, placement and orientation are all visible.
pub fn checker_image() -> RgbaImage {
    RgbaImage::from_fn(64, 48, |x, y| {
        if x < 16 && y < 16 {
            let v = if (x / 4 + y / 4) % 2 == 0 { 0 } else { 255 };
            image::Rgba([v, v, v, 255])
        } else {
            image::Rgba([(x * 4) as u8, (y * 5) as u8, 160, 255])
        }
    })
}

/// The image golden cases call `photo`: the guide's first sample photo (1600×1067).
pub fn photo_image() -> RgbaImage {
    load_image(&repo().join("assets/samples/sample_1.jpg"))
}

/// A golden case file: the images it uses (by the id its display list gives them) and the
/// display list.
#[derive(serde::Deserialize)]
struct CaseFile {
    images: Vec<CaseImage>,
    list: easel_render::DisplayList,
}

#[derive(serde::Deserialize)]
struct CaseImage {
    id: u64,
    source: String,
}

/// Loads `crates/easel-render/tests/golden/<name>.json` for rendering on `r`: its images
/// are added to `r` (once per renderer) and the list's image handles point at them.
pub fn load_case(r: &Renderer, name: &str) -> easel_render::DisplayList {
    static UPLOADS: OnceLock<Mutex<HashMap<(usize, String), easel_render::ImageHandle>>> =
        OnceLock::new();
    let path = repo().join(format!("crates/easel-render/tests/golden/{name}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let case: CaseFile =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut handles = HashMap::new();
    for image in &case.images {
        let key = (r as *const Renderer as usize, image.source.clone());
        let mut uploads = UPLOADS.get_or_init(Default::default).lock().unwrap();
        let handle = *uploads.entry(key).or_insert_with(|| {
            let pixels = match image.source.as_str() {
                "checker" => checker_image(),
                "photo" => photo_image(),
                other => panic!("{name}: unknown image source `{other}`"),
            };
            r.add_image(&pixels).unwrap()
        });
        handles.insert(image.id, handle);
    }
    let mut list = case.list;
    for item in &mut list.items {
        if let Some(easel_render::Paint::Image { image, .. }) = &mut item.fill {
            *image = *handles
                .get(&image.id)
                .unwrap_or_else(|| panic!("{name}: image {} is not in `images`", image.id));
        }
    }
    list
}
