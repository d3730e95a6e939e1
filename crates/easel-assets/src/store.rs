//! The store of asset sources.

use crate::definition::{AssetDefinition, AssetQueryResult, AssetResult, Credits, License};
use crate::events::{self, AssetSourceEvent, AssetSourceEventKind, SharedListeners, Subscription};
use crate::local::LocalSource;
use crate::query::AssetQuery;
use crate::{Error, Result};
use crossbeam_channel::Receiver;
use indexmap::IndexMap;
use std::sync::{Arc, RwLock, RwLockReadGuard, RwLockWriteGuard};

/// Options of a local source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LocalSourceOptions {
    /// MIME types accepted (`image/png`, `image/*`); empty accepts all.
    pub supported_mime_types: Vec<String>,
    /// Credits shown with every asset.
    pub credits: Option<Credits>,
    /// License shown with every asset.
    pub license: Option<License>,
}

/// A source whose assets live elsewhere (a stock-photo API, a database, …).
///
/// Only `id` and `find_assets` are required; the rest have defaults that describe a
/// read-only source with no groups, credits or license.
pub trait AssetSource: Send + Sync {
    /// The source's id.
    fn id(&self) -> &str;
    /// Answers a query. The store does no filtering of its own for custom sources.
    fn find_assets(&self, query: &AssetQuery) -> Result<AssetQueryResult>;
    /// Fetches one asset by id; the default says the source cannot fetch.
    fn fetch_asset(&self, asset_id: &str, _locale: Option<&str>) -> Result<Option<AssetResult>> {
        let _ = asset_id;
        Err(Error::NotManageable {
            id: self.id().to_string(),
            action: "fetch".into(),
        })
    }
    /// The groups the source offers.
    fn groups(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    /// The source's credits.
    fn credits(&self) -> Option<Credits> {
        None
    }
    /// The source's license.
    fn license(&self) -> Option<License> {
        None
    }
    /// MIME types the source serves; empty means any.
    fn supported_mime_types(&self) -> Vec<String> {
        Vec::new()
    }
    /// Whether `add_asset`/`remove_asset` work.
    fn can_manage_assets(&self) -> bool {
        false
    }
    /// Adds an asset; the default refuses.
    fn add_asset(&self, asset: AssetDefinition) -> Result<()> {
        let _ = asset;
        Err(Error::NotManageable {
            id: self.id().to_string(),
            action: "add".into(),
        })
    }
    /// Removes an asset; the default refuses.
    fn remove_asset(&self, asset_id: &str) -> Result<()> {
        let _ = asset_id;
        Err(Error::NotManageable {
            id: self.id().to_string(),
            action: "remove".into(),
        })
    }
}

#[derive(Clone)]
enum Source {
    Local(Arc<RwLock<LocalSource>>),
    Custom(Arc<dyn AssetSource>),
}

/// Named asset sources with search and events. `Send + Sync`: share it (or a clone, which
/// shares the same sources) across threads.
///
/// Event order: callbacks run synchronously after the change, in the order of the changes
/// made by one thread; changes from several threads at once are each reported once.
#[derive(Clone, Default)]
pub struct AssetStore {
    sources: Arc<RwLock<IndexMap<String, Source>>>,
    listeners: SharedListeners,
}

impl std::fmt::Debug for AssetStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssetStore")
            .field("sources", &self.find_all_sources())
            .finish()
    }
}

fn read(source: &RwLock<LocalSource>) -> RwLockReadGuard<'_, LocalSource> {
    // Local sources are never left half-changed by a panic (all checks run first).
    source.read().unwrap_or_else(|p| p.into_inner())
}

fn write(source: &RwLock<LocalSource>) -> RwLockWriteGuard<'_, LocalSource> {
    source.write().unwrap_or_else(|p| p.into_inner())
}

