//! The scene graph model of Easel: blocks, their typed properties, the hierarchy, layout,
//! block events and JSON serialization.
//!
//! Everything in a design is a block addressed by a [`BlockId`]: the scene, its stack, pages,
//! graphics and groups, and also the shapes and fills that graphics use. Blocks carry
//! properties described by a per-type schema ([`PropertySpec`]) and are read and written by
//! key (`"fill/color/value"`, `"shape/star/points"`, …) with the same names as the reference
//! engine, or through typed helpers ([`SceneGraph::set_width`], [`SceneGraph::set_fill`], …).
//!
//! The model also decides what a block looks like, so the layers above only translate:
//! which blocks an export draws, at what opacity and in which layers (group opacity, blend
//! modes: [`SceneGraph::draw_order`]), and where an image lands inside its block
//! ([`ContentFill`]).
//!
//! This crate is *not* a renderer and does no I/O: it does not fetch images or know about
//! GPUs. The facade crate `easel` compiles a scene into a display list for `easel-render`.
//!
//! ```
//! use easel_scene::{SceneGraph, SceneLayout, Color};
//!
//! let mut graph = SceneGraph::new();
//! let page = graph.create_scene(SceneLayout::VerticalStack, Some((800.0, 600.0)))?.page()?;
//! let block = graph.create("graphic")?;
//! let shape = graph.create_shape("rect")?;
//! graph.set_shape(block, shape)?;
//! let fill = graph.create_fill("color")?;
//! graph.set_color(fill, "fill/color/value", Color::rgb(0.9, 0.1, 0.1))?;
//! graph.set_fill(block, fill)?;
//! graph.set_width(block, 400.0)?;
//! graph.set_height(block, 300.0)?;
//! graph.append_child(page, block)?;
//! graph.layout();
//! assert_eq!(graph.frame(block)?.width, 400.0);
//! # Ok::<(), easel_scene::Error>(())
//! ```

mod arrange;
mod block_type;
mod cesdk;
mod content_fill;
mod drawing;
mod error;
mod events;
mod graph;
mod hierarchy;
mod id;
mod json_tree;
pub mod keys;
mod layout;
mod property;
mod schema;
mod schema_reference;
mod serialize;
mod text;
mod typed;

pub use block_type::{BlockType, FillKind, ShapeKind};
pub use cesdk::{
    CESDK_PREFIX, DroppedComponent, LoadOptions, LoadReport, cesdk_to_easel_json, is_cesdk,
};
pub use content_fill::{ContentFill, Crop};
pub use drawing::{DrawOrder, DrawnBlock, DrawnLayer};
pub use easel_geom::{
    BlendMode, Color, FillRule, GradientStop, LineCap, LineJoin, StrokePosition, Transform,
};
pub use error::{Error, Result};
pub use events::{BlockEvent, BlockEventKind};
pub use graph::{CreatedScene, SceneGraph};
pub use id::BlockId;
pub use layout::Frame;
pub use property::{PropertyType, PropertyValue};
pub use schema::{Access, PropertySpec};
pub use text::{
    FontFace, FontStyle, FontWeight, TextMeasure, TextRun, Typeface, byte_to_utf16, utf16_len,
    utf16_to_byte,
};

/// The deepest a block tree may nest (the scene is level 1; a page in a stack is level 3):
/// appending, inserting and loading refuse anything deeper with a typed error. Layout,
/// save and copy walk the tree recursively within this bound, which stays well inside a
/// 256 KiB thread stack.
pub const MAX_DEPTH: usize = 100;

/// The longest text a text block holds, in bytes (1 MiB): layout work grows with the text,
/// so longer text is refused where it is set.
pub const MAX_TEXT_BYTES: usize = 1 << 20;
pub use typed::{
    ContentFillMode, DesignUnit, HorizontalAlignment, SceneLayout, StackAxis, VerticalAlignment,
};
