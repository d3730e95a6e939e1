//! Pixel conversions shared by the backends: box-filtering supersampled rows and turning
//! premultiplied RGBA into the straight alpha that encoders and users expect.

/// Averages the `k × k` blocks of rendered row-block `row` into one output row.
pub(crate) fn downsample_row(data: &[u8], stride: usize, row: usize, k: usize, out: &mut [u8]) {
    let n = (k * k) as u32;
    for (ox, px) in out.chunks_exact_mut(4).enumerate() {
        let mut sum = [0u32; 4];
        for sy in 0..k {
            let line = (row * k + sy) * stride + ox * k * 4;
            for sample in data[line..line + k * 4].chunks_exact(4) {
                for c in 0..4 {
                    sum[c] += sample[c] as u32;
                }
            }
        }
        for c in 0..4 {
            px[c] = ((sum[c] + n / 2) / n) as u8;
        }
    }
}

/// Premultiplied → straight alpha, rounding to nearest.
pub(crate) fn unpremultiply(src: &[u8], dst: &mut [u8]) {
    dst.copy_from_slice(src);
    unpremultiply_in_place(dst);
}

/// Premultiplied → straight alpha in place, rounding to nearest. Runs of opaque pixels (most
/// of a page) are skipped eight at a time.
pub(crate) fn unpremultiply_in_place(data: &mut [u8]) {
    const ALPHAS: u64 = 0xff00_0000_ff00_0000;
    let pixel = |p: &mut [u8]| {
        let a = p[3] as u32;
        if a != 255 && a != 0 {
            for c in &mut p[..3] {
                *c = ((*c as u32 * 255 + a / 2) / a).min(255) as u8;
            }
        } else if a == 0 {
            p[..3].fill(0);
        }
    };
    let mut runs = data.chunks_exact_mut(32);
    for run in &mut runs {
        let opaque = run.chunks_exact(8).all(|w| {
            let mut word = [0u8; 8];
            word.copy_from_slice(w);
            u64::from_le_bytes(word) & ALPHAS == ALPHAS
        });
        if !opaque {
            run.chunks_exact_mut(4).for_each(pixel);
        }
    }
    runs.into_remainder().chunks_exact_mut(4).for_each(pixel);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unpremultiplying_skips_opaque_runs_only() {
        // 8 opaque pixels, then a run with one translucent and one clear pixel, then a tail.
        let mut data = vec![200u8; 4 * 19];
        for p in data.chunks_exact_mut(4) {
            p[3] = 255;
        }
        data[8 * 4..8 * 4 + 4].copy_from_slice(&[64, 32, 0, 128]);
        data[13 * 4..13 * 4 + 4].copy_from_slice(&[9, 9, 9, 0]);
        data[18 * 4..18 * 4 + 4].copy_from_slice(&[50, 50, 50, 100]);
        let mut expected = data.clone();
        for p in expected.chunks_exact_mut(4) {
            let a = u32::from(p[3]);
            for c in &mut p[..3] {
                *c = match a {
                    0 => 0,
                    255 => *c,
                    _ => ((u32::from(*c) * 255 + a / 2) / a).min(255) as u8,
                };
            }
        }
        unpremultiply_in_place(&mut data);
        assert_eq!(data, expected);
        assert_eq!(&data[8 * 4..8 * 4 + 4], &[128, 64, 0, 128]);
    }

    #[test]
    fn downsampling_averages_blocks() {
        // Two 2×2 blocks: opaque red / transparent, and all white.
        let stride = 16;
        let mut data = vec![0u8; stride * 2];
        data[0..4].copy_from_slice(&[255, 0, 0, 255]);
        data[8..16].copy_from_slice(&[255; 8]);
        data[stride + 8..stride + 16].copy_from_slice(&[255; 8]);
        let mut out = [0u8; 8];
        downsample_row(&data, stride, 0, 2, &mut out);
        assert_eq!(out, [64, 0, 0, 64, 255, 255, 255, 255]);
    }

    #[test]
    fn unpremultiply_restores_colour() {
        let mut out = [0u8; 8];
        unpremultiply(&[64, 0, 0, 128, 0, 0, 0, 0], &mut out);
        assert_eq!(out, [128, 0, 0, 128, 0, 0, 0, 0]);
    }
}
