//! Resource loading against a loopback HTTP server and local sources: every failure is a
//! clear error naming the block and URI, and the engine stays usable afterwards.

use crate::support::http::{Reply, Server};
use crate::support::{self, image_block, repo};
use easel::{BlockId, Engine, Error, ExportOptions, ResourceErrorKind, ResourceState, SceneLayout};
use std::sync::Arc;
use std::time::Duration;

fn sample_bytes() -> Vec<u8> {
    std::fs::read(repo().join("assets/samples/sample_1.jpg")).unwrap()
}

struct Fixture {
    engine: Engine,
    page: BlockId,
}

impl Fixture {
    fn new() -> Fixture {
        let engine = Engine::new(Default::default());
        let page = engine
            .scene
            .create(SceneLayout::VerticalStack, Some((64.0, 48.0)))
            .unwrap()
            .page()
            .unwrap();
        engine.editor.update_settings(|s| {
            s.fetch_timeout = Duration::from_millis(500);
            s.max_download_bytes = 1 << 20;
            s.max_image_dimension = 4096;
        });
        Fixture { engine, page }
    }

    /// Replaces the page's content with one image block showing `uri`.
    fn show(&self, uri: &str) -> BlockId {
        for child in self.engine.block.children(self.page).unwrap() {
            self.engine.block.destroy(child).unwrap();
        }
        image_block(&self.engine, self.page, "rect", uri, (0.0, 0.0, 32.0, 24.0))
    }

    fn export(&self) -> easel::Result<Vec<u8>> {
        self.engine
            .block
            .export(self.page, &ExportOptions::default())
    }

    /// Exporting `uri` fails with `kind`, naming the block and the URI; the next export of
    /// a good image works.
    fn assert_fails(&self, uri: &str, kind: ResourceErrorKind, good: &str) -> String {
        let block = self.show(uri);
        let err = self.export().unwrap_err();
        let Error::BlockResource { block: b, error } = &err else {
            panic!("{uri}: unexpected {err}")
        };
        assert_eq!(*b, block);
        assert_eq!(error.kind, kind, "{uri}: {err}");
        assert!(
            err.to_string().contains(&block.to_string()) && err.to_string().contains(&error.uri),
            "{err}"
        );
        assert!(
            matches!(self.engine.block.state(block).unwrap(), ResourceState::Error(e) if e.kind == kind)
        );
        self.show(good);
        self.export().unwrap();
        err.to_string()
    }
}

#[test]
fn http_success_and_every_failure_is_clear() {
    let jpeg = sample_bytes();
    let server = Server::start(vec![
        ("/ok.jpg", Reply::Body(200, jpeg.clone())),
        ("/500", Reply::Body(500, b"boom".to_vec())),
        (
            "/slow.jpg",
            Reply::Slow(Duration::from_secs(3), jpeg.clone()),
        ),
        ("/big.bin", Reply::Body(200, vec![7u8; 2 << 20])),
        (
            "/text",
            Reply::Body(200, b"<html>not an image</html>".to_vec()),
        ),
        (
            "/truncated.jpg",
            Reply::Body(200, jpeg[..jpeg.len() / 3].to_vec()),
        ),
        (
            "/huge.png",
            Reply::Body(200, crate::support::png_header_only(30_000, 30_000)),
        ),
        ("/moved", Reply::Redirect("/ok.jpg".into())),
    ]);
    let f = Fixture::new();
    let ok = server.url("/ok.jpg");
    let block = f.show(&ok);
    assert_eq!(f.engine.block.state(block).unwrap(), ResourceState::Pending);
    f.export().unwrap();
    assert_eq!(f.engine.block.state(block).unwrap(), ResourceState::Ready);
    let m = f.assert_fails(
        &server.url("/missing.jpg"),
        ResourceErrorKind::FileFetchFailed,
        &ok,
    );
    assert!(m.contains("404"), "{m}");
    let m = f.assert_fails(&server.url("/500"), ResourceErrorKind::FileFetchFailed, &ok);
    assert!(m.contains("500"), "{m}");
    let m = f.assert_fails(
        &server.url("/slow.jpg"),
        ResourceErrorKind::FileFetchFailed,
        &ok,
    );
    assert!(m.contains("timed out"), "{m}");
    let m = f.assert_fails(
        &server.url("/big.bin"),
        ResourceErrorKind::FileFetchFailed,
        &ok,
    );
    assert!(m.contains("download limit"), "{m}");
    f.assert_fails(
        &server.url("/text"),
        ResourceErrorKind::ImageDecodingFailed,
        &ok,
    );
    f.assert_fails(
        &server.url("/truncated.jpg"),
        ResourceErrorKind::ImageDecodingFailed,
        &ok,
    );
    let m = f.assert_fails(
        &server.url("/huge.png"),
        ResourceErrorKind::ImageTooLarge,
        &ok,
    );
    assert!(m.contains("30000x30000"), "{m}");
    f.show(&server.url("/moved"));
    f.export().unwrap();
    // Nothing listens on a port that was just closed.
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}/x.jpg", l.local_addr().unwrap())
    };
    f.assert_fails(&closed, ResourceErrorKind::FileFetchFailed, &ok);
}

