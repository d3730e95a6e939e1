//! A read-only JSON tree that borrows its strings from the parsed text, keeps in objects only
//! the keys a reader asked for, and holds all its values in one arena: a foreign scene file
//! of 10,000 blocks is mostly fields Easel does not read, and a `serde_json::Value` of it
//! costs a map (hashed keys, owned strings) per object to build and as much again to drop.
//! Kept keys are stored as their number in the [`KeySet`], so an entry is 32 bytes and
//! finding a key in an object compares numbers, not strings.

use crate::schema::{key_hash, same_key};
use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;

/// The object keys a [`Tree`] keeps, each numbered by its place in the list; looked up by
/// an open-addressed table (see [`hash`]), as every key of the document is.
#[derive(Debug)]
pub(crate) struct KeySet {
    names: Vec<&'static str>,
    /// A key's number + 1 at its slot, 0 for an empty slot.
    slots: Vec<u16>,
}

impl KeySet {
    /// The set of `names` (at most `u16::MAX - 1`; later ones are not kept).
    pub fn new(names: &[&'static str]) -> KeySet {
        let names: Vec<&'static str> = names.iter().copied().take(usize::from(NO_KEY)).collect();
        let mut slots = vec![0u16; (names.len() * 4).next_power_of_two().max(16)];
        let mask = slots.len() - 1;
        for (i, name) in names.iter().enumerate() {
            let mut at = hash(name.as_bytes()) & mask;
            while slots[at] != 0 {
                if same_key(names[usize::from(slots[at] - 1)], name) {
                    break;
                }
                at = (at + 1) & mask;
            }
            if slots[at] == 0 {
                slots[at] = i as u16 + 1;
            }
        }
        KeySet { names, slots }
    }

    /// The number of a kept key.
    pub fn id(&self, key: &str) -> Option<u16> {
        let mask = self.slots.len() - 1;
        let mut at = hash(key.as_bytes()) & mask;
        loop {
            let slot = self.slots[at];
            if slot == 0 {
                return None;
            }
            if same_key(self.names[usize::from(slot - 1)], key) {
                return Some(slot - 1);
            }
            at = (at + 1) & mask;
        }
    }
}

/// A key's slot hash: the schema's [`key_hash`] (one multiply; keys that share both ends
/// are told apart by the comparison after it), its high bits.
fn hash(key: &[u8]) -> usize {
    (key_hash(0, key) >> 40) as usize
}

/// The key of an array item.
const NO_KEY: u16 = u16::MAX;

/// A parsed document: every array item and object entry in one arena, in the order they
/// close (each after its own children), an array's or object's entries linked in order, so
/// building it writes each entry once and building and dropping it costs a handful of
/// allocations rather than one or more per object. Read it through [`Tree::root`].
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    arena: Vec<Entry<'a>>,
    /// Strings with escapes, unescaped.
    owned: Vec<String>,
    keys: &'a KeySet,
    root: Node<'a>,
}

/// An object entry (its key's number in the [`KeySet`]), or an array item ([`NO_KEY`]),
/// with the arena index of the next entry of the same array or object.
#[derive(Debug)]
struct Entry<'a> {
    node: Node<'a>,
    key: u16,
    next: u32,
}

/// A value; arrays and objects name their first entry and how many they have, strings with
/// escapes their place in [`Tree::owned`].
#[derive(Debug)]
enum Node<'a> {
    Null,
    Bool(bool),
    Number(f64),
    Str(&'a str),
    Owned(u32),
    Array(u32, u32),
    Object(u32, u32),
}

/// A value of a [`Tree`], read like a `serde_json::Value` (objects are searched linearly,
/// their kept keys being few).
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeRef<'a> {
    tree: &'a Tree<'a>,
    node: &'a Node<'a>,
}

