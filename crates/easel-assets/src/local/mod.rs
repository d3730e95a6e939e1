//! Local sources: assets kept in memory in insertion order, with indexes for fast search.
//!
//! Adding an asset is a hash-table insert and a push: nothing is folded or indexed yet.
//! Removal is O(1) (a tombstone plus a hash-table delete); tombstones are compacted once
//! they outnumber live assets. Each index is built by the first query that needs it and
//! then *catches up* with the assets added since, so adds stay cheap whether or not anyone
//! searches:
//! - the text index: every asset's folded label and tags in the default locale, one record
//!   per text in one buffer, for tag and label/tag filters and as each asset's folded text.
//!   An update appends a record and supersedes the old one;
//! - the word index: the distinct words of those records, each with the records that have
//!   it. Free-text words contain only word characters, so one occurs in an asset's text
//!   exactly when it occurs inside one of the asset's words: a search scans the distinct
//!   words (far fewer bytes than all texts) and unions their record lists;
//! - per meta key, each value's slots; per sort key, the slots in key order with their
//!   keys; per facet, the values of each slot as numbers. Updates patch them in place (the
//!   sort index merges updated slots back in at its next use).
//!
//! Superseded text records and stale facet values are reclaimed by a rebuild once they
//! outnumber the current ones. Compaction renumbers the slots and drops every index.

use crate::definition::{AssetContext, AssetDefinition, AssetQueryResult, AssetResult, FacetValue};
use crate::query::{AssetFilter, AssetQuery, Field, SortingOrder};
use crate::store::LocalSourceOptions;
use crate::text::{fold_case, query_words, resolve};
use crate::{Error, Result};
use filter::{Compiled, for_each_value};
use indexmap::IndexMap;
use key_table::KeyTable;
use sort_index::{SortIndex, build_sort_index};
use std::borrow::Cow;
use std::collections::HashMap;
use text_index::{Folded, TextField, TextIndex, WordIndex};
use value_index::{FacetIndex, MetaIndex};

mod filter;
mod key_table;
mod sort_index;
mod text_index;
mod value_index;

/// The indexes a query can use.
struct Needs {
    text: bool,
    words: bool,
    meta_keys: Vec<String>,
    sort_key: Option<String>,
    /// Facet name and field.
    facets: Vec<(String, Field)>,
}

#[derive(Debug)]
pub(crate) struct LocalSource {
    pub id: String,
    pub options: LocalSourceOptions,
    /// Assets in insertion order; `None` where one was removed (until compaction).
    slots: Vec<Option<AssetDefinition>>,
    /// Each slot's revision: 1 when added, one more at each update.
    revisions: Vec<u64>,
    /// How many slots hold an asset.
    live: usize,
    /// The slot of each live asset by id (the ids themselves live in `slots`).
    ids: KeyTable,
    text: Option<TextIndex>,
    words: Option<WordIndex>,
    sorts: HashMap<String, SortIndex>,
    metas: HashMap<String, MetaIndex>,
    facets: HashMap<String, FacetIndex>,
    /// When each sort, meta and facet index was last prepared (a counter), for eviction.
    prepared: HashMap<String, u64>,
    ticks: u64,
}

/// The most sort, meta-value and facet indexes one source keeps of each kind. Read-only
/// queries name keys freely (3,000 distinct facet names are one loop away); past this, the
/// least recently prepared index of that kind is dropped, so index memory stays bounded by
/// this many indexes over the source's assets. A query whose index is gone checks assets one
/// by one, then rebuilds it.
pub const MAX_INDEXES_PER_KIND: usize = 32;

/// Drops the least recently prepared indexes of one kind down to the cap.
fn evict<T>(map: &mut HashMap<String, T>, prepared: &HashMap<String, u64>, prefix: &str) {
    while map.len() > MAX_INDEXES_PER_KIND {
        let oldest = map
            .keys()
            .min_by_key(|k| prepared.get(&format!("{prefix}{k}")).copied().unwrap_or(0))
            .cloned();
        match oldest {
            Some(k) => {
                map.remove(&k);
            }
            None => break,
        }
    }
}

