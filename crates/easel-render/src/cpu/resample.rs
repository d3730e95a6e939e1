//! Images resampled into device space, as the GPU samples them, and cached.
//!
//! vello_cpu samples an image paint once per pixel from one pixmap. To draw a photo at a
//! quarter of its size without aliasing, and to agree with the GPU backend, the CPU backend
//! computes each device pixel of an image itself — trilinear between the two mip levels
//! nearest the drawn size (level of detail biased half a level sharp, as the shader's
//! `textureSampleBias(…, -0.5)`), bilinear with clamped edges, the image rectangle's edge
//! anti-aliased by its distance in pixels — into a pixmap aligned to the device grid, which
//! vello then copies without filtering. The result is cached by image, transform and canvas,
//! so exporting a template again copies pixels instead of sampling them.

use super::CpuImage;
use crate::Transform;
use std::sync::Arc;
use vello_cpu::Pixmap;

/// Mip level bias, as the GPU shader samples.
const LOD_BIAS: f32 = -0.5;

/// Pixels per thread below which one thread samples alone.
const ROWS_PER_THREAD_MIN: usize = 64 * 1024;

/// An image resampled into device space: `pixmap` belongs at device pixel `origin`.
#[derive(Clone, Debug)]
pub(crate) struct Sampled {
    pub pixmap: Arc<Pixmap>,
    pub origin: (i32, i32),
}

/// What a resampled image depends on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub(crate) struct SampleKey {
    pub image: u64,
    /// The image pixel → device transform, bit for bit.
    pub transform: [u32; 6],
    pub canvas: (u32, u32),
}

impl SampleKey {
    pub fn new(image: u64, to_device: &Transform, canvas: (u32, u32)) -> SampleKey {
        SampleKey {
            image,
            transform: to_device.0.map(f32::to_bits),
            canvas,
        }
    }
}

/// A bounded cache of resampled images, least recently used evicted first.
#[derive(Debug)]
pub(crate) struct SampleCache {
    entries: Vec<(SampleKey, Sampled, u64)>,
    bytes: u64,
    budget: u64,
}

impl SampleCache {
    pub fn new(budget: u64) -> SampleCache {
        SampleCache {
            entries: Vec::new(),
            bytes: 0,
            budget,
        }
    }

    pub fn get(&mut self, key: &SampleKey) -> Option<Sampled> {
        let i = self.entries.iter().position(|(k, _, _)| k == key)?;
        // Most recently used last.
        let entry = self.entries.remove(i);
        let found = entry.1.clone();
        self.entries.push(entry);
        Some(found)
    }

    pub fn insert(&mut self, key: SampleKey, sampled: Sampled) {
        let bytes = sampled.pixmap.data_as_u8_slice().len() as u64;
        if bytes > self.budget {
            return;
        }
        while self.bytes + bytes > self.budget && !self.entries.is_empty() {
            let (_, old, b) = self.entries.remove(0);
            drop(old);
            self.bytes -= b;
        }
        self.bytes += bytes;
        self.entries.push((key, sampled, bytes));
    }

    /// Drops the samples of one image.
    pub fn forget(&mut self, image: u64) {
        let bytes = &mut self.bytes;
        self.entries.retain(|(k, _, b)| {
            let keep = k.image != image;
            if !keep {
                *bytes -= b;
            }
            keep
        });
    }

    pub fn bytes(&self) -> u64 {
        self.bytes
    }
}

/// One premultiplied mip level as floats are read from it.
struct Level<'a> {
    data: &'a [u8],
    w: usize,
    h: usize,
}

impl Level<'_> {
    /// Bilinear sample at texel coordinates (texel centres at `i + 0.5`), edges clamped.
    #[inline]
    fn bilinear(&self, x: f32, y: f32) -> [f32; 4] {
        let (fx, fy) = (x - 0.5, y - 0.5);
        let (x0f, y0f) = (fx.floor(), fy.floor());
        let (tx, ty) = (fx - x0f, fy - y0f);
        let clamp = |v: f32, n: usize| (v.max(0.0) as usize).min(n - 1);
        let (x0, x1) = (clamp(x0f, self.w), clamp(x0f + 1.0, self.w));
        let (y0, y1) = (clamp(y0f, self.h), clamp(y0f + 1.0, self.h));
        let px = |x: usize, y: usize| {
            let i = (y * self.w + x) * 4;
            let p = &self.data[i..i + 4];
            [p[0] as f32, p[1] as f32, p[2] as f32, p[3] as f32]
        };
        let (a, b, c, d) = (px(x0, y0), px(x1, y0), px(x0, y1), px(x1, y1));
        let mut out = [0.0; 4];
        for k in 0..4 {
            let top = a[k] + (b[k] - a[k]) * tx;
            let bottom = c[k] + (d[k] - c[k]) * tx;
            out[k] = top + (bottom - top) * ty;
        }
        out
    }
}

