//! Easel's text engine: fonts registered by URI (never the machine's own fonts), shaping,
//! bidi and line breaking through [`parley`], lines stacked as the reference engine stacks
//! them, and glyph outlines through [`skrifa`] as plain [`easel_geom::Outline`] data:
//! unhinted, or hinted for a size in pixels as the reference engine draws them.
//!
//! It is for turning a text with styled runs into placed glyphs and their outlines. It is
//! *not* a renderer (outlines go into Easel's display list like any other path), and it
//! knows nothing of blocks, points or scene units: sizes are pixels, ranges are bytes.
//!
//! ```
//! use easel_text::{FontLibrary, ParagraphStyle, RunStyle, default_fonts};
//!
//! let mut fonts = FontLibrary::new();
//! let font = fonts.register("noto", default_fonts::REGULAR.to_vec())?;
//! let layout = fonts.layout(
//!     "Hi",
//!     &[RunStyle { range: 0..2, font, size: 50.0, brush: 0 }],
//!     &ParagraphStyle::default(),
//! )?;
//! let glyph = layout.glyphs[0];
//! let outline = fonts.outline(glyph.font, glyph.glyph)?;
//! assert!(!outline.is_empty());
//! # Ok::<(), easel_text::Error>(())
//! ```

mod error;
mod fonts;
mod layout;

pub use error::{Error, Result};
pub use fonts::{FontId, FontLibrary, FontMetrics, MAX_HINTED_PPEM};
pub use layout::{
    Align, LineBox, MAX_FONT_SIZE, MAX_TEXT_BYTES, ParagraphStyle, PlacedGlyph, RunStyle,
    TextLayout,
};

/// The fonts Easel ships so text works out of the box: the Noto Sans family and Noto Sans
/// Arabic and Hebrew as fallbacks (SIL Open Font License 1.1, see [`LICENSE`](Self::LICENSE)).
pub mod default_fonts {
    /// Noto Sans Regular.
    pub const REGULAR: &[u8] = include_bytes!("../fonts/NotoSans-Regular.ttf");
    /// Noto Sans Bold.
    pub const BOLD: &[u8] = include_bytes!("../fonts/NotoSans-Bold.ttf");
    /// Noto Sans Italic.
    pub const ITALIC: &[u8] = include_bytes!("../fonts/NotoSans-Italic.ttf");
    /// Noto Sans Bold Italic.
    pub const BOLD_ITALIC: &[u8] = include_bytes!("../fonts/NotoSans-BoldItalic.ttf");
    /// Noto Sans Arabic Regular.
    pub const ARABIC: &[u8] = include_bytes!("../fonts/NotoSansArabic-Regular.ttf");
    /// Noto Sans Hebrew Regular.
    pub const HEBREW: &[u8] = include_bytes!("../fonts/NotoSansHebrew-Regular.ttf");
    /// The fonts' licence.
    pub const LICENSE: &str = include_str!("../fonts/OFL.txt");
}