impl LocalSource {
    pub fn new(id: &str, options: LocalSourceOptions) -> Self {
        LocalSource {
            id: id.to_string(),
            options,
            slots: Vec::new(),
            revisions: Vec::new(),
            live: 0,
            ids: KeyTable::default(),
            text: None,
            words: None,
            sorts: HashMap::new(),
            metas: HashMap::new(),
            facets: HashMap::new(),
            prepared: HashMap::new(),
            ticks: 0,
        }
    }

    pub fn len(&self) -> usize {
        self.live
    }

    fn check(&self, def: &AssetDefinition) -> Result<()> {
        if def.id.is_empty() {
            return Err(Error::InvalidAsset("an asset id must not be empty".into()));
        }
        let supported = &self.options.supported_mime_types;
        if supported.is_empty() {
            return Ok(());
        }
        if let Some(mime) = def.meta_text("mimeType")
            && !mime_accepted(supported, &mime)
        {
            return Err(Error::UnsupportedMimeType {
                source_id: self.id.clone(),
                asset: def.id.to_string(),
                mime_type: mime,
                supported: supported.clone(),
            });
        }
        Ok(())
    }

    fn not_found(&self, id: &str) -> Error {
        Error::AssetNotFound {
            source_id: self.id.clone(),
            asset: id.to_string(),
        }
    }

    /// The slot holding asset `id`.
    fn slot_of(&self, id: &str) -> Option<usize> {
        let slots = &self.slots;
        self.ids
            .find(self.ids.hash(id), |s| has_id(slots, s, id))
            .map(|s| s as usize)
    }

    /// Checks that `def` is a definition this source accepts (an id, a supported MIME type).
    pub fn check_definition(&self, def: &AssetDefinition) -> Result<()> {
        self.check(def)
    }

    /// Checks that `def` could be added (a valid definition, a new id); changes nothing.
    pub fn check_add(&self, def: &AssetDefinition) -> Result<()> {
        self.check(def)?;
        if self.slot_of(&def.id).is_some() {
            return Err(Error::DuplicateAsset {
                source_id: self.id.clone(),
                asset: def.id.to_string(),
            });
        }
        Ok(())
    }

    /// Adds an asset at revision 1.
    #[cfg(test)]
    pub fn add(&mut self, def: AssetDefinition) -> Result<()> {
        self.add_at(def, 1)
    }

    /// Adds an asset at `revision` (restoring a stored source).
    pub fn add_at(&mut self, def: AssetDefinition, revision: u64) -> Result<()> {
        self.check(&def)?;
        // Slot numbers are u32 (u32::MAX marks superseded text records).
        let Some(slot) = u32::try_from(self.slots.len())
            .ok()
            .filter(|s| *s < u32::MAX)
        else {
            return Err(Error::InvalidAsset(format!(
                "source `{}` is full ({} slots)",
                self.id,
                u32::MAX
            )));
        };
        let hash = self.ids.hash(&def.id);
        let slots = &self.slots;
        if self.ids.find(hash, |s| has_id(slots, s, &def.id)).is_some() {
            return Err(Error::DuplicateAsset {
                source_id: self.id.clone(),
                asset: def.id.to_string(),
            });
        }
        self.ids.insert_new(hash, slot);
        self.slots.push(Some(def));
        self.revisions.push(revision);
        self.live += 1;
        // Every index catches up with the new slot at the next query that uses it.
        Ok(())
    }

    /// The revision of asset `id`.
    pub fn revision(&self, id: &str) -> Option<u64> {
        self.slot_of(id).map(|s| self.revisions[s])
    }

    /// Checks that `def` could replace an existing asset; its current revision.
    pub fn check_update(&self, def: &AssetDefinition) -> Result<u64> {
        self.check(def)?;
        self.revision(&def.id)
            .ok_or_else(|| self.not_found(&def.id))
    }

