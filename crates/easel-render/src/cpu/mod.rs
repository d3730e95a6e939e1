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
    /// Pixel buffers of encoded frames handed back ([`Renderer::recycle`](crate::Renderer::recycle)),
    /// reused as the next frames' output: memory already mapped, not faulted in afresh.
    spare: Mutex<Vec<Vec<u8>>>,
    /// Images resampled into device space, by image, transform and canvas.
    samples: Mutex<resample::SampleCache>,
    next_image: AtomicU64,
}

/// The largest pixel buffer kept for reuse: a 1920 × 1080 frame's (and some); larger
/// exports are rare enough that holding their memory between frames costs more than it saves.
const SPARE_MAX_BYTES: usize = 16 << 20;

/// Budget of resampled images kept for the next exports: a 4000 × 4000 page's worth.
const SAMPLE_CACHE_BYTES: u64 = 64 << 20;

/// Frames with at least this many items, or pixels, render in bands on every core.
const BANDED_ITEMS: usize = 256;
const BANDED_PIXELS: u64 = 2 << 20;

/// How many horizontal bands a frame renders in: one per core for large frames (each band
/// records only the items that reach it), else one. Small frames stay on their thread, so
/// concurrent exports keep the cores to themselves.
fn bands(list: &DisplayList) -> u32 {
    let cores = crate::parallel::cores() as u32;
    let pixels = u64::from(list.width) * u64::from(list.height);
    if cores > 1 && (list.items.len() >= BANDED_ITEMS || pixels >= BANDED_PIXELS) {
        cores.min(list.height / 64).max(1)
    } else {
        1
    }
}

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
            spare: Mutex::default(),
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

    /// Takes back the pixels of a frame this renderer drew, for a later frame's output.
    /// Keeps a buffer per core at most, and none larger than [`SPARE_MAX_BYTES`].
    pub fn recycle(&self, image: RgbaImage) {
        let buffer = image.into_raw();
        let mut spare = locked(&self.spare);
        if buffer.capacity() <= SPARE_MAX_BYTES && spare.len() < crate::parallel::cores() {
            spare.push(buffer);
        }
    }

    /// A `width × height` RGBA image whose pixels the caller overwrites: a spare buffer of
    /// about that size when one was handed back, else a new one.
    fn output(&self, width: u32, height: u32) -> RgbaImage {
        let len = width as usize * height as usize * 4;
        let reused = {
            let mut spare = locked(&self.spare);
            spare
                .iter()
                .position(|b| b.capacity() >= len && b.capacity() <= len.saturating_mul(2))
                .map(|i| spare.swap_remove(i))
        };
        let mut buffer = reused.unwrap_or_default();
        // Same-size buffers (the usual case) are not rewritten; every pixel is painted.
        buffer.resize(len, 0);
        RgbaImage::from_raw(width, height, buffer).unwrap_or_else(|| RgbaImage::new(width, height))
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
        self.render_in_bands(list, supersample, bands(list), &images)
    }

    /// Renders `list` in `bands` horizontal bands, side by side on as many threads.
    fn render_in_bands(
        &self,
        list: &DisplayList,
        supersample: u32,
        bands: u32,
        images: &HashMap<u64, Arc<CpuImage>>,
    ) -> Result<RgbaImage> {
        draw::validate_list(list)?;
        let tree = crate::layers::tree(list)?;
        let k = supersample;
        let rows_per = list.height.div_ceil(bands).max(1);
        let mut out = self.output(list.width, list.height);
        let stride = list.width as usize * 4;
        let band = |(i, slice): (usize, &mut [u8])| -> Result<()> {
            let y0 = i as u32 * rows_per;
            let h = (slice.len() / stride) as u32;
            let (rw, rh) = ((list.width * k) as u16, (h * k) as u16);
            let mut ctx = match locked(&self.contexts).pop() {
                Some(mut c) => {
                    c.reset_and_resize(rw, rh);
                    c
                }
                None => RenderContext::new(rw, rh),
            };
            let frame = draw::Frame {
                images,
                samples: &self.samples,
                root: crate::Transform::translate(0.0, -(y0 as f32))
                    .then(crate::Transform::scale(k as f32, k as f32)),
                canvas: (u32::from(rw), u32::from(rh)),
                rows: (bands > 1).then_some((y0 as f32, (y0 + h) as f32)),
            };
            let result = draw::rasterize_into(slice, list.width, k, |target| {
                draw::draw(&mut ctx, list, &tree, &frame, target)
            });
            // Keep a context per core at most: enough for concurrent exports to reuse.
            let mut pool = locked(&self.contexts);
            if pool.len() < std::thread::available_parallelism().map_or(2, |n| n.get()) {
                ctx.reset();
                pool.push(ctx);
            }
            result
        };
        let slices: Vec<Mutex<&mut [u8]>> = out
            .chunks_mut(rows_per as usize * stride)
            .map(Mutex::new)
            .collect();
        crate::parallel::map(slices.len(), bands as usize, |i| {
            let mut slice = slices[i].lock().unwrap_or_else(|p| p.into_inner());
            band((i, &mut slice))
        })
        .into_iter()
        .collect::<Result<()>>()?;
        drop(slices);
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Color, DisplayItem, Paint, PathShape, Stroke, Transform};

    #[test]
    fn recycled_pixels_are_painted_over() {
        let r = CpuRenderer::new(1);
        let list = |background, size: (u32, u32)| DisplayList {
            width: size.0,
            height: size.1,
            background,
            items: vec![DisplayItem::filled(
                PathShape::Rect {
                    width: 10.0,
                    height: 10.0,
                    radii: [0.0; 4],
                },
                Transform::translate(5.0, 5.0),
                Color::rgba(0.0, 0.0, 1.0, 0.5),
            )],
            layers: Vec::new(),
        };
        let render = |l: &DisplayList| r.render(l, 1).unwrap_or_else(|e| panic!("{e}"));
        let red = render(&list(Color::rgb(1.0, 0.0, 0.0), (40, 30)));
        let first = red.as_raw().as_ptr();
        r.recycle(red);
        // The same memory comes back, with nothing of the frame before it left.
        let clear = render(&list(Color::TRANSPARENT, (40, 30)));
        assert_eq!(clear.as_raw().as_ptr(), first, "the spare buffer is reused");
        assert_eq!(clear.get_pixel(0, 0).0, [0, 0, 0, 0]);
        assert_eq!(clear.get_pixel(10, 10).0[2], 255);
        assert!(clear.get_pixel(10, 10).0[3].abs_diff(128) <= 1);
        r.recycle(clear);
        // Another size gets an image of its own size.
        let small = render(&list(Color::WHITE, (20, 16)));
        assert_eq!(small.dimensions(), (20, 16));
        assert_eq!(small.get_pixel(19, 15).0, [255; 4]);
        // Buffers beyond the limit are not kept.
        r.recycle(image::RgbaImage::new(3000, 2000));
        assert!(
            locked(&r.spare)
                .iter()
                .all(|b| b.capacity() <= SPARE_MAX_BYTES)
        );
    }

    #[test]
    fn bands_join_without_seams() {
        let r = CpuRenderer::new(0);
        let img = image::RgbaImage::from_fn(16, 16, |x, y| {
            image::Rgba([(x * 16) as u8, (y * 16) as u8, 99, 255])
        });
        let handle = r.add_image(&img).unwrap_or_else(|e| panic!("{e}"));
        let mut items = Vec::new();
        for i in 0..300u32 {
            let (x, y) = ((i * 37 % 190) as f32, (i * 53 % 130) as f32);
            let path = match i % 3 {
                0 => PathShape::Rect {
                    width: 14.0,
                    height: 23.0,
                    radii: [3.0; 4],
                },
                1 => PathShape::Ellipse {
                    width: 19.0,
                    height: 11.0,
                },
                _ => PathShape::Star {
                    width: 17.0,
                    height: 17.0,
                    points: 5,
                    inner_diameter: 0.5,
                },
            };
            items.push(DisplayItem {
                path,
                transform: Transform::rotate(i as f32 * 0.1).then(Transform::translate(x, y)),
                fill: Some(if i % 7 == 0 {
                    Paint::Image {
                        image: handle,
                        transform: Transform::scale(1.3, 1.3),
                    }
                } else {
                    Paint::Solid(Color::rgba((i % 5) as f32 / 5.0, 0.4, 0.7, 0.8))
                }),
                stroke: (i % 4 == 0).then(|| Stroke {
                    width: 2.0,
                    ..Default::default()
                }),
                opacity: 1.0,
                clip: None,
            });
        }
        let list = DisplayList {
            width: 200,
            height: 150,
            background: Color::WHITE,
            items,
            layers: Vec::new(),
        };
        let images: HashMap<u64, Arc<CpuImage>> = r
            .images
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .iter()
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        let whole = r
            .render_in_bands(&list, 2, 1, &images)
            .unwrap_or_else(|e| panic!("{e}"));
        let banded = r
            .render_in_bands(&list, 2, 3, &images)
            .unwrap_or_else(|e| panic!("{e}"));
        let worst = whole
            .as_raw()
            .iter()
            .zip(banded.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .max()
            .unwrap_or(0);
        assert!(
            worst <= 2,
            "bands differ from the whole frame by up to {worst}/255"
        );
    }
}
