//! Asset data types, with the reference engine's JSON field names.

use crate::small_map::SmallMap;
use compact_str::CompactString;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// An asset as stored in a source: localized label and tags, groups, meta and payload.
///
/// Text is held in [`CompactString`]s (up to 24 bytes inline, no allocation) and keyed
/// values in [`SmallMap`]s: a typical asset takes under 1 KB, so a server can keep hundreds
/// of thousands in memory.
///
/// ```
/// use easel_assets::AssetDefinition;
///
/// let asset = AssetDefinition::new("sample-1")
///     .with_label("en", "Sample one")
///     .with_tags("en", &["sample", "photo"])
///     .with_meta("uri", "https://example.com/1.jpg")
///     .with_meta("width", 1600);
/// assert_eq!(asset.meta_text("width").as_deref(), Some("1600"));
/// ```
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AssetDefinition {
    /// Unique within its source.
    pub id: CompactString,
    /// Locale → label, in the order given.
    #[serde(default, skip_serializing_if = "SmallMap::is_empty")]
    pub label: SmallMap<CompactString>,
    /// Locale → tags, in the order given.
    #[serde(default, skip_serializing_if = "SmallMap::is_empty")]
    pub tags: SmallMap<Vec<CompactString>>,
    /// Groups the asset belongs to.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<CompactString>,
    /// Free-form metadata (`uri`, `mimeType`, `width`, `blockType`, …), values keep their type.
    #[serde(default, skip_serializing_if = "SmallMap::is_empty")]
    pub meta: SmallMap<Value>,
    /// Free-form payload (e.g. a colour for colour assets).
    #[serde(default, skip_serializing_if = "SmallMap::is_empty")]
    pub payload: SmallMap<Value>,
    /// Who made this asset; overrides the source's credits in results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Box<Credits>>,
    /// This asset's license; overrides the source's in results.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<Box<License>>,
    /// UTM parameters for the links in the credits.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm: Option<Box<Utm>>,
}

impl AssetDefinition {
    /// A definition with only an id.
    pub fn new(id: impl Into<CompactString>) -> Self {
        AssetDefinition {
            id: id.into(),
            ..Default::default()
        }
    }

    /// Adds (or replaces) the label for a locale.
    pub fn with_label(mut self, locale: &str, label: &str) -> Self {
        self.label.insert(locale, CompactString::from(label));
        self
    }

    /// Adds (or replaces) the tags for a locale.
    pub fn with_tags(mut self, locale: &str, tags: &[&str]) -> Self {
        self.tags.insert(
            locale,
            tags.iter().map(|t| CompactString::from(*t)).collect(),
        );
        self
    }

    /// Adds groups.
    pub fn with_groups(mut self, groups: &[&str]) -> Self {
        self.groups
            .extend(groups.iter().map(|g| CompactString::from(*g)));
        self
    }

    /// Sets one meta value.
    pub fn with_meta(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.meta.insert(key, value.into());
        self
    }

    /// Sets one payload value.
    pub fn with_payload(mut self, key: &str, value: impl Into<Value>) -> Self {
        self.payload.insert(key, value.into());
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

/// UTM parameters for the links inside an asset's credits.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Utm {
    /// `utm_source`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// `utm_medium`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub medium: Option<String>,
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
    pub id: CompactString,
    /// The label in the resolved locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label: Option<CompactString>,
    /// The tags in the resolved locale.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tags: Option<Vec<CompactString>>,
    /// The locale asked for, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<CompactString>,
    /// The asset's groups.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub groups: Vec<CompactString>,
    /// The asset's meta, values with their JSON types.
    #[serde(default)]
    pub meta: SmallMap<Value>,
    /// The asset's payload.
    #[serde(default)]
    pub payload: SmallMap<Value>,
    /// Whether the asset is active (selected) in the current design.
    #[serde(default)]
    pub active: bool,
    /// Where the result came from.
    pub context: AssetContext,
    /// The asset's credits, else the source's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub credits: Option<Credits>,
    /// The asset's license, else the source's.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub license: Option<License>,
    /// The asset's UTM parameters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub utm: Option<Utm>,
    /// The asset's revision in a local source: 1 when added, one more at each update (0,
    /// and left out of the JSON, for custom sources). Conditional writes
    /// ([`crate::AssetStore::update_asset_if`]) compare against it.
    #[serde(default, skip_serializing_if = "is_zero")]
    pub revision: u64,
}

fn is_zero(v: &u64) -> bool {
    *v == 0
}

impl AssetResult {
    /// Turns a result back into a definition (label and tags under its locale, or `en`).
    pub fn to_definition(&self) -> AssetDefinition {
        let locale = self.locale.clone().unwrap_or_else(|| "en".into());
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
