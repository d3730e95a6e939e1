//! Colours and gradient stops.

use serde::{Deserialize, Serialize};

/// A straight-alpha sRGB colour with components in `0.0..=1.0` (the reference engine's
/// `{r, g, b, a}`).
#[repr(C)]
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Serialize,
    Deserialize,
    bytemuck::Pod,
    bytemuck::Zeroable,
)]
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

    /// A colour from its four components (same as [`Color::rgba`]).
    pub const fn new(r: f32, g: f32, b: f32, a: f32) -> Self {
        Color { r, g, b, a }
    }

    /// An opaque colour.
    pub const fn rgb(r: f32, g: f32, b: f32) -> Self {
        Color { r, g, b, a: 1.0 }
    }

    /// The four components in `[r, g, b, a]` order.
    pub const fn to_array(self) -> [f32; 4] {
        [self.r, self.g, self.b, self.a]
    }

    /// True when every component is finite (whatever its range).
    pub fn is_finite(&self) -> bool {
        self.to_array().iter().all(|c| c.is_finite())
    }

    /// True when every component is finite and within `0.0..=1.0`.
    pub fn is_valid(&self) -> bool {
        self.to_array()
            .iter()
            .all(|c| c.is_finite() && (0.0..=1.0).contains(c))
    }

    /// Premultiplied 8-bit RGBA after scaling alpha by `opacity`, components clamped to
    /// `0..=1` and rounded to nearest.
    pub fn premultiplied_u8(self, opacity: f32) -> [u8; 4] {
        let a = (self.a * opacity).clamp(0.0, 1.0);
        let q = |v: f32| (v.clamp(0.0, 1.0) * a * 255.0 + 0.5) as u8;
        [q(self.r), q(self.g), q(self.b), (a * 255.0 + 0.5) as u8]
    }
}

/// One colour stop of a gradient: `stop` is the offset along the gradient in `0.0..=1.0`
/// (the reference engine's `{color, stop}`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct GradientStop {
    /// The colour at this stop.
    pub color: Color,
    /// Offset along the gradient, `0.0..=1.0`.
    pub stop: f32,
}

impl GradientStop {
    /// A stop of `color` at offset `stop`.
    pub const fn new(stop: f32, color: Color) -> Self {
        GradientStop { color, stop }
    }

    /// True when the offset is within `0.0..=1.0` and the colour is valid.
    pub fn is_valid(&self) -> bool {
        self.color.is_valid() && (0.0..=1.0).contains(&self.stop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validity_and_premultiplication() {
        assert!(Color::rgb(0.2, 0.4, 1.0).is_valid());
        assert!(!Color::rgba(1.5, 0.0, 0.0, 1.0).is_valid());
        assert!(!Color::rgba(f32::NAN, 0.0, 0.0, 1.0).is_finite());
        assert_eq!(
            Color::rgba(1.0, 0.5, 0.0, 0.5).premultiplied_u8(1.0),
            [128, 64, 0, 128]
        );
        assert_eq!(Color::WHITE.premultiplied_u8(0.0), [0, 0, 0, 0]);
        assert!(!GradientStop::new(1.5, Color::BLACK).is_valid());
    }

    #[test]
    fn json_uses_the_reference_field_names() {
        let stop = GradientStop::new(0.25, Color::rgb(1.0, 0.0, 0.0));
        let json = serde_json::to_string(&stop).unwrap_or_default();
        assert_eq!(
            json,
            r#"{"color":{"r":1.0,"g":0.0,"b":0.0,"a":1.0},"stop":0.25}"#
        );
    }
}
