//! [`KeyTable`]: numbers keyed by text stored elsewhere.

use hashbrown::HashTable;
use std::hash::{BuildHasher, RandomState};

/// A hash table of numbers (slots, word numbers) keyed by text stored elsewhere. Each entry
/// keeps 32 bits of its key's hash, so growing the table never reads the keys again (at a
/// million assets, re-reading them was a tenth of the time spent adding). Keys are hashed
/// with SipHash under a random key: they come from users.
#[derive(Debug, Default)]
pub(super) struct KeyTable {
    /// (number, hash of its key).
    pub(super) table: HashTable<(u32, u32)>,
    pub(super) hasher: RandomState,
}

impl KeyTable {
    pub(super) fn hash(&self, key: &str) -> u32 {
        (self.hasher.hash_one(key) >> 32) as u32
    }

    /// The table position for a stored 32-bit hash: spread over 64 bits, as the table
    /// takes its bucket from the low bits and a tag from the top ones.
    fn spread(hash: u32) -> u64 {
        u64::from(hash).wrapping_mul(0x9E37_79B9_7F4A_7C15)
    }

    /// The number whose key hashes to `hash` (from [`Self::hash`]) and passes `is`.
    pub(super) fn find(&self, hash: u32, is: impl Fn(u32) -> bool) -> Option<u32> {
        self.table
            .find(Self::spread(hash), |(n, h)| *h == hash && is(*n))
            .map(|(n, _)| *n)
    }

    /// Files `n` under a key hashing to `hash` that is not in the table yet.
    pub(super) fn insert_new(&mut self, hash: u32, n: u32) {
        self.table
            .insert_unique(Self::spread(hash), (n, hash), |(_, h)| Self::spread(*h));
    }

    /// Removes and returns the number whose key is `key`.
    pub(super) fn remove(&mut self, key: &str, is: impl Fn(u32) -> bool) -> Option<u32> {
        let h = self.hash(key);
        match self
            .table
            .find_entry(Self::spread(h), |(n, nh)| *nh == h && is(*n))
        {
            Ok(entry) => Some(entry.remove().0.0),
            Err(_) => None,
        }
    }

    pub(super) fn clear(&mut self) {
        self.table.clear();
    }
}
