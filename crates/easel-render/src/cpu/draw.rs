//! One display list onto a vello_cpu render context, with the same semantics as the GPU
//! path: validation, fill rules, strokes centred / inside / outside, dashes (cut by the
//! shared bounded dasher), gradients, images transparent outside their rectangle, clips and
//! group opacity over fill and stroke, layers with their opacity and blend modes.

use super::CpuImage;
use super::resample::{self, SampleCache, SampleKey};
use crate::display_list::{DisplayItem, DisplayList, Paint, PathShape, Stroke};
use crate::layers::Node;
use crate::prepare::validate;
use crate::{Color, FillRule, GradientStop, LineCap, LineJoin, Result, StrokePosition, Transform};
use lyon::path::PathEvent;
use std::collections::HashMap;
use std::sync::Arc;
use std::sync::Mutex;
use vello_cpu::kurbo::{self, Affine, BezPath, Point};
use vello_cpu::peniko::{
    self, BlendMode, ColorStop, ColorStops, Compose, Extend, Fill, Gradient, ImageQuality,
    ImageSampler, LinearGradientPosition, Mix, RadialGradientPosition, SweepGradientPosition,
};
use vello_cpu::{Image, ImageSource, PixmapMut, RasterizerSettings, RenderContext, TargetInit};

/// Flattening accuracy of stroke outlines and dashes, in rendered pixels. Fills are
/// flattened by vello_cpu itself at 0.25 rendered pixels, which on a supersampled canvas is
/// the GPU's 0.125 output pixels.
const STROKE_TOLERANCE: f32 = 0.05;

fn affine(t: &Transform) -> Affine {
    let m = t.0.map(f64::from);
    Affine::new(m)
}

fn color(c: Color) -> peniko::Color {
    peniko::Color::new([c.r, c.g, c.b, c.a].map(|v| v.clamp(0.0, 1.0)))
}

/// A lyon path as a kurbo path, curves kept (for stroke expansion).
/// The kurbo path of a shape, built directly (no lyon path in between).
fn bez_of(shape: &crate::PathShape) -> Result<BezPath> {
    let mut out = BezPath::new();
    shape.build(&mut out)?;
    Ok(out)
}

impl crate::path::PathSink for BezPath {
    fn begin(&mut self, at: lyon::math::Point) {
        self.move_to(kpoint(at));
    }
    fn line_to(&mut self, to: lyon::math::Point) {
        BezPath::line_to(self, kpoint(to));
    }
    fn quad_to(&mut self, ctrl: lyon::math::Point, to: lyon::math::Point) {
        BezPath::quad_to(self, kpoint(ctrl), kpoint(to));
    }
    fn cubic_to(
        &mut self,
        ctrl1: lyon::math::Point,
        ctrl2: lyon::math::Point,
        to: lyon::math::Point,
    ) {
        self.curve_to(kpoint(ctrl1), kpoint(ctrl2), kpoint(to));
    }
    fn end(&mut self, close: bool) {
        if close {
            self.close_path();
        }
    }
}

fn kpoint(v: lyon::math::Point) -> Point {
    Point::new(f64::from(v.x), f64::from(v.y))
}

fn to_bez(path: &lyon::path::Path) -> BezPath {
    let p = |v: lyon::math::Point| Point::new(f64::from(v.x), f64::from(v.y));
    let mut out = BezPath::new();
    for event in path.iter() {
        match event {
            PathEvent::Begin { at } => out.move_to(p(at)),
            PathEvent::Line { to, .. } => out.line_to(p(to)),
            PathEvent::Quadratic { ctrl, to, .. } => out.quad_to(p(ctrl), p(to)),
            PathEvent::Cubic {
                ctrl1, ctrl2, to, ..
            } => out.curve_to(p(ctrl1), p(ctrl2), p(to)),
            PathEvent::End { close: true, .. } => out.close_path(),
            PathEvent::End { .. } => {}
        }
    }
    out
}

