//! An export reads the scene once: edits racing against it give the old or the new
//! picture, never a mix and never a missing image.

use crate::support::image_block;
use easel::{Engine, ExportOptions, MimeType, SceneLayout};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

#[test]
fn edits_racing_exports_give_the_old_or_the_new_image() {
    let engine = Arc::new(Engine::new(Default::default()));
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((32.0, 32.0)))
        .unwrap()
        .page()
        .unwrap();
    let (red, blue) = ([220, 20, 20, 255], [20, 20, 220, 255]);
    engine
        .editor
        .register_buffer("buffer://red", crate::support::solid_png(red));
    engine
        .editor
        .register_buffer("buffer://blue", crate::support::solid_png(blue));
    let block = image_block(
        &engine,
        page,
        "rect",
        "buffer://red",
        (0.0, 0.0, 32.0, 32.0),
    );
    let fill = engine.block.fill(block).unwrap().unwrap();
    let stop = Arc::new(AtomicBool::new(false));
    let editor = {
        let (engine, stop) = (engine.clone(), stop.clone());
        std::thread::spawn(move || {
            let mut edits = 0u32;
            while !stop.load(Ordering::Relaxed) {
                let uri = if edits.is_multiple_of(2) {
                    "buffer://blue"
                } else {
                    "buffer://red"
                };
                engine
                    .block
                    .set_string(fill, "fill/image/imageFileURI", uri)
                    .unwrap();
                // Resize too, so layout and region change between snapshots.
                engine
                    .block
                    .set_width(block, 32.0 - (edits % 2) as f32)
                    .unwrap();
                edits += 1;
            }
            edits
        })
    };
    let options = ExportOptions {
        mime_type: MimeType::RawRgba,
        ..Default::default()
    };
    let mut seen = [0u32; 2];
    for i in 0..200 {
        let raw = engine
            .block
            .export(page, &options)
            .unwrap_or_else(|e| panic!("export {i}: {e}"));
        let centre = &raw[(16 * 32 + 8) * 4..(16 * 32 + 8) * 4 + 4];
        match centre {
            p if p == red => seen[0] += 1,
            p if p == blue => seen[1] += 1,
            other => panic!("export {i}: the centre is {other:?}, neither image"),
        }
    }
    stop.store(true, Ordering::Relaxed);
    let edits = editor.join().unwrap();
    assert!(edits > 0, "the editor thread made no edits");
    println!("red {} blue {} over {edits} edits", seen[0], seen[1]);
}
