/// Everything that can go wrong in the asset store. Each variant names the offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No source has this id.
    #[error("asset source `{id}` does not exist")]
    SourceNotFound {
        /// The source id.
        id: String,
    },
    /// A source with this id already exists.
    #[error("asset source `{id}` already exists")]
    DuplicateSource {
        /// The source id.
        id: String,
    },
    /// The source has no asset with this id.
    #[error("asset `{asset}` does not exist in source `{source_id}`")]
    AssetNotFound {
        /// The source id.
        source_id: String,
        /// The asset id.
        asset: String,
    },
    /// The source already has an asset with this id.
    #[error("asset `{asset}` already exists in source `{source_id}`")]
    DuplicateAsset {
        /// The source id.
        source_id: String,
        /// The asset id.
        asset: String,
    },
    /// The asset's `meta.mimeType` is not among the source's supported MIME types.
    #[error("asset `{asset}` has MIME type `{mime_type}`, which source `{source_id}` does not accept (supported: {})", supported.join(", "))]
    UnsupportedMimeType {
        /// The source id.
        source_id: String,
        /// The asset id.
        asset: String,
        /// The rejected MIME type.
        mime_type: String,
        /// What the source accepts.
        supported: Vec<String>,
    },
    /// The source does not let assets be added or removed.
    #[error("asset source `{id}` cannot {action} assets")]
    NotManageable {
        /// The source id.
        id: String,
        /// `add`, `remove`, `update` or `fetch`.
        action: String,
    },
    /// A query field is out of range (negative page, zero or huge page size, …).
    #[error("invalid query: `{field}` = {value}: {reason}")]
    InvalidQuery {
        /// The query field.
        field: String,
        /// Its value, printed.
        value: String,
        /// Why it is rejected.
        reason: String,
    },
    /// A filter predicate is malformed.
    #[error("invalid filter: {0}")]
    InvalidFilter(String),
    /// An asset definition is malformed (e.g. an empty id).
    #[error("invalid asset definition: {0}")]
    InvalidAsset(String),
    /// Content JSON could not be read.
    #[error("invalid asset content JSON{}: {message}", path.as_ref().map(|p| format!(" in {p}")).unwrap_or_default())]
    InvalidContent {
        /// The file, when read from a file.
        path: Option<String>,
        /// What is wrong.
        message: String,
    },
    /// Reading or writing a content file failed.
    #[error("cannot access {path}: {message}")]
    Io {
        /// The file.
        path: String,
        /// The OS error.
        message: String,
    },
    /// A conditional write found the asset at another revision (someone else changed or
    /// removed it first).
    #[error("asset `{asset}` in source `{source_id}` is at revision {}, not {expected}", actual.map_or("none (removed)".to_string(), |r| r.to_string()))]
    Conflict {
        /// The source id.
        source_id: String,
        /// The asset id.
        asset: String,
        /// The revision the caller expected.
        expected: u64,
        /// The asset's revision now; `None` when it no longer exists.
        actual: Option<u64>,
    },
    /// The durable store behind the sources failed (the database is unreachable, read-only,
    /// corrupt, …); nothing was changed.
    #[error("asset store {location}: {message}")]
    Storage {
        /// The database path or URL.
        location: String,
        /// What went wrong.
        message: String,
    },
    /// Another process held the database's lock past the retry limit.
    #[error("asset store {location} is busy: another process held its lock for {waited_ms} ms")]
    Busy {
        /// The database path or URL.
        location: String,
        /// How long this call waited.
        waited_ms: u64,
    },
    /// Changes before `oldest` are no longer kept (a bounded log moved past them).
    #[error("changes after {since} are no longer all kept: the oldest kept is {oldest}")]
    ChangesGone {
        /// The seq asked after.
        since: u64,
        /// The oldest seq still kept.
        oldest: u64,
    },
    /// A custom source reported an error.
    #[error("asset source `{id}` failed: {message}")]
    Source {
        /// The source id.
        id: String,
        /// Its message.
        message: String,
    },
}

/// Result with the asset store's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