impl<'a> Tree<'a> {
    /// Parses `json`, keeping only the object keys in `keys` (everything under any other key
    /// is skipped unbuilt).
    pub fn parse(json: &'a str, keys: &'a KeySet) -> serde_json::Result<Tree<'a>> {
        // From text already known to be UTF-8: one check of the whole document instead of
        // one per string.
        let mut de = serde_json::Deserializer::from_str(json);
        let mut builder = Builder {
            // A value takes at least two bytes of text (`1,`), and scene files have many
            // more: this many entries is rarely exceeded, and untouched capacity costs no
            // memory.
            arena: Vec::with_capacity(json.len() / 8),
            owned: Vec::new(),
        };
        let root = de::DeserializeSeed::deserialize(
            Kept {
                keys,
                b: &mut builder,
            },
            &mut de,
        )?;
        de.end()?;
        Ok(Tree {
            arena: builder.arena,
            owned: builder.owned,
            keys,
            root,
        })
    }

    /// The top-level value.
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef {
            tree: self,
            node: &self.root,
        }
    }
}

/// The entries of an array or object, in order.
#[derive(Clone, Debug)]
struct Entries<'a> {
    arena: &'a [Entry<'a>],
    at: u32,
    left: u32,
}

impl<'a> Iterator for Entries<'a> {
    type Item = &'a Entry<'a>;
    fn next(&mut self) -> Option<&'a Entry<'a>> {
        if self.left == 0 {
            return None;
        }
        let e = self.arena.get(self.at as usize)?;
        self.left -= 1;
        self.at = e.next;
        Some(e)
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left as usize, Some(self.left as usize))
    }
}

/// The items of an array.
#[derive(Clone, Debug)]
pub(crate) struct Items<'a> {
    tree: &'a Tree<'a>,
    entries: Entries<'a>,
}

impl<'a> Iterator for Items<'a> {
    type Item = NodeRef<'a>;
    fn next(&mut self) -> Option<NodeRef<'a>> {
        let tree = self.tree;
        self.entries.next().map(|e| NodeRef {
            tree,
            node: &e.node,
        })
    }
    fn size_hint(&self) -> (usize, Option<usize>) {
        self.entries.size_hint()
    }
}

impl ExactSizeIterator for Items<'_> {}

impl Items<'_> {
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

impl<'a> NodeRef<'a> {
    fn entries(self, first: u32, len: u32) -> Entries<'a> {
        Entries {
            arena: &self.tree.arena,
            at: first,
            left: len,
        }
    }

    /// The value under `key`, if this is an object holding it (and the tree kept it).
    pub fn get(self, key: &str) -> Option<NodeRef<'a>> {
        match self.node {
            Node::Object(first, len) => {
                let id = self.tree.keys.id(key)?;
                self.entries(*first, *len)
                    .find(|e| e.key == id)
                    .map(|e| NodeRef {
                        tree: self.tree,
                        node: &e.node,
                    })
            }
            _ => None,
        }
    }

    /// The value at a path of keys (`["block_fill", "enabled"]`).
    pub fn at(self, path: &[&str]) -> Option<NodeRef<'a>> {
        path.iter().try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(self) -> Option<&'a str> {
        match self.node {
            Node::Str(s) => Some(s),
            Node::Owned(i) => self.tree.owned.get(*i as usize).map(String::as_str),
            _ => None,
        }
    }

    pub fn as_f64(self) -> Option<f64> {
        match self.node {
            Node::Number(n) => Some(*n),
            _ => None,
        }
    }

    pub fn as_bool(self) -> Option<bool> {
        match self.node {
            Node::Bool(b) => Some(*b),
            _ => None,
        }
    }

    pub fn as_array(self) -> Option<Items<'a>> {
        match self.node {
            Node::Array(first, len) => Some(Items {
                tree: self.tree,
                entries: self.entries(*first, *len),
            }),
            _ => None,
        }
    }
}

/// One object's kept entries by key number, for reading many of its keys: one walk of its
/// entries instead of one per key read. Reused from object to object.
#[derive(Debug, Default)]
pub(crate) struct Fields<'a> {
    object: Option<NodeRef<'a>>,
    by_key: Vec<Option<&'a Node<'a>>>,
}

