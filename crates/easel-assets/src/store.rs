//! The store of asset sources.

use crate::change::{Change, ChangeKind, ChangeLog, Snapshot, StoreOp, StoredSource};
use crate::definition::{AssetDefinition, AssetQueryResult, AssetResult, Credits, License};
use crate::events::{
    self, AssetSourceEvent, AssetSourceEventKind, Pending, SharedListeners, Subscription,
};
use crate::local::LocalSource;
use crate::query::AssetQuery;
use crate::{Error, Result};
use crossbeam_channel::Receiver;
use indexmap::IndexMap;
use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard, Weak};
use std::time::Duration;

/// Options of a local source.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(default, rename_all = "camelCase")]
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

/// A sensible number of changes for an in-memory store to keep for [`AssetStore::changes`]
/// and [`AssetStore::subscribe_from`] (`AssetStore::in_memory(DEFAULT_CHANGE_LOG_CAPACITY)`).
pub const DEFAULT_CHANGE_LOG_CAPACITY: usize = 10_000;

/// Changes read from a durable log per round of catching up.
const CATCH_UP_BATCH: usize = 10_000;

/// How often a store with a durable log looks for other processes' changes (the log's
/// `wait` may return sooner).
const FOLLOW_INTERVAL: Duration = Duration::from_millis(50);

/// Where the store stands in the change log.
struct Journal {
    /// The last change applied to the in-memory sources.
    applied: u64,
    /// The newest changes (in-memory stores only), oldest first.
    ring: VecDeque<Change>,
}

struct Inner {
    sources: RwLock<IndexMap<String, Source>>,
    listeners: SharedListeners,
    /// Held while changes are applied, so they apply (and their events go out) in `seq`
    /// order, one at a time.
    journal: Mutex<Journal>,
    /// The durable log, if the store has one.
    log: Option<Arc<dyn ChangeLog>>,
    /// How many changes an in-memory store keeps.
    ring_capacity: usize,
}

/// Named asset sources with search, events, revisions and a change log. `Send + Sync`:
/// share it (or a clone, which shares the same sources) across threads.
///
/// In memory by default ([`AssetStore::new`]); with a durable [`ChangeLog`]
/// ([`AssetStore::with_log`], e.g. SQLite or PostgreSQL from `easel-assets-db`) the
/// database holds the truth, several processes may share it, and each process's indexes
/// catch up from the log.
///
/// Changes apply in `seq` order, one at a time. Events go to channels in that order;
/// callbacks run after the change, with no lock held, in the order of the changes made by
/// one thread. Every change is reported once.
#[derive(Clone)]
pub struct AssetStore {
    inner: Arc<Inner>,
    /// Who this handle's changes are attributed to in the log.
    actor: Arc<str>,
}

impl Default for AssetStore {
    fn default() -> Self {
        AssetStore::new()
    }
}

impl std::fmt::Debug for AssetStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AssetStore")
            .field("sources", &self.find_all_sources())
            .field("actor", &self.actor)
            .field("log", &self.inner.log.as_ref().map(|l| l.location()))
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

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// The events a run of changes produces: one per commit and source and event kind, with
/// the last change's seq.
fn events_of<'c>(changes: impl IntoIterator<Item = &'c Change>) -> Vec<AssetSourceEvent> {
    let mut out: Vec<(u64, AssetSourceEvent)> = Vec::new();
    for c in changes {
        let kind = match c.kind {
            ChangeKind::SourceAdded => AssetSourceEventKind::Added,
            ChangeKind::SourceRemoved => AssetSourceEventKind::Removed,
            _ => AssetSourceEventKind::Updated,
        };
        match out.last_mut() {
            Some((commit, e))
                if *commit == c.commit && e.kind == kind && e.source_id == c.source =>
            {
                e.seq = c.seq;
            }
            _ => out.push((
                c.commit,
                AssetSourceEvent {
                    kind,
                    source_id: c.source.clone(),
                    seq: c.seq,
                },
            )),
        }
    }
    out.into_iter().map(|(_, e)| e).collect()
}

impl AssetStore {
    /// An empty store in memory that keeps no change log (as fast as a store can be: a
    /// change costs no copy of its definition). Changes are still numbered and events carry
    /// their `seq`; `changes` and `subscribe_from` answer `ChangesGone` for anything past.
    /// Use [`AssetStore::in_memory`] for a bounded log, or a durable store for a full one.
    pub fn new() -> Self {
        Self::in_memory(0)
    }

