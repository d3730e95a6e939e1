//! Compiles a scene subtree into a display list for `easel-render`.

use crate::{Error, Result};
use easel_render::{
    ColorStop, DisplayItem, DisplayList, FillRule, ImageHandle, LineCap, LineJoin, Paint,
    PathShape, Rgba, Stroke, StrokeAlignment, Transform,
};
use easel_scene::{
    BlockId, BlockType, Color, ContentFillMode, FillKind, Frame, HorizontalAlignment, SceneGraph,
    ShapeKind, StrokeCap, StrokeJoin, StrokePosition, VerticalAlignment,
};
use std::collections::HashMap;

/// The part of the canvas an export covers, in scene coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Region {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// What an export of `block` draws: a page with its background, a stack or scene with all
/// its pages, or a single graphic or group.
pub(crate) fn region(graph: &SceneGraph, block: BlockId) -> Result<Region> {
    let ty = graph.block_type(block)?;
    if !ty.is_design_block() {
        return Err(Error::NotExportable {
            block,
            reason: format!(
                "{} blocks are parts of a graphic; export the graphic",
                ty.long_name()
            ),
        });
    }
    let f = graph.frame(block)?;
    let r = Region {
        x: f.bounds_x,
        y: f.bounds_y,
        width: f.bounds_width,
        height: f.bounds_height,
    };
    if !(r.width > 0.0 && r.height > 0.0) {
        return Err(Error::NotExportable {
            block,
            reason: format!("its area is {}x{}", r.width, r.height),
        });
    }
    Ok(r)
}

/// Every `(block, image URI)` the export of `root` needs, in draw order.
pub(crate) fn image_uris(graph: &SceneGraph, root: BlockId) -> Result<Vec<(BlockId, String)>> {
    let mut out = Vec::new();
    for (block, _) in drawn_blocks(graph, root)? {
        if let Some(fill) = graph.fill(block)?
            && graph.block_type(fill)? == BlockType::Fill(FillKind::Image)
        {
            let uri = graph.get_string(fill, "fill/image/imageFileURI")?;
            if !uri.is_empty() {
                out.push((block, uri));
            }
        }
    }
    Ok(out)
}

/// Visible pages and graphics under `root` in paint order, with their inherited opacity.
fn drawn_blocks(graph: &SceneGraph, root: BlockId) -> Result<Vec<(BlockId, f32)>> {
    let mut out = Vec::new();
    walk(graph, root, 1.0, &mut out)?;
    Ok(out)
}

fn walk(
    graph: &SceneGraph,
    id: BlockId,
    opacity: f32,
    out: &mut Vec<(BlockId, f32)>,
) -> Result<()> {
    let ty = graph.block_type(id)?;
    let visible = match ty {
        BlockType::Page | BlockType::Graphic | BlockType::Group => {
            graph.is_visible(id)? && graph.get_bool(id, "includedInExport")?
        }
        _ => true,
    };
    if !visible {
        return Ok(());
    }
    let own = match ty {
        BlockType::Page | BlockType::Graphic | BlockType::Group => graph.opacity(id)?,
        _ => 1.0,
    };
    let opacity = opacity * own;
    if matches!(ty, BlockType::Page | BlockType::Graphic) {
        out.push((id, opacity));
    }
    for child in graph.children(id)? {
        walk(graph, child, opacity, out)?;
    }
    Ok(())
}

fn rgba(c: Color) -> Rgba {
    Rgba::new(c.r, c.g, c.b, c.a)
}

fn shape_of(graph: &SceneGraph, block: BlockId, w: f32, h: f32) -> Result<Option<PathShape>> {
    if graph.block_type(block)? == BlockType::Page {
        return Ok(Some(PathShape::Rect {
            width: w,
            height: h,
            radii: [0.0; 4],
        }));
    }
    let Some(shape) = graph.shape(block)? else {
        return Ok(None);
    };
    let BlockType::Shape(kind) = graph.block_type(shape)? else {
        return Ok(None);
    };
    let f = |key: &str| graph.get_float(shape, key);
    Ok(Some(match kind {
        ShapeKind::Rect => PathShape::Rect {
            width: w,
            height: h,
            radii: [
                f("shape/rect/cornerRadiusTL")?,
                f("shape/rect/cornerRadiusTR")?,
                f("shape/rect/cornerRadiusBR")?,
                f("shape/rect/cornerRadiusBL")?,
            ],
        },
        ShapeKind::Ellipse => PathShape::Ellipse {
            width: w,
            height: h,
        },
        ShapeKind::Star => PathShape::Star {
            width: w,
            height: h,
            points: graph.get_int(shape, "shape/star/points")?.max(3) as u32,
            inner_diameter: f("shape/star/innerDiameter")?,
        },
        ShapeKind::Polygon => PathShape::Polygon {
            width: w,
            height: h,
            sides: graph.get_int(shape, "shape/polygon/sides")?.max(3) as u32,
            corner_radius: f("shape/polygon/cornerRadius")?,
        },
        // A line block is drawn as its frame filled, the block's height being the thickness.
        ShapeKind::Line => PathShape::Rect {
            width: w,
            height: h,
            radii: [0.0; 4],
        },
        ShapeKind::VectorPath => PathShape::Svg {
            data: graph.get_string(shape, "shape/vector_path/path")?,
            fill_rule: match graph
                .get_enum(shape, "shape/vector_path/fillRule")?
                .as_str()
            {
                "EvenOdd" => FillRule::EvenOdd,
                _ => FillRule::NonZero,
            },
            view_width: f("shape/vector_path/width")?,
            view_height: f("shape/vector_path/height")?,
            width: w,
            height: h,
        },
    }))
}

