//! Fetching the bytes of a located resource, within the download limit, whatever it is:
//! http(s), a file, a `data:` URI or a registered buffer.

use super::locate::Location;
use super::network::FilteringResolver;
use super::{ResourceResult, fail};
use crate::editor::{EditorSettings, HostPolicy};
use crate::error::ResourceErrorKind;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// Redirects followed before a fetch fails.
const MAX_REDIRECTS: usize = 5;

/// The HTTP client, rebuilt when the settings it was built from change (a client keeps its
/// timeouts, resolver and redirect policy for life).
#[derive(Default)]
pub(crate) struct HttpClient {
    client: Mutex<Option<(Duration, HostPolicy, reqwest::blocking::Client)>>,
}

impl HttpClient {
    fn get(
        &self,
        timeout: Duration,
        hosts: &HostPolicy,
    ) -> ResourceResult<reqwest::blocking::Client> {
        let mut slot = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((t, h, c)) = slot.as_ref()
            && *t == timeout
            && h == hosts
        {
            return Ok(c.clone());
        }
        let policy = hosts.clone();
        let redirects = reqwest::redirect::Policy::custom(move |attempt| {
            if attempt.previous().len() >= MAX_REDIRECTS {
                return attempt.error(format!("more than {MAX_REDIRECTS} redirects"));
            }
            match policy.check_url(attempt.url()) {
                Ok(()) => attempt.follow(),
                Err(why) => {
                    let to = attempt.url().to_string();
                    attempt.error(format!("redirect to {to}: {why}"))
                }
            }
        });
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(redirects)
            .dns_resolver(Arc::new(FilteringResolver {
                policy: hosts.clone(),
            }))
            .build()
            .map_err(|e| {
                fail(
                    ResourceErrorKind::FileFetchFailed,
                    "http client",
                    e.to_string(),
                )
            })?;
        *slot = Some((timeout, hosts.clone(), client.clone()));
        Ok(client)
    }
}

fn too_big(shown: &str, n: u64, max: u64) -> super::ResourceError {
    fail(
        ResourceErrorKind::FileFetchFailed,
        shown,
        format!("{n} bytes exceeds the download limit of {max} bytes"),
    )
}

/// The bytes at `location`, at most `settings.max_download_bytes` of them.
pub(crate) fn fetch(
    location: &Location,
    settings: &EditorSettings,
    http: &HttpClient,
) -> ResourceResult<Arc<Vec<u8>>> {
    let max = settings.max_download_bytes;
    let shown = location.shown();
    let bytes = match location {
        Location::Buffer { bytes, .. } => bytes.clone(),
        Location::Data(uri) => {
            // The encoded form bounds the decoded one (base64 is 4/3 larger).
            if uri.len() as u64 > max.saturating_mul(2).saturating_add(1024) {
                return Err(too_big(&shown, uri.len() as u64, max));
            }
            Arc::new(decode_data_uri(uri)?)
        }
        Location::File(path) => {
            let io =
                |e: std::io::Error| fail(ResourceErrorKind::FileFetchFailed, &shown, e.to_string());
            if let Some(root) = &settings.file_root {
                inside(path, root)
                    .map_err(|why| fail(ResourceErrorKind::AccessDenied, &shown, why))?;
            }
            let meta = std::fs::metadata(path).map_err(io)?;
            if meta.len() > max {
                return Err(too_big(&shown, meta.len(), max));
            }
            Arc::new(std::fs::read(path).map_err(io)?)
        }
        // HTTP runs on a thread of its own: the blocking client must never run on (or be
        // built on) an async runtime's thread, which is where a server's caller may be.
        Location::Http(url) => Arc::new(std::thread::scope(|s| {
            s.spawn(|| fetch_http(url, settings, http))
                .join()
                .unwrap_or_else(|_| {
                    Err(fail(
                        ResourceErrorKind::FileFetchFailed,
                        &shown,
                        "fetch panicked",
                    ))
                })
        })?),
    };
    if bytes.len() as u64 > max {
        return Err(too_big(&shown, bytes.len() as u64, max));
    }
    Ok(bytes)
}