    /// Replaces an asset, one revision later; returns the new revision.
    #[cfg(test)]
    pub fn update(&mut self, def: AssetDefinition) -> Result<u64> {
        let next = self.check_update(&def)? + 1;
        self.update_to(def, next)?;
        Ok(next)
    }

    /// Replaces an asset, setting its revision to `revision`.
    pub fn update_to(&mut self, def: AssetDefinition, revision: u64) -> Result<()> {
        self.check(&def)?;
        let slot = self
            .slot_of(&def.id)
            .ok_or_else(|| self.not_found(&def.id))?;
        self.revisions[slot] = revision;
        // Every index that covers the slot takes the change in; the word index catches up
        // with the text index's new record at the next query.
        if let Some(text) = &mut self.text
            && slot < text.covered()
        {
            text.push(slot as u32, Some(&def));
            if text.mostly_superseded() {
                // More stale texts than current ones: rebuild at the next query.
                self.text = None;
                self.words = None;
            }
        }
        if let Some(old) = &self.slots[slot] {
            for (key, index) in &mut self.metas {
                index.update(slot, old, &def, key);
            }
            self.sorts
                .retain(|key, index| index.take_out(slot, old, key));
        }
        self.facets.retain(|_, index| index.update(slot, &def));
        self.slots[slot] = Some(def);
        Ok(())
    }

    pub fn remove(&mut self, id: &str) -> Result<AssetDefinition> {
        let slots = &self.slots;
        let Some(slot) = self.ids.remove(id, |s| has_id(slots, s, id)) else {
            return Err(self.not_found(id));
        };
        let slot = slot as usize;
        let def = self.slots[slot].take().ok_or_else(|| self.not_found(id))?;
        self.live -= 1;
        // A sort over some text values turns numeric when the last of them goes: it is
        // rebuilt then.
        self.sorts
            .retain(|key, index| index.remove(slot, &def, key));
        // Every index skips dead slots, so they all stay valid.
        if self.slots.len() > 1024 && self.live * 2 < self.slots.len() {
            self.compact();
        }
        Ok(def)
    }

    fn compact(&mut self) {
        let slots = &self.slots;
        let mut keep = slots.iter().map(Option::is_some);
        self.revisions.retain(|_| keep.next().unwrap_or(false));
        self.slots.retain(Option::is_some);
        self.ids.clear();
        for (slot, def) in self.slots.iter().flatten().enumerate() {
            self.ids.insert_new(self.ids.hash(&def.id), slot as u32);
        }
        self.drop_indexes();
    }

    fn drop_indexes(&mut self) {
        self.text = None;
        self.words = None;
        self.sorts.clear();
        self.metas.clear();
        self.facets.clear();
    }

    /// Asset `id` as a result resolved for `locale`.
    pub fn fetch(&self, id: &str, locale: Option<&str>) -> Option<AssetResult> {
        let slot = self.slot_of(id)?;
        let def = self.slots[slot].as_ref()?;
        Some(self.result(def, self.revisions[slot], locale))
    }

    pub fn definitions(&self) -> impl Iterator<Item = &AssetDefinition> {
        self.slots.iter().flatten()
    }

    /// The definitions with their revisions, in insertion order.
    pub fn definitions_with_revisions(&self) -> impl Iterator<Item = (&AssetDefinition, u64)> {
        self.slots
            .iter()
            .zip(&self.revisions)
            .filter_map(|(d, r)| d.as_ref().map(|d| (d, *r)))
    }

    pub fn groups(&self) -> Vec<String> {
        let mut seen = indexmap::IndexSet::new();
        for def in self.definitions() {
            seen.extend(def.groups.iter().map(|g| g.as_str()));
        }
        seen.into_iter().map(str::to_string).collect()
    }