/// The subpaths of a path, each its own path.
fn subpaths(path: BezPath) -> Vec<BezPath> {
    let mut out: Vec<BezPath> = Vec::new();
    for el in path.elements() {
        match el {
            kurbo::PathEl::MoveTo(_) => out.push(BezPath::from_vec(vec![*el])),
            _ => {
                if let Some(last) = out.last_mut() {
                    last.push(*el);
                }
            }
        }
    }
    out
}

fn flatten(path: BezPath, tolerance: f32) -> BezPath {
    let mut lines = BezPath::new();
    kurbo::flatten(path, f64::from(tolerance), |el| lines.push(el));
    lines
}

fn stops(stops: &[GradientStop], opacity: f32) -> ColorStops {
    let mut sorted = stops.to_vec();
    sorted.sort_by(|a, b| a.stop.total_cmp(&b.stop));
    let list: Vec<ColorStop> = sorted
        .iter()
        .map(|s| {
            let c = s.color;
            ColorStop::from((
                s.stop.clamp(0.0, 1.0),
                color(Color::rgba(c.r, c.g, c.b, c.a * opacity)),
            ))
        })
        .collect();
    ColorStops::from(list.as_slice())
}

fn gradient(kind: peniko::GradientKind, s: &[GradientStop], opacity: f32) -> Gradient {
    Gradient {
        kind,
        extend: Extend::Pad,
        interpolation_alpha_space: peniko::InterpolationAlphaSpace::Premultiplied,
        stops: stops(s, opacity),
        ..Default::default()
    }
}

/// An image paint: the image, where it lands (image pixels → local) and its size.
struct ImagePaint<'a> {
    id: u64,
    image: &'a CpuImage,
    to_local: Transform,
    size: (f32, f32),
}

/// Fills `path` (local coordinates) with an image: its pixels as the GPU samples them,
/// resampled into device space once (see [`resample`](super::resample)) and copied.
fn fill_image(
    ctx: &mut RenderContext,
    path: &BezPath,
    to_canvas: Transform,
    paint: &ImagePaint<'_>,
    opacity: f32,
    frame: &Frame<'_>,
) {
    let to_device = paint.to_local.then(to_canvas);
    let key = SampleKey::new(paint.id, &to_device, frame.canvas);
    let cached = frame
        .samples
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .get(&key);
    let sampled = match cached {
        Some(s) => s,
        None => {
            let Some(s) = resample::sample(paint.image, paint.size, &to_device, frame.canvas)
            else {
                return;
            };
            frame
                .samples
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(key, s.clone());
            s
        }
    };
    ctx.set_transform(Affine::IDENTITY);
    ctx.set_paint(Image {
        image: ImageSource::Pixmap(sampled.pixmap),
        sampler: ImageSampler {
            x_extend: Extend::Pad,
            y_extend: Extend::Pad,
            // At a whole-pixel offset vello copies the pixels without filtering.
            quality: ImageQuality::Medium,
            alpha: opacity,
        },
    });
    let (ox, oy) = sampled.origin;
    ctx.set_paint_transform(Affine::translate((f64::from(ox), f64::from(oy))));
    ctx.fill_path(&(affine(&to_canvas) * path));
    ctx.set_transform(affine(&to_canvas));
}