impl<'a> Fields<'a> {
    /// Indexes `object` (nothing, if it is not an object), replacing the object before.
    pub fn index(&mut self, object: NodeRef<'a>) {
        let keys = object.tree.keys.names.len();
        if self.by_key.len() < keys {
            self.by_key.resize(keys, None);
        }
        if let Some(Node::Object(first, len)) = self.object.map(|o| o.node) {
            for e in self.object.iter().flat_map(|o| o.entries(*first, *len)) {
                if let Some(slot) = self.by_key.get_mut(usize::from(e.key)) {
                    *slot = None;
                }
            }
        }
        self.object = Some(object);
        if let Node::Object(first, len) = object.node {
            for e in object.entries(*first, *len) {
                // The first of a key given twice, as `NodeRef::get` finds.
                if let Some(slot @ None) = self.by_key.get_mut(usize::from(e.key)) {
                    *slot = Some(&e.node);
                }
            }
        }
    }

    /// The indexed object's value under `key`.
    pub fn get(&self, key: &str) -> Option<NodeRef<'a>> {
        let object = self.object?;
        let node = (*self.by_key.get(usize::from(object.tree.keys.id(key)?))?)?;
        Some(NodeRef {
            tree: object.tree,
            node,
        })
    }

    /// The value at a path of keys from the indexed object (`["block_fill", "enabled"]`).
    pub fn at(&self, path: &[&str]) -> Option<NodeRef<'a>> {
        let (first, rest) = path.split_first()?;
        self.get(first)?.at(rest)
    }

    /// The number at a path of keys from the indexed object.
    pub fn num(&self, path: &[&str]) -> Option<f64> {
        self.at(path)?.as_f64()
    }
}

/// The arena being filled, and the unescaped strings.
struct Builder<'a> {
    arena: Vec<Entry<'a>>,
    owned: Vec<String>,
}

/// The entries of an array or object being read: the first, the last (to link the next to)
/// and how many.
struct Open {
    first: u32,
    last: u32,
    len: u32,
}

impl Open {
    const EMPTY: Open = Open {
        first: 0,
        last: 0,
        len: 0,
    };
}

impl<'a> Builder<'a> {
    /// Appends an entry to an open array or object.
    fn push<E: de::Error>(&mut self, open: &mut Open, node: Node<'a>, key: u16) -> Result<(), E> {
        let at = u32::try_from(self.arena.len())
            .map_err(|_| E::custom("more than 4,294,967,295 values"))?;
        self.arena.push(Entry { node, key, next: 0 });
        if open.len == 0 {
            open.first = at;
        } else if let Some(last) = self.arena.get_mut(open.last as usize) {
            last.next = at;
        }
        open.last = at;
        open.len += 1;
        Ok(())
    }

    fn own<E: de::Error>(&mut self, s: String) -> Result<Node<'a>, E> {
        let i = u32::try_from(self.owned.len())
            .map_err(|_| E::custom("more than 4,294,967,295 escaped strings"))?;
        self.owned.push(s);
        Ok(Node::Owned(i))
    }
}

/// Deserializes one value into the builder, keeping the keys in the set.
struct Kept<'k, 'b, 'a> {
    keys: &'k KeySet,
    b: &'b mut Builder<'a>,
}

