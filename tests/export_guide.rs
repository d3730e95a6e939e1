//! The guide's flow end to end, checked pixel by pixel, plus export options and regions.

use crate::support::{self, psnr};
use easel::{
    AssetDefinition, AssetQuery, BlockId, Engine, Error, ExportOptions, LocalSourceOptions,
    MimeType, SceneLayout,
};
use image::RgbaImage;

/// The guide's scene: an 800×600 page with sample_1 in a 400×300 rect at (200, 150).
fn guide_scene(engine: &Engine) -> (BlockId, BlockId) {
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((800.0, 600.0)))
        .unwrap()
        .page()
        .unwrap();
    let block = support::image_block(
        engine,
        page,
        "rect",
        &support::sample(1),
        (200.0, 150.0, 400.0, 300.0),
    );
    (page, block)
}

/// CPU reference: sample_1 (1600×1067) cover-cropped into 400×300, centred.
fn cover_reference() -> RgbaImage {
    let src = image::open(support::sample(1)).unwrap().to_rgba8();
    let s = (400.0f64 / 1600.0).max(300.0 / 1067.0);
    let crop_w = 400.0 / s;
    let x0 = (1600.0 - crop_w) / 2.0;
    let cropped =
        image::imageops::crop_imm(&src, x0.round() as u32, 0, crop_w.round() as u32, 1067)
            .to_image();
    image::imageops::resize(&cropped, 400, 300, image::imageops::FilterType::Triangle)
}

