//! Cutting a path into dashes before it is stroked.
//!
//! Dashing always terminates: every step advances along the path by the pattern entry or to
//! the segment's end, and positions are computed from the segment start in `f64`, so a step
//! never rounds to nothing. A pattern so fine that the path would need more than
//! [`MAX_DASHES`] dashes is stretched uniformly until it needs at most that many — at that
//! density each dash is far below a pixel, and stretching keeps the on/off ratio, which is
//! what shows.

use lyon::math::Point;
use lyon::path::iterator::PathIterator;
use lyon::path::{Path, PathEvent};

/// The most dash entries (on and off) one path is cut into.
pub(crate) const MAX_DASHES: f64 = 65_536.0;

/// Cuts a path into dashes: flattens it, then walks each sub-path with the pattern
/// (alternating on/off lengths), starting `offset` into the pattern.
pub(crate) fn dash(path: &Path, pattern: &[f32], offset: f32, tolerance: f32) -> Path {
    let mut out = Path::builder();
    let polylines = flatten(path, tolerance);
    let total: f64 = pattern.iter().map(|d| f64::from(*d)).sum();
    if !(total.is_finite() && total > 0.0) {
        return out.build();
    }
    let length: f64 = polylines
        .iter()
        .flat_map(|l| l.windows(2))
        .map(|s| f64::from((s[1] - s[0]).length()))
        .sum();
    // How many pattern entries the path would take; stretch the pattern past the bound.
    let entries = length / total * pattern.len() as f64;
    let stretch = if entries > MAX_DASHES {
        entries / MAX_DASHES
    } else {
        1.0
    };
    let pattern: Vec<f64> = pattern.iter().map(|d| f64::from(*d) * stretch).collect();
    let total = total * stretch;
    let start = start_state(&pattern, f64::from(offset) * stretch, total);
    for line in polylines {
        let (mut i, mut left) = start;
        let mut drawing = false;
        for seg in line.windows(2) {
            let (a, b) = (seg[0], seg[1]);
            let len = f64::from((b - a).length());
            let at = |d: f64| a + (b - a) * (d / len) as f32;
            let mut pos = 0.0;
            while pos < len {
                let step = left.min(len - pos);
                let on = i % 2 == 0;
                if on && !drawing {
                    out.begin(at(pos));
                    drawing = true;
                }
                pos += step;
                left -= step;
                if on {
                    out.line_to(if pos >= len { b } else { at(pos) });
                }
                if left <= 0.0 {
                    if drawing {
                        out.end(false);
                        drawing = false;
                    }
                    i = (i + 1) % pattern.len();
                    left = pattern[i];
                }
            }
        }
        if drawing {
            out.end(false);
        }
    }
    out.build()
}

/// Where in the pattern a sub-path starts: `(entry index, length left in it)`.
fn start_state(pattern: &[f64], offset: f64, total: f64) -> (usize, f64) {
    let mut i = 0;
    let mut left = pattern[0];
    let mut skip = offset.rem_euclid(total);
    // `skip < total`, so this visits each entry at most once (plus rounding slack).
    for _ in 0..=pattern.len() {
        if skip <= 0.0 {
            break;
        }
        if skip >= left {
            skip -= left;
            i = (i + 1) % pattern.len();
            left = pattern[i];
        } else {
            left -= skip;
            skip = 0.0;
        }
    }
    (i, left)
}

/// The path as polylines, one per sub-path; closed sub-paths end at their first point.
fn flatten(path: &Path, tolerance: f32) -> Vec<Vec<Point>> {
    let mut polylines: Vec<Vec<Point>> = Vec::new();
    for event in path.iter().flattened(tolerance) {
        match event {
            PathEvent::Begin { at } => polylines.push(vec![at]),
            PathEvent::Line { to, .. } => {
                if let Some(p) = polylines.last_mut() {
                    p.push(to);
                }
            }
            PathEvent::End { last, first, close } => {
                if close
                    && last != first
                    && let Some(p) = polylines.last_mut()
                {
                    p.push(first);
                }
            }
            _ => {}
        }
    }
    polylines
}

#[cfg(test)]
mod tests {
    use super::*;
    use lyon::math::point;

    fn line(len: f32) -> Path {
        let mut b = Path::builder();
        b.begin(point(0.0, 0.0));
        b.line_to(point(len, 0.0));
        b.end(false);
        b.build()
    }

    /// Each dash as `(start x, end x)` of a horizontal dashed line.
    fn dashes(path: &Path) -> Vec<(f32, f32)> {
        let mut out = Vec::new();
        let mut start = 0.0;
        for e in path.iter() {
            match e {
                PathEvent::Begin { at } => start = at.x,
                PathEvent::End { last, .. } => out.push((start, last.x)),
                _ => {}
            }
        }
        out
    }

    #[test]
    fn pattern_alternates_on_and_off() {
        let d = dashes(&dash(&line(10.0), &[2.0, 1.0], 0.0, 0.1));
        assert_eq!(d, [(0.0, 2.0), (3.0, 5.0), (6.0, 8.0), (9.0, 10.0)]);
    }

    #[test]
    fn offset_shifts_into_the_pattern() {
        let d = dashes(&dash(&line(6.0), &[2.0, 2.0], 1.0, 0.1));
        assert_eq!(d, [(0.0, 1.0), (3.0, 5.0)]);
        // Negative offsets wrap around the pattern.
        let d = dashes(&dash(&line(6.0), &[2.0, 2.0], -1.0, 0.1));
        assert_eq!(d, [(1.0, 3.0), (5.0, 6.0)]);
    }

    #[test]
    fn dashes_continue_across_corners() {
        let mut b = Path::builder();
        b.begin(point(0.0, 0.0));
        b.line_to(point(3.0, 0.0));
        b.line_to(point(3.0, 3.0));
        b.end(false);
        let dashed = dash(&b.build(), &[4.0, 2.0], 0.0, 0.1);
        let points: Vec<PathEvent> = dashed.iter().collect();
        // One dash of length 4 turns the corner: (0,0) → (3,0) → (3,1), then a gap to 3.
        assert!(matches!(points[0], PathEvent::Begin { at } if at == point(0.0, 0.0)));
        assert!(matches!(points[1], PathEvent::Line { to, .. } if to == point(3.0, 0.0)));
        assert!(
            matches!(points[2], PathEvent::Line { to, .. } if (to - point(3.0, 1.0)).length() < 1e-5)
        );
    }

    #[test]
    fn tiny_patterns_terminate_with_bounded_output() {
        // 1e-6 dashes over 1000 units would be a billion dashes: stretched to the bound.
        let dashed = dash(&line(1000.0), &[1e-6, 1e-6], 0.0, 0.1);
        let n = dashes(&dashed).len() as f64;
        assert!(n <= MAX_DASHES / 2.0 + 1.0, "{n} dashes");
        assert!(
            n >= MAX_DASHES / 2.0 - 1.0,
            "the on/off ratio is kept: {n} dashes"
        );
        // A pattern that sums to nothing draws nothing.
        assert!(dashes(&dash(&line(10.0), &[0.0, 0.0], 0.0, 0.1)).is_empty());
    }

    #[test]
    fn zero_length_entries_make_dots() {
        // A dot falling exactly on the path's end is not drawn (the walk stops there).
        let d = dashes(&dash(&line(5.0), &[0.0, 2.0], 0.0, 0.1));
        assert_eq!(d, [(0.0, 0.0), (2.0, 2.0), (4.0, 4.0)]);
    }
}
