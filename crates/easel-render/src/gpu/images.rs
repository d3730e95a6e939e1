//! Images on the GPU: straight-alpha RGBA uploaded as premultiplied textures with a mipmap
//! chain, so they sample cleanly at any scale.

use super::device::GpuDevice;
use super::pipelines::{PipelineSet, image_bind_group, texture_desc};
use crate::Result;
use image::RgbaImage;

pub(crate) struct GpuImage {
    _texture: wgpu::Texture,
    pub bind_group: wgpu::BindGroup,
    /// The texture's size (smaller than the caller's image when it was fitted to the limit).
    pub size: (u32, u32),
    /// Bytes of texels with every mip level.
    pub bytes: u64,
}

/// Uploads an image; images larger than the adapter's texture limit are scaled down to fit.
pub(crate) fn upload(
    gpu: &GpuDevice,
    pipelines: &PipelineSet,
    image: &RgbaImage,
) -> Result<GpuImage> {
    let (w, h) = image.dimensions();
    let max = gpu.limits.max_texture_dimension_2d;
    let fitted;
    let image = if w > max || h > max {
        let k = max as f32 / w.max(h) as f32;
        let (nw, nh) = (
            ((w as f32 * k) as u32).max(1),
            ((h as f32 * k) as u32).max(1),
        );
        fitted = image::imageops::resize(image, nw, nh, image::imageops::FilterType::Triangle);
        &fitted
    } else {
        image
    };
    let levels = crate::mipmap::premultiplied_chain(image);
    let (w, h) = image.dimensions();
    gpu.scoped("uploading an image", || {
        let texture = gpu.device.create_texture(&texture_desc(
            w,
            h,
            levels.len() as u32,
            1,
            wgpu::TextureUsages::TEXTURE_BINDING | wgpu::TextureUsages::COPY_DST,
        ));
        let mut bytes = 0;
        for (level, img) in levels.iter().enumerate() {
            let (lw, lh) = img.dimensions();
            bytes += img.as_raw().len() as u64;
            gpu.queue.write_texture(
                wgpu::TexelCopyTextureInfo {
                    texture: &texture,
                    mip_level: level as u32,
                    origin: wgpu::Origin3d::ZERO,
                    aspect: wgpu::TextureAspect::All,
                },
                img.as_raw(),
                wgpu::TexelCopyBufferLayout {
                    offset: 0,
                    bytes_per_row: Some(lw * 4),
                    rows_per_image: None,
                },
                wgpu::Extent3d {
                    width: lw,
                    height: lh,
                    depth_or_array_layers: 1,
                },
            );
        }
        let view = texture.create_view(&Default::default());
        let bind_group = image_bind_group(
            &gpu.device,
            &pipelines.image_layout,
            &view,
            &pipelines.image_sampler,
        );
        Ok(GpuImage {
            _texture: texture,
            bind_group,
            size: (w, h),
            bytes,
        })
    })
}
