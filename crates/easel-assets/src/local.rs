//! Local sources: assets kept in memory in insertion order, with indexes for fast search.
//!
//! Removal is O(1) (a tombstone plus a hash-map delete); tombstones are compacted once they
//! outnumber live assets. Two lazily built caches serve queries: a folded-text haystack for
//! the default locale (free-text words become substring scans over one buffer) and, per sort
//! key, the slots in key order. Adding extends the haystack in place; updates and
//! compaction drop the caches, and they are rebuilt on the next query that needs them.

use crate::definition::{AssetContext, AssetDefinition, AssetQueryResult, AssetResult, FacetValue};
use crate::query::{AssetFilter, AssetQuery, Field, SortingOrder};
use crate::store::LocalSourceOptions;
use crate::text::{fold_case, fold_into, query_words, resolve};
use crate::{Error, Result};
use indexmap::IndexMap;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Folded label and tags in one locale, in one string: `label \0 tag \0 tag …`. One
/// allocation per asset, and exactly the text the search haystack is made of. Query words
/// and tags never contain `\0`, so a substring match cannot straddle two fields.
#[derive(Clone, Debug, Default)]
struct Folded(String);

impl Folded {
    fn of(def: &AssetDefinition, locale: Option<&str>) -> Folded {
        let label = resolve(&def.label, locale);
        let tags = resolve(&def.tags, locale);
        // Sized up front (folding ASCII keeps lengths): one allocation, no regrowth.
        let capacity =
            label.map_or(0, String::len) + tags.map_or(0, |t| t.iter().map(|t| t.len() + 1).sum());
        let mut text = String::with_capacity(capacity);
        if let Some(label) = label {
            fold_into(label, &mut text);
        }
        for tag in tags.into_iter().flatten() {
            text.push('\0');
            fold_into(tag, &mut text);
        }
        Folded(text)
    }

    fn label(&self) -> &str {
        self.0.split('\0').next().unwrap_or_default()
    }

    fn tags(&self) -> impl Iterator<Item = &str> {
        self.0.split('\0').skip(1)
    }
}

#[derive(Debug)]
struct Entry {
    def: AssetDefinition,
    /// Folded strings for the default locale (`en`, then the first present).
    default: Folded,
}

/// The default-locale haystack: for every slot, `label \0 tag \0 tag … \x01`.
#[derive(Debug, Default)]
struct TextIndex {
    buf: String,
    starts: Vec<usize>,
    /// Where each slot's label ends (its first `\0`, or its `\x01`).
    label_ends: Vec<usize>,
}

/// Which part of an asset's text a search looks in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextField {
    Label,
    Tags,
}

impl TextIndex {
    fn push(&mut self, folded: Option<&Folded>) {
        let start = self.buf.len();
        self.starts.push(start);
        let label_len = folded.map_or(0, |f| f.label().len());
        self.label_ends.push(start + label_len);
        if let Some(f) = folded {
            self.buf.push_str(&f.0);
        }
        self.buf.push('\x01');
    }

    /// Marks the slots whose label (or one of whose tags) contains or equals `needle`.
    /// `needle` must be non-empty and free of the separators.
    fn mark_field(&self, needle: &str, field: TextField, equals: bool, out: &mut [bool]) {
        let bytes = self.buf.as_bytes();
        self.scan(needle, out, |slot, pos| {
            let end = pos + needle.len();
            let (start, label_end) = (self.starts[slot], self.label_ends[slot]);
            match (field, equals) {
                (TextField::Label, false) => end <= label_end,
                (TextField::Label, true) => pos == start && end == label_end,
                (TextField::Tags, false) => pos > label_end,
                (TextField::Tags, true) => {
                    pos > label_end
                        && bytes[pos - 1] == 0
                        && matches!(bytes.get(end), Some(0) | Some(1))
                }
            }
        });
    }

    /// Marks the slots whose text contains `word`.
    fn mark(&self, word: &str, out: &mut [bool]) {
        self.scan(word, out, |_, _| true);
    }

    /// Finds `needle` through the haystack in one forward pass; each match at `pos` in `slot`
    /// that `accept` takes marks the slot and skips to the next one (one hit per slot is
    /// enough, and frequent needles would otherwise cost a lookup per occurrence).
    fn scan(&self, needle: &str, out: &mut [bool], accept: impl Fn(usize, usize) -> bool) {
        let bytes = self.buf.as_bytes();
        let finder = memchr::memmem::Finder::new(needle.as_bytes());
        let (mut from, mut slot) = (0, 0);
        while let Some(found) = finder.find(&bytes[from..]) {
            let pos = from + found;
            while slot + 1 < self.starts.len() && self.starts[slot + 1] <= pos {
                slot += 1;
            }
            if accept(slot, pos) {
                out[slot] = true;
                match self.starts.get(slot + 1) {
                    Some(next) => from = *next,
                    None => break,
                }
            } else {
                from = pos + 1;
            }
        }
    }
}

