//! Helpers shared by the integration tests: the renderer helpers of `easel-render`'s own
//! tests (backends, image comparison), a loopback HTTP server, and scene building.

#![allow(dead_code)]

pub mod http;

#[path = "../../crates/easel-render/tests/support/mod.rs"]
mod render;

pub use render::*;

/// A default engine with a fresh scene and one `w × h` page.
pub fn engine_with_page(w: f32, h: f32) -> (easel::Engine, easel::BlockId) {
    let engine = easel::Engine::new(Default::default());
    let page = engine
        .scene
        .create(easel::SceneLayout::VerticalStack, Some((w, h)))
        .unwrap()
        .page()
        .unwrap();
    (engine, page)
}

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

/// An 8 × 8 PNG of one colour.
pub fn solid_png(color: [u8; 4]) -> Vec<u8> {
    let mut out = Vec::new();
    image::RgbaImage::from_pixel(8, 8, image::Rgba(color))
        .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
        .unwrap();
    out
}

/// The CRC-32 of PNG chunks.
pub fn crc32(data: &[u8]) -> u32 {
    let mut crc = !0u32;
    for b in data {
        crc ^= *b as u32;
        for _ in 0..8 {
            crc = if crc & 1 != 0 {
                (crc >> 1) ^ 0xEDB8_8320
            } else {
                crc >> 1
            };
        }
    }
    !crc
}

/// A PNG whose header claims `w × h` pixels and whose data is empty: a decompression bomb
/// as far as the header is concerned.
pub fn png_header_only(w: u32, h: u32) -> Vec<u8> {
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut ihdr = b"IHDR".to_vec();
    ihdr.extend(w.to_be_bytes());
    ihdr.extend(h.to_be_bytes());
    ihdr.extend([8, 6, 0, 0, 0]);
    out.extend(13u32.to_be_bytes());
    out.extend(&ihdr);
    out.extend(crc32(&ihdr).to_be_bytes());
    // A token IDAT (an empty zlib stream): the decoder reads the header up to here.
    let idat = [
        b'I', b'D', b'A', b'T', 0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01,
    ];
    out.extend(8u32.to_be_bytes());
    out.extend(idat);
    out.extend(crc32(&idat).to_be_bytes());
    out.extend(0u32.to_be_bytes());
    out.extend(b"IEND");
    out.extend(crc32(b"IEND").to_be_bytes());
    out
}

/// The path of `assets/samples/sample_{n}.jpg`, as an image URI.
pub fn sample(n: u32) -> String {
    repo()
        .join(format!("assets/samples/sample_{n}.jpg"))
        .canonicalize()
        .unwrap()
        .display()
        .to_string()
}

/// A scene with one `w × h` page in a vertical stack; returns the page.
pub fn page(engine: &easel::Engine, w: f32, h: f32) -> easel::BlockId {
    engine
        .scene
        .create(easel::SceneLayout::VerticalStack, Some((w, h)))
        .unwrap()
        .page()
        .unwrap()
}
