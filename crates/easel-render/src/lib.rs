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
//! };
//! let pixels = renderer.render(&list)?;
//! let png = easel_render::encode_png(&pixels, 1)?;
//! # Ok::<(), easel_render::Error>(())
//! ```

mod adapter;
mod dash;
mod display_list;
mod encode;
mod error;
mod gpu;
mod mipmap;
mod path;
mod pixels;
mod prepare;
mod renderer;
mod tessellate;

pub use adapter::{AdapterSummary, BACKEND_ENV, Backend, DeviceType};
pub use display_list::{Clip, DisplayItem, DisplayList, ImageHandle, Paint, PathShape, Stroke};
pub use easel_geom::{Color, FillRule, GradientStop, LineCap, LineJoin, StrokePosition, Transform};
pub use encode::{encode_jpeg, encode_png, encode_webp};
pub use error::{Error, Result};
pub use image::RgbaImage;
pub use prepare::PreparedFrame;
pub use renderer::{MAX_CANVAS_SIZE, Renderer, RendererOptions, RendererStats};