/// For one meta key: each distinct folded value and the slots that have it.
#[derive(Debug, Default)]
struct MetaIndex {
    values: HashMap<String, Vec<usize>>,
}

impl MetaIndex {
    fn build(slots: &[Option<Entry>], key: &str) -> MetaIndex {
        let mut values: HashMap<String, Vec<usize>> = HashMap::new();
        for (slot, e) in slots.iter().enumerate() {
            if let Some(text) = e
                .as_ref()
                .and_then(|e| e.def.meta.get(key))
                .and_then(meta_text)
            {
                values
                    .entry(folded(&text).into_owned())
                    .or_default()
                    .push(slot);
            }
        }
        MetaIndex { values }
    }

    fn mark(&self, needle: &str, equals: bool, out: &mut [bool]) {
        let mut set = |slots: &Vec<usize>| slots.iter().for_each(|s| out[*s] = true);
        if equals {
            if let Some(slots) = self.values.get(needle) {
                set(slots);
            }
        } else {
            self.values
                .iter()
                .filter(|(v, _)| v.contains(needle))
                .for_each(|(_, slots)| set(slots));
        }
    }
}

/// Slots in sort-key order, with equal keys sharing a rank; slots lacking the key excluded.
#[derive(Debug)]
struct SortIndex {
    /// (rank, slot), sorted.
    order: Vec<(u32, usize)>,
}

#[derive(Debug)]
pub(crate) struct LocalSource {
    pub id: String,
    pub options: LocalSourceOptions,
    slots: Vec<Option<Entry>>,
    index: HashMap<String, usize>,
    text: Option<TextIndex>,
    sorts: HashMap<String, SortIndex>,
    metas: HashMap<String, MetaIndex>,
}

impl LocalSource {
    pub fn new(id: &str, options: LocalSourceOptions) -> Self {
        LocalSource {
            id: id.to_string(),
            options,
            slots: Vec::new(),
            index: HashMap::new(),
            text: None,
            sorts: HashMap::new(),
            metas: HashMap::new(),
        }
    }

    pub fn len(&self) -> usize {
        self.index.len()
    }

    fn check(&self, def: &AssetDefinition) -> Result<()> {
        if def.id.is_empty() {
            return Err(Error::InvalidAsset("an asset id must not be empty".into()));
        }
        let supported = &self.options.supported_mime_types;
        if let (false, Some(mime)) = (supported.is_empty(), def.meta_text("mimeType"))
            && !mime_accepted(supported, &mime)
        {
            return Err(Error::UnsupportedMimeType {
                source_id: self.id.clone(),
                asset: def.id.clone(),
                mime_type: mime,
                supported: supported.clone(),
            });
        }
        Ok(())
    }

    pub fn add(&mut self, def: AssetDefinition) -> Result<()> {
        self.check(&def)?;
        match self.index.entry(def.id.clone()) {
            std::collections::hash_map::Entry::Occupied(_) => {
                return Err(Error::DuplicateAsset {
                    source_id: self.id.clone(),
                    asset: def.id,
                });
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(self.slots.len());
            }
        }
        let entry = Entry {
            default: Folded::of(&def, None),
            def,
        };
        if let Some(t) = &mut self.text {
            t.push(Some(&entry.default));
        }
        self.sorts.clear();
        self.metas.clear();
        self.slots.push(Some(entry));
        Ok(())
    }

    pub fn update(&mut self, def: AssetDefinition) -> Result<()> {
        self.check(&def)?;
        let slot = *self
            .index
            .get(&def.id)
            .ok_or_else(|| Error::AssetNotFound {
                source_id: self.id.clone(),
                asset: def.id.clone(),
            })?;
        self.slots[slot] = Some(Entry {
            default: Folded::of(&def, None),
            def,
        });
        self.text = None;
        self.sorts.clear();
        self.metas.clear();
        Ok(())
    }