/// Sets the fill paint for drawing in local coordinates; an image paint is returned to be
/// drawn by [`fill_image`] instead.
fn set_fill_paint<'a>(
    ctx: &mut RenderContext,
    paint: &Paint,
    opacity: f32,
    images: &'a HashMap<u64, Arc<CpuImage>>,
) -> Option<ImagePaint<'a>> {
    let pt = |p: [f32; 2]| Point::new(f64::from(p[0]), f64::from(p[1]));
    ctx.reset_paint_transform();
    match paint {
        Paint::Solid(c) => ctx.set_paint(color(Color::rgba(c.r, c.g, c.b, c.a * opacity))),
        Paint::LinearGradient { start, end, stops } => {
            let kind = LinearGradientPosition {
                start: pt(*start),
                end: pt(*end),
            };
            ctx.set_paint(gradient(kind.into(), stops, opacity));
        }
        Paint::RadialGradient {
            center,
            radius,
            stops,
        } => {
            let kind = RadialGradientPosition {
                start_center: pt(*center),
                start_radius: 0.0,
                end_center: pt(*center),
                end_radius: radius.max(1e-6),
            };
            ctx.set_paint(gradient(kind.into(), stops, opacity));
        }
        Paint::ConicalGradient { center, stops } => {
            // Angles start at +x and run clockwise on screen, as on the GPU: vello's sweep.
            let kind = SweepGradientPosition {
                center: Point::ZERO,
                start_angle: 0.0,
                end_angle: std::f32::consts::TAU,
            };
            ctx.set_paint(gradient(kind.into(), stops, opacity));
            ctx.set_paint_transform(Affine::translate(pt(*center).to_vec2()));
        }
        Paint::Image { image, transform } => {
            return images.get(&image.id).map(|found| ImagePaint {
                id: image.id,
                image: found,
                to_local: *transform,
                size: (image.width as f32, image.height as f32),
            });
        }
    }
    None
}

fn kurbo_stroke(s: &Stroke, width: f32) -> kurbo::Stroke {
    let cap = match s.cap {
        LineCap::Butt => kurbo::Cap::Butt,
        LineCap::Round => kurbo::Cap::Round,
        LineCap::Square => kurbo::Cap::Square,
    };
    kurbo::Stroke {
        width: f64::from(width),
        join: match s.join {
            LineJoin::Miter => kurbo::Join::Miter,
            LineJoin::Bevel => kurbo::Join::Bevel,
            LineJoin::Round => kurbo::Join::Round,
        },
        miter_limit: f64::from(s.miter_limit.max(1.0)),
        start_cap: cap,
        end_cap: cap,
        dash_pattern: Default::default(),
        dash_offset: 0.0,
    }
}

/// What every item of one frame (or of one band of it) draws with.
pub(crate) struct Frame<'a> {
    pub images: &'a HashMap<u64, Arc<CpuImage>>,
    pub samples: &'a Mutex<SampleCache>,
    /// Canvas → rendered pixels on top of each item's transform: the supersampling scale,
    /// then the band's offset.
    pub root: Transform,
    /// The rendered size of this band in pixels.
    pub canvas: (u32, u32),
    /// The canvas rows (output pixels) this band draws; items entirely outside are skipped.
    pub rows: Option<(f32, f32)>,
}

/// The canvas-space bounds `(x0, y0, x1, y1)` an item can touch, when they are cheap to know
/// (SVG paths may leave their box: unknown).
pub(crate) fn item_bounds(item: &DisplayItem) -> Option<(f32, f32, f32, f32)> {
    let (x0, y0, x1, y1) = match &item.path {
        PathShape::Rect { width, height, .. }
        | PathShape::Ellipse { width, height }
        | PathShape::Star { width, height, .. }
        | PathShape::Polygon { width, height, .. } => (0.0, 0.0, *width, *height),
        PathShape::Line { x0, y0, x1, y1 } => (x0.min(*x1), y0.min(*y1), x0.max(*x1), y0.max(*y1)),
        PathShape::Svg { .. } => return None,
        PathShape::Outline(o) => o.points().fold(
            (
                f32::INFINITY,
                f32::INFINITY,
                f32::NEG_INFINITY,
                f32::NEG_INFINITY,
            ),
            |(a, b, c, d), [x, y]| (a.min(x), b.min(y), c.max(x), d.max(y)),
        ),
    };
    if !(x0 <= x1 && y0 <= y1) {
        // An empty outline (a space) touches nothing.
        return Some((0.0, 0.0, 0.0, 0.0));
    }
    // A stroke reaches out by its width (twice for outer strokes), more at sharp miters.
    let grow = item
        .stroke
        .as_ref()
        .map_or(0.0, |s| s.width * 2.0 * s.miter_limit.max(1.0));
    let t = Transform::translate(x0 - grow, y0 - grow).then(item.transform);
    Some(t.bounds_of_box(x1 - x0 + 2.0 * grow, y1 - y0 + 2.0 * grow))
}

