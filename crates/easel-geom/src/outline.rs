//! Plain outline data: the verbs of a path, as glyph outlines and other producers hand them
//! to the renderer.

use serde::{Deserialize, Serialize};

/// One step of an outline.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub enum PathVerb {
    /// Starts a new contour at the point.
    MoveTo([f32; 2]),
    /// A straight segment to the point.
    LineTo([f32; 2]),
    /// A quadratic Bézier segment: control point, end point.
    QuadTo([f32; 2], [f32; 2]),
    /// A cubic Bézier segment: two control points, end point.
    CubicTo([f32; 2], [f32; 2], [f32; 2]),
    /// Closes the current contour.
    Close,
}

/// A filled outline (non-zero winding) in its own coordinates, y pointing down, named by a
/// producer-chosen `id` that is the same for the same outline and different otherwise (a
/// glyph outline: font and glyph), so a renderer can cache work by it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Outline {
    /// Identifies the outline for caching: equal ids mean equal verbs.
    pub id: u64,
    /// The verbs, in order.
    pub verbs: Vec<PathVerb>,
}

impl Outline {
    /// True when the outline draws nothing (a space).
    pub fn is_empty(&self) -> bool {
        !self
            .verbs
            .iter()
            .any(|v| !matches!(v, PathVerb::MoveTo(_) | PathVerb::Close))
    }

    /// Every coordinate, for validation.
    pub fn points(&self) -> impl Iterator<Item = [f32; 2]> + '_ {
        self.verbs.iter().flat_map(|v| {
            let (n, p) = match *v {
                PathVerb::MoveTo(a) | PathVerb::LineTo(a) => (1, [a, a, a]),
                PathVerb::QuadTo(a, b) => (2, [a, b, b]),
                PathVerb::CubicTo(a, b, c) => (3, [a, b, c]),
                PathVerb::Close => (0, [[0.0; 2]; 3]),
            };
            p.into_iter().take(n)
        })
    }
}
