//! Easel's offscreen renderer: draws a [`DisplayList`] and reads the pixels back, on one
//! of two backends behind the same calls.
//!
//! - **CPU** (`vello_cpu`: sparse strips, analytic anti-aliasing, SIMD) — chosen by itself
//!   when the machine has no GPU or only a software rasteriser (llvmpipe, lavapipe,
//!   SwiftShader, WARP), since it beats them and needs no driver. Exports render side by
//!   side on separate threads.
//! - **GPU** (wgpu: Vulkan, Metal, DX12, GL) — paths tessellated with lyon, 4× MSAA,
//!   premultiplied blending; canvases beyond the tile size render in tiles.
//!
//! `EASEL_BACKEND=cpu|vulkan|gl` (or [`RendererOptions::backend`]) forces one. Both draw
//! the same features — fill rules, strokes with joins, caps, dashes and inner/outer
//! positions, every gradient kind, images with mipmaps, clips, item and layer opacity, the
//! reference engine's 27 blend modes — and agree
//! within 40 dB on every golden case. Output is straight-alpha sRGB RGBA up to 16384 ×
//! 16384.
//!
//! It knows nothing of blocks, scenes or assets: the display list is plain data (serde), so
//! embedders can draw their own, and a failing frame can be saved and replayed.
//!
//! ```no_run
//! use easel_render::{Color, DisplayList, DisplayItem, PathShape, Renderer, Transform};
//!
//! let renderer = Renderer::new(Default::default())?;
//! let list = DisplayList {
//!     width: 64,
//!     height: 64,
//!     background: Color::WHITE,
//!     items: vec![DisplayItem::filled(
//!         PathShape::Rect { width: 32.0, height: 32.0, radii: [0.0; 4] },
//!         Transform::translate(16.0, 16.0),
//!         Color::rgb(1.0, 0.0, 0.0),
//!     )],
//!     layers: Vec::new(),
//! };
//! let pixels = renderer.render(&list)?;
//! let png = easel_render::encode_png(&pixels, 1)?;
//! # Ok::<(), easel_render::Error>(())
//! ```

mod adapter;
mod blend;
mod cpu;
mod dash;
mod display_list;
mod encode;
mod error;
mod gpu;
mod layers;
mod mipmap;
mod parallel;
mod path;
mod pixels;
mod prepare;
mod renderer;
mod tessellate;

pub use adapter::{AdapterSummary, BACKEND_ENV, Backend, DeviceType};
pub use display_list::{
    Clip, DisplayItem, DisplayList, ImageHandle, Layer, MAX_LAYER_DEPTH, Paint, PathShape, Stroke,
};
pub use easel_geom::{
    BlendMode, Color, FillRule, GradientStop, LineCap, LineJoin, Outline, PathVerb, StrokePosition,
    Transform,
};
pub use encode::{encode_jpeg, encode_png, encode_webp};
pub use error::{Error, Result};
pub use image::RgbaImage;
pub use renderer::{MAX_CANVAS_SIZE, PreparedFrame, Renderer, RendererOptions, RendererStats};
