//! The CE.SDK guide "Edit or Remove Assets", step by step, on Easel.
//!
//! Runs offline: the sample images ship in `assets/samples/`. Pass `--base-url URL` (or set
//! `EASEL_SAMPLES_BASE_URL`) to fetch `URL/sample_N.jpg` over HTTP instead, e.g.
//! `--base-url https://img.ly/static/ubq_samples`. Pass `--store sqlite:PATH` (or a
//! `postgres://` URL) to keep the sources in a durable store: a second run finds the first
//! run's assets, and the audit trail lists every change.
//!
//! ```text
//! cargo run --release --example edit_or_remove_assets
//! ```

use easel::{
    AssetDefinition, AssetQuery, Engine, EngineConfig, ExportOptions, LocalSourceOptions, MimeType,
    SceneLayout,
};
use std::path::PathBuf;

/// The value of `--name VALUE` or `--name=VALUE`.
fn flag(name: &str) -> Option<String> {
    let mut args = std::env::args().skip(1);
    while let Some(arg) = args.next() {
        if arg == name {
            return args.next();
        }
        if let Some(value) = arg.strip_prefix(name).and_then(|r| r.strip_prefix('=')) {
            return Some(value.to_string());
        }
    }
    None
}

fn sample_base() -> String {
    if let Some(url) = flag("--base-url") {
        return url.trim_end_matches('/').to_string();
    }
    if let Ok(url) = std::env::var("EASEL_SAMPLES_BASE_URL")
        && !url.is_empty()
    {
        return url.trim_end_matches('/').to_string();
    }
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../assets/samples");
    dir.canonicalize().unwrap_or(dir).display().to_string()
}

