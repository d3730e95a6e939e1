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
use crate::text::{fold_case, fold_into, is_word_char, query_words, resolve};
use crate::{Error, Result};
use compact_str::CompactString;
use hashbrown::HashTable;
use indexmap::IndexMap;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;
use std::collections::HashMap;
use std::hash::{BuildHasher, RandomState};

/// An asset's folded label and tags in one locale: `label \0 tag \0 tag …`, and where the
/// label ends. Query words and tags never contain `\0`, so a substring match cannot straddle
/// two fields.
struct Folded<'a> {
    text: Cow<'a, str>,
    label_len: usize,
}

impl Folded<'_> {
    fn of(def: &AssetDefinition, locale: Option<&str>) -> Folded<'static> {
        let mut text = String::new();
        let label_len = fold_asset(def, locale, &mut text);
        Folded {
            text: Cow::Owned(text),
            label_len,
        }
    }

    fn label(&self) -> &str {
        &self.text[..self.label_len]
    }

    fn tags(&self) -> impl Iterator<Item = &str> {
        self.text[self.label_len..].split('\0').skip(1)
    }
}

/// Appends `label \0 tag \0 tag …` folded, in `locale`, to `out`; returns the label's length.
fn fold_asset(def: &AssetDefinition, locale: Option<&str>, out: &mut String) -> usize {
    let label = resolve(&def.label, locale);
    let tags = resolve(&def.tags, locale);
    // Sized up front (folding ASCII keeps lengths): no regrowth in the common case.
    out.reserve(
        label.map_or(0, |l| l.len()) + tags.map_or(0, |t| t.iter().map(|t| t.len() + 1).sum()),
    );
    let start = out.len();
    if let Some(label) = label {
        fold_into(label, out);
    }
    let label_len = out.len() - start;
    for tag in tags.into_iter().flatten() {
        out.push('\0');
        fold_into(tag, out);
    }
    label_len
}

/// Marks a record that no longer describes a slot (its asset was updated since).
const SUPERSEDED: u32 = u32::MAX;

/// The default-locale haystack: one record per asset text, `label \0 tag \0 tag … \x01`,
/// in the order they were indexed. Updating an asset appends a new record for its slot and
/// supersedes the old one, so updates never force a rebuild. Removed assets keep their
/// records (the slot is dead, so hits on it are dropped).
#[derive(Debug, Default)]
struct TextIndex {
    buf: String,
    /// Where each record starts in `buf`.
    starts: Vec<usize>,
    /// Where each record's label ends.
    label_ends: Vec<usize>,
    /// The slot each record describes, or [`SUPERSEDED`].
    record_slot: Vec<u32>,
    /// The current record of each indexed slot.
    slot_record: Vec<u32>,
    /// How many records were superseded.
    superseded: usize,
}

/// Which part of an asset's text a search looks in.
#[derive(Clone, Copy, PartialEq, Eq)]
enum TextField {
    Label,
    Tags,
}

impl TextIndex {
    /// How many slots are indexed.
    fn covered(&self) -> usize {
        self.slot_record.len()
    }

    /// How many records there are.
    fn records(&self) -> usize {
        self.starts.len()
    }

    /// Indexes the text of `slot` (the next slot, or an indexed one whose asset changed).
    fn push(&mut self, slot: u32, def: Option<&AssetDefinition>) {
        let record = self.starts.len() as u32;
        let start = self.buf.len();
        self.starts.push(start);
        let label_len = def.map_or(0, |d| fold_asset(d, None, &mut self.buf));
        self.label_ends.push(start + label_len);
        self.buf.push('\x01');
        self.record_slot.push(slot);
        match self.slot_record.get_mut(slot as usize) {
            Some(old) => {
                self.record_slot[*old as usize] = SUPERSEDED;
                *old = record;
                self.superseded += 1;
            }
            None => self.slot_record.push(record),
        }
    }

