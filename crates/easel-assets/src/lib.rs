//! Easel's asset-source store: named sources of assets (images, colours, …) that a server
//! fills, searches, edits and removes, and that tell listeners when they change.
//!
//! [`AssetStore`] holds local sources (managed in memory, with indexes that keep text, tag and
//! sort queries fast on hundreds of thousands of assets) and custom sources implementing
//! [`AssetSource`]. Data types use the reference engine's JSON field names, so its
//! `content.json` files and asset definitions load unchanged; they are compact plain data
//! (text in [`CompactString`], keyed values in [`SmallMap`]), about 1 KB for a typical
//! asset, so a server can hold hundreds of thousands.
//!
//! This crate stands alone: it knows nothing of scenes, blocks or rendering, and does no I/O
//! beyond reading a content file the caller points it at.
//!
//! ```
//! use easel_assets::{AssetStore, AssetDefinition, AssetQuery, LocalSourceOptions};
//!
//! let store = AssetStore::new();
//! store.add_local_source("uploads", LocalSourceOptions::default())?;
//! store.add_asset_to_source("uploads", AssetDefinition::new("asset-1")
//!     .with_label("en", "Sample Image 1")
//!     .with_tags("en", &["sample", "image"]))?;
//! let found = store.find_assets("uploads", &AssetQuery { query: Some("sample".into()), ..Default::default() })?;
//! assert_eq!(found.total, 1);
//! assert_eq!(found.assets[0].label.as_deref(), Some("Sample Image 1"));
//! # Ok::<(), easel_assets::Error>(())
//! ```

mod change;
mod content_json;
mod definition;
mod error;
mod events;
mod local;
pub use local::MAX_INDEXES_PER_KIND;
mod query;
mod small_map;
mod store;
mod text;

pub use change::{
    Change, ChangeKind, ChangeLog, Committed, Snapshot, StoreOp, StoredSource, now_ms,
};
pub use compact_str::CompactString;
pub use content_json::{ContentFile, content_from_str};
pub use definition::{
    AssetContext, AssetDefinition, AssetQueryResult, AssetResult, Credits, FacetValue, License, Utm,
};
pub use error::{Error, Result};
pub use events::{AssetSourceEvent, AssetSourceEventKind, Subscription};
pub use query::{AssetFilter, AssetQuery, MAX_FACETS, MAX_FILTER_DEPTH, SortingOrder};
pub use small_map::SmallMap;
pub use store::{AssetSource, AssetStore, DEFAULT_CHANGE_LOG_CAPACITY, LocalSourceOptions};
pub use text::{fold_case, query_words};
