//! Text blocks: the text with its styled runs, the typeface, and the size the facade
//! measured. Ranges count UTF-16 code units, as the reference engine and its scene files do.

use crate::graph::Block;
use crate::{BlockId, BlockType, Color, Error, Result, SceneGraph, keys};
use serde::{Deserialize, Serialize};

/// A font weight as the reference engine names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FontWeight {
    /// `normal` (400).
    #[default]
    Normal,
    /// `bold` (700).
    Bold,
}

impl FontWeight {
    /// Parses `normal` or `bold`.
    pub fn parse(s: &str) -> Option<FontWeight> {
        match s {
            "normal" => Some(FontWeight::Normal),
            "bold" => Some(FontWeight::Bold),
            _ => None,
        }
    }
    /// The reference engine's name.
    pub fn as_str(self) -> &'static str {
        match self {
            FontWeight::Normal => "normal",
            FontWeight::Bold => "bold",
        }
    }
}

/// A font style as the reference engine names it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum FontStyle {
    /// `normal`.
    #[default]
    Normal,
    /// `italic`.
    Italic,
}

impl FontStyle {
    /// Parses `normal` or `italic`.
    pub fn parse(s: &str) -> Option<FontStyle> {
        match s {
            "normal" => Some(FontStyle::Normal),
            "italic" => Some(FontStyle::Italic),
            _ => None,
        }
    }
    /// The reference engine's name.
    pub fn as_str(self) -> &'static str {
        match self {
            FontStyle::Normal => "normal",
            FontStyle::Italic => "italic",
        }
    }
}

/// One font file of a typeface.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FontFace {
    /// Where the font file is.
    pub uri: String,
    /// Its sub-family name (`Regular`, `Bold Italic`).
    #[serde(default)]
    pub sub_family: String,
    /// Its weight.
    #[serde(default)]
    pub weight: FontWeight,
    /// Its style.
    #[serde(default)]
    pub style: FontStyle,
}

/// A family of font files, as the reference engine's `setFont` takes it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Typeface {
    /// Its name (`Noto Sans`).
    pub name: String,
    /// Its faces.
    pub fonts: Vec<FontFace>,
}

impl Typeface {
    /// The face with this weight and style, if the typeface has one.
    pub fn face(&self, weight: FontWeight, style: FontStyle) -> Option<&FontFace> {
        self.fonts
            .iter()
            .find(|f| f.weight == weight && f.style == style)
    }
}

/// A span of a text block's text with one style. A block's runs cover its text end to end.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TextRun {
    /// First UTF-16 unit.
    pub start: u32,
    /// One past the last UTF-16 unit.
    pub end: u32,
    /// Font size in points.
    pub font_size: f32,
    /// Colour.
    pub color: Color,
    /// Weight.
    pub weight: FontWeight,
    /// Style.
    pub style: FontStyle,
}

impl TextRun {
    fn same_style(&self, other: &TextRun) -> bool {
        self.font_size == other.font_size
            && self.color == other.color
            && self.weight == other.weight
            && self.style == other.style
    }
}

/// What the facade measured for a text block: its auto size and what fits.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct TextMeasure {
    /// The width the text needs (used when `width/mode` is Auto).
    pub width: f32,
    /// The height the text needs (used when `height/mode` is Auto).
    pub height: f32,
    /// True when some lines do not fit the frame.
    pub has_clipped_lines: bool,
}

/// A text block's own data beside its properties.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct TextData {
    pub runs: Vec<TextRun>,
    pub typeface: Option<Typeface>,
    pub measure: Option<TextMeasure>,
}

/// UTF-16 length of a text.
pub fn utf16_len(text: &str) -> u32 {
    text.chars().map(|c| c.len_utf16() as u32).sum()
}

/// The byte offset of a UTF-16 offset, or `None` when it is past the end or inside a
/// surrogate pair.
pub fn utf16_to_byte(text: &str, pos: u32) -> Option<usize> {
    let mut units = 0u32;
    for (i, c) in text.char_indices() {
        if units == pos {
            return Some(i);
        }
        units += c.len_utf16() as u32;
        if units > pos {
            return None;
        }
    }
    (units == pos).then_some(text.len())
}

/// The UTF-16 offset of a byte offset on a char boundary.
pub fn byte_to_utf16(text: &str, byte: usize) -> u32 {
    utf16_len(&text[..byte.min(text.len())])
}

fn merge(runs: &mut Vec<TextRun>) {
    let mut out: Vec<TextRun> = Vec::with_capacity(runs.len());
    for r in runs.drain(..) {
        if r.start == r.end && !out.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.same_style(&r) || last.start == last.end => {
                let start = last.start;
                *last = TextRun { start, ..r };
            }
            _ => out.push(r),
        }
    }
    *runs = out;
}