    /// The folded text of record `record`.
    fn record_text(&self, record: usize) -> Folded<'_> {
        let start = self.starts[record];
        // Every record ends with its `\x01`.
        let end = self
            .starts
            .get(record + 1)
            .copied()
            .unwrap_or(self.buf.len())
            - 1;
        Folded {
            text: Cow::Borrowed(&self.buf[start..end]),
            label_len: self.label_ends[record] - start,
        }
    }

    /// The folded text of an indexed slot.
    fn folded(&self, slot: usize) -> Folded<'_> {
        self.record_text(self.slot_record[slot] as usize)
    }

    /// Marks the slots whose label (or one of whose tags) contains or equals `needle`.
    /// `needle` must be non-empty and free of the separators.
    fn mark_field(&self, needle: &str, field: TextField, equals: bool, out: &mut [bool]) {
        let bytes = self.buf.as_bytes();
        let accept = |record: usize, pos: usize| {
            let end = pos + needle.len();
            let (start, label_end) = (self.starts[record], self.label_ends[record]);
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
        };
        scan(&self.buf, &self.starts, needle, accept, |record| {
            self.mark_record(record as u32, out)
        });
    }

    /// Marks the slot record `record` describes, unless it was superseded.
    fn mark_record(&self, record: u32, out: &mut [bool]) {
        let slot = self.record_slot[record as usize];
        if slot != SUPERSEDED {
            out[slot as usize] = true;
        }
    }
}

/// Finds `needle` through `buf`, made of the records starting at `starts`, in one forward
/// pass; each match at `pos` in record `i` that `accept` takes reports `hit(i)` and skips to
/// the next record (one hit per record is enough, and frequent needles would otherwise cost
/// a check per occurrence).
fn scan(
    buf: &str,
    starts: &[usize],
    needle: &str,
    accept: impl Fn(usize, usize) -> bool,
    mut hit: impl FnMut(usize),
) {
    let bytes = buf.as_bytes();
    let finder = memchr::memmem::Finder::new(needle.as_bytes());
    let (mut from, mut record) = (0, 0);
    while let Some(found) = finder.find(&bytes[from..]) {
        let pos = from + found;
        while record + 1 < starts.len() && starts[record + 1] <= pos {
            record += 1;
        }
        if accept(record, pos) {
            hit(record);
            match starts.get(record + 1) {
                Some(next) => from = *next,
                None => break,
            }
        } else {
            from = pos + 1;
        }
    }
}

/// A hash table of numbers (slots, word numbers) keyed by text stored elsewhere. Each entry
/// keeps 32 bits of its key's hash, so growing the table never reads the keys again (at a
/// million assets, re-reading them was a tenth of the time spent adding). Keys are hashed
/// with SipHash under a random key: they come from users.
#[derive(Debug, Default)]
struct KeyTable {
    /// (number, hash of its key).
    table: HashTable<(u32, u32)>,
    hasher: RandomState,
}

impl KeyTable {
    fn hash(&self, key: &str) -> u32 {
        (self.hasher.hash_one(key) >> 32) as u32
    }

