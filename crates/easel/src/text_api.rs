//! `engine.block`'s text calls, as the reference engine names them. Ranges are UTF-16
//! `(from, to)` as in the reference engine and its scene files; `None` is the whole text.

use crate::block::BlockApi;
use crate::text::{self, require_text};
use crate::{Error, Result};
use easel_scene::{BlockId, Color, FontStyle, FontWeight, TextRun, Typeface, keys};

/// One laid-out line of a text block, in the block's local coordinates.
#[derive(Clone, Debug, PartialEq)]
pub struct TextLine {
    /// The line's text, its break included.
    pub content: String,
    /// Left edge of its content.
    pub x: f32,
    /// Top.
    pub top: f32,
    /// Baseline.
    pub baseline: f32,
    /// Content width.
    pub width: f32,
    /// Height (ascent + descent of its fonts).
    pub height: f32,
    /// Whether it is drawn (it fits, or clipping is off).
    pub visible: bool,
}

fn distinct<T: PartialEq>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut out = Vec::new();
    for i in items {
        if !out.contains(&i) {
            out.push(i);
        }
    }
    out
}

type Range16 = Option<(u32, u32)>;

impl BlockApi {
    /// Replaces a range of a text block's text (all of it for `None`); the new text takes
    /// the style of the run where the range starts.
    pub fn replace_text(&self, id: BlockId, text: &str, range: Range16) -> Result<()> {
        Ok(self.shared.graph().replace_text(id, text, range)?)
    }

    /// Removes a range of a text block's text.
    pub fn remove_text(&self, id: BlockId, range: (u32, u32)) -> Result<()> {
        Ok(self.shared.graph().remove_text(id, range)?)
    }

    /// A text block's text.
    pub fn get_text(&self, id: BlockId) -> Result<String> {
        Ok(self.shared.graph().text(id)?)
    }

    /// The styled runs of a text block, covering its text.
    pub fn text_runs(&self, id: BlockId) -> Result<Vec<TextRun>> {
        Ok(self.shared.graph().text_runs(id)?)
    }

    /// Sets the font file and typeface of a text block. Runs keep their weight and style
    /// where the typeface has that face.
    pub fn set_font(&self, id: BlockId, font_uri: &str, typeface: &Typeface) -> Result<()> {
        Ok(self
            .shared
            .graph()
            .set_font(id, font_uri, typeface.clone())?)
    }

    /// Sets the typeface, drawing with its regular face.
    pub fn set_typeface(&self, id: BlockId, typeface: &Typeface) -> Result<()> {
        let uri = typeface
            .face(FontWeight::Normal, FontStyle::Normal)
            .or(typeface.fonts.first())
            .map(|f| f.uri.clone())
            .ok_or_else(|| easel_scene::Error::InvalidValue {
                key: "typeface".into(),
                value: typeface.name.clone(),
                reason: "it has no fonts".into(),
            })?;
        self.set_font(id, &uri, typeface)
    }

    /// The block's typeface (the default typeface when none was set).
    pub fn typeface(&self, id: BlockId) -> Result<Typeface> {
        let graph = self.shared.graph();
        require_text(&graph, id)?;
        Ok(graph.typeface(id)?.unwrap_or_else(text::default_typeface))
    }

    /// Sets the font size in points of a range; for the whole text also `text/fontSize`.
    pub fn set_text_font_size(&self, id: BlockId, size: f32, range: Range16) -> Result<()> {
        if !(size.is_finite() && size > 0.0 && size <= 10_000.0) {
            return Err(easel_scene::Error::InvalidValue {
                key: keys::TEXT_FONT_SIZE.into(),
                value: size.to_string(),
                reason: format!("block {id}: font sizes are within (0, 10000] points"),
            }
            .into());
        }
        let mut graph = self.shared.graph();
        require_text(&graph, id)?;
        if range.is_none() {
            graph.set_float(id, keys::TEXT_FONT_SIZE, size)?;
        }
        Ok(graph.style_text(id, range, |r| r.font_size = size)?)
    }

    /// The distinct font sizes (points) of a range, in text order.
    pub fn get_text_font_sizes(&self, id: BlockId, range: Range16) -> Result<Vec<f32>> {
        Ok(distinct(
            self.runs_in(id, range)?.iter().map(|r| r.font_size),
        ))
    }

