//! Compiles a scene subtree into a display list for `easel-render`: the scene model
//! decides what is drawn and where images land; this translates its answers into paths,
//! paints and strokes.

use crate::text::{DrawnText, DrawnTexts};
use crate::{Error, Result};
use easel_render::{
    Clip, DisplayItem, DisplayList, Layer, MAX_LAYER_DEPTH, Paint, PathShape, Stroke, Transform,
};
use easel_scene::{
    BlockId, BlockType, Color, ContentFill, DrawnBlock, FillKind, Frame, SceneGraph, ShapeKind,
    keys,
};

/// The part of the canvas an export covers, in scene coordinates.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct Region {
    pub x: f32,
    pub y: f32,
    pub width: f32,
    pub height: f32,
}

/// An item whose fill is an image: compiled with the URI and placement, painted once the
/// image (and so its size) is known.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct PendingImage {
    /// The display item to paint.
    pub item: usize,
    /// The block whose fill it is (for errors).
    pub block: BlockId,
    /// The image URI as the scene writes it.
    pub uri: String,
    /// Where the image lands inside the block.
    pub placement: ContentFill,
}

/// A display list compiled from one snapshot of the scene, with its image fills by URI.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct CompiledFrame {
    pub list: DisplayList,
    pub images: Vec<PendingImage>,
}

