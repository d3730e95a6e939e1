//! The sort index: slots in key order, with their keys, merged as assets change.

use super::filter::meta_text;
use crate::definition::AssetDefinition;
use crate::text::resolve;
use compact_str::CompactString;
use serde_json::Value;
use std::borrow::Cow;
use std::cmp::Ordering;

/// Slots in sort-key order (equal keys in slot order), with their keys alongside, so
/// merging new slots in and grouping equal keys never go back to the assets. Slots lacking
/// the key are not in it; removed slots stay until compaction (queries skip them).
#[derive(Debug)]
pub(super) struct SortIndex {
    slots: Vec<usize>,
    keys: SortKeys,
    /// Entries whose slot was updated since (its new key is pending); dropped at the merge.
    taken: Vec<bool>,
    /// Indexed slots updated since: taken out, merged back in at the next catch-up.
    pub(super) pending: Vec<usize>,
    /// How many live entries come from text values. With none, keys compare as numbers;
    /// when the last goes, the index is dropped and rebuilt numeric.
    pub(super) texts: usize,
    /// How many slots are indexed.
    pub(super) covered: usize,
}

/// Sort keys: all numbers, or all text (numbers in their JSON text form, `1600`).
#[derive(Debug)]
enum SortKeys {
    Numbers(Vec<f64>),
    Texts(Vec<CompactString>),
}

impl SortIndex {
    /// Orders `matches` (slots, ascending, of a source with `slot_count` slots): by key,
    /// ascending or descending, equal keys in slot order, and slots lacking the key last.
    /// Whether any asset has a value for the key (indexed or waiting to be merged).
    pub(super) fn has_values(&self) -> bool {
        !self.pending.is_empty() || self.taken.iter().any(|t| !t)
    }

    pub(super) fn order(
        &self,
        descending: bool,
        matches: Vec<usize>,
        slot_count: usize,
    ) -> Vec<usize> {
        let mut wanted = vec![false; slot_count];
        for m in &matches {
            wanted[*m] = true;
        }
        // The wanted entries, in key order.
        let picked = (0..self.slots.len()).filter(|i| !self.taken[*i] && wanted[self.slots[*i]]);
        let mut out = Vec::with_capacity(matches.len());
        if descending {
            let picked: Vec<usize> = picked.collect();
            // Reverse the key order but keep slot order within equal keys.
            let mut end = picked.len();
            while end > 0 {
                let mut start = end - 1;
                while start > 0 && self.same_key(picked[start - 1], picked[end - 1]) {
                    start -= 1;
                }
                out.extend(picked[start..end].iter().map(|i| self.slots[*i]));
                end = start;
            }
        } else {
            out.extend(picked.map(|i| self.slots[i]));
        }
        for (s, taken) in self.slots.iter().zip(&self.taken) {
            if !taken {
                wanted[*s] = false;
            }
        }
        out.extend(matches.into_iter().filter(|m| wanted[*m]));
        out
    }

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
    pub(super) fn take_out(&mut self, slot: usize, old: &AssetDefinition, key: &str) -> bool {
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
    pub(super) fn remove(&mut self, slot: usize, def: &AssetDefinition, key: &str) -> bool {
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

/// An asset's value for a sort key, borrowed from it.
enum SortValue<'a> {
    /// A number, and the JSON value it came from (for its text form).
    Number(f64, &'a Value),
    Text(Cow<'a, str>),
}

/// Orders the slots by `key`: all of them, or `previous` with the slots added or updated
/// since merged in.
pub(super) fn build_sort_index(
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
