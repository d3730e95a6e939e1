//! The 2-D affine transform.

use serde::{Deserialize, Serialize};

/// A 2-D affine transform `[a, b, c, d, e, f]` (column-major 2×3, as in SVG's `matrix()`):
/// `x' = a·x + c·y + e`, `y' = b·x + d·y + f`. On a y-down canvas a positive rotation
/// turns clockwise.
///
/// ```
/// use easel_geom::Transform;
/// let t = Transform::rotate(std::f32::consts::FRAC_PI_2).then(Transform::translate(5.0, 0.0));
/// let (x, y) = t.apply(1.0, 0.0);
/// assert!((x - 5.0).abs() < 1e-6 && (y - 1.0).abs() < 1e-6);
/// ```
#[repr(C)]
#[derive(
    Clone, Copy, Debug, PartialEq, Serialize, Deserialize, bytemuck::Pod, bytemuck::Zeroable,
)]
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
    pub const fn translate(x: f32, y: f32) -> Transform {
        Transform([1.0, 0.0, 0.0, 1.0, x, y])
    }

    /// A scale about the origin.
    pub const fn scale(sx: f32, sy: f32) -> Transform {
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

    /// The translation part `(e, f)`: where the origin lands.
    pub fn translation(&self) -> (f32, f32) {
        (self.0[4], self.0[5])
    }

    /// The determinant of the linear part (negative when the transform mirrors).
    pub fn determinant(&self) -> f32 {
        let [a, b, c, d, _, _] = self.0;
        a * d - b * c
    }

    /// The inverse, or `None` when the transform is singular or not finite.
    pub fn invert(&self) -> Option<Transform> {
        let [a, b, c, d, e, f] = self.0;
        let det = self.determinant();
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

    /// The largest factor by which the transform stretches lengths along an axis.
    pub fn max_scale(&self) -> f32 {
        let [a, b, c, d, _, _] = self.0;
        (a * a + b * b).sqrt().max((c * c + d * d).sqrt())
    }

    /// True when every coefficient is finite.
    pub fn is_finite(&self) -> bool {
        self.0.iter().all(|v| v.is_finite())
    }

    /// True when the transform maps axis-aligned rectangles to axis-aligned rectangles
    /// without mirroring or rotating (only scale and translation).
    pub fn is_scale_translate(&self) -> bool {
        let [a, b, c, d, _, _] = self.0;
        b == 0.0 && c == 0.0 && a > 0.0 && d > 0.0
    }

    /// The axis-aligned bounds `(min_x, min_y, max_x, max_y)` of the `w × h` box at the
    /// origin after this transform.
    pub fn bounds_of_box(&self, w: f32, h: f32) -> (f32, f32, f32, f32) {
        let corners = [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)].map(|(x, y)| self.apply(x, y));
        corners.iter().fold(
            (
                f32::INFINITY,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::NEG_INFINITY,
            ),
            |(x0, y0, x1, y1), (x, y)| (x0.min(*x), y0.min(*y), x1.max(*x), y1.max(*y)),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn composition_order_and_inverse() {
        let t = Transform::scale(2.0, 3.0).then(Transform::translate(1.0, 1.0));
        assert_eq!(t.apply(1.0, 1.0), (3.0, 4.0));
        let back = t.invert().map(|i| i.apply(3.0, 4.0));
        assert_eq!(back, Some((1.0, 1.0)));
        assert_eq!(Transform::scale(0.0, 1.0).invert(), None);
        assert_eq!(t.max_scale(), 3.0);
        assert!(Transform::scale(-1.0, 1.0).determinant() < 0.0);
    }

    #[test]
    fn box_bounds_follow_rotation() {
        let t = Transform::rotate(std::f32::consts::FRAC_PI_2);
        let (x0, y0, x1, y1) = t.bounds_of_box(10.0, 4.0);
        assert!((x0 + 4.0).abs() < 1e-5 && y0.abs() < 1e-5);
        assert!(x1.abs() < 1e-5 && (y1 - 10.0).abs() < 1e-5);
    }

    #[test]
    fn layout_is_pinned() {
        // The renderer uploads transforms as they are: 6 floats, no padding.
        assert_eq!(std::mem::size_of::<Transform>(), 24);
    }
}
