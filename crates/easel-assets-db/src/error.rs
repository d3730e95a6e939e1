use easel_assets::Error as AssetError;

/// Everything that can go wrong opening or using a durable store. Each variant names the
/// database (its path, or its URL without the password).
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The file exists but is not a database (or is damaged beyond recognition).
    #[error("{path} is not an Easel asset database: {message}")]
    NotADatabase {
        /// The file.
        path: String,
        /// What SQLite said.
        message: String,
    },
    /// The database was written by a newer Easel.
    #[error("{location} has schema version {found}; this build reads version {supported}")]
    UnknownSchemaVersion {
        /// The database.
        location: String,
        /// The version it has.
        found: u32,
        /// The version this build reads and writes.
        supported: u32,
    },
    /// The database is damaged, or its change log and tables disagree: opening it would
    /// mean guessing, so it is refused.
    #[error("{location} is inconsistent: {message}")]
    Inconsistent {
        /// The database.
        location: String,
        /// What disagrees.
        message: String,
    },
    /// The database or its directory cannot be written.
    #[error("{location} cannot be written: {message}")]
    ReadOnly {
        /// The database.
        location: String,
        /// Why.
        message: String,
    },
    /// The database cannot be reached or opened.
    #[error("cannot open {location}: {message}")]
    Unavailable {
        /// The database.
        location: String,
        /// Why.
        message: String,
    },
    /// The options cannot work (a schema name that is not a plain identifier, ...).
    #[error("cannot open {location}: {message}")]
    InvalidOptions {
        /// The database.
        location: String,
        /// Which option, and why.
        message: String,
    },
    /// From the store itself (loading the stored sources into memory).
    #[error(transparent)]
    Assets(#[from] AssetError),
}

/// Result with this crate's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