impl CompiledFrame {
    /// Paints every pending image item with `image(uri)`: its handle and pixel size.
    pub fn resolve_images(
        mut self,
        mut image: impl FnMut(&PendingImage) -> Result<easel_render::ImageHandle>,
    ) -> Result<DisplayList> {
        for pending in &self.images {
            let handle = image(pending)?;
            if let Some(item) = self.list.items.get_mut(pending.item) {
                item.fill = Some(Paint::Image {
                    image: handle,
                    transform: pending
                        .placement
                        .image_transform(handle.width, handle.height),
                });
            }
        }
        Ok(self.list)
    }
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

/// The image fill URI of `block`, if it has an enabled image fill with a URI.
fn image_uri(graph: &SceneGraph, block: BlockId) -> Result<Option<String>> {
    let Some(fill) = graph.fill(block)? else {
        return Ok(None);
    };
    if graph.block_type(fill)? != BlockType::Fill(FillKind::Image) {
        return Ok(None);
    }
    let uri = graph.get_string(fill, keys::FILL_IMAGE_URI)?;
    Ok((!uri.is_empty()).then_some(uri))
}

/// Every `(block, image URI)` the export of `root` needs, in draw order.
pub(crate) fn image_uris(graph: &SceneGraph, root: BlockId) -> Result<Vec<(BlockId, String)>> {
    let mut out = Vec::new();
    for drawn in graph.drawn_blocks(root)? {
        if let Some(uri) = image_uri(graph, drawn.id)? {
            out.push((drawn.id, uri));
        }
    }
    Ok(out)
}

fn shape_of(graph: &SceneGraph, block: BlockId, w: f32, h: f32) -> Result<Option<PathShape>> {
    let rect = PathShape::Rect {
        width: w,
        height: h,
        radii: [0.0; 4],
    };
    if graph.block_type(block)? == BlockType::Page {
        return Ok(Some(rect));
    }
    let Some(shape) = graph.shape(block)? else {
        return Ok(None);
    };
    let BlockType::Shape(kind) = graph.block_type(shape)? else {
        return Ok(None);
    };
    let f = |key: &str| graph.get_float(shape, key);
    let count = |key: &str| graph.get_int(shape, key).map(|n| n.max(3) as u32);
    Ok(Some(match kind {
        ShapeKind::Rect => PathShape::Rect {
            width: w,
            height: h,
            radii: [
                f(keys::SHAPE_RECT_CORNER_RADIUS_TL)?,
                f(keys::SHAPE_RECT_CORNER_RADIUS_TR)?,
                f(keys::SHAPE_RECT_CORNER_RADIUS_BR)?,
                f(keys::SHAPE_RECT_CORNER_RADIUS_BL)?,
            ],
        },
        ShapeKind::Ellipse => PathShape::Ellipse {
            width: w,
            height: h,
        },
        ShapeKind::Star => PathShape::Star {
            width: w,
            height: h,
            points: count(keys::SHAPE_STAR_POINTS)?,
            inner_diameter: f(keys::SHAPE_STAR_INNER_DIAMETER)?,
        },
        ShapeKind::Polygon => PathShape::Polygon {
            width: w,
            height: h,
            sides: count(keys::SHAPE_POLYGON_SIDES)?,
            corner_radius: f(keys::SHAPE_POLYGON_CORNER_RADIUS)?,
        },
        // A line block is drawn as its frame filled, the block's height being the thickness.
        ShapeKind::Line => rect,
        ShapeKind::VectorPath => PathShape::Svg {
            data: graph.get_string(shape, keys::SHAPE_VECTOR_PATH_PATH)?,
            fill_rule: graph.fill_rule(shape)?,
            view_width: f(keys::SHAPE_VECTOR_PATH_WIDTH)?,
            view_height: f(keys::SHAPE_VECTOR_PATH_HEIGHT)?,
            width: w,
            height: h,
        },
    }))
}

fn is_line(graph: &SceneGraph, block: BlockId) -> Result<bool> {
    Ok(match graph.shape(block)? {
        Some(shape) => graph.block_type(shape)? == BlockType::Shape(ShapeKind::Line),
        None => false,
    })
}

/// How a block's fill paints, unless it is an image (see [`PendingImage`]).
enum FillPaint {
    None,
    Paint(Paint),
    Image(String),
}

fn paint_of(graph: &SceneGraph, block: BlockId, w: f32, h: f32) -> Result<FillPaint> {
    if !graph.get_bool(block, keys::FILL_ENABLED)? {
        return Ok(FillPaint::None);
    }
    let Some(fill) = graph.fill(block)? else {
        return Ok(FillPaint::None);
    };
    if !graph.get_bool(fill, keys::FILL_ENABLED)? {
        return Ok(FillPaint::None);
    }
    let BlockType::Fill(kind) = graph.block_type(fill)? else {
        return Ok(FillPaint::None);
    };
    let f = |k: &str| graph.get_float(fill, k);
    // Gradient geometry is relative to the block's box.
    let at = |kx: &str, ky: &str| -> Result<[f32; 2]> { Ok([f(kx)? * w, f(ky)? * h]) };
    Ok(FillPaint::Paint(match kind {
        FillKind::Color => Paint::Solid(graph.get_color(fill, keys::FILL_COLOR_VALUE)?),
        FillKind::LinearGradient => Paint::LinearGradient {
            start: at(
                keys::FILL_GRADIENT_LINEAR_START_POINT_X,
                keys::FILL_GRADIENT_LINEAR_START_POINT_Y,
            )?,
            end: at(
                keys::FILL_GRADIENT_LINEAR_END_POINT_X,
                keys::FILL_GRADIENT_LINEAR_END_POINT_Y,
            )?,
            stops: graph.gradient_color_stops(fill)?,
        },
        FillKind::RadialGradient => Paint::RadialGradient {
            center: at(
                keys::FILL_GRADIENT_RADIAL_CENTER_POINT_X,
                keys::FILL_GRADIENT_RADIAL_CENTER_POINT_Y,
            )?,
            // The radius is relative to the block's shorter side (measured against the
            // reference engine: radius 1 on a 250 × 160 ellipse reaches stop 0.5 at 80 px).
            radius: f(keys::FILL_GRADIENT_RADIAL_RADIUS)? * w.min(h),
            stops: graph.gradient_color_stops(fill)?,
        },
        FillKind::ConicalGradient => Paint::ConicalGradient {
            center: at(
                keys::FILL_GRADIENT_CONICAL_CENTER_POINT_X,
                keys::FILL_GRADIENT_CONICAL_CENTER_POINT_Y,
            )?,
            stops: graph.gradient_color_stops(fill)?,
        },
        FillKind::Image => {
            let uri = graph.get_string(fill, keys::FILL_IMAGE_URI)?;
            return Ok(if uri.is_empty() {
                FillPaint::None
            } else {
                FillPaint::Image(uri)
            });
        }
    }))
}

fn stroke_of(graph: &SceneGraph, block: BlockId) -> Result<Option<Stroke>> {
    if !graph.stroke_enabled(block)? {
        return Ok(None);
    }
    Ok(Some(Stroke {
        width: graph.stroke_width(block)?,
        color: graph.stroke_color(block)?,
        join: graph.stroke_join(block)?,
        cap: graph.stroke_cap(block)?,
        miter_limit: graph.get_float(block, keys::STROKE_MITER_LIMIT)?,
        dash_array: graph.stroke_dash_array(block)?,
        dash_offset: graph.get_float(block, keys::STROKE_DASH_OFFSET)?,
        position: graph.stroke_position(block)?,
    }))
}

fn to_canvas(frame: &Frame, region: &Region, (sx, sy): (f32, f32)) -> Transform {
    frame
        .transform
        .then(Transform::translate(-region.x, -region.y))
        .then(Transform::scale(sx, sy))
}

/// What the drawn blocks `blocks` of one draw order compile to: their items (block `i`'s
/// starting at `starts[i]`), their pending images (indexing `items`), and the clear colour
/// if the exported page is among them.
#[derive(Debug, Default, PartialEq)]
struct CompiledRun {
    items: Vec<DisplayItem>,
    starts: Vec<usize>,
    images: Vec<PendingImage>,
    background: Option<Color>,
}

/// What compiling one drawn block needs besides the block.
struct Context<'a> {
    graph: &'a SceneGraph,
    root: BlockId,
    root_layered: bool,
    region: Region,
    scale: (f32, f32),
    texts: &'a DrawnTexts,
}

