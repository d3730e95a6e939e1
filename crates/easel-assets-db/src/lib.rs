//! Durable, shared asset sources: the change log of an [`easel_assets::AssetStore`] kept in
//! a database, so sources survive restarts, several processes share them, and every change
//! is on record (who, when, which revisions, what definition).
//!
//! - [`open_sqlite`]: an embedded SQLite file (always built; bundled SQLite, WAL mode,
//!   `synchronous=FULL`). Several processes on one machine may open the same file.
//! - `open_postgres` (feature `postgres`): a PostgreSQL server, for several machines; other
//!   processes hear of changes through `LISTEN/NOTIFY`.
//!
//! The database holds the truth — sources with their options, assets in insertion order
//! with their revisions, the change log — and each store keeps its in-memory indexes as the
//! query engine, loaded at open and caught up from the log. This crate is *not* a query
//! engine and keeps no indexes of its own.
//!
//! ```
//! # let dir = tempfile::tempdir()?;
//! use easel_assets::{AssetDefinition, LocalSourceOptions};
//!
//! let store = easel_assets_db::open_sqlite(dir.path().join("assets.db"), "worker-1")?;
//! store.add_local_source("uploads", LocalSourceOptions::default())?;
//! store.add_asset_to_source("uploads", AssetDefinition::new("a").with_label("en", "Sample"))?;
//! drop(store);
//! // A restart finds everything, and the log says who did it.
//! let store = easel_assets_db::open_sqlite(dir.path().join("assets.db"), "worker-2")?;
//! assert_eq!(store.asset_count("uploads")?, Some(1));
//! assert_eq!(store.changes(0, 10)?[1].actor, "worker-1");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod codec;
mod error;
mod plan;
#[cfg(feature = "postgres")]
mod postgres;
mod sqlite;

pub use error::{Error, Result};
#[cfg(feature = "postgres")]
pub use postgres::{
    PostgresLog, PostgresOptions, SCHEMA_VERSION as POSTGRES_SCHEMA_VERSION, open_postgres,
    open_postgres_with,
};
pub use sqlite::{
    SCHEMA_VERSION as SQLITE_SCHEMA_VERSION, SqliteLog, SqliteOptions, open_sqlite,
    open_sqlite_with,
};

/// Opens the store a command line names: `memory` (in-memory, not durable), `sqlite:PATH`,
/// or a `postgres://` / `postgresql://` URL (feature `postgres`). Its changes are attributed
/// to `actor`. The one parser behind every `--store` flag.
///
/// ```
/// # let dir = tempfile::tempdir()?;
/// let path = dir.path().join("assets.db");
/// let store = easel_assets_db::open_store(&format!("sqlite:{}", path.display()), "cli")?;
/// assert!(store.is_durable());
/// assert!(!easel_assets_db::open_store("memory", "cli")?.is_durable());
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
pub fn open_store(spec: &str, actor: &str) -> Result<easel_assets::AssetStore> {
    if spec == "memory" {
        return Ok(easel_assets::AssetStore::new());
    }
    if let Some(path) = spec.strip_prefix("sqlite:") {
        return open_sqlite(path, actor);
    }
    if spec.starts_with("postgres://") || spec.starts_with("postgresql://") {
        #[cfg(feature = "postgres")]
        return open_postgres(spec, actor);
        #[cfg(not(feature = "postgres"))]
        return Err(Error::InvalidOptions {
            location: "postgres".into(),
            message: "this build has no PostgreSQL backend (enable the `postgres` feature)".into(),
        });
    }
    Err(Error::InvalidOptions {
        location: spec.to_string(),
        message: "a store is `memory`, `sqlite:PATH` or a `postgres://` URL".into(),
    })
}

/// A mutex's guard, also after a thread panicked holding it (the data are rows to write
/// or a connection, never half-updated state).
pub(crate) fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}
