//! The renderer's input: plain, serialisable drawing data.

use crate::{
    BlendMode, Color, FillRule, GradientStop, LineCap, LineJoin, StrokePosition, Transform,
};
use serde::{Deserialize, Serialize};

/// A path described by its shape, in the item's local coordinates with the box at
/// `(0, 0)..(width, height)`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum PathShape {
    /// A rectangle with corner radii `[top_left, top_right, bottom_right, bottom_left]`.
    Rect {
        /// Width.
        width: f32,
        /// Height.
        height: f32,
        /// Corner radii, clamped to half the shorter side.
        radii: [f32; 4],
    },
    /// An ellipse inscribed in the box.
    Ellipse {
        /// Width.
        width: f32,
        /// Height.
        height: f32,
    },
    /// A star inscribed in the box, first point at the top.
    Star {
        /// Width.
        width: f32,
        /// Height.
        height: f32,
        /// Number of points (≥ 3).
        points: u32,
        /// Inner radius as a fraction of the outer one (0..=1).
        inner_diameter: f32,
    },
    /// A regular polygon inscribed in the box, first corner at the top.
    Polygon {
        /// Width.
        width: f32,
        /// Height.
        height: f32,
        /// Number of sides (≥ 3).
        sides: u32,
        /// Corner rounding radius.
        corner_radius: f32,
    },
    /// A straight segment from `(x0, y0)` to `(x1, y1)`; draws only with a stroke.
    Line {
        /// Start x.
        x0: f32,
        /// Start y.
        y0: f32,
        /// End x.
        x1: f32,
        /// End y.
        y1: f32,
    },
    /// A filled outline (non-zero) in its own coordinates, such as a glyph at 1 px per em;
    /// the item's transform sizes and places it. Tessellations are cached by its id.
    Outline(std::sync::Arc<easel_geom::Outline>),
    /// SVG path data, scaled from a `view_width × view_height` box into `width × height`.
    Svg {
        /// The `d` attribute.
        data: String,
        /// Fill rule.
        fill_rule: FillRule,
        /// Width of the coordinate system the data is written in.
        view_width: f32,
        /// Height of that coordinate system.
        view_height: f32,
        /// Target width.
        width: f32,
        /// Target height.
        height: f32,
    },
}

/// A decoded image known to a [`crate::Renderer`] (see [`crate::Renderer::add_image`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ImageHandle {
    /// Unique per renderer.
    pub id: u64,
    /// Pixel width.
    pub width: u32,
    /// Pixel height.
    pub height: u32,
}

/// How the inside of a path is painted. Geometry is in the item's local coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Paint {
    /// One colour.
    Solid(Color),
    /// Colours along the line from `start` to `end`.
    LinearGradient {
        /// Where offset 0 is.
        start: [f32; 2],
        /// Where offset 1 is.
        end: [f32; 2],
        /// The stops.
        stops: Vec<GradientStop>,
    },
    /// Colours by distance from `center`, offset 1 at `radius`.
    RadialGradient {
        /// Centre.
        center: [f32; 2],
        /// Radius of offset 1.
        radius: f32,
        /// The stops.
        stops: Vec<GradientStop>,
    },
    /// Colours by angle around `center`, clockwise from the right (+x, 3 o'clock), as the
    /// reference engine draws its conical gradients.
    ConicalGradient {
        /// Centre.
        center: [f32; 2],
        /// The stops.
        stops: Vec<GradientStop>,
    },
    /// An image; `transform` maps image pixels to the item's local coordinates. Outside the
    /// image the paint is transparent.
    Image {
        /// The image.
        image: ImageHandle,
        /// Image pixels → local coordinates.
        transform: Transform,
    },
}

/// An outline drawn along the path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    /// Width in local units.
    pub width: f32,
    /// Colour.
    pub color: Color,
    /// Join style.
    pub join: LineJoin,
    /// Cap style.
    pub cap: LineCap,
    /// Miter limit (≥ 1).
    pub miter_limit: f32,
    /// Dash lengths, alternating on/off; empty is solid.
    pub dash_array: Vec<f32>,
    /// Offset into the dash pattern.
    pub dash_offset: f32,
    /// Inner, centre or outer.
    pub position: StrokePosition,
}

impl Default for Stroke {
    fn default() -> Self {
        Stroke {
            width: 1.0,
            color: Color::BLACK,
            join: LineJoin::Miter,
            cap: LineCap::Butt,
            miter_limit: 4.0,
            dash_array: Vec::new(),
            dash_offset: 0.0,
            position: StrokePosition::Center,
        }
    }
}

/// A clip: only what lies inside this path (under its transform, in canvas space) shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Clip {
    /// The clip outline.
    pub path: PathShape,
    /// Its local → canvas transform.
    pub transform: Transform,
}

/// One thing to draw.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisplayItem {
    /// The outline.
    pub path: PathShape,
    /// Local → canvas coordinates.
    pub transform: Transform,
    /// How the inside is painted; `None` draws only the stroke.
    pub fill: Option<Paint>,
    /// Outline, if any.
    pub stroke: Option<Stroke>,
    /// Group opacity applied to fill and stroke together.
    pub opacity: f32,
    /// Optional clip.
    pub clip: Option<Clip>,
}

impl DisplayItem {
    /// An item with a solid fill and nothing else.
    pub fn filled(path: PathShape, transform: Transform, color: Color) -> Self {
        DisplayItem {
            path,
            transform,
            fill: Some(Paint::Solid(color)),
            stroke: None,
            opacity: 1.0,
            clip: None,
        }
    }
}

/// A run of items drawn into a transparent layer of their own, which then composites onto
/// what lies under it at `opacity` with `blend` — how a group at half opacity shows its
/// children as one picture instead of letting them show through each other, and how a
/// block multiplies onto the page.
///
/// Layers nest: two layers' ranges either do not overlap or one holds the other (equal
/// ranges nest in list order, the first outermost). At most [`MAX_LAYER_DEPTH`] deep.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Layer {
    /// The items drawn into the layer: `items[start..end]` of the list.
    pub items: std::ops::Range<usize>,
    /// Applied to the layer as a whole, in `0..=1`.
    pub opacity: f32,
    /// How the layer combines with the backdrop.
    pub blend: BlendMode,
}

/// How deep layers may nest in one display list (each level is a render target).
pub const MAX_LAYER_DEPTH: usize = 16;

/// A frame to render: canvas size, background and items in paint order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DisplayList {
    /// Canvas width in pixels.
    pub width: u32,
    /// Canvas height in pixels.
    pub height: u32,
    /// Colour under everything (may be transparent).
    pub background: Color,
    /// Items, first drawn first.
    pub items: Vec<DisplayItem>,
    /// Runs of items composited as one (group opacity, blend modes); empty for most frames.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub layers: Vec<Layer>,
}