/// Resamples `image` (of `size` caller pixels) under `to_device` into the device pixels it
/// covers on a `canvas`-sized target, with a transparent pixel of margin where the canvas
/// allows (so clamping the paint at the pixmap's edge adds nothing). `None` when it covers
/// no pixel or the transform is singular.
pub(crate) fn sample(
    image: &CpuImage,
    size: (f32, f32),
    to_device: &Transform,
    canvas: (u32, u32),
) -> Option<Sampled> {
    let inv = to_device.invert()?;
    let (iw, ih) = size;
    let (x0, y0, x1, y1) = to_device.bounds_of_box(iw, ih);
    let clamp_x = |v: f32| v.clamp(0.0, canvas.0 as f32);
    let clamp_y = |v: f32| v.clamp(0.0, canvas.1 as f32);
    let (px0, py0) = (
        (clamp_x(x0.floor() - 1.0)) as i32,
        (clamp_y(y0.floor() - 1.0)) as i32,
    );
    let (px1, py1) = (
        (clamp_x(x1.ceil() + 1.0)) as i32,
        (clamp_y(y1.ceil() + 1.0)) as i32,
    );
    let (w, h) = ((px1 - px0).max(0) as usize, (py1 - py0).max(0) as usize);
    if w == 0 || h == 0 || w > usize::from(u16::MAX) || h > usize::from(u16::MAX) {
        return None;
    }
    let [a, b, c, d, e, f] = inv.0;
    // Image pixels per device pixel along x and y, for the level of detail and the edge.
    let rho = (a * a + b * b).sqrt().max((c * c + d * d).sqrt());
    let lod = (rho.max(1e-12).log2() + LOD_BIAS).clamp(0.0, (image.levels.len() - 1) as f32);
    let l0 = lod.floor() as usize;
    let l1 = (l0 + 1).min(image.levels.len() - 1);
    let t = if l1 == l0 { 0.0 } else { lod - l0 as f32 };
    let level = |l: usize| {
        let p = &image.levels[l];
        Level {
            data: p.data_as_u8_slice(),
            w: usize::from(p.width()),
            h: usize::from(p.height()),
        }
    };
    let (lv0, lv1) = (level(l0), level(l1));
    let (s0x, s0y) = (lv0.w as f32 / iw, lv0.h as f32 / ih);
    let (s1x, s1y) = (lv1.w as f32 / iw, lv1.h as f32 / ih);
    let (fw_u, fw_v) = ((a.abs() + c.abs()).max(1e-6), (b.abs() + d.abs()).max(1e-6));
    let mut out = vec![0u8; w * h * 4];
    let row = |y: usize, dst: &mut [u8]| {
        let cy = (py0 as usize + y) as f32 + 0.5;
        for x in 0..w {
            let cx = (px0 as usize + x) as f32 + 0.5;
            let (u, v) = (a * cx + c * cy + e, b * cx + d * cy + f);
            // Coverage of the image rectangle, anti-aliased over one pixel.
            let ex = (u.min(iw - u) / fw_u + 0.5).clamp(0.0, 1.0);
            let ey = (v.min(ih - v) / fw_v + 0.5).clamp(0.0, 1.0);
            let cover = ex * ey;
            if cover <= 0.0 {
                continue;
            }
            let mut p = lv0.bilinear(u * s0x, v * s0y);
            if t > 0.0 {
                let q = lv1.bilinear(u * s1x, v * s1y);
                for k in 0..4 {
                    p[k] += (q[k] - p[k]) * t;
                }
            }
            let o = &mut dst[x * 4..x * 4 + 4];
            for k in 0..4 {
                o[k] = (p[k] * cover + 0.5).min(255.0) as u8;
            }
        }
    };
    let threads = crate::parallel::cores().min((w * h / ROWS_PER_THREAD_MIN).max(1));
    if threads <= 1 {
        for (y, dst) in out.chunks_exact_mut(w * 4).enumerate() {
            row(y, dst);
        }
    } else {
        let rows_per = h.div_ceil(threads);
        std::thread::scope(|s| {
            for (i, band) in out.chunks_mut(rows_per * w * 4).enumerate() {
                let row = &row;
                s.spawn(move || {
                    for (j, dst) in band.chunks_exact_mut(w * 4).enumerate() {
                        row(i * rows_per + j, dst);
                    }
                });
            }
        });
    }
    let pixmap = Pixmap::from_parts(
        out,
        w as u16,
        h as u16,
        vello_cpu::PixelMetadata {
            may_have_transparency: true,
            alpha_type: vello_cpu::peniko::ImageAlphaType::AlphaPremultiplied,
        },
    );
    Some(Sampled {
        pixmap: Arc::new(pixmap),
        origin: (px0, py0),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn image(w: u32, h: u32, f: impl Fn(u32, u32) -> [u8; 4]) -> CpuImage {
        let img = image::RgbaImage::from_fn(w, h, |x, y| image::Rgba(f(x, y)));
        let levels: Vec<Arc<Pixmap>> = crate::mipmap::premultiplied_chain(&img)
            .into_iter()
            .map(|l| {
                let (w, h) = l.dimensions();
                Arc::new(Pixmap::from_parts(
                    l.into_raw(),
                    w as u16,
                    h as u16,
                    vello_cpu::PixelMetadata {
                        may_have_transparency: true,
                        alpha_type: vello_cpu::peniko::ImageAlphaType::AlphaPremultiplied,
                    },
                ))
            })
            .collect();
        CpuImage { levels, bytes: 0 }
    }

    #[test]
    fn magnified_images_are_bilinear_at_pixel_centres() {
        // Black | white, 2×1, drawn 4× wide: the GPU gives 0 0 32 96 159 223 255 255.
        let img = image(2, 1, |x, _| if x == 0 { [0, 0, 0, 255] } else { [255; 4] });
        let s = sample(&img, (2.0, 1.0), &Transform::scale(4.0, 4.0), (8, 4))
            .unwrap_or_else(|| panic!("nothing sampled"));
        assert_eq!(s.origin, (0, 0));
        let row: Vec<u8> = (0..8).map(|x| s.pixmap.sample(x, 1).r).collect();
        assert_eq!(row, [0, 0, 32, 96, 159, 223, 255, 255]);
    }

    #[test]
    fn reduced_images_average_through_the_mip_chain() {
        // A fine checker drawn at 1/16 of its size is its average grey, not aliased.
        let img = image(256, 256, |x, y| {
            if (x + y) % 2 == 0 {
                [0, 0, 0, 255]
            } else {
                [255; 4]
            }
        });
        let s = sample(
            &img,
            (256.0, 256.0),
            &Transform::scale(1.0 / 16.0, 1.0 / 16.0),
            (16, 16),
        )
        .unwrap_or_else(|| panic!("nothing sampled"));
        let p = s.pixmap.sample(8, 8);
        assert!((p.r as i32 - 128).abs() <= 2, "{p:?}");
    }

    #[test]
    fn the_rectangle_edge_is_antialiased_and_margins_transparent() {
        let img = image(4, 4, |_, _| [255, 0, 0, 255]);
        // Drawn at x = 10.5: the first column is half covered.
        let s = sample(&img, (4.0, 4.0), &Transform::translate(10.5, 0.0), (32, 8))
            .unwrap_or_else(|| panic!("nothing sampled"));
        assert_eq!(s.origin.0, 9);
        assert_eq!(s.pixmap.sample(0, 1).a, 0, "the margin is transparent");
        let half = s.pixmap.sample(1, 1).a;
        assert!((half as i32 - 128).abs() <= 1, "{half}");
        assert_eq!(s.pixmap.sample(2, 1).a, 255);
    }

    #[test]
    fn the_cache_is_bounded_and_least_recently_used_goes_first() {
        let img = image(8, 8, |_, _| [1, 2, 3, 255]);
        let one = sample(&img, (8.0, 8.0), &Transform::IDENTITY, (8, 8))
            .unwrap_or_else(|| panic!("nothing sampled"));
        let size = one.pixmap.data_as_u8_slice().len() as u64;
        let mut cache = SampleCache::new(size * 2);
        let key = |i: u64| SampleKey::new(i, &Transform::IDENTITY, (8, 8));
        cache.insert(key(1), one.clone());
        cache.insert(key(2), one.clone());
        assert!(cache.get(&key(1)).is_some());
        cache.insert(key(3), one);
        assert!(cache.get(&key(2)).is_none(), "2 was least recently used");
        assert!(cache.get(&key(1)).is_some() && cache.get(&key(3)).is_some());
        assert_eq!(cache.bytes(), size * 2);
        cache.forget(1);
        assert_eq!(cache.bytes(), size);
    }
}