#[test]
fn images_over_the_dimension_limit_fail_before_decoding() {
    let f = Fixture::new();
    f.engine
        .editor
        .update_settings(|s| s.max_image_dimension = 1000);
    let path = support::sample(1);
    let good = support::sample(4);
    let m = f.assert_fails(&path, ResourceErrorKind::ImageTooLarge, &good);
    assert!(m.contains("1600x1067"), "{m}");
}

#[test]
fn files_data_uris_buffers_base_paths_and_resolvers() {
    let f = Fixture::new();
    let samples = repo().join("assets/samples").canonicalize().unwrap();
    for uri in [
        samples.join("sample_2.jpg").display().to_string(),
        format!("file://{}", samples.join("sample_3.jpg").display()),
    ] {
        f.show(&uri);
        f.export().unwrap_or_else(|e| panic!("{uri}: {e}"));
    }
    f.engine
        .editor
        .set_base_path(&samples.display().to_string());
    f.show("sample_4.jpg");
    f.export().unwrap();
    f.show("{{base_url}}/sample_1.jpg");
    f.export().unwrap();
    // A 2×1 PNG as a data URI.
    let mut png = Vec::new();
    image::RgbaImage::from_pixel(2, 1, image::Rgba([0, 128, 255, 255]))
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    use base64::Engine as _;
    let data = format!(
        "data:image/png;base64,{}",
        base64::engine::general_purpose::STANDARD.encode(&png)
    );
    let block = f.show(&data);
    let out = image::load_from_memory(&f.export().unwrap())
        .unwrap()
        .to_rgba8();
    assert_eq!(out.get_pixel(10, 10).0, [0, 128, 255, 255]);
    assert_eq!(f.engine.block.state(block).unwrap(), ResourceState::Ready);
    f.engine
        .editor
        .register_buffer("buffer://logo", png.clone());
    f.show("buffer://logo");
    f.export().unwrap();
    f.engine.editor.set_uri_resolver(Some(Arc::new(|uri: &str| {
        (uri == "brand:logo").then(|| "buffer://logo".to_string())
    })));
    f.show("brand:logo");
    f.export().unwrap();
    let m = f.assert_fails(
        "data:image/png;base64,@@@",
        ResourceErrorKind::FileFetchFailed,
        "buffer://logo",
    );
    assert!(m.contains("base64"), "{m}");
    f.assert_fails(
        "/definitely/not/here.png",
        ResourceErrorKind::FileFetchFailed,
        "buffer://logo",
    );
    f.assert_fails(
        "ftp://example.com/a.png",
        ResourceErrorKind::SchemeNotAllowed,
        "buffer://logo",
    );
    f.engine
        .editor
        .update_settings(|s| s.allowed_schemes = vec!["buffer".into()]);
    let m = f.assert_fails(
        &samples.join("sample_3.jpg").display().to_string(),
        ResourceErrorKind::SchemeNotAllowed,
        "buffer://logo",
    );
    assert!(m.contains("file"), "{m}");
}