    pub fn result(
        &self,
        def: &AssetDefinition,
        revision: u64,
        locale: Option<&str>,
    ) -> AssetResult {
        // Empty labels, tags and locales are left out, as the reference engine does.
        AssetResult {
            id: def.id.clone(),
            label: resolve(&def.label, locale)
                .filter(|l| !l.is_empty())
                .cloned(),
            tags: resolve(&def.tags, locale)
                .filter(|t| !t.is_empty())
                .cloned(),
            locale: locale.filter(|l| !l.is_empty()).map(Into::into),
            groups: def.groups.clone(),
            meta: def.meta.clone(),
            payload: def.payload.clone(),
            active: false,
            context: AssetContext {
                source_id: self.id.clone(),
            },
            revision,
            credits: def
                .credits
                .as_deref()
                .or(self.options.credits.as_ref())
                .cloned(),
            license: def
                .license
                .as_deref()
                .or(self.options.license.as_ref())
                .cloned(),
            utm: def.utm.as_deref().cloned(),
        }
    }

    /// Brings the text index up to date with the slots added since it was last used.
    fn catch_up_text(&mut self) {
        self.text
            .get_or_insert_with(TextIndex::default)
            .catch_up(&self.slots);
    }

    /// Brings the word index up to date (after [`Self::catch_up_text`]).
    fn catch_up_words(&mut self) {
        let Some(text) = &self.text else { return };
        self.words
            .get_or_insert_with(WordIndex::default)
            .catch_up(text, &self.slots);
    }

    /// The indexes `query` can use, fresh or not.
    fn needs(query: &AssetQuery) -> Needs {
        let locale = query.locale.as_deref();
        let default_locale = locale.is_none_or(|l| l == "en");
        let words = !query_words(query.query.as_deref().unwrap_or("")).is_empty();
        let mut meta_keys = Vec::new();
        fn meta_keys_of(filter: &AssetFilter, out: &mut Vec<String>) {
            match filter {
                AssetFilter::Contains { property, .. } | AssetFilter::Equals { property, .. } => {
                    if let Ok(Field::Meta(key)) = Field::parse(property) {
                        out.push(key);
                    }
                }
                AssetFilter::And(v) | AssetFilter::Or(v) => {
                    v.iter().for_each(|f| meta_keys_of(f, out));
                }
                AssetFilter::Not(f) => meta_keys_of(f, out),
            }
        }
        if default_locale {
            query
                .filter
                .iter()
                .for_each(|f| meta_keys_of(f, &mut meta_keys));
        }
        Needs {
            text: default_locale && (words || !query.tags.is_empty() || !query.filter.is_empty()),
            words: default_locale && words,
            meta_keys,
            sort_key: query
                .sort_key
                .clone()
                .filter(|_| query.sorting_order != SortingOrder::None),
            facets: query
                .facets
                .iter()
                .filter_map(|name| Some((name.clone(), Field::parse(name).ok()?)))
                .filter(|(_, field)| default_locale && !matches!(field, Field::Label | Field::Id))
                .collect(),
        }
    }

    fn text_fresh(&self) -> Option<&TextIndex> {
        self.text
            .as_ref()
            .filter(|t| t.covered() == self.slots.len())
    }

    fn words_fresh(&self) -> Option<&WordIndex> {
        let text = self.text_fresh()?;
        self.words
            .as_ref()
            .filter(|w| w.covered() == text.records())
    }

    fn meta_fresh(&self, key: &str) -> Option<&MetaIndex> {
        self.metas
            .get(key)
            .filter(|m| m.covered == self.slots.len())
    }

    fn sort_fresh(&self, key: &str) -> Option<&SortIndex> {
        self.sorts
            .get(key)
            .filter(|s| s.covered == self.slots.len() && s.pending.is_empty())
    }

    fn facet_fresh(&self, name: &str) -> Option<&FacetIndex> {
        self.facets
            .get(name)
            .filter(|f| f.covered() == self.slots.len())
    }

    /// Whether every index `query` can use is up to date, so [`Self::find`] answers it at
    /// full speed under a shared lock.
    pub fn is_prepared(&self, query: &AssetQuery) -> bool {
        let needs = Self::needs(query);
        (!needs.text || self.text_fresh().is_some())
            && (!needs.words || self.words_fresh().is_some())
            && needs.meta_keys.iter().all(|k| self.meta_fresh(k).is_some())
            && needs.sort_key.is_none_or(|k| self.sort_fresh(&k).is_some())
            && needs
                .facets
                .iter()
                .all(|(n, _)| self.facet_fresh(n).is_some())
    }