    pub fn remove(&mut self, id: &str) -> Result<AssetDefinition> {
        let slot = self.index.remove(id).ok_or_else(|| Error::AssetNotFound {
            source_id: self.id.clone(),
            asset: id.to_string(),
        })?;
        let entry = self.slots[slot].take();
        // Sort indexes skip dead slots, so they stay valid; the text index does too.
        if self.slots.len() > 1024 && self.index.len() * 2 < self.slots.len() {
            self.compact();
        }
        entry.map(|e| e.def).ok_or_else(|| Error::AssetNotFound {
            source_id: self.id.clone(),
            asset: id.to_string(),
        })
    }

    fn compact(&mut self) {
        self.slots.retain(Option::is_some);
        self.index = self
            .slots
            .iter()
            .enumerate()
            .filter_map(|(i, e)| e.as_ref().map(|e| (e.def.id.clone(), i)))
            .collect();
        self.text = None;
        self.sorts.clear();
        self.metas.clear();
    }

    pub fn get(&self, id: &str) -> Option<&AssetDefinition> {
        let slot = *self.index.get(id)?;
        self.slots[slot].as_ref().map(|e| &e.def)
    }

    pub fn definitions(&self) -> impl Iterator<Item = &AssetDefinition> {
        self.slots.iter().flatten().map(|e| &e.def)
    }

    pub fn groups(&self) -> Vec<String> {
        let mut seen = indexmap::IndexSet::new();
        for e in self.slots.iter().flatten() {
            seen.extend(e.def.groups.iter().cloned());
        }
        seen.into_iter().collect()
    }

    pub fn result(&self, def: &AssetDefinition, locale: Option<&str>) -> AssetResult {
        AssetResult {
            id: def.id.clone(),
            label: resolve(&def.label, locale).cloned(),
            tags: resolve(&def.tags, locale).cloned(),
            locale: locale.map(str::to_string),
            groups: def.groups.clone(),
            meta: def.meta.clone(),
            payload: def.payload.clone(),
            active: false,
            context: AssetContext {
                source_id: self.id.clone(),
            },
            credits: self.options.credits.clone(),
            license: self.options.license.clone(),
        }
    }