impl<'de> de::DeserializeSeed<'de> for Kept<'_, '_, 'de> {
    type Value = Node<'de>;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Node<'de>, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Kept<'_, '_, 'de> {
    type Value = Node<'de>;

    fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, v: bool) -> Result<Node<'de>, E> {
        Ok(Node::Bool(v))
    }
    fn visit_i64<E>(self, v: i64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v as f64))
    }
    fn visit_u64<E>(self, v: u64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v as f64))
    }
    fn visit_f64<E>(self, v: f64) -> Result<Node<'de>, E> {
        Ok(Node::Number(v))
    }
    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Node<'de>, E> {
        Ok(Node::Str(v))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Node<'de>, E> {
        self.b.own(v.to_string())
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Node<'de>, E> {
        self.b.own(v)
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let (keys, b) = (self.keys, self.b);
        let mut open = Open::EMPTY;
        while let Some(node) = seq.next_element_seed(Kept { keys, b: &mut *b })? {
            b.push(&mut open, node, NO_KEY)?;
        }
        Ok(Node::Array(open.first, open.len))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let (keys, b) = (self.keys, self.b);
        let mut open = Open::EMPTY;
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if let Some(key) = keys.id(&key) {
                let node = map.next_value_seed(Kept { keys, b: &mut *b })?;
                b.push(&mut open, node, key)?;
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Node::Object(open.first, open.len))
    }
}

/// An object key, borrowed from the text when it has no escapes (serde's own `Cow<str>`
/// always copies).
struct Key<'de>(Cow<'de, str>);

impl<'de> de::Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Key<'de>, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a key")
            }
            fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_string())))
            }
            fn visit_string<E>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        d.deserialize_str(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_asked_keys_and_reads_like_a_value() {
        let keys = KeySet::new(&["a", "b", "c", "d", "e"]);
        let text = r#"{"a": {"b": [1, 2.5, "x\"y", true, null]}, "skip": {"a": 1}, "c": "plain", "d": -3, "\u0065": "esc"}"#;
        let tree = Tree::parse(text, &keys).unwrap_or_else(|e| panic!("{e}"));
        let node = tree.root();
        assert!(node.get("skip").is_none());
        let list: Vec<NodeRef<'_>> = node
            .at(&["a", "b"])
            .and_then(NodeRef::as_array)
            .into_iter()
            .flatten()
            .collect();
        assert_eq!(list.len(), 5);
        assert_eq!(list[1].as_f64(), Some(2.5));
        assert_eq!(list[2].as_str(), Some("x\"y"));
        assert_eq!(list[3].as_bool(), Some(true));
        assert!(list[4].as_str().is_none());
        assert!(matches!(
            node.get("c").map(|c| c.node),
            Some(Node::Str("plain"))
        ));
        assert_eq!(node.get("d").and_then(NodeRef::as_f64), Some(-3.0));
        assert_eq!(node.get("e").and_then(NodeRef::as_str), Some("esc"));
        assert!(Tree::parse("{\"a\": 1} trailing", &keys).is_err());
        assert!(Tree::parse("{\"a\": ", &keys).is_err());
    }

    #[test]
    fn fields_find_what_get_finds_and_forget_the_object_before() {
        let keys = KeySet::new(&["a", "b", "c"]);
        let text = r#"[{"a": {"c": 1}, "skip": 2, "b": true, "a": 9}, {"c": "x"}, 4]"#;
        let tree = Tree::parse(text, &keys).unwrap_or_else(|e| panic!("{e}"));
        let items: Vec<NodeRef<'_>> = tree.root().as_array().into_iter().flatten().collect();
        let mut fields = Fields::default();
        fields.index(items[0]);
        assert_eq!(fields.num(&["a", "c"]), Some(1.0));
        assert_eq!(fields.get("b").and_then(NodeRef::as_bool), Some(true));
        assert!(fields.get("skip").is_none());
        fields.index(items[1]);
        assert!(fields.get("a").is_none() && fields.get("b").is_none());
        assert_eq!(fields.get("c").and_then(NodeRef::as_str), Some("x"));
        fields.index(items[2]);
        assert!(fields.get("c").is_none());
    }

    #[test]
    fn a_key_set_finds_each_of_its_keys_and_no_other() {
        let names: Vec<&'static str> = (0..300)
            .map(|i| &*Box::leak(format!("key{i}").into_boxed_str()))
            .collect();
        let keys = KeySet::new(&names);
        for (i, n) in names.iter().enumerate() {
            assert_eq!(keys.id(n), Some(i as u16));
        }
        assert_eq!(keys.id("key300"), None);
        assert_eq!(keys.id(""), None);
    }
}