impl AssetStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    fn source(&self, id: &str) -> Result<Source> {
        self.sources
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .get(id)
            .cloned()
            .ok_or_else(|| Error::SourceNotFound { id: id.to_string() })
    }

    fn insert(&self, id: &str, source: Source) -> Result<()> {
        {
            let mut sources = self.sources.write().unwrap_or_else(|p| p.into_inner());
            if sources.contains_key(id) {
                return Err(Error::DuplicateSource { id: id.to_string() });
            }
            sources.insert(id.to_string(), source);
        }
        self.emit(AssetSourceEventKind::Added, id);
        Ok(())
    }

    fn emit(&self, kind: AssetSourceEventKind, id: &str) {
        events::emit(&self.listeners, kind, id);
    }

    /// Adds an empty local source.
    pub fn add_local_source(&self, id: &str, options: LocalSourceOptions) -> Result<()> {
        self.insert(
            id,
            Source::Local(Arc::new(RwLock::new(LocalSource::new(id, options)))),
        )
    }

    /// Adds a local source filled with `assets` in one step (one Added event). Fails without
    /// change if any asset is rejected.
    pub fn add_local_source_with_assets(
        &self,
        id: &str,
        options: LocalSourceOptions,
        assets: Vec<AssetDefinition>,
    ) -> Result<()> {
        let mut local = LocalSource::new(id, options);
        for a in assets {
            local.add(a)?;
        }
        self.insert(id, Source::Local(Arc::new(RwLock::new(local))))
    }

    /// Adds a custom source under its own id.
    pub fn add_source(&self, source: Box<dyn AssetSource>) -> Result<()> {
        let id = source.id().to_string();
        self.insert(&id, Source::Custom(Arc::from(source)))
    }

    /// Removes a source and all its assets.
    pub fn remove_source(&self, id: &str) -> Result<()> {
        let removed = self
            .sources
            .write()
            .unwrap_or_else(|p| p.into_inner())
            .shift_remove(id);
        removed.ok_or_else(|| Error::SourceNotFound { id: id.to_string() })?;
        self.emit(AssetSourceEventKind::Removed, id);
        Ok(())
    }

    /// The ids of all sources, sorted.
    pub fn find_all_sources(&self) -> Vec<String> {
        let mut ids: Vec<String> = self
            .sources
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .keys()
            .cloned()
            .collect();
        ids.sort();
        ids
    }

    /// True when a source with this id exists.
    pub fn has_source(&self, id: &str) -> bool {
        self.source(id).is_ok()
    }

    /// Searches one source.
    pub fn find_assets(&self, source: &str, query: &AssetQuery) -> Result<AssetQueryResult> {
        match self.source(source)? {
            Source::Local(l) => {
                // Queries share the source; one that finds an index out of date (after
                // changes) brings it up to date under the exclusive lock first.
                {
                    let source = read(&l);
                    if source.is_prepared(query) {
                        return source.find(query);
                    }
                }
                let mut source = write(&l);
                source.prepare(query);
                source.find(query)
            }
            Source::Custom(c) => c.find_assets(query),
        }
    }

    /// Fetches one asset by id, label and tags resolved for `locale`. `Ok(None)` when the
    /// source has no such asset.
    pub fn fetch_asset(
        &self,
        source: &str,
        asset_id: &str,
        locale: Option<&str>,
    ) -> Result<Option<AssetResult>> {
        match self.source(source)? {
            Source::Local(l) => {
                let l = read(&l);
                Ok(l.get(asset_id).map(|d| l.result(d, locale)))
            }
            Source::Custom(c) => c.fetch_asset(asset_id, locale),
        }
    }

    /// The groups of a source (for local sources: every group used, in first-use order).
    pub fn groups(&self, source: &str) -> Result<Vec<String>> {
        match self.source(source)? {
            Source::Local(l) => Ok(read(&l).groups()),
            Source::Custom(c) => c.groups(),
        }
    }

    /// The MIME types a source accepts; empty means any.
    pub fn supported_mime_types(&self, source: &str) -> Result<Vec<String>> {
        match self.source(source)? {
            Source::Local(l) => Ok(read(&l).options.supported_mime_types.clone()),
            Source::Custom(c) => Ok(c.supported_mime_types()),
        }
    }

    /// A source's credits.
    pub fn credits(&self, source: &str) -> Result<Option<Credits>> {
        match self.source(source)? {
            Source::Local(l) => Ok(read(&l).options.credits.clone()),
            Source::Custom(c) => Ok(c.credits()),
        }
    }

    /// A source's license.
    pub fn license(&self, source: &str) -> Result<Option<License>> {
        match self.source(source)? {
            Source::Local(l) => Ok(read(&l).options.license.clone()),
            Source::Custom(c) => Ok(c.license()),
        }
    }

    /// True for local sources (and custom sources that say so); false for unknown ids.
    pub fn can_manage_assets(&self, source: &str) -> bool {
        match self.source(source) {
            Ok(Source::Local(_)) => true,
            Ok(Source::Custom(c)) => c.can_manage_assets(),
            Err(_) => false,
        }
    }

    /// How many assets a local source holds (`None` for custom sources).
    pub fn asset_count(&self, source: &str) -> Result<Option<usize>> {
        match self.source(source)? {
            Source::Local(l) => Ok(Some(read(&l).len())),
            Source::Custom(_) => Ok(None),
        }
    }

    /// Adds an asset at the end of a source. A duplicate id, an empty id or an unsupported
    /// MIME type is an error and changes nothing.
    pub fn add_asset_to_source(&self, source: &str, asset: AssetDefinition) -> Result<()> {
        match self.source(source)? {
            Source::Local(l) => write(&l).add(asset)?,
            Source::Custom(c) => c.add_asset(asset)?,
        }
        self.emit(AssetSourceEventKind::Updated, source);
        Ok(())
    }

    /// Adds many assets with one Updated event; stops at the first rejected asset and
    /// returns how many were added before it together with the error.
    pub fn add_assets_to_source(
        &self,
        source: &str,
        assets: impl IntoIterator<Item = AssetDefinition>,
    ) -> std::result::Result<usize, (usize, Error)> {
        let mut added = 0;
        let result = match self.source(source) {
            Err(e) => Err(e),
            Ok(Source::Local(l)) => {
                let mut l = write(&l);
                assets.into_iter().try_for_each(|a| {
                    l.add(a)?;
                    added += 1;
                    Ok(())
                })
            }
            Ok(Source::Custom(c)) => assets.into_iter().try_for_each(|a| {
                c.add_asset(a)?;
                added += 1;
                Ok(())
            }),
        };
        if added > 0 {
            self.emit(AssetSourceEventKind::Updated, source);
        }
        result.map(|_| added).map_err(|e| (added, e))
    }

    /// Removes an asset; an unknown asset is [`Error::AssetNotFound`].
    pub fn remove_asset_from_source(&self, source: &str, asset_id: &str) -> Result<()> {
        match self.source(source)? {
            Source::Local(l) => {
                // Dropped after the lock is released: freeing it holds up no one.
                let removed = write(&l).remove(asset_id)?;
                drop(removed);
            }
            Source::Custom(c) => c.remove_asset(asset_id)?,
        }
        self.emit(AssetSourceEventKind::Updated, source);
        Ok(())
    }

    /// Replaces an existing asset atomically, keeping its position in insertion order.
    pub fn update_asset(&self, source: &str, asset: AssetDefinition) -> Result<()> {
        match self.source(source)? {
            Source::Local(l) => write(&l).update(asset)?,
            Source::Custom(_) => {
                return Err(Error::NotManageable {
                    id: source.to_string(),
                    action: "update".into(),
                });
            }
        }
        self.emit(AssetSourceEventKind::Updated, source);
        Ok(())
    }

    /// Tells listeners that a source's contents changed (an Updated event).
    pub fn asset_source_contents_changed(&self, source: &str) -> Result<()> {
        self.source(source)?;
        self.emit(AssetSourceEventKind::Updated, source);
        Ok(())
    }

    /// The definitions of a local source, in insertion order.
    pub fn definitions(&self, source: &str) -> Result<Vec<AssetDefinition>> {
        match self.source(source)? {
            Source::Local(l) => Ok(read(&l).definitions().cloned().collect()),
            Source::Custom(_) => Err(Error::NotManageable {
                id: source.to_string(),
                action: "list".into(),
            }),
        }
    }

    /// Calls `callback(source_id)` after every source is added.
    pub fn on_asset_source_added(
        &self,
        callback: impl Fn(&str) + Send + Sync + 'static,
    ) -> Subscription {
        events::add_callback(
            &self.listeners,
            AssetSourceEventKind::Added,
            Arc::new(callback),
        )
    }

    /// Calls `callback(source_id)` after every source is removed.
    pub fn on_asset_source_removed(
        &self,
        callback: impl Fn(&str) + Send + Sync + 'static,
    ) -> Subscription {
        events::add_callback(
            &self.listeners,
            AssetSourceEventKind::Removed,
            Arc::new(callback),
        )
    }

    /// Calls `callback(source_id)` after a source's contents change.
    pub fn on_asset_source_updated(
        &self,
        callback: impl Fn(&str) + Send + Sync + 'static,
    ) -> Subscription {
        events::add_callback(
            &self.listeners,
            AssetSourceEventKind::Updated,
            Arc::new(callback),
        )
    }

    /// Every source event, on a channel; dropping the receiver ends it.
    pub fn subscribe(&self) -> Receiver<AssetSourceEvent> {
        events::add_channel(&self.listeners)
    }
}