    pub fn find(&mut self, query: &AssetQuery) -> Result<AssetQueryResult> {
        let (page, per_page) = query.validate()?;
        let words = query_words(query.query.as_deref().unwrap_or(""));
        let locale = query.locale.as_deref();
        // The default-locale folded strings serve any locale that resolves the same way.
        let default_locale = locale.is_none_or(|l| l == "en");
        let tags: Vec<String> = query.tags.iter().map(|t| fold_case(t)).collect();
        let filters: Vec<Compiled> = query
            .filter
            .iter()
            .map(Compiled::new)
            .collect::<Result<_>>()?;
        // In the default locale, words, tags and most filters are answered from the indexes
        // as slot bitmaps; whatever they cannot answer is checked asset by asset below.
        let mut candidates: Option<Vec<bool>> = None;
        let mut unindexed: Vec<&Compiled> = filters.iter().collect();
        let (mut words_done, mut tags_done) = (false, false);
        if default_locale && (!words.is_empty() || !tags.is_empty() || !filters.is_empty()) {
            self.ensure_text_index();
            let n = self.slots.len();
            let text = self
                .text
                .as_ref()
                .unwrap_or_else(|| unreachable!("built above"));
            for w in &words {
                let mut hits = vec![false; n];
                text.mark(w, &mut hits);
                and_bitmap(&mut candidates, hits);
            }
            words_done = true;
            if tags.iter().all(|t| searchable(t)) {
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
        let mut matches = Vec::new();
        // With index answers, visit only the slots they selected.
        let visit: Box<dyn Iterator<Item = usize>> = match &candidates {
            Some(c) => Box::new(
                c.iter()
                    .enumerate()
                    .filter(|(_, hit)| **hit)
                    .map(|(slot, _)| slot),
            ),
            None => Box::new(0..self.slots.len()),
        };
        for slot in visit {
            let Some(entry) = &self.slots[slot] else {
                continue;
            };
            let def = &entry.def;
            if !query.groups.is_empty() && !def.groups.iter().all(|g| query.groups.contains(g)) {
                continue;
            }
            if def.groups.iter().any(|g| query.exclude_groups.contains(g)) {
                continue;
            }
            let other;
            let folded = if default_locale {
                &entry.default
            } else {
                other = Folded::of(def, locale);
                &other
            };
            if !tags_done && !tags.iter().all(|t| folded.tags().any(|have| have == t)) {
                continue;
            }
            if !words_done && !words.iter().all(|w| folded.0.contains(w.as_str())) {
                continue;
            }
            if !unindexed.iter().all(|f| f.eval(def, folded)) {
                continue;
            }
            matches.push(slot);
        }

        let mut facets = IndexMap::new();
        for name in &query.facets {
            if facets.contains_key(name) {
                continue;
            }
            let field = Field::parse(name)?;
            // Count borrowed values; only the distinct ones become owned strings.
            let mut counts: HashMap<Cow<'_, str>, usize> = HashMap::new();
            for slot in &matches {
                let Some(e) = &self.slots[*slot] else {
                    continue;
                };
                for_each_value(&field, &e.def, locale, |v| {
                    *counts.entry(v).or_default() += 1
                });
            }
            let mut values: Vec<FacetValue> = counts
                .into_iter()
                .map(|(value, count)| FacetValue {
                    value: value.into_owned(),
                    count,
                })
                .collect();
            values.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            facets.insert(name.clone(), values);
        }

        if let (Some(key), true) = (&query.sort_key, query.sorting_order != SortingOrder::None) {
            matches = self.sorted(key, query.sorting_order, matches);
        }

        let total = matches.len();
        let start = page.saturating_mul(per_page).min(total);
        let end = start.saturating_add(per_page).min(total);
        let assets = matches[start..end]
            .iter()
            .filter_map(|s| self.slots[*s].as_ref())
            .map(|e| self.result(&e.def, locale))
            .collect();
        Ok(AssetQueryResult {
            assets,
            current_page: page as u32,
            next_page: (end < total).then_some(page as u32 + 1),
            total,
            facets,
        })
    }

    fn ensure_text_index(&mut self) {
        if self.text.is_none() {
            let mut t = TextIndex::default();
            for e in &self.slots {
                t.push(e.as_ref().map(|e| &e.default));
            }
            self.text = Some(t);
        }
    }

    /// The slots a filter selects, from the indexes; `None` when it needs a per-asset check.
    fn bitmap(&mut self, filter: &Compiled) -> Option<Vec<bool>> {
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
                        self.text
                            .as_ref()?
                            .mark_field(needle, f, !contains, &mut hits);
                    }
                    Field::Meta(key) => {
                        let slots = &self.slots;
                        let index = self
                            .metas
                            .entry(key.clone())
                            .or_insert_with(|| MetaIndex::build(slots, key));
                        index.mark(needle, !contains, &mut hits);
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

    /// Orders `matches` (in slot order) by the sort key; stable, lacking keys last.
    fn sorted(&mut self, key: &str, order: SortingOrder, matches: Vec<usize>) -> Vec<usize> {
        let index = self
            .sorts
            .entry(key.to_string())
            .or_insert_with(|| build_sort_index(&self.slots, key));
        let mut wanted = vec![false; self.slots.len()];
        for m in &matches {
            wanted[*m] = true;
        }
        let mut out = Vec::with_capacity(matches.len());
        let keyed = index.order.iter().filter(|(_, s)| wanted[*s]);
        match order {
            SortingOrder::Descending => {
                // Reverse the ranks but keep insertion order within equal keys.
                let list: Vec<(u32, usize)> = keyed.copied().collect();
                let mut end = list.len();
                while end > 0 {
                    let rank = list[end - 1].0;
                    let start = list[..end].partition_point(|(r, _)| *r < rank);
                    out.extend(list[start..end].iter().map(|(_, s)| *s));
                    end = start;
                }
            }
            _ => out.extend(keyed.map(|(_, s)| *s)),
        }
        for (_, s) in &index.order {
            wanted[*s] = false;
        }
        out.extend(matches.into_iter().filter(|m| wanted[*m]));
        out
    }
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

enum SortValue {
    Number(f64),
    Text(String),
}

fn build_sort_index(slots: &[Option<Entry>], key: &str) -> SortIndex {
    // `meta.rank` and `rank` name the same meta key.
    let key = key.strip_prefix("meta.").unwrap_or(key);
    let mut keyed: Vec<(SortValue, usize)> = Vec::new();
    for (slot, e) in slots.iter().enumerate() {
        let Some(e) = e else { continue };
        let value = if key == "id" {
            Some(SortValue::Text(e.def.id.clone()))
        } else if key == "label" {
            resolve(&e.def.label, None).map(|l| SortValue::Text(l.clone()))
        } else {
            match e.def.meta.get(key) {
                None | Some(Value::Null) => None,
                Some(Value::Number(n)) => n.as_f64().map(SortValue::Number),
                Some(_) => e.def.meta_text(key).map(SortValue::Text),
            }
        };
        if let Some(v) = value {
            keyed.push((v, slot));
        }
    }
    let numeric = keyed.iter().all(|(v, _)| matches!(v, SortValue::Number(_)));
    let cmp = |a: &SortValue, b: &SortValue| -> Ordering {
        match (a, b) {
            (SortValue::Number(x), SortValue::Number(y)) if numeric => x.total_cmp(y),
            _ => text_of(a).cmp(&text_of(b)),
        }
    };
    keyed.sort_by(|a, b| cmp(&a.0, &b.0).then(a.1.cmp(&b.1)));
    let mut order = Vec::with_capacity(keyed.len());
    let mut rank = 0u32;
    for i in 0..keyed.len() {
        if i > 0 && cmp(&keyed[i - 1].0, &keyed[i].0) != Ordering::Equal {
            rank += 1;
        }
        order.push((rank, keyed[i].1));
    }
    SortIndex { order }
}

fn text_of(v: &SortValue) -> std::borrow::Cow<'_, str> {
    match v {
        SortValue::Number(n) => std::borrow::Cow::Owned(Value::from(*n).to_string()),
        SortValue::Text(t) => std::borrow::Cow::Borrowed(t),
    }
}

/// The raw values of a field, for facets (original case; tags in the query's locale).
/// Calls `f` with each value of a field (original case; tags in the query's locale, each
/// distinct tag once per asset).
fn for_each_value<'a>(
    field: &Field,
    def: &'a AssetDefinition,
    locale: Option<&str>,
    mut f: impl FnMut(Cow<'a, str>),
) {
    match field {
        Field::Label => resolve(&def.label, locale)
            .into_iter()
            .for_each(|l| f(Cow::Borrowed(l))),
        Field::Id => f(Cow::Borrowed(&def.id)),
        Field::Tags => {
            let tags = resolve(&def.tags, locale).map_or(&[][..], Vec::as_slice);
            for (i, t) in tags.iter().enumerate() {
                if !tags[..i].contains(t) {
                    f(Cow::Borrowed(t));
                }
            }
        }
        Field::Groups => def.groups.iter().for_each(|g| f(Cow::Borrowed(g))),
        Field::Meta(key) => {
            if let Some(v) = def.meta.get(key).and_then(meta_text) {
                f(v);
            }
        }
    }
}

/// Text in folded form, borrowed when it already is (ASCII without capitals).
fn folded(text: &str) -> Cow<'_, str> {
    if text
        .bytes()
        .all(|b| b.is_ascii() && !b.is_ascii_uppercase())
    {
        Cow::Borrowed(text)
    } else {
        Cow::Owned(fold_case(text))
    }
}

/// A meta value's plain text form, borrowed for strings.
fn meta_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_string())),
    }
}

