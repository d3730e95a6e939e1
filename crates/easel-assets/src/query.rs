//! Asset queries: free text, tags, groups, filters, sorting, facets and paging.

use crate::{Error, Result};
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

/// Sort direction for [`AssetQuery::sort_key`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum SortingOrder {
    /// Insertion order (the default).
    #[default]
    None,
    /// Ascending by the sort key.
    Ascending,
    /// Descending by the sort key.
    Descending,
}

/// A search over one source. All fields are optional; the default finds everything, 100 per
/// page. Field names follow the reference engine (`perPage`, `sortKey`, `excludeGroups`, …).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct AssetQuery {
    /// Free text: every word must occur in the label or a tag.
    pub query: Option<String>,
    /// Page to return, 0-based.
    pub page: i64,
    /// Assets per page (1..=100,000).
    pub per_page: i64,
    /// Every listed tag must be present (case-insensitive).
    #[serde(deserialize_with = "one_or_many")]
    pub tags: Vec<String>,
    /// The asset's groups must all be among these (assets without groups match).
    pub groups: Vec<String>,
    /// Drop assets in any of these groups.
    pub exclude_groups: Vec<String>,
    /// Locale for label and tags (falls back to `en`, then the first present).
    pub locale: Option<String>,
    /// Sort direction.
    pub sorting_order: SortingOrder,
    /// `id`, `label` (in the default locale) or a meta key (`rank` or `meta.rank`); assets
    /// lacking it go last.
    pub sort_key: Option<String>,
    /// Put active assets first.
    pub sort_active_first: bool,
    /// Predicates that must all hold.
    pub filter: Vec<AssetFilter>,
    /// Facets to count: `tags`, `groups`, `meta.<key>`.
    pub facets: Vec<String>,
}

impl Default for AssetQuery {
    fn default() -> Self {
        AssetQuery {
            query: None,
            page: 0,
            per_page: 100,
            tags: Vec::new(),
            groups: Vec::new(),
            exclude_groups: Vec::new(),
            locale: None,
            sorting_order: SortingOrder::None,
            sort_key: None,
            sort_active_first: false,
            filter: Vec::new(),
            facets: Vec::new(),
        }
    }
}

/// The deepest a filter may nest (`and` / `or` / `not` inside each other). Matching walks
/// filters recursively within this bound; JSON input is bounded by the parser's own limit of
/// 128 levels before it gets here.
pub const MAX_FILTER_DEPTH: usize = 64;

/// The most facets one query may count (each is a pass over the matching assets).
pub const MAX_FACETS: usize = 128;

/// The most assets one page may hold.
pub const MAX_PER_PAGE: i64 = 100_000;

impl AssetQuery {
    /// Checks paging and filter fields, returning `(page, per_page)`.
    pub(crate) fn validate(&self) -> Result<(usize, usize)> {
        if self.page < 0 || self.page > i64::from(u32::MAX) {
            return Err(Error::InvalidQuery {
                field: "page".into(),
                value: self.page.to_string(),
                reason: "must be within 0..=4294967295".into(),
            });
        }
        if !(1..=MAX_PER_PAGE).contains(&self.per_page) {
            return Err(Error::InvalidQuery {
                field: "perPage".into(),
                value: self.per_page.to_string(),
                reason: format!("must be within 1..={MAX_PER_PAGE}"),
            });
        }
        for f in &self.filter {
            f.validate()?;
        }
        if self.facets.len() > MAX_FACETS {
            return Err(Error::InvalidQuery {
                field: "facets".into(),
                value: format!("{} facets", self.facets.len()),
                reason: format!("at most {MAX_FACETS} facets per query"),
            });
        }
        for facet in &self.facets {
            // Labels and ids are (nearly) distinct per asset: not facetable, as in the
            // reference engine.
            if !matches!(
                Field::parse(facet),
                Ok(Field::Tags | Field::Groups | Field::Meta(_))
            ) {
                return Err(Error::InvalidQuery {
                    field: "facets".into(),
                    value: facet.clone(),
                    reason: "facets are `tags`, `groups` or `meta.<key>`".into(),
                });
            }
        }
        Ok((self.page as usize, self.per_page as usize))
    }
}

fn one_or_many<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<Vec<String>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum OneOrMany {
        One(String),
        Many(Vec<String>),
    }
    Ok(match Option::<OneOrMany>::deserialize(d)? {
        None => Vec::new(),
        Some(OneOrMany::One(s)) => vec![s],
        Some(OneOrMany::Many(v)) => v,
    })
}

/// A filter predicate, combinable with `and` / `or` / `not`. In JSON:
/// `{"property": "label", "contains": "apple"}`, `{"property": "meta.color", "equals": "red"}`,
/// `{"and": [...]}`, `{"or": [...]}`, `{"not": {...}}`. Properties: `label`, `id`, `tags`,
/// `groups`, `meta.<key>`. Comparison is case-insensitive (Unicode case folding).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "Value", into = "Value")]
pub enum AssetFilter {
    /// The property contains the text.
    Contains {
        /// `label`, `id`, `tags`, `groups` or `meta.<key>`.
        property: String,
        /// The text.
        value: String,
    },
    /// The property equals the text.
    Equals {
        /// `label`, `id`, `tags`, `groups` or `meta.<key>`.
        property: String,
        /// The text.
        value: String,
    },
    /// All of these hold.
    And(Vec<AssetFilter>),
    /// Any of these holds.
    Or(Vec<AssetFilter>),
    /// This does not hold.
    Not(Box<AssetFilter>),
}