/// Drawn blocks per thread below which a list compiles on the caller's thread alone.
const PARALLEL_BLOCKS: usize = 4096;

/// Builds the display list for `root` over `region`, scaled by `scale` (x, y) into a
/// `width × height` canvas. Image fills are left pending. The items go into `items`
/// (emptied first: a recycled buffer keeps its capacity). Long lists compile in runs on
/// every core (reading the graph side by side) and are joined in paint order.
pub(crate) fn compile(
    graph: &SceneGraph,
    root: BlockId,
    region: Region,
    scale: (f32, f32),
    (width, height): (u32, u32),
    texts: &DrawnTexts,
    mut items: Vec<DisplayItem>,
) -> Result<CompiledFrame> {
    let order = graph.draw_order(root)?;
    items.clear();
    items.reserve(order.blocks.len());
    let cx = Context {
        graph,
        root,
        root_layered: order.layers.iter().any(|l| l.blocks.start == 0),
        region,
        scale,
        texts,
    };
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(order.blocks.len() / PARALLEL_BLOCKS)
        .max(1);
    let CompiledRun {
        mut items,
        mut starts,
        images,
        background,
    } = compile_runs(&cx, &order.blocks, items, threads)?;
    starts.push(items.len());
    let background = background.unwrap_or(Color::TRANSPARENT);
    let mut layers = Vec::with_capacity(order.layers.len());
    // The layers holding the current one (outer first, as `draw_order` lists them).
    let mut open: Vec<std::ops::Range<usize>> = Vec::new();
    for l in &order.layers {
        let range = starts[l.blocks.start]..starts[l.blocks.end];
        open.retain(|o| o.end > range.start);
        if open.len() >= MAX_LAYER_DEPTH {
            // Deeper than the renderer nests: the opacity goes to each item instead (the
            // blend mode is lost). Designs this deep with translucent groups are rare.
            for item in &mut items[range.clone()] {
                item.opacity *= l.opacity;
            }
            continue;
        }
        open.push(range.clone());
        layers.push(Layer {
            items: range,
            opacity: l.opacity,
            blend: l.blend,
        });
    }
    Ok(CompiledFrame {
        list: DisplayList {
            width,
            height,
            background,
            items,
            layers,
        },
        images,
    })
}

