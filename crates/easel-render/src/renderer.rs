//! The renderer users hold: options, the backend it runs on, and the calls every backend
//! answers.

use crate::adapter::{AdapterSummary, Backend, DeviceType};
use crate::cpu::CpuRenderer;
use crate::gpu::{self, GpuRenderer};
use crate::prepare::GpuFrame;
use crate::{DisplayList, Error, ImageHandle, Result};
use image::RgbaImage;

/// How to build a [`Renderer`].
#[derive(Clone, Debug, PartialEq)]
pub struct RendererOptions {
    /// Force a backend (`Backend::Cpu`, `Backend::Vulkan`, …). `None` takes the one named
    /// by `EASEL_BACKEND`, else chooses: a real GPU when there is one, otherwise (no GPU, or
    /// only a software rasteriser such as llvmpipe or lavapipe) the CPU backend.
    pub backend: Option<Backend>,
    /// GPU only: use 4× MSAA when the adapter supports it (default true).
    pub msaa: bool,
    /// GPU only: curve flattening tolerance in output pixels (default 0.25, as coarse as the
    /// reference engine: finer costs triangles without a visible difference under
    /// anti-aliasing). The CPU backend flattens to its own accuracy.
    pub tolerance: f32,
    /// GPU only: largest tile side in rendered pixels; canvases beyond it render in tiles
    /// (default 4096).
    pub max_tile_size: u32,
    /// Supersampling factor 1–4 (on the GPU on top of MSAA): the frame renders at this multiple of its
    /// size and is box-filtered down, giving 4·k² coverage samples per pixel. 0 (the
    /// default) chooses per frame: 2 for canvases up to 512 × 512 pixels, where each pixel
    /// is a large share of the picture and the cost is small, 1 above.
    pub supersample: u32,
}

impl Default for RendererOptions {
    fn default() -> Self {
        RendererOptions {
            backend: None,
            msaa: true,
            tolerance: 0.25,
            max_tile_size: 4096,
            supersample: 0,
        }
    }
}

/// The largest canvas side [`Renderer::render`] accepts (it tiles beyond the adapter limit).
pub const MAX_CANVAS_SIZE: u32 = 16384;

/// Counters for tests and monitoring.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RendererStats {
    /// Meshes served from the tessellation cache.
    pub tessellation_hits: u64,
    /// Meshes tessellated.
    pub tessellation_misses: u64,
    /// Images held by the renderer.
    pub images: usize,
    /// Bytes of image texels held (with mipmaps).
    pub image_bytes: u64,
}

/// A display list made ready to render by [`Renderer::prepare`]: validated, and on the GPU
/// tessellated into vertex buffers. Preparing and rendering separately lets callers time
/// tessellation apart from rasterisation.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedFrame {
    inner: Prepared,
}

#[derive(Clone, Debug, PartialEq)]
enum Prepared {
    Gpu(GpuFrame),
    /// The CPU backend draws display lists directly; preparing only validates.
    Cpu(DisplayList),
}

impl PreparedFrame {
    /// Canvas width.
    pub fn width(&self) -> u32 {
        match &self.inner {
            Prepared::Gpu(f) => f.width,
            Prepared::Cpu(l) => l.width,
        }
    }
    /// Canvas height.
    pub fn height(&self) -> u32 {
        match &self.inner {
            Prepared::Gpu(f) => f.height,
            Prepared::Cpu(l) => l.height,
        }
    }
    /// Number of triangles to draw (0 on the CPU backend, which rasterises paths directly).
    pub fn triangle_count(&self) -> usize {
        match &self.inner {
            Prepared::Gpu(f) => f.indices.len() / 3,
            Prepared::Cpu(_) => 0,
        }
    }
}

enum Engine {
    // Boxed: both hold their caches and devices inline.
    Gpu(Box<GpuRenderer>),
    Cpu(Box<CpuRenderer>),
}

/// An offscreen renderer: the CPU backend, or one GPU adapter. `Send + Sync`: share it
/// behind an `Arc`. Frames from several threads are accepted; on the CPU backend they
/// render side by side, on a GPU they are submitted one at a time.
pub struct Renderer {
    engine: Engine,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("adapter", self.adapter())
            .field("sample_count", &self.sample_count())
            .finish()
    }
}