    /// The table position for a stored 32-bit hash: spread over 64 bits, as the table
    /// takes its bucket from the low bits and a tag from the top ones.
    fn spread(hash: u32) -> u64 {
        u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// The number whose key hashes to `hash` (from [`Self::hash`]) and passes `is`.
    fn find(&self, hash: u32, is: impl Fn(u32) -> bool) -> Option<u32> {
        self.table
            .find(Self::spread(hash), |(n, h)| *h == hash && is(*n))
            .map(|(n, _)| *n)
    }

    /// Files `n` under a key hashing to `hash` that is not in the table yet.
    fn insert_new(&mut self, hash: u32, n: u32) {
        self.table
            .insert_unique(Self::spread(hash), (n, hash), |(_, h)| Self::spread(*h));
    }

    /// Removes and returns the number whose key is `key`.
    fn remove(&mut self, key: &str, is: impl Fn(u32) -> bool) -> Option<u32> {
        let h = self.hash(key);
        match self
            .table
            .find_entry(Self::spread(h), |(n, nh)| *nh == h && is(*n))
        {
            Ok(entry) => Some(entry.remove().0.0),
            Err(_) => None,
        }
    }

    fn clear(&mut self) {
        self.table.clear();
    }
}

/// The distinct words of the text index's records, each with the records that have it.
#[derive(Debug, Default)]
struct WordIndex {
    /// The words, each followed by `\0`.
    vocab: String,
    /// Where each word starts in `vocab`.
    starts: Vec<usize>,
    /// Word numbers by the word's text.
    lookup: KeyTable,
    /// For each word, the records whose text has it, ascending and distinct.
    postings: Vec<Vec<u32>>,
    /// How many records are indexed.
    covered: usize,
}

impl WordIndex {
    /// Indexes the words of record `record`'s folded text.
    fn push(&mut self, record: u32, text: &str) {
        for word in text.split(|c: char| !is_word_char(c)) {
            if word.is_empty() {
                continue;
            }
            let (vocab, starts) = (&self.vocab, &self.starts);
            let is_word = |w: u32| {
                let w = w as usize;
                let end = starts.get(w + 1).copied().unwrap_or(vocab.len()) - 1;
                &vocab[starts[w]..end] == word
            };
            let hash = self.lookup.hash(word);
            let w = match self.lookup.find(hash, is_word) {
                Some(w) => w as usize,
                None => {
                    let w = self.postings.len();
                    self.lookup.insert_new(hash, w as u32);
                    self.starts.push(self.vocab.len());
                    self.vocab.push_str(word);
                    self.vocab.push('\0');
                    self.postings.push(Vec::new());
                    w
                }
            };
            let list = &mut self.postings[w];
            if list.last() != Some(&record) {
                list.push(record);
            }
        }
    }

    /// Marks the slots one of whose words contains `needle` (a non-empty run of word
    /// characters).
    fn mark(&self, text: &TextIndex, needle: &str, out: &mut [bool]) {
        scan(
            &self.vocab,
            &self.starts,
            needle,
            |_, _| true,
            |w| {
                for record in &self.postings[w] {
                    text.mark_record(*record, out);
                }
            },
        );
    }
}

/// For one meta key: each distinct folded value and the slots that have it. Catches up with
/// added slots; rebuilt after an update.
#[derive(Debug, Default)]
struct MetaIndex {
    values: HashMap<String, Vec<u32>>,
    /// How many slots are indexed.
    covered: usize,
}

impl MetaIndex {
    fn catch_up(&mut self, slots: &[Option<AssetDefinition>], key: &str) {
        for (slot, def) in slots.iter().enumerate().skip(self.covered) {
            let Some(text) = def
                .as_ref()
                .and_then(|d| d.meta.get(key))
                .and_then(meta_text)
            else {
                continue;
            };
            let text = folded(&text);
            match self.values.get_mut(text.as_ref()) {
                Some(list) => list.push(slot as u32),
                None => {
                    self.values.insert(text.into_owned(), vec![slot as u32]);
                }
            }
        }
        self.covered = slots.len();
    }

    /// Moves an updated slot from its old value's list to its new one's.
    fn update(&mut self, slot: usize, old: &AssetDefinition, new: &AssetDefinition, key: &str) {
        if slot >= self.covered {
            return;
        }
        let slot = slot as u32;
        if let Some(text) = old.meta.get(key).and_then(meta_text)
            && let Some(list) = self.values.get_mut(folded(&text).as_ref())
            && let Ok(i) = list.binary_search(&slot)
        {
            list.remove(i);
        }
        if let Some(text) = new.meta.get(key).and_then(meta_text) {
            let text = folded(&text);
            let list = match self.values.get_mut(text.as_ref()) {
                Some(list) => list,
                None => self.values.entry(text.into_owned()).or_default(),
            };
            if let Err(i) = list.binary_search(&slot) {
                list.insert(i, slot);
            }
        }
    }

