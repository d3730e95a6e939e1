//! Asset data types, with the reference engine's JSON field names.

use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// An asset as stored in a source: localized label and tags, groups, meta and payload.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetDefinition {
    /// Unique within its source.
    pub id: String,
    /// Locale → label, in the order given.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub label: IndexMap<String, String>,
    /// Locale → tags, in the order given.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub tags: IndexMap<String, Vec<String>>,
    /// Groups the asset belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// Free-form metadata (`uri`, `mimeType`, `width`, `blockType`, …), values keep their type.
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub meta: Map<String, Value>,
    /// Free-form payload (e.g. a colour for colour assets).
    #[serde(default, skip_serializing_if = "Map::is_empty")]
    pub payload: Map<String, Value>,
}

impl AssetDefinition {
    /// A definition with only an id.
    pub fn new(id: impl Into<String>) -> Self {
        AssetDefinition {
            id: id.into(),
            ..Default::default()
        }
    }

    /// Adds a label for a locale.
    pub fn with_label(mut self, locale: &str, label: &str) -> Self {
        // Most assets have one locale: room for exactly one saves a third of their memory.
        self.label.reserve_exact(1);
        self.label.insert(locale.to_string(), label.to_string());
        self
    }

    /// Adds tags for a locale.
    pub fn with_tags(mut self, locale: &str, tags: &[&str]) -> Self {
        self.tags.reserve_exact(1);
        self.tags.insert(
            locale.to_string(),
            tags.iter().map(|t| t.to_string()).collect(),
        );
        self
    }

    /// Adds groups.
    pub fn with_groups(mut self, groups: &[&str]) -> Self {
        self.groups.extend(groups.iter().map(|g| g.to_string()));
        self
    }

    /// Sets one meta value.
    pub fn with_meta(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.meta.insert(key.to_string(), value.into());
        self
    }

    /// The meta value's plain text form: strings as they are, numbers as JSON writes them
    /// (`1600`, `0.5`), booleans `true`/`false`; `None` when absent or null.
    pub fn meta_text(&self, key: &str) -> Option<String> {
        match self.meta.get(key)? {
            Value::Null => None,
            Value::String(s) => Some(s.clone()),
            other => Some(other.to_string()),
        }
    }
}

/// Who made the assets of a source.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Credits {
    /// Display name.
    pub name: String,
    /// Link to the author.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Under which license a source's assets are.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct License {
    /// Display name.
    pub name: String,
    /// Link to the license text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Where a result came from.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetContext {
    /// The id of the source that returned the asset.
    pub source_id: String,
}

/// An asset as returned by a query: label and tags resolved to one locale.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetResult {
    /// The asset id.
    pub id: String,
    /// The label in the resolved locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// The tags in the resolved locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<String>>,
    /// The locale asked for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
    /// The asset's groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<String>,
    /// The asset's meta, values with their JSON types.
    #[serde(default)]
    pub meta: Map<String, Value>,
    /// The asset's payload.
    #[serde(default)]
    pub payload: Map<String, Value>,
    /// Whether the asset is active (selected) in the current design.
    #[serde(default)]
    pub active: bool,
    /// Where the result came from.
    pub context: AssetContext,
    /// The source's credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Credits>,
    /// The source's license.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
}

impl AssetResult {
    /// Turns a result back into a definition (label and tags under its locale, or `en`).
    pub fn to_definition(&self) -> AssetDefinition {
        let locale = self.locale.clone().unwrap_or_else(|| "en".to_string());
        let mut def = AssetDefinition::new(self.id.clone());
        if let Some(l) = &self.label {
            def.label.insert(locale.clone(), l.clone());
        }
        if let Some(t) = &self.tags {
            def.tags.insert(locale, t.clone());
        }
        def.groups = self.groups.clone();
        def.meta = self.meta.clone();
        def.payload = self.payload.clone();
        def
    }
}

/// One facet entry: a value and how many matching assets have it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FacetValue {
    /// The value.
    pub value: String,
    /// How many matches have it.
    pub count: usize,
}

/// One page of results.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetQueryResult {
    /// The assets on this page.
    pub assets: Vec<AssetResult>,
    /// The page returned (0-based).
    pub current_page: u32,
    /// The next page, only when more matches exist.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_page: Option<u32>,
    /// How many assets match in all.
    pub total: usize,
    /// Facet name → values by count descending, then value.
    #[serde(default, skip_serializing_if = "IndexMap::is_empty")]
    pub facets: IndexMap<String, Vec<FacetValue>>,
}
