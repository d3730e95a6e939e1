//! Text blocks: fonts through the resource loader, layout through `easel-text`, and the
//! measured sizes handed back to the scene model. The facade translates between the
//! scene's points and UTF-16 ranges and the text crate's pixels and byte ranges.

use crate::engine::Shared;
use crate::error::{ResourceError, ResourceErrorKind};
use crate::{Error, Result};
use easel_geom::Outline;
use easel_scene::{
    BlockId, BlockType, Color, DesignUnit, FontFace, FontStyle, FontWeight, SceneGraph,
    TextMeasure, TextRun, Typeface, keys, utf16_to_byte,
};
use easel_text::{Align, FontId, FontLibrary, ParagraphStyle, RunStyle, TextLayout, default_fonts};
use std::collections::HashMap;
use std::hash::{Hash, Hasher};
use std::sync::Arc;

/// The URI prefix of the fonts Easel ships.
pub const DEFAULT_FONT_PREFIX: &str = "easel://fonts/";

const DEFAULT_FILES: &[(&str, &[u8])] = &[
    ("NotoSans-Regular.ttf", default_fonts::REGULAR),
    ("NotoSans-Bold.ttf", default_fonts::BOLD),
    ("NotoSans-Italic.ttf", default_fonts::ITALIC),
    ("NotoSans-BoldItalic.ttf", default_fonts::BOLD_ITALIC),
    ("NotoSansArabic-Regular.ttf", default_fonts::ARABIC),
    ("NotoSansHebrew-Regular.ttf", default_fonts::HEBREW),
];

/// The typeface text blocks use until `set_font`: Noto Sans, shipped with Easel.
pub fn default_typeface() -> Typeface {
    let face = |file: &str, sub: &str, weight, style| FontFace {
        uri: format!("{DEFAULT_FONT_PREFIX}{file}"),
        sub_family: sub.into(),
        weight,
        style,
    };
    Typeface {
        name: "Noto Sans".into(),
        fonts: vec![
            face(
                "NotoSans-Regular.ttf",
                "Regular",
                FontWeight::Normal,
                FontStyle::Normal,
            ),
            face(
                "NotoSans-Bold.ttf",
                "Bold",
                FontWeight::Bold,
                FontStyle::Normal,
            ),
            face(
                "NotoSans-Italic.ttf",
                "Italic",
                FontWeight::Normal,
                FontStyle::Italic,
            ),
            face(
                "NotoSans-BoldItalic.ttf",
                "Bold Italic",
                FontWeight::Bold,
                FontStyle::Italic,
            ),
        ],
    }
}

/// The laid-out text blocks, by block.
pub(crate) type Layouts = HashMap<BlockId, Result<Arc<BlockText>>>;
/// The text blocks an export draws, by block.
pub(crate) type DrawnTexts = HashMap<BlockId, Result<Arc<DrawnText>>>;

/// A text block laid out: its lines and placed glyphs in the block's local coordinates
/// (the outlines an export draws them with come with [`DrawnText`]).
#[derive(Debug)]
pub(crate) struct BlockText {
    pub layout: TextLayout,
    /// Added to every line's y: vertical alignment inside a fixed frame.
    pub y_offset: f32,
    /// Lines drawn (those that fit when clipping).
    pub visible_lines: usize,
    /// The runs' colours, by brush.
    pub colors: Vec<Color>,
    /// The factor automatic font size applied to every run's size (1 without it).
    pub scale: f32,
    /// True when lines are hidden at the set font size (the reference engine's
    /// `text/hasClippedLines`, which ignores automatic font size).
    pub has_clipped_lines: bool,
}

/// A text block's layout with the outlines an export draws its glyphs with: hinted for the
/// export's pixels per em, one per glyph of its visible lines.
#[derive(Debug)]
pub(crate) struct DrawnText {
    pub text: Arc<BlockText>,
    pub outlines: Vec<Arc<Outline>>,
}

/// The engine's fonts and the last layout of every text block.
pub(crate) struct TextEngine {
    fonts: FontLibrary,
    /// Fonts that failed to load or parse, by URI.
    failed: HashMap<String, ResourceError>,
    fallback: Vec<FontId>,
    /// By block: the hash of the layout's inputs and the result.
    layouts: HashMap<BlockId, (u64, Result<Arc<BlockText>>)>,
    /// By block: the outlines of the last export, with the layout and the vertical scale
    /// they were hinted for.
    drawn: HashMap<BlockId, (f32, Arc<DrawnText>)>,
}