    /// Builds or catches up every index `query` can use.
    pub fn prepare(&mut self, query: &AssetQuery) {
        let needs = Self::needs(query);
        if needs.text {
            self.catch_up_text();
        }
        if needs.words {
            self.catch_up_words();
        }
        // One query builds at most the cap of each kind; the rest it checks asset by asset.
        for key in needs.meta_keys.into_iter().take(MAX_INDEXES_PER_KIND) {
            self.ticks += 1;
            self.prepared.insert(format!("m:{key}"), self.ticks);
            let index = self.metas.entry(key.clone()).or_default();
            index.catch_up(&self.slots, &key);
        }
        if let Some(key) = needs.sort_key {
            self.ticks += 1;
            self.prepared.insert(format!("s:{key}"), self.ticks);
            if self.sort_fresh(&key).is_none() {
                let previous = self.sorts.remove(&key);
                let index = build_sort_index(&self.slots, &key, previous);
                self.sorts.insert(key, index);
            }
        }
        for (name, field) in needs.facets.into_iter().take(MAX_INDEXES_PER_KIND) {
            self.ticks += 1;
            self.prepared.insert(format!("f:{name}"), self.ticks);
            self.facets
                .entry(name)
                .or_insert_with(|| FacetIndex::new(field))
                .catch_up(&self.slots);
        }
        evict(&mut self.metas, &self.prepared, "m:");
        evict(&mut self.sorts, &self.prepared, "s:");
        evict(&mut self.facets, &self.prepared, "f:");
        if self.prepared.len() > 8 * MAX_INDEXES_PER_KIND {
            let live: std::collections::HashSet<String> =
                (self.metas.keys().map(|k| format!("m:{k}")))
                    .chain(self.sorts.keys().map(|k| format!("s:{k}")))
                    .chain(self.facets.keys().map(|k| format!("f:{k}")))
                    .collect();
            self.prepared.retain(|k, _| live.contains(k));
        }
    }