fn split_at(runs: &mut Vec<TextRun>, pos: u32) {
    if let Some(i) = runs.iter().position(|r| r.start < pos && pos < r.end) {
        let mut right = runs[i].clone();
        right.start = pos;
        runs[i].end = pos;
        runs.insert(i + 1, right);
    }
}

impl SceneGraph {
    fn text_block(&self, id: BlockId) -> Result<&Block> {
        let b = self.block(id)?;
        if b.ty != BlockType::Text {
            return Err(Error::WrongBlockKind {
                block: id,
                found: b.ty.long_name(),
                expected: "a text block".into(),
            });
        }
        Ok(b)
    }

    fn text_data_mut(&mut self, id: BlockId) -> Result<&mut TextData> {
        self.text_block(id)?;
        let b = self.block_mut(id)?;
        Ok(b.text.get_or_insert_with(Default::default))
    }

    /// The default style of a block's new text: its first run's, else the block's
    /// `text/fontSize` in black.
    fn base_run(&self, id: BlockId) -> Result<TextRun> {
        if let Some(r) = self.block(id)?.text.as_ref().and_then(|t| t.runs.first()) {
            return Ok(r.clone());
        }
        Ok(TextRun {
            start: 0,
            end: 0,
            font_size: self.get_float(id, keys::TEXT_FONT_SIZE)?,
            color: Color::BLACK,
            weight: FontWeight::Normal,
            style: FontStyle::Normal,
        })
    }

    /// Checks a UTF-16 range of a text block's text; `None` is the whole text.
    pub fn text_range(&self, id: BlockId, range: Option<(u32, u32)>) -> Result<(u32, u32)> {
        let text = self.get_string(id, keys::TEXT_TEXT)?;
        let len = utf16_len(&text);
        let Some((start, end)) = range else {
            return Ok((0, len));
        };
        let bad = |reason: &str| Error::InvalidValue {
            key: "text range".into(),
            value: format!("{start}..{end}"),
            reason: format!("{reason} (block {id}'s text has {len} UTF-16 units)"),
        };
        if start > end {
            return Err(bad("the start is after the end"));
        }
        if end > len {
            return Err(bad("it ends past the end of the text"));
        }
        if utf16_to_byte(&text, start).is_none() || utf16_to_byte(&text, end).is_none() {
            return Err(bad("it splits a surrogate pair"));
        }
        Ok((start, end))
    }

    /// Replaces a UTF-16 range of the text (the whole text for `None`) with `text`, which
    /// takes the style of the run where the range starts.
    pub fn replace_text(
        &mut self,
        id: BlockId,
        text: &str,
        range: Option<(u32, u32)>,
    ) -> Result<()> {
        let (start, end) = self.text_range(id, range)?;
        let old = self.get_string(id, keys::TEXT_TEXT)?;
        let (bs, be) = (
            utf16_to_byte(&old, start).unwrap_or(0),
            utf16_to_byte(&old, end).unwrap_or(old.len()),
        );
        let new_text = format!("{}{}{}", &old[..bs], text, &old[be..]);
        if new_text.len() > crate::MAX_TEXT_BYTES {
            return Err(Error::InvalidValue {
                key: keys::TEXT_TEXT.into(),
                value: format!("{} bytes", new_text.len()),
                reason: format!("a text block holds at most {} bytes", crate::MAX_TEXT_BYTES),
            });
        }
        let inserted = utf16_len(text);
        let base = self.base_run(id)?;
        let style_at = self
            .block(id)?
            .text
            .as_ref()
            .and_then(|t| {
                t.runs
                    .iter()
                    .find(|r| r.start <= start && start < r.end)
                    .or(t.runs.last())
                    .cloned()
            })
            .unwrap_or(base);
        self.set_string(id, keys::TEXT_TEXT, &new_text)?;
        let data = self.text_data_mut(id)?;
        let mut runs = std::mem::take(&mut data.runs);
        split_at(&mut runs, start);
        split_at(&mut runs, end);
        let delta = inserted as i64 - (end - start) as i64;
        let mut out = Vec::with_capacity(runs.len() + 1);
        let mut placed = false;
        for r in runs {
            if r.end <= start && r.start != r.end {
                out.push(r);
            } else if r.start >= end && r.end > r.start {
                if !placed {
                    out.push(TextRun {
                        start,
                        end: start + inserted,
                        ..style_at.clone()
                    });
                    placed = true;
                }
                out.push(TextRun {
                    start: (r.start as i64 + delta) as u32,
                    end: (r.end as i64 + delta) as u32,
                    ..r
                });
            }
        }
        if !placed {
            out.push(TextRun {
                start,
                end: start + inserted,
                ..style_at
            });
        }
        out.sort_by_key(|r| r.start);
        merge(&mut out);
        data.runs = out;
        Ok(())
    }