    /// Sets the colour of a range.
    pub fn set_text_color(&self, id: BlockId, color: Color, range: Range16) -> Result<()> {
        if !color.is_valid() {
            return Err(easel_scene::Error::InvalidValue {
                key: "text color".into(),
                value: format!("{color:?}"),
                reason: format!("block {id}: components must be within 0..=1"),
            }
            .into());
        }
        Ok(self
            .shared
            .graph()
            .style_text(id, range, |r| r.color = color)?)
    }

    /// The distinct colours of a range, in text order.
    pub fn get_text_colors(&self, id: BlockId, range: Range16) -> Result<Vec<Color>> {
        Ok(distinct(self.runs_in(id, range)?.iter().map(|r| r.color)))
    }

    /// Sets the weight of a range. Fails when the typeface has no face for the weight with
    /// a run's style (there is no synthetic bold).
    pub fn set_text_font_weight(
        &self,
        id: BlockId,
        weight: FontWeight,
        range: Range16,
    ) -> Result<()> {
        let typeface = self.typeface(id)?;
        for r in self.runs_in(id, range)? {
            if typeface.face(weight, r.style).is_none() {
                return Err(self.no_face(id, &typeface, weight, r.style));
            }
        }
        Ok(self
            .shared
            .graph()
            .style_text(id, range, |r| r.weight = weight)?)
    }

    /// The distinct weights of a range, in text order.
    pub fn get_text_font_weights(&self, id: BlockId, range: Range16) -> Result<Vec<FontWeight>> {
        Ok(distinct(self.runs_in(id, range)?.iter().map(|r| r.weight)))
    }

    /// Sets the style of a range; fails when the typeface has no such face.
    pub fn set_text_font_style(&self, id: BlockId, style: FontStyle, range: Range16) -> Result<()> {
        let typeface = self.typeface(id)?;
        for r in self.runs_in(id, range)? {
            if typeface.face(r.weight, style).is_none() {
                return Err(self.no_face(id, &typeface, r.weight, style));
            }
        }
        Ok(self
            .shared
            .graph()
            .style_text(id, range, |r| r.style = style)?)
    }

    /// The distinct styles of a range, in text order.
    pub fn get_text_font_styles(&self, id: BlockId, range: Range16) -> Result<Vec<FontStyle>> {
        Ok(distinct(self.runs_in(id, range)?.iter().map(|r| r.style)))
    }

    /// True when the typeface has a bold (or, for bold text, a regular) face for every run.
    pub fn can_toggle_bold_font(&self, id: BlockId) -> Result<bool> {
        let typeface = self.typeface(id)?;
        Ok(self.runs_in(id, None)?.iter().all(|r| {
            let other = match r.weight {
                FontWeight::Bold => FontWeight::Normal,
                FontWeight::Normal => FontWeight::Bold,
            };
            typeface.face(other, r.style).is_some()
        }))
    }

    /// True when the typeface has an italic (or upright) face for every run.
    pub fn can_toggle_italic_font(&self, id: BlockId) -> Result<bool> {
        let typeface = self.typeface(id)?;
        Ok(self.runs_in(id, None)?.iter().all(|r| {
            let other = match r.style {
                FontStyle::Italic => FontStyle::Normal,
                FontStyle::Normal => FontStyle::Italic,
            };
            typeface.face(r.weight, other).is_some()
        }))
    }

    /// Sets `width/mode`: `Absolute` or `Auto` (the frame follows the text).
    pub fn set_width_mode(&self, id: BlockId, mode: &str) -> Result<()> {
        Ok(self.shared.graph().set_enum(id, keys::WIDTH_MODE, mode)?)
    }

    /// Sets `height/mode`: `Absolute` or `Auto`.
    pub fn set_height_mode(&self, id: BlockId, mode: &str) -> Result<()> {
        Ok(self.shared.graph().set_enum(id, keys::HEIGHT_MODE, mode)?)
    }