/// Compiles `blocks` in `threads` runs side by side (the first into `items`, on this
/// thread) and joins them in order.
fn compile_runs(
    cx: &Context<'_>,
    blocks: &[DrawnBlock],
    items: Vec<DisplayItem>,
    threads: usize,
) -> Result<CompiledRun> {
    let run = |blocks: &[DrawnBlock], items: Vec<DisplayItem>| -> Result<CompiledRun> {
        let mut run = CompiledRun {
            items,
            starts: Vec::with_capacity(blocks.len()),
            ..CompiledRun::default()
        };
        for drawn in blocks {
            run.starts.push(run.items.len());
            compile_block(cx, drawn, &mut run)?;
        }
        Ok(run)
    };
    let per = blocks.len().div_ceil(threads.max(1)).max(1);
    let mut chunks = blocks.chunks(per);
    let first = chunks.next().unwrap_or_default();
    let rest: Vec<&[DrawnBlock]> = chunks.collect();
    if rest.is_empty() {
        return run(first, items);
    }
    let (head, tail) = std::thread::scope(|s| {
        let others: Vec<_> = rest
            .iter()
            .map(|c| s.spawn(|| run(c, Vec::with_capacity(c.len()))))
            .collect();
        let head = run(first, items);
        let tail: Vec<Result<CompiledRun>> = others
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)))
            .collect();
        (head, tail)
    });
    let mut all = head?;
    for part in tail {
        let part = part?;
        let offset = all.items.len();
        all.starts.extend(part.starts.iter().map(|s| s + offset));
        all.images.extend(part.images.into_iter().map(|mut p| {
            p.item += offset;
            p
        }));
        all.background = all.background.or(part.background);
        all.items.extend(part.items);
    }
    Ok(all)
}

/// Appends what `drawn` draws to `run`.
fn compile_block(cx: &Context<'_>, drawn: &DrawnBlock, run: &mut CompiledRun) -> Result<()> {
    let Context {
        graph,
        root,
        root_layered,
        region,
        scale,
        texts,
    } = *cx;
    let (block, opacity) = (drawn.id, drawn.opacity);
    let frame = graph.frame(block)?;
    let (w, h) = (frame.width, frame.height);
    // Text draws its glyphs whatever its frame (an empty frame still reports a font
    // that failed).
    if graph.block_type(block)? == BlockType::Text && opacity > 0.0 {
        let clip = page_clip(graph, block, &frame, &region, scale)?;
        let to_canvas = to_canvas(&frame, &region, scale);
        match texts.get(&block) {
            Some(Ok(text)) => glyph_items(text, to_canvas, opacity, clip, &mut run.items),
            Some(Err(Error::Resource(error))) => {
                return Err(Error::BlockResource {
                    block,
                    error: error.clone(),
                });
            }
            Some(Err(e)) => return Err(e.clone()),
            None => {}
        }
        return Ok(());
    }

    if w <= 0.0 || h <= 0.0 || opacity <= 0.0 {
        return Ok(());
    }
    let Some(path) = shape_of(graph, block, w, h)? else {
        return Ok(());
    };
    let stroke = stroke_of(graph, block)?;
    if is_line(graph, block)? {
        // A line is its stroke: a bar as thick as the block is high, in the stroke's
        // colour; its fill is never drawn (as the reference engine draws lines).
        if let Some(s) = stroke {
            run.items.push(DisplayItem {
                path,
                transform: to_canvas(&frame, &region, scale),
                fill: Some(Paint::Solid(s.color)),
                stroke: None,
                opacity,
                clip: page_clip(graph, block, &frame, &region, scale)?,
            });
        }
        return Ok(());
    }
    let paint = paint_of(graph, block, w, h)?;
    let fill = match paint {
        FillPaint::None if stroke.is_none() => return Ok(()),
        FillPaint::None => None,
        FillPaint::Paint(p) => Some(p),
        FillPaint::Image(uri) => {
            run.images.push(PendingImage {
                item: run.items.len(),
                block,
                uri,
                placement: graph.content_fill(block)?,
            });
            None
        }
    };
    // The exported page's own flat colour becomes the clear colour: the same pixels
    // without shading every one of them (a third of a 4000×4000 export's GPU time).
    let exported_page =
        block == root && !root_layered && graph.block_type(block)? == BlockType::Page;
    if let (true, Some(Paint::Solid(c)), None, 1.0) = (exported_page, &fill, &stroke, opacity) {
        run.background = Some(*c);
        return Ok(());
    }
    run.items.push(DisplayItem {
        path,
        transform: to_canvas(&frame, &region, scale),
        fill,
        stroke,
        opacity,
        clip: page_clip(graph, block, &frame, &region, scale)?,
    });
    Ok(())
}

