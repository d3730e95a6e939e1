use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The geometry a graphic block draws.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ShapeKind {
    /// A rectangle with four corner radii.
    Rect,
    /// An ellipse inscribed in the frame.
    Ellipse,
    /// A star with a number of points and an inner diameter.
    Star,
    /// A regular polygon with rounded corners.
    Polygon,
    /// A horizontal line through the frame's centre.
    Line,
    /// SVG path data scaled into the frame.
    VectorPath,
}

/// How a block's shape is painted.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FillKind {
    /// A solid colour.
    Color,
    /// A linear gradient.
    LinearGradient,
    /// A radial gradient.
    RadialGradient,
    /// A conical (sweep) gradient.
    ConicalGradient,
    /// An image.
    Image,
}

/// The type of a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum BlockType {
    /// The root of a design.
    Scene,
    /// Lays out pages along an axis.
    Stack,
    /// A page: what is exported.
    Page,
    /// A visible element with a shape and a fill.
    Graphic,
    /// Groups graphics.
    Group,
    /// Text: styled runs laid out in its frame.
    Text,
    /// A shape block, owned by a graphic.
    Shape(ShapeKind),
    /// A fill block, owned by a graphic or a page.
    Fill(FillKind),
}

const PREFIX: &str = "//ly.img.ubq/";

const NAMES: &[(BlockType, &str)] = &[
    (BlockType::Scene, "scene"),
    (BlockType::Stack, "stack"),
    (BlockType::Page, "page"),
    (BlockType::Graphic, "graphic"),
    (BlockType::Group, "group"),
    (BlockType::Text, "text"),
    (BlockType::Shape(ShapeKind::Rect), "shape/rect"),
    (BlockType::Shape(ShapeKind::Ellipse), "shape/ellipse"),
    (BlockType::Shape(ShapeKind::Star), "shape/star"),
    (BlockType::Shape(ShapeKind::Polygon), "shape/polygon"),
    (BlockType::Shape(ShapeKind::Line), "shape/line"),
    (BlockType::Shape(ShapeKind::VectorPath), "shape/vector_path"),
    (BlockType::Fill(FillKind::Color), "fill/color"),
    (
        BlockType::Fill(FillKind::LinearGradient),
        "fill/gradient/linear",
    ),
    (
        BlockType::Fill(FillKind::RadialGradient),
        "fill/gradient/radial",
    ),
    (
        BlockType::Fill(FillKind::ConicalGradient),
        "fill/gradient/conical",
    ),
    (BlockType::Fill(FillKind::Image), "fill/image"),
];

impl BlockType {
    /// Every block type, in a fixed order.
    pub fn all() -> impl Iterator<Item = BlockType> {
        NAMES.iter().map(|(t, _)| *t)
    }

    /// The position of this type in [`BlockType::all`].
    pub(crate) fn ordinal(self) -> usize {
        NAMES.iter().position(|(t, _)| *t == self).unwrap_or(0)
    }

    /// The short name (`graphic`, `shape/rect`, `fill/image`).
    pub fn short_name(self) -> &'static str {
        NAMES
            .iter()
            .find(|(t, _)| *t == self)
            .map(|(_, n)| *n)
            .unwrap_or("unknown")
    }

    /// The long name used by the reference engine (`//ly.img.ubq/graphic`).
    pub fn long_name(self) -> String {
        format!("{PREFIX}{}", self.short_name())
    }

    /// Parses a design-block type name: `graphic` or `//ly.img.ubq/graphic`, also shape and
    /// fill types given with their `shape/` or `fill/` prefix.
    pub fn parse(name: &str) -> Result<BlockType> {
        let short = name.strip_prefix(PREFIX).unwrap_or(name);
        NAMES
            .iter()
            .find(|(_, n)| *n == short)
            .map(|(t, _)| *t)
            .ok_or_else(|| Error::UnknownBlockType(name.to_string()))
    }

    /// Parses a shape type: `rect`, `shape/rect` or `//ly.img.ubq/shape/rect`.
    pub fn parse_shape(name: &str) -> Result<ShapeKind> {
        Self::parse_prefixed(name, "shape/").and_then(|t| match t {
            BlockType::Shape(k) => Ok(k),
            _ => Err(Error::UnknownBlockType(name.to_string())),
        })
    }

    /// Parses a fill type: `color`, `fill/color` or `//ly.img.ubq/fill/color`.
    pub fn parse_fill(name: &str) -> Result<FillKind> {
        Self::parse_prefixed(name, "fill/").and_then(|t| match t {
            BlockType::Fill(k) => Ok(k),
            _ => Err(Error::UnknownBlockType(name.to_string())),
        })
    }

    fn parse_prefixed(name: &str, prefix: &str) -> Result<BlockType> {
        let short = name.strip_prefix(PREFIX).unwrap_or(name);
        if short.starts_with(prefix) {
            Self::parse(short)
        } else {
            Self::parse(&format!("{prefix}{short}"))
        }
        .map_err(|_| Error::UnknownBlockType(name.to_string()))
    }

    /// True for blocks that take part in the design hierarchy (not shapes or fills).
    pub fn is_design_block(self) -> bool {
        !matches!(self, BlockType::Shape(_) | BlockType::Fill(_))
    }
}

impl fmt::Display for BlockType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(PREFIX)?;
        f.write_str(self.short_name())
    }
}
