//! Encoders for rendered frames: PNG (fdeflate at the fast levels), JPEG (jpeg-encoder),
//! lossless WebP, and raw RGBA.

use crate::{Error, Result};
use image::RgbaImage;

fn encode_error(format: &str, e: impl std::fmt::Display) -> Error {
    Error::Encode {
        format: format.into(),
        message: e.to_string(),
    }
}

/// Encodes PNG. `level` 0 stores, 1 (the default) uses fdeflate — 20–25× faster than zlib's
/// default at a similar size — and 2–9 use zlib levels for smaller files.
pub fn encode_png(image: &RgbaImage, level: u8) -> Result<Vec<u8>> {
    if level > 9 {
        return Err(Error::InvalidOption {
            option: "PNG compression level".into(),
            value: level.to_string(),
            reason: "must be within 0..=9".into(),
        });
    }
    let mut out = Vec::with_capacity(image.as_raw().len() / 4);
    {
        let mut encoder = png::Encoder::new(&mut out, image.width(), image.height());
        encoder.set_color(png::ColorType::Rgba);
        encoder.set_depth(png::BitDepth::Eight);
        encoder.set_deflate_compression(match level {
            0 => png::DeflateCompression::NoCompression,
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

/// Encodes JPEG at `quality` 1–100 with 4:2:0 chroma subsampling. JPEG has no alpha:
/// translucent pixels are composited over white first.
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
    let mut out = Vec::new();
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    let raw = image.as_raw();
    if raw.chunks_exact(4).all(|p| p[3] == 255) {
        // Opaque (the usual page): the encoder reads RGBA as is, no conversion copy.
        encoder
            .encode(raw, w as u16, h as u16, jpeg_encoder::ColorType::Rgba)
            .map_err(|e| encode_error("JPEG", e))?;
    } else {
        let mut rgb = Vec::with_capacity((w * h * 3) as usize);
        for p in raw.chunks_exact(4) {
            let a = p[3] as u32;
            for c in &p[..3] {
                rgb.push(((*c as u32 * a + 255 * (255 - a) + 127) / 255) as u8);
            }
        }
        encoder
            .encode(&rgb, w as u16, h as u16, jpeg_encoder::ColorType::Rgb)
            .map_err(|e| encode_error("JPEG", e))?;
    }
    Ok(out)
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
