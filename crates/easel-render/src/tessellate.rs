//! Fill and stroke tessellation with lyon, cached by path description and tolerance.

use crate::display_list::{PathShape, Stroke};
use crate::{Error, Result};
use crate::{FillRule, LineCap, LineJoin};
use lyon::path::Path;
use lyon::tessellation::{
    BuffersBuilder, FillOptions, FillTessellator, FillVertex, StrokeOptions, StrokeTessellator,
    StrokeVertex, VertexBuffers,
};
use std::collections::HashMap;
use std::sync::Arc;

/// Triangles in an item's local coordinates.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Mesh {
    /// Vertex positions.
    pub vertices: Vec<[f32; 2]>,
    /// Triangle list indices into `vertices`.
    pub indices: Vec<u32>,
}

/// What to tessellate: the inside, or an outline with these parameters.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Outline<'a> {
    Fill,
    Stroke(&'a Stroke, f32),
}

/// Cached meshes keyed by (description bytes, tolerance bucket). Bounded: cleared when it
/// grows past `max_entries`, which keeps memory flat in long-running servers.
#[derive(Debug)]
pub(crate) struct TessellationCache {
    map: HashMap<Vec<u8>, Arc<Mesh>>,
    max_entries: usize,
    pub hits: u64,
    pub misses: u64,
}

impl Default for TessellationCache {
    fn default() -> Self {
        TessellationCache {
            map: HashMap::new(),
            max_entries: 200_000,
            hits: 0,
            misses: 0,
        }
    }
}

/// Rounds a tolerance down to a power of two so nearby scales share cache entries.
pub(crate) fn tolerance_bucket(tolerance: f32) -> f32 {
    let t = tolerance.clamp(1e-4, 10.0);
    2f32.powi(t.log2().floor() as i32)
}

fn put_f32(out: &mut Vec<u8>, v: f32) {
    out.extend_from_slice(&v.to_bits().to_le_bytes());
}

fn key(shape: &PathShape, outline: Outline<'_>, tolerance: f32) -> Vec<u8> {
    let mut k = Vec::with_capacity(48);
    put_f32(&mut k, tolerance);
    let (tag, count): (u8, u32) = match shape {
        PathShape::Rect { .. } => (0, 0),
        PathShape::Ellipse { .. } => (1, 0),
        PathShape::Star { points, .. } => (2, *points),
        PathShape::Polygon { sides, .. } => (3, *sides),
        PathShape::Line { .. } => (4, 0),
        PathShape::Svg { fill_rule, .. } => (5, *fill_rule as u32),
        PathShape::Outline(_) => (6, 0),
    };
    k.push(tag);
    k.extend_from_slice(&count.to_le_bytes());
    if let PathShape::Outline(o) = shape {
        k.extend_from_slice(&o.id.to_le_bytes());
    } else {
        shape
            .numbers()
            .iter()
            .for_each(|(_, v)| put_f32(&mut k, *v));
    }
    match shape {
        PathShape::Line { x0, y0, x1, y1 } => {
            [*x0, *y0, *x1, *y1]
                .iter()
                .for_each(|v| put_f32(&mut k, *v));
        }
        PathShape::Svg { data, .. } => k.extend_from_slice(data.as_bytes()),
        _ => {}
    }
    match outline {
        Outline::Fill => k.push(0),
        Outline::Stroke(s, width) => {
            k.push(1);
            put_f32(&mut k, width);
            k.push(s.join as u8);
            k.push(s.cap as u8);
            put_f32(&mut k, s.miter_limit);
            put_f32(&mut k, s.dash_offset);
            s.dash_array.iter().for_each(|v| put_f32(&mut k, *v));
        }
    }
    k
}

impl TessellationCache {
    pub fn mesh(
        &mut self,
        shape: &PathShape,
        outline: Outline<'_>,
        tolerance: f32,
        index: usize,
    ) -> Result<Arc<Mesh>> {
        let tolerance = tolerance_bucket(tolerance);
        let k = key(shape, outline, tolerance);
        if let Some(m) = self.map.get(&k) {
            self.hits += 1;
            return Ok(m.clone());
        }
        self.misses += 1;
        let path = shape.to_path()?;
        let mesh = match outline {
            Outline::Fill => fill(&path, shape.fill_rule(), tolerance, index)?,
            Outline::Stroke(s, width) => stroke(&path, s, width, tolerance, index)?,
        };
        let mesh = Arc::new(mesh);
        if self.map.len() >= self.max_entries {
            self.map.clear();
        }
        self.map.insert(k, mesh.clone());
        Ok(mesh)
    }
}

fn fill(path: &Path, rule: FillRule, tolerance: f32, index: usize) -> Result<Mesh> {
    let mut buffers: VertexBuffers<[f32; 2], u32> = VertexBuffers::new();
    let options = FillOptions::tolerance(tolerance).with_fill_rule(match rule {
        FillRule::NonZero => lyon::tessellation::FillRule::NonZero,
        FillRule::EvenOdd => lyon::tessellation::FillRule::EvenOdd,
    });
    let result = FillTessellator::new().tessellate_path(
        path,
        &options,
        &mut BuffersBuilder::new(&mut buffers, |v: FillVertex| v.position().to_array()),
    );
    into_mesh(result, buffers, index)
}

/// The mesh of a finished tessellation, or its error for display item `index`.
fn into_mesh<E: std::fmt::Debug>(
    result: std::result::Result<(), E>,
    buffers: VertexBuffers<[f32; 2], u32>,
    index: usize,
) -> Result<Mesh> {
    result.map_err(|e| Error::Tessellation {
        index,
        message: format!("{e:?}"),
    })?;
    Ok(Mesh {
        vertices: buffers.vertices,
        indices: buffers.indices,
    })
}

fn stroke(path: &Path, s: &Stroke, width: f32, tolerance: f32, index: usize) -> Result<Mesh> {
    let dashed;
    let path = if s.dash_array.iter().any(|d| *d > 0.0) {
        dashed = crate::dash::dash(path, &s.dash_array, s.dash_offset, tolerance);
        &dashed
    } else {
        path
    };
    let cap = match s.cap {
        LineCap::Butt => lyon::tessellation::LineCap::Butt,
        LineCap::Round => lyon::tessellation::LineCap::Round,
        LineCap::Square => lyon::tessellation::LineCap::Square,
    };
    let join = match s.join {
        LineJoin::Miter => lyon::tessellation::LineJoin::Miter,
        LineJoin::Bevel => lyon::tessellation::LineJoin::Bevel,
        LineJoin::Round => lyon::tessellation::LineJoin::Round,
    };
    let options = StrokeOptions::tolerance(tolerance)
        .with_line_width(width)
        .with_line_cap(cap)
        .with_line_join(join)
        .with_miter_limit(s.miter_limit.max(1.0));
    let mut buffers: VertexBuffers<[f32; 2], u32> = VertexBuffers::new();
    let result = StrokeTessellator::new().tessellate_path(
        path,
        &options,
        &mut BuffersBuilder::new(&mut buffers, |v: StrokeVertex| v.position().to_array()),
    );
    into_mesh(result, buffers, index)
}
