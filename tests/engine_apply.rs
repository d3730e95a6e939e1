//! `engine.asset.apply` / `apply_to_block`, content files from URIs, and the engine itself.

use crate::support::http::{Reply, Server};
use crate::support::repo;
use easel::{
    AssetDefinition, AssetQuery, BlockId, Color, Engine, EngineConfig, Error, ExportOptions,
    LocalSourceOptions, SceneLayout,
};
use serde_json::json;

fn engine_with_page() -> (Engine, BlockId) {
    let (engine, page) = crate::support::engine_with_page(800.0, 600.0);
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

fn image(id: &str, uri: &str) -> AssetDefinition {
    AssetDefinition::new(id)
        .with_meta("uri", uri)
        .with_meta("blockType", "//ly.img.ubq/graphic")
        .with_meta("fillType", "//ly.img.ubq/fill/image")
}

fn fill_type(engine: &Engine, block: BlockId) -> String {
    let fill = engine.block.fill(block).unwrap().unwrap();
    engine.block.type_of(fill).unwrap()
}

#[test]
fn apply_creates_exactly_a_sized_centred_image_graphic() {
    // Reference (CE.SDK 1.79, apply of `{uri, blockType, fillType: fill/image, width,
    // height}`): a graphic with a rect shape and an image fill of the URI on the page,
    // fitted within 8/13 of the page (1600×1067 on 800×600 → 492.3×328.3; 100×50 is scaled
    // up to 492.3×246.2), an empty name, `meta.kind` as its kind.
    let (engine, page) = engine_with_page();
    let before = engine.block.find_all().len();
    let asset = result(
        &engine,
        image("portrait", "https://example.com/p.jpg")
            .with_label("en", "Portrait")
            .with_meta("kind", "image")
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
    assert_eq!(fill_type(&engine, block), "//ly.img.ubq/fill/image");
    let fill = engine.block.fill(block).unwrap().unwrap();
    assert_eq!(
        engine
            .block
            .get_string(fill, "fill/image/imageFileURI")
            .unwrap(),
        "https://example.com/p.jpg"
    );
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
    assert_eq!(
        engine.block.name(block).unwrap(),
        "",
        "the reference names nothing"
    );
    assert_eq!(engine.block.kind(block).unwrap(), "image");
    assert_eq!(
        engine.block.metadata(block, "asset/id").unwrap().as_deref(),
        Some("portrait")
    );
    // Small images are scaled up to fit, as the reference does (100×50 → 492.3×246.2).
    let small = result(
        &engine,
        image("small", "s.jpg")
            .with_meta("width", "100")
            .with_meta("height", "50"),
    );
    let b = engine.asset.apply("imgs", &small).unwrap();
    assert!(close(engine.block.width(b).unwrap(), 492.308));
    assert!(close(engine.block.height(b).unwrap(), 246.154));
    assert_eq!(engine.block.kind(b).unwrap(), "");
    // No size: a square of 8/13 of the shorter page side (reference: 369.23).
    let square = result(&engine, image("sq", "a.jpg"));
    let b = engine.asset.default_apply_asset("imgs", &square).unwrap();
    assert!(
        close(engine.block.width(b).unwrap(), 369.231)
            && close(engine.block.height(b).unwrap(), 369.231)
    );
    assert_eq!(engine.block.children(page).unwrap().len(), 3);
}

#[test]
fn assets_without_a_fill_type_apply_as_black_rects() {
    // Reference: an asset with a URI but no `meta.fillType` — with or without
    // `meta.blockType: graphic` (the guide's assets), or without any URI — applies as a rect
    // with the default colour fill (opaque black), fitted as usual; so does a colour asset
    // without a fill type.
    let (engine, page) = engine_with_page();
    let guide = result(
        &engine,
        AssetDefinition::new("guide")
            .with_meta("uri", "https://example.com/g.jpg")
            .with_meta("blockType", "//ly.img.ubq/graphic")
            .with_meta("width", 1600)
            .with_meta("height", 1067),
    );
    let no_uri = result(&engine, AssetDefinition::new("bare"));
    let red_untyped = result(
        &engine,
        AssetDefinition {
            id: "red-untyped".into(),
            payload: json!({"color": {"r": 1.0, "g": 0.0, "b": 0.0}})
                .as_object()
                .unwrap()
                .clone()
                .into(),
            ..Default::default()
        },
    );
    for (asset, w, h) in [
        (&guide, 492.308, 328.308),
        (&no_uri, 369.231, 369.231),
        (&red_untyped, 369.231, 369.231),
    ] {
        let b = engine.asset.apply("imgs", asset).unwrap();
        assert_eq!(
            fill_type(&engine, b),
            "//ly.img.ubq/fill/color",
            "{}",
            asset.id
        );
        assert_eq!(
            engine.block.fill_color(b).unwrap(),
            Color::BLACK,
            "{}",
            asset.id
        );
        assert!(
            close(engine.block.width(b).unwrap(), w) && close(engine.block.height(b).unwrap(), h),
            "{}",
            asset.id
        );
    }
    assert_eq!(engine.block.children(page).unwrap().len(), 3);
}

#[test]
fn colour_assets_and_bad_assets() {
    let (engine, page) = engine_with_page();
    let colour = |id: &str, c: serde_json::Value| {
        let mut def = AssetDefinition {
            id: id.into(),
            payload: json!({ "color": c }).as_object().unwrap().clone().into(),
            ..Default::default()
        };
        def = def.with_meta("fillType", "//ly.img.ubq/fill/color");
        result(&engine, def)
    };
    let red = colour("red", json!({"r": 1.0, "g": 0.0, "b": 0.0}));
    let b = engine.asset.apply("imgs", &red).unwrap();
    assert_eq!(
        engine.block.fill_color(b).unwrap(),
        Color::rgb(1.0, 0.0, 0.0)
    );
    let hex = colour("hex", json!("#00ff0080"));
    let b2 = engine.asset.apply("imgs", &hex).unwrap();
    assert_eq!(engine.block.fill_color(b2).unwrap().a, 128.0 / 255.0);
    // An image fill type without a URI cannot be applied (the reference throws too).
    let count = engine.block.find_all().len();
    let broken = result(
        &engine,
        AssetDefinition::new("nothing")
            .with_meta("blockType", "//ly.img.ubq/graphic")
            .with_meta("fillType", "//ly.img.ubq/fill/image"),
    );
    let e = engine.asset.apply("imgs", &broken).unwrap_err();
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
fn apply_to_block_replaces_only_an_image_fills_uri() {
    // Reference: applyToBlock of an image asset onto an image block replaces the URI;
    // onto a block with a colour fill it changes nothing (the colour fill stays, valid);
    // a colour asset is refused: "'uri' not found in asset 'meta'. Can't replace."
    let (engine, page) = engine_with_page();
    let first = result(&engine, image("a", "one.jpg"));
    let second = result(&engine, image("b", "two.jpg"));
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
        "the fill is kept"
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
    // Onto a colour-filled block: nothing changes.
    let target = engine.block.create("graphic").unwrap();
    engine
        .block
        .set_shape(target, engine.block.create_shape("rect").unwrap())
        .unwrap();
    let colour_fill = engine.block.create_fill("color").unwrap();
    engine.block.set_fill(target, colour_fill).unwrap();
    engine.block.append_child(page, target).unwrap();
    engine
        .asset
        .apply_to_block("imgs", &second, target)
        .unwrap();
    assert_eq!(engine.block.fill(target).unwrap(), Some(colour_fill));
    assert!(engine.block.is_valid(colour_fill));
    // A colour asset has no URI to replace with.
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
    let e = engine
        .asset
        .apply_to_block("imgs", &blue, block)
        .unwrap_err();
    assert!(
        matches!(&e, Error::InvalidAsset { asset, .. } if asset == "blue"),
        "{e}"
    );
    assert_eq!(
        engine
            .block
            .get_string(fill, "fill/image/imageFileURI")
            .unwrap(),
        "two.jpg"
    );
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
    // Reference: `{{base_url}}/img/x.png` in `…/site/sub/content.json` loaded by URI
    // becomes `…/site/img/x.png`: the placeholder resolves against the file's folder like a
    // relative URL, landing in the folder above.
    let u1 = engine.asset.fetch_asset(&id, "u1", None).unwrap().unwrap();
    let above = path
        .parent()
        .unwrap()
        .parent()
        .unwrap()
        .display()
        .to_string();
    assert_eq!(*u1.meta.get("uri").unwrap(), format!("{above}/u1.jpg"));
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
    // Over HTTP the URL resolution also folds `..`: `/lib/content.json` → `/sample_2.jpg`.
    assert_eq!(
        *found.assets[0].meta.get("uri").unwrap(),
        server.url("/sample_2.jpg")
    );
    assert!(
        other
            .asset
            .add_local_source_from_json_uri(&server.url("/missing.json"), None)
            .is_err()
    );
}

#[test]
fn base_url_resolves_as_the_reference_does_and_loading_announces_added_then_updated() {
    // Reference: from a string with base `https://cdn.example.com/pack/`,
    // `{{base_url}}/img/x.png` → `https://cdn.example.com/pack/img/x.png` and
    // `{{base_url}}x-thumb.png` → `https://cdn.example.com/pack/x-thumb.png`; without a base
    // the engine's own base URL is used (never the placeholder); each load sends
    // onAssetSourceAdded and then onAssetSourceUpdated.
    let json = r#"{"version": "2.0.0", "id": "pack", "assets": [{"id": "x",
        "meta": {"uri": "{{base_url}}/img/x.png", "thumbUri": "{{base_url}}x-thumb.png"}}]}"#;
    let engine = Engine::new(Default::default());
    let events = engine.asset.subscribe();
    let id = engine
        .asset
        .add_local_source_from_json_str(json, Some("https://cdn.example.com/pack/"), None)
        .unwrap();
    let x = engine.asset.fetch_asset(&id, "x", None).unwrap().unwrap();
    assert_eq!(
        *x.meta.get("uri").unwrap(),
        "https://cdn.example.com/pack/img/x.png"
    );
    assert_eq!(
        x.meta.get("thumbUri").unwrap(),
        "https://cdn.example.com/pack/x-thumb.png"
    );
    let kinds: Vec<_> = events.try_iter().map(|e| e.kind).collect();
    assert_eq!(
        kinds,
        [
            easel::AssetSourceEventKind::Added,
            easel::AssetSourceEventKind::Updated
        ]
    );
    // No base: the editor's base path, else the working directory.
    let engine = Engine::new(EngineConfig {
        settings: easel::EditorSettings {
            base_path: Some("https://assets.example.com/v1/".into()),
            ..Default::default()
        },
        ..Default::default()
    });
    let id = engine
        .asset
        .add_local_source_from_json_str(json, None, None)
        .unwrap();
    let x = engine.asset.fetch_asset(&id, "x", None).unwrap().unwrap();
    assert_eq!(
        *x.meta.get("uri").unwrap(),
        "https://assets.example.com/v1/img/x.png"
    );
    let engine = Engine::new(Default::default());
    let id = engine
        .asset
        .add_local_source_from_json_str(json, None, None)
        .unwrap();
    let x = engine.asset.fetch_asset(&id, "x", None).unwrap().unwrap();
    let uri = x.meta.get("uri").unwrap().as_str().unwrap();
    assert!(
        uri.starts_with("file:///") && uri.ends_with("/img/x.png"),
        "{uri}"
    );
    assert!(!uri.contains("{{base_url}}"));
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
    let sample = crate::support::sample(4);
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
                        .page()
                        .unwrap();
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
        .page()
        .unwrap();
    let sample = crate::support::sample(4);
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
