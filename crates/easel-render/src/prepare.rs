//! CPU side of a frame: validation, tessellation and vertex building.

use crate::display_list::{
    ColorStop, DisplayItem, DisplayList, Paint, PathShape, Rgba, StrokeAlignment, Transform,
};
use crate::tessellate::{Mesh, Outline, TessellationCache};
use crate::{Error, Result};
use std::collections::HashMap;
use std::ops::Range;

/// One vertex: canvas position, paint coordinates, premultiplied colour (opacity folded in)
/// and `kind | ramp_row << 8`.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, PartialEq, bytemuck::Pod, bytemuck::Zeroable)]
pub(crate) struct Vertex {
    pub pos: [f32; 2],
    pub uv: [f32; 2],
    pub color: [u8; 4],
    pub info: u32,
}

pub(crate) const KIND_SOLID: u32 = 0;
pub(crate) const KIND_LINEAR: u32 = 1;
pub(crate) const KIND_RADIAL: u32 = 2;
pub(crate) const KIND_CONICAL: u32 = 3;
pub(crate) const KIND_IMAGE: u32 = 4;
pub(crate) const KIND_LAYER: u32 = 5;

/// Gradient ramps are 256 texels wide, one row per distinct stop list.
pub(crate) const RAMP_WIDTH: u32 = 256;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blend {
    /// Premultiplied source-over.
    Over,
    /// Overwrite (used to cut the inner half of an outer stroke inside a layer).
    Replace,
}

/// What a draw samples, which picks its fragment shader and texture binding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Binding {
    /// Flat colours only: the cheap fragment shader, no texture reads.
    Solid,
    /// Gradients (the ramp texture).
    Gradient,
    /// An image.
    Image(u64),
    /// The scratch layer.
    Layer,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Draw {
    pub blend: Blend,
    pub binding: Binding,
    pub indices: Range<u32>,
}

#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Op {
    Draw(Draw),
    /// Draw `content` into the scratch layer, then `composite` samples it into the canvas.
    Layer {
        content: Vec<Draw>,
        composite: Draw,
    },
}

/// A display list turned into GPU-ready buffers; render it with
/// [`crate::Renderer::render_prepared`]. Preparing and rendering separately lets callers
/// time tessellation apart from GPU work.
#[derive(Clone, Debug, PartialEq)]
pub struct PreparedFrame {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) background: Rgba,
    pub(crate) vertices: Vec<Vertex>,
    pub(crate) indices: Vec<u32>,
    pub(crate) ops: Vec<Op>,
    pub(crate) ramp: Vec<u8>,
    pub(crate) ramp_rows: u32,
    /// Supersampling factor chosen for this frame.
    pub(crate) supersample: u32,
    /// False when every edge falls on a pixel boundary, so MSAA would change nothing.
    pub(crate) antialias: bool,
}

impl PreparedFrame {
    /// Canvas width.
    pub fn width(&self) -> u32 {
        self.width
    }
    /// Canvas height.
    pub fn height(&self) -> u32 {
        self.height
    }
    /// Number of triangles to draw.
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }
}

/// Image sizes the preparation needs, by handle id.
pub(crate) type ImageSizes = HashMap<u64, (u32, u32)>;

struct Builder<'a> {
    frame: PreparedFrame,
    ramps: HashMap<Vec<u32>, u32>,
    cache: &'a mut TessellationCache,
    images: &'a ImageSizes,
    tolerance: f32,
    max_ramp_rows: u32,
}

fn premultiply(c: Rgba, opacity: f32) -> [u8; 4] {
    let a = (c.a * opacity).clamp(0.0, 1.0);
    let q = |v: f32| (v.clamp(0.0, 1.0) * a * 255.0 + 0.5) as u8;
    [q(c.r), q(c.g), q(c.b), (a * 255.0 + 0.5) as u8]
}

fn bad(index: usize, what: &str, value: impl std::fmt::Display) -> Error {
    Error::InvalidItem {
        index,
        what: what.to_string(),
        value: value.to_string(),
    }
}

fn check_color(index: usize, what: &str, c: &Rgba) -> Result<()> {
    if [c.r, c.g, c.b, c.a].iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(bad(index, what, format!("{c:?}")))
    }
}

fn check_stops(index: usize, stops: &[ColorStop]) -> Result<()> {
    if stops.is_empty() {
        return Err(bad(index, "gradient", "with no stops"));
    }
    for s in stops {
        check_color(index, "gradient stop colour", &s.color)?;
        if !s.offset.is_finite() {
            return Err(bad(index, "gradient stop offset", s.offset));
        }
    }
    Ok(())
}

