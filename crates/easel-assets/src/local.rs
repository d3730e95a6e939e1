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
use crate::text::{fold_case, query_words, resolve};
use crate::{Error, Result};
use indexmap::IndexMap;
use serde_json::Value;
use std::cmp::Ordering;
use std::collections::HashMap;

/// Folded label and tags in one locale.
#[derive(Clone, Debug, Default)]
struct Folded {
    label: String,
    tags: Vec<String>,
}

impl Folded {
    fn of(def: &AssetDefinition, locale: Option<&str>) -> Folded {
        Folded {
            label: resolve(&def.label, locale)
                .map(|l| fold_case(l))
                .unwrap_or_default(),
            tags: resolve(&def.tags, locale)
                .map(|t| t.iter().map(|t| fold_case(t)).collect())
                .unwrap_or_default(),
        }
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
}

impl TextIndex {
    fn push(&mut self, folded: Option<&Folded>) {
        self.starts.push(self.buf.len());
        if let Some(f) = folded {
            self.buf.push_str(&f.label);
            for t in &f.tags {
                self.buf.push('\0');
                self.buf.push_str(t);
            }
        }
        self.buf.push('\x01');
    }

    /// Marks the slots whose text contains `word`.
    fn mark(&self, word: &str, out: &mut [bool]) {
        for pos in memchr::memmem::find_iter(self.buf.as_bytes(), word.as_bytes()) {
            let slot = self.starts.partition_point(|s| *s <= pos) - 1;
            out[slot] = true;
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
        if self.index.contains_key(&def.id) {
            return Err(Error::DuplicateAsset {
                source_id: self.id.clone(),
                asset: def.id,
            });
        }
        let entry = Entry {
            default: Folded::of(&def, None),
            def,
        };
        if let Some(t) = &mut self.text {
            t.push(Some(&entry.default));
        }
        self.sorts.clear();
        self.index.insert(entry.def.id.clone(), self.slots.len());
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
        let text_hits = if !words.is_empty() && default_locale {
            let text = self.text.get_or_insert_with(|| {
                let mut t = TextIndex::default();
                for e in &self.slots {
                    t.push(e.as_ref().map(|e| &e.default));
                }
                t
            });
            let mut all: Option<Vec<bool>> = None;
            for w in &words {
                let mut hits = vec![false; self.slots.len()];
                text.mark(w, &mut hits);
                all = Some(match all {
                    None => hits,
                    Some(prev) => prev.iter().zip(&hits).map(|(a, b)| *a && *b).collect(),
                });
            }
            all
        } else {
            None
        };
        let tags: Vec<String> = query.tags.iter().map(|t| fold_case(t)).collect();
        let filters: Vec<&AssetFilter> = query.filter.iter().collect();
        let mut matches = Vec::new();
        for (slot, entry) in self.slots.iter().enumerate() {
            let Some(entry) = entry else { continue };
            if text_hits.as_ref().is_some_and(|h| !h[slot]) {
                continue;
            }
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
            if !tags.iter().all(|t| folded.tags.contains(t)) {
                continue;
            }
            if text_hits.is_none()
                && !words.iter().all(|w| {
                    folded.label.contains(w.as_str())
                        || folded.tags.iter().any(|t| t.contains(w.as_str()))
                })
            {
                continue;
            }
            if !filters.iter().all(|f| eval(f, def, folded)) {
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
            let mut counts: HashMap<String, usize> = HashMap::new();
            for slot in &matches {
                let Some(e) = &self.slots[*slot] else {
                    continue;
                };
                for v in field_values(&field, &e.def, locale) {
                    *counts.entry(v).or_default() += 1;
                }
            }
            let mut values: Vec<FacetValue> = counts
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
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
fn field_values(field: &Field, def: &AssetDefinition, locale: Option<&str>) -> Vec<String> {
    match field {
        Field::Label => resolve(&def.label, locale).cloned().into_iter().collect(),
        Field::Id => vec![def.id.clone()],
        Field::Tags => {
            let mut tags = resolve(&def.tags, locale).cloned().unwrap_or_default();
            tags.dedup();
            tags
        }
        Field::Groups => def.groups.clone(),
        Field::Meta(key) => def.meta_text(key).into_iter().collect(),
    }
}

fn eval(filter: &AssetFilter, def: &AssetDefinition, folded: &Folded) -> bool {
    let test = |property: &str, value: &str, contains: bool| -> bool {
        let needle = fold_case(value);
        let hit = |s: &str| {
            if contains {
                s.contains(needle.as_str())
            } else {
                s == needle
            }
        };
        match Field::parse(property) {
            Ok(Field::Label) => hit(&folded.label),
            Ok(Field::Id) => hit(&fold_case(&def.id)),
            Ok(Field::Tags) => folded.tags.iter().any(|t| hit(t)),
            Ok(Field::Groups) => def.groups.iter().any(|g| hit(&fold_case(g))),
            Ok(Field::Meta(key)) => def.meta_text(&key).is_some_and(|m| hit(&fold_case(&m))),
            Err(_) => false,
        }
    };
    match filter {
        AssetFilter::Contains { property, value } => test(property, value, true),
        AssetFilter::Equals { property, value } => test(property, value, false),
        AssetFilter::And(v) => v.iter().all(|f| eval(f, def, folded)),
        AssetFilter::Or(v) => v.iter().any(|f| eval(f, def, folded)),
        AssetFilter::Not(f) => !eval(f, def, folded),
    }
}