fn fetch_http(
    url: &url::Url,
    settings: &EditorSettings,
    http: &HttpClient,
) -> ResourceResult<Vec<u8>> {
    let timeout = settings.fetch_timeout;
    let max = settings.max_download_bytes;
    let shown = url.as_str();
    let timed_out = || {
        fail(
            ResourceErrorKind::FileFetchFailed,
            shown,
            format!("timed out after {timeout:?}"),
        )
    };
    settings
        .hosts
        .check_url(url)
        .map_err(|why| fail(ResourceErrorKind::AccessDenied, shown, why))?;
    let client = http.get(timeout, &settings.hosts)?;
    let response = client.get(url.clone()).send().map_err(|e| {
        if e.is_timeout() {
            timed_out()
        } else if let Some(why) = refusal_in(&e) {
            fail(ResourceErrorKind::AccessDenied, shown, why)
        } else {
            fail(ResourceErrorKind::FileFetchFailed, shown, chain(&e))
        }
    })?;
    let status = response.status();
    if !status.is_success() {
        return Err(fail(
            ResourceErrorKind::FileFetchFailed,
            shown,
            format!("HTTP status {status}"),
        ));
    }
    if let Some(len) = response.content_length()
        && len > max
    {
        return Err(too_big(shown, len, max));
    }
    let mut body = Vec::new();
    response.take(max + 1).read_to_end(&mut body).map_err(|e| {
        // reqwest reports a body that stalls past the timeout as an I/O error wrapping
        // its own timeout error.
        let is_timeout = std::error::Error::source(&e)
            .and_then(|s| s.downcast_ref::<reqwest::Error>())
            .is_some_and(reqwest::Error::is_timeout)
            || e.kind() == std::io::ErrorKind::TimedOut
            || e.to_string().to_ascii_lowercase().contains("timed out");
        if is_timeout {
            timed_out()
        } else {
            fail(ResourceErrorKind::FileFetchFailed, shown, e.to_string())
        }
    })?;
    Ok(body)
}

/// The refusal of the host policy inside a client error (from the resolver or a redirect).
fn refusal_in(e: &reqwest::Error) -> Option<String> {
    let text = chain(e);
    text.contains("fetches from it are refused").then_some(text)
}

/// An error with its causes, `: `-separated (reqwest's own message omits them).
fn chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let more = s.to_string();
        if !text.contains(&more) {
            text.push_str(": ");
            text.push_str(&more);
        }
        source = s.source();
    }
    text
}

/// Whether `path` lies inside `root` once both are resolved (`..`, symbolic links).
fn inside(path: &std::path::Path, root: &std::path::Path) -> Result<(), String> {
    let root = root
        .canonicalize()
        .map_err(|e| format!("the file root {} is unusable: {e}", root.display()))?;
    let real = path
        .canonicalize()
        .map_err(|e| format!("cannot resolve {}: {e}", path.display()))?;
    match real.starts_with(&root) {
        true => Ok(()),
        false => Err(format!(
            "{} is outside the file root {}",
            real.display(),
            root.display()
        )),
    }
}

/// Decodes a `data:` URI (base64 or percent-encoded) with the `data-url` crate.
fn decode_data_uri(uri: &str) -> ResourceResult<Vec<u8>> {
    let bad = |what: String| fail(ResourceErrorKind::FileFetchFailed, uri, what);
    let url =
        data_url::DataUrl::process(uri).map_err(|e| bad(format!("malformed data URI: {e:?}")))?;
    let (body, _fragment) = url
        .decode_to_vec()
        .map_err(|e| bad(format!("bad base64: {e:?}")))?;
    Ok(body)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn settings(max: u64) -> EditorSettings {
        EditorSettings {
            max_download_bytes: max,
            ..Default::default()
        }
    }

    #[test]
    fn data_uris_decode_base64_and_percent_encoding() {
        let http = HttpClient::default();
        let b64 = Location::Data("data:text/plain;base64,aGVsbG8=".into());
        assert_eq!(
            fetch(&b64, &settings(100), &http).map(|b| b.to_vec()),
            Ok(b"hello".to_vec())
        );
        let pct = Location::Data("data:,a%20b".into());
        assert_eq!(
            fetch(&pct, &settings(100), &http).map(|b| b.to_vec()),
            Ok(b"a b".to_vec())
        );
        let bad = Location::Data("data:image/png;base64,@@@".into());
        let err = fetch(&bad, &settings(100), &http).unwrap_err();
        assert!(err.message.contains("base64"), "{err}");
    }

    #[test]
    fn the_download_limit_covers_every_kind() {
        let http = HttpClient::default();
        let buffer = Location::Buffer {
            uri: "buffer://x".into(),
            bytes: Arc::new(vec![0; 10]),
            generation: 0,
        };
        assert!(fetch(&buffer, &settings(10), &http).is_ok());
        let err = fetch(&buffer, &settings(9), &http).unwrap_err();
        assert!(err.message.contains("download limit"), "{err}");
        let data = Location::Data(format!("data:;base64,{}", "AAAA".repeat(100)));
        let err = fetch(&data, &settings(10), &http).unwrap_err();
        assert!(err.message.contains("download limit"), "{err}");
    }
}