impl Default for TextEngine {
    fn default() -> Self {
        let mut fonts = FontLibrary::new();
        let mut fallback = Vec::new();
        for (file, bytes) in DEFAULT_FILES {
            // The shipped fonts are known good; a failure here would be a build defect. The
            // regular faces (Noto Sans, Arabic, Hebrew) are the fallback set.
            if let Ok(id) = fonts.register(&format!("{DEFAULT_FONT_PREFIX}{file}"), bytes.to_vec())
                && file.ends_with("-Regular.ttf")
            {
                fallback.push(id);
            }
        }
        TextEngine {
            fonts,
            failed: HashMap::new(),
            fallback,
            layouts: HashMap::new(),
            drawn: HashMap::new(),
        }
    }
}

/// Pixels per point for the scene's unit and DPI (1 pt = 1/72 in).
fn px_per_point(graph: &SceneGraph) -> f32 {
    let Some(scene) = graph.scene() else {
        return 300.0 / 72.0;
    };
    let dpi = graph.get_float(scene, keys::SCENE_DPI).unwrap_or(300.0);
    let unit = graph
        .get_enum(scene, keys::SCENE_DESIGN_UNIT)
        .ok()
        .and_then(|u| DesignUnit::parse(&u))
        .unwrap_or_default();
    match unit {
        DesignUnit::Pixel => dpi / 72.0,
        DesignUnit::Millimeter => 25.4 / 72.0,
        DesignUnit::Inch => 1.0 / 72.0,
    }
}

/// The font file of a run: its typeface's face for the run's weight and style, else the
/// block's font file.
fn font_uri(typeface: &Typeface, block_font: &str, run: &TextRun) -> String {
    match typeface.face(run.weight, run.style) {
        Some(f) => f.uri.clone(),
        None if !block_font.is_empty() => block_font.to_string(),
        None => typeface
            .fonts
            .first()
            .map(|f| f.uri.clone())
            .unwrap_or_default(),
    }
}

fn typeface_of(graph: &SceneGraph, id: BlockId) -> Result<Typeface> {
    Ok(graph.typeface(id)?.unwrap_or_else(default_typeface))
}

/// Everything a block's layout depends on, gathered under the graph lock.
struct TextInput {
    text: String,
    runs: Vec<(TextRun, String)>,
    px_per_pt: f32,
    width: Option<f32>,
    height: Option<f32>,
    line_height: f32,
    letter_spacing: f32,
    paragraph_spacing: f32,
    align: Align,
    vertical: String,
    clip: bool,
    auto_size: Option<(f32, f32)>,
    fallback: Fallback,
}

/// Which fonts draw the characters a text's own fonts lack.
#[derive(Clone, Debug, Hash)]
struct Fallback {
    /// The `fallback_font_uri` setting, tried first.
    uri: Option<String>,
    /// Whether the shipped fallback set comes after it.
    shipped: bool,
}

