//! Easel's shared plain types: the affine [`Transform`], the straight-alpha [`Color`],
//! gradient stops, and the fill and stroke enums, with the reference engine's names for
//! parsing and printing (`"EvenOdd"`, `"Miter"`, `"Inner"`).
//!
//! Every other Easel crate that needs one of these uses this definition, so a scene's stroke
//! join and the renderer's stroke join are the same type and nothing converts between them
//! (lyon does the same with `lyon_path`'s `FillRule` and `LineJoin`).
//!
//! It also holds [`Outline`], plain path data (verbs and points) as glyph outlines reach the
//! renderer. This crate is *not* a geometry library: no path algorithms, curves or
//! intersection tests (lyon and the renderer have those), and no colour management beyond
//! sRGB components.
//!
//! ```
//! use easel_geom::{Color, LineJoin, Transform};
//!
//! let t = Transform::scale(2.0, 2.0).then(Transform::translate(10.0, 0.0));
//! assert_eq!(t.apply(1.0, 1.0), (12.0, 2.0));
//! assert_eq!(LineJoin::parse("Round"), Some(LineJoin::Round));
//! assert!(Color::rgb(0.5, 0.5, 0.5).is_valid());
//! ```

mod color;
mod names;
mod outline;
mod transform;

pub use color::{Color, GradientStop};
pub use names::{BlendMode, FillRule, LineCap, LineJoin, NamedEnum, StrokePosition};
pub use outline::{Outline, PathVerb};
pub use transform::Transform;