    fn mark(&self, needle: &str, equals: bool, out: &mut [bool]) {
        let mut set = |slots: &Vec<u32>| slots.iter().for_each(|s| out[*s as usize] = true);
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

/// For one facet (`tags`, `groups` or a meta key, in the default locale): the distinct
/// values, and each slot's values as numbers, stored contiguously. Counting a facet then
/// reads two flat arrays instead of following each asset's pointers to its strings (which
/// made facets over 100k assets memory-bound at ~35 ms). Catches up with added slots; an
/// update appends the slot's new values and points the slot at them.
#[derive(Debug)]
struct FacetIndex {
    field: Field,
    /// Value number → value.
    values: Vec<String>,
    /// Value → value number.
    numbers: HashMap<String, u32>,
    /// Slot `s` has the values `slot_values[ranges[s].0..ranges[s].1]`.
    ranges: Vec<(usize, usize)>,
    slot_values: Vec<u32>,
    /// How many of `slot_values` belong to no slot any more (replaced by updates).
    stale: usize,
}

impl FacetIndex {
    fn new(field: Field) -> FacetIndex {
        FacetIndex {
            field,
            values: Vec::new(),
            numbers: HashMap::new(),
            ranges: Vec::new(),
            slot_values: Vec::new(),
            stale: 0,
        }
    }

    fn catch_up(&mut self, slots: &[Option<AssetDefinition>]) {
        for def in &slots[self.ranges.len()..] {
            let range = self.push_values(def.as_ref());
            self.ranges.push(range);
        }
    }

    /// Indexes the values of an updated slot; false when most values are stale and the
    /// index should rather be rebuilt.
    fn update(&mut self, slot: usize, def: &AssetDefinition) -> bool {
        if slot < self.ranges.len() {
            let (start, end) = self.ranges[slot];
            self.stale += end - start;
            self.ranges[slot] = self.push_values(Some(def));
        }
        self.stale <= self.slot_values.len() / 2
    }

    /// Appends the value numbers of `def`, returning where they are.
    fn push_values(&mut self, def: Option<&AssetDefinition>) -> (usize, usize) {
        let start = self.slot_values.len();
        if let Some(def) = def {
            for_each_value(&self.field, def, None, |v| {
                let n = match self.numbers.get(v.as_ref()) {
                    Some(n) => *n,
                    None => {
                        let n = self.values.len() as u32;
                        self.values.push(v.to_string());
                        self.numbers.insert(v.into_owned(), n);
                        n
                    }
                };
                self.slot_values.push(n);
            });
        }
        (start, self.slot_values.len())
    }

    /// Value → count over `matches`.
    fn count(&self, matches: &[usize]) -> Vec<FacetValue> {
        let mut counts = vec![0usize; self.values.len()];
        for slot in matches {
            let (start, end) = self.ranges[*slot];
            for n in &self.slot_values[start..end] {
                counts[*n as usize] += 1;
            }
        }
        counts
            .into_iter()
            .enumerate()
            .filter(|(_, count)| *count > 0)
            .map(|(n, count)| FacetValue {
                value: self.values[n].clone(),
                count,
            })
            .collect()
    }
}

/// Slots in sort-key order (equal keys in slot order), with their keys alongside, so
/// merging new slots in and grouping equal keys never go back to the assets. Slots lacking
/// the key are not in it; removed slots stay until compaction (queries skip them).
#[derive(Debug)]
struct SortIndex {
    slots: Vec<usize>,
    keys: SortKeys,
    /// Entries whose slot was updated since (its new key is pending); dropped at the merge.
    taken: Vec<bool>,
    /// Indexed slots updated since: taken out, merged back in at the next catch-up.
    pending: Vec<usize>,
    /// How many live entries come from text values. With none, keys compare as numbers;
    /// when the last goes, the index is dropped and rebuilt numeric.
    texts: usize,
    /// How many slots are indexed.
    covered: usize,
}

/// Sort keys: all numbers, or all text (numbers in their JSON text form, `1600`).
#[derive(Debug)]
enum SortKeys {
    Numbers(Vec<f64>),
    Texts(Vec<CompactString>),
}

impl SortIndex {
    /// Whether entries `i` and `j` have equal keys.
    fn same_key(&self, i: usize, j: usize) -> bool {
        match &self.keys {
            SortKeys::Numbers(k) => k[i].total_cmp(&k[j]) == Ordering::Equal,
            SortKeys::Texts(k) => k[i] == k[j],
        }
    }

    /// Where the entry for `slot` with value `value` is: a binary search, as entries are
    /// ordered by key, then slot.
    fn position(&self, slot: usize, value: &SortValue<'_>) -> Option<usize> {
        let i = match (&self.keys, value) {
            (SortKeys::Numbers(k), SortValue::Number(n, _)) => {
                entry_position(k, &self.slots, (n, slot), |a, b| a.total_cmp(b))
            }
            (SortKeys::Texts(k), v) => {
                let text = sort_text(v);
                entry_position(k, &self.slots, (text.as_str(), slot), |a, b| {
                    a.as_str().cmp(b)
                })
            }
            (SortKeys::Numbers(_), SortValue::Text(_)) => return None,
        };
        (self.slots.get(i) == Some(&slot)).then_some(i)
    }

    /// Takes an updated slot out (its new key is merged in at the next catch-up); false
    /// when the index must be rebuilt instead, because the slot's old value was its last
    /// text value. O(log n).
    fn take_out(&mut self, slot: usize, old: &AssetDefinition, key: &str) -> bool {
        if slot >= self.covered {
            return true;
        }
        let value = sort_value(old, key);
        if let Some(i) = value.as_ref().and_then(|v| self.position(slot, v))
            && !self.taken[i]
        {
            self.taken[i] = true;
            if matches!(value, Some(SortValue::Text(_))) {
                self.texts -= 1;
            }
        }
        self.pending.push(slot);
        self.texts > 0 || matches!(self.keys, SortKeys::Numbers(_))
    }

    /// Accounts for a removed slot; false when it held the last text value.
    fn remove(&mut self, slot: usize, def: &AssetDefinition, key: &str) -> bool {
        if slot >= self.covered {
            return true;
        }
        // Counted when its entry is in (an updated slot's new value is not merged yet).
        let value = sort_value(def, key);
        let counted = if self.pending.is_empty() {
            value.is_some()
        } else {
            value
                .as_ref()
                .and_then(|v| self.position(slot, v))
                .is_some_and(|i| !self.taken[i])
        };
        if counted && matches!(value, Some(SortValue::Text(_))) {
            self.texts -= 1;
            return self.texts > 0;
        }
        true
    }
}

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
    /// How many slots hold an asset.
    live: usize,
    /// The slot of each live asset by id (the ids themselves live in `slots`).
    ids: KeyTable,
    text: Option<TextIndex>,
    words: Option<WordIndex>,
    sorts: HashMap<String, SortIndex>,
    metas: HashMap<String, MetaIndex>,
    facets: HashMap<String, FacetIndex>,
}

impl LocalSource {
    pub fn new(id: &str, options: LocalSourceOptions) -> Self {
        LocalSource {
            id: id.to_string(),
            options,
            slots: Vec::new(),
            live: 0,
            ids: KeyTable::default(),
            text: None,
            words: None,
            sorts: HashMap::new(),
            metas: HashMap::new(),
            facets: HashMap::new(),
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

    pub fn add(&mut self, def: AssetDefinition) -> Result<()> {
        self.check(&def)?;
        let Ok(slot) = u32::try_from(self.slots.len()) else {
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
        self.live += 1;
        // Every index catches up with the new slot at the next query that uses it.
        Ok(())
    }

    pub fn update(&mut self, def: AssetDefinition) -> Result<()> {
        self.check(&def)?;
        let slot = self
            .slot_of(&def.id)
            .ok_or_else(|| self.not_found(&def.id))?;
        // Every index that covers the slot takes the change in; the word index catches up
        // with the text index's new record at the next query.
        if let Some(text) = &mut self.text
            && slot < text.covered()
        {
            text.push(slot as u32, Some(&def));
            if text.superseded > text.covered() {
                // More stale texts than current ones: rebuild at the next query.
                self.text = None;
                self.words = None;
            }
        }
        if let Some(old) = &self.slots[slot] {
            for (key, index) in &mut self.metas {
                index.update(slot, old, &def, key);
            }
        }
        if let Some(old) = &self.slots[slot] {
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

    pub fn get(&self, id: &str) -> Option<&AssetDefinition> {
        self.slots[self.slot_of(id)?].as_ref()
    }

    pub fn definitions(&self) -> impl Iterator<Item = &AssetDefinition> {
        self.slots.iter().flatten()
    }

    pub fn groups(&self) -> Vec<String> {
        let mut seen = indexmap::IndexSet::new();
        for def in self.definitions() {
            seen.extend(def.groups.iter().map(|g| g.as_str()));
        }
        seen.into_iter().map(str::to_string).collect()
    }

    pub fn result(&self, def: &AssetDefinition, locale: Option<&str>) -> AssetResult {
        AssetResult {
            id: def.id.clone(),
            label: resolve(&def.label, locale).cloned(),
            tags: resolve(&def.tags, locale).cloned(),
            locale: locale.map(Into::into),
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

    /// Brings the text index up to date with the slots added since it was last used.
    fn catch_up_text(&mut self) {
        let text = self.text.get_or_insert_with(TextIndex::default);
        for slot in text.covered()..self.slots.len() {
            text.push(slot as u32, self.slots[slot].as_ref());
        }
    }

    /// Brings the word index up to date (after [`Self::catch_up_text`]).
    fn catch_up_words(&mut self) {
        let Some(text) = &self.text else { return };
        let words = self.words.get_or_insert_with(WordIndex::default);
        for record in words.covered..text.records() {
            let slot = text.record_slot[record];
            if slot != SUPERSEDED && self.slots[slot as usize].is_some() {
                words.push(record as u32, &text.record_text(record).text);
            }
        }
        words.covered = text.records();
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
        self.words.as_ref().filter(|w| w.covered == text.records())
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
            .filter(|f| f.ranges.len() == self.slots.len())
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
        for key in needs.meta_keys {
            let index = self.metas.entry(key.clone()).or_default();
            index.catch_up(&self.slots, &key);
        }
        if let Some(key) = needs.sort_key
            && self.sort_fresh(&key).is_none()
        {
            let previous = self.sorts.remove(&key);
            let index = build_sort_index(&self.slots, &key, previous);
            self.sorts.insert(key, index);
        }
        for (name, field) in needs.facets {
            self.facets
                .entry(name)
                .or_insert_with(|| FacetIndex::new(field))
                .catch_up(&self.slots);
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

        if let (Some(key), true) = (&query.sort_key, query.sorting_order != SortingOrder::None) {
            matches = self.sorted(key, query.sorting_order, matches);
        }

        let total = matches.len();
        let start = page.saturating_mul(per_page).min(total);
        let end = start.saturating_add(per_page).min(total);
        let assets = matches[start..end]
            .iter()
            .filter_map(|s| self.slots[*s].as_ref())
            .map(|def| self.result(def, locale))
            .collect();
        Ok(AssetQueryResult {
            assets,
            current_page: page as u32,
            next_page: (end < total).then_some(page as u32 + 1),
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

    /// Orders `matches` (in slot order) by the sort key; stable, lacking keys last.
    fn sorted(&self, key: &str, order: SortingOrder, matches: Vec<usize>) -> Vec<usize> {
        let built;
        let index = match self.sort_fresh(key) {
            Some(index) => index,
            None => {
                built = build_sort_index(&self.slots, key, None);
                &built
            }
        };
        let mut wanted = vec![false; self.slots.len()];
        for m in &matches {
            wanted[*m] = true;
        }
        // The wanted entries, in key order.
        let picked = (0..index.slots.len()).filter(|i| !index.taken[*i] && wanted[index.slots[*i]]);
        let mut out = Vec::with_capacity(matches.len());
        match order {
            SortingOrder::Descending => {
                let picked: Vec<usize> = picked.collect();
                // Reverse the key order but keep slot order within equal keys.
                let mut end = picked.len();
                while end > 0 {
                    let mut start = end - 1;
                    while start > 0 && index.same_key(picked[start - 1], picked[end - 1]) {
                        start -= 1;
                    }
                    out.extend(picked[start..end].iter().map(|i| index.slots[*i]));
                    end = start;
                }
            }
            _ => out.extend(picked.map(|i| index.slots[i])),
        }
        for (s, taken) in index.slots.iter().zip(&index.taken) {
            if !taken {
                wanted[*s] = false;
            }
        }
        out.extend(matches.into_iter().filter(|m| wanted[*m]));
        out
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

enum SortValue<'a> {
    /// A number, and the JSON value it came from (for its text form).
    Number(f64, &'a Value),
    Text(Cow<'a, str>),
}

/// Orders the slots by `key`: all of them, or `previous` with the slots added or updated
/// since merged in.
fn build_sort_index(
    slots: &[Option<AssetDefinition>],
    key: &str,
    previous: Option<SortIndex>,
) -> SortIndex {
    let value_of = |slot: usize| sort_value(slots[slot].as_ref()?, key);
    let (from, mut pending) = previous
        .as_ref()
        .map_or((0, Vec::new()), |p| (p.covered, p.pending.clone()));
    // A slot updated twice is pending twice.
    pending.sort_unstable();
    pending.dedup();
    let new: Vec<(SortValue<'_>, usize)> = pending
        .into_iter()
        .chain(from..slots.len())
        .filter_map(|slot| value_of(slot).map(|v| (v, slot)))
        .collect();
    let new_texts = new
        .iter()
        .filter(|(v, _)| matches!(v, SortValue::Text(_)))
        .count();
    let previous = match previous {
        // Numbers meet a text value: everything compares differently now.
        Some(p) if new_texts > 0 && matches!(p.keys, SortKeys::Numbers(_)) => {
            return build_sort_index(slots, key, None);
        }
        Some(p) => p,
        None => SortIndex {
            slots: Vec::new(),
            taken: Vec::new(),
            keys: if new_texts == 0 {
                SortKeys::Numbers(Vec::new())
            } else {
                SortKeys::Texts(Vec::new())
            },
            pending: Vec::new(),
            texts: 0,
            covered: 0,
        },
    };
    let (slots_in_order, keys) = match previous.keys {
        SortKeys::Numbers(keys) => {
            // Only numbers here: a text value made it rebuild as text above.
            let new = new.into_iter().filter_map(|(v, slot)| match v {
                SortValue::Number(n, _) => Some((n, slot)),
                SortValue::Text(_) => None,
            });
            let (s, k) = merge(
                previous.slots,
                keys,
                &previous.taken,
                new.collect(),
                f64::total_cmp,
            );
            (s, SortKeys::Numbers(k))
        }
        SortKeys::Texts(keys) => {
            let new = new.into_iter().map(|(v, slot)| (sort_text(&v), slot));
            let (s, k) = merge(
                previous.slots,
                keys,
                &previous.taken,
                new.collect(),
                |a, b| a.cmp(b),
            );
            (s, SortKeys::Texts(k))
        }
    };
    SortIndex {
        taken: vec![false; slots_in_order.len()],
        slots: slots_in_order,
        keys,
        pending: Vec::new(),
        texts: previous.texts + new_texts,
        covered: slots.len(),
    }
}

/// Merges `new` (unsorted) into `slots`/`keys` (sorted by key, then slot), leaving out the
/// `taken` entries.
fn merge<K>(
    slots: Vec<usize>,
    keys: Vec<K>,
    taken: &[bool],
    mut new: Vec<(K, usize)>,
    cmp: impl Fn(&K, &K) -> Ordering,
) -> (Vec<usize>, Vec<K>) {
    // Slots are distinct, so the order is total and an unstable sort is deterministic.
    new.sort_unstable_by(|a, b| cmp(&a.0, &b.0).then(a.1.cmp(&b.1)));
    let mut out_slots = Vec::with_capacity(slots.len() + new.len());
    let mut out_keys = Vec::with_capacity(slots.len() + new.len());
    let mut old = slots
        .into_iter()
        .zip(keys)
        .zip(taken)
        .filter(|(_, taken)| !**taken)
        .map(|(entry, _)| entry)
        .peekable();
    let mut new = new.into_iter().peekable();
    loop {
        let take_old = match (old.peek(), new.peek()) {
            (Some((os, ok)), Some((nk, ns))) => cmp(ok, nk).then(os.cmp(ns)) == Ordering::Less,
            (Some(_), None) => true,
            (None, Some(_)) => false,
            (None, None) => break,
        };
        let (slot, key) = if take_old {
            old.next()
        } else {
            new.next().map(|(k, s)| (s, k))
        }
        .unwrap_or_else(|| unreachable!("peeked above"));
        out_slots.push(slot);
        out_keys.push(key);
    }
    (out_slots, out_keys)
}

/// Where the entry `(key, slot)` is, or would go, among entries ordered by key, then slot.
fn entry_position<K, Q: Copy>(
    keys: &[K],
    slots: &[usize],
    (key, slot): (Q, usize),
    cmp: impl Fn(&K, Q) -> Ordering,
) -> usize {
    let (mut lo, mut hi) = (0, keys.len());
    while lo < hi {
        let mid = (lo + hi) / 2;
        if cmp(&keys[mid], key).then(slots[mid].cmp(&slot)) == Ordering::Less {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

/// A sort value as text: strings as they are, numbers in their JSON text form.
fn sort_text(value: &SortValue<'_>) -> CompactString {
    match value {
        SortValue::Number(_, json) => CompactString::from(json.to_string()),
        SortValue::Text(t) => CompactString::from(t.as_ref()),
    }
}

/// An asset's value for a sort key: `id`, `label` (default locale) or a meta key (`rank` or
/// `meta.rank`).
fn sort_value<'a>(def: &'a AssetDefinition, key: &str) -> Option<SortValue<'a>> {
    match key.strip_prefix("meta.").unwrap_or(key) {
        "id" => Some(SortValue::Text(Cow::Borrowed(def.id.as_str()))),
        "label" => resolve(&def.label, None).map(|l| SortValue::Text(Cow::Borrowed(l.as_str()))),
        name => match def.meta.get(name)? {
            v @ Value::Number(n) => n.as_f64().map(|n| SortValue::Number(n, v)),
            v => meta_text(v).map(SortValue::Text),
        },
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

#[cfg(test)]
mod tests {
    use super::*;

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
                facets: vec!["meta.rank".into(), "label".into()],
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
        prepared.remove("a3").unwrap();
        let mut changed = AssetDefinition::new("a4").with_label("en", "Moon");
        changed.meta.insert("rank", Value::from("x"));
        prepared.update(changed).unwrap();
        prepared
            .add(AssetDefinition::new("z").with_label("en", "photo sun"))
            .unwrap();
        let mut fresh = source();
        fresh.remove("a3").unwrap();
        let mut changed = AssetDefinition::new("a4").with_label("en", "Moon");
        changed.meta.insert("rank", Value::from("x"));
        fresh.update(changed).unwrap();
        fresh
            .add(AssetDefinition::new("z").with_label("en", "photo sun"))
            .unwrap();
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