    /// The laid-out lines of a text block (loading its fonts if needed).
    pub fn text_lines(&self, id: BlockId) -> Result<Vec<TextLine>> {
        let texts = text::prepare(&self.shared)?;
        let graph = self.shared.graph();
        require_text(&graph, id)?;
        let content = graph.text(id)?;
        let t = match texts.get(&id) {
            Some(Ok(t)) => t.clone(),
            Some(Err(Error::Resource(error))) => {
                return Err(Error::BlockResource {
                    block: id,
                    error: error.clone(),
                });
            }
            Some(Err(e)) => return Err(e.clone()),
            None => return Ok(Vec::new()),
        };
        Ok(t.layout
            .lines
            .iter()
            .enumerate()
            .map(|(i, l)| TextLine {
                content: content.get(l.text.clone()).unwrap_or_default().to_string(),
                x: l.x,
                top: l.top + t.y_offset,
                baseline: l.baseline + t.y_offset,
                width: l.width,
                height: l.bottom - l.top,
                visible: i < t.visible_lines,
            })
            .collect())
    }

    /// How many lines of a text block are drawn.
    pub fn text_visible_line_count(&self, id: BlockId) -> Result<usize> {
        Ok(self.text_lines(id)?.iter().filter(|l| l.visible).count())
    }

    /// The font sizes (points) the lines are drawn at: the set sizes, or with automatic
    /// font size what it chose for the first run.
    pub fn text_drawn_font_size(&self, id: BlockId) -> Result<f32> {
        let texts = text::prepare(&self.shared)?;
        let first = self
            .runs_in(id, None)?
            .first()
            .map_or(12.0, |r| r.font_size);
        Ok(match texts.get(&id) {
            Some(Ok(t)) => first * t.scale,
            _ => first,
        })
    }

    /// How many glyphs of a text block no font had: none of its fonts, the fallback font
    /// setting or Easel's fallback set. They are drawn as the font's `.notdef` box, never
    /// dropped.
    pub fn text_missing_glyphs(&self, id: BlockId) -> Result<usize> {
        let texts = text::prepare(&self.shared)?;
        require_text(&self.shared.graph(), id)?;
        Ok(match texts.get(&id) {
            Some(Ok(t)) => t.layout.missing_glyphs,
            _ => 0,
        })
    }

    /// `text/horizontalAlignment` with `Auto` resolved: `Right` for a text that starts
    /// right to left, else `Left`.
    pub fn text_effective_horizontal_alignment(&self, id: BlockId) -> Result<String> {
        let set = self.get_enum(id, keys::TEXT_HORIZONTAL_ALIGNMENT)?;
        if set != "Auto" {
            return Ok(set);
        }
        let text = self.get_text(id)?;
        let rtl = text.chars().find(|c| c.is_alphabetic()).is_some_and(
            |c| matches!(c as u32, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF),
        );
        Ok(if rtl { "Right" } else { "Left" }.into())
    }

    fn runs_in(&self, id: BlockId, range: Range16) -> Result<Vec<TextRun>> {
        let graph = self.shared.graph();
        require_text(&graph, id)?;
        let (start, end) = graph.text_range(id, range)?;
        let text = graph.text(id)?;
        let in_range: Vec<TextRun> = graph
            .text_runs(id)?
            .into_iter()
            .filter(|r| {
                (r.start < end && r.end > start)
                    || (start == end && r.start <= start && start <= r.end)
            })
            .collect();
        // Like the reference engine, runs of only spaces do not count when there are others:
        // the space between a red and a green word has no colour of its own.
        let blank = |r: &TextRun| {
            let from = easel_scene::utf16_to_byte(&text, r.start).unwrap_or(0);
            let to = easel_scene::utf16_to_byte(&text, r.end).unwrap_or(text.len());
            text[from..to].trim().is_empty() && r.start < r.end
        };
        if in_range.iter().any(|r| !blank(r)) {
            Ok(in_range.into_iter().filter(|r| !blank(r)).collect())
        } else {
            Ok(in_range)
        }
    }

    fn no_face(
        &self,
        id: BlockId,
        typeface: &Typeface,
        weight: FontWeight,
        style: FontStyle,
    ) -> Error {
        easel_scene::Error::InvalidValue {
            key: "font face".into(),
            value: format!("{} {}", weight.as_str(), style.as_str()),
            reason: format!(
                "block {id}'s typeface `{}` has no such face (it has: {})",
                typeface.name,
                typeface
                    .fonts
                    .iter()
                    .map(|f| f.sub_family.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        }
        .into()
    }
}
