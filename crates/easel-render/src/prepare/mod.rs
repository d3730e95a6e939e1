//! The CPU side of a GPU frame: validation, tessellation and vertex building. The GPU
//! backend renders what this produces; the CPU backend draws display lists directly.

mod gradient;
pub(crate) mod validate;

pub(crate) use gradient::RAMP_WIDTH;

use crate::display_list::{DisplayItem, DisplayList, Paint, PathShape};
use crate::layers::Node;
use crate::tessellate::{Mesh, Outline, TessellationCache};
use crate::{Color, Error, GradientStop, Result, StrokePosition, Transform};
use std::collections::HashMap;
use std::ops::Range;
use validate::bad;
pub(crate) use validate::validate;

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
/// A blend layer's composite: `KIND_MIX | mode << 8`.
pub(crate) const KIND_MIX: u32 = 6;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Blend {
    /// Premultiplied source-over.
    Over,
    /// Overwrite (used to cut the inner half of an outer stroke inside a layer).
    Replace,
    /// A blend layer mixed with a copy of its backdrop in the shader (`fs_mix`).
    Mix,
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
    /// The render target of this nesting depth (1 = the first layer above the canvas).
    Layer(u32),
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
    /// Draw `content` into the target one deeper, then `composite` samples it into this one
    /// (an item's clip, stroke alignment or opacity over fill and stroke).
    Layer {
        content: Vec<Draw>,
        composite: Draw,
    },
    /// A display-list layer: `ops` into the target one deeper, then `composite` (over, or
    /// mixed with a copy of this target) samples it into this one.
    Group {
        ops: Vec<Op>,
        composite: Draw,
    },
}

/// A display list turned into GPU-ready buffers.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct GpuFrame {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) background: Color,
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

/// Image sizes the preparation needs, by handle id.
pub(crate) type ImageSizes = HashMap<u64, (u32, u32)>;

struct Builder<'a> {
    frame: GpuFrame,
    /// The ops of each open display-list layer, innermost last; the frame's own ops below.
    open: Vec<Vec<Op>>,
    ramps: HashMap<Vec<u32>, u32>,
    cache: &'a mut TessellationCache,
    images: &'a ImageSizes,
    tolerance: f32,
    max_ramp_rows: u32,
}