    /// Answers `query`, from the indexes that are up to date (see [`Self::prepare`]) and by
    /// checking assets one by one for the rest.
    pub fn find(&self, query: &AssetQuery) -> Result<AssetQueryResult> {
        let (page, per_page) = query.validate()?;
        let words = query_words(query.query.as_deref().unwrap_or(""));
        let locale = query.locale.as_deref();
        // The default-locale indexes serve any locale that resolves the same way.
        let default_locale = locale.is_none_or(|l| l == "en");
        let tags: Vec<String> = query.tags.iter().map(|t| fold_case(t)).collect();
        let filters: Vec<Compiled> = query
            .filter
            .iter()
            .map(Compiled::new)
            .collect::<Result<_>>()?;
        // In the default locale, words, tags and most filters are answered from the indexes
        // as slot bitmaps; whatever they cannot answer is checked asset by asset below.
        let n = self.slots.len();
        let mut candidates: Option<Vec<bool>> = None;
        let mut unindexed: Vec<&Compiled> = filters.iter().collect();
        let (mut words_done, mut tags_done) = (words.is_empty(), tags.is_empty());
        let text_index = self.text_fresh().filter(|_| default_locale);
        if let Some(text) = text_index {
            if !words_done && let Some(index) = self.words_fresh() {
                for w in &words {
                    let mut hits = vec![false; n];
                    index.mark(text, w, &mut hits);
                    and_bitmap(&mut candidates, hits);
                }
                words_done = true;
            }
            if !tags_done && tags.iter().all(|t| searchable(t)) {
                for t in &tags {
                    let mut hits = vec![false; n];
                    text.mark_field(t, TextField::Tags, true, &mut hits);
                    and_bitmap(&mut candidates, hits);
                }
                tags_done = true;
            }
            let mut rest = Vec::new();
            for f in &filters {
                match self.bitmap(f) {
                    Some(hits) => and_bitmap(&mut candidates, hits),
                    None => rest.push(f),
                }
            }
            unindexed = rest;
        }

        let needs_text = !words_done || !tags_done || !unindexed.is_empty();
        let by_group = !query.groups.is_empty() || !query.exclude_groups.is_empty();
        let accepts = |slot: usize, def: &AssetDefinition| -> bool {
            if by_group {
                if !query.groups.is_empty()
                    && !def
                        .groups
                        .iter()
                        .all(|g| query.groups.iter().any(|q| q == g))
                {
                    return false;
                }
                if def
                    .groups
                    .iter()
                    .any(|g| query.exclude_groups.iter().any(|q| q == g))
                {
                    return false;
                }
            }
            if !needs_text {
                return true;
            }
            let folded = match text_index {
                Some(text) => text.folded(slot),
                None => Folded::of(def, locale),
            };
            (tags_done || tags.iter().all(|t| folded.tags().any(|have| have == t)))
                && (words_done || words.iter().all(|w| folded.text.contains(w.as_str())))
                && unindexed.iter().all(|f| f.eval(def, &folded))
        };
        let mut matches: Vec<usize> = match &candidates {
            // Nothing to check and no gaps: every slot matches, without touching the assets.
            None if !needs_text && !by_group && self.live == n => (0..n).collect(),
            None => (0..n)
                .filter(|s| self.slots[*s].as_ref().is_some_and(|d| accepts(*s, d)))
                .collect(),
            Some(hits) => hits
                .iter()
                .enumerate()
                .filter(|(s, hit)| **hit && self.slots[*s].as_ref().is_some_and(|d| accepts(*s, d)))
                .map(|(s, _)| s)
                .collect(),
        };

        let mut facets = IndexMap::new();
        for name in &query.facets {
            if facets.contains_key(name) {
                continue;
            }
            let field = Field::parse(name)?;
            let index = self.facet_fresh(name).filter(|_| default_locale);
            let mut values = if let Some(index) = index {
                index.count(&matches)
            } else {
                // Labels and ids are mostly distinct: they have no index.
                let mut counts: HashMap<Cow<'_, str>, usize> = HashMap::new();
                for def in matches.iter().filter_map(|s| self.slots[*s].as_ref()) {
                    for_each_value(&field, def, locale, |v| *counts.entry(v).or_default() += 1);
                }
                counts
                    .into_iter()
                    .map(|(value, count)| FacetValue {
                        value: value.into_owned(),
                        count,
                    })
                    .collect()
            };
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            facets.insert(name.clone(), values);
        }

        match (&query.sort_key, query.sorting_order) {
            (_, SortingOrder::None) => {}
            (Some(key), order) => matches = self.sorted(key, order, matches)?,
            // An order without a key orders by insertion, as the reference engine does.
            (None, SortingOrder::Descending) => matches.reverse(),
            (None, SortingOrder::Ascending) => {}
        }

        let total = matches.len();
        let start = page.saturating_mul(per_page).min(total);
        let end = start.saturating_add(per_page).min(total);
        let assets = matches[start..end]
            .iter()
            .filter_map(|s| self.slots[*s].as_ref().map(|d| (d, self.revisions[*s])))
            .map(|(def, revision)| self.result(def, revision, locale))
            .collect();
        Ok(AssetQueryResult {
            assets,
            current_page: page as u32,
            // Lazily and checked: `page` may be u32::MAX (then there is no next page).
            next_page: (end < total)
                .then(|| (page as u32).checked_add(1))
                .flatten(),
            total,
            facets,
        })
    }

