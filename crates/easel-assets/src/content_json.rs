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

/// The longest string `{{base_url}}` substitution may produce: a URI, not a payload.
pub const MAX_SUBSTITUTED_LEN: usize = 8192;

/// `{{base_url}}` in one string, as the reference engine resolves it: a string that starts
/// with it is the rest resolved against `base` like a relative URL (`base/` + `img/x.png`
/// → `base/img/x.png`; a base without a trailing slash loses its last segment, so the folder
/// of a content file's URI resolves to the folder above it, `..` steps up); elsewhere in a
/// string it is joined with exactly one slash.
fn substitute(s: &str, base: &str) -> String {
    const TOKEN: &str = "{{base_url}}";
    let join = |rest: &str| -> String {
        let rest = rest.trim_start_matches('/');
        if let Ok(url) = url::Url::parse(base)
            && let Ok(joined) = url.join(rest)
        {
            return joined.to_string();
        }
        // A path: the same rule without URL parsing.
        let dir = match base.rfind('/') {
            Some(i) => &base[..=i],
            None => "",
        };
        format!("{dir}{rest}")
    };
    match s.strip_prefix(TOKEN) {
        Some(rest) if !rest.contains(TOKEN) => join(rest),
        _ => s
            .replace(&format!("{TOKEN}/"), TOKEN)
            .replace(TOKEN, &format!("{}/", base.trim_end_matches('/'))),
    }
}

/// Replaces `{{base_url}}` in the strings of an asset's fields (never in ids), without
/// recursing (the JSON parser bounds nesting, but a wide document is walked once), and
/// refuses a result longer than [`MAX_SUBSTITUTED_LEN`].
fn replace_base_url(asset: &mut Value, base: &str) -> std::result::Result<(), String> {
    let mut pending: Vec<&mut Value> = match asset {
        Value::Object(o) => o
            .iter_mut()
            .filter(|(k, _)| k.as_str() != "id")
            .map(|(_, v)| v)
            .collect(),
        _ => return Ok(()),
    };
    while let Some(value) = pending.pop() {
        match value {
            Value::String(s) if s.contains("{{base_url}}") => {
                let count = s.matches("{{base_url}}").count();
                let len = s.len() + count * base.len();
                if len > MAX_SUBSTITUTED_LEN {
                    return Err(format!(
                        "`{{{{base_url}}}}` in `{}…` would make a string of {len} bytes, more than {MAX_SUBSTITUTED_LEN}",
                        s.chars().take(40).collect::<String>()
                    ));
                }
                *s = substitute(s, base);
            }
            Value::Array(a) => pending.extend(a.iter_mut()),
            Value::Object(o) => pending.extend(o.values_mut()),
            _ => {}
        }
    }
    Ok(())
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
    // Without a base, `{{base_url}}` stays as written (a fetch of it then fails naming
    // it), rather than turning `{{base_url}}/x` into the absolute path `/x`.
    if let Some(base) = base_url.filter(|b| !b.is_empty())
        && let Some(assets) = value.get_mut("assets").and_then(Value::as_array_mut)
    {
        for asset in assets {
            replace_base_url(asset, base).map_err(bad)?;
        }
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
    /// Returns the source id. Events: Added then Updated for a new source (as the reference
    /// engine sends them), Updated for an existing one. `{{base_url}}` resolves as
    /// [`substitute`] describes; without `base_url` it is left as written (the engine facade
    /// always passes one).
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
            // Announced as Added, then Updated for its contents, as the reference engine
            // announces a loaded content file.
            self.add_local_source_with_assets(&file.id, LocalSourceOptions::default(), assets)?;
        }
        Ok(file.id)
    }

    /// Loads a content file from disk; `{{base_url}}` defaults to the file's folder, which
    /// resolves as the reference engine resolves it (see [`AssetStore::add_local_source_from_json_str`]):
    /// `{{base_url}}/img.png` lands in the folder *above* the file's (content files live in
    /// `<base>/<source id>/content.json`).
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

#[cfg(test)]
mod base_url_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn base_url_reaches_asset_fields_only_and_is_bounded() {
        let json = r#"{"id": "{{base_url}}", "assets": [
            {"id": "{{base_url}}/a", "meta": {"uri": "{{base_url}}/a.jpg"}}
        ]}"#;
        let file = content_from_str(json, Some("https://cdn.example/x/"), None).unwrap();
        assert_eq!(file.id, "{{base_url}}", "source ids are not rewritten");
        assert_eq!(
            file.assets[0].id, "{{base_url}}/a",
            "asset ids are not rewritten"
        );
        assert_eq!(
            file.assets[0].meta_text("uri").as_deref(),
            Some("https://cdn.example/x/a.jpg")
        );
        // No base: the token stays, rather than becoming the absolute path `/a.jpg`.
        let file = content_from_str(json, None, None).unwrap();
        assert_eq!(
            file.assets[0].meta_text("uri").as_deref(),
            Some("{{base_url}}/a.jpg")
        );
        let file = content_from_str(json, Some(""), None).unwrap();
        assert_eq!(
            file.assets[0].meta_text("uri").as_deref(),
            Some("{{base_url}}/a.jpg")
        );
        // A string of many tokens times a long base would be megabytes: refused.
        let many = "{{base_url}}".repeat(2_000);
        let bomb =
            format!(r#"{{"id": "s", "assets": [{{"id": "a", "meta": {{"uri": "{many}"}}}}]}}"#);
        let e = content_from_str(&bomb, Some(&"b".repeat(1_000)), None).unwrap_err();
        assert!(e.to_string().contains("8192"), "{e}");
    }

    #[test]
    fn maps_read_from_json_are_bounded_so_loading_stays_linear() {
        let locales: Vec<String> = (0..100_000).map(|i| format!(r#""l{i}": "x""#)).collect();
        let json = format!(
            r#"{{"id": "s", "assets": [{{"id": "a", "label": {{{}}}}}]}}"#,
            locales.join(",")
        );
        let start = std::time::Instant::now();
        let e = content_from_str(&json, None, None).unwrap_err();
        assert!(e.to_string().contains("1024"), "{e}");
        // Refused after 1,024 entries, not after 100,000² comparisons.
        assert!(start.elapsed() < std::time::Duration::from_secs(5));
    }
}
