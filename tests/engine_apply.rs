//! `engine.asset.apply` / `apply_to_block`, content files from URIs, and the engine itself.

use crate::support::http::{Reply, Server};
use crate::support::repo;
use easel::{
    AssetDefinition, AssetQuery, BlockId, Color, Engine, EngineConfig, Error, ExportOptions,
    LocalSourceOptions, SceneLayout,
};
use serde_json::json;

fn engine_with_page() -> (Engine, BlockId) {
    let engine = Engine::new(Default::default());
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((800.0, 600.0)))
        .unwrap()
        .page;
    engine
        .asset
        .add_local_source("imgs", LocalSourceOptions::default())
        .unwrap();
    (engine, page)
}

fn result(engine: &Engine, def: AssetDefinition) -> easel::AssetResult {
    let id = def.id.clone();
    engine.asset.add_asset_to_source("imgs", def).unwrap();
    engine
        .asset
        .fetch_asset("imgs", &id, None)
        .unwrap()
        .unwrap()
}

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() < 0.01
}

#[test]
fn apply_creates_exactly_a_sized_centred_image_graphic() {
    let (engine, page) = engine_with_page();
    let before = engine.block.find_all().len();
    let asset = result(
        &engine,
        AssetDefinition::new("portrait")
            .with_label("en", "Portrait")
            .with_meta("uri", "https://example.com/p.jpg")
            .with_meta("width", 1200)
            .with_meta("height", 1600),
    );
    let block = engine.asset.apply("imgs", &asset).unwrap();
    assert_eq!(
        engine.block.find_all().len(),
        before + 3,
        "graphic, shape and fill"
    );
    assert_eq!(engine.block.parent(block).unwrap(), Some(page));
    assert_eq!(engine.block.type_of(block).unwrap(), "//ly.img.ubq/graphic");
    let shape = engine.block.shape(block).unwrap().unwrap();
    assert_eq!(
        engine.block.type_of(shape).unwrap(),
        "//ly.img.ubq/shape/rect"
    );
    let fill = engine.block.fill(block).unwrap().unwrap();
    assert_eq!(
        engine.block.type_of(fill).unwrap(),
        "//ly.img.ubq/fill/image"
    );
    assert_eq!(
        engine
            .block
            .get_string(fill, "fill/image/imageFileURI")
            .unwrap(),
        "https://example.com/p.jpg"
    );
    // Fits within 8/13 of the page, as the reference engine sizes it: 276.92 × 369.23.
    let (w, h) = (
        engine.block.width(block).unwrap(),
        engine.block.height(block).unwrap(),
    );
    assert!(close(w, 276.923) && close(h, 369.231), "{w} × {h}");
    assert!(close(
        engine.block.position_x(block).unwrap(),
        (800.0 - w) / 2.0
    ));
    assert!(close(
        engine.block.position_y(block).unwrap(),
        (600.0 - h) / 2.0
    ));
    assert_eq!(engine.block.name(block).unwrap(), "Portrait");
    assert_eq!(
        engine.block.metadata(block, "asset/id").unwrap().as_deref(),
        Some("portrait")
    );
    // No size: a square of 8/13 of the shorter page side.
    let square = result(
        &engine,
        AssetDefinition::new("sq").with_meta("uri", "a.jpg"),
    );
    let b = engine.asset.default_apply_asset("imgs", &square).unwrap();
    assert!(
        close(engine.block.width(b).unwrap(), 369.231)
            && close(engine.block.height(b).unwrap(), 369.231)
    );
    // Sizes given as strings work too (the reference engine stores meta as strings).
    let strings = result(
        &engine,
        AssetDefinition::new("str")
            .with_meta("uri", "a.jpg")
            .with_meta("width", "100")
            .with_meta("height", "400"),
    );
    let b = engine.asset.apply("imgs", &strings).unwrap();
    assert!(close(engine.block.width(b).unwrap(), 92.308));
    assert_eq!(engine.block.children(page).unwrap().len(), 3);
}

