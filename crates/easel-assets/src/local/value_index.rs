//! Per-key value indexes: meta values for filters, facet values for counting.

use super::filter::{folded, for_each_value, meta_text};
use crate::definition::{AssetDefinition, FacetValue};
use crate::query::Field;
use std::collections::HashMap;

/// For one meta key: each distinct folded value and the slots that have it. Catches up with
/// added slots; an update moves the slot to its new value.
#[derive(Debug, Default)]
pub(super) struct MetaIndex {
    values: HashMap<String, Vec<u32>>,
    /// How many slots are indexed.
    pub(super) covered: usize,
}

impl MetaIndex {
    pub(super) fn catch_up(&mut self, slots: &[Option<AssetDefinition>], key: &str) {
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
    pub(super) fn update(
        &mut self,
        slot: usize,
        old: &AssetDefinition,
        new: &AssetDefinition,
        key: &str,
    ) {
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

    pub(super) fn mark(&self, needle: &str, equals: bool, out: &mut [bool]) {
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
pub(super) struct FacetIndex {
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
    pub(super) fn new(field: Field) -> FacetIndex {
        FacetIndex {
            field,
            values: Vec::new(),
            numbers: HashMap::new(),
            ranges: Vec::new(),
            slot_values: Vec::new(),
            stale: 0,
        }
    }

    pub(super) fn catch_up(&mut self, slots: &[Option<AssetDefinition>]) {
        for def in &slots[self.ranges.len()..] {
            let range = self.push_values(def.as_ref());
            self.ranges.push(range);
        }
    }

    /// How many slots are indexed.
    pub(super) fn covered(&self) -> usize {
        self.ranges.len()
    }

    /// Indexes the values of an updated slot; false when most values are stale and the
    /// index should rather be rebuilt.
    pub(super) fn update(&mut self, slot: usize, def: &AssetDefinition) -> bool {
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
    pub(super) fn count(&self, matches: &[usize]) -> Vec<FacetValue> {
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
