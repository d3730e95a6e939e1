//! Turning [`PathShape`] descriptions into lyon paths.

use crate::FillRule;
use crate::display_list::PathShape;
use crate::{Error, Result};
use lyon::math::{Point, point};
use lyon::path::{Path, PathEvent};
use std::f32::consts::PI;

/// Handle length of a cubic Bézier quarter circle with the least radial error (0.02%).
const KAPPA: f32 = 0.551_915_05;

impl PathShape {
    /// The fill rule that applies to this shape.
    pub fn fill_rule(&self) -> FillRule {
        // Outlines (glyphs) fill non-zero, like the fonts they come from.
        match self {
            PathShape::Svg { fill_rule, .. } => *fill_rule,
            _ => FillRule::NonZero,
        }
    }

    /// True when the shape has no inside to fill (a line).
    pub fn is_open(&self) -> bool {
        matches!(self, PathShape::Line { .. })
    }

    /// Every number in the description, for validation.
    pub(crate) fn numbers(&self) -> Vec<(&'static str, f32)> {
        match self {
            PathShape::Rect {
                width,
                height,
                radii,
            } => vec![
                ("width", *width),
                ("height", *height),
                ("corner radius", radii[0]),
                ("corner radius", radii[1]),
                ("corner radius", radii[2]),
                ("corner radius", radii[3]),
            ],
            PathShape::Ellipse { width, height } => vec![("width", *width), ("height", *height)],
            PathShape::Star {
                width,
                height,
                inner_diameter,
                ..
            } => vec![
                ("width", *width),
                ("height", *height),
                ("inner diameter", *inner_diameter),
            ],
            PathShape::Polygon {
                width,
                height,
                corner_radius,
                ..
            } => vec![
                ("width", *width),
                ("height", *height),
                ("corner radius", *corner_radius),
            ],
            PathShape::Line { .. } => Vec::new(),
            // Outline coordinates may be negative; validation checks them for finiteness.
            PathShape::Outline(_) => Vec::new(),
            PathShape::Svg {
                width,
                height,
                view_width,
                view_height,
                ..
            } => vec![
                ("width", *width),
                ("height", *height),
                ("view width", *view_width),
                ("view height", *view_height),
            ],
        }
    }

    /// Builds the lyon path.
    pub fn to_path(&self) -> Result<Path> {
        let mut b = Path::builder();
        self.build(&mut b)?;
        Ok(b.build())
    }