/// One filled item per drawn glyph: its outline (1 px per em) scaled to the run's size and
/// placed on its line.
fn glyph_items(
    drawn: &DrawnText,
    to_canvas: Transform,
    opacity: f32,
    clip: Option<Clip>,
    items: &mut Vec<DisplayItem>,
) {
    let text = &drawn.text;
    for (g, outline) in text.layout.glyphs.iter().zip(&drawn.outlines) {
        if outline.is_empty() {
            continue;
        }
        let color = text
            .colors
            .get(g.brush as usize)
            .copied()
            .unwrap_or(Color::BLACK);
        if color.a <= 0.0 {
            continue;
        }
        // Baselines sit on the output's pixel grid, as text renderers (the reference
        // engine's included) place them: crisp bottoms of letters instead of a row of
        // half-covered pixels. A baseline half-way between two rows goes to the row
        // below, as in the reference, also when f32 arithmetic lands it a hair above
        // (hebrew-rtl's baselines at 54.5 px: 30.5 → 34.4 dB).
        let (_, canvas_y) = to_canvas.apply(g.x, g.y + text.y_offset);
        let snap = Transform::translate(0.0, (canvas_y + 0.5 + 1e-3).floor() - canvas_y);
        items.push(DisplayItem {
            path: PathShape::Outline(outline.clone()),
            transform: Transform::scale(g.size, g.size)
                .then(Transform::translate(g.x, g.y + text.y_offset))
                .then(to_canvas)
                .then(snap),
            fill: Some(Paint::Solid(color)),
            stroke: None,
            opacity,
            clip: clip.clone(),
        });
    }
}