fn stops(graph: &SceneGraph, fill: BlockId) -> Result<Vec<ColorStop>> {
    Ok(graph
        .gradient_color_stops(fill)?
        .into_iter()
        .map(|s| ColorStop {
            offset: s.stop,
            color: rgba(s.color),
        })
        .collect())
}

/// Where an image of `iw × ih` lands inside a `w × h` block: `(x, y, width, height)`.
pub(crate) fn image_rect(
    graph: &SceneGraph,
    block: BlockId,
    w: f32,
    h: f32,
    iw: f32,
    ih: f32,
) -> Result<(f32, f32, f32, f32)> {
    let mode = graph.content_fill_mode(block)?;
    if mode == ContentFillMode::Crop {
        let f = |k: &str| graph.get_float(block, k);
        return Ok((
            f("crop/translationX")? * w,
            f("crop/translationY")? * h,
            f("crop/scaleX")? * w,
            f("crop/scaleY")? * h,
        ));
    }
    let s = if mode == ContentFillMode::Cover {
        (w / iw).max(h / ih)
    } else {
        (w / iw).min(h / ih)
    };
    let (dw, dh) = (iw * s, ih * s);
    let h_align =
        HorizontalAlignment::parse(&graph.get_enum(block, "contentFill/horizontalAlignment")?)
            .unwrap_or_default();
    let v_align =
        VerticalAlignment::parse(&graph.get_enum(block, "contentFill/verticalAlignment")?)
            .unwrap_or_default();
    let x = match h_align {
        HorizontalAlignment::Left => 0.0,
        HorizontalAlignment::Center => (w - dw) / 2.0,
        HorizontalAlignment::Right => w - dw,
    };
    let y = match v_align {
        VerticalAlignment::Top => 0.0,
        VerticalAlignment::Center => (h - dh) / 2.0,
        VerticalAlignment::Bottom => h - dh,
    };
    Ok((x, y, dw, dh))
}

fn paint_of(
    graph: &SceneGraph,
    block: BlockId,
    w: f32,
    h: f32,
    images: &HashMap<String, ImageHandle>,
) -> Result<Option<Paint>> {
    if !graph.get_bool(block, "fill/enabled")? {
        return Ok(None);
    }
    let Some(fill) = graph.fill(block)? else {
        return Ok(None);
    };
    if !graph.get_bool(fill, "fill/enabled")? {
        return Ok(None);
    }
    let BlockType::Fill(kind) = graph.block_type(fill)? else {
        return Ok(None);
    };
    let f = |k: &str| graph.get_float(fill, k);
    Ok(Some(match kind {
        FillKind::Color => Paint::Solid(rgba(graph.get_color(fill, "fill/color/value")?)),
        FillKind::LinearGradient => Paint::LinearGradient {
            start: [
                f("fill/gradient/linear/startPointX")? * w,
                f("fill/gradient/linear/startPointY")? * h,
            ],
            end: [
                f("fill/gradient/linear/endPointX")? * w,
                f("fill/gradient/linear/endPointY")? * h,
            ],
            stops: stops(graph, fill)?,
        },
        FillKind::RadialGradient => Paint::RadialGradient {
            center: [
                f("fill/gradient/radial/centerPointX")? * w,
                f("fill/gradient/radial/centerPointY")? * h,
            ],
            // The radius is relative to half the block's shorter side.
            radius: f("fill/gradient/radial/radius")? * w.min(h) / 2.0,
            stops: stops(graph, fill)?,
        },
        FillKind::ConicalGradient => Paint::ConicalGradient {
            center: [
                f("fill/gradient/conical/centerPointX")? * w,
                f("fill/gradient/conical/centerPointY")? * h,
            ],
            stops: stops(graph, fill)?,
        },
        FillKind::Image => {
            let uri = graph.get_string(fill, "fill/image/imageFileURI")?;
            let Some(handle) = images.get(&uri) else {
                return Ok(None);
            };
            let (iw, ih) = (handle.width as f32, handle.height as f32);
            let (x, y, dw, dh) = image_rect(graph, block, w, h, iw, ih)?;
            Paint::Image {
                image: *handle,
                transform: Transform::scale(dw / iw, dh / ih).then(Transform::translate(x, y)),
            }
        }
    }))
}