    /// Sends the outline to `b`, one contour after another.
    pub(crate) fn build(&self, b: &mut impl PathSink) -> Result<()> {
        match self {
            PathShape::Rect {
                width,
                height,
                radii,
            } => {
                let (w, h) = (width.max(0.0), height.max(0.0));
                let [tl, tr, br, bl] = radii.map(|r| r.max(0.0));
                // Radii that do not fit a side are scaled down together, as CSS and the
                // reference engine do: a 100 px corner beside a 0 px one stays 100 px on a
                // 150 px side; four 200 px corners on 200 × 150 become 75 px.
                let fit = [(tl + tr, w), (bl + br, w), (tl + bl, h), (tr + br, h)]
                    .iter()
                    .filter(|(sum, _)| *sum > 0.0)
                    .map(|(sum, side)| side / sum)
                    .fold(1.0f32, f32::min);
                let [tl, tr, br, bl] = [tl, tr, br, bl].map(|r| r * fit);
                // Corners are cubic quarter-arcs (see the ellipse below for why not lyon's).
                let k = 1.0 - KAPPA;
                let corners = [
                    // (corner start, handle 1, handle 2, corner end, radius)
                    ((w - tr, 0.0), (w - tr * k, 0.0), (w, tr * k), (w, tr), tr),
                    (
                        (w, h - br),
                        (w, h - br * k),
                        (w - br * k, h),
                        (w - br, h),
                        br,
                    ),
                    ((bl, h), (bl * k, h), (0.0, h - bl * k), (0.0, h - bl), bl),
                    ((0.0, tl), (0.0, tl * k), (tl * k, 0.0), (tl, 0.0), tl),
                ];
                b.begin(point(tl, 0.0));
                for (start, c1, c2, end, r) in corners {
                    b.line_to(point(start.0, start.1));
                    if r > 0.0 {
                        b.cubic_to(point(c1.0, c1.1), point(c2.0, c2.1), point(end.0, end.1));
                    }
                }
                b.end(true);
            }
            PathShape::Ellipse { width, height } => {
                // Four cubic quarter-arcs with the optimal handle length: radial error
                // 0.02%. (lyon's `add_ellipse` bulges out by 0.3%, a third of a pixel on a
                // 200-pixel circle, which shows as fat anti-aliased edges.)
                const K: f32 = KAPPA;
                let (rx, ry) = (width / 2.0, height / 2.0);
                let p = |x: f32, y: f32| point(rx + rx * x, ry + ry * y);
                b.begin(p(1.0, 0.0));
                b.cubic_to(p(1.0, K), p(K, 1.0), p(0.0, 1.0));
                b.cubic_to(p(-K, 1.0), p(-1.0, K), p(-1.0, 0.0));
                b.cubic_to(p(-1.0, -K), p(-K, -1.0), p(0.0, -1.0));
                b.cubic_to(p(K, -1.0), p(1.0, -K), p(1.0, 0.0));
                b.end(true);
            }
            PathShape::Star {
                width,
                height,
                points,
                inner_diameter,
            } => {
                let n = (*points).max(3) as usize * 2;
                let (cx, cy) = (width / 2.0, height / 2.0);
                let inner = inner_diameter.clamp(0.0, 1.0);
                for i in 0..n {
                    let k = if i % 2 == 0 { 1.0 } else { inner };
                    let a = -PI / 2.0 + i as f32 * PI * 2.0 / n as f32;
                    let p = point(cx + cx * k * a.cos(), cy + cy * k * a.sin());
                    if i == 0 {
                        b.begin(p);
                    } else {
                        b.line_to(p);
                    }
                }
                b.end(true);
            }
            PathShape::Polygon {
                width,
                height,
                sides,
                corner_radius,
            } => {
                let n = (*sides).max(3) as usize;
                let (cx, cy) = (width / 2.0, height / 2.0);
                // Odd counts point up; even ones sit on a flat side (a square is upright, a
                // hexagon has corners left and right), as the reference engine draws them.
                let start = if n.is_multiple_of(2) {
                    -PI / 2.0 + PI / n as f32
                } else {
                    -PI / 2.0
                };
                let corners: Vec<_> = (0..n)
                    .map(|i| {
                        let a = start + i as f32 * PI * 2.0 / n as f32;
                        point(cx + cx * a.cos(), cy + cy * a.sin())
                    })
                    .collect();
                if *corner_radius <= 0.0 {
                    b.begin(corners[0]);
                    for c in &corners[1..] {
                        b.line_to(*c);
                    }
                } else {
                    // Cut each corner back along both edges and round it with a quadratic
                    // curve whose control point is the corner.
                    for i in 0..n {
                        let (prev, c, next) =
                            (corners[(i + n - 1) % n], corners[i], corners[(i + 1) % n]);
                        let (to_prev, to_next) = (prev - c, next - c);
                        let cut = corner_radius
                            .min(to_prev.length() / 2.0)
                            .min(to_next.length() / 2.0);
                        let a = c + to_prev.normalize() * cut;
                        let z = c + to_next.normalize() * cut;
                        if i == 0 {
                            b.begin(a);
                        } else {
                            b.line_to(a);
                        }
                        b.quad_to(c, z);
                    }
                }
                b.end(true);
            }
            PathShape::Line { x0, y0, x1, y1 } => {
                b.begin(point(*x0, *y0));
                b.line_to(point(*x1, *y1));
                b.end(false);
            }
            PathShape::Svg {
                data,
                view_width,
                view_height,
                width,
                height,
                ..
            } => {
                let parsed = parse_svg(data)?;
                let sx = if *view_width > 0.0 {
                    width / view_width
                } else {
                    1.0
                };
                let sy = if *view_height > 0.0 {
                    height / view_height
                } else {
                    1.0
                };
                let parsed = parsed.transformed(&lyon::math::Transform::scale(sx, sy));
                for event in parsed.iter() {
                    match event {
                        PathEvent::Begin { at } => b.begin(at),
                        PathEvent::Line { to, .. } => b.line_to(to),
                        PathEvent::Quadratic { ctrl, to, .. } => b.quad_to(ctrl, to),
                        PathEvent::Cubic {
                            ctrl1, ctrl2, to, ..
                        } => b.cubic_to(ctrl1, ctrl2, to),
                        PathEvent::End { close, .. } => b.end(close),
                    }
                }
            }
            PathShape::Outline(o) => {
                use easel_geom::PathVerb;
                let mut open = false;
                for v in &o.verbs {
                    match *v {
                        PathVerb::MoveTo([x, y]) => {
                            if open {
                                b.end(true);
                            }
                            b.begin(point(x, y));
                            open = true;
                        }
                        // A segment without a MoveTo starts its contour at its own start.
                        PathVerb::LineTo([x, y]) if open => {
                            b.line_to(point(x, y));
                        }
                        PathVerb::QuadTo([cx, cy], [x, y]) if open => {
                            b.quad_to(point(cx, cy), point(x, y));
                        }
                        PathVerb::CubicTo([c1x, c1y], [c2x, c2y], [x, y]) if open => {
                            b.cubic_to(point(c1x, c1y), point(c2x, c2y), point(x, y));
                        }
                        PathVerb::Close if open => {
                            b.end(true);
                            open = false;
                        }
                        _ => {}
                    }
                }
                if open {
                    b.end(true);
                }
            }
        }
        Ok(())
    }
}