/// Checks every number of an item before anything is drawn.
fn validate(index: usize, item: &DisplayItem) -> Result<()> {
    if !item.transform.is_finite() {
        return Err(bad(index, "transform", format!("{:?}", item.transform.0)));
    }
    if !item.opacity.is_finite() || !(0.0..=1.0).contains(&item.opacity) {
        return Err(bad(index, "opacity", item.opacity));
    }
    let shapes = std::iter::once(&item.path).chain(item.clip.as_ref().map(|c| &c.path));
    for shape in shapes {
        for (what, v) in shape.numbers() {
            if !v.is_finite() || v < 0.0 {
                return Err(bad(index, what, v));
            }
        }
        if let PathShape::Line { x0, y0, x1, y1 } = shape
            && ![x0, y0, x1, y1].iter().all(|v| v.is_finite())
        {
            return Err(bad(
                index,
                "line end point",
                format!("({x0},{y0})-({x1},{y1})"),
            ));
        }
    }
    if let Some(clip) = &item.clip
        && !clip.transform.is_finite()
    {
        return Err(bad(
            index,
            "clip transform",
            format!("{:?}", clip.transform.0),
        ));
    }
    if let Some(s) = &item.stroke {
        if !s.width.is_finite() || s.width < 0.0 {
            return Err(bad(index, "stroke width", s.width));
        }
        if !s.miter_limit.is_finite() {
            return Err(bad(index, "miter limit", s.miter_limit));
        }
        if !s.dash_offset.is_finite() || s.dash_array.iter().any(|d| !d.is_finite() || *d < 0.0) {
            return Err(bad(index, "dash array", format!("{:?}", s.dash_array)));
        }
        check_color(index, "stroke colour", &s.color)?;
    }
    match &item.fill {
        Some(Paint::Solid(c)) => check_color(index, "fill colour", c)?,
        Some(Paint::LinearGradient { start, end, stops }) => {
            check_stops(index, stops)?;
            if !start.iter().chain(end).all(|v| v.is_finite()) {
                return Err(bad(
                    index,
                    "gradient geometry",
                    format!("{start:?} {end:?}"),
                ));
            }
        }
        Some(Paint::RadialGradient {
            center,
            radius,
            stops,
        }) => {
            check_stops(index, stops)?;
            if !center.iter().all(|v| v.is_finite()) || !radius.is_finite() || *radius < 0.0 {
                return Err(bad(
                    index,
                    "radial gradient",
                    format!("{center:?} r={radius}"),
                ));
            }
        }
        Some(Paint::ConicalGradient { center, stops }) => {
            check_stops(index, stops)?;
            if !center.iter().all(|v| v.is_finite()) {
                return Err(bad(index, "conical gradient centre", format!("{center:?}")));
            }
        }
        Some(Paint::Image { transform, .. })
            if !transform.is_finite() || transform.invert().is_none() =>
        {
            return Err(bad(index, "image transform", format!("{:?}", transform.0)));
        }
        Some(Paint::Image { .. }) => {}
        None => {}
    }
    Ok(())
}

