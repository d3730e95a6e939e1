//! Paragraph layout: parley shapes, breaks and orders the text; lines are then stacked the
//! way the reference engine stacks them.

use crate::fonts::{FontId, FontLibrary};
use crate::{Error, Result};
use parley::{
    Alignment, AlignmentOptions, FontFamily, FontFamilyName, OverflowWrap, PositionedLayoutItem,
    StyleProperty,
};
use std::borrow::Cow;
use std::ops::Range;

/// The longest text one layout accepts, in bytes. Layout work grows with the text; past this
/// a block's text is refused with [`Error::TextTooLong`] instead of stalling a server.
pub const MAX_TEXT_BYTES: usize = 1 << 20;

/// The largest font size accepted, in pixels.
pub const MAX_FONT_SIZE: f32 = 100_000.0;

/// How a span of the text is drawn.
#[derive(Clone, Debug, PartialEq)]
pub struct RunStyle {
    /// The bytes of the text it covers.
    pub range: Range<usize>,
    /// The font that draws it (fallback fonts fill in what it lacks).
    pub font: FontId,
    /// The font size in pixels.
    pub size: f32,
    /// The caller's paint for it, handed back on each glyph.
    pub brush: u32,
}

/// Horizontal placement of lines inside the layout width.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Align {
    /// Left for a paragraph that starts left-to-right, right otherwise.
    #[default]
    Auto,
    /// Against the left edge.
    Left,
    /// Centred.
    Center,
    /// Against the right edge.
    Right,
}

/// Settings of the whole text.
#[derive(Clone, Debug, PartialEq)]
pub struct ParagraphStyle {
    /// Scales the distance between baselines (1 = the fonts' ascent + descent); the first
    /// line keeps its natural height.
    pub line_height: f32,
    /// Extra space between characters, in em of each run's size.
    pub letter_spacing: f32,
    /// Extra space after a paragraph break, as a fraction of the line's height.
    pub paragraph_spacing: f32,
    /// Horizontal alignment.
    pub align: Align,
    /// Wrap width; `None` lays every paragraph out on one line.
    pub width: Option<f32>,
    /// Fonts tried, in order, for characters a run's font lacks.
    pub fallback: Vec<FontId>,
}

impl Default for ParagraphStyle {
    fn default() -> Self {
        ParagraphStyle {
            line_height: 1.0,
            letter_spacing: 0.0,
            paragraph_spacing: 0.0,
            align: Align::Auto,
            width: None,
            fallback: Vec::new(),
        }
    }
}

/// One glyph placed by a layout.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PlacedGlyph {
    /// The font that draws it.
    pub font: FontId,
    /// Its glyph id in that font (0 is `.notdef`: no font had the character).
    pub glyph: u32,
    /// Pen position, left.
    pub x: f32,
    /// Baseline.
    pub y: f32,
    /// Font size in pixels.
    pub size: f32,
    /// The run's brush.
    pub brush: u32,
    /// The line it is on.
    pub line: usize,
}

/// One line of a layout. Coordinates are relative to the layout's top left.
#[derive(Clone, Debug, PartialEq)]
pub struct LineBox {
    /// The bytes of the text on the line, its break included.
    pub text: Range<usize>,
    /// The left edge of its content after alignment.
    pub x: f32,
    /// Its content width (trailing spaces and spacing not counted).
    pub width: f32,
    /// Its top.
    pub top: f32,
    /// Its baseline.
    pub baseline: f32,
    /// Its bottom (baseline + descent).
    pub bottom: f32,
    /// Its glyphs in [`TextLayout::glyphs`].
    pub glyphs: Range<usize>,
    /// True when its paragraph runs right to left.
    pub rtl: bool,
}

/// A laid-out text.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct TextLayout {
    /// The widest line, or the wrap width when one was given.
    pub width: f32,
    /// The height of the content (0 for no lines).
    pub height: f32,
    /// The widest line's content width.
    pub content_width: f32,
    /// The lines, top to bottom.
    pub lines: Vec<LineBox>,
    /// Every glyph, line by line.
    pub glyphs: Vec<PlacedGlyph>,
    /// How many glyphs no registered font had (drawn as `.notdef`).
    pub missing_glyphs: usize,
}

impl TextLayout {
    /// True when the first paragraph runs right to left.
    pub fn starts_rtl(&self) -> bool {
        self.lines.first().is_some_and(|l| l.rtl)
    }
}

fn check(name: &'static str, value: f32, ok: bool, reason: &'static str) -> Result<()> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(Error::InvalidSetting {
            name,
            value,
            reason,
        })
    }
}

/// The direction of the first strong character of `text`: true for right to left.
fn starts_rtl(text: &str) -> bool {
    for c in text.chars() {
        let u = c as u32;
        if matches!(u, 0x0590..=0x08FF | 0xFB1D..=0xFDFF | 0xFE70..=0xFEFF | 0x10800..=0x10FFF | 0x1E800..=0x1EFFF)
        {
            return true;
        }
        if c.is_alphabetic() {
            return false;
        }
    }
    false
}

