//! Easel: a headless creative engine. Create asset sources, search and edit them, build a
//! design scene, and export pages to PNG, JPEG or WebP — natively, with GPU rendering.
//!
//! One [`Engine`] composes the three crates, with parts named after the reference engine's:
//! `engine.asset` ([`easel_assets`]), `engine.block` and `engine.scene` ([`easel_scene`]),
//! `engine.editor` (resource settings) and `engine.event`. Export compiles the scene into an
//! [`easel_render::DisplayList`], fetches and decodes the images it needs, renders it with
//! wgpu and encodes the pixels.
//!
//! This crate is the thin layer users meet; algorithms live in the three crates. It is not a
//! UI: there is no selection, undo or interactive editing here.
//!
//! ```no_run
//! use easel::{Engine, ExportOptions, SceneLayout};
//!
//! let engine = Engine::new(Default::default());
//! let page = engine.scene.create(SceneLayout::VerticalStack, Some((800.0, 600.0)))?.page()?;
//! let block = engine.block.create("graphic")?;
//! engine.block.set_shape(block, engine.block.create_shape("rect")?)?;
//! let fill = engine.block.create_fill("image")?;
//! engine.block.set_string(fill, "fill/image/imageFileURI", "assets/samples/sample_1.jpg")?;
//! engine.block.set_fill(block, fill)?;
//! engine.block.set_width(block, 400.0)?;
//! engine.block.set_height(block, 300.0)?;
//! engine.block.set_position_x(block, 200.0)?;
//! engine.block.set_position_y(block, 150.0)?;
//! engine.block.append_child(page, block)?;
//! let png = engine.block.export(page, &ExportOptions::default())?;
//! # Ok::<(), easel::Error>(())
//! ```

#[macro_use]
mod delegate;

mod archive;
mod asset;
mod block;
mod compile;
mod editor;
mod engine;
mod error;
mod event;
mod export;
mod resources;
mod scene;
mod text;
mod text_api;

pub use asset::AssetApi;
pub use block::BlockApi;
pub use editor::{EditorApi, EditorSettings, HostPolicy, UriResolver};
pub use engine::{Engine, EngineConfig};
pub use error::{Error, ResourceError, ResourceErrorKind, Result};
pub use event::EventApi;
pub use export::{ExportOptions, MimeType};
pub use resources::ResourceState;
pub use resources::network;
pub use scene::SceneApi;

/// The process-wide cache of decoded images that every engine shares: its byte budget and
/// what it holds. GPU textures follow it (an image's upload is freed after it is evicted).
/// Also the decode budget: the bytes all decodes running at once may reserve.
pub mod image_cache {
    pub use crate::resources::budget::{
        DEFAULT_DECODE_BUDGET, decode_budget, decoding_bytes, set_decode_budget,
    };
    pub use crate::resources::cache::{
        DEFAULT_BUDGET, budget, bytes, clear, hits, misses, set_budget,
    };
}

pub use easel_assets::{
    AssetDefinition, AssetFilter, AssetQuery, AssetQueryResult, AssetResult, AssetSource,
    AssetSourceEvent, AssetSourceEventKind, AssetStore, Change, ChangeKind, CompactString, Credits,
    License, LocalSourceOptions, SmallMap, SortingOrder, Subscription,
};
pub use easel_render::{AdapterSummary, Backend, DeviceType, RendererOptions};
pub use easel_scene::{
    BlendMode, BlockEvent, BlockEventKind, BlockId, BlockType, Color, ContentFillMode,
    CreatedScene, FillKind, FillRule, Frame, GradientStop, HorizontalAlignment, LineCap, LineJoin,
    PropertyType, PropertyValue, SceneLayout, ShapeKind, StrokePosition, Transform,
    VerticalAlignment,
};
pub use easel_scene::{
    DroppedComponent, FontFace, FontStyle, FontWeight, LoadOptions, LoadReport, TextRun, Typeface,
};
/// The text crate.
pub use easel_text as text_engine;
pub use text::{DEFAULT_FONT_PREFIX, default_typeface};
pub use text_api::TextLine;

/// The asset-source crate.
pub use easel_assets as assets;
/// The renderer crate.
pub use easel_render as render;
/// The scene graph crate.
pub use easel_scene as scene_graph;
