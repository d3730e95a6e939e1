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
        wgpu::Extent3d { width: w, height: h, depth_or_array_layers: 1 },
    );
}

/// Maps the buffer, waits for the GPU, and writes the `w × h` region at `(x, y)` of `out`.
pub(crate) fn read_into(
    device: &wgpu::Device,
    buffer: &wgpu::Buffer,
    w: u32,
    h: u32,
    out: &mut RgbaImage,
    x: u32,
    y: u32,
) -> Result<()> {
    let gpu = |message: String| Error::Gpu { context: "reading back pixels".into(), message };
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
        for row in 0..h as usize {
            let src = &data[row * stride..row * stride + w as usize * 4];
            let start = ((y as usize + row) * out_width + x as usize) * 4;
            let dst = &mut raw[start..start + w as usize * 4];
            unpremultiply(src, dst);
        }
    }
    buffer.unmap();
    Ok(())
}

/// Premultiplied → straight alpha, rounding to nearest.
pub(crate) fn unpremultiply(src: &[u8], dst: &mut [u8]) {
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
    fn unpremultiply_restores_colour() {
        let mut out = [0u8; 8];
        unpremultiply(&[64, 0, 0, 128, 0, 0, 0, 0], &mut out);
        assert_eq!(out, [128, 0, 0, 128, 0, 0, 0, 0]);
    }
}