fn stroke_of(graph: &SceneGraph, block: BlockId) -> Result<Option<Stroke>> {
    if !graph.stroke_enabled(block)? {
        return Ok(None);
    }
    Ok(Some(Stroke {
        width: graph.stroke_width(block)?,
        color: rgba(graph.stroke_color(block)?),
        join: match graph.stroke_join(block)? {
            StrokeJoin::Miter => LineJoin::Miter,
            StrokeJoin::Bevel => LineJoin::Bevel,
            StrokeJoin::Round => LineJoin::Round,
        },
        cap: match graph.stroke_cap(block)? {
            StrokeCap::Butt => LineCap::Butt,
            StrokeCap::Round => LineCap::Round,
            StrokeCap::Square => LineCap::Square,
        },
        miter_limit: graph.get_float(block, "stroke/miterLimit")?,
        dash_array: graph.stroke_dash_array(block)?,
        dash_offset: graph.get_float(block, "stroke/dashOffset")?,
        alignment: match graph.stroke_position(block)? {
            StrokePosition::Inner => StrokeAlignment::Inner,
            StrokePosition::Center => StrokeAlignment::Center,
            StrokePosition::Outer => StrokeAlignment::Outer,
        },
    }))
}

fn to_canvas(frame: &Frame, region: &Region, (sx, sy): (f32, f32)) -> Transform {
    Transform(frame.transform)
        .then(Transform::translate(-region.x, -region.y))
        .then(Transform::scale(sx, sy))
}

/// Builds the display list for `root` over `region`, scaled by `scale` (x, y) into a
/// `width × height` canvas.
pub(crate) fn compile(
    graph: &SceneGraph,
    root: BlockId,
    region: Region,
    scale: (f32, f32),
    (width, height): (u32, u32),
    images: &HashMap<String, ImageHandle>,
) -> Result<DisplayList> {
    let mut items = Vec::new();
    let mut background = Rgba::TRANSPARENT;
    for (block, opacity) in drawn_blocks(graph, root)? {
        let frame = graph.frame(block)?;
        let (w, h) = (frame.width, frame.height);
        if w <= 0.0 || h <= 0.0 || opacity <= 0.0 {
            continue;
        }
        let Some(path) = shape_of(graph, block, w, h)? else {
            continue;
        };
        let fill = paint_of(graph, block, w, h, images)?;
        let stroke = stroke_of(graph, block)?;
        if fill.is_none() && stroke.is_none() {
            continue;
        }
        // The exported page's own flat colour becomes the clear colour: the same pixels
        // without shading every one of them (a third of a 4000×4000 export's GPU time).
        let exported_page = block == root && graph.block_type(block)? == BlockType::Page;
        if let (true, Some(Paint::Solid(c)), None, 1.0) = (exported_page, &fill, &stroke, opacity) {
            background = *c;
            continue;
        }
        items.push(DisplayItem {
            path,
            transform: to_canvas(&frame, &region, scale),
            fill,
            stroke,
            opacity,
            clip: page_clip(graph, block, &frame, &region, scale)?,
        });
    }
    Ok(DisplayList {
        width,
        height,
        background,
        items,
    })
}

/// Content that sticks out of its page is clipped to the page, so pages side by side in a
/// stack export do not bleed into each other.
fn page_clip(
    graph: &SceneGraph,
    block: BlockId,
    frame: &Frame,
    region: &Region,
    scale: (f32, f32),
) -> Result<Option<easel_render::Clip>> {
    if graph.block_type(block)? == BlockType::Page {
        return Ok(None);
    }
    let Some(page) = graph.page_of(block)? else {
        return Ok(None);
    };
    let p = graph.frame(page)?;
    let inside = frame.bounds_x >= p.bounds_x
        && frame.bounds_y >= p.bounds_y
        && frame.bounds_x + frame.bounds_width <= p.bounds_x + p.bounds_width
        && frame.bounds_y + frame.bounds_height <= p.bounds_y + p.bounds_height;
    let page_covers_region = p.bounds_x <= region.x
        && p.bounds_y <= region.y
        && p.bounds_x + p.bounds_width >= region.x + region.width
        && p.bounds_y + p.bounds_height >= region.y + region.height;
    if inside || page_covers_region {
        return Ok(None);
    }
    Ok(Some(easel_render::Clip {
        path: PathShape::Rect {
            width: p.width,
            height: p.height,
            radii: [0.0; 4],
        },
        transform: to_canvas(&p, region, scale),
    }))
}
