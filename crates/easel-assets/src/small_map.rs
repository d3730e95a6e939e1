//! [`SmallMap`]: the few keyed values an asset carries (locales, meta keys), as a list.

use compact_str::CompactString;
use serde::de::{MapAccess, Visitor};
use serde::ser::SerializeMap;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use std::fmt;
use thin_vec::ThinVec;

/// A map from text keys to values that keeps insertion order and stores its entries in one
/// list.
///
/// An asset has one or two locales and a handful of meta keys: for that, a list searched
/// in order is smaller and faster than a hash map (no hashing, one allocation, keys of up
/// to 24 bytes stored inline). The map itself is one pointer (a `ThinVec` keeps length and
/// capacity in its allocation; an empty map allocates nothing), which keeps an
/// [`AssetDefinition`](crate::AssetDefinition) at 80 bytes. It serializes as a JSON object, in order; on load, a
/// repeated key keeps its first position and its last value, as in a JSON object.
///
/// ```
/// use easel_assets::SmallMap;
///
/// let mut label = SmallMap::new();
/// label.insert("en", "Sunset");
/// label.insert("de", "Sonnenuntergang");
/// label.insert("en", "Sunset over the sea");
/// assert_eq!(label.get("en"), Some(&"Sunset over the sea"));
/// assert_eq!(label.keys().collect::<Vec<_>>(), ["en", "de"]);
/// ```
#[derive(Clone, PartialEq)]
pub struct SmallMap<V> {
    entries: ThinVec<(CompactString, V)>,
}

impl<V> Default for SmallMap<V> {
    fn default() -> Self {
        SmallMap::new()
    }
}

impl<V> SmallMap<V> {
    /// An empty map (no allocation).
    pub fn new() -> Self {
        SmallMap {
            entries: ThinVec::new(),
        }
    }

    /// An empty map with room for `capacity` entries.
    pub fn with_capacity(capacity: usize) -> Self {
        SmallMap {
            entries: ThinVec::with_capacity(capacity),
        }
    }

    /// How many entries there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, key: &str) -> Option<usize> {
        self.entries.iter().position(|(k, _)| k == key)
    }

    /// The value for `key`.
    pub fn get(&self, key: &str) -> Option<&V> {
        self.entries.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }

    /// The value for `key`, to change in place.
    pub fn get_mut(&mut self, key: &str) -> Option<&mut V> {
        self.entries
            .iter_mut()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v)
    }

    /// Whether `key` is present.
    pub fn contains_key(&self, key: &str) -> bool {
        self.position(key).is_some()
    }

    /// Sets `key` to `value`, keeping the key's position when it is already present; returns
    /// the value it replaced.
    pub fn insert(&mut self, key: impl Into<CompactString>, value: V) -> Option<V> {
        let key = key.into();
        if let Some(i) = self.position(&key) {
            return Some(std::mem::replace(&mut self.entries[i].1, value));
        }
        if self.entries.len() == self.entries.capacity() {
            // Most maps stay at one to four entries: grow by one until then, so they hold
            // no unused room.
            let extra = if self.entries.len() < 4 {
                1
            } else {
                self.entries.len()
            };
            self.entries.reserve_exact(extra);
        }
        self.entries.push((key, value));
        None
    }

    /// Removes `key`, keeping the order of the others; returns its value.
    pub fn remove(&mut self, key: &str) -> Option<V> {
        let i = self.position(key)?;
        Some(self.entries.remove(i).1)
    }

    /// The first entry.
    pub fn first(&self) -> Option<(&str, &V)> {
        self.entries.first().map(|(k, v)| (k.as_str(), v))
    }

    /// The entries in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &V)> {
        self.entries.iter().map(|(k, v)| (k.as_str(), v))
    }

    /// The keys in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(k, _)| k.as_str())
    }

    /// The values in order.
    pub fn values(&self) -> impl ExactSizeIterator<Item = &V> {
        self.entries.iter().map(|(_, v)| v)
    }

    /// Removes every entry.
    pub fn clear(&mut self) {
        self.entries.clear();
    }
}

impl<V: fmt::Debug> fmt::Debug for SmallMap<V> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_map().entries(self.iter()).finish()
    }
}

