//! Where a URI's bytes come from: the resolver hook, registered buffers, `{{base_url}}`,
//! relative references against the base path, and the allowed schemes.

use super::{Buffer, ResourceResult, fail};
use crate::editor::{EditorSettings, UriResolver};
use crate::error::ResourceErrorKind;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use url::Url;

/// Where the bytes of a URI come from, after resolution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Location {
    /// A registered buffer, with the generation it was registered at.
    Buffer {
        uri: String,
        bytes: Arc<Vec<u8>>,
        generation: u64,
    },
    /// An http(s) URL.
    Http(Url),
    /// A file on this machine.
    File(PathBuf),
    /// A `data:` URI.
    Data(String),
}

impl Location {
    /// The URI as resolved, for error messages.
    pub fn shown(&self) -> String {
        match self {
            Location::Buffer { uri, .. } => uri.clone(),
            Location::Http(url) => url.to_string(),
            Location::File(path) => path.display().to_string(),
            Location::Data(uri) => uri.clone(),
        }
    }
}

/// Resolves `uri` through the resolver hook, registered buffers and the base path, and
/// checks its scheme against the allowed ones. Does no I/O.
pub(crate) fn locate(
    uri: &str,
    settings: &EditorSettings,
    resolver: Option<&UriResolver>,
    buffers: &HashMap<String, Buffer>,
) -> ResourceResult<Location> {
    let mut resolved = resolver
        .and_then(|r| r(uri))
        .unwrap_or_else(|| uri.to_string());
    if let Some(b) = buffers.get(&resolved) {
        return checked(
            Location::Buffer {
                uri: resolved,
                bytes: b.bytes.clone(),
                generation: b.generation,
            },
            "buffer",
            settings,
        );
    }
    let base = settings.base_path.as_deref().unwrap_or_default();
    if resolved.contains("{{base_url}}") {
        if base.is_empty() {
            return Err(fail(
                ResourceErrorKind::FileFetchFailed,
                &resolved,
                "`{{base_url}}` needs a base path, and none is set (EditorApi::set_base_path)",
            ));
        }
        resolved = resolved.replace("{{base_url}}", base.trim_end_matches('/'));
    }
    match Url::parse(&resolved) {
        // One-letter "schemes" are Windows drive letters, not URLs.
        Ok(url) if url.scheme().len() > 1 => match url.scheme() {
            "http" | "https" => {
                let scheme = url.scheme().to_string();
                checked(Location::Http(url), &scheme, settings)
            }
            "file" => {
                let path = url.to_file_path().map_err(|()| {
                    fail(
                        ResourceErrorKind::FileFetchFailed,
                        &resolved,
                        "not a local file path",
                    )
                })?;
                checked(Location::File(path), "file", settings)
            }
            "data" => checked(Location::Data(resolved), "data", settings),
            "buffer" => Err(fail(
                ResourceErrorKind::FileFetchFailed,
                &resolved,
                "no buffer is registered under this URI",
            )),
            other => Err(fail(
                ResourceErrorKind::SchemeNotAllowed,
                &resolved,
                format!("unsupported scheme `{other}`"),
            )),
        },
        // A relative reference: against an http base it is a URL, otherwise a path.
        _ => match Url::parse(&format!("{}/", base.trim_end_matches('/'))) {
            Ok(base_url) if matches!(base_url.scheme(), "http" | "https") => {
                let joined = base_url
                    .join(resolved.trim_start_matches("./"))
                    .map_err(|e| {
                        fail(ResourceErrorKind::FileFetchFailed, &resolved, e.to_string())
                    })?;
                let scheme = joined.scheme().to_string();
                checked(Location::Http(joined), &scheme, settings)
            }
            _ => {
                let path = Path::new(&resolved);
                let full = if path.is_absolute() || base.is_empty() {
                    path.to_path_buf()
                } else {
                    Path::new(base).join(path)
                };
                checked(Location::File(full), "file", settings)
            }
        },
    }
}

fn checked(
    location: Location,
    scheme: &str,
    settings: &EditorSettings,
) -> ResourceResult<Location> {
    if settings
        .allowed_schemes
        .iter()
        .any(|a| a.eq_ignore_ascii_case(scheme))
    {
        Ok(location)
    } else {
        Err(fail(
            ResourceErrorKind::SchemeNotAllowed,
            &location.shown(),
            format!("scheme `{scheme}` is not among the allowed schemes"),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(uri: &str, base: Option<&str>) -> ResourceResult<Location> {
        let settings = EditorSettings {
            base_path: base.map(String::from),
            ..Default::default()
        };
        locate(uri, &settings, None, &HashMap::new())
    }

    #[test]
    fn urls_paths_and_relative_references() {
        assert_eq!(
            at("https://example.com/a b.png", None).map(|l| l.shown()),
            Ok("https://example.com/a%20b.png".to_string())
        );
        assert_eq!(
            at("img/x.png", Some("https://cdn.example/assets/")),
            Ok(Location::Http(
                Url::parse("https://cdn.example/assets/img/x.png")
                    .unwrap_or_else(|e| panic!("{e}"))
            ))
        );
        assert_eq!(
            at("./x.png", Some("https://cdn.example/assets")).map(|l| l.shown()),
            Ok("https://cdn.example/assets/x.png".to_string())
        );
        assert_eq!(
            at("x.png", Some("/srv/img")),
            Ok(Location::File("/srv/img/x.png".into()))
        );
        assert_eq!(
            at("/abs/x.png", Some("/srv")),
            Ok(Location::File("/abs/x.png".into()))
        );
        assert_eq!(
            at("file:///tmp/a%20b.png", None),
            Ok(Location::File("/tmp/a b.png".into()))
        );
        assert_eq!(
            at("{{base_url}}/x.png", Some("https://cdn.example/v1/")).map(|l| l.shown()),
            Ok("https://cdn.example/v1/x.png".to_string())
        );
    }

    #[test]
    fn schemes_are_checked_and_base_url_needs_a_base() {
        let err = at("ftp://example.com/a.png", None).unwrap_err();
        assert_eq!(err.kind, ResourceErrorKind::SchemeNotAllowed);
        let err = at("buffer://nothing", None).unwrap_err();
        assert!(err.message.contains("no buffer"), "{err}");
        let err = at("{{base_url}}/x.png", None).unwrap_err();
        assert!(err.message.contains("base path"), "{err}");
        let settings = EditorSettings {
            allowed_schemes: vec!["https".into()],
            ..Default::default()
        };
        let err = locate("/a.png", &settings, None, &HashMap::new()).unwrap_err();
        assert!(err.message.contains("`file`"), "{err}");
    }

    #[test]
    fn the_resolver_and_buffers_come_first() {
        let mut buffers = HashMap::new();
        buffers.insert(
            "buffer://logo".to_string(),
            Buffer {
                bytes: Arc::new(vec![1, 2, 3]),
                generation: 7,
            },
        );
        let resolver: UriResolver =
            Arc::new(|u: &str| (u == "brand:logo").then(|| "buffer://logo".to_string()));
        let found = locate(
            "brand:logo",
            &EditorSettings::default(),
            Some(&resolver),
            &buffers,
        );
        assert!(matches!(found, Ok(Location::Buffer { generation: 7, .. })));
    }
}
