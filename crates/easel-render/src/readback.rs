//! Copying a rendered tile back to the CPU: rows padded to 256 bytes on the GPU side,
//! unpadded and un-premultiplied on the way out.

use crate::{Error, Result};
use image::RgbaImage;

pub(crate) fn padded_row(width: u32) -> u32 {
    (width * 4).next_multiple_of(wgpu::COPY_BYTES_PER_ROW_ALIGNMENT)
}

pub(crate) fn buffer(device: &wgpu::Device, w: u32, h: u32) -> wgpu::Buffer {
    device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("readback"),
        size: padded_row(w) as u64 * h as u64,
        usage: wgpu::BufferUsages::COPY_DST | wgpu::BufferUsages::MAP_READ,
        mapped_at_creation: false,
    })
}

pub(crate) fn copy_region(
    encoder: &mut wgpu::CommandEncoder,
    texture: &wgpu::Texture,
    buffer: &wgpu::Buffer,
    w: u32,
    h: u32,
) {
    encoder.copy_texture_to_buffer(
        texture.as_image_copy(),
        wgpu::TexelCopyBufferInfo {
            buffer,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(padded_row(w)),
                rows_per_image: Some(h),
            },
        },
        wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
    );
}

/// Maps the buffer, waits for the GPU, box-filters each `k × k` block of the `w × h`
/// rendered region (premultiplied) and writes it, un-premultiplied, at `(x, y)` of `out`.
pub(crate) fn read_into(
    device: &wgpu::Device,
    buffer: &wgpu::Buffer,
    (w, h): (u32, u32),
    k: u32,
    out: &mut RgbaImage,
    (x, y): (u32, u32),
) -> Result<()> {
    let gpu = |message: String| Error::Gpu {
        context: "reading back pixels".into(),
        message,
    };
    let size = padded_row(w) as u64 * h as u64;
    let slice = buffer.slice(..size);
    let (tx, rx) = std::sync::mpsc::channel();
    slice.map_async(wgpu::MapMode::Read, move |r| {
        let _ = tx.send(r);
    });
    device
        .poll(wgpu::PollType::wait_indefinitely())
        .map_err(|e| gpu(e.to_string()))?;
    rx.recv()
        .map_err(|e| gpu(e.to_string()))?
        .map_err(|e| gpu(e.to_string()))?;
    {
        let data = slice.get_mapped_range().map_err(|e| gpu(e.to_string()))?;
        let stride = padded_row(w) as usize;
        let out_width = out.width() as usize;
        let raw: &mut [u8] = out;
        let (ow, oh) = ((w / k) as usize, (h / k) as usize);
        let mut row_buf = vec![0u8; ow * 4];
        for row in 0..oh {
            let dst_start = ((y as usize + row) * out_width + x as usize) * 4;
            let dst = &mut raw[dst_start..dst_start + ow * 4];
            if k == 1 {
                unpremultiply(&data[row * stride..row * stride + ow * 4], dst);
            } else {
                downsample_row(&data, stride, row, k as usize, &mut row_buf);
                unpremultiply(&row_buf, dst);
            }
        }
    }
    buffer.unmap();
    Ok(())
}

/// Averages the `k × k` blocks of rendered row-block `row` into one output row.
fn downsample_row(data: &[u8], stride: usize, row: usize, k: usize, out: &mut [u8]) {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pad_to_256_bytes() {
        assert_eq!(padded_row(1), 256);
        assert_eq!(padded_row(64), 256);
        assert_eq!(padded_row(65), 512);
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