fn draw_item(ctx: &mut RenderContext, item: &DisplayItem, frame: &Frame<'_>) -> Result<()> {
    let (images, root) = (frame.images, frame.root);
    // Local → the rendered (possibly supersampled) canvas.
    let to_canvas = item.transform.then(root);
    if item.opacity <= 0.0 || to_canvas.max_scale() <= 0.0 {
        return Ok(());
    }
    let path = bez_of(&item.path)?;
    let open = item.path.is_open();
    let fill = item.fill.as_ref().filter(|_| !open);
    let stroke = item
        .stroke
        .as_ref()
        .filter(|s| s.width > 0.0 && s.color.a > 0.0);
    if fill.is_none() && stroke.is_none() {
        return Ok(());
    }
    let position = match stroke {
        Some(s) if !open => s.position,
        _ => StrokePosition::Center,
    };
    let rule = match item.path.fill_rule() {
        FillRule::NonZero => Fill::NonZero,
        FillRule::EvenOdd => Fill::EvenOdd,
    };
    // One opacity for fill and stroke together needs a layer; alone, either carries it.
    let group = item.opacity < 1.0 && fill.is_some() && stroke.is_some();
    let own = if group { 1.0 } else { item.opacity };
    let mut layers = 0;
    if let Some(clip) = &item.clip {
        let clip_path = bez_of(&clip.path)?;
        ctx.set_transform(affine(&clip.transform.then(root)));
        ctx.set_fill_rule(match clip.path.fill_rule() {
            FillRule::NonZero => Fill::NonZero,
            FillRule::EvenOdd => Fill::EvenOdd,
        });
        ctx.push_clip_layer(&clip_path);
        layers += 1;
    }
    ctx.set_transform(affine(&to_canvas));
    ctx.set_fill_rule(rule);
    if group {
        ctx.push_opacity_layer(item.opacity);
        layers += 1;
    }
    let draw_fill = |ctx: &mut RenderContext| {
        if let Some(paint) = fill {
            match set_fill_paint(ctx, paint, own, images) {
                Some(image) => fill_image(ctx, &path, to_canvas, &image, own, frame),
                None => ctx.fill_path(&path),
            }
        }
    };
    // Strokes are expanded and flattened here, finer than vello's own 0.25 px: the arcs of
    // caps and joins are a few pixels across (measured: outer strokes agree with the GPU to
    // 41.6 dB instead of 40.2).
    let tolerance = STROKE_TOLERANCE / to_canvas.max_scale();
    let stroke_path = |ctx: &mut RenderContext, s: &Stroke, width: f32| -> Result<()> {
        ctx.reset_paint_transform();
        let c = s.color;
        ctx.set_paint(color(Color::rgba(c.r, c.g, c.b, c.a * own)));
        ctx.set_fill_rule(Fill::NonZero);
        let style = kurbo_stroke(s, width);
        // Expanded and flattened here, at the same accuracy as fills.
        let expand = |centre: BezPath| {
            let outline = kurbo::stroke(
                centre,
                &style,
                &kurbo::StrokeOpts::default(),
                f64::from(tolerance),
            );
            flatten(outline, tolerance)
        };
        if s.dash_array.iter().any(|d| *d > 0.0) {
            // Each dash on its own: dashes meeting at a closed path's start overlap, and
            // analytic coverage would count the overlap twice within a pixel.
            let lyon_path = item.path.to_path()?;
            let dashed = crate::dash::dash(&lyon_path, &s.dash_array, s.dash_offset, tolerance);
            for dash in subpaths(to_bez(&dashed)) {
                ctx.fill_path(&expand(dash));
            }
        } else {
            ctx.fill_path(&expand(path.clone()));
        }
        ctx.set_fill_rule(rule);
        Ok(())
    };
    match (stroke, position) {
        (None, _) => draw_fill(ctx),
        (Some(s), StrokePosition::Center) => {
            draw_fill(ctx);
            stroke_path(ctx, s, s.width)?;
        }
        (Some(s), StrokePosition::Inner) => {
            // Fill and a stroke twice as wide, together clipped to the inside: at the edge
            // the stroke covers the fill, and the clip's coverage shows the stroke alone.
            ctx.push_clip_layer(&path);
            draw_fill(ctx);
            stroke_path(ctx, s, s.width * 2.0)?;
            ctx.pop_layer();
        }
        (Some(s), StrokePosition::Outer) => {
            // A stroke twice as wide, then the inside replaced by the fill (or by nothing):
            // `Copy` lerps by coverage, so the edge shows fill and stroke, never the
            // background between them.
            ctx.push_layer(None, None, None, None, None);
            stroke_path(ctx, s, s.width * 2.0)?;
            ctx.set_blend_mode(BlendMode::new(Mix::Normal, Compose::Copy));
            if fill.is_some() {
                draw_fill(ctx);
            } else {
                ctx.reset_paint_transform();
                ctx.set_paint(peniko::Color::TRANSPARENT);
                ctx.fill_path(&path);
            }
            ctx.set_blend_mode(BlendMode::default());
            ctx.pop_layer();
        }
    }
    for _ in 0..layers {
        ctx.pop_layer();
    }
    Ok(())
}

