//! The text crate's errors.

/// What can go wrong registering fonts or laying out text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The bytes registered under a URI are not a font this crate can read.
    #[error("font {uri} cannot be read: {reason}")]
    InvalidFont {
        /// The URI the bytes were registered under.
        uri: String,
        /// Why (truncated, not a font, no outlines).
        reason: String,
    },
    /// A font id that this library did not hand out.
    #[error("font #{0} is not registered in this font library")]
    UnknownFont(u32),
    /// A font size that is not a finite number within the accepted range.
    #[error("font size {size} px is not within (0, {max}]")]
    InvalidFontSize {
        /// The size asked for.
        size: f32,
        /// The largest accepted size.
        max: f32,
    },
    /// A paragraph setting that is not a finite number in its range.
    #[error("{name} {value} is not valid: {reason}")]
    InvalidSetting {
        /// The setting (`line height`, `letter spacing`, `paragraph spacing`, `width`).
        name: &'static str,
        /// Its value.
        value: f32,
        /// The range it must be in.
        reason: &'static str,
    },
    /// A style run whose range is not on character boundaries of the text, or past its end.
    #[error("style run {start}..{end} does not lie on character boundaries of a {len}-byte text")]
    InvalidRange {
        /// Start byte.
        start: usize,
        /// End byte.
        end: usize,
        /// Length of the text in bytes.
        len: usize,
    },
    /// Text longer than [`crate::MAX_TEXT_BYTES`]: layout work is bounded by refusing it.
    #[error("text of {len} bytes exceeds the {max}-byte limit of one text block")]
    TextTooLong {
        /// Its length in bytes.
        len: usize,
        /// The limit.
        max: usize,
    },
}

/// `Result` with this crate's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