impl TextInput {
    fn read(graph: &SceneGraph, id: BlockId, fallback: Fallback) -> Result<TextInput> {
        let typeface = typeface_of(graph, id)?;
        let block_font = graph.get_string(id, keys::TEXT_FONT_FILE_URI)?;
        let runs = graph
            .text_runs(id)?
            .into_iter()
            .map(|r| {
                let uri = font_uri(&typeface, &block_font, &r);
                (r, uri)
            })
            .collect();
        let absolute = |key| graph.get_enum(id, key).map(|m| m != "Auto");
        let width = absolute(keys::WIDTH_MODE)?
            .then(|| graph.get_float(id, keys::WIDTH))
            .transpose()?;
        let height = absolute(keys::HEIGHT_MODE)?
            .then(|| graph.get_float(id, keys::HEIGHT))
            .transpose()?;
        let align = match graph
            .get_enum(id, keys::TEXT_HORIZONTAL_ALIGNMENT)?
            .as_str()
        {
            "Left" => Align::Left,
            "Right" => Align::Right,
            "Center" => Align::Center,
            _ => Align::Auto,
        };
        let auto_size = (graph.get_bool(id, keys::TEXT_AUTOMATIC_FONT_SIZE_ENABLED)?
            && width.is_some()
            && height.is_some())
        .then(|| {
            let min = graph.get_float(id, keys::TEXT_MIN_AUTOMATIC_FONT_SIZE)?;
            let max = graph.get_float(id, keys::TEXT_MAX_AUTOMATIC_FONT_SIZE)?;
            Ok::<_, Error>((min, max))
        })
        .transpose()?;
        Ok(TextInput {
            text: graph.get_string(id, keys::TEXT_TEXT)?,
            runs,
            px_per_pt: px_per_point(graph),
            width,
            height,
            line_height: graph.get_float(id, keys::TEXT_LINE_HEIGHT)?,
            letter_spacing: graph.get_float(id, keys::TEXT_LETTER_SPACING)?,
            paragraph_spacing: graph.get_float(id, keys::TEXT_PARAGRAPH_SPACING)?,
            align,
            vertical: graph.get_enum(id, keys::TEXT_VERTICAL_ALIGNMENT)?,
            clip: graph.get_bool(id, keys::TEXT_CLIP_LINES_OUTSIDE_OF_FRAME)?,
            auto_size,
            fallback,
        })
    }

    fn key(&self) -> u64 {
        let mut h = std::collections::hash_map::DefaultHasher::new();
        self.text.hash(&mut h);
        for (r, uri) in &self.runs {
            (r.start, r.end, r.font_size.to_bits(), uri).hash(&mut h);
            [r.color.r, r.color.g, r.color.b, r.color.a]
                .map(f32::to_bits)
                .hash(&mut h);
        }
        for v in [
            self.px_per_pt,
            self.width.unwrap_or(-1.0),
            self.height.unwrap_or(-1.0),
            self.line_height,
            self.letter_spacing,
            self.paragraph_spacing,
        ] {
            v.to_bits().hash(&mut h);
        }
        (self.align as u8, &self.vertical, self.clip, &self.fallback).hash(&mut h);
        self.auto_size
            .map(|(a, b)| (a.to_bits(), b.to_bits()))
            .hash(&mut h);
        h.finish()
    }
}

/// Automatic font size stops refining once the sizes it brackets are this close, in points
/// (CE.SDK 1.79 stops there too: probed, a bracket of 0.100 pt stops and one of 0.103 pt
/// takes another step).
const AUTO_SIZE_PRECISION_PT: f32 = 0.1;
/// At most this many layouts refine an automatic font size (a bracket of a million points
/// is under the precision after 24).
const AUTO_SIZE_MAX_STEPS: usize = 40;

impl TextEngine {
    fn font(&self, uri: &str) -> std::result::Result<FontId, ResourceError> {
        if let Some(e) = self.failed.get(uri) {
            return Err(e.clone());
        }
        self.fonts.find(uri).ok_or_else(|| ResourceError {
            kind: ResourceErrorKind::FileFetchFailed,
            uri: uri.to_string(),
            message: "the font is not loaded".into(),
        })
    }

