use serde::{Deserialize, Serialize};

/// A straight-alpha RGBA colour with components in `0.0..=1.0` (sRGB).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct Color {
    /// Red.
    pub r: f32,
    /// Green.
    pub g: f32,
    /// Blue.
    pub b: f32,
    /// Alpha (1 is opaque).
    pub a: f32,
}

impl Color {
    /// Opaque white.
    pub const WHITE: Color = Color::rgba(1.0, 1.0, 1.0, 1.0);
    /// Opaque black.
    pub const BLACK: Color = Color::rgba(0.0, 0.0, 0.0, 1.0);
    /// Fully transparent black.
    pub const TRANSPARENT: Color = Color::rgba(0.0, 0.0, 0.0, 0.0);

    /// A colour from its four components.
    pub const fn rgba(r: f32, g: f32, b: f32, a: f32) -> Self {
        Color { r, g, b, a }
    }

    /// An opaque colour.
    pub const fn rgb(r: f32, g: f32, b: f32) -> Self {
        Color { r, g, b, a: 1.0 }
    }

    /// True when every component is finite and within `0.0..=1.0`.
    pub fn is_valid(&self) -> bool {
        [self.r, self.g, self.b, self.a]
            .iter()
            .all(|c| c.is_finite() && (0.0..=1.0).contains(c))
    }
}

/// One colour stop of a gradient: `stop` is the offset along the gradient in `0.0..=1.0`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GradientStop {
    /// The colour at this stop.
    pub color: Color,
    /// Offset along the gradient, `0.0..=1.0`.
    pub stop: f32,
}
