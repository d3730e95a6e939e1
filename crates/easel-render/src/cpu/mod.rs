//! The CPU backend: draws display lists with `vello_cpu` (sparse strips, analytic
//! anti-aliasing, SIMD), straight into the output buffer.
//!
//! It is what machines without a GPU use, and what Easel picks over a software rasteriser
//! (llvmpipe, lavapipe): on one core it renders the benchmark workloads 2–5× faster than
//! llvmpipe, needs no device, and several exports render side by side, each on its own
//! render context, instead of queueing on one device.

mod draw;
mod resample;

use crate::adapter::{AdapterSummary, Backend, DeviceType};
use crate::display_list::{DisplayList, ImageHandle};
use crate::{RendererStats, Result};
use image::RgbaImage;
use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use vello_cpu::{Pixmap, RenderContext};

/// An image as the CPU backend samples it: premultiplied, with its mipmap chain (vello_cpu
/// samples bilinearly, so a photo drawn at a quarter of its size reads from the level
/// nearest that size instead of aliasing).
pub(crate) struct CpuImage {
    /// Level 0 first; each level half the size of the one before.
    pub levels: Vec<Arc<Pixmap>>,
    pub bytes: u64,
}

pub(crate) struct CpuRenderer {
    adapter: AdapterSummary,
    /// `RendererOptions::supersample`.
    supersample: u32,
    images: RwLock<HashMap<u64, Arc<CpuImage>>>,
    /// Render contexts of finished frames, reused (their buffers are kept).
    contexts: Mutex<Vec<RenderContext>>,
    /// Images resampled into device space, by image, transform and canvas.
    samples: Mutex<resample::SampleCache>,
    next_image: AtomicU64,
}

/// Budget of resampled images kept for the next exports: a 4000 × 4000 page's worth.
const SAMPLE_CACHE_BYTES: u64 = 64 << 20;

fn locked<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl CpuRenderer {
    pub fn new(supersample: u32) -> CpuRenderer {
        CpuRenderer {
            supersample,
            adapter: AdapterSummary {
                name: "vello_cpu 0.3 (u8 pipeline)".into(),
                backend: Backend::Cpu,
                device_type: DeviceType::Cpu,
                driver: String::new(),
            },
            images: RwLock::default(),
            contexts: Mutex::default(),
            samples: Mutex::new(resample::SampleCache::new(SAMPLE_CACHE_BYTES)),
            next_image: AtomicU64::new(1),
        }
    }

    /// The supersampling factor for a `width × height` canvas (as on the GPU).
    pub fn supersample_for(&self, width: u32, height: u32) -> u32 {
        crate::renderer::supersample_for(self.supersample, width, height)
    }

    pub fn adapter(&self) -> &AdapterSummary {
        &self.adapter
    }

    pub fn stats(&self) -> RendererStats {
        let images = self.images.read().unwrap_or_else(|p| p.into_inner());
        RendererStats {
            tessellation_hits: 0,
            tessellation_misses: 0,
            images: images.len(),
            image_bytes: images.values().map(|i| i.bytes).sum::<u64>()
                + locked(&self.samples).bytes(),
        }
    }

    pub fn add_image(&self, image: &RgbaImage) -> Result<ImageHandle> {
        let levels: Vec<Arc<Pixmap>> = crate::mipmap::premultiplied_chain(image)
            .into_iter()
            .map(|level| {
                let (w, h) = level.dimensions();
                Arc::new(Pixmap::from_parts(
                    level.into_raw(),
                    // Images larger than a u16 side were refused by `Renderer::add_image`.
                    w as u16,
                    h as u16,
                    vello_cpu::PixelMetadata {
                        may_have_transparency: true,
                        alpha_type: vello_cpu::peniko::ImageAlphaType::AlphaPremultiplied,
                    },
                ))
            })
            .collect();
        let bytes = levels
            .iter()
            .map(|l| u64::from(l.width()) * u64::from(l.height()) * 4)
            .sum();
        let id = self.next_image.fetch_add(1, Ordering::Relaxed);
        self.images
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .insert(id, Arc::new(CpuImage { levels, bytes }));
        Ok(ImageHandle {
            id,
            width: image.width(),
            height: image.height(),
        })
    }

    pub fn remove_image(&self, handle: ImageHandle) {
        locked(&self.samples).forget(handle.id);
        self.images
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&handle.id);
    }

    /// Renders `list` into straight-alpha RGBA, exactly `width × height`, drawn at
    /// `supersample` times the size and box-filtered down.
    pub fn render(&self, list: &DisplayList, supersample: u32) -> Result<RgbaImage> {
        // The images this frame uses, resolved up front (no lock held while drawing).
        let images: HashMap<u64, Arc<CpuImage>> = {
            let all = self.images.read().unwrap_or_else(|p| p.into_inner());
            let mut used = HashMap::new();
            for item in &list.items {
                if let Some(crate::Paint::Image { image, .. }) = &item.fill {
                    let found = all
                        .get(&image.id)
                        .ok_or(crate::Error::UnknownImage(image.id))?;
                    used.insert(image.id, found.clone());
                }
            }
            used
        };
        let k = supersample;
        let (w, h) = ((list.width * k) as u16, (list.height * k) as u16);
        let mut ctx = match locked(&self.contexts).pop() {
            Some(mut c) => {
                c.reset_and_resize(w, h);
                c
            }
            None => RenderContext::new(w, h),
        };
        let frame = draw::Frame {
            images: &images,
            samples: &self.samples,
            root: crate::Transform::scale(k as f32, k as f32),
            canvas: (list.width * k, list.height * k),
        };
        let result = draw::draw(&mut ctx, list, &frame);
        let out = result.map(|()| draw::rasterize(&ctx, list, k));
        // Keep a context per core at most: enough for concurrent exports to reuse.
        let mut pool = locked(&self.contexts);
        if pool.len() < std::thread::available_parallelism().map_or(2, |n| n.get()) {
            ctx.reset();
            pool.push(ctx);
        }
        out
    }
}