/// Whether this machine may have a GPU worth probing. Creating wgpu instances and
/// enumerating adapters costs tens of milliseconds; on Linux a machine with no GPU device
/// node has nothing to find but software rasterisers, which the CPU backend beats.
fn may_have_gpu() -> bool {
    if !cfg!(target_os = "linux") {
        return true;
    }
    let dri = std::fs::read_dir("/dev/dri").is_ok_and(|mut d| {
        d.any(|e| e.is_ok_and(|e| e.file_name().to_string_lossy().starts_with("renderD")))
    });
    dri || std::path::Path::new("/dev/nvidia0").exists()
        || std::path::Path::new("/dev/dxg").exists()
}

impl Renderer {
    /// Opens a renderer on the forced backend, or chooses one (see
    /// [`RendererOptions::backend`]): a discrete, then integrated, then virtual GPU; the CPU
    /// backend when there is none or only a software rasteriser.
    ///
    /// ```
    /// let renderer = easel_render::Renderer::new(easel_render::RendererOptions {
    ///     backend: Some(easel_render::Backend::Cpu),
    ///     ..Default::default()
    /// })?;
    /// assert_eq!(renderer.adapter().backend, easel_render::Backend::Cpu);
    /// # Ok::<(), easel_render::Error>(())
    /// ```
    pub fn new(options: RendererOptions) -> Result<Renderer> {
        let forced = match options.backend {
            Some(b) => Some(b),
            None => Backend::from_env()?,
        };
        let engine = match forced {
            Some(Backend::Cpu) => Engine::Cpu(Box::new(CpuRenderer::new(options.supersample))),
            Some(b) => Engine::Gpu(Box::new(GpuRenderer::new(
                &options,
                gpu::backends(Some(b)),
            )?)),
            None if !may_have_gpu() => Engine::Cpu(Box::new(CpuRenderer::new(options.supersample))),
            None => match GpuRenderer::new(&options, gpu::backends(None)) {
                Ok(g) if g.adapter().device_type != DeviceType::Cpu => Engine::Gpu(Box::new(g)),
                // A software rasteriser, or no adapter at all.
                _ => Engine::Cpu(Box::new(CpuRenderer::new(options.supersample))),
            },
        };
        Ok(Renderer { engine })
    }

    /// The adapter this renderer runs on (`Backend::Cpu` for the CPU backend).
    pub fn adapter(&self) -> &AdapterSummary {
        match &self.engine {
            Engine::Gpu(g) => g.adapter(),
            Engine::Cpu(c) => c.adapter(),
        }
    }

    /// The backend this renderer draws on.
    pub fn backend(&self) -> Backend {
        self.adapter().backend
    }

    /// GPU: 4 with MSAA, 1 without. CPU: 1 (coverage is computed analytically).
    pub fn sample_count(&self) -> u32 {
        match &self.engine {
            Engine::Gpu(g) => g.sample_count(),
            Engine::Cpu(_) => 1,
        }
    }

    /// Cache and memory counters.
    pub fn stats(&self) -> RendererStats {
        match &self.engine {
            Engine::Gpu(g) => g.stats(),
            Engine::Cpu(c) => c.stats(),
        }
    }