impl Builder<'_> {
    fn ramp(&mut self, index: usize, stops: &[GradientStop]) -> Result<u32> {
        let key = gradient::ramp_key(stops);
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
        self.frame.ramp.extend(gradient::ramp_row(stops));
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
        solid: Color,
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
            None | Some(Paint::Solid(_)) => solid.premultiplied_u8(opacity),
            _ => [0, 0, 0, alpha],
        };
        let uv = paint.map_or(Transform([0.0; 6]), paint_coordinates);
        let indices = self.append(mesh, transform, color, kind | (row << 8), uv);
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

    /// The op list being built: the innermost open layer's, else the frame's.
    fn ops(&mut self) -> &mut Vec<Op> {
        match self.open.last_mut() {
            Some(ops) => ops,
            None => &mut self.frame.ops,
        }
    }

    /// The render target layered content of the current depth draws into.
    fn next_target(&self) -> Binding {
        Binding::Layer(self.open.len() as u32 + 1)
    }

    fn node(&mut self, list: &DisplayList, node: &Node) -> Result<()> {
        let (layer, children) = match node {
            Node::Item(i) => {
                let item = &list.items[*i];
                self.item(*i, item)?;
                self.frame.antialias |= !pixel_aligned(item);
                return Ok(());
            }
            Node::Layer { layer, children } => (&list.layers[*layer], children),
        };
        if layer.opacity <= 0.0 {
            return Ok(());
        }
        if layer.opacity >= 1.0 && layer.blend.is_normal() {
            // Source-over at full opacity: the same pixels without a layer.
            return children.iter().try_for_each(|c| self.node(list, c));
        }
        self.open.push(Vec::new());
        let drawn = children.iter().try_for_each(|c| self.node(list, c));
        let ops = self.open.pop().unwrap_or_default();
        drawn?;
        let alpha = (layer.opacity * 255.0 + 0.5) as u8;
        let binding = self.next_target();
        let composite = if layer.blend.is_normal() {
            Draw {
                blend: Blend::Over,
                binding,
                indices: self.canvas_quad(alpha),
            }
        } else {
            let (w, h) = (self.frame.width as f32, self.frame.height as f32);
            let quad = Mesh {
                vertices: vec![[0.0, 0.0], [w, 0.0], [w, h], [0.0, h]],
                indices: vec![0, 1, 2, 0, 2, 3],
            };
            let info = KIND_MIX | (layer.blend as u32) << 8;
            let indices = self.append(
                &quad,
                &Transform::IDENTITY,
                [alpha; 4],
                info,
                Transform([0.0; 6]),
            );
            Draw {
                blend: Blend::Mix,
                binding,
                indices,
            }
        };
        self.ops().push(Op::Group { ops, composite });
        Ok(())
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
                let width = if s.position == StrokePosition::Center || item.path.is_open() {
                    s.width
                } else {
                    s.width * 2.0
                };
                // Caps and joins are arcs a few pixels across: flattened at half the fill
                // tolerance, a round cap keeps its area (measured: dashed round caps agree
                // with the CPU backend's exact arcs to 41 dB instead of 39).
                Some((
                    s,
                    self.cache.mesh(
                        &item.path,
                        Outline::Stroke(s, width),
                        tolerance / 2.0,
                        index,
                    )?,
                ))
            }
            _ => None,
        };
        let alignment = match &stroke {
            Some((s, _)) if !item.path.is_open() => s.position,
            _ => StrokePosition::Center,
        };
        let layered = item.clip.is_some()
            || alignment != StrokePosition::Center
            || (item.opacity < 1.0 && fill.is_some() && stroke.is_some());
        let t = item.transform;
        // Directly drawn items carry their opacity in their colours; layered ones draw at
        // full opacity and the composite applies it once.
        let fill_draw = |b: &mut Self, blend: Blend, opacity: f32| -> Result<Option<Draw>> {
            Ok(match &fill {
                Some((paint, mesh)) => {
                    let solid = match paint {
                        Paint::Solid(c) => *c,
                        _ => Color::BLACK,
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
            StrokePosition::Outer => {
                content.extend(stroke_draw(self, 1.0)?);
                match fill_draw(self, Blend::Replace, 1.0)? {
                    Some(d) => content.push(d),
                    None => {
                        // No fill: erase the inner half of the stroke with transparent pixels.
                        let mesh = self
                            .cache
                            .mesh(&item.path, Outline::Fill, tolerance, index)?;
                        let (indices, binding) =
                            self.push(index, &mesh, &t, None, Color::TRANSPARENT, 1.0)?;
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
            (None, StrokePosition::Inner) => {
                let mesh = self
                    .cache
                    .mesh(&item.path, Outline::Fill, tolerance, index)?;
                self.push_layer_mesh(&mesh, &t, alpha)
            }
            _ => self.canvas_quad(alpha),
        };
        let binding = self.next_target();
        self.ops().push(Op::Layer {
            content,
            composite: Draw {
                blend: Blend::Over,
                binding,
                indices: composite_indices,
            },
        });
        Ok(())
    }

    fn push_layer_mesh(&mut self, mesh: &Mesh, t: &Transform, alpha: u8) -> Range<u32> {
        self.append(mesh, t, [alpha; 4], KIND_LAYER, Transform([0.0; 6]))
    }

    /// Appends a mesh's vertices (mapped to the canvas by `t`, to paint coordinates by `uv`)
    /// and indices; returns the index range.
    fn append(
        &mut self,
        mesh: &Mesh,
        t: &Transform,
        color: [u8; 4],
        info: u32,
        uv: Transform,
    ) -> Range<u32> {
        let base = self.frame.vertices.len() as u32;
        let start = self.frame.indices.len() as u32;
        self.frame.vertices.extend(mesh.vertices.iter().map(|p| {
            let (x, y) = t.apply(p[0], p[1]);
            let (u, v) = uv.apply(p[0], p[1]);
            Vertex {
                pos: [x, y],
                uv: [u, v],
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
        let ops = self.ops();
        if let Some(Op::Draw(last)) = ops.last_mut()
            && last.blend == d.blend
            && last.binding == d.binding
            && last.indices.end == d.indices.start
        {
            last.indices.end = d.indices.end;
            return;
        }
        ops.push(Op::Draw(d));
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
) -> Result<GpuFrame> {
    let bg = list.background;
    if ![bg.r, bg.g, bg.b, bg.a].iter().all(|v| v.is_finite()) {
        return Err(Error::InvalidBackground(format!("{bg:?}")));
    }
    let tree = crate::layers::tree(list)?;
    let mut b = Builder {
        open: Vec::new(),
        frame: GpuFrame {
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
    for node in &tree {
        b.node(list, node)?;
    }
    if b.frame.ramp_rows == 0 {
        b.frame.ramp = vec![0; RAMP_WIDTH as usize * 4];
        b.frame.ramp_rows = 1;
    }
    Ok(b.frame)
}

/// Local coordinates → the paint coordinates the shader reads: `t` along a linear
/// gradient in `u`; the offset from a radial centre in radii; the offset from a conical
/// centre; normalised image coordinates. All are affine in local space, so per-vertex values
/// interpolate exactly.
fn paint_coordinates(paint: &Paint) -> Transform {
    match paint {
        Paint::Solid(_) => Transform([0.0; 6]),
        Paint::LinearGradient { start, end, .. } => {
            let (dx, dy) = (end[0] - start[0], end[1] - start[1]);
            let len2 = dx * dx + dy * dy;
            if len2 > 0.0 {
                let c = -(start[0] * dx + start[1] * dy) / len2;
                Transform([dx / len2, 0.0, dy / len2, 0.0, c, 0.0])
            } else {
                // A zero-length gradient shows its last stop everywhere.
                Transform([0.0, 0.0, 0.0, 0.0, 1.0, 0.0])
            }
        }
        Paint::RadialGradient { center, radius, .. } => {
            let r = radius.max(1e-6);
            Transform::translate(-center[0], -center[1]).then(Transform::scale(1.0 / r, 1.0 / r))
        }
        Paint::ConicalGradient { center, .. } => Transform::translate(-center[0], -center[1]),
        Paint::Image { image, transform } => {
            let inv = transform.invert().unwrap_or(Transform::IDENTITY);
            let (w, h) = (image.width.max(1) as f32, image.height.max(1) as f32);
            inv.then(Transform::scale(1.0 / w, 1.0 / h))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ImageHandle;

    fn close(a: (f32, f32), b: (f32, f32)) -> bool {
        (a.0 - b.0).abs() < 1e-5 && (a.1 - b.1).abs() < 1e-5
    }

    #[test]
    fn paint_coordinates_match_their_definitions() {
        let stops = vec![GradientStop::new(0.0, Color::BLACK)];
        let linear = Paint::LinearGradient {
            start: [10.0, 0.0],
            end: [10.0, 20.0],
            stops: stops.clone(),
        };
        let t = paint_coordinates(&linear);
        assert!(close(t.apply(3.0, 0.0), (0.0, 0.0)));
        assert!(close(t.apply(3.0, 10.0), (0.5, 0.0)));
        assert!(close(t.apply(3.0, 20.0), (1.0, 0.0)));
        let radial = Paint::RadialGradient {
            center: [5.0, 5.0],
            radius: 5.0,
            stops,
        };
        assert!(close(
            paint_coordinates(&radial).apply(10.0, 5.0),
            (1.0, 0.0)
        ));
        let image = Paint::Image {
            image: ImageHandle {
                id: 1,
                width: 4,
                height: 2,
            },
            transform: Transform::scale(10.0, 10.0).then(Transform::translate(5.0, 0.0)),
        };
        // The image's far corner (4, 2) lands at local (45, 20): normalised (1, 1).
        assert!(close(
            paint_coordinates(&image).apply(45.0, 20.0),
            (1.0, 1.0)
        ));
    }
}