#[test]
fn colour_assets_and_bad_assets() {
    let (engine, page) = engine_with_page();
    let red = result(
        &engine,
        AssetDefinition {
            id: "red".into(),
            payload: json!({"color": {"r": 1.0, "g": 0.0, "b": 0.0}})
                .as_object()
                .unwrap()
                .clone()
                .into(),
            ..Default::default()
        },
    );
    let b = engine.asset.apply("imgs", &red).unwrap();
    assert_eq!(
        engine.block.fill_color(b).unwrap(),
        Color::rgb(1.0, 0.0, 0.0)
    );
    let hex = result(
        &engine,
        AssetDefinition {
            id: "hex".into(),
            payload: json!({"color": "#00ff0080"})
                .as_object()
                .unwrap()
                .clone()
                .into(),
            ..Default::default()
        },
    );
    let b2 = engine.asset.apply("imgs", &hex).unwrap();
    assert_eq!(engine.block.fill_color(b2).unwrap().a, 128.0 / 255.0);
    let count = engine.block.find_all().len();
    let nothing = result(
        &engine,
        AssetDefinition::new("nothing").with_meta("blockType", "//ly.img.ubq/graphic"),
    );
    let e = engine.asset.apply("imgs", &nothing).unwrap_err();
    assert!(
        matches!(&e, Error::InvalidAsset { asset, .. } if asset == "nothing"),
        "{e}"
    );
    assert_eq!(engine.block.find_all().len(), count, "nothing created");
    let fresh = Engine::new(Default::default());
    assert!(
        fresh.asset.apply("imgs", &red).is_err(),
        "no scene, no page"
    );
    assert_eq!(engine.block.children(page).unwrap().len(), 2);
}

#[test]
fn apply_to_block_changes_exactly_the_fill() {
    let (engine, _page) = engine_with_page();
    let first = result(
        &engine,
        AssetDefinition::new("a").with_meta("uri", "one.jpg"),
    );
    let second = result(
        &engine,
        AssetDefinition::new("b").with_meta("uri", "two.jpg"),
    );
    let block = engine.asset.apply("imgs", &first).unwrap();
    let fill = engine.block.fill(block).unwrap().unwrap();
    let (w, count) = (
        engine.block.width(block).unwrap(),
        engine.block.find_all().len(),
    );
    engine.asset.apply_to_block("imgs", &second, block).unwrap();
    assert_eq!(
        engine.block.fill(block).unwrap(),
        Some(fill),
        "the image fill is kept"
    );
    assert_eq!(
        engine
            .block
            .get_string(fill, "fill/image/imageFileURI")
            .unwrap(),
        "two.jpg"
    );
    assert_eq!(engine.block.width(block).unwrap(), w, "size unchanged");
    assert_eq!(engine.block.find_all().len(), count);
    assert_eq!(
        engine.block.metadata(block, "asset/id").unwrap().as_deref(),
        Some("b")
    );
    // A colour asset replaces the image fill with a colour fill; the old fill is destroyed.
    let blue = result(
        &engine,
        AssetDefinition {
            id: "blue".into(),
            payload: json!({"color": {"r": 0.0, "g": 0.0, "b": 1.0, "a": 1.0}})
                .as_object()
                .unwrap()
                .clone()
                .into(),
            ..Default::default()
        },
    );
    engine.asset.apply_to_block("imgs", &blue, block).unwrap();
    assert!(!engine.block.is_valid(fill));
    assert_eq!(
        engine.block.fill_color(block).unwrap(),
        Color::rgb(0.0, 0.0, 1.0)
    );
    assert_eq!(engine.block.find_all().len(), count);
    let shape = engine.block.shape(block).unwrap().unwrap();
    assert!(
        engine.asset.apply_to_block("imgs", &second, shape).is_err(),
        "shapes take no fill"
    );
}