/// Records every item of `list` into `ctx`.
/// Checks every number of the list before anything is drawn.
pub(crate) fn validate_list(list: &DisplayList) -> Result<()> {
    let bg = list.background;
    if !bg.is_finite() {
        return Err(crate::Error::InvalidBackground(format!("{bg:?}")));
    }
    for (index, item) in list.items.iter().enumerate() {
        validate(index, item)?;
    }
    Ok(())
}

/// Records `nodes` of a validated `list` into `ctx`: the items that reach the frame's rows,
/// and their layers as vello layers (source-over at the layer's opacity).
fn record(
    ctx: &mut RenderContext,
    list: &DisplayList,
    nodes: &[Node],
    frame: &Frame<'_>,
) -> Result<()> {
    for node in nodes {
        match node {
            Node::Item(i) => {
                let item = &list.items[*i];
                if let (Some((top, bottom)), Some((_, y0, _, y1))) = (frame.rows, item_bounds(item))
                    && (y1 < top || y0 > bottom)
                {
                    continue;
                }
                draw_item(ctx, item, frame)?;
            }
            Node::Layer { layer, children } => {
                let opacity = list.layers[*layer].opacity;
                if opacity <= 0.0 {
                    continue;
                }
                if opacity < 1.0 {
                    ctx.push_opacity_layer(opacity);
                }
                record(ctx, list, children, frame)?;
                if opacity < 1.0 {
                    ctx.pop_layer();
                }
            }
        }
    }
    Ok(())
}

/// True when a node is, or holds, a layer with a blend mode other than source-over: those
/// are composited here (vello's own blend layers lack half of the reference's modes and do
/// not blend with the clear colour).
fn blends(list: &DisplayList, node: &Node) -> bool {
    match node {
        Node::Item(_) => false,
        Node::Layer { layer, children } => {
            !list.layers[*layer].blend.is_normal() || children.iter().any(|c| blends(list, c))
        }
    }
}

/// A rendered-size premultiplied RGBA8 buffer being painted, and how to rasterise onto it.
pub(crate) struct Target<'a> {
    pub pixels: &'a mut [u8],
    pub size: (u32, u32),
}