#[test]
fn the_guide_runs_end_to_end_and_the_png_is_right() {
    let engine = Engine::new(Default::default());
    let (page, _) = guide_scene(&engine);
    // The asset part of the guide, checked at each step.
    engine
        .asset
        .add_local_source("server-uploads", LocalSourceOptions::default())
        .unwrap();
    for (i, tags) in [
        (1, ["sample", "image"]),
        (2, ["sample", "photo"]),
        (3, ["sample", "landscape"]),
    ] {
        engine
            .asset
            .add_asset_to_source(
                "server-uploads",
                AssetDefinition::new(format!("asset-{i}"))
                    .with_label("en", &format!("Sample Image {i}"))
                    .with_tags("en", &tags)
                    .with_meta("uri", support::sample(i)),
            )
            .unwrap();
    }
    let found = engine
        .asset
        .find_assets(
            "server-uploads",
            &AssetQuery {
                query: Some("sample".into()),
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(
        found
            .assets
            .iter()
            .map(|a| a.label.clone().unwrap())
            .collect::<Vec<_>>(),
        ["Sample Image 1", "Sample Image 2", "Sample Image 3"]
    );
    engine
        .asset
        .remove_asset_from_source("server-uploads", "asset-2")
        .unwrap();
    assert_eq!(
        engine
            .asset
            .find_assets("server-uploads", &AssetQuery::default())
            .unwrap()
            .total,
        2
    );
    engine
        .asset
        .add_local_source("temp-source", LocalSourceOptions::default())
        .unwrap();
    engine.asset.remove_source("temp-source").unwrap();
    assert!(!engine.asset.has_source("temp-source"));

    let png = engine
        .block
        .export(page, &ExportOptions::default())
        .unwrap();
    assert_eq!(&png[1..4], b"PNG");
    let out = image::load_from_memory(&png).unwrap().to_rgba8();
    assert_eq!(out.dimensions(), (800, 600));
    for (x, y, p) in out.enumerate_pixels() {
        let inside = (200..600).contains(&x) && (150..450).contains(&y);
        if !inside {
            assert_eq!(
                p.0,
                [255, 255, 255, 255],
                "white outside the rect at ({x},{y})"
            );
        }
    }
    let crop = image::imageops::crop_imm(&out, 200, 150, 400, 300).to_image();
    let score = psnr(&crop, &cover_reference());
    println!("cover crop PSNR {score:.1} dB");
    assert!(score >= 30.0, "cover crop PSNR {score:.1} dB");
}

#[test]
fn every_format_and_the_raw_pixels_agree() {
    let engine = Engine::new(Default::default());
    let (page, _) = guide_scene(&engine);
    let raw = engine
        .block
        .export(
            page,
            &ExportOptions {
                mime_type: MimeType::RawRgba,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(raw.len(), 800 * 600 * 4);
    let raw = RgbaImage::from_raw(800, 600, raw).unwrap();
    for level in [0, 9] {
        let png = engine
            .block
            .export(
                page,
                &ExportOptions {
                    png_compression_level: level,
                    ..Default::default()
                },
            )
            .unwrap();
        assert_eq!(
            image::load_from_memory(&png).unwrap().to_rgba8(),
            raw,
            "PNG level {level} is lossless"
        );
    }
    let webp = engine
        .block
        .export(
            page,
            &ExportOptions {
                mime_type: MimeType::Webp,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(image::load_from_memory(&webp).unwrap().to_rgba8(), raw);
    let jpeg = engine
        .block
        .export(
            page,
            &ExportOptions {
                mime_type: MimeType::Jpeg,
                jpeg_quality: 0.9,
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(&jpeg[..2], [0xFF, 0xD8]);
    let back = image::load_from_memory(&jpeg).unwrap().to_rgba8();
    assert!(psnr(&back, &raw) > 30.0);
    assert_eq!(MimeType::parse("image/jpeg").unwrap(), MimeType::Jpeg);
    assert!(MimeType::parse("image/gif").is_err());
}

#[test]
fn bad_export_options_are_errors() {
    let engine = Engine::new(Default::default());
    let (page, _) = guide_scene(&engine);
    for options in [
        ExportOptions {
            jpeg_quality: 0.0,
            ..Default::default()
        },
        ExportOptions {
            jpeg_quality: 1.5,
            ..Default::default()
        },
        ExportOptions {
            png_compression_level: 10,
            ..Default::default()
        },
        ExportOptions {
            target_width: Some(f32::NAN),
            target_height: Some(10.0),
            ..Default::default()
        },
        ExportOptions {
            target_width: Some(-5.0),
            ..Default::default()
        },
    ] {
        assert!(
            matches!(
                engine.block.export(page, &options),
                Err(Error::InvalidExportOption { .. })
            ),
            "{options:?}"
        );
    }
    let shape = engine.block.create_shape("rect").unwrap();
    assert!(matches!(
        engine.block.export(shape, &ExportOptions::default()),
        Err(Error::NotExportable { .. })
    ));
    let empty = engine.block.create("graphic").unwrap();
    engine.block.set_width(empty, 0.0).unwrap();
    assert!(matches!(
        engine.block.export(empty, &ExportOptions::default()),
        Err(Error::NotExportable { .. })
    ));
}

#[test]
fn regions_pages_graphics_scenes_and_target_sizes() {
    let engine = Engine::new(Default::default());
    let (page, block) = guide_scene(&engine);
    let size = |id, options: &ExportOptions| {
        let png = engine.block.export(id, options).unwrap();
        image::load_from_memory(&png)
            .unwrap()
            .to_rgba8()
            .dimensions()
    };
    assert_eq!(size(block, &ExportOptions::default()), (400, 300));
    let cover = ExportOptions {
        target_width: Some(200.0),
        target_height: Some(200.0),
        ..Default::default()
    };
    assert_eq!(
        size(page, &cover),
        (267, 200),
        "the output covers the target box"
    );
    let only_w = ExportOptions {
        target_width: Some(200.0),
        ..Default::default()
    };
    assert_eq!(
        size(page, &only_w),
        (800, 600),
        "one side alone is ignored, as in the reference"
    );
    let scene = engine.scene.get().unwrap();
    let stack = engine.block.find_by_type("stack").unwrap()[0];
    let second = engine.block.create("page").unwrap();
    engine.block.set_width(second, 800.0).unwrap();
    engine.block.set_height(second, 200.0).unwrap();
    engine.block.append_child(stack, second).unwrap();
    assert_eq!(
        size(scene, &ExportOptions::default()),
        (800, 800),
        "a scene exports all its pages"
    );
    assert_eq!(size(second, &ExportOptions::default()), (800, 200));
    // A graphic's export has a transparent surround when rotated.
    engine
        .block
        .set_rotation(block, std::f32::consts::FRAC_PI_4)
        .unwrap();
    let png = engine
        .block
        .export(block, &ExportOptions::default())
        .unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgba8();
    assert_eq!(img.dimensions(), (495, 495));
    assert_eq!(img.get_pixel(2, 2)[3], 0);
    assert_eq!(img.get_pixel(247, 247)[3], 255);
}

#[test]
fn invisible_and_excluded_blocks_are_not_drawn() {
    let engine = Engine::new(Default::default());
    let (page, block) = guide_scene(&engine);
    engine.block.set_visible(block, false).unwrap();
    let png = engine
        .block
        .export(page, &ExportOptions::default())
        .unwrap();
    let img = image::load_from_memory(&png).unwrap().to_rgba8();
    assert!(img.pixels().all(|p| p.0 == [255, 255, 255, 255]));
}
