//! The renderer users hold: options, the backend it runs on, and the calls every backend
//! answers.

use crate::adapter::{AdapterSummary, Backend};
use crate::gpu::{self, GpuRenderer};
use crate::prepare::PreparedFrame;
use crate::{DisplayList, Error, ImageHandle, Result};
use image::RgbaImage;

/// How to build a [`Renderer`].
#[derive(Clone, Debug, PartialEq)]
pub struct RendererOptions {
    /// Force a backend; `None` tries all, or the one named by `EASEL_BACKEND`.
    pub backend: Option<Backend>,
    /// Use 4× MSAA when the adapter supports it (default true).
    pub msaa: bool,
    /// Curve flattening tolerance in output pixels (default 0.25, as coarse as the reference
    /// engine: finer costs triangles without a visible difference under anti-aliasing).
    pub tolerance: f32,
    /// Largest tile side in rendered pixels; canvases beyond it render in tiles (default 4096).
    pub max_tile_size: u32,
    /// Supersampling factor 1–4 on top of MSAA: the frame renders at this multiple of its
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

/// An offscreen renderer on one adapter. `Send + Sync`: share it behind an `Arc`. Frames
/// from several threads are accepted.
pub struct Renderer {
    gpu: GpuRenderer,
}

impl std::fmt::Debug for Renderer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Renderer")
            .field("adapter", self.gpu.adapter())
            .field("sample_count", &self.gpu.sample_count())
            .finish()
    }
}

impl Renderer {
    /// Picks the best adapter (discrete GPU, then integrated, then software) on the allowed
    /// backends and opens a device with the adapter's full limits.
    ///
    /// ```no_run
    /// let renderer = easel_render::Renderer::new(Default::default())?;
    /// println!("rendering on {:?}", renderer.adapter());
    /// # Ok::<(), easel_render::Error>(())
    /// ```
    pub fn new(options: RendererOptions) -> Result<Renderer> {
        let forced = match options.backend {
            Some(b) => Some(b),
            None => Backend::from_env()?,
        };
        Ok(Renderer {
            gpu: GpuRenderer::new(&options, gpu::backends(forced))?,
        })
    }

    /// The adapter this renderer runs on.
    pub fn adapter(&self) -> &AdapterSummary {
        self.gpu.adapter()
    }

    /// 4 with MSAA, 1 without.
    pub fn sample_count(&self) -> u32 {
        self.gpu.sample_count()
    }

    /// Cache and memory counters.
    pub fn stats(&self) -> RendererStats {
        self.gpu.stats()
    }

    /// Adds an image (straight-alpha RGBA) for display lists to paint with. On the GPU it is
    /// uploaded with a mipmap chain, so it samples cleanly at any scale; images larger than
    /// the adapter's texture limit are scaled down to fit.
    pub fn add_image(&self, image: &RgbaImage) -> Result<ImageHandle> {
        let (w, h) = image.dimensions();
        if w == 0 || h == 0 {
            return Err(Error::InvalidImage {
                width: w,
                height: h,
                reason: "the image is empty".into(),
            });
        }
        self.gpu.add_image(image)
    }

    /// Frees an image. Unknown handles are ignored.
    pub fn remove_image(&self, handle: ImageHandle) {
        self.gpu.remove_image(handle);
    }

    /// Destroys the GPU device as a driver reset would, so embedders can test their recovery:
    /// every later call returns [`Error::DeviceLost`]; a new `Renderer` works.
    pub fn simulate_device_loss(&self) {
        self.gpu.simulate_device_loss();
    }

    /// Drops every cached mesh (the next frames tessellate again).
    pub fn clear_tessellation_cache(&self) {
        self.gpu.clear_tessellation_cache();
    }

    /// The supersampling factor for a `width × height` canvas.
    pub fn supersample_for(&self, width: u32, height: u32) -> u32 {
        self.gpu.supersample_for(width, height)
    }

    /// Validates, tessellates and builds vertex data for a display list.
    pub fn prepare(&self, list: &DisplayList) -> Result<PreparedFrame> {
        check_canvas(list)?;
        self.gpu.prepare(list)
    }

    /// Renders a display list to straight-alpha sRGB RGBA pixels, exactly width × height.
    pub fn render(&self, list: &DisplayList) -> Result<RgbaImage> {
        let frame = self.prepare(list)?;
        self.render_prepared(&frame)
    }

    /// Renders a frame made by [`Self::prepare`].
    pub fn render_prepared(&self, frame: &PreparedFrame) -> Result<RgbaImage> {
        self.gpu.render_prepared(frame)
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