impl FontLibrary {
    /// Lays out `text` drawn in `runs` (spans of it; text outside every run takes the first
    /// run's style). Empty `runs` is an error only for non-empty text.
    ///
    /// ```
    /// use easel_text::{FontLibrary, ParagraphStyle, RunStyle, default_fonts};
    ///
    /// let mut fonts = FontLibrary::new();
    /// let font = fonts.register("noto", default_fonts::REGULAR.to_vec())?;
    /// let text = "Hello Easel";
    /// let run = RunStyle { range: 0..text.len(), font, size: 200.0, brush: 0 };
    /// let style = ParagraphStyle { width: Some(800.0), ..Default::default() };
    /// let layout = fonts.layout(text, &[run], &style)?;
    /// assert_eq!(layout.lines.len(), 2);
    /// assert!((layout.height - 544.8).abs() < 0.01); // 2 × (ascent + descent) × 200 px
    /// # Ok::<(), easel_text::Error>(())
    /// ```
    pub fn layout(
        &mut self,
        text: &str,
        runs: &[RunStyle],
        style: &ParagraphStyle,
    ) -> Result<TextLayout> {
        if text.len() > MAX_TEXT_BYTES {
            return Err(Error::TextTooLong {
                len: text.len(),
                max: MAX_TEXT_BYTES,
            });
        }
        check(
            "line height",
            style.line_height,
            style.line_height >= 0.0,
            "must be ≥ 0",
        )?;
        check(
            "letter spacing",
            style.letter_spacing,
            style.letter_spacing.abs() <= 100.0,
            "must be within ±100 em",
        )?;
        check(
            "paragraph spacing",
            style.paragraph_spacing,
            style.paragraph_spacing >= 0.0,
            "must be ≥ 0",
        )?;
        if let Some(w) = style.width {
            check("width", w, w >= 0.0, "must be ≥ 0")?;
        }
        for r in runs {
            if !(r.size.is_finite() && r.size > 0.0 && r.size <= MAX_FONT_SIZE) {
                return Err(Error::InvalidFontSize {
                    size: r.size,
                    max: MAX_FONT_SIZE,
                });
            }
            if r.range.start > r.range.end
                || !text.is_char_boundary(r.range.start)
                || !text.is_char_boundary(r.range.end)
            {
                return Err(Error::InvalidRange {
                    start: r.range.start,
                    end: r.range.end,
                    len: text.len(),
                });
            }
            self.entry(r.font)?;
        }
        for f in &style.fallback {
            self.entry(*f)?;
        }
        let Some(first) = runs.first() else {
            return Ok(TextLayout::default());
        };
        let family_of = |lib: &FontLibrary, font: FontId| -> FontFamily<'static> {
            let mut names = vec![FontFamilyName::Named(Cow::Owned(
                lib.fonts[font.0 as usize].family.clone(),
            ))];
            for f in &style.fallback {
                if *f != font {
                    names.push(FontFamilyName::Named(Cow::Owned(
                        lib.fonts[f.0 as usize].family.clone(),
                    )));
                }
            }
            FontFamily::List(Cow::Owned(names))
        };
        let families: Vec<FontFamily<'static>> =
            runs.iter().map(|r| family_of(self, r.font)).collect();
        let first_family = family_of(self, first.font);
        let mut builder = self
            .layout
            .ranged_builder(&mut self.context, text, 1.0, false);
        builder.push_default(StyleProperty::OverflowWrap(OverflowWrap::Anywhere));
        builder.push_default(StyleProperty::FontFamily(first_family));
        builder.push_default(StyleProperty::FontSize(first.size));
        builder.push_default(StyleProperty::Brush(first.brush));
        builder.push_default(StyleProperty::LetterSpacing(
            style.letter_spacing * first.size,
        ));
        for (r, family) in runs.iter().zip(families) {
            builder.push(StyleProperty::FontFamily(family), r.range.clone());
            builder.push(StyleProperty::FontSize(r.size), r.range.clone());
            builder.push(StyleProperty::Brush(r.brush), r.range.clone());
            builder.push(
                StyleProperty::LetterSpacing(style.letter_spacing * r.size),
                r.range.clone(),
            );
        }
        let mut layout: parley::Layout<u32> = builder.build(text);
        layout.break_all_lines(style.width);
        layout.align(Alignment::Left, AlignmentOptions::default());