    /// An empty store in memory keeping its last `capacity` changes (each holds a copy of
    /// its definition).
    pub fn in_memory(capacity: usize) -> Self {
        AssetStore {
            inner: Arc::new(Inner {
                sources: RwLock::default(),
                listeners: SharedListeners::default(),
                journal: Mutex::new(Journal {
                    applied: 0,
                    ring: VecDeque::new(),
                }),
                log: None,
                ring_capacity: capacity,
            }),
            actor: Arc::from("local"),
        }
    }

    /// A store over a durable log: its sources are loaded from the log's snapshot, and a
    /// thread follows the log, applying other processes' changes (and sending their events)
    /// as they are committed. The thread ends when the last handle is dropped.
    pub fn with_log(log: Arc<dyn ChangeLog>, actor: &str) -> Result<Self> {
        let snapshot = log.snapshot()?;
        let mut sources = IndexMap::new();
        for stored in snapshot.sources {
            let mut local = LocalSource::new(&stored.id, stored.options);
            for (def, revision) in stored.assets {
                local.add_at(def, revision).map_err(|e| Error::Storage {
                    location: log.location(),
                    message: format!("stored source `{}` does not load: {e}", stored.id),
                })?;
            }
            sources.insert(stored.id, Source::Local(Arc::new(RwLock::new(local))));
        }
        let store = AssetStore {
            inner: Arc::new(Inner {
                sources: RwLock::new(sources),
                listeners: SharedListeners::default(),
                journal: Mutex::new(Journal {
                    applied: snapshot.seq,
                    ring: VecDeque::new(),
                }),
                log: Some(log.clone()),
                ring_capacity: 0,
            }),
            actor: Arc::from(actor),
        };
        let weak = Arc::downgrade(&store.inner);
        let spawned = std::thread::Builder::new()
            .name("easel-assets-follow".into())
            .spawn(move || follow(weak, log));
        if let Err(e) = spawned {
            return Err(Error::Storage {
                location: store.location(),
                message: format!("cannot start the thread that follows the log: {e}"),
            });
        }
        Ok(store)
    }

    /// The same store, with this handle's changes attributed to `actor` in the log.
    pub fn with_actor(&self, actor: &str) -> AssetStore {
        AssetStore {
            inner: self.inner.clone(),
            actor: Arc::from(actor),
        }
    }

    /// The actor label of this handle.
    pub fn actor(&self) -> &str {
        &self.actor
    }

    /// Where the durable log lives, or `memory`.
    pub fn location(&self) -> String {
        self.inner
            .log
            .as_ref()
            .map_or_else(|| "memory".to_string(), |l| l.location())
    }

    /// True when the sources are kept by a durable log.
    pub fn is_durable(&self) -> bool {
        self.inner.log.is_some()
    }

    /// The seq of the last change applied here.
    pub fn last_seq(&self) -> u64 {
        lock(&self.inner.journal).applied
    }

