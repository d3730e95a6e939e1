//! Easel's offscreen renderer: draws a [`DisplayList`] with wgpu, after tessellating its
//! paths with lyon, and reads the pixels back.
//!
//! It runs on whatever adapter the machine has — a GPU through Vulkan (Metal, DX12
//! elsewhere), or Mesa's llvmpipe (GL via EGL) and lavapipe (Vulkan) without one; set
//! `EASEL_BACKEND=vulkan|gl` to force a backend. Output is straight-alpha sRGB RGBA, with
//! 4× MSAA, premultiplied blending and group opacity; canvases beyond the tile size render
//! in tiles up to 16384 × 16384.
//!
//! It knows nothing of blocks, scenes or assets: the display list is plain data (serde), so
//! embedders can draw their own, and a failing frame can be saved and replayed.
//!
//! ```no_run
//! use easel_render::{DisplayList, DisplayItem, PathShape, Renderer, Rgba, Transform};
//!
//! let renderer = Renderer::new(Default::default())?;
//! let list = DisplayList {
//!     width: 64,
//!     height: 64,
//!     background: Rgba::WHITE,
//!     items: vec![DisplayItem::filled(
//!         PathShape::Rect { width: 32.0, height: 32.0, radii: [0.0; 4] },
//!         Transform::translate(16.0, 16.0),
//!         Rgba::new(1.0, 0.0, 0.0, 1.0),
//!     )],
//! };
//! let pixels = renderer.render(&list)?;
//! let png = easel_render::encode_png(&pixels, 1)?;
//! # Ok::<(), easel_render::Error>(())
//! ```

mod adapter;
mod display_list;
mod encode;
mod error;
mod mipmap;
mod path;
mod prepare;
mod readback;
mod renderer;
mod tessellate;

pub use adapter::{AdapterSummary, BACKEND_ENV, Backend};
pub use display_list::{
    Clip, ColorStop, DisplayItem, DisplayList, FillRule, ImageHandle, LineCap, LineJoin, Paint,
    PathShape, Rgba, Stroke, StrokeAlignment, Transform,
};
pub use encode::{encode_jpeg, encode_png, encode_webp};
pub use error::{Error, Result};
pub use image::RgbaImage;
pub use prepare::PreparedFrame;
pub use renderer::{MAX_CANVAS_SIZE, Renderer, RendererOptions, RendererStats};
pub use tessellate::Mesh;
