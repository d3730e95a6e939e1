//! A read-only JSON tree that borrows its strings from the parsed text, keeps in objects only
//! the keys a reader asked for, and holds all its values in one arena: a foreign scene file of 10,000 blocks is
//! mostly fields Easel does not read, and a `serde_json::Value` of it costs a map (hashed
//! keys, owned strings) per object to build and as much again to drop.

use serde::de::{self, Deserializer, IgnoredAny, MapAccess, SeqAccess, Visitor};
use std::borrow::Cow;
use std::collections::HashSet;

/// A parsed document: every array item and object entry in one arena (children stored
/// contiguously, after their own children), so building and dropping it costs a handful of
/// allocations rather than one or more per object. Read it through [`Tree::root`].
#[derive(Debug)]
pub(crate) struct Tree<'a> {
    arena: Vec<Entry<'a>>,
    root: Node<'a>,
}

/// An object entry (`key` is empty for array items).
#[derive(Debug)]
struct Entry<'a> {
    key: Cow<'a, str>,
    node: Node<'a>,
}

/// A value; arrays and objects name their children's range in the arena.
#[derive(Debug)]
enum Node<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(Cow<'a, str>),
    Array(std::ops::Range<usize>),
    Object(std::ops::Range<usize>),
}

/// A value of a [`Tree`], read like a `serde_json::Value` (strings borrow from the text
/// where they have no escapes; objects are searched linearly, their kept keys being few).
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeRef<'a> {
    arena: &'a [Entry<'a>],
    node: &'a Node<'a>,
}

impl<'a> Tree<'a> {
    /// Parses `json`, keeping only the object keys in `keep` (everything under any other key
    /// is skipped unbuilt).
    pub fn parse(json: &'a [u8], keep: &HashSet<&'static str>) -> serde_json::Result<Tree<'a>> {
        let mut de = serde_json::Deserializer::from_slice(json);
        let mut builder = Builder {
            arena: Vec::new(),
            stack: Vec::new(),
        };
        let root = de::DeserializeSeed::deserialize(
            Kept {
                keep,
                b: &mut builder,
            },
            &mut de,
        )?;
        de.end()?;
        Ok(Tree {
            arena: builder.arena,
            root,
        })
    }

    /// The top-level value.
    pub fn root(&self) -> NodeRef<'_> {
        NodeRef {
            arena: &self.arena,
            node: &self.root,
        }
    }
}

/// The items of an array.
#[derive(Clone, Debug)]
pub(crate) struct Items<'a> {
    arena: &'a [Entry<'a>],
    entries: std::slice::Iter<'a, Entry<'a>>,
}

impl<'a> Iterator for Items<'a> {
    type Item = NodeRef<'a>;
    fn next(&mut self) -> Option<NodeRef<'a>> {
        let arena = self.arena;
        self.entries.next().map(|e| NodeRef {
            arena,
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
    fn at(self, node: &'a Node<'a>) -> NodeRef<'a> {
        NodeRef {
            arena: self.arena,
            node,
        }
    }

    /// The value under `key`, if this is an object holding it.
    pub fn get(self, key: &str) -> Option<NodeRef<'a>> {
        match self.node {
            Node::Object(r) => self.arena[r.clone()]
                .iter()
                .find(|e| e.key == key)
                .map(|e| self.at(&e.node)),
            _ => None,
        }
    }

    /// The value at a path of keys such as `/block_fill/enabled`.
    pub fn pointer(self, path: &str) -> Option<NodeRef<'a>> {
        path.split('/')
            .filter(|k| !k.is_empty())
            .try_fold(self, |node, key| node.get(key))
    }

    pub fn as_str(self) -> Option<&'a str> {
        match self.node {
            Node::String(s) => Some(s),
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
            Node::Array(r) => Some(Items {
                arena: self.arena,
                entries: self.arena[r.clone()].iter(),
            }),
            _ => None,
        }
    }

    /// The same value as a `serde_json::Value`.
    pub fn to_value(self) -> serde_json::Value {
        use serde_json::Value;
        match self.node {
            Node::Null => Value::Null,
            Node::Bool(b) => Value::Bool(*b),
            Node::Number(n) => serde_json::Number::from_f64(*n).map_or(Value::Null, Value::Number),
            Node::String(s) => Value::String(s.to_string()),
            Node::Array(_) => Value::Array(
                self.as_array()
                    .into_iter()
                    .flatten()
                    .map(NodeRef::to_value)
                    .collect(),
            ),
            Node::Object(r) => Value::Object(
                self.arena[r.clone()]
                    .iter()
                    .map(|e| (e.key.to_string(), self.at(&e.node).to_value()))
                    .collect(),
            ),
        }
    }
}

/// The arena being filled, and the entries of the arrays and objects still open (each
/// moves its own into the arena when it closes).
struct Builder<'a> {
    arena: Vec<Entry<'a>>,
    stack: Vec<Entry<'a>>,
}

impl<'a> Builder<'a> {
    /// Moves the entries from `start` on into the arena; their range there.
    fn close(&mut self, start: usize) -> std::ops::Range<usize> {
        let at = self.arena.len();
        self.arena.extend(self.stack.drain(start..));
        at..self.arena.len()
    }
}

/// Deserializes one value into the builder, keeping the keys in the set.
struct Kept<'k, 'b, 'a> {
    keep: &'k HashSet<&'static str>,
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
        Ok(Node::String(Cow::Borrowed(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v.to_string())))
    }
    fn visit_string<E>(self, v: String) -> Result<Node<'de>, E> {
        Ok(Node::String(Cow::Owned(v)))
    }
    fn visit_unit<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_none<E>(self) -> Result<Node<'de>, E> {
        Ok(Node::Null)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node<'de>, A::Error> {
        let (keep, b) = (self.keep, self.b);
        let start = b.stack.len();
        while let Some(node) = seq.next_element_seed(Kept { keep, b: &mut *b })? {
            b.stack.push(Entry {
                key: Cow::Borrowed(""),
                node,
            });
        }
        Ok(Node::Array(b.close(start)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node<'de>, A::Error> {
        let (keep, b) = (self.keep, self.b);
        let start = b.stack.len();
        while let Some(Key(key)) = map.next_key::<Key<'de>>()? {
            if keep.contains(key.as_ref()) {
                let node = map.next_value_seed(Kept { keep, b: &mut *b })?;
                b.stack.push(Entry { key, node });
            } else {
                map.next_value::<IgnoredAny>()?;
            }
        }
        Ok(Node::Object(b.close(start)))
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
        let keep: HashSet<&'static str> = ["a", "b", "c", "d"].into_iter().collect();
        let text = br#"{"a": {"b": [1, 2.5, "x\"y", true, null]}, "skip": {"a": 1}, "c": "plain", "d": -3}"#;
        let tree = Tree::parse(text, &keep).unwrap_or_else(|e| panic!("{e}"));
        let node = tree.root();
        assert!(node.get("skip").is_none());
        let list: Vec<NodeRef<'_>> = node
            .pointer("/a/b")
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
            Some(Node::String(Cow::Borrowed("plain")))
        ));
        assert_eq!(node.get("d").and_then(NodeRef::as_f64), Some(-3.0));
        assert_eq!(
            node.get("a").map(NodeRef::to_value),
            Some(serde_json::json!({"b": [1.0, 2.5, "x\"y", true, null]}))
        );
        assert!(Tree::parse(b"{\"a\": 1} trailing", &keep).is_err());
        assert!(Tree::parse(b"{\"a\": ", &keep).is_err());
    }
}
