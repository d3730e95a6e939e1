//! The reference engine's `content.json` format for local sources.

use crate::definition::AssetDefinition;
use crate::store::{AssetStore, LocalSourceOptions};
use crate::{Error, Result};
use compact_str::CompactString;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// A content file: `{"version": "2.0.0", "id": "…", "assets": […]}`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct ContentFile {
    /// Format version (the reference engine writes `2.0.0`).
    #[serde(default)]
    pub version: Option<String>,
    /// The source id.
    pub id: String,
    /// The assets, in order.
    pub assets: Vec<AssetDefinition>,
}

fn replace_base_url(value: &mut Value, base: &str) {
    match value {
        Value::String(s) if s.contains("{{base_url}}") => *s = s.replace("{{base_url}}", base),
        Value::Array(a) => a.iter_mut().for_each(|v| replace_base_url(v, base)),
        Value::Object(o) => o.values_mut().for_each(|v| replace_base_url(v, base)),
        _ => {}
    }
}

/// Matches `*` (any run) and `?` (one character) glob patterns.
fn glob(pattern: &str, text: &str) -> bool {
    let (p, t): (Vec<char>, Vec<char>) = (pattern.chars().collect(), text.chars().collect());
    let (mut pi, mut ti, mut star, mut mark) = (0, 0, None, 0);
    while ti < t.len() {
        if pi < p.len() && (p[pi] == '?' || p[pi] == t[ti]) {
            pi += 1;
            ti += 1;
        } else if pi < p.len() && p[pi] == '*' {
            star = Some(pi);
            mark = ti;
            pi += 1;
        } else if let Some(s) = star {
            pi = s + 1;
            mark += 1;
            ti = mark;
        } else {
            return false;
        }
    }
    p[pi..].iter().all(|c| *c == '*')
}

/// Parses a content file, replacing `{{base_url}}` in every string with `base_url` (a
/// trailing `/` is dropped). With `matchers`, only assets whose id matches one of the globs
/// (`*`, `?`; case-sensitive) are kept — an empty list keeps none; `None` keeps all.
pub fn content_from_str(
    json: &str,
    base_url: Option<&str>,
    matchers: Option<&[&str]>,
) -> Result<ContentFile> {
    let bad = |message: String| Error::InvalidContent {
        path: None,
        message,
    };
    let mut value: Value = serde_json::from_str(json).map_err(|e| bad(e.to_string()))?;
    if value.get("id").and_then(Value::as_str).is_none()
        || !value.get("assets").is_some_and(Value::is_array)
    {
        return Err(bad(
            "expected an object with a string `id` and an `assets` array".into(),
        ));
    }
    if let Some(base) = base_url {
        replace_base_url(&mut value, base.trim_end_matches('/'));
    }
    let mut file: ContentFile = serde_json::from_value(value).map_err(|e| bad(e.to_string()))?;
    if let Some(matchers) = matchers {
        file.assets
            .retain(|a| matchers.iter().any(|m| glob(m, &a.id)));
    }
    Ok(file)
}

impl AssetStore {
    /// Loads a content file into a local source, creating it if needed or adding to an
    /// existing local source (assets whose id already exists are skipped, first one wins).
    /// Returns the source id. One Added or Updated event.
    pub fn add_local_source_from_json_str(
        &self,
        json: &str,
        base_url: Option<&str>,
        matchers: Option<&[&str]>,
    ) -> Result<String> {
        let file = content_from_str(json, base_url, matchers)?;
        let mut seen = std::collections::HashSet::new();
        let assets: Vec<AssetDefinition> = file
            .assets
            .into_iter()
            .filter(|a| seen.insert(a.id.clone()))
            .collect();
        if self.has_source(&file.id) {
            let existing: std::collections::HashSet<CompactString> = self
                .definitions(&file.id)?
                .into_iter()
                .map(|d| d.id)
                .collect();
            let new = assets.into_iter().filter(|a| !existing.contains(&a.id));
            self.add_assets_to_source(&file.id, new)?;
        } else {
            self.add_local_source_with_assets(&file.id, LocalSourceOptions::default(), assets)?;
        }
        Ok(file.id)
    }

    /// Loads a content file from disk; `{{base_url}}` defaults to the file's folder.
    pub fn add_local_source_from_json_file(
        &self,
        path: &std::path::Path,
        base_url: Option<&str>,
        matchers: Option<&[&str]>,
    ) -> Result<String> {
        let shown = path.display().to_string();
        let json = std::fs::read_to_string(path).map_err(|e| Error::Io {
            path: shown.clone(),
            message: e.to_string(),
        })?;
        let folder = path.parent().map(|p| p.display().to_string());
        let base = base_url.map(str::to_string).or(folder);
        self.add_local_source_from_json_str(&json, base.as_deref(), matchers)
            .map_err(|e| match e {
                Error::InvalidContent { message, .. } => Error::InvalidContent {
                    path: Some(shown.clone()),
                    message,
                },
                other => other,
            })
    }

    /// Writes a local source in the content-file format, so it can be reloaded later.
    pub fn local_source_to_json_string(&self, source: &str) -> Result<String> {
        let file = ContentFile {
            version: Some("2.0.0".into()),
            id: source.to_string(),
            assets: self.definitions(source)?,
        };
        serde_json::to_string_pretty(&file).map_err(|e| Error::InvalidContent {
            path: None,
            message: e.to_string(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::glob;

    #[test]
    fn glob_matches() {
        assert!(glob("ly.img.*", "ly.img.image"));
        assert!(glob("a?c", "abc"));
        assert!(!glob("a?c", "abbc"));
        assert!(glob("*", ""));
        assert!(!glob("x*", "yx"));
    }
}