    fn lay_out(&mut self, input: &TextInput) -> Result<BlockText> {
        let mut runs = Vec::with_capacity(input.runs.len());
        let mut colors = Vec::with_capacity(input.runs.len());
        for (r, uri) in &input.runs {
            let font = self.font(uri).map_err(Error::Resource)?;
            let start = utf16_to_byte(&input.text, r.start).unwrap_or(input.text.len());
            let end = utf16_to_byte(&input.text, r.end).unwrap_or(input.text.len());
            runs.push(RunStyle {
                range: start..end,
                font,
                size: r.font_size * input.px_per_pt,
                brush: colors.len() as u32,
            });
            colors.push(r.color);
        }
        let style = ParagraphStyle {
            line_height: input.line_height,
            letter_spacing: input.letter_spacing,
            paragraph_spacing: input.paragraph_spacing,
            align: input.align,
            width: input.width,
            fallback: input
                .fallback
                .uri
                .as_deref()
                .and_then(|u| self.font(u).ok())
                .into_iter()
                .chain(
                    self.fallback
                        .iter()
                        .copied()
                        .filter(|_| input.fallback.shipped),
                )
                .collect(),
        };
        let mut scale = 1.0;
        let mut layout = self.fonts.layout(&input.text, &runs, &style)?;
        let fitting = |layout: &TextLayout, h: f32| {
            layout
                .lines
                .iter()
                .take_while(|l| l.bottom <= h + 1e-3)
                .count()
        };
        let has_clipped_lines = input
            .height
            .is_some_and(|h| input.clip && fitting(&layout, h) < layout.lines.len());
        if let (Some((min, max)), Some(height), Some(first)) =
            (input.auto_size, input.height, runs.first().map(|r| r.size))
        {
            // The largest size at which the text fits the frame, by bisection, as CE.SDK 1.79
            // searches it (probed over twenty limits and frames, each size matched to
            // 1e-4 pt): between the minimum (0 when unset) and the size at which one line
            // of the first run's font fills the frame's height, or the maximum when that is
            // smaller. Halve the bracket until it is 0.1 pt or less and keep its lower end:
            // the minimum when nothing larger fits, never the maximum itself.
            let to_px = input.px_per_pt;
            let m = self.fonts.metrics(runs[0].font)?;
            let line_em = m.ascent + m.descent;
            let one_line = if line_em > 0.0 {
                height / line_em
            } else {
                height
            };
            let mut lo = min.max(0.0) * to_px;
            let mut hi = if max > 0.0 {
                one_line.min(max * to_px)
            } else {
                one_line
            };
            let fits = |lib: &mut FontLibrary, size_px: f32| -> Result<(bool, TextLayout)> {
                let s = size_px / first;
                let scaled: Vec<RunStyle> = runs
                    .iter()
                    .map(|r| RunStyle {
                        size: (r.size * s).max(1e-3),
                        ..r.clone()
                    })
                    .collect();
                let l = lib.layout(&input.text, &scaled, &style)?;
                Ok((l.height <= height + 1e-3, l))
            };
            let mut best = None;
            let step = AUTO_SIZE_PRECISION_PT * to_px;
            for _ in 0..AUTO_SIZE_MAX_STEPS {
                if hi - lo <= step {
                    break;
                }
                let mid = (lo + hi) / 2.0;
                let (ok, l) = fits(&mut self.fonts, mid)?;
                if ok {
                    lo = mid;
                    best = Some(l);
                } else {
                    hi = mid;
                }
            }
            layout = match best {
                Some(l) => l,
                None => fits(&mut self.fonts, lo)?.1,
            };
            scale = lo.max(1e-3) / first;
        }
        let mut visible_lines = layout.lines.len();
        let mut y_offset = 0.0;
        if let Some(h) = input.height {
            if input.clip {
                visible_lines = fitting(&layout, h);
            }
            let shown = layout.lines[..visible_lines]
                .last()
                .map_or(0.0, |l| l.bottom);
            y_offset = match input.vertical.as_str() {
                "Center" => (h - shown) / 2.0,
                "Bottom" => h - shown,
                _ => 0.0,
            };
        }
        Ok(BlockText {
            layout,
            y_offset,
            visible_lines,
            colors,
            scale,
            has_clipped_lines,
        })
    }
}