/// Where [`PathShape::build`] sends an outline: lyon's path builder (for tessellation) or
/// the CPU backend's kurbo path, each built directly rather than one converted into the
/// other. Every contour starts with `begin` and finishes with `end`.
pub(crate) trait PathSink {
    fn begin(&mut self, at: Point);
    fn line_to(&mut self, to: Point);
    fn quad_to(&mut self, ctrl: Point, to: Point);
    fn cubic_to(&mut self, ctrl1: Point, ctrl2: Point, to: Point);
    fn end(&mut self, close: bool);
}

impl PathSink for lyon::path::path::Builder {
    fn begin(&mut self, at: Point) {
        lyon::path::builder::PathBuilder::begin(self, at, &[]);
    }
    fn line_to(&mut self, to: Point) {
        lyon::path::builder::PathBuilder::line_to(self, to, &[]);
    }
    fn quad_to(&mut self, ctrl: Point, to: Point) {
        lyon::path::builder::PathBuilder::quadratic_bezier_to(self, ctrl, to, &[]);
    }
    fn cubic_to(&mut self, ctrl1: Point, ctrl2: Point, to: Point) {
        lyon::path::builder::PathBuilder::cubic_bezier_to(self, ctrl1, ctrl2, to, &[]);
    }
    fn end(&mut self, close: bool) {
        lyon::path::builder::PathBuilder::end(self, close);
    }
}

fn parse_svg(data: &str) -> Result<Path> {
    use lyon::extra::parser::{ParserOptions, PathParser, Source};
    let mut builder = Path::builder();
    let mut source = Source::new(data.chars());
    PathParser::new()
        .parse(&ParserOptions::DEFAULT, &mut source, &mut builder)
        .map_err(|e| Error::InvalidPath {
            data: data.chars().take(80).collect(),
            message: e.to_string(),
        })?;
    Ok(builder.build())
}
