//! Encoders for rendered frames: PNG (this crate's parallel encoder at the fast level, zlib
//! levels through the `png` crate), JPEG (jpeg-encoder, in parallel strips), lossless WebP,
//! and raw RGBA.

mod deflate;
mod fast_png;
mod strip_jpeg;

use crate::{Error, Result};
use image::RgbaImage;

fn encode_error(format: &str, e: impl std::fmt::Display) -> Error {
    Error::Encode {
        format: format.into(),
        message: e.to_string(),
    }
}

/// Encodes PNG. `level` 1 (the default) is fdeflate's scheme (Up filter, Huffman-coded
/// bytes, runs of zeros): fdeflate itself below a megapixel, and from a megapixel this
/// crate's encoder of the same scheme, which compresses pieces of the image on every core.
/// 0 stores, and 2–9 use zlib levels (through the `png` crate) for smaller files.
pub fn encode_png(image: &RgbaImage, level: u8) -> Result<Vec<u8>> {
    if level > 9 {
        return Err(Error::InvalidOption {
            option: "PNG compression level".into(),
            value: level.to_string(),
            reason: "must be within 0..=9".into(),
        });
    }
    let pixels = u64::from(image.width()) * u64::from(image.height());
    if level == 1 && pixels >= fast_png::PARALLEL_MIN_PIXELS as u64 {
        return Ok(fast_png::encode(
            image.as_raw(),
            image.width(),
            image.height(),
        ));
    }
    let mut out = Vec::with_capacity(image.as_raw().len() / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, image.width(), image.height());
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_deflate_compression(match level {
            0 => png::DeflateCompression::NoCompression,
            // Below a megapixel one thread suffices, and fdeflate is the fastest there.
            1 => png::DeflateCompression::FdeflateUltraFast,
            n => png::DeflateCompression::Level(n),
        });
        if level == 1 {
            encoder.set_filter(png::Filter::Up);
        }
        let mut writer = encoder.write_header().map_err(|e| encode_error("PNG", e))?;
        writer
            .write_image_data(image.as_raw())
            .map_err(|e| encode_error("PNG", e))?;
        writer.finish().map_err(|e| encode_error("PNG", e))?;
    }
    Ok(out)
}

/// Encodes JPEG at `quality` 1–100 with 4:2:0 chroma subsampling, in strips on every core
/// for images of a megapixel and more. JPEG has no alpha: translucent pixels are composited
/// over white first.
pub fn encode_jpeg(image: &RgbaImage, quality: u8) -> Result<Vec<u8>> {
    if !(1..=100).contains(&quality) {
        return Err(Error::InvalidOption {
            option: "JPEG quality".into(),
            value: quality.to_string(),
            reason: "must be within 1..=100".into(),
        });
    }
    let (w, h) = image.dimensions();
    if w > u16::MAX as u32 || h > u16::MAX as u32 {
        return Err(encode_error(
            "JPEG",
            format!("{w}x{h} exceeds 65535 pixels per side"),
        ));
    }
    let raw = image.as_raw();
    if raw.chunks_exact(4).all(|p| p[3] == 255) {
        // Opaque (the usual page): the encoder reads RGBA as is, no conversion copy.
        strip_jpeg::encode(raw, w as u16, h as u16, 4, quality)
    } else {
        let mut rgb = Vec::with_capacity((w * h * 3) as usize);
        for p in raw.chunks_exact(4) {
            let a = p[3] as u32;
            for c in &p[..3] {
                rgb.push(((*c as u32 * a + 255 * (255 - a) + 127) / 255) as u8);
            }
        }
        strip_jpeg::encode(&rgb, w as u16, h as u16, 3, quality)
    }
}

/// Encodes lossless WebP.
pub fn encode_webp(image: &RgbaImage) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    image::codecs::webp::WebPEncoder::new_lossless(&mut out)
        .encode(
            image.as_raw(),
            image.width(),
            image.height(),
            image::ExtendedColorType::Rgba8,
        )
        .map_err(|e| encode_error("WebP", e))?;
    Ok(out)
}
