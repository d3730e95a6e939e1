//! Helpers shared by the integration tests: the renderer helpers of `easel-render`'s own
//! tests (backends, image comparison), a loopback HTTP server, and scene building.

#![allow(dead_code)]

pub mod http;

#[path = "../../crates/easel-render/tests/support/mod.rs"]
mod render;

pub use render::*;

/// Appends to `parent` a graphic with a `shape` and an image fill showing `uri`, placed at
/// `(x, y)` with size `w × h`.
pub fn image_block(
    engine: &easel::Engine,
    parent: easel::BlockId,
    shape: &str,
    uri: &str,
    (x, y, w, h): (f32, f32, f32, f32),
) -> easel::BlockId {
    let block = engine.block.create("graphic").unwrap();
    engine
        .block
        .set_shape(block, engine.block.create_shape(shape).unwrap())
        .unwrap();
    let fill = engine.block.create_fill("image").unwrap();
    engine
        .block
        .set_string(fill, "fill/image/imageFileURI", uri)
        .unwrap();
    engine.block.set_fill(block, fill).unwrap();
    engine.block.set_position_x(block, x).unwrap();
    engine.block.set_position_y(block, y).unwrap();
    engine.block.set_width(block, w).unwrap();
    engine.block.set_height(block, h).unwrap();
    engine.block.append_child(parent, block).unwrap();
    block
}
