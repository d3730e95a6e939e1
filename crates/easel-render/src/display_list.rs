//! The renderer's input: plain, serialisable drawing data.

use serde::{Deserialize, Serialize};

/// A straight-alpha sRGB colour, components in `0.0..=1.0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Rgba {
    /// Red.
    pub r: f32,
    /// Green.
    pub g: f32,
    /// Blue.
    pub b: f32,
    /// Alpha.
    pub a: f32,
}

impl Rgba {
    /// Opaque white.
    pub const WHITE: Rgba = Rgba::new(1.0, 1.0, 1.0, 1.0);
    /// Opaque black.
    pub const BLACK: Rgba = Rgba::new(0.0, 0.0, 0.0, 1.0);
    /// Transparent.
    pub const TRANSPARENT: Rgba = Rgba::new(0.0, 0.0, 0.0, 0.0);

    /// A colour from its components.
    pub const fn new(r: f32, g: f32, b: f32, a: f32) -> Self {
        Rgba { r, g, b, a }
    }
}

/// A 2-D affine transform `[a, b, c, d, e, f]`: `x' = a·x + c·y + e`, `y' = b·x + d·y + f`.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Transform(pub [f32; 6]);

impl Default for Transform {
    fn default() -> Self {
        Transform::IDENTITY
    }
}

impl Transform {
    /// No change.
    pub const IDENTITY: Transform = Transform([1.0, 0.0, 0.0, 1.0, 0.0, 0.0]);

    /// A translation.
    pub fn translate(x: f32, y: f32) -> Transform {
        Transform([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// A scale about the origin.
    pub fn scale(sx: f32, sy: f32) -> Transform {
        Transform([sx, 0.0, 0.0, sy, 0.0, 0.0])
    }

    /// A rotation about the origin, in radians (clockwise on a y-down canvas).
    pub fn rotate(radians: f32) -> Transform {
        let (s, c) = radians.sin_cos();
        Transform([c, s, -s, c, 0.0, 0.0])
    }

    /// The transform that applies `self` first, then `next`.
    pub fn then(self, next: Transform) -> Transform {
        let (a, b) = (next.0, self.0);
        Transform([
            a[0] * b[0] + a[2] * b[1],
            a[1] * b[0] + a[3] * b[1],
            a[0] * b[2] + a[2] * b[3],
            a[1] * b[2] + a[3] * b[3],
            a[0] * b[4] + a[2] * b[5] + a[4],
            a[1] * b[4] + a[3] * b[5] + a[5],
        ])
    }

    /// Maps a point.
    pub fn apply(&self, x: f32, y: f32) -> (f32, f32) {
        let m = self.0;
        (m[0] * x + m[2] * y + m[4], m[1] * x + m[3] * y + m[5])
    }

    /// The inverse, or `None` when the transform is singular or not finite.
    pub fn invert(&self) -> Option<Transform> {
        let [a, b, c, d, e, f] = self.0;
        let det = a * d - b * c;
        if det == 0.0 || !det.is_finite() {
            return None;
        }
        let inv = 1.0 / det;
        Some(Transform([
            d * inv,
            -b * inv,
            -c * inv,
            a * inv,
            (c * f - d * e) * inv,
            (b * e - a * f) * inv,
        ]))
    }

    /// The largest factor by which the transform stretches lengths.
    pub fn max_scale(&self) -> f32 {
        let [a, b, c, d, _, _] = self.0;
        (a * a + b * b).sqrt().max((c * c + d * d).sqrt())
    }

    pub(crate) fn is_finite(&self) -> bool {
        self.0.iter().all(|v| v.is_finite())
    }
}

/// Fill rule for paths that overlap themselves.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FillRule {
    /// Non-zero winding.
    #[default]
    NonZero,
    /// Even-odd.
    EvenOdd,
}

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

/// A gradient colour stop: `offset` in `0.0..=1.0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ColorStop {
    /// Position along the gradient.
    pub offset: f32,
    /// Colour there.
    pub color: Rgba,
}

/// How the inside of a path is painted. Geometry is in the item's local coordinates.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Paint {
    /// One colour.
    Solid(Rgba),
    /// Colours along the line from `start` to `end`.
    LinearGradient {
        /// Where offset 0 is.
        start: [f32; 2],
        /// Where offset 1 is.
        end: [f32; 2],
        /// The stops.
        stops: Vec<ColorStop>,
    },
    /// Colours by distance from `center`, offset 1 at `radius`.
    RadialGradient {
        /// Centre.
        center: [f32; 2],
        /// Radius of offset 1.
        radius: f32,
        /// The stops.
        stops: Vec<ColorStop>,
    },
    /// Colours by angle around `center`, clockwise from the top.
    ConicalGradient {
        /// Centre.
        center: [f32; 2],
        /// The stops.
        stops: Vec<ColorStop>,
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

/// Where a stroke lies relative to the path.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum StrokeAlignment {
    /// Inside the path.
    Inner,
    /// Centred on the path.
    #[default]
    Center,
    /// Outside the path.
    Outer,
}

/// How stroke segments join.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineJoin {
    /// Sharp, up to the miter limit.
    #[default]
    Miter,
    /// Cut off.
    Bevel,
    /// Rounded.
    Round,
}

/// How open ends and dashes end.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LineCap {
    /// Flat at the end.
    #[default]
    Butt,
    /// Half circle.
    Round,
    /// Half square.
    Square,
}

/// An outline drawn along the path.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Stroke {
    /// Width in local units.
    pub width: f32,
    /// Colour.
    pub color: Rgba,
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
    pub alignment: StrokeAlignment,
}

impl Default for Stroke {
    fn default() -> Self {
        Stroke {
            width: 1.0,
            color: Rgba::BLACK,
            join: LineJoin::Miter,
            cap: LineCap::Butt,
            miter_limit: 4.0,
            dash_array: Vec::new(),
            dash_offset: 0.0,
            alignment: StrokeAlignment::Center,
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
    pub fn filled(path: PathShape, transform: Transform, color: Rgba) -> Self {
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

/// A frame to render: canvas size, background and items in paint order.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DisplayList {
    /// Canvas width in pixels.
    pub width: u32,
    /// Canvas height in pixels.
    pub height: u32,
    /// Colour under everything (may be transparent).
    pub background: Rgba,
    /// Items, first drawn first.
    pub items: Vec<DisplayItem>,
}
