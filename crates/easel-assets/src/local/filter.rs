//! Filters compiled once per query, and the field values filters and facets read.

use super::text_index::Folded;
use crate::Result;
use crate::definition::AssetDefinition;
use crate::query::{AssetFilter, Field};
use crate::text::{fold_case, resolve};
use serde_json::Value;
use std::borrow::Cow;

/// Calls `f` with each value of a field, for facets (original case; label and tags in the
/// query's locale, each distinct tag once per asset).
pub(super) fn for_each_value<'a>(
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
pub(super) fn folded(text: &str) -> Cow<'_, str> {
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
pub(super) fn meta_text(value: &Value) -> Option<Cow<'_, str>> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(Cow::Borrowed(s)),
        other => Some(Cow::Owned(other.to_string())),
    }
}

/// A filter with its properties parsed and its text folded once per query.
pub(super) enum Compiled {
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
    pub(super) fn new(filter: &AssetFilter) -> Result<Compiled> {
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

    pub(super) fn eval(&self, def: &AssetDefinition, text: &Folded) -> bool {
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
