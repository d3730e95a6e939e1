//! The folded-text index (one record per asset text) and the word index over it.

use super::key_table::KeyTable;
use crate::definition::AssetDefinition;
use crate::text::{fold_into, is_word_char, resolve};
use std::borrow::Cow;

/// An asset's folded label and tags in one locale: `label \0 tag \0 tag …`, and where the
/// label ends. Query words and tags never contain `\0`, so a substring match cannot straddle
/// two fields.
pub(super) struct Folded<'a> {
    pub(super) text: Cow<'a, str>,
    pub(super) label_len: usize,
}

impl Folded<'_> {
    pub(super) fn of(def: &AssetDefinition, locale: Option<&str>) -> Folded<'static> {
        let mut text = String::new();
        let label_len = fold_asset(def, locale, &mut text);
        Folded {
            text: Cow::Owned(text),
            label_len,
        }
    }

    pub(super) fn label(&self) -> &str {
        &self.text[..self.label_len]
    }

    pub(super) fn tags(&self) -> impl Iterator<Item = &str> {
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
/// supersedes the old one, so an update costs one record, not a rebuild (the owner rebuilds
/// once superseded records outnumber current ones). Removed assets keep their
/// records (the slot is dead, so hits on it are dropped).
#[derive(Debug, Default)]
pub(super) struct TextIndex {
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
pub(super) enum TextField {
    Label,
    Tags,
}

impl TextIndex {
    /// How many slots are indexed.
    pub(super) fn covered(&self) -> usize {
        self.slot_record.len()
    }

    /// Indexes the slots added since the last call.
    pub(super) fn catch_up(&mut self, slots: &[Option<AssetDefinition>]) {
        let new = slots.len() - self.covered();
        self.starts.reserve(new);
        self.label_ends.reserve(new);
        self.record_slot.reserve(new);
        self.slot_record.reserve(new);
        for (slot, def) in slots.iter().enumerate().skip(self.covered()) {
            self.push(slot as u32, def.as_ref());
        }
    }

    /// Whether superseded records outnumber current ones (time to rebuild).
    pub(super) fn mostly_superseded(&self) -> bool {
        self.superseded > self.covered()
    }

    /// How many records there are.
    pub(super) fn records(&self) -> usize {
        self.starts.len()
    }

    /// Indexes the text of `slot` (the next slot, or an indexed one whose asset changed).
    pub(super) fn push(&mut self, slot: u32, def: Option<&AssetDefinition>) {
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
    pub(super) fn folded(&self, slot: usize) -> Folded<'_> {
        self.record_text(self.slot_record[slot] as usize)
    }

    /// Marks the slots whose label (or one of whose tags) contains or equals `needle`.
    /// `needle` must be non-empty and free of the separators.
    pub(super) fn mark_field(
        &self,
        needle: &str,
        field: TextField,
        equals: bool,
        out: &mut [bool],
    ) {
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

/// The distinct words of the text index's records, each with the records that have it.
#[derive(Debug, Default)]
pub(super) struct WordIndex {
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
    /// How many of the text index's records are indexed.
    pub(super) fn covered(&self) -> usize {
        self.covered
    }

    /// Indexes the text index's records added since the last call, skipping superseded ones
    /// and those of removed slots.
    pub(super) fn catch_up(&mut self, text: &TextIndex, slots: &[Option<AssetDefinition>]) {
        for record in self.covered..text.records() {
            let slot = text.record_slot[record];
            if slot != SUPERSEDED && slots[slot as usize].is_some() {
                self.push(record as u32, &text.record_text(record).text);
            }
        }
        self.covered = text.records();
    }

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
    pub(super) fn mark(&self, text: &TextIndex, needle: &str, out: &mut [bool]) {
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
