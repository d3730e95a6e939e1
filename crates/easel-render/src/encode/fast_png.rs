//! PNG written by this crate: rows Up-filtered and compressed in pieces on every core
//! (see [`deflate`](super::deflate)), one zlib stream in `IDAT` chunks.

use super::deflate::{Code, adler32_combine, compress_piece};
use std::io::Write;

/// Images smaller than this many pixels are compressed as one piece on the calling thread
/// (threads cost more than they save; concurrent exports already use the cores).
pub(crate) const PARALLEL_MIN_PIXELS: usize = 1 << 20;
/// Rows per piece are chosen so each piece holds about this many bytes.
const PIECE_BYTES: usize = 4 << 20;
/// Largest `IDAT` chunk written.
const IDAT_BYTES: usize = 1 << 20;

fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
    out.extend_from_slice(&(data.len() as u32).to_be_bytes());
    out.extend_from_slice(kind);
    out.extend_from_slice(data);
    let mut crc = crc32fast::Hasher::new();
    crc.update(kind);
    crc.update(data);
    out.extend_from_slice(&crc.finalize().to_be_bytes());
}

/// Appends the Up-filtered bytes of rows `rows` of an RGBA image (`stride` bytes a row):
/// each row its filter type byte (2) and its difference to the row above.
fn filter_rows(rgba: &[u8], stride: usize, rows: std::ops::Range<usize>, out: &mut Vec<u8>) {
    for y in rows {
        out.push(2);
        let row = &rgba[y * stride..(y + 1) * stride];
        if y == 0 {
            out.extend_from_slice(row);
        } else {
            let above = &rgba[(y - 1) * stride..y * stride];
            let start = out.len();
            out.resize(start + stride, 0);
            for ((o, a), b) in out[start..].iter_mut().zip(row).zip(above) {
                *o = a.wrapping_sub(*b);
            }
        }
    }
}

/// Encodes straight-alpha RGBA rows as an 8-bit RGBA PNG.
pub(crate) fn encode(rgba: &[u8], width: u32, height: u32) -> Vec<u8> {
    let stride = width as usize * 4;
    let h = height as usize;
    let pixels = width as usize * h;
    let threads = crate::parallel::cores();
    let pieces = if pixels < PARALLEL_MIN_PIXELS || threads == 1 {
        1
    } else {
        ((h * stride) / PIECE_BYTES).clamp(threads, h.max(1))
    };
    let rows_per = h.div_ceil(pieces).max(1);
    let ranges: Vec<std::ops::Range<usize>> = (0..h)
        .step_by(rows_per)
        .map(|y| y..(y + rows_per).min(h))
        .collect();
    let last = ranges.len() - 1;
    // One code for the image, fitted to a sample of its filtered rows (every 16th).
    let mut sample = Vec::with_capacity((h / 16 + 1) * (stride + 1));
    for y in (0..h).step_by(16) {
        filter_rows(rgba, stride, y..y + 1, &mut sample);
    }
    let code = Code::fitted(&sample);
    let work = |i: usize| {
        let rows = ranges[i].clone();
        let mut filtered = Vec::with_capacity(rows.len() * (stride + 1));
        filter_rows(rgba, stride, rows, &mut filtered);
        let adler = simd_adler32::adler32(&filtered.as_slice());
        (
            compress_piece(&filtered, &code, i == last),
            adler,
            filtered.len(),
        )
    };
    let done = crate::parallel::map(ranges.len(), threads, work);
    let compressed: usize = done.iter().map(|d| d.0.len()).sum();
    let mut zlib = Vec::with_capacity(compressed + 6);
    zlib.extend_from_slice(&[0x78, 0x01]);
    let mut adler = 1u32;
    for (bytes, a, len) in &done {
        zlib.extend_from_slice(bytes);
        adler = adler32_combine(adler, *a, *len);
    }
    zlib.extend_from_slice(&adler.to_be_bytes());
    drop(done);
    let mut out = Vec::with_capacity(zlib.len() + zlib.len() / IDAT_BYTES * 12 + 64);
    let _ = out.write_all(&[0x89, b'P', b'N', b'G', b'\r', b'\n', 0x1A, b'\n']);
    let mut ihdr = Vec::with_capacity(13);
    ihdr.extend_from_slice(&width.to_be_bytes());
    ihdr.extend_from_slice(&height.to_be_bytes());
    // 8 bits, colour type 6 (RGBA), deflate, adaptive filtering, no interlace.
    ihdr.extend_from_slice(&[8, 6, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &ihdr);
    for data in zlib.chunks(IDAT_BYTES) {
        chunk(&mut out, b"IDAT", data);
    }
    chunk(&mut out, b"IEND", &[]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn round_trip(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 4]) {
        let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba(f(x, y)));
        let png = encode(img.as_raw(), w, h);
        let back = image::load_from_memory_with_format(&png, image::ImageFormat::Png)
            .unwrap_or_else(|e| panic!("{w}x{h}: {e}"))
            .to_rgba8();
        assert_eq!(back, img, "{w}x{h}");
    }

    #[test]
    fn images_of_every_shape_round_trip() {
        round_trip(1, 1, |_, _| [1, 2, 3, 4]);
        round_trip(3, 700, |x, y| [x as u8, y as u8, 0, 255]);
        round_trip(700, 3, |x, y| [(x * 7) as u8, y as u8, 9, 128]);
        round_trip(64, 64, |_, _| [0, 0, 0, 0]);
    }

    #[test]
    fn large_images_compress_in_pieces_and_round_trip() {
        // Over a million pixels: several pieces on several threads.
        round_trip(1100, 1000, |x, y| {
            let v = ((x / 7 + y / 5) % 3) as u8 * 100;
            [v, (x % 256) as u8, (y % 256) as u8, 255]
        });
    }
}