/// Lays out every text block of the engine whose inputs changed, loading the fonts they
/// need first (without holding the scene lock), and hands the measured sizes back to the
/// scene. Returns the layouts by block.
pub(crate) fn prepare(shared: &Shared) -> Result<Layouts> {
    let settings = shared.settings();
    let fallback = Fallback {
        uri: settings.fallback_font_uri.filter(|u| !u.is_empty()),
        shipped: settings.use_system_font_fallback,
    };
    let fallback_uri = &fallback.uri;
    // Which fonts are needed and not loaded?
    let wanted: Vec<String> = {
        let graph = shared.graph();
        if graph.find_by_type("text")?.is_empty() {
            // No text: nothing to lay out, and no fonts to parse for exports without text.
            if let Some(mut text) = shared.text_if_started() {
                text.layouts.clear();
                text.drawn.clear();
            }
            return Ok(HashMap::new());
        }
        let text = shared.text();
        let mut uris: Vec<String> = fallback_uri
            .iter()
            .filter(|u| text.fonts.find(u).is_none() && !text.failed.contains_key(*u))
            .cloned()
            .collect();
        for id in graph.find_by_type("text")? {
            let typeface = typeface_of(&graph, id)?;
            let block_font = graph.get_string(id, keys::TEXT_FONT_FILE_URI)?;
            for r in graph.text_runs(id)? {
                let uri = font_uri(&typeface, &block_font, &r);
                if text.fonts.find(&uri).is_none()
                    && !text.failed.contains_key(&uri)
                    && !uris.contains(&uri)
                {
                    uris.push(uri);
                }
            }
        }
        uris
    };
    if !wanted.is_empty() {
        let settings = shared.settings();
        let resolver = shared.resolver();
        let fetched: Vec<(String, crate::resources::ResourceResult<Arc<Vec<u8>>>)> = wanted
            .into_iter()
            .map(|uri| {
                let r = shared.resources.fetch(&uri, &settings, resolver.as_ref());
                (uri, r)
            })
            .collect();
        let mut text = shared.text();
        for (uri, bytes) in fetched {
            let result = bytes.and_then(|b| {
                text.fonts
                    .register(&uri, b.as_ref().clone())
                    .map(|_| ())
                    .map_err(|e| ResourceError {
                        kind: ResourceErrorKind::FontDecodingFailed,
                        uri: uri.clone(),
                        message: e.to_string(),
                    })
            });
            if let Err(e) = result {
                text.failed.insert(uri, e);
            }
        }
    }
    let mut graph = shared.graph();
    let mut text = shared.text();
    let ids = graph.find_by_type("text")?;
    let mut out = HashMap::with_capacity(ids.len());
    for id in ids {
        let input = TextInput::read(&graph, id, fallback.clone())?;
        let key = input.key();
        let result = match text.layouts.get(&id) {
            Some((k, r)) if *k == key => r.clone(),
            _ => {
                let r = text.lay_out(&input).map(Arc::new);
                text.layouts.insert(id, (key, r.clone()));
                r
            }
        };
        if let Ok(t) = &result {
            graph.set_text_measure(
                id,
                TextMeasure {
                    width: t.layout.width,
                    height: t.layout.height,
                    has_clipped_lines: t.has_clipped_lines,
                },
            )?;
        }
        out.insert(id, result);
    }
    text.layouts.retain(|id, _| out.contains_key(id));
    drop(text);
    graph.layout();
    Ok(out)
}

/// The outlines an export at `scale_y` output pixels per design pixel draws the text
/// blocks of `texts` with: each glyph of the visible lines hinted at its size in output
/// pixels (see [`easel_text::FontLibrary::hinted_outline`]). Blocks whose layout and scale
/// are those of the last export reuse its outlines.
pub(crate) fn drawn(shared: &Shared, texts: &Layouts, scale_y: f32) -> Result<DrawnTexts> {
    if texts.is_empty() {
        return Ok(HashMap::new());
    }
    let mut engine = shared.text();
    let engine = &mut *engine;
    let mut out = HashMap::with_capacity(texts.len());
    for (&id, result) in texts {
        let text = match result {
            Ok(t) => t,
            Err(e) => {
                out.insert(id, Err(e.clone()));
                continue;
            }
        };
        if let Some((s, d)) = engine.drawn.get(&id)
            && *s == scale_y
            && Arc::ptr_eq(&d.text, text)
        {
            out.insert(id, Ok(d.clone()));
            continue;
        }
        let shown = text.layout.lines[..text.visible_lines]
            .last()
            .map_or(0, |l| l.glyphs.end);
        let outlines = text.layout.glyphs[..shown]
            .iter()
            .map(|g| {
                engine
                    .fonts
                    .hinted_outline(g.font, g.glyph, g.size * scale_y)
            })
            .collect::<std::result::Result<Vec<_>, _>>()?;
        let d = Arc::new(DrawnText {
            text: text.clone(),
            outlines,
        });
        engine.drawn.insert(id, (scale_y, d.clone()));
        out.insert(id, Ok(d));
    }
    engine.drawn.retain(|id, _| texts.contains_key(id));
    Ok(out)
}

/// Checks that a block is a text block.
pub(crate) fn require_text(graph: &SceneGraph, id: BlockId) -> Result<()> {
    match graph.block_type(id)? {
        BlockType::Text => Ok(()),
        other => Err(Error::Scene(easel_scene::Error::WrongBlockKind {
            block: id,
            found: other.long_name(),
            expected: "a text block".into(),
        })),
    }
}