/// A field a filter, facet or sort reads.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Field {
    Label,
    Id,
    Tags,
    Groups,
    Meta(String),
}

impl Field {
    pub(crate) fn parse(property: &str) -> Result<Field> {
        Ok(match property {
            "label" => Field::Label,
            "id" => Field::Id,
            "tags" => Field::Tags,
            "groups" => Field::Groups,
            other => match other.strip_prefix("meta.") {
                Some("") => {
                    return Err(Error::InvalidFilter(
                        "`meta.` needs a key, e.g. `meta.color`".into(),
                    ));
                }
                Some(key) => Field::Meta(key.to_string()),
                None => {
                    return Err(Error::InvalidFilter(format!(
                        "unknown property `{other}`; expected label, id, tags, groups or meta.<key>"
                    )));
                }
            },
        })
    }
}

impl AssetFilter {
    /// Checks every predicate's property and the nesting depth, without recursing: a
    /// filter nested deeper than [`MAX_FILTER_DEPTH`] is refused before anything walks it.
    fn validate(&self) -> Result<()> {
        let mut pending = vec![(self, 1usize)];
        while let Some((f, depth)) = pending.pop() {
            if depth > MAX_FILTER_DEPTH {
                return Err(Error::InvalidQuery {
                    field: "filter".into(),
                    value: format!("nested {depth} deep"),
                    reason: format!("filters nest too deep: at most {MAX_FILTER_DEPTH} levels"),
                });
            }
            match f {
                AssetFilter::Contains { property, .. } | AssetFilter::Equals { property, .. } => {
                    Field::parse(property)?;
                }
                AssetFilter::And(v) | AssetFilter::Or(v) => {
                    if v.is_empty() {
                        let name = if matches!(f, AssetFilter::And(_)) {
                            "and"
                        } else {
                            "or"
                        };
                        return Err(Error::InvalidFilter(format!(
                            "`{name}` needs at least one filter, got []"
                        )));
                    }
                    pending.extend(v.iter().map(|c| (c, depth + 1)));
                }
                AssetFilter::Not(c) => pending.push((c, depth + 1)),
            }
        }
        Ok(())
    }

    /// Reads a filter from its JSON form, naming what is wrong when it is malformed.
    pub fn from_json(value: &Value) -> Result<AssetFilter> {
        let obj = value.as_object().ok_or_else(|| {
            Error::InvalidFilter(format!("a filter must be an object, got {value}"))
        })?;
        let list = |v: &Value, name: &str| -> Result<Vec<AssetFilter>> {
            v.as_array()
                .ok_or_else(|| Error::InvalidFilter(format!("`{name}` needs an array of filters")))?
                .iter()
                .map(AssetFilter::from_json)
                .collect()
        };
        // Exactly one discriminator, as the reference engine's validation says.
        let discriminators: Vec<&str> = ["property", "and", "or", "not"]
            .into_iter()
            .filter(|k| obj.contains_key(*k))
            .collect();
        if discriminators.len() > 1 {
            return Err(Error::InvalidFilter(format!(
                "filter {value} has several discriminators ({}): give exactly one of \
                 `property`, `and`, `or`, `not`",
                discriminators.join(", ")
            )));
        }
        let combinator = |v: &Value, name: &str| -> Result<Vec<AssetFilter>> {
            let children = list(v, name)?;
            if children.is_empty() {
                return Err(Error::InvalidFilter(format!(
                    "`{name}` needs at least one filter, got []"
                )));
            }
            Ok(children)
        };
        if let Some(v) = obj.get("and") {
            return Ok(AssetFilter::And(combinator(v, "and")?));
        }
        if let Some(v) = obj.get("or") {
            return Ok(AssetFilter::Or(combinator(v, "or")?));
        }
        if let Some(v) = obj.get("not") {
            return Ok(AssetFilter::Not(Box::new(AssetFilter::from_json(v)?)));
        }
        let property = obj
            .get("property")
            .and_then(Value::as_str)
            .ok_or_else(|| Error::InvalidFilter(format!("missing `property` in {value}")))?
            .to_string();
        Field::parse(&property)?;
        let text = |v: &Value| -> Result<String> {
            v.as_str().map(str::to_string).ok_or_else(|| {
                Error::InvalidFilter(format!("`{property}` needs a string, got {v}"))
            })
        };
        match (obj.get("contains"), obj.get("equals")) {
            (Some(c), None) => Ok(AssetFilter::Contains {
                value: text(c)?,
                property,
            }),
            (None, Some(e)) => Ok(AssetFilter::Equals {
                value: text(e)?,
                property,
            }),
            (Some(_), Some(_)) => Err(Error::InvalidFilter(format!(
                "filter on `{property}` has both `contains` and `equals`"
            ))),
            (None, None) => Err(Error::InvalidFilter(format!(
                "filter on `{property}` needs `contains` or `equals`"
            ))),
        }
    }
}

impl TryFrom<Value> for AssetFilter {
    type Error = Error;
    fn try_from(value: Value) -> Result<Self> {
        AssetFilter::from_json(&value)
    }
}

impl From<AssetFilter> for Value {
    fn from(f: AssetFilter) -> Value {
        match f {
            AssetFilter::Contains { property, value } => {
                serde_json::json!({"property": property, "contains": value})
            }
            AssetFilter::Equals { property, value } => {
                serde_json::json!({"property": property, "equals": value})
            }
            AssetFilter::And(v) => serde_json::json!({"and": v}),
            AssetFilter::Or(v) => serde_json::json!({"or": v}),
            AssetFilter::Not(f) => serde_json::json!({"not": *f}),
        }
    }
}