fn rasterize(ctx: &mut RenderContext, target: &mut Target<'_>, init: TargetInit) {
    ctx.flush();
    let (w, h) = target.size;
    if let Some(pixmap) = PixmapMut::new(w as u16, h as u16, target.pixels) {
        ctx.render_with(
            pixmap,
            &mut vello_cpu::Resources::new(),
            RasterizerSettings {
                target_init: init,
                ..Default::default()
            },
        );
    }
}

/// Paints `nodes` onto `target` (which holds their backdrop): runs without blend layers are
/// recorded into `ctx` and rasterised over the target; each blend layer is painted into a
/// buffer of its own and composited with [`blend::composite`](crate::blend::composite).
fn paint(
    ctx: &mut RenderContext,
    list: &DisplayList,
    nodes: &[Node],
    frame: &Frame<'_>,
    target: &mut Target<'_>,
) -> Result<()> {
    let mut recorded = false;
    for node in nodes {
        let (layer, children) = match node {
            Node::Layer { layer, children } if blends(list, node) => (layer, children),
            _ => {
                record(ctx, list, std::slice::from_ref(node), frame)?;
                recorded = true;
                continue;
            }
        };
        if recorded {
            rasterize(ctx, target, TargetInit::SrcOver);
            ctx.reset();
            recorded = false;
        }
        let l = &list.layers[*layer];
        if l.opacity <= 0.0 {
            continue;
        }
        let mut pixels = vec![0u8; target.pixels.len()];
        let mut inner = Target {
            pixels: &mut pixels,
            size: target.size,
        };
        paint(ctx, list, children, frame, &mut inner)?;
        crate::blend::composite(target.pixels, &pixels, l.blend, l.opacity);
    }
    if recorded {
        rasterize(ctx, target, TargetInit::SrcOver);
        ctx.reset();
    }
    Ok(())
}

/// Paints a validated `list` (its paint tree `nodes`) onto `target`, the background
/// included: recorded and rasterised in one go, or through [`paint`] when a layer blends.
pub(crate) fn draw(
    ctx: &mut RenderContext,
    list: &DisplayList,
    nodes: &[Node],
    frame: &Frame<'_>,
    target: &mut Target<'_>,
) -> Result<()> {
    if nodes.iter().any(|n| blends(list, n)) {
        // The background is the backdrop blend layers mix with (vello's clear colour is not).
        let bg = list.background.premultiplied_u8(1.0);
        for px in target.pixels.chunks_exact_mut(4) {
            px.copy_from_slice(&bg);
        }
        return paint(ctx, list, nodes, frame, target);
    }
    record(ctx, list, nodes, frame)?;
    rasterize(ctx, target, TargetInit::Clear(color(list.background)));
    Ok(())
}

/// Fills `out` (straight-alpha RGBA rows `width` pixels wide) by `paint`, which draws
/// premultiplied pixels: into `out` itself, un-premultiplied in place, or when supersampled,
/// into a buffer `k` times larger that is box-filtered down.
pub(crate) fn rasterize_into(
    out: &mut [u8],
    width: u32,
    supersample: u32,
    paint: impl FnOnce(&mut Target<'_>) -> Result<()>,
) -> Result<()> {
    let w = width;
    let h = (out.len() / (w as usize * 4)) as u32;
    let k = supersample.max(1);
    if k == 1 {
        paint(&mut Target {
            pixels: out,
            size: (w, h),
        })?;
        crate::pixels::unpremultiply_in_place(out);
        return Ok(());
    }
    let (rw, rh) = (w * k, h * k);
    let mut big = vec![0u8; rw as usize * rh as usize * 4];
    paint(&mut Target {
        pixels: &mut big,
        size: (rw, rh),
    })?;
    let stride = rw as usize * 4;
    let mut row = vec![0u8; w as usize * 4];
    for (y, dst) in out.chunks_exact_mut(w as usize * 4).enumerate() {
        crate::pixels::downsample_row(&big, stride, y, k as usize, &mut row);
        crate::pixels::unpremultiply(&row, dst);
    }
    Ok(())
}