/// Builds the 256 premultiplied texels of one gradient row.
fn ramp_row(stops: &[ColorStop]) -> Vec<u8> {
    let mut sorted = stops.to_vec();
    sorted.sort_by(|a, b| a.offset.total_cmp(&b.offset));
    let mut out = Vec::with_capacity(RAMP_WIDTH as usize * 4);
    for x in 0..RAMP_WIDTH {
        let t = x as f32 / (RAMP_WIDTH - 1) as f32;
        let after = sorted.iter().position(|s| s.offset >= t);
        let c = match after {
            None => sorted[sorted.len() - 1].color,
            Some(0) => sorted[0].color,
            Some(i) => {
                let (a, b) = (sorted[i - 1], sorted[i]);
                let span = b.offset - a.offset;
                let k = if span > 0.0 {
                    (t - a.offset) / span
                } else {
                    1.0
                };
                // Interpolate premultiplied, so transparent stops do not darken neighbours.
                let pa = [
                    a.color.r * a.color.a,
                    a.color.g * a.color.a,
                    a.color.b * a.color.a,
                    a.color.a,
                ];
                let pb = [
                    b.color.r * b.color.a,
                    b.color.g * b.color.a,
                    b.color.b * b.color.a,
                    b.color.a,
                ];
                let p: Vec<f32> = pa.iter().zip(pb).map(|(x, y)| x + (y - x) * k).collect();
                out.extend(p.iter().map(|v| (v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8));
                continue;
            }
        };
        out.extend(premultiply(c, 1.0));
    }
    out
}

impl Builder<'_> {
    fn ramp(&mut self, index: usize, stops: &[ColorStop]) -> Result<u32> {
        let key: Vec<u32> = stops
            .iter()
            .flat_map(|s| [s.offset, s.color.r, s.color.g, s.color.b, s.color.a].map(f32::to_bits))
            .collect();
        if let Some(row) = self.ramps.get(&key) {
            return Ok(*row);
        }
        let row = self.frame.ramp_rows;
        if row >= self.max_ramp_rows {
            return Err(bad(
                index,
                "gradient count",
                format!("over {}", self.max_ramp_rows),
            ));
        }
        self.frame.ramp.extend(ramp_row(stops));
        self.frame.ramp_rows += 1;
        self.ramps.insert(key, row);
        Ok(row)
    }

    /// Appends a mesh with its paint; returns the index range.
    fn push(
        &mut self,
        index: usize,
        mesh: &Mesh,
        transform: &Transform,
        paint: Option<&Paint>,
        solid: Rgba,
        opacity: f32,
    ) -> Result<(Range<u32>, Binding)> {
        let alpha = (opacity.clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
        let (kind, row, binding) = match paint {
            None | Some(Paint::Solid(_)) => (KIND_SOLID, 0, Binding::Solid),
            Some(Paint::LinearGradient { stops, .. }) => {
                (KIND_LINEAR, self.ramp(index, stops)?, Binding::Gradient)
            }
            Some(Paint::RadialGradient { stops, .. }) => {
                (KIND_RADIAL, self.ramp(index, stops)?, Binding::Gradient)
            }
            Some(Paint::ConicalGradient { stops, .. }) => {
                (KIND_CONICAL, self.ramp(index, stops)?, Binding::Gradient)
            }
            Some(Paint::Image { image, .. }) => {
                if !self.images.contains_key(&image.id) {
                    return Err(Error::UnknownImage(image.id));
                }
                (KIND_IMAGE, 0, Binding::Image(image.id))
            }
        };
        let color = match paint {
            None | Some(Paint::Solid(_)) => premultiply(solid, opacity),
            _ => [0, 0, 0, alpha],
        };
        // Paint coordinates are affine in local space, so per-vertex values interpolate exactly.
        let uv_of: Box<dyn Fn(f32, f32) -> [f32; 2]> = match paint {
            Some(Paint::LinearGradient { start, end, .. }) => {
                let (dx, dy) = (end[0] - start[0], end[1] - start[1]);
                let len2 = dx * dx + dy * dy;
                let s = *start;
                Box::new(move |x, y| {
                    let t = if len2 > 0.0 {
                        ((x - s[0]) * dx + (y - s[1]) * dy) / len2
                    } else {
                        1.0
                    };
                    [t, 0.0]
                })
            }
            Some(Paint::RadialGradient { center, radius, .. }) => {
                let (c, r) = (*center, radius.max(1e-6));
                Box::new(move |x, y| [(x - c[0]) / r, (y - c[1]) / r])
            }
            Some(Paint::ConicalGradient { center, .. }) => {
                let c = *center;
                Box::new(move |x, y| [x - c[0], y - c[1]])
            }
            Some(Paint::Image { image, transform }) => {
                let inv = transform.invert().unwrap_or(Transform::IDENTITY);
                let (w, h) = (image.width.max(1) as f32, image.height.max(1) as f32);
                Box::new(move |x, y| {
                    let (u, v) = inv.apply(x, y);
                    [u / w, v / h]
                })
            }
            _ => Box::new(|_, _| [0.0, 0.0]),
        };
        let indices = self.append(mesh, transform, color, kind | (row << 8), &*uv_of);
        Ok((indices, binding))
    }

    fn canvas_quad(&mut self, alpha: u8) -> Range<u32> {
        let (w, h) = (self.frame.width as f32, self.frame.height as f32);
        let quad = Mesh {
            vertices: vec![[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]],
            indices: vec![0, 1, 2, 0, 2, 3],
        };
        self.push_layer_mesh(&quad, &Transform::IDENTITY, alpha)
    }

    fn item(&mut self, index: usize, item: &DisplayItem) -> Result<()> {
        validate(index, item)?;
        let scale = item.transform.max_scale();
        if item.opacity <= 0.0 || scale <= 0.0 {
            return Ok(());
        }
        let tolerance = self.tolerance / scale;
        let fill = match (&item.fill, item.path.is_open()) {
            (Some(p), false) => Some((
                p,
                self.cache
                    .mesh(&item.path, Outline::Fill, tolerance, index)?,
            )),
            _ => None,
        };
        let stroke = match &item.stroke {
            Some(s) if s.width > 0.0 && s.color.a > 0.0 => {
                let width = if s.alignment == StrokeAlignment::Center || item.path.is_open() {
                    s.width
                } else {
                    s.width * 2.0
                };
                Some((
                    s,
                    self.cache
                        .mesh(&item.path, Outline::Stroke(s, width), tolerance, index)?,
                ))
            }
            _ => None,
        };
        let alignment = match &stroke {
            Some((s, _)) if !item.path.is_open() => s.alignment,
            _ => StrokeAlignment::Center,
        };
        let layered = item.clip.is_some()
            || alignment != StrokeAlignment::Center
            || (item.opacity < 1.0 && fill.is_some() && stroke.is_some());
        let t = item.transform;
        // Directly drawn items carry their opacity in their colours; layered ones draw at
        // full opacity and the composite applies it once.
        let fill_draw = |b: &mut Self, blend: Blend, opacity: f32| -> Result<Option<Draw>> {
            Ok(match &fill {
                Some((paint, mesh)) => {
                    let solid = match paint {
                        Paint::Solid(c) => *c,
                        _ => Rgba::BLACK,
                    };
                    let (indices, binding) =
                        b.push(index, mesh, &t, Some(paint), solid, opacity)?;
                    Some(Draw {
                        blend,
                        binding,
                        indices,
                    })
                }
                None => None,
            })
        };
        let stroke_draw = |b: &mut Self, opacity: f32| -> Result<Option<Draw>> {
            Ok(match &stroke {
                Some((s, mesh)) => {
                    let (indices, binding) = b.push(index, mesh, &t, None, s.color, opacity)?;
                    Some(Draw {
                        blend: Blend::Over,
                        binding,
                        indices,
                    })
                }
                None => None,
            })
        };
        if !layered {
            if let Some(d) = fill_draw(self, Blend::Over, item.opacity)? {
                self.draw(d);
            }
            if let Some(d) = stroke_draw(self, item.opacity)? {
                self.draw(d);
            }
            return Ok(());
        }
        let mut content = Vec::new();
        match alignment {
            StrokeAlignment::Outer => {
                content.extend(stroke_draw(self, 1.0)?);
                match fill_draw(self, Blend::Replace, 1.0)? {
                    Some(d) => content.push(d),
                    None => {
                        // No fill: erase the inner half of the stroke with transparent pixels.
                        let mesh = self
                            .cache
                            .mesh(&item.path, Outline::Fill, tolerance, index)?;
                        let (indices, binding) =
                            self.push(index, &mesh, &t, None, Rgba::TRANSPARENT, 1.0)?;
                        content.push(Draw {
                            blend: Blend::Replace,
                            binding,
                            indices,
                        });
                    }
                }
            }
            _ => {
                content.extend(fill_draw(self, Blend::Over, 1.0)?);
                content.extend(stroke_draw(self, 1.0)?);
            }
        }
        // The composite samples the layer inside the clip (or the shape, for inner strokes).
        let alpha = (item.opacity * 255.0 + 0.5) as u8;
        let composite_indices = match (&item.clip, alignment) {
            (Some(clip), _) => {
                let tol = self.tolerance / clip.transform.max_scale().max(1e-6);
                let mesh = self.cache.mesh(&clip.path, Outline::Fill, tol, index)?;
                self.push_layer_mesh(&mesh, &clip.transform, alpha)
            }
            (None, StrokeAlignment::Inner) => {
                let mesh = self
                    .cache
                    .mesh(&item.path, Outline::Fill, tolerance, index)?;
                self.push_layer_mesh(&mesh, &t, alpha)
            }
            _ => self.canvas_quad(alpha),
        };
        self.frame.ops.push(Op::Layer {
            content,
            composite: Draw {
                blend: Blend::Over,
                binding: Binding::Layer,
                indices: composite_indices,
            },
        });
        Ok(())
    }

    fn push_layer_mesh(&mut self, mesh: &Mesh, t: &Transform, alpha: u8) -> Range<u32> {
        self.append(mesh, t, [alpha; 4], KIND_LAYER, &|_, _| [0.0, 0.0])
    }

    /// Appends a mesh's vertices (mapped to the canvas) and indices; returns the index range.
    fn append(
        &mut self,
        mesh: &Mesh,
        t: &Transform,
        color: [u8; 4],
        info: u32,
        uv_of: &dyn Fn(f32, f32) -> [f32; 2],
    ) -> Range<u32> {
        let base = self.frame.vertices.len() as u32;
        let start = self.frame.indices.len() as u32;
        self.frame.vertices.extend(mesh.vertices.iter().map(|p| {
            let (x, y) = t.apply(p[0], p[1]);
            Vertex {
                pos: [x, y],
                uv: uv_of(p[0], p[1]),
                color,
                info,
            }
        }));
        self.frame
            .indices
            .extend(mesh.indices.iter().map(|i| i + base));
        start..self.frame.indices.len() as u32
    }

    /// Adds a main-canvas draw, merging it into the previous one when state matches.
    fn draw(&mut self, d: Draw) {
        if d.indices.is_empty() {
            return;
        }
        if let Some(Op::Draw(last)) = self.frame.ops.last_mut()
            && last.blend == d.blend
            && last.binding == d.binding
            && last.indices.end == d.indices.start
        {
            last.indices.end = d.indices.end;
            return;
        }
        self.frame.ops.push(Op::Draw(d));
    }
}

/// True when the item is an unrotated, square-cornered, unstroked, unclipped rectangle
/// whose edges land on whole pixels: it rasterises exactly without anti-aliasing.
fn pixel_aligned(item: &DisplayItem) -> bool {
    let PathShape::Rect {
        width,
        height,
        radii,
    } = item.path
    else {
        return false;
    };
    let [a, b, c, d, _, _] = item.transform.0;
    let whole = |v: f32| (v - v.round()).abs() < 1e-3;
    let (x0, y0) = item.transform.apply(0.0, 0.0);
    let (x1, y1) = item.transform.apply(width, height);
    item.stroke.is_none()
        && item.clip.is_none()
        && radii == [0.0; 4]
        && b == 0.0
        && c == 0.0
        && a != 0.0
        && d != 0.0
        && [x0, y0, x1, y1].into_iter().all(whole)
}

pub(crate) fn prepare(
    list: &DisplayList,
    cache: &mut TessellationCache,
    images: &ImageSizes,
    tolerance: f32,
    max_ramp_rows: u32,
) -> Result<PreparedFrame> {
    let bg = list.background;
    if ![bg.r, bg.g, bg.b, bg.a].iter().all(|v| v.is_finite()) {
        return Err(Error::InvalidBackground(format!("{bg:?}")));
    }
    let mut b = Builder {
        frame: PreparedFrame {
            width: list.width,
            height: list.height,
            background: list.background,
            vertices: Vec::new(),
            indices: Vec::new(),
            ops: Vec::new(),
            ramp: Vec::new(),
            ramp_rows: 0,
            supersample: 1,
            antialias: false,
        },
        ramps: HashMap::new(),
        cache,
        images,
        tolerance,
        max_ramp_rows,
    };
    for (index, item) in list.items.iter().enumerate() {
        b.item(index, item)?;
        b.frame.antialias |= !pixel_aligned(item);
    }
    if b.frame.ramp_rows == 0 {
        b.frame.ramp = vec![0; RAMP_WIDTH as usize * 4];
        b.frame.ramp_rows = 1;
    }
    Ok(b.frame)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ramp_interpolates_premultiplied() {
        let stops = [
            ColorStop {
                offset: 0.0,
                color: Rgba::new(1.0, 0.0, 0.0, 1.0),
            },
            ColorStop {
                offset: 1.0,
                color: Rgba::new(0.0, 0.0, 1.0, 1.0),
            },
        ];
        let row = ramp_row(&stops);
        assert_eq!(&row[0..4], &[255, 0, 0, 255]);
        assert_eq!(&row[255 * 4..256 * 4], &[0, 0, 255, 255]);
        let mid = &row[128 * 4..128 * 4 + 4];
        assert!((mid[0] as i32 - 127).abs() <= 2 && (mid[2] as i32 - 128).abs() <= 2);
    }
}