#[test]
fn a_page_fetches_its_images_concurrently_and_once() {
    // A tiny image, so the time measured is the fetching, not the decoding.
    let mut jpeg = Vec::new();
    image::RgbaImage::from_pixel(4, 4, image::Rgba([200, 10, 10, 255]))
        .write_to(
            &mut std::io::Cursor::new(&mut jpeg),
            image::ImageFormat::Png,
        )
        .unwrap();
    let server = Server::start(vec![
        (
            "/a.jpg",
            Reply::Slow(Duration::from_millis(300), jpeg.clone()),
        ),
        (
            "/b.jpg",
            Reply::Slow(Duration::from_millis(300), jpeg.clone()),
        ),
        ("/c.jpg", Reply::Slow(Duration::from_millis(300), jpeg)),
    ]);
    let f = Fixture::new();
    f.engine
        .editor
        .update_settings(|s| s.fetch_timeout = Duration::from_secs(5));
    for (i, path) in ["/a.jpg", "/b.jpg", "/c.jpg", "/a.jpg"].iter().enumerate() {
        image_block(
            &f.engine,
            f.page,
            "ellipse",
            &server.url(path),
            (i as f32 * 10.0, 0.0, 20.0, 20.0),
        );
    }
    let start = std::time::Instant::now();
    f.export().unwrap();
    let first = start.elapsed();
    assert_eq!(
        server.hits.load(std::sync::atomic::Ordering::Relaxed),
        3,
        "each URI fetched once"
    );
    // Three 300 ms fetches one after another would take 900 ms.
    assert!(
        first < Duration::from_millis(850),
        "fetches were not concurrent: {first:?}"
    );
    f.export().unwrap();
    assert_eq!(
        server.hits.load(std::sync::atomic::Ordering::Relaxed),
        3,
        "the cache serves the second export"
    );
}

/// Every image format Easel decodes (PNG, JPEG, WebP, GIF) loads and shows its pixels; GIF
/// shows its first frame.
#[test]
fn every_decoded_image_format_shows_its_pixels() {
    let f = Fixture::new();
    let color = image::Rgba([200, 40, 90, 255]);
    let solid = image::RgbaImage::from_pixel(8, 8, color);
    let encode = |format: image::ImageFormat| {
        let mut bytes = Vec::new();
        let cursor = &mut std::io::Cursor::new(&mut bytes);
        match format {
            // JPEG has no alpha channel.
            image::ImageFormat::Jpeg => image::DynamicImage::ImageRgba8(solid.clone())
                .to_rgb8()
                .write_to(cursor, format)
                .unwrap(),
            _ => solid.write_to(cursor, format).unwrap(),
        }
        bytes
    };
    // A two-frame GIF: the first frame is the colour, the second black.
    let mut gif = Vec::new();
    {
        let mut encoder = image::codecs::gif::GifEncoder::new(&mut gif);
        let black = image::RgbaImage::from_pixel(8, 8, image::Rgba([0, 0, 0, 255]));
        for frame in [solid.clone(), black] {
            encoder.encode_frame(image::Frame::new(frame)).unwrap();
        }
    }
    for (name, bytes) in [
        ("png", encode(image::ImageFormat::Png)),
        ("jpeg", encode(image::ImageFormat::Jpeg)),
        ("webp", encode(image::ImageFormat::WebP)),
        ("gif", gif),
    ] {
        let uri = format!("buffer://image.{name}");
        f.engine.editor.register_buffer(&uri, bytes);
        let block = f.show(&uri);
        let out = image::load_from_memory(&f.export().unwrap_or_else(|e| panic!("{name}: {e}")))
            .unwrap()
            .to_rgba8();
        let got = out.get_pixel(10, 10).0;
        for (g, want) in got.iter().zip(color.0) {
            // JPEG and GIF's palette may shift a channel by a few levels.
            assert!(g.abs_diff(want) <= 6, "{name}: {got:?} vs {:?}", color.0);
        }
        assert_eq!(f.engine.block.state(block).unwrap(), ResourceState::Ready);
    }
}