/// Content that sticks out of its page is clipped to the page, so pages side by side in a
/// stack export do not bleed into each other.
fn page_clip(
    graph: &SceneGraph,
    block: BlockId,
    frame: &Frame,
    region: &Region,
    scale: (f32, f32),
) -> Result<Option<Clip>> {
    if graph.block_type(block)? == BlockType::Page {
        return Ok(None);
    }
    let Some(page) = graph.page_of(block)? else {
        return Ok(None);
    };
    let p = graph.frame(page)?;
    let page_covers_region = p.bounds_x <= region.x
        && p.bounds_y <= region.y
        && p.bounds_x + p.bounds_width >= region.x + region.width
        && p.bounds_y + p.bounds_height >= region.y + region.height;
    if frame.bounds_within(&p) || page_covers_region {
        return Ok(None);
    }
    Ok(Some(Clip {
        path: PathShape::Rect {
            width: p.width,
            height: p.height,
            radii: [0.0; 4],
        },
        transform: to_canvas(&p, region, scale),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;
    use easel_scene::SceneLayout;
    use std::collections::HashMap;

    fn scene() -> (SceneGraph, BlockId) {
        let mut g = SceneGraph::new();
        let page = g
            .create_scene(SceneLayout::VerticalStack, Some((100.0, 80.0)))
            .and_then(|s| s.page())
            .unwrap_or_else(|e| panic!("{e}"));
        (g, page)
    }

    fn graphic(g: &mut SceneGraph, page: BlockId, shape: &str, fill: &str) -> Result<BlockId> {
        let b = g.create("graphic")?;
        let s = g.create_shape(shape)?;
        g.set_shape(b, s)?;
        let f = g.create_fill(fill)?;
        g.set_fill(b, f)?;
        g.set_position_x(b, 10.0)?;
        g.set_position_y(b, 20.0)?;
        g.set_width(b, 40.0)?;
        g.set_height(b, 30.0)?;
        g.append_child(page, b)?;
        Ok(b)
    }

    fn compiled(g: &mut SceneGraph, root: BlockId, scale: f32) -> Result<CompiledFrame> {
        g.layout();
        let r = region(g, root)?;
        let size = ((r.width * scale) as u32, (r.height * scale) as u32);
        compile(
            g,
            root,
            r,
            (scale, scale),
            size,
            &HashMap::new(),
            Vec::new(),
        )
    }

    #[test]
    fn runs_compiled_side_by_side_join_as_one_run() -> Result<()> {
        let (mut g, page) = scene();
        // Images, strokes and the page's background in different runs.
        for i in 0..40 {
            let fill = if i % 7 == 0 { "image" } else { "color" };
            let b = graphic(&mut g, page, ["rect", "ellipse", "star"][i % 3], fill)?;
            if let (true, Some(f)) = (fill == "image", g.fill(b)?) {
                g.set_string(f, keys::FILL_IMAGE_URI, &format!("https://x.test/{i}.png"))?;
            }
            g.set_position_x(b, i as f32)?;
            if i % 5 == 0 {
                g.set_stroke_enabled(b, true)?;
            }
        }
        g.layout();
        let r = region(&g, page)?;
        let order = g.draw_order(page)?;
        let texts = HashMap::new();
        let cx = Context {
            graph: &g,
            root: page,
            root_layered: false,
            region: r,
            scale: (1.0, 1.0),
            texts: &texts,
        };
        let alone = compile_runs(&cx, &order.blocks, Vec::new(), 1)?;
        assert_eq!(alone.background, Some(Color::WHITE));
        assert_eq!(alone.images.len(), 6);
        for threads in [2, 3, 7] {
            let joined = compile_runs(&cx, &order.blocks, Vec::new(), threads)?;
            assert_eq!(joined, alone, "{threads} runs");
        }
        Ok(())
    }

    #[test]
    fn a_page_becomes_its_background_and_graphics_become_items() -> Result<()> {
        let (mut g, page) = scene();
        let b = graphic(&mut g, page, "ellipse", "color")?;
        g.set_fill_color(b, Color::rgb(1.0, 0.0, 0.0))?;
        let c = compiled(&mut g, page, 2.0)?;
        assert_eq!((c.list.width, c.list.height), (200, 160));
        assert_eq!(c.list.background, Color::WHITE);
        assert_eq!(c.list.items.len(), 1);
        let item = &c.list.items[0];
        assert_eq!(
            item.path,
            PathShape::Ellipse {
                width: 40.0,
                height: 30.0
            }
        );
        assert_eq!(
            item.transform.apply(0.0, 0.0),
            (20.0, 40.0),
            "scaled into the canvas"
        );
        assert_eq!(item.fill, Some(Paint::Solid(Color::rgb(1.0, 0.0, 0.0))));
        assert!(c.images.is_empty());
        Ok(())
    }

    #[test]
    fn image_fills_stay_pending_with_their_placement() -> Result<()> {
        let (mut g, page) = scene();
        let b = graphic(&mut g, page, "rect", "image")?;
        let fill = g.fill(b)?.unwrap_or(b);
        g.set_string(fill, keys::FILL_IMAGE_URI, "buffer://a")?;
        let c = compiled(&mut g, page, 1.0)?;
        assert_eq!(c.images.len(), 1);
        assert_eq!(
            (c.images[0].uri.as_str(), c.images[0].item),
            ("buffer://a", 0)
        );
        assert_eq!(c.list.items[0].fill, None);
        let list = c.resolve_images(|_| {
            Ok(easel_render::ImageHandle {
                id: 9,
                width: 80,
                height: 30,
            })
        })?;
        // Cover: a 8:3 image in a 4:3 block is scaled to the block's height.
        let Some(Paint::Image { image, transform }) = &list.items[0].fill else {
            panic!("no image paint");
        };
        assert_eq!(image.id, 9);
        assert_eq!(transform.apply(0.0, 0.0), (-20.0, 0.0));
        Ok(())
    }

    #[test]
    fn hidden_and_excluded_blocks_are_not_drawn_and_group_opacity_is_a_layer() -> Result<()> {
        let (mut g, page) = scene();
        let group = g.create("group")?;
        g.append_child(page, group)?;
        g.set_opacity(group, 0.5)?;
        let a = graphic(&mut g, page, "rect", "color")?;
        g.append_child(group, a)?;
        g.set_opacity(a, 0.5)?;
        let hidden = graphic(&mut g, page, "rect", "color")?;
        g.set_visible(hidden, false)?;
        let excluded = graphic(&mut g, page, "rect", "color")?;
        g.set_bool(excluded, keys::INCLUDED_IN_EXPORT, false)?;
        let c = compiled(&mut g, page, 1.0)?;
        assert_eq!(c.list.items.len(), 1);
        // The graphic keeps its own opacity; the group's applies to its composite.
        assert_eq!(c.list.items[0].opacity, 0.5);
        assert_eq!(
            c.list.layers,
            [Layer {
                items: 0..1,
                opacity: 0.5,
                blend: easel_scene::BlendMode::Normal,
            }]
        );
        Ok(())
    }

    #[test]
    fn shapes_and_strokes_translate_their_properties() -> Result<()> {
        let (mut g, page) = scene();
        let b = graphic(&mut g, page, "star", "color")?;
        let shape = g.shape(b)?.unwrap_or(b);
        g.set_int(shape, keys::SHAPE_STAR_POINTS, 7)?;
        g.set_stroke_enabled(b, true)?;
        g.set_stroke_width(b, 3.0)?;
        g.set_stroke_join(b, easel_scene::LineJoin::Round)?;
        g.set_stroke_dash_array(b, &[2.0, 1.0])?;
        let c = compiled(&mut g, page, 1.0)?;
        let item = &c.list.items[0];
        assert!(matches!(item.path, PathShape::Star { points: 7, .. }));
        let stroke = item.stroke.as_ref().unwrap_or_else(|| panic!("no stroke"));
        assert_eq!(
            (stroke.width, stroke.join),
            (3.0, easel_scene::LineJoin::Round)
        );
        assert_eq!(stroke.dash_array, [2.0, 1.0]);
        Ok(())
    }

    #[test]
    fn content_outside_its_page_is_clipped_in_a_stack_export() -> Result<()> {
        let (mut g, page) = scene();
        let b = graphic(&mut g, page, "rect", "color")?;
        g.set_position_x(b, 80.0)?;
        let stack = g.parent(page)?.unwrap_or(page);
        let second = g.create("page")?;
        g.append_child(stack, second)?;
        let c = compiled(&mut g, stack, 1.0)?;
        assert!(
            c.list.items.iter().any(|i| i.clip.is_some()),
            "the overflowing graphic is clipped"
        );
        let c = compiled(&mut g, page, 1.0)?;
        assert!(
            c.list.items.iter().all(|i| i.clip.is_none()),
            "a page export needs no clip"
        );
        Ok(())
    }
}
