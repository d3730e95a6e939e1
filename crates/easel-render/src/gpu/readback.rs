//! Copying a rendered tile back to the CPU: rows padded to 256 bytes on the GPU side,
//! unpadded, box-filtered and un-premultiplied on the way out.

use crate::pixels::{downsample_row, unpremultiply};
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_pad_to_256_bytes() {
        assert_eq!(padded_row(1), 256);
        assert_eq!(padded_row(64), 256);
        assert_eq!(padded_row(65), 512);
    }
}