fn image_asset(id: &str, label: &str, tags: &[&str], uri: String) -> AssetDefinition {
    AssetDefinition::new(id)
        .with_label("en", label)
        .with_tags("en", tags)
        .with_meta("uri", uri)
        .with_meta("blockType", "//ly.img.ubq/graphic")
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let base = sample_base();
    let sample = |n: u32| format!("{base}/sample_{n}.jpg");

    // Initialize the engine (cheap: the GPU starts at the first export), on a durable
    // store when `--store` names one.
    let store = match flag("--store") {
        Some(spec) => Some(easel_assets_db::open_store(&spec, "guide-example")?),
        None => None,
    };
    let engine = Engine::new(EngineConfig {
        assets: store,
        ..Default::default()
    });
    if engine.asset.has_source("server-uploads") {
        // A previous run's source, kept by the durable store: start the guide afresh.
        let left = engine.asset.asset_count("server-uploads")?.unwrap_or(0);
        println!("Found server-uploads from a previous run ({left} assets); starting over");
        engine.asset.remove_source("server-uploads")?;
    }

    // Create a design scene.
    engine
        .scene
        .create(SceneLayout::VerticalStack, Some((800.0, 600.0)))?;
    let page = engine.block.find_by_type("page")?[0];

    // ===== Section 1: Create a Local Asset Source =====
    engine
        .asset
        .add_local_source("server-uploads", LocalSourceOptions::default())?;
    engine.asset.add_asset_to_source(
        "server-uploads",
        image_asset("asset-1", "Sample Image 1", &["sample", "image"], sample(1)),
    )?;
    engine.asset.add_asset_to_source(
        "server-uploads",
        image_asset("asset-2", "Sample Image 2", &["sample", "photo"], sample(2)),
    )?;
    engine.asset.add_asset_to_source(
        "server-uploads",
        image_asset(
            "asset-3",
            "Sample Image 3",
            &["sample", "landscape"],
            sample(3),
        ),
    )?;
    println!("✓ Created local source with 3 assets");

    // ===== Section 2: Find Assets in a Source =====
    let result = engine.asset.find_assets(
        "server-uploads",
        &AssetQuery {
            query: Some("sample".into()),
            page: 0,
            per_page: 100,
            ..Default::default()
        },
    )?;
    println!("Found assets: {}", result.assets.len());
    for asset in &result.assets {
        println!("  - {}: {}", asset.id, asset.label.as_deref().unwrap_or(""));
    }

    // ===== Section 3: Update Asset Metadata =====
    // The guide removes and re-adds; Easel updates in place and keeps the asset's position.
    engine.asset.update_asset(
        "server-uploads",
        image_asset(
            "asset-1",
            "Updated Sample Image",
            &["sample", "image", "updated"],
            sample(1),
        ),
    )?;
    println!("✓ Updated asset-1 metadata");

    // ===== Section 4: Remove an Asset from a Source =====
    engine
        .asset
        .remove_asset_from_source("server-uploads", "asset-2")?;
    println!("✓ Removed asset-2 from server-uploads");
    let after_remove = engine
        .asset
        .find_assets("server-uploads", &AssetQuery::default())?;
    println!("Remaining assets: {}", after_remove.assets.len());

    // ===== Section 5: Notify UI of Changes =====
    engine
        .asset
        .asset_source_contents_changed("server-uploads")?;
    println!("✓ Notified UI of source changes");

    // ===== Section 6: Create a Temporary Source =====
    engine
        .asset
        .add_local_source("temp-source", LocalSourceOptions::default())?;
    engine.asset.add_asset_to_source(
        "temp-source",
        AssetDefinition::new("temp-asset")
            .with_label("en", "Temporary Asset")
            .with_meta("uri", sample(4))
            .with_meta("blockType", "//ly.img.ubq/graphic"),
    )?;
    println!("✓ Created temporary source with 1 asset");

    // ===== Section 7: Remove an Entire Asset Source =====
    engine.asset.remove_source("temp-source")?;
    println!("✓ Removed temp-source and all its assets");

    // ===== Section 8: Listen to Asset Source Events =====
    // Easel delivers these synchronously, so the lines below really print.
    let added = engine
        .asset
        .on_asset_source_added(|id| println!("Event: Source added - {id}"));
    let removed = engine
        .asset
        .on_asset_source_removed(|id| println!("Event: Source removed - {id}"));
    let updated = engine
        .asset
        .on_asset_source_updated(|id| println!("Event: Source updated - {id}"));
    engine
        .asset
        .add_local_source("event-demo", LocalSourceOptions::default())?;
    engine.asset.asset_source_contents_changed("event-demo")?;
    engine.asset.remove_source("event-demo")?;
    added.unsubscribe();
    removed.unsubscribe();
    updated.unsubscribe();

    // ===== Add an Image to the Scene =====
    let image_block = engine.block.create("graphic")?;
    engine
        .block
        .set_shape(image_block, engine.block.create_shape("rect")?)?;
    let image_fill = engine.block.create_fill("image")?;
    engine
        .block
        .set_string(image_fill, "fill/image/imageFileURI", &sample(1))?;
    engine.block.set_fill(image_block, image_fill)?;
    engine.block.set_width(image_block, 400.0)?;
    engine.block.set_height(image_block, 300.0)?;
    engine.block.set_position_x(image_block, 200.0)?;
    engine.block.set_position_y(image_block, 150.0)?;
    engine.block.append_child(page, image_block)?;

    // Export the result to PNG.
    std::fs::create_dir_all("output")?;
    let png = engine.block.export(
        page,
        &ExportOptions {
            mime_type: MimeType::Png,
            ..Default::default()
        },
    )?;
    std::fs::write("output/edit-or-remove-assets-result.png", png)?;
    println!("✓ Exported result to output/edit-or-remove-assets-result.png");

    // On a durable store, the audit trail of this run.
    if engine.asset.store().is_durable() {
        let log = engine.asset.changes(0, usize::MAX)?;
        println!(
            "Audit trail: {} changes in {}",
            log.len(),
            engine.asset.store().location()
        );
        for c in log.iter().rev().take(3).rev() {
            let asset = c.asset.as_deref().unwrap_or("-");
            println!(
                "  #{} {:?} {}/{asset} by {}",
                c.seq, c.kind, c.source, c.actor
            );
        }
    }

    // Always dispose the engine to free resources (dropping it does the same).
    engine.dispose();
    Ok(())
}