    /// The slots a filter selects, from the indexes; `None` when it needs a per-asset check.
    fn bitmap(&self, filter: &Compiled) -> Option<Vec<bool>> {
        let n = self.slots.len();
        match filter {
            Compiled::Test {
                field,
                needle,
                contains,
            } if searchable(needle) => {
                let mut hits = vec![false; n];
                match field {
                    Field::Label | Field::Tags => {
                        let f = if *field == Field::Label {
                            TextField::Label
                        } else {
                            TextField::Tags
                        };
                        self.text_fresh()?
                            .mark_field(needle, f, !contains, &mut hits);
                    }
                    Field::Meta(key) => {
                        self.meta_fresh(key)?.mark(needle, !contains, &mut hits);
                    }
                    Field::Id | Field::Groups => return None,
                }
                Some(hits)
            }
            Compiled::Test { .. } => None,
            Compiled::And(v) | Compiled::Or(v) => {
                let is_and = matches!(filter, Compiled::And(_));
                let parts: Vec<Vec<bool>> =
                    v.iter().map(|f| self.bitmap(f)).collect::<Option<_>>()?;
                let mut out = vec![is_and; n];
                for p in parts {
                    for (o, h) in out.iter_mut().zip(p) {
                        *o = if is_and { *o && h } else { *o || h };
                    }
                }
                Some(out)
            }
            Compiled::Not(f) => Some(self.bitmap(f)?.into_iter().map(|h| !h).collect()),
        }
    }

    /// Orders `matches` (in slot order) by the sort key; stable, lacking keys last. A key
    /// no asset of the source has is an error, as in the reference engine.
    fn sorted(&self, key: &str, order: SortingOrder, matches: Vec<usize>) -> Result<Vec<usize>> {
        let built;
        let index = match self.sort_fresh(key) {
            Some(index) => index,
            None => {
                built = build_sort_index(&self.slots, key, None);
                &built
            }
        };
        if !index.has_values() {
            return Err(Error::InvalidQuery {
                field: "sortKey".into(),
                value: key.to_string(),
                reason: format!("no asset of source `{}` has this key", self.id),
            });
        }
        Ok(index.order(order == SortingOrder::Descending, matches, self.slots.len()))
    }
}

/// Whether slot `slot` holds the asset `id`.
fn has_id(slots: &[Option<AssetDefinition>], slot: u32, id: &str) -> bool {
    slots[slot as usize].as_ref().is_some_and(|d| d.id == id)
}

/// Whether the text index can search for this folded text: not empty, and free of the
/// separators it uses.
fn searchable(needle: &str) -> bool {
    !needle.is_empty() && !needle.contains(['\0', '\x01'])
}

fn and_bitmap(acc: &mut Option<Vec<bool>>, hits: Vec<bool>) {
    *acc = Some(match acc.take() {
        None => hits,
        Some(prev) => prev.iter().zip(&hits).map(|(a, b)| *a && *b).collect(),
    });
}

