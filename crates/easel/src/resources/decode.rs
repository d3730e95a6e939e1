//! Decoding fetched bytes into pixels, within the dimension and allocation limits, with the
//! header read first so that oversized images fail before any pixel is allocated.

use super::{ResourceResult, fail};
use crate::editor::EditorSettings;
use crate::error::ResourceErrorKind;
use image::RgbaImage;

/// Decodes an image with dimension and allocation limits.
pub(crate) fn decode(
    uri: &str,
    bytes: &[u8],
    settings: &EditorSettings,
) -> ResourceResult<RgbaImage> {
    let reader = || {
        let r = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| fail(ResourceErrorKind::ImageDecodingFailed, uri, e.to_string()))?;
        match r.format() {
            Some(_) => Ok(r),
            None => Err(fail(
                ResourceErrorKind::ImageDecodingFailed,
                uri,
                "not a supported image format (JPEG, PNG, WebP, GIF)",
            )),
        }
    };
    let max = settings.max_image_dimension;
    // Read the header first, so oversized images fail before any pixel is allocated.
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| fail(ResourceErrorKind::ImageDecodingFailed, uri, e.to_string()))?;
    if w > max || h > max {
        return Err(fail(
            ResourceErrorKind::ImageTooLarge,
            uri,
            format!("{w}x{h} exceeds the {max}-pixel dimension limit"),
        ));
    }
    let decoded_bytes = w as u64 * h as u64 * 4;
    if decoded_bytes > settings.max_image_alloc_bytes {
        return Err(fail(
            ResourceErrorKind::ImageTooLarge,
            uri,
            format!(
                "{w}x{h} needs {decoded_bytes} bytes, over the {} byte limit",
                settings.max_image_alloc_bytes
            ),
        ));
    }
    // Reserve the worst case before allocating: the decoder's buffer (up to 16 bytes a
    // pixel for 16-bit RGBA) and the RGBA copy.
    let native = w as u64 * h as u64 * bytes_per_pixel(reader()?.format());
    let _reservation = super::budget::reserve(native + decoded_bytes, settings.fetch_timeout)
        .map_err(|refused| {
            let why = match refused {
                super::budget::Refused::TooLarge { limit } => format!(
                    "{w}x{h} needs {} bytes to decode, more than the process's {limit}-byte decode budget",
                    native + decoded_bytes
                ),
                super::budget::Refused::Busy { limit, in_use } => format!(
                    "{w}x{h} waited for decode memory: other decodes held {in_use} of the {limit}-byte budget"
                ),
            };
            fail(ResourceErrorKind::ImageTooLarge, uri, why)
        })?;
    let mut reader = reader()?;
    if reader.format() == Some(image::ImageFormat::Jpeg) && !jpeg_is_complete(bytes) {
        return Err(fail(
            ResourceErrorKind::ImageDecodingFailed,
            uri,
            "truncated JPEG: no end-of-image marker after the last scan",
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max);
    limits.max_image_height = Some(max);
    limits.max_alloc = Some(settings.max_image_alloc_bytes);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| {
        let kind = match e {
            image::ImageError::Limits(_) => ResourceErrorKind::ImageTooLarge,
            _ => ResourceErrorKind::ImageDecodingFailed,
        };
        fail(kind, uri, e.to_string())
    })?;
    let image = image.into_rgba8();
    Ok(downscaled(image, settings.max_image_size))
}

/// Bytes a pixel takes in the decoder's own buffer, at most (16-bit RGBA for PNG; 8-bit
/// for the others).
fn bytes_per_pixel(format: Option<image::ImageFormat>) -> u64 {
    match format {
        Some(image::ImageFormat::Png) => 8,
        _ => 4,
    }
}

/// An image larger than `max` on its longer side, scaled down to it (area averaging), as
/// the reference engine keeps images at most `maxImageSize`: a 16000-pixel photo in a
/// 400-pixel frame does not stay resident at full size.
fn downscaled(image: RgbaImage, max: u32) -> RgbaImage {
    let (w, h) = image.dimensions();
    if max == 0 || (w <= max && h <= max) {
        return image;
    }
    let scale = f64::from(max) / f64::from(w.max(h));
    let nw = ((f64::from(w) * scale).round() as u32).clamp(1, max);
    let nh = ((f64::from(h) * scale).round() as u32).clamp(1, max);
    image::imageops::thumbnail(&image, nw, nh)
}

/// The JPEG decoder fills in missing scan data with grey, so a truncated download would
/// export without error. A complete JPEG has an end-of-image marker (FF D9) after its last
/// start-of-scan (FF DA); scan data cannot contain FF DA (FF is byte-stuffed), and an EXIF
/// thumbnail's own markers come before the main scan.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(sos) => bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn png(w: u32, h: u32) -> Vec<u8> {
        let mut out = Vec::new();
        RgbaImage::from_pixel(w, h, image::Rgba([1, 2, 3, 255]))
            .write_to(&mut std::io::Cursor::new(&mut out), image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{e}"));
        out
    }

    #[test]
    fn decodes_within_limits_and_names_the_size_when_over() {
        let settings = EditorSettings::default();
        let img = decode("x.png", &png(3, 2), &settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(img.dimensions(), (3, 2));
        let small = EditorSettings {
            max_image_dimension: 2,
            ..Default::default()
        };
        let err = decode("x.png", &png(3, 2), &small).unwrap_err();
        assert_eq!(err.kind, ResourceErrorKind::ImageTooLarge);
        assert!(err.message.contains("3x2"), "{err}");
        let err = decode("x.txt", b"hello", &settings).unwrap_err();
        assert_eq!(err.kind, ResourceErrorKind::ImageDecodingFailed);
    }

    #[test]
    fn images_larger_than_the_maximum_size_are_scaled_down() {
        let settings = EditorSettings {
            max_image_size: 30,
            ..Default::default()
        };
        let img = decode("x.png", &png(300, 100), &settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(img.dimensions(), (30, 10));
        assert_eq!(img.get_pixel(5, 5).0, [1, 2, 3, 255]);
        let small = decode("x.png", &png(20, 10), &settings).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(small.dimensions(), (20, 10));
    }

    #[test]
    fn a_jpeg_without_its_end_marker_is_incomplete() {
        assert!(jpeg_is_complete(&[
            0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 0xFF, 0xD9
        ]));
        assert!(!jpeg_is_complete(&[0xFF, 0xD8, 0xFF, 0xDA, 1, 2, 3]));
        assert!(!jpeg_is_complete(&[0xFF, 0xD8]));
    }
}
