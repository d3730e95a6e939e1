//! The wgpu backend: one device on one adapter, its pipelines, the images uploaded to it,
//! and the execution of prepared frames.

mod device;
mod frame;
mod images;
mod pipelines;
mod readback;

use crate::adapter::{self, AdapterSummary, Backend};
use crate::prepare::{self, GpuFrame, ImageSizes};
use crate::tessellate::TessellationCache;
use crate::{DisplayList, Error, ImageHandle, RendererOptions, RendererStats, Result};
use device::{GpuDevice, locked};
use image::RgbaImage;
use images::GpuImage;
use pipelines::PipelineSet;
use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// What frames share and change: caches, uploaded images, targets and buffers.
#[derive(Default)]
pub(crate) struct GpuState {
    tess: TessellationCache,
    images: HashMap<u64, GpuImage>,
    targets: Option<frame::Targets>,
    vertex_buffer: Option<wgpu::Buffer>,
    index_buffer: Option<wgpu::Buffer>,
}

/// A wgpu device with its pipelines. Frames from several threads are accepted; they are
/// prepared and submitted one at a time.
pub(crate) struct GpuRenderer {
    gpu: GpuDevice,
    pipelines: PipelineSet,
    adapter: AdapterSummary,
    options: RendererOptions,
    state: Mutex<GpuState>,
    next_image: AtomicU64,
}

impl GpuRenderer {
    /// Opens the best adapter (discrete GPU, then integrated, then software) among `backends`.
    pub fn new(options: &RendererOptions, backends: wgpu::Backends) -> Result<GpuRenderer> {
        let (_instance, adapters) = adapter::candidates(backends);
        let mut last_error = None;
        for adapter in adapters {
            match Self::open(&adapter, options) {
                Ok(r) => return Ok(r),
                Err(e) => last_error = Some(e),
            }
        }
        Err(last_error.unwrap_or(Error::NoAdapter {
            backends: adapter::describe(backends),
        }))
    }

    fn open(adapter: &wgpu::Adapter, options: &RendererOptions) -> Result<GpuRenderer> {
        let summary = AdapterSummary::of(&adapter.get_info());
        let gpu = GpuDevice::open(adapter, &summary)?;
        let pipelines = PipelineSet::new(&gpu, adapter, &summary, options.msaa)?;
        Ok(GpuRenderer {
            gpu,
            pipelines,
            adapter: summary,
            options: options.clone(),
            state: Mutex::new(GpuState::default()),
            next_image: AtomicU64::new(1),
        })
    }

    pub fn adapter(&self) -> &AdapterSummary {
        &self.adapter
    }

    pub fn sample_count(&self) -> u32 {
        self.pipelines.sample_count
    }

    pub fn stats(&self) -> RendererStats {
        let s = locked(&self.state);
        RendererStats {
            tessellation_hits: s.tess.hits,
            tessellation_misses: s.tess.misses,
            images: s.images.len(),
            image_bytes: s.images.values().map(|i| i.bytes).sum(),
        }
    }

    pub fn add_image(&self, image: &RgbaImage) -> Result<ImageHandle> {
        let gpu = images::upload(&self.gpu, &self.pipelines, image)?;
        let id = self.next_image.fetch_add(1, Ordering::Relaxed);
        locked(&self.state).images.insert(id, gpu);
        // The handle keeps the caller's size even when the texture was scaled down to fit:
        // paint transforms are written in the caller's pixels, and UVs are relative.
        Ok(ImageHandle {
            id,
            width: image.width(),
            height: image.height(),
        })
    }

    pub fn remove_image(&self, handle: ImageHandle) {
        locked(&self.state).images.remove(&handle.id);
    }

    pub fn simulate_device_loss(&self) {
        self.gpu.simulate_loss();
    }

    pub fn clear_tessellation_cache(&self) {
        locked(&self.state).tess = TessellationCache::default();
    }

    /// The supersampling factor for a `width × height` canvas.
    pub fn supersample_for(&self, width: u32, height: u32) -> u32 {
        crate::renderer::supersample_for(self.options.supersample, width, height)
    }

    /// Tile side in canvas pixels (the rendered tile is `k` times larger).
    fn tile_size(&self, k: u32) -> u32 {
        let rendered = self
            .options
            .max_tile_size
            .clamp(64, self.gpu.limits.max_texture_dimension_2d.max(64));
        (rendered / k).max(16)
    }

    pub fn prepare(&self, list: &DisplayList) -> Result<GpuFrame> {
        let mut state = locked(&self.state);
        let sizes: ImageSizes = state.images.iter().map(|(id, i)| (*id, i.size)).collect();
        let max_rows = self.gpu.limits.max_texture_dimension_2d;
        // Supersampled frames are rasterised finer, so curves are flattened finer too.
        let k = self.supersample_for(list.width, list.height);
        let tolerance = self.options.tolerance / k as f32;
        let mut frame = prepare::prepare(list, &mut state.tess, &sizes, tolerance, max_rows)?;
        frame.supersample = k;
        Ok(frame)
    }

    pub fn render_prepared(&self, frame: &GpuFrame) -> Result<RgbaImage> {
        let mut state = locked(&self.state);
        let tile = self.tile_size(frame.supersample);
        self.gpu.scoped("rendering", || {
            frame::execute(&self.gpu, &self.pipelines, &mut state, frame, tile)
        })
    }
}

/// The wgpu backends to try: the forced one, or every one this build has.
pub(crate) fn backends(forced: Option<Backend>) -> wgpu::Backends {
    forced.map_or(
        wgpu::Backends::VULKAN | wgpu::Backends::GL | wgpu::Backends::METAL | wgpu::Backends::DX12,
        Backend::to_wgpu,
    )
}