    fn sources(&self) -> RwLockReadGuard<'_, IndexMap<String, Source>> {
        self.inner.sources.read().unwrap_or_else(|p| p.into_inner())
    }

    fn sources_mut(&self) -> RwLockWriteGuard<'_, IndexMap<String, Source>> {
        self.inner
            .sources
            .write()
            .unwrap_or_else(|p| p.into_inner())
    }

    fn source(&self, id: &str) -> Result<Source> {
        self.sources()
            .get(id)
            .cloned()
            .ok_or_else(|| Error::SourceNotFound { id: id.to_string() })
    }

    fn local(&self, id: &str) -> Result<Arc<RwLock<LocalSource>>> {
        match self.source(id)? {
            Source::Local(l) => Ok(l),
            Source::Custom(_) => Err(Error::NotManageable {
                id: id.to_string(),
                action: "log changes to".into(),
            }),
        }
    }

    /// Applies `changes` (in seq order) to the sources, sends their events to channels and
    /// queues their callbacks. Called with the journal locked.
    fn apply(
        &self,
        journal: &mut Journal,
        mut changes: Vec<Change>,
        pending: &mut Pending,
    ) -> Result<()> {
        let disagree = |c: &Change, e: Error| Error::Storage {
            location: self.location(),
            message: format!(
                "change {} ({:?} of `{}`) does not apply to the sources in memory: {e}",
                c.seq, c.kind, c.source
            ),
        };
        // Only the changes an in-memory store's ring keeps need their definitions after this.
        let ring = match self.inner.log {
            None => self.inner.ring_capacity.min(changes.len()),
            Some(_) => 0,
        };
        let kept_from = changes.len() - ring;
        let is_asset = |k: ChangeKind| {
            matches!(
                k,
                ChangeKind::AssetAdded | ChangeKind::AssetUpdated | ChangeKind::AssetRemoved
            )
        };
        let mut i = 0;
        while i < changes.len() {
            let c = &changes[i];
            if c.seq <= journal.applied {
                i += 1;
                continue;
            }
            match c.kind {
                ChangeKind::SourceAdded => {
                    let local = LocalSource::new(&c.source, c.options.clone().unwrap_or_default());
                    self.sources_mut().insert(
                        c.source.clone(),
                        Source::Local(Arc::new(RwLock::new(local))),
                    );
                }
                ChangeKind::SourceRemoved => {
                    self.sources_mut().shift_remove(&c.source);
                }
                ChangeKind::ContentsChanged => {}
                _ => {
                    // A run of asset changes to one source is applied under one lock, so
                    // readers see a commit's changes to a source all at once.
                    let run = changes[i..]
                        .iter()
                        .take_while(|r| is_asset(r.kind) && r.source == c.source)
                        .count();
                    let local = self.local(&c.source).map_err(|e| disagree(c, e))?;
                    let mut local = write(&local);
                    let mut removed = Vec::new();
                    for (k, c) in changes[i..i + run].iter_mut().enumerate() {
                        if c.seq <= journal.applied {
                            continue;
                        }
                        let def = match i + k >= kept_from {
                            true => c.definition.clone(),
                            false => c.definition.take(),
                        };
                        let c = &*c;
                        let done = match c.kind {
                            ChangeKind::AssetRemoved => {
                                let asset = c.asset.as_deref().unwrap_or_default();
                                local.remove(asset).map(|old| removed.push(old))
                            }
                            kind => {
                                let def = def.ok_or_else(|| {
                                    disagree(c, Error::InvalidAsset("no definition".into()))
                                })?;
                                let revision = c.revision_after.unwrap_or(1);
                                match kind {
                                    ChangeKind::AssetAdded => local.add_at(def, revision),
                                    _ => local.update_to(def, revision),
                                }
                            }
                        };
                        done.map_err(|e| disagree(c, e))?;
                        journal.applied = c.seq;
                    }
                    drop(local);
                    // Freed after the lock is released: that holds up no one.
                    drop(removed);
                    i += run;
                    continue;
                }
            }
            journal.applied = c.seq;
            i += 1;
        }
        for e in events_of(&changes) {
            events::deliver(&self.inner.listeners, e, pending);
        }
        if ring > 0 {
            self.keep_in_ring(journal, changes.drain(kept_from..));
        }
        Ok(())
    }

    /// Applies every change the durable log has beyond what is applied here (no-op for
    /// in-memory stores). Done before each change this handle makes, and by the thread
    /// that follows the log.
    pub fn catch_up(&self) -> Result<()> {
        let Some(log) = &self.inner.log else {
            return Ok(());
        };
        let mut pending = Pending::default();
        let result = {
            let mut journal = lock(&self.inner.journal);
            self.catch_up_to(log.as_ref(), &mut journal, u64::MAX, &mut pending)
        };
        pending.run();
        result
    }

    /// Applies the log's changes after the applied one, up to seq `until`.
    fn catch_up_to(
        &self,
        log: &dyn ChangeLog,
        journal: &mut Journal,
        until: u64,
        pending: &mut Pending,
    ) -> Result<()> {
        while journal.applied < until {
            let wanted = (until - journal.applied).min(CATCH_UP_BATCH as u64) as usize;
            let changes = log.changes(journal.applied, wanted)?;
            if changes.is_empty() {
                break;
            }
            self.apply(journal, changes, pending)?;
        }
        Ok(())
    }

    /// Checks `op` against the sources in memory and numbers its changes from `first`,
    /// stamped `now`.
    fn plan(&self, op: StoreOp, first: u64, now: u64) -> Result<Planned> {
        let stamp = |mut c: Change| {
            c.seq = first;
            c.commit = first;
            c.timestamp_ms = now;
            c.actor = self.actor.to_string();
            Planned::Changes(vec![c])
        };
        Ok(match op {
            StoreOp::AddSource {
                id,
                options,
                assets,
            } => {
                if self.sources().contains_key(&id) {
                    return Err(Error::DuplicateSource { id });
                }
                check_new_assets(&LocalSource::new(&id, options.clone()), &assets)?;
                Planned::Added {
                    source: id,
                    options: Some(options),
                    assets,
                    first,
                    timestamp_ms: now,
                }
            }
            StoreOp::RemoveSource { id } => {
                self.local(&id)?;
                stamp(Change::new(ChangeKind::SourceRemoved, &id))
            }
            StoreOp::AddAssets { source, assets } => {
                let local = self.local(&source)?;
                check_new_assets(&read(&local), &assets)?;
                Planned::Added {
                    source,
                    options: None,
                    assets,
                    first,
                    timestamp_ms: now,
                }
            }
            StoreOp::UpdateAsset {
                source,
                asset,
                expected,
            } => {
                let local = self.local(&source)?;
                let current = read(&local).check_update(&asset)?;
                check_expected(&source, &asset.id, expected, Some(current))?;
                let mut c = Change::new(ChangeKind::AssetUpdated, &source);
                c.asset = Some(asset.id.to_string());
                c.revision_before = Some(current);
                c.revision_after = Some(current + 1);
                c.definition = Some(asset);
                stamp(c)
            }
            StoreOp::RemoveAsset {
                source,
                asset,
                expected,
            } => {
                let local = self.local(&source)?;
                let current = read(&local).revision(&asset);
                check_expected(&source, &asset, expected, current)?;
                let Some(current) = current else {
                    return Err(Error::AssetNotFound {
                        source_id: source,
                        asset,
                    });
                };
                let mut c = Change::new(ChangeKind::AssetRemoved, &source);
                c.asset = Some(asset);
                c.revision_before = Some(current);
                stamp(c)
            }
            StoreOp::ContentsChanged { source } => {
                self.local(&source)?;
                stamp(Change::new(ChangeKind::ContentsChanged, &source))
            }
            StoreOp::ReplaceAssets { source, assets } => {
                let local = self.local(&source)?;
                let local = read(&local);
                check_new_assets(&LocalSource::new(&source, local.options.clone()), &assets)?;
                let actor = self.actor.to_string();
                let mut changes = Vec::with_capacity(local.len() + assets.len());
                let mut push = |mut c: Change| {
                    c.seq = first + changes.len() as u64;
                    c.commit = first;
                    c.timestamp_ms = now;
                    c.actor = actor.clone();
                    changes.push(c);
                };
                for (old, revision) in local.definitions_with_revisions() {
                    let mut c = Change::new(ChangeKind::AssetRemoved, &source);
                    c.asset = Some(old.id.to_string());
                    c.revision_before = Some(revision);
                    push(c);
                }
                for def in assets {
                    let mut c = Change::new(ChangeKind::AssetAdded, &source);
                    c.asset = Some(def.id.to_string());
                    c.revision_after = Some(1);
                    c.definition = Some(def);
                    push(c);
                }
                Planned::Changes(changes)
            }
        })
    }

    /// Applies a planned op.
    fn apply_planned(
        &self,
        journal: &mut Journal,
        planned: Planned,
        pending: &mut Pending,
    ) -> Result<()> {
        match planned {
            Planned::Changes(changes) => self.apply(journal, changes, pending),
            Planned::Added {
                source,
                options,
                assets,
                first,
                timestamp_ms,
            } => self.apply_added(
                journal,
                source,
                options,
                assets,
                (first, timestamp_ms),
                pending,
            ),
        }
    }

    /// Applies new assets straight from the op: change records are made only for the ones
    /// an in-memory store's ring keeps (a batch of 100,000 makes at most the ring's worth).
    fn apply_added(
        &self,
        journal: &mut Journal,
        source: String,
        options: Option<LocalSourceOptions>,
        assets: Vec<AssetDefinition>,
        (first, timestamp_ms): (u64, u64),
        pending: &mut Pending,
    ) -> Result<()> {
        let count = assets.len() + usize::from(options.is_some());
        let ring = match self.inner.log {
            None => self.inner.ring_capacity.min(count),
            Some(_) => 0,
        };
        let kept_from = count - ring;
        let mut kept = Vec::with_capacity(ring);
        let mut record = |index: usize, mut c: Change| {
            c.seq = first + index as u64;
            c.commit = first;
            c.timestamp_ms = timestamp_ms;
            c.actor = self.actor.to_string();
            kept.push(c);
        };
        let mut index = 0;
        let created = options.is_some();
        if let Some(options) = options {
            if kept_from == 0 {
                let mut c = Change::new(ChangeKind::SourceAdded, &source);
                c.options = Some(options.clone());
                record(0, c);
            }
            let local = LocalSource::new(&source, options);
            self.sources_mut()
                .insert(source.clone(), Source::Local(Arc::new(RwLock::new(local))));
            index = 1;
        }
        let disagree = |e: Error| Error::Storage {
            location: self.location(),
            message: format!(
                "change {first} (assets added to `{source}`) does not apply to the sources in memory: {e}"
            ),
        };
        let added = !assets.is_empty();
        if added {
            let local = self.local(&source).map_err(disagree)?;
            let mut local = write(&local);
            for def in assets {
                if index >= kept_from {
                    let mut c = Change::new(ChangeKind::AssetAdded, &source);
                    c.asset = Some(def.id.to_string());
                    c.revision_after = Some(1);
                    c.definition = Some(def.clone());
                    record(index, c);
                }
                local.add_at(def, 1).map_err(disagree)?;
                index += 1;
            }
        }
        journal.applied = first + count as u64 - 1;
        let event = |kind, seq| AssetSourceEvent {
            kind,
            source_id: source.clone(),
            seq,
        };
        if created {
            events::deliver(
                &self.inner.listeners,
                event(AssetSourceEventKind::Added, first),
                pending,
            );
        }
        if added {
            events::deliver(
                &self.inner.listeners,
                event(AssetSourceEventKind::Updated, journal.applied),
                pending,
            );
        }
        self.keep_in_ring(journal, kept);
        Ok(())
    }

    /// Appends changes to an in-memory store's ring, dropping the oldest beyond capacity.
    fn keep_in_ring(&self, journal: &mut Journal, changes: impl IntoIterator<Item = Change>) {
        journal.ring.extend(changes);
        let excess = journal.ring.len().saturating_sub(self.inner.ring_capacity);
        journal.ring.drain(..excess);
    }

    /// Makes a change to local sources: committed to the durable log first when there is one
    /// (which checks it against the stored state), then applied here in seq order.
    fn run(&self, op: StoreOp) -> Result<()> {
        let mut pending = Pending::default();
        let result = {
            // Held throughout, so this handle's changes and the log's interleave in seq order.
            let mut journal = lock(&self.inner.journal);
            match &self.inner.log {
                Some(log) => self.commit(log.as_ref(), &mut journal, op, &mut pending),
                None => self
                    .plan(op, journal.applied + 1, crate::change::now_ms())
                    .and_then(|planned| self.apply_planned(&mut journal, planned, &mut pending)),
            }
        };
        pending.run();
        result
    }

    /// Commits `op` to the log and applies it here: other processes' changes before it are
    /// read from the log, this one is planned from `op` itself (no read-back).
    fn commit(
        &self,
        log: &dyn ChangeLog,
        journal: &mut Journal,
        op: StoreOp,
        pending: &mut Pending,
    ) -> Result<()> {
        // Other processes' changes first, so the checks below see them.
        self.catch_up_to(log, journal, u64::MAX, pending)?;
        self.check_locally(&op)?;
        let committed = log.commit(&op, &self.actor)?;
        let before = committed.first_seq.saturating_sub(1);
        self.catch_up_to(log, journal, before, pending)?;
        if journal.applied == before
            && let Ok(planned) = self.plan(op, committed.first_seq, committed.timestamp_ms)
        {
            return self.apply_planned(journal, planned, pending);
        }
        // Memory and log disagree about what came before: take the log's word for it.
        self.catch_up_to(log, journal, u64::MAX, pending)
    }

    /// What a durable commit cannot check for itself: definitions a source accepts.
    fn check_locally(&self, op: &StoreOp) -> Result<()> {
        match op {
            StoreOp::AddSource {
                id,
                options,
                assets,
            } => check_new_assets(&LocalSource::new(id, options.clone()), assets),
            StoreOp::AddAssets { source, assets } => {
                let local = self.local(source)?;
                let l = read(&local);
                assets.iter().try_for_each(|a| l.check_definition(a))
            }
            StoreOp::UpdateAsset { source, asset, .. } => {
                read(self.local(source)?.as_ref()).check_definition(asset)
            }
            StoreOp::RemoveSource { id } | StoreOp::ContentsChanged { source: id } => {
                self.local(id).map(|_| ())
            }
            StoreOp::RemoveAsset { source, .. } => self.local(source).map(|_| ()),
            StoreOp::ReplaceAssets { source, assets } => {
                let local = self.local(source)?;
                let options = read(&local).options.clone();
                check_new_assets(&LocalSource::new(source, options), assets)
            }
        }
    }

    fn insert_custom(&self, id: &str, source: Source) -> Result<()> {
        {
            let mut sources = self.sources_mut();
            if sources.contains_key(id) {
                return Err(Error::DuplicateSource { id: id.to_string() });
            }
            sources.insert(id.to_string(), source);
        }
        events::emit(&self.inner.listeners, AssetSourceEventKind::Added, id);
        Ok(())
    }

    /// Adds an empty local source.
    pub fn add_local_source(&self, id: &str, options: LocalSourceOptions) -> Result<()> {
        self.add_local_source_with_assets(id, options, Vec::new())
    }

    /// Adds a local source filled with `assets` in one step (one commit, one Added and one
    /// Updated event). Fails without change if any asset is rejected.
    pub fn add_local_source_with_assets(
        &self,
        id: &str,
        options: LocalSourceOptions,
        assets: Vec<AssetDefinition>,
    ) -> Result<()> {
        self.run(StoreOp::AddSource {
            id: id.to_string(),
            options,
            assets,
        })
    }

    /// Adds a custom source under its own id (custom sources live in this process only).
    pub fn add_source(&self, source: Box<dyn AssetSource>) -> Result<()> {
        let id = source.id().to_string();
        self.insert_custom(&id, Source::Custom(Arc::from(source)))
    }

    /// Removes a source and all its assets.
    pub fn remove_source(&self, id: &str) -> Result<()> {
        if let Source::Custom(_) = self.source(id)? {
            self.sources_mut().shift_remove(id);
            events::emit(&self.inner.listeners, AssetSourceEventKind::Removed, id);
            return Ok(());
        }
        self.run(StoreOp::RemoveSource { id: id.to_string() })
    }

    /// The ids of all sources, sorted.
    pub fn find_all_sources(&self) -> Vec<String> {
        let mut ids: Vec<String> = self.sources().keys().cloned().collect();
        ids.sort();
        ids
    }

    /// True when a source with this id exists.
    pub fn has_source(&self, id: &str) -> bool {
        self.source(id).is_ok()
    }

    /// Searches one source.
    pub fn find_assets(&self, source: &str, query: &AssetQuery) -> Result<AssetQueryResult> {
        // Checked first, before anything walks the filters (their depth is bounded here).
        query.validate()?;
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
            Source::Custom(c) => {
                // Results name the source they came from, whatever the source wrote there
                // (as the reference engine stamps them).
                let mut result = c.find_assets(query)?;
                for asset in &mut result.assets {
                    asset.context.source_id = source.to_string();
                }
                Ok(result)
            }
        }
    }

    /// Fetches one asset by id, label and tags resolved for `locale`, with its revision.
    /// `Ok(None)` when the source has no such asset.
    pub fn fetch_asset(
        &self,
        source: &str,
        asset_id: &str,
        locale: Option<&str>,
    ) -> Result<Option<AssetResult>> {
        match self.source(source)? {
            Source::Local(l) => Ok(read(&l).fetch(asset_id, locale)),
            Source::Custom(c) => Ok(c.fetch_asset(asset_id, locale)?.map(|mut asset| {
                asset.context.source_id = source.to_string();
                asset
            })),
        }
    }

    /// The revision of an asset of a local source (`None` when it does not exist).
    pub fn revision(&self, source: &str, asset_id: &str) -> Result<Option<u64>> {
        Ok(read(self.local(source)?.as_ref()).revision(asset_id))
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

    /// A local source's options.
    pub fn source_options(&self, source: &str) -> Result<LocalSourceOptions> {
        Ok(read(self.local(source)?.as_ref()).options.clone())
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
        if let Source::Custom(c) = self.source(source)? {
            c.add_asset(asset)?;
            events::emit(&self.inner.listeners, AssetSourceEventKind::Updated, source);
            return Ok(());
        }
        self.run(StoreOp::AddAssets {
            source: source.to_string(),
            assets: vec![asset],
        })
    }

    /// Adds many assets as one commit with one Updated event: all of them, or — when any is
    /// rejected (a duplicate id, an empty id, an unsupported MIME type) — none. Returns how
    /// many were added.
    pub fn add_assets_to_source(
        &self,
        source: &str,
        assets: impl IntoIterator<Item = AssetDefinition>,
    ) -> Result<usize> {
        let assets: Vec<AssetDefinition> = assets.into_iter().collect();
        let n = assets.len();
        if let Source::Custom(c) = self.source(source)? {
            // A custom source takes them one by one; it is its own judge of atomicity.
            for a in assets {
                c.add_asset(a)?;
            }
            events::emit(&self.inner.listeners, AssetSourceEventKind::Updated, source);
            return Ok(n);
        }
        if n == 0 {
            return Ok(0);
        }
        self.run(StoreOp::AddAssets {
            source: source.to_string(),
            assets,
        })?;
        Ok(n)
    }

    /// Removes an asset; an unknown asset is [`Error::AssetNotFound`].
    pub fn remove_asset_from_source(&self, source: &str, asset_id: &str) -> Result<()> {
        if let Source::Custom(c) = self.source(source)? {
            c.remove_asset(asset_id)?;
            events::emit(&self.inner.listeners, AssetSourceEventKind::Updated, source);
            return Ok(());
        }
        self.run(StoreOp::RemoveAsset {
            source: source.to_string(),
            asset: asset_id.to_string(),
            expected: None,
        })
    }

    /// Removes an asset only if it is still at `expected_revision`; otherwise
    /// [`Error::Conflict`] with the revision it is at (`None` when it is gone).
    pub fn remove_asset_if(
        &self,
        source: &str,
        asset_id: &str,
        expected_revision: u64,
    ) -> Result<()> {
        self.run(StoreOp::RemoveAsset {
            source: source.to_string(),
            asset: asset_id.to_string(),
            expected: Some(expected_revision),
        })
    }

    /// Replaces an existing asset atomically, keeping its position in insertion order; its
    /// revision goes up by one. Last writer wins (see [`Self::update_asset_if`]).
    pub fn update_asset(&self, source: &str, asset: AssetDefinition) -> Result<()> {
        self.update(source, asset, None)
    }

    /// Replaces an asset only if it is still at `expected_revision` (the revision a read
    /// returned); otherwise [`Error::Conflict`] and nothing changes.
    pub fn update_asset_if(
        &self,
        source: &str,
        asset: AssetDefinition,
        expected_revision: u64,
    ) -> Result<()> {
        self.update(source, asset, Some(expected_revision))
    }

    fn update(&self, source: &str, asset: AssetDefinition, expected: Option<u64>) -> Result<()> {
        if let Source::Custom(_) = self.source(source)? {
            return Err(Error::NotManageable {
                id: source.to_string(),
                action: "update".into(),
            });
        }
        self.run(StoreOp::UpdateAsset {
            source: source.to_string(),
            asset,
            expected,
        })
    }

    /// Tells listeners that a source's contents changed (an Updated event, and for local
    /// sources a change in the log).
    pub fn asset_source_contents_changed(&self, source: &str) -> Result<()> {
        if let Source::Custom(_) = self.source(source)? {
            events::emit(&self.inner.listeners, AssetSourceEventKind::Updated, source);
            return Ok(());
        }
        self.run(StoreOp::ContentsChanged {
            source: source.to_string(),
        })
    }

    /// Replaces all the assets of a local source with `assets`, as one commit with one
    /// Updated event: readers see the old assets or the new ones, never a mix. The source
    /// keeps its id and options; the new assets start at revision 1. Returns how many there
    /// are now. Fails without change if any is rejected.
    pub fn replace_assets(
        &self,
        source: &str,
        assets: impl IntoIterator<Item = AssetDefinition>,
    ) -> Result<usize> {
        let assets: Vec<AssetDefinition> = assets.into_iter().collect();
        let n = assets.len();
        self.run(StoreOp::ReplaceAssets {
            source: source.to_string(),
            assets,
        })?;
        Ok(n)
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

    /// The local sources as they are now: options, assets in order with revisions, and the
    /// seq they include (to copy a store into another).
    pub fn snapshot(&self) -> Snapshot {
        let journal = lock(&self.inner.journal);
        let sources = self
            .sources()
            .iter()
            .filter_map(|(id, s)| match s {
                Source::Local(l) => {
                    let l = read(l);
                    Some(StoredSource {
                        id: id.clone(),
                        options: l.options.clone(),
                        assets: l
                            .definitions_with_revisions()
                            .map(|(d, r)| (d.clone(), r))
                            .collect(),
                    })
                }
                Source::Custom(_) => None,
            })
            .collect();
        Snapshot {
            sources,
            seq: journal.applied,
        }
    }

    /// The changes after `since_seq`, oldest first, at most `limit`: from the durable log,
    /// or from the changes an in-memory store keeps ([`Error::ChangesGone`] when they no
    /// longer reach back that far).
    pub fn changes(&self, since_seq: u64, limit: usize) -> Result<Vec<Change>> {
        if let Some(log) = &self.inner.log {
            return log.changes(since_seq, limit);
        }
        let journal = lock(&self.inner.journal);
        ring_since(&journal, since_seq).map(|r| r.take(limit).cloned().collect())
    }

    /// Every recorded change of one asset, oldest first.
    pub fn changes_for_asset(&self, source: &str, asset_id: &str) -> Result<Vec<Change>> {
        if let Some(log) = &self.inner.log {
            return log.changes_for_asset(source, asset_id);
        }
        let journal = lock(&self.inner.journal);
        Ok(journal
            .ring
            .iter()
            .filter(|c| c.source == source && c.asset.as_deref() == Some(asset_id))
            .cloned()
            .collect())
    }

    /// Calls `callback(source_id)` after every source is added.
    pub fn on_asset_source_added(
        &self,
        callback: impl Fn(&str) + Send + Sync + 'static,
    ) -> Subscription {
        events::add_callback(
            &self.inner.listeners,
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
            &self.inner.listeners,
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
            &self.inner.listeners,
            AssetSourceEventKind::Updated,
            Arc::new(callback),
        )
    }

    /// Every source event from now on, on a channel, in seq order; dropping the receiver
    /// ends it.
    pub fn subscribe(&self) -> Receiver<AssetSourceEvent> {
        events::add_channel(&self.inner.listeners)
    }

    /// Every source event after change `since_seq` — those already applied first, then the
    /// new ones, none lost or repeated — so a subscriber resumes where it stopped (after a
    /// crash or reconnect). [`Error::ChangesGone`] when an in-memory store no longer keeps
    /// changes that old.
    pub fn subscribe_from(&self, since_seq: u64) -> Result<Receiver<AssetSourceEvent>> {
        // Applied changes and registration under one lock: nothing slips between them.
        let journal = lock(&self.inner.journal);
        let backlog = self.backlog(&journal, since_seq)?;
        Ok(events::add_channel_with(&self.inner.listeners, backlog))
    }

    /// The source events of the changes applied after `since_seq`, in `seq` order (what
    /// [`AssetStore::subscribe_from`] replays first). [`Error::ChangesGone`] when an
    /// in-memory store no longer keeps changes that old.
    pub fn events_after(&self, since_seq: u64) -> Result<Vec<AssetSourceEvent>> {
        self.backlog(&lock(&self.inner.journal), since_seq)
    }

    fn backlog(&self, journal: &Journal, since_seq: u64) -> Result<Vec<AssetSourceEvent>> {
        match &self.inner.log {
            Some(log) => {
                let mut out = Vec::new();
                let mut since = since_seq;
                while since < journal.applied {
                    let batch = log.changes(since, CATCH_UP_BATCH)?;
                    let Some(last) = batch.last() else { break };
                    since = last.seq;
                    out.extend(batch.into_iter().filter(|c| c.seq <= journal.applied));
                }
                Ok(events_of(&out))
            }
            None => Ok(events_of(ring_since(journal, since_seq)?)),
        }
    }
}

/// The kept changes after `since`, or the error saying they are gone.
fn ring_since(journal: &Journal, since: u64) -> Result<impl Iterator<Item = &Change>> {
    let oldest = journal.ring.front().map_or(journal.applied + 1, |c| c.seq);
    if since + 1 < oldest {
        return Err(crate::change::gone(since, oldest));
    }
    Ok(journal.ring.iter().filter(move |c| c.seq > since))
}

/// Checks a conditional write's expected revision.
fn check_expected(
    source: &str,
    asset: &str,
    expected: Option<u64>,
    actual: Option<u64>,
) -> Result<()> {
    match expected {
        Some(e) if Some(e) != actual => Err(Error::Conflict {
            source_id: source.to_string(),
            asset: asset.to_string(),
            expected: e,
            actual,
        }),
        _ => Ok(()),
    }
}

/// Checks a batch of new assets: each acceptable to `local`, none there yet, no id twice.
fn check_new_assets(local: &LocalSource, assets: &[AssetDefinition]) -> Result<()> {
    if let [one] = assets {
        return local.check_add(one);
    }
    let mut seen = HashSet::with_capacity(assets.len());
    for a in assets {
        local.check_add(a)?;
        if !seen.insert(a.id.as_str()) {
            return Err(Error::DuplicateAsset {
                source_id: local.id.clone(),
                asset: a.id.to_string(),
            });
        }
    }
    Ok(())
}

/// A checked op with its changes numbered, as `apply_planned` takes it.
enum Planned {
    /// Changes applied one by one.
    Changes(Vec<Change>),
    /// New assets for one source, created first when `options` is given (the source's
    /// change, then one per asset, numbered from `first`).
    Added {
        source: String,
        options: Option<LocalSourceOptions>,
        assets: Vec<AssetDefinition>,
        first: u64,
        timestamp_ms: u64,
    },
}

/// Follows a durable log until the store is dropped.
fn follow(store: Weak<Inner>, log: Arc<dyn ChangeLog>) {
    loop {
        let since = match store.upgrade() {
            Some(inner) => lock(&inner.journal).applied,
            None => return,
        };
        log.wait(since, FOLLOW_INTERVAL);
        let Some(inner) = store.upgrade() else {
            return;
        };
        let handle = AssetStore {
            inner,
            actor: Arc::from("follow"),
        };
        // A failing log is reported by the next call that needs it; keep following.
        let _ = handle.catch_up();
    }
}
