//! The change log: every change to a store's local sources, numbered, timed and attributed,
//! and the log a durable backend keeps (see [`ChangeLog`]).
//!
//! A store applies its changes — its own and, with a shared backend, other processes' — in
//! `seq` order, one at a time; its indexes and its events follow from that order.

use crate::definition::AssetDefinition;
use crate::store::LocalSourceOptions;
use crate::{Error, Result};
use serde::{Deserialize, Serialize};
use std::time::Duration;

/// What a change did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub enum ChangeKind {
    /// A local source was added (with its options).
    SourceAdded,
    /// A source was removed with all its assets.
    SourceRemoved,
    /// An asset was added (with its definition).
    AssetAdded,
    /// An asset was replaced (with its new definition).
    AssetUpdated,
    /// An asset was removed.
    AssetRemoved,
    /// Someone said the source's contents changed (`asset_source_contents_changed`).
    ContentsChanged,
}

/// One change, as the log records it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// Position in the log: 1, 2, 3, … in commit order.
    pub seq: u64,
    /// The `seq` of the first change of the same commit (a batch is one commit).
    pub commit: u64,
    /// When it was committed, in milliseconds since the Unix epoch.
    pub timestamp_ms: u64,
    /// Who made it: the store handle's actor label (see [`crate::AssetStore::with_actor`]).
    pub actor: String,
    /// What it did.
    pub kind: ChangeKind,
    /// The source.
    pub source: String,
    /// The asset, for asset changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub asset: Option<String>,
    /// The asset's revision before (updates and removals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_before: Option<u64>,
    /// The asset's revision after (adds and updates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revision_after: Option<u64>,
    /// The new definition (adds and updates).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<AssetDefinition>,
    /// The source's options (source added).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub options: Option<LocalSourceOptions>,
}

impl Change {
    /// A change with its kind and source, everything else empty (filled in by the caller).
    pub fn new(kind: ChangeKind, source: &str) -> Change {
        Change {
            seq: 0,
            commit: 0,
            timestamp_ms: 0,
            actor: String::new(),
            kind,
            source: source.to_string(),
            asset: None,
            revision_before: None,
            revision_after: None,
            definition: None,
            options: None,
        }
    }
}

/// A change a store asks its log to commit, all or nothing.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub enum StoreOp {
    /// Add a local source, with its first assets (none to many), as one commit.
    AddSource {
        /// The source id (new).
        id: String,
        /// Its options.
        options: LocalSourceOptions,
        /// Its first assets (valid, with distinct ids).
        assets: Vec<AssetDefinition>,
    },
    /// Remove a source and its assets.
    RemoveSource {
        /// The source id.
        id: String,
    },
    /// Add assets at the end of a source (ids new to it and distinct).
    AddAssets {
        /// The source.
        source: String,
        /// The assets.
        assets: Vec<AssetDefinition>,
    },
    /// Replace an asset; with `expected`, only if it is still at that revision.
    UpdateAsset {
        /// The source.
        source: String,
        /// The new definition (its id names the asset).
        asset: AssetDefinition,
        /// The revision the caller last saw.
        expected: Option<u64>,
    },
    /// Remove an asset; with `expected`, only if it is still at that revision.
    RemoveAsset {
        /// The source.
        source: String,
        /// The asset id.
        asset: String,
        /// The revision the caller last saw.
        expected: Option<u64>,
    },
    /// Record that a source's contents changed.
    ContentsChanged {
        /// The source.
        source: String,
    },
    /// Replace all of a source's assets: each old one removed, then the new ones added
    /// (valid, with distinct ids), as one commit.
    ReplaceAssets {
        /// The source.
        source: String,
        /// The new assets.
        assets: Vec<AssetDefinition>,
    },
}

/// A local source as a log stores it.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StoredSource {
    /// The source id.
    pub id: String,
    /// Its options.
    pub options: LocalSourceOptions,
    /// Its assets in insertion order, with their revisions.
    pub assets: Vec<(AssetDefinition, u64)>,
}

/// Everything a log holds, as of change `seq`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Snapshot {
    /// The sources in the order they were added.
    pub sources: Vec<StoredSource>,
    /// The last change the sources include.
    pub seq: u64,
}

/// What a log reports of a commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Committed {
    /// The seq of the commit's first change; the others follow without gaps.
    pub first_seq: u64,
    /// When it was committed, in milliseconds since the Unix epoch (on every change).
    pub timestamp_ms: u64,
}

/// A durable home for a store's local sources: a database that holds the truth (sources,
/// assets in order, revisions, the change log) and that several processes may share. The
/// store keeps its in-memory indexes as the query engine and catches up from the log.
///
/// Implemented by the backends of `easel-assets-db` (SQLite, PostgreSQL).
pub trait ChangeLog: Send + Sync {
    /// Where the log lives (a path or a URL without credentials), for messages.
    fn location(&self) -> String;
    /// Commits `op` atomically, checked against the stored state (a duplicate id, a missing
    /// source or asset, a revision that moved on are errors, and nothing is written), with
    /// `actor` recorded on every change. Durable when it returns. The changes are numbered
    /// from [`Committed::first_seq`] in the order the store itself plans them (a source
    /// before its assets, a batch's assets in order), so the store applies them from `op`
    /// without reading them back.
    fn commit(&self, op: &StoreOp, actor: &str) -> Result<Committed>;
    /// The changes after `since`, in `seq` order, at most `limit`.
    fn changes(&self, since: u64, limit: usize) -> Result<Vec<Change>>;
    /// Every recorded change of one asset, oldest first.
    fn changes_for_asset(&self, source: &str, asset: &str) -> Result<Vec<Change>>;
    /// The stored state.
    fn snapshot(&self) -> Result<Snapshot>;
    /// Waits until the log may hold changes after `since` (another process committed), or
    /// `timeout` passes. May return early; the caller reads `changes` either way.
    fn wait(&self, since: u64, timeout: Duration);
}

/// Milliseconds since the Unix epoch, now.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The error for a change that no longer exists in a bounded log.
pub(crate) fn gone(since: u64, oldest: u64) -> Error {
    Error::ChangesGone { since, oldest }
}
