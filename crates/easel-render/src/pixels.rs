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
    // Opaque rows (most of a page) are already straight.
    if src.chunks_exact(4).all(|p| p[3] == 255) {
        dst.copy_from_slice(src);
        return;
    }
    for (s, d) in src.chunks_exact(4).zip(dst.chunks_exact_mut(4)) {
        let a = s[3] as u32;
        if a == 255 || a == 0 {
            d.copy_from_slice(if a == 0 { &[0, 0, 0, 0] } else { s });
        } else {
            for c in 0..3 {
                d[c] = ((s[c] as u32 * 255 + a / 2) / a).min(255) as u8;
            }
            d[3] = s[3];
        }
    }
}

/// Premultiplied → straight alpha in place, rounding to nearest.
pub(crate) fn unpremultiply_in_place(data: &mut [u8]) {
    for p in data.chunks_exact_mut(4) {
        let a = p[3] as u32;
        if a != 255 && a != 0 {
            for c in &mut p[..3] {
                *c = ((*c as u32 * 255 + a / 2) / a).min(255) as u8;
            }
        } else if a == 0 {
            p[..3].fill(0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