    /// Adds an image (straight-alpha RGBA) for display lists to paint with, with a mipmap
    /// chain so it samples cleanly at any scale. On a GPU, images larger than the adapter's
    /// texture limit are scaled down to fit.
    pub fn add_image(&self, image: &RgbaImage) -> Result<ImageHandle> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Err(Error::InvalidImage {
                width: w,
                height: h,
                reason: "the image is empty".into(),
            });
        }
        match &self.engine {
            Engine::Gpu(g) => g.add_image(image),
            Engine::Cpu(_) if w > u32::from(u16::MAX) || h > u32::from(u16::MAX) => {
                Err(Error::InvalidImage {
                    width: w,
                    height: h,
                    reason: format!("the CPU backend takes at most {} pixels a side", u16::MAX),
                })
            }
            Engine::Cpu(c) => c.add_image(image),
        }
    }

    /// Frees an image. Unknown handles are ignored.
    pub fn remove_image(&self, handle: ImageHandle) {
        match &self.engine {
            Engine::Gpu(g) => g.remove_image(handle),
            Engine::Cpu(c) => c.remove_image(handle),
        }
    }

    /// Destroys the GPU device as a driver reset would, so embedders can test their recovery:
    /// every later call returns [`Error::DeviceLost`]; a new `Renderer` works. The CPU
    /// backend has no device to lose: nothing happens.
    pub fn simulate_device_loss(&self) {
        if let Engine::Gpu(g) = &self.engine {
            g.simulate_device_loss();
        }
    }

    /// Drops every cached mesh (the next frames tessellate again).
    pub fn clear_tessellation_cache(&self) {
        if let Engine::Gpu(g) = &self.engine {
            g.clear_tessellation_cache();
        }
    }

    /// The supersampling factor for a `width × height` canvas.
    pub fn supersample_for(&self, width: u32, height: u32) -> u32 {
        match &self.engine {
            Engine::Gpu(g) => g.supersample_for(width, height),
            Engine::Cpu(c) => c.supersample_for(width, height),
        }
    }

    /// Validates a display list and, on a GPU, tessellates it and builds its vertex data.
    pub fn prepare(&self, list: &DisplayList) -> Result<PreparedFrame> {
        check_canvas(list)?;
        let inner = match &self.engine {
            Engine::Gpu(g) => Prepared::Gpu(g.prepare(list)?),
            Engine::Cpu(_) => {
                for (index, item) in list.items.iter().enumerate() {
                    crate::prepare::validate(index, item)?;
                }
                Prepared::Cpu(list.clone())
            }
        };
        Ok(PreparedFrame { inner })
    }

    /// Renders a display list to straight-alpha sRGB RGBA pixels, exactly width × height.
    pub fn render(&self, list: &DisplayList) -> Result<RgbaImage> {
        match &self.engine {
            Engine::Gpu(_) => {
                let frame = self.prepare(list)?;
                self.render_prepared(&frame)
            }
            Engine::Cpu(c) => {
                check_canvas(list)?;
                c.render(list, c.supersample_for(list.width, list.height))
            }
        }
    }

    /// Hands back the pixels of a frame this renderer drew, once they are used (encoded),
    /// so a later frame of about the same size draws into that memory instead of mapping
    /// and faulting in new pages (on the CPU backend, a tenth of an 800 × 600 export's
    /// time). Any image may be handed back; the GPU backend drops it.
    pub fn recycle(&self, image: RgbaImage) {
        match &self.engine {
            Engine::Gpu(_) => drop(image),
            Engine::Cpu(c) => c.recycle(image),
        }
    }

    /// Renders a frame made by [`Self::prepare`] (on this renderer).
    pub fn render_prepared(&self, frame: &PreparedFrame) -> Result<RgbaImage> {
        match (&self.engine, &frame.inner) {
            (Engine::Gpu(g), Prepared::Gpu(f)) => g.render_prepared(f),
            (Engine::Cpu(c), Prepared::Cpu(l)) => c.render(l, c.supersample_for(l.width, l.height)),
            _ => Err(Error::InvalidOption {
                option: "prepared frame".into(),
                value: format!("{}x{}", frame.width(), frame.height()),
                reason: "it was prepared by a renderer on another backend".into(),
            }),
        }
    }
}
/// The supersampling factor for a `width × height` canvas under `option`
/// ([`RendererOptions::supersample`]): 2 up to 512 × 512 pixels when automatic.
pub(crate) fn supersample_for(option: u32, width: u32, height: u32) -> u32 {
    match option {
        0 if u64::from(width) * u64::from(height) <= 512 * 512 => 2,
        0 => 1,
        k => k.min(4),
    }
}

fn check_canvas(list: &DisplayList) -> Result<()> {
    let ok = |side: u32| (1..=MAX_CANVAS_SIZE).contains(&side);
    if ok(list.width) && ok(list.height) {
        Ok(())
    } else {
        Err(Error::InvalidCanvasSize {
            width: list.width,
            height: list.height,
            max: MAX_CANVAS_SIZE,
        })
    }
}