impl<K: Into<CompactString>, V> FromIterator<(K, V)> for SmallMap<V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        let mut map = SmallMap::new();
        map.extend(iter);
        map
    }
}

impl<K: Into<CompactString>, V> Extend<(K, V)> for SmallMap<V> {
    fn extend<I: IntoIterator<Item = (K, V)>>(&mut self, iter: I) {
        for (k, v) in iter {
            self.insert(k, v);
        }
    }
}

impl<V> IntoIterator for SmallMap<V> {
    type Item = (CompactString, V);
    type IntoIter = thin_vec::IntoIter<(CompactString, V)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl From<serde_json::Map<String, serde_json::Value>> for SmallMap<serde_json::Value> {
    fn from(map: serde_json::Map<String, serde_json::Value>) -> Self {
        map.into_iter().collect()
    }
}

impl From<SmallMap<serde_json::Value>> for serde_json::Map<String, serde_json::Value> {
    fn from(map: SmallMap<serde_json::Value>) -> Self {
        map.into_iter().map(|(k, v)| (k.into_string(), v)).collect()
    }
}

impl<V: Serialize> Serialize for SmallMap<V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(Some(self.len()))?;
        for (k, v) in self.iter() {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// The most entries a map read from JSON may have: lookups and inserts scan the entries, so
/// an asset with 100,000 label locales would load in quadratic time.
pub const MAX_DESERIALIZED_ENTRIES: usize = 1024;

impl<'de, V: Deserialize<'de>> Deserialize<'de> for SmallMap<V> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct MapVisitor<V>(std::marker::PhantomData<V>);

        impl<'de, V: Deserialize<'de>> Visitor<'de> for MapVisitor<V> {
            type Value = SmallMap<V>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object")
            }

            fn visit_map<A: MapAccess<'de>>(self, mut access: A) -> Result<Self::Value, A::Error> {
                let mut map = SmallMap::with_capacity(access.size_hint().unwrap_or(0).min(64));
                while let Some((k, v)) = access.next_entry::<CompactString, V>()? {
                    if map.len() >= MAX_DESERIALIZED_ENTRIES {
                        return Err(serde::de::Error::custom(format!(
                            "more than {MAX_DESERIALIZED_ENTRIES} keys in one map (locales or meta keys)"
                        )));
                    }
                    map.insert(k, v);
                }
                Ok(map)
            }
        }

        deserializer.deserialize_map(MapVisitor(std::marker::PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{Value, json};

    #[test]
    fn keeps_order_and_replaces_in_place() {
        let mut m = SmallMap::new();
        m.insert("b", 1);
        m.insert("a", 2);
        assert_eq!(m.insert("b", 3), Some(1));
        assert_eq!(m.iter().collect::<Vec<_>>(), [("b", &3), ("a", &2)]);
        assert_eq!(m.remove("b"), Some(3));
        assert_eq!(m.remove("b"), None);
        assert_eq!(m.keys().collect::<Vec<_>>(), ["a"]);
        assert_eq!(format!("{m:?}"), r#"{"a": 2}"#);
    }

    #[test]
    fn json_round_trip_keeps_order_and_last_value() {
        let m: SmallMap<Value> = serde_json::from_str(r#"{"z":1,"a":"x","z":2}"#).unwrap();
        assert_eq!(m.keys().collect::<Vec<_>>(), ["z", "a"]);
        assert_eq!(m.get("z"), Some(&json!(2)));
        assert_eq!(serde_json::to_string(&m).unwrap(), r#"{"z":2,"a":"x"}"#);
        let err = serde_json::from_str::<SmallMap<Value>>("[1]").unwrap_err();
        assert!(err.to_string().contains("an object"), "{err}");
    }

    #[test]
    fn builds_without_spare_room() {
        let mut m = SmallMap::new();
        m.insert("en", 1);
        assert_eq!(m.entries.capacity(), 1);
        for (i, k) in ["a", "b", "c", "d", "e"].into_iter().enumerate() {
            m.insert(k, i);
        }
        assert_eq!(m.len(), 6);
    }
}
