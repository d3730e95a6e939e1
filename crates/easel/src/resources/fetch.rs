//! Fetching the bytes of a located resource, within the download limit, whatever it is:
//! http(s), a file, a `data:` URI or a registered buffer.

use super::locate::Location;
use super::{ResourceResult, fail};
use crate::editor::EditorSettings;
use crate::error::ResourceErrorKind;
use std::io::Read;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The HTTP client, rebuilt when the settings it was built from change (a client keeps its
/// timeouts for life).
#[derive(Default)]
pub(crate) struct HttpClient {
    client: Mutex<Option<(Duration, reqwest::blocking::Client)>>,
}

impl HttpClient {
    fn get(&self, timeout: Duration) -> ResourceResult<reqwest::blocking::Client> {
        let mut slot = self.client.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((t, c)) = slot.as_ref()
            && *t == timeout
        {
            return Ok(c.clone());
        }
        let client = reqwest::blocking::Client::builder()
            .timeout(timeout)
            .connect_timeout(timeout)
            .redirect(reqwest::redirect::Policy::limited(5))
            .build()
            .map_err(|e| {
                fail(
                    ResourceErrorKind::FileFetchFailed,
                    "http client",
                    e.to_string(),
                )
            })?;
        *slot = Some((timeout, client.clone()));
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
            let meta = std::fs::metadata(path).map_err(io)?;
            if meta.len() > max {
                return Err(too_big(&shown, meta.len(), max));
            }
            Arc::new(std::fs::read(path).map_err(io)?)
        }
        Location::Http(url) => Arc::new(fetch_http(url, settings, http)?),
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
    let client = http.get(timeout)?;
    let response = client.get(url.clone()).send().map_err(|e| {
        if e.is_timeout() {
            timed_out()
        } else {
            fail(ResourceErrorKind::FileFetchFailed, shown, e.to_string())
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