    /// Removes a UTF-16 range of the text.
    pub fn remove_text(&mut self, id: BlockId, range: (u32, u32)) -> Result<()> {
        self.replace_text(id, "", Some(range))
    }

    /// The text of a text block.
    pub fn text(&self, id: BlockId) -> Result<String> {
        self.text_block(id)?;
        self.get_string(id, keys::TEXT_TEXT)
    }

    /// The block's runs, covering its text end to end (one empty run for empty text).
    pub fn text_runs(&self, id: BlockId) -> Result<Vec<TextRun>> {
        self.text_block(id)?;
        let text = self.get_string(id, keys::TEXT_TEXT)?;
        let len = utf16_len(&text);
        let mut runs = self
            .block(id)?
            .text
            .as_ref()
            .map(|t| t.runs.clone())
            .unwrap_or_default();
        // Text written through `text/text` directly: the runs follow it.
        if runs.last().map_or(0, |r| r.end) != len {
            let base = self.base_run(id)?;
            runs = vec![TextRun {
                start: 0,
                end: len,
                ..base
            }];
        }
        if runs.is_empty() {
            runs.push(self.base_run(id)?);
        }
        Ok(runs)
    }

    /// Changes the style of a UTF-16 range (`None`: all of the text) with `change`.
    pub fn style_text(
        &mut self,
        id: BlockId,
        range: Option<(u32, u32)>,
        change: impl Fn(&mut TextRun),
    ) -> Result<()> {
        let (start, end) = self.text_range(id, range)?;
        let mut runs = self.text_runs(id)?;
        split_at(&mut runs, start);
        split_at(&mut runs, end);
        for r in &mut runs {
            if (r.start >= start && r.end <= end && r.start < r.end)
                || (start == end && r.start == r.end)
                || range.is_none()
            {
                change(r);
            }
        }
        merge(&mut runs);
        self.text_data_mut(id)?.runs = runs;
        self.touched(id);
        Ok(())
    }

    /// The block's typeface (`None`: the engine's default).
    pub fn typeface(&self, id: BlockId) -> Result<Option<Typeface>> {
        Ok(self
            .text_block(id)?
            .text
            .as_ref()
            .and_then(|t| t.typeface.clone()))
    }

    /// Sets the block's font file and typeface.
    pub fn set_font(&mut self, id: BlockId, font_uri: &str, typeface: Typeface) -> Result<()> {
        self.text_block(id)?;
        self.set_string(id, keys::TEXT_FONT_FILE_URI, font_uri)?;
        self.set_string(id, keys::TEXT_TYPEFACE, &typeface.name)?;
        self.text_data_mut(id)?.typeface = Some(typeface);
        self.touched(id);
        Ok(())
    }

    /// A new scene DPI changes what a point is; text keeps its size in pixels (as the
    /// reference engine does), so every size in points is scaled by old / new DPI.
    pub(crate) fn keep_text_pixel_sizes(&mut self, factor: f32) -> Result<()> {
        if factor == 1.0 || !factor.is_finite() {
            return Ok(());
        }
        let scale = |v: f32| (v * factor).clamp(1e-3, 10_000.0);
        for id in self.find_by_type("text")? {
            let size = self.get_float(id, keys::TEXT_FONT_SIZE)?;
            self.set_float(id, keys::TEXT_FONT_SIZE, scale(size))?;
            if self
                .block(id)?
                .text
                .as_ref()
                .is_some_and(|t| !t.runs.is_empty())
            {
                self.style_text(id, None, |r| r.font_size = scale(r.font_size))?;
            }
        }
        Ok(())
    }

    /// Records what the facade measured; layout uses it for Auto sizes.
    pub fn set_text_measure(&mut self, id: BlockId, measure: TextMeasure) -> Result<()> {
        let data = self.text_data_mut(id)?;
        if data.measure != Some(measure) {
            data.measure = Some(measure);
            self.layout_dirty = true;
        }
        Ok(())
    }

    /// What the facade last measured.
    pub fn text_measure(&self, id: BlockId) -> Result<Option<TextMeasure>> {
        Ok(self.text_block(id)?.text.as_ref().and_then(|t| t.measure))
    }
}
