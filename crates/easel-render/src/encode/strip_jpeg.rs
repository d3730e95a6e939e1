//! JPEG encoded in horizontal strips on every core and joined into one baseline JPEG with
//! restart markers between the strips.
//!
//! Each strip is a whole number of MCU rows and one restart interval long, so its entropy-
//! coded data depends on nothing before it: the strips are encoded independently by
//! `jpeg-encoder` (same quality, sampling and standard tables), and the file is the first
//! strip's headers (with the full height) followed by each strip's data, `RSTn` between
//! them. Any JPEG decoder reads it; a single-threaded encoder would have written the same
//! pixels.

use crate::{Error, Result};

/// Images smaller than this many pixels are encoded whole on the calling thread.
const PARALLEL_MIN_PIXELS: usize = 1 << 20;

fn error(message: impl std::fmt::Display) -> Error {
    Error::Encode {
        format: "JPEG".into(),
        message: message.to_string(),
    }
}

/// One JPEG of `data` (`channels` bytes a pixel) with a restart interval of `restart` MCUs.
fn encode_one(
    data: &[u8],
    (w, h): (u16, u16),
    channels: usize,
    quality: u8,
    restart: Option<u16>,
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(data.len() / 8);
    let mut encoder = jpeg_encoder::Encoder::new(&mut out, quality);
    encoder.set_sampling_factor(jpeg_encoder::SamplingFactor::F_2_2);
    if let Some(r) = restart {
        encoder.set_restart_interval(r);
    }
    let color = if channels == 4 {
        jpeg_encoder::ColorType::Rgba
    } else {
        jpeg_encoder::ColorType::Rgb
    };
    encoder.encode(data, w, h, color).map_err(error)?;
    Ok(out)
}

/// The offsets of a strip's SOF0 segment and of its entropy-coded data (after the SOS
/// header, up to the final EOI).
fn layout(jpeg: &[u8]) -> Result<(usize, usize)> {
    let mut i = 2;
    let mut sof = None;
    while i + 4 <= jpeg.len() {
        if jpeg[i] != 0xFF {
            return Err(error(format!("no marker at byte {i}")));
        }
        let marker = jpeg[i + 1];
        let len = usize::from(u16::from_be_bytes([jpeg[i + 2], jpeg[i + 3]]));
        match marker {
            0xC0 => sof = Some(i),
            0xDA => {
                let data = i + 2 + len;
                return sof
                    .map(|s| (s, data))
                    .ok_or_else(|| error("no SOF0 before the scan"));
            }
            _ => {}
        }
        i += 2 + len;
    }
    Err(error("no scan"))
}

/// Encodes `data` (`w × h`, `channels` bytes a pixel) at `quality`, in strips on several
/// threads when it is large.
pub(crate) fn encode(data: &[u8], w: u16, h: u16, channels: usize, quality: u8) -> Result<Vec<u8>> {
    let threads = crate::parallel::cores();
    let pixels = usize::from(w) * usize::from(h);
    let mcus_per_row = usize::from(w).div_ceil(16);
    let mcu_rows = usize::from(h).div_ceil(16);
    if pixels < PARALLEL_MIN_PIXELS || threads == 1 || mcu_rows < 2 {
        return encode_one(data, (w, h), channels, quality, None);
    }
    // Strips of whole MCU rows, a restart interval each (at most 65535 MCUs).
    let max_rows = (usize::from(u16::MAX) / mcus_per_row).max(1);
    let strip_rows = mcu_rows.div_ceil(threads * 2).clamp(1, max_rows);
    let restart = (strip_rows * mcus_per_row) as u16;
    let stride = usize::from(w) * channels;
    let strips: Vec<(usize, usize)> = (0..usize::from(h))
        .step_by(strip_rows * 16)
        .map(|y| (y, (y + strip_rows * 16).min(usize::from(h))))
        .collect();
    let parts: Vec<Vec<u8>> = crate::parallel::map(strips.len(), threads, |i| {
        let (y0, y1) = strips[i];
        let rows = &data[y0 * stride..y1 * stride];
        encode_one(
            rows,
            (w, (y1 - y0) as u16),
            channels,
            quality,
            Some(restart),
        )
    })
    .into_iter()
    .collect::<Result<_>>()?;
    let total: usize = parts.iter().map(Vec::len).sum();
    let mut out = Vec::with_capacity(total + strips.len() * 2);
    let (sof, data0) = layout(&parts[0])?;
    let mut header = parts[0][..data0].to_vec();
    // SOF0: length (2), precision (1), then the height.
    header[sof + 5..sof + 7].copy_from_slice(&h.to_be_bytes());
    out.extend_from_slice(&header);
    for (i, part) in parts.iter().enumerate() {
        let (_, start) = layout(part)?;
        // The strip's data, without its EOI.
        let end = part.len().saturating_sub(2);
        out.extend_from_slice(&part[start..end]);
        if i + 1 < parts.len() {
            out.extend_from_slice(&[0xFF, 0xD0 + (i % 8) as u8]);
        }
    }
    out.extend_from_slice(&[0xFF, 0xD9]);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(w: u32, h: u32) -> Vec<u8> {
        image::RgbImage::from_fn(w, h, |x, y| {
            image::Rgb([(x % 256) as u8, (y % 256) as u8, ((x + y) / 7 % 256) as u8])
        })
        .into_raw()
    }

    #[test]
    fn strips_join_into_the_jpeg_one_encoder_writes() {
        // 1100 × 1000: over a megapixel, a last strip shorter than the others, and a width
        // that is not a multiple of 16.
        let (w, h) = (1100u16, 1000u16);
        let data = image(u32::from(w), u32::from(h));
        let striped = encode(&data, w, h, 3, 90).unwrap_or_else(|e| panic!("{e}"));
        let whole = encode_one(&data, (w, h), 3, 90, None).unwrap_or_else(|e| panic!("{e}"));
        let decode = |bytes: &[u8]| {
            image::load_from_memory_with_format(bytes, image::ImageFormat::Jpeg)
                .unwrap_or_else(|e| panic!("{e}"))
                .to_rgb8()
        };
        let (a, b) = (decode(&striped), decode(&whole));
        assert_eq!(a.dimensions(), (1100, 1000));
        // Restart intervals change nothing in the pixels.
        assert_eq!(a, b);
    }
}