/// A filter with its properties parsed and its text folded once per query.
enum Compiled {
    Test {
        field: Field,
        needle: String,
        contains: bool,
    },
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    Not(Box<Compiled>),
}

impl Compiled {
    fn new(filter: &AssetFilter) -> Result<Compiled> {
        let all = |v: &[AssetFilter]| v.iter().map(Compiled::new).collect::<Result<Vec<_>>>();
        Ok(match filter {
            AssetFilter::Contains { property, value } => Compiled::Test {
                field: Field::parse(property)?,
                needle: fold_case(value),
                contains: true,
            },
            AssetFilter::Equals { property, value } => Compiled::Test {
                field: Field::parse(property)?,
                needle: fold_case(value),
                contains: false,
            },
            AssetFilter::And(v) => Compiled::And(all(v)?),
            AssetFilter::Or(v) => Compiled::Or(all(v)?),
            AssetFilter::Not(f) => Compiled::Not(Box::new(Compiled::new(f)?)),
        })
    }

    fn eval(&self, def: &AssetDefinition, text: &Folded) -> bool {
        match self {
            Compiled::Test {
                field,
                needle,
                contains,
            } => {
                let hit = |s: &str| {
                    if *contains {
                        s.contains(needle.as_str())
                    } else {
                        s == needle
                    }
                };
                match field {
                    Field::Label => hit(text.label()),
                    Field::Id => hit(&folded(&def.id)),
                    Field::Tags => text.tags().any(hit),
                    Field::Groups => def.groups.iter().any(|g| hit(&folded(g))),
                    Field::Meta(key) => def
                        .meta
                        .get(key)
                        .and_then(meta_text)
                        .is_some_and(|m| hit(&folded(&m))),
                }
            }
            Compiled::And(v) => v.iter().all(|f| f.eval(def, text)),
            Compiled::Or(v) => v.iter().any(|f| f.eval(def, text)),
            Compiled::Not(f) => !f.eval(def, text),
        }
    }
}