#[test]
fn content_files_load_from_paths_and_http() {
    let engine = Engine::new(Default::default());
    let path = repo().join("crates/easel-assets/tests/conformance/fixtures/json-uri/content.json");
    let id = engine
        .asset
        .add_local_source_from_json_uri(&path.display().to_string(), None)
        .unwrap();
    let u1 = engine.asset.fetch_asset(&id, "u1", None).unwrap().unwrap();
    let folder = path.parent().unwrap().display().to_string();
    assert_eq!(*u1.meta.get("uri").unwrap(), format!("{folder}/u1.jpg"));
    let body = std::fs::read(&path).unwrap();
    let server = Server::start(vec![("/lib/content.json", Reply::Body(200, body))]);
    let other = Engine::new(Default::default());
    let id = other
        .asset
        .add_local_source_from_json_uri(&server.url("/lib/content.json"), Some(&["u2"]))
        .unwrap();
    let found = other
        .asset
        .find_assets(&id, &AssetQuery::default())
        .unwrap();
    assert_eq!(found.assets.len(), 1);
    assert_eq!(
        *found.assets[0].meta.get("uri").unwrap(),
        server.url("/lib/../sample_2.jpg")
    );
    assert!(
        other
            .asset
            .add_local_source_from_json_uri(&server.url("/missing.json"), None)
            .is_err()
    );
}

#[test]
fn engines_are_cheap_send_and_run_side_by_side() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<Engine>();
    let engine = Engine::new(Default::default());
    engine
        .asset
        .add_local_source("x", Default::default())
        .unwrap();
    assert!(engine.adapter().is_none(), "managing assets starts no GPU");
    let sample = repo()
        .join("assets/samples/sample_4.jpg")
        .display()
        .to_string();
    let sizes: Vec<(u32, u32)> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..3u32)
            .map(|i| {
                let sample = sample.clone();
                s.spawn(move || {
                    let engine = Engine::new(Default::default());
                    let page = engine
                        .scene
                        .create(SceneLayout::Free, Some((100.0 + i as f32, 80.0)))
                        .unwrap()
                        .page;
                    crate::support::image_block(
                        &engine,
                        page,
                        "ellipse",
                        &sample,
                        (0.0, 0.0, 100.0, 100.0),
                    );
                    let png = engine
                        .block
                        .export(page, &ExportOptions::default())
                        .unwrap();
                    assert!(engine.adapter().is_some());
                    image::load_from_memory(&png)
                        .unwrap()
                        .to_rgba8()
                        .dimensions()
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(sizes, [(100, 80), (101, 80), (102, 80)]);
}

#[test]
fn scenes_save_and_load_through_the_engine() {
    let (engine, page) = engine_with_page();
    let asset = result(&engine, AssetDefinition::new("a").with_meta("uri", "x.jpg"));
    engine.asset.apply("imgs", &asset).unwrap();
    let saved = engine.scene.save_to_string().unwrap();
    let other = Engine::new(Default::default());
    other.scene.load_from_string(&saved).unwrap();
    assert_eq!(other.scene.save_to_string().unwrap(), saved);
    let pages = other.scene.pages().unwrap();
    assert_eq!(pages.len(), 1);
    assert_eq!(
        other.block.children(pages[0]).unwrap().len(),
        engine.block.children(page).unwrap().len()
    );
    assert!(other.scene.load_from_string("{").is_err());
    assert_eq!(
        other.scene.save_to_string().unwrap(),
        saved,
        "a failed load changes nothing"
    );
}

#[test]
fn exports_recover_after_the_device_is_lost() {
    // Non-default renderer options give this engine its own renderer, so destroying its
    // device cannot disturb the tests that share the process-wide one.
    // A GPU backend: the CPU backend has no device to lose.
    let Some(gpu) = crate::support::gpu_backends().first().copied() else {
        return;
    };
    let engine = Engine::new(EngineConfig {
        renderer: easel::render::RendererOptions {
            backend: Some(gpu),
            supersample: 1,
            ..Default::default()
        },
        ..Default::default()
    });
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((64.0, 48.0)))
        .unwrap()
        .page;
    let sample = repo()
        .join("assets/samples/sample_4.jpg")
        .display()
        .to_string();
    crate::support::image_block(&engine, page, "ellipse", &sample, (4.0, 4.0, 40.0, 30.0));
    let before = engine
        .block
        .export(page, &ExportOptions::default())
        .unwrap();
    engine.renderer().unwrap().simulate_device_loss();
    let e = engine
        .block
        .export(page, &ExportOptions::default())
        .unwrap_err();
    assert!(
        matches!(e, Error::Render(easel::render::Error::DeviceLost(_))),
        "{e}"
    );
    let after = engine
        .block
        .export(page, &ExportOptions::default())
        .unwrap();
    assert_eq!(after, before, "a fresh device draws the same");
}