fn mime_accepted(supported: &[String], mime: &str) -> bool {
    supported.iter().any(|s| {
        let s = s.to_ascii_lowercase();
        let m = mime.to_ascii_lowercase();
        s == m
            || s.strip_suffix("/*")
                .is_some_and(|p| m.starts_with(&format!("{p}/")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn source() -> LocalSource {
        let mut source = LocalSource::new("s", LocalSourceOptions::default());
        let colors = ["red", "Blue", "green"];
        for i in 0..60u32 {
            let mut def = AssetDefinition::new(format!("a{i}"))
                .with_label("en", &format!("Photo {} of the Sun", i % 7))
                .with_tags("en", &["sun", ["sea", "sky", "Café"][i as usize % 3]])
                .with_meta("color", colors[i as usize % 3])
                .with_groups(&[["g1", "g2"][i as usize % 2]]);
            if i % 5 != 0 {
                def = def.with_meta("rank", (i * 37) % 11);
            }
            source.add(def).unwrap();
        }
        source
    }

    /// Read-only queries naming thousands of distinct keys keep at most the cap of indexes
    /// of each kind, and still answer correctly.
    #[test]
    fn distinct_keys_in_queries_do_not_grow_indexes_without_bound() {
        let mut source = source();
        for i in 0..3_000 {
            let query = AssetQuery {
                facets: vec![format!("meta.k{i}")],
                sort_key: Some(format!("meta.s{i}")),
                sorting_order: SortingOrder::Ascending,
                filter: vec![AssetFilter::Equals {
                    property: format!("meta.f{i}"),
                    value: "x".into(),
                }],
                ..Default::default()
            };
            source.prepare(&query);
            // No asset has the sort key: refused, as the reference engine does, after the
            // indexes were built.
            let e = source.find(&query).unwrap_err();
            assert!(e.to_string().contains(&format!("meta.s{i}")), "{e}");
        }
        assert!(source.facets.len() <= MAX_INDEXES_PER_KIND);
        assert!(source.sorts.len() <= MAX_INDEXES_PER_KIND);
        assert!(source.metas.len() <= MAX_INDEXES_PER_KIND);
        assert!(source.prepared.len() <= 8 * MAX_INDEXES_PER_KIND + 3);
        // A hundred facets in one query: all counted, at most the cap indexed.
        let query = AssetQuery {
            facets: (0..100)
                .map(|i| format!("meta.x{i}"))
                .chain(["meta.color".into()])
                .collect(),
            ..Default::default()
        };
        source.prepare(&query);
        let result = source.find(&query).unwrap();
        assert_eq!(result.facets.len(), 101);
        assert!(source.facets.len() <= MAX_INDEXES_PER_KIND);
    }

    /// Indexes are only an acceleration: a source that was never prepared answers every
    /// query exactly as a prepared one does.
    #[test]
    fn unprepared_sources_answer_like_prepared_ones() {
        let text_filter = |property: &str, value: &str, equals: bool| {
            let (property, value) = (property.to_string(), value.to_string());
            if equals {
                AssetFilter::Equals { property, value }
            } else {
                AssetFilter::Contains { property, value }
            }
        };
        let queries = [
            AssetQuery {
                query: Some("photo sun".into()),
                ..Default::default()
            },
            AssetQuery {
                query: Some("CAFÉ".into()),
                tags: vec!["SUN".into()],
                ..Default::default()
            },
            AssetQuery {
                filter: vec![AssetFilter::Or(vec![
                    text_filter("meta.color", "blue", true),
                    AssetFilter::Not(Box::new(text_filter("label", "3", false))),
                ])],
                sort_key: Some("rank".into()),
                sorting_order: SortingOrder::Descending,
                ..Default::default()
            },
            AssetQuery {
                filter: vec![
                    text_filter("tags", "se", false),
                    text_filter("id", "a1", false),
                ],
                sort_key: Some("meta.color".into()),
                sorting_order: SortingOrder::Ascending,
                facets: vec!["tags".into(), "meta.color".into(), "groups".into()],
                ..Default::default()
            },
            AssetQuery {
                groups: vec!["g1".into()],
                facets: vec!["meta.rank".into(), "tags".into()],
                per_page: 7,
                page: 2,
                ..Default::default()
            },
        ];
        let mut prepared = source();
        for query in &queries {
            let unprepared = source();
            assert!(!unprepared.is_prepared(query) || query.query.is_none());
            prepared.prepare(query);
            assert!(prepared.is_prepared(query));
            assert_eq!(
                unprepared.find(query).unwrap(),
                prepared.find(query).unwrap(),
                "{query:?}"
            );
        }
        // Changes leave the indexes behind until the next prepare; answers stay exact.
        let change = |source: &mut LocalSource| {
            source.remove("a3").unwrap();
            let mut changed = AssetDefinition::new("a4").with_label("en", "Moon");
            changed.meta.insert("rank", Value::from("x"));
            source.update(changed).unwrap();
            source
                .add(AssetDefinition::new("z").with_label("en", "photo sun"))
                .unwrap();
        };
        change(&mut prepared);
        let mut fresh = source();
        change(&mut fresh);
        // The text index up to date, the word index not.
        prepared.prepare(&AssetQuery {
            tags: vec!["sun".into()],
            ..Default::default()
        });
        for query in &queries {
            let stale = prepared.find(query).unwrap();
            assert_eq!(stale, fresh.find(query).unwrap(), "{query:?}");
            prepared.prepare(query);
            assert_eq!(prepared.find(query).unwrap(), stale, "{query:?}");
        }
    }
}