        let mut out = TextLayout::default();
        // (ascent, descent) in px of the last line seen, for lines without glyph runs.
        let first_metrics = self.entry(first.font)?.metrics;
        let mut last_metrics = (
            first_metrics.ascent * first.size,
            first_metrics.descent * first.size,
        );
        let mut prev: Option<(f32, f32, bool)> = None; // (baseline, descent, ended paragraph)
        for line in layout.lines() {
            // parley's ranges may reach one past the text (its end-of-text position).
            let range = line.text_range();
            let range = range.start.min(text.len())..range.end.min(text.len());
            let metrics = line.metrics();
            let glyph_start = out.glyphs.len();
            let mut ascent: f32 = 0.0;
            let mut descent: f32 = 0.0;
            let mut any_run = false;
            let mut spacing_px = 0.0;
            for item in line.items() {
                let PositionedLayoutItem::GlyphRun(run) = item else {
                    continue;
                };
                let size = run.run().font_size();
                let font = run.run().font();
                let Some(&font_id) = self.by_blob.get(&font.data.id()) else {
                    continue;
                };
                let m = self.fonts[font_id.0 as usize].metrics;
                ascent = ascent.max(m.ascent * size);
                descent = descent.max(m.descent * size);
                any_run = true;
                spacing_px = style.letter_spacing * size;
                let brush = run.style().brush;
                for g in run.positioned_glyphs() {
                    if g.id == 0 {
                        out.missing_glyphs += 1;
                    }
                    out.glyphs.push(crate::PlacedGlyph {
                        font: font_id,
                        glyph: g.id,
                        x: g.x,
                        y: 0.0,
                        size,
                        brush,
                        line: out.lines.len(),
                    });
                }
            }
            if any_run {
                last_metrics = (ascent, descent);
            } else {
                (ascent, descent) = last_metrics;
            }
            let ended_paragraph = text[range.clone()].ends_with('\n');
            let baseline = match prev {
                None => ascent,
                Some((b, d, para)) => {
                    let mut step = style.line_height * (d + ascent);
                    if para {
                        step += style.paragraph_spacing * (d + ascent);
                    }
                    b + step
                }
            };
            let visible_glyphs =
                out.glyphs.len() > glyph_start && !text[range.clone()].trim_end().is_empty();
            let mut width = (metrics.advance - metrics.hanging_advance).max(0.0);
            if visible_glyphs {
                width = (width - spacing_px).max(0.0);
            } else {
                width = 0.0;
            }
            let paragraph_start = text[..range.start].rfind('\n').map_or(0, |i| i + 1);
            let rtl = starts_rtl(&text[paragraph_start..]);
            for g in &mut out.glyphs[glyph_start..] {
                g.y = baseline;
            }
            out.lines.push(LineBox {
                text: range,
                x: 0.0,
                width,
                top: baseline - ascent,
                baseline,
                bottom: baseline + descent,
                glyphs: glyph_start..out.glyphs.len(),
                rtl,
            });
            prev = Some((baseline, descent, ended_paragraph));
        }
        // Empty text is one empty line of the first run's font, as a text that ends in a
        // line break has an empty last line (parley's last line holds the break itself).
        if text.is_empty() {
            out.lines.clear();
            out.glyphs.clear();
            let (ascent, descent) = last_metrics;
            out.lines.push(LineBox {
                text: 0..0,
                x: 0.0,
                width: 0.0,
                top: 0.0,
                baseline: ascent,
                bottom: ascent + descent,
                glyphs: 0..0,
                rtl: false,
            });
        } else if text.ends_with('\n')
            && out
                .lines
                .last()
                .is_some_and(|l| l.text.end == text.len() && !l.text.is_empty())
            && let Some((b, d, _)) = prev
        {
            let (ascent, descent) = last_metrics;
            let step = (style.line_height + style.paragraph_spacing) * (d + ascent);
            let baseline = b + step;
            let n = out.glyphs.len();
            out.lines.push(LineBox {
                text: text.len()..text.len(),
                x: 0.0,
                width: 0.0,
                top: baseline - ascent,
                baseline,
                bottom: baseline + descent,
                glyphs: n..n,
                rtl: out.lines.last().is_some_and(|l| l.rtl),
            });
        }
        out.content_width = out.lines.iter().map(|l| l.width).fold(0.0, f32::max);
        out.width = style.width.unwrap_or(out.content_width);
        out.height = out.lines.last().map_or(0.0, |l| l.bottom);
        for line in &mut out.lines {
            let align = match style.align {
                Align::Auto if line.rtl => Align::Right,
                Align::Auto => Align::Left,
                a => a,
            };
            let shift = match align {
                Align::Left | Align::Auto => 0.0,
                Align::Center => (out.width - line.width) / 2.0,
                Align::Right => out.width - line.width,
            };
            // parley placed the line's content from x = 0 and hangs an RTL line's trailing
            // space left of it, at the line's visual left. That space is not part of the
            // width that is aligned, but CE.SDK 1.79 draws the line from it, so the line
            // moves until the space starts where the alignment puts the line (probed: a
            // wrapped Hebrew line ends 9 px further right than the same line ended by a
            // newline, whatever the alignment).
            let first_x = out.glyphs[line.glyphs.clone()].first().map_or(0.0, |g| g.x);
            let lead = if line.rtl { first_x } else { 0.0 };
            line.x = shift + (-lead).max(0.0);
            for g in &mut out.glyphs[line.glyphs.clone()] {
                g.x += shift - lead;
            }
        }
        Ok(out)
    }
}
