//! Resource loading: URI resolution, fetching (http(s), file, data, in-memory buffers),
//! decoding with limits, and an LRU cache of decoded images shared across exports.

use crate::editor::{EditorSettings, UriResolver};
use crate::error::{ResourceError, ResourceErrorKind};
use base64::Engine as _;
use easel_render::{ImageHandle, Renderer, RgbaImage};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

/// Whether a block's resources are usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum BlockState {
    /// Nothing to load, or everything loaded.
    Ready,
    /// A resource has not been loaded yet (it loads at the next export or forced load).
    Pending,
    /// A resource failed.
    Error(ResourceError),
}

type ResourceResult<T> = std::result::Result<T, ResourceError>;

/// How many images are fetched and decoded at once.
const FETCH_THREADS: usize = 8;

struct Cached {
    image: Arc<RgbaImage>,
    bytes: u64,
    last_used: u64,
    gpu: Option<ImageHandle>,
}

#[derive(Default)]
struct Cache {
    entries: HashMap<String, Cached>,
    bytes: u64,
    clock: u64,
}

/// Fetched and decoded images, keyed by the URI as written in the scene.
#[derive(Default)]
pub(crate) struct Resources {
    cache: Mutex<Cache>,
    failures: Mutex<HashMap<String, ResourceError>>,
    buffers: Mutex<HashMap<String, Arc<Vec<u8>>>>,
    client: OnceLock<std::result::Result<reqwest::blocking::Client, String>>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

fn fail(kind: ResourceErrorKind, uri: &str, message: impl Into<String>) -> ResourceError {
    ResourceError {
        kind,
        uri: uri.to_string(),
        message: message.into(),
    }
}

/// Where the bytes of a URI come from, after resolution.
#[derive(Debug, Clone, PartialEq)]
enum Location {
    Buffer(Arc<Vec<u8>>),
    Http(String),
    File(PathBuf),
    Data(String),
}

impl Resources {
    pub fn register_buffer(&self, uri: &str, bytes: Vec<u8>) {
        lock(&self.buffers).insert(uri.to_string(), Arc::new(bytes));
        self.forget(uri);
    }

    pub fn remove_buffer(&self, uri: &str) {
        lock(&self.buffers).remove(uri);
        self.forget(uri);
    }

    fn forget(&self, uri: &str) {
        let mut cache = lock(&self.cache);
        if let Some(old) = cache.entries.remove(uri) {
            cache.bytes -= old.bytes;
        }
        lock(&self.failures).remove(uri);
    }

    /// The state of one URI: Ready when decoded, Error when it failed, Pending otherwise.
    pub fn state(&self, uri: &str) -> BlockState {
        if lock(&self.cache).entries.contains_key(uri) {
            return BlockState::Ready;
        }
        match lock(&self.failures).get(uri) {
            Some(e) => BlockState::Error(e.clone()),
            None => BlockState::Pending,
        }
    }

    fn locate(
        &self,
        uri: &str,
        settings: &EditorSettings,
        resolver: Option<&UriResolver>,
    ) -> ResourceResult<(String, Location)> {
        let mut resolved = resolver
            .and_then(|r| r(uri))
            .unwrap_or_else(|| uri.to_string());
        if let Some(b) = lock(&self.buffers).get(&resolved) {
            return Ok((resolved, Location::Buffer(b.clone())));
        }
        let base = settings.base_path.clone().unwrap_or_default();
        if resolved.contains("{{base_url}}") {
            resolved = resolved.replace("{{base_url}}", base.trim_end_matches('/'));
        }
        let scheme = match resolved.split_once(':') {
            Some((s, _))
                if s.len() > 1
                    && s.chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)) =>
            {
                s.to_ascii_lowercase()
            }
            _ => String::new(),
        };
        let allowed = |s: &str| {
            settings
                .allowed_schemes
                .iter()
                .any(|a| a.eq_ignore_ascii_case(s))
        };
        let location = match scheme.as_str() {
            "http" | "https" => Location::Http(resolved.clone()),
            "file" => Location::File(PathBuf::from(resolved.trim_start_matches("file://"))),
            "data" => Location::Data(resolved.clone()),
            "" => {
                // A relative reference: against an http base it is a URL, otherwise a path.
                if base.starts_with("http://") || base.starts_with("https://") {
                    let joined = format!(
                        "{}/{}",
                        base.trim_end_matches('/'),
                        resolved.trim_start_matches("./")
                    );
                    return self.locate_checked(
                        joined.clone(),
                        Location::Http(joined),
                        "http",
                        &allowed,
                    );
                }
                let path = Path::new(&resolved);
                let full = if path.is_absolute() || base.is_empty() {
                    path.to_path_buf()
                } else {
                    Path::new(&base).join(path)
                };
                return self.locate_checked(
                    resolved.clone(),
                    Location::File(full),
                    "file",
                    &allowed,
                );
            }
            other => {
                return Err(fail(
                    ResourceErrorKind::SchemeNotAllowed,
                    &resolved,
                    format!("unsupported scheme `{other}`"),
                ));
            }
        };
        self.locate_checked(resolved, location, &scheme, &allowed)
    }

    fn locate_checked(
        &self,
        resolved: String,
        location: Location,
        scheme: &str,
        allowed: &dyn Fn(&str) -> bool,
    ) -> ResourceResult<(String, Location)> {
        if !allowed(scheme) {
            return Err(fail(
                ResourceErrorKind::SchemeNotAllowed,
                &resolved,
                format!("scheme `{scheme}` is not among the allowed schemes"),
            ));
        }
        Ok((resolved, location))
    }

    fn client(&self, settings: &EditorSettings) -> ResourceResult<reqwest::blocking::Client> {
        self.client
            .get_or_init(|| {
                reqwest::blocking::Client::builder()
                    .timeout(settings.fetch_timeout)
                    .connect_timeout(settings.fetch_timeout)
                    .redirect(reqwest::redirect::Policy::limited(5))
                    .build()
                    .map_err(|e| e.to_string())
            })
            .clone()
            .map_err(|e| fail(ResourceErrorKind::FileFetchFailed, "http client", e))
    }

    /// Fetches the bytes of a URI.
    pub fn fetch(
        &self,
        uri: &str,
        settings: &EditorSettings,
        resolver: Option<&UriResolver>,
    ) -> ResourceResult<Arc<Vec<u8>>> {
        let (resolved, location) = self.locate(uri, settings, resolver)?;
        let max = settings.max_download_bytes;
        let too_big = |n: u64| {
            fail(
                ResourceErrorKind::FileFetchFailed,
                &resolved,
                format!("{n} bytes exceeds the download limit of {max} bytes"),
            )
        };
        match location {
            Location::Buffer(b) => Ok(b),
            Location::Data(d) => decode_data_uri(&d).map(Arc::new),
            Location::File(path) => {
                let shown = path.display().to_string();
                let meta = std::fs::metadata(&path)
                    .map_err(|e| fail(ResourceErrorKind::FileFetchFailed, &shown, e.to_string()))?;
                if meta.len() > max {
                    return Err(too_big(meta.len()));
                }
                std::fs::read(&path)
                    .map(Arc::new)
                    .map_err(|e| fail(ResourceErrorKind::FileFetchFailed, &shown, e.to_string()))
            }
            Location::Http(url) => {
                let client = self.client(settings)?;
                let net = |e: reqwest::Error| {
                    let what = if e.is_timeout() {
                        format!("timed out after {:?}", settings.fetch_timeout)
                    } else {
                        e.to_string()
                    };
                    fail(ResourceErrorKind::FileFetchFailed, &url, what)
                };
                let response = client
                    .get(&url)
                    .timeout(settings.fetch_timeout)
                    .send()
                    .map_err(net)?;
                let status = response.status();
                if !status.is_success() {
                    return Err(fail(
                        ResourceErrorKind::FileFetchFailed,
                        &url,
                        format!("HTTP status {status}"),
                    ));
                }
                if let Some(len) = response.content_length()
                    && len > max
                {
                    return Err(too_big(len));
                }
                let mut body = Vec::new();
                response.take(max + 1).read_to_end(&mut body).map_err(|e| {
                    let timed_out = e.to_string().to_ascii_lowercase().contains("timed out");
                    let what = if timed_out {
                        format!("timed out after {:?}", settings.fetch_timeout)
                    } else {
                        e.to_string()
                    };
                    fail(ResourceErrorKind::FileFetchFailed, &url, what)
                })?;
                if body.len() as u64 > max {
                    return Err(too_big(body.len() as u64));
                }
                Ok(Arc::new(body))
            }
        }
    }

    /// Loads (fetch + decode) every URI not yet cached, concurrently; failures are recorded
    /// and returned by URI.
    pub fn load_all(
        &self,
        uris: &[String],
        settings: &EditorSettings,
        resolver: Option<&UriResolver>,
    ) {
        let missing: Vec<&String> = {
            let cache = lock(&self.cache);
            let mut seen = std::collections::HashSet::new();
            uris.iter()
                .filter(|u| !cache.entries.contains_key(*u) && seen.insert(u.as_str()))
                .collect()
        };
        if missing.is_empty() {
            return;
        }
        // One thread per image, at most `FETCH_THREADS` at a time: a page with hundreds of
        // images must not start hundreds of threads.
        let mut results: Vec<(String, ResourceResult<RgbaImage>)> =
            Vec::with_capacity(missing.len());
        for batch in missing.chunks(FETCH_THREADS) {
            std::thread::scope(|scope| {
                let handles: Vec<_> = batch
                    .iter()
                    .map(|uri| {
                        scope.spawn(move || {
                            self.fetch(uri, settings, resolver)
                                .and_then(|b| decode(uri, &b, settings))
                        })
                    })
                    .collect();
                for (h, uri) in handles.into_iter().zip(batch) {
                    let result = h.join().unwrap_or_else(|_| {
                        Err(fail(
                            ResourceErrorKind::ImageDecodingFailed,
                            uri,
                            "decoder panicked",
                        ))
                    });
                    results.push(((*uri).clone(), result));
                }
            });
        }
        for (uri, result) in results {
            match result {
                Ok(image) => {
                    lock(&self.failures).remove(&uri);
                    let bytes = image.as_raw().len() as u64;
                    let mut cache = lock(&self.cache);
                    cache.clock += 1;
                    let clock = cache.clock;
                    cache.bytes += bytes;
                    cache.entries.insert(
                        uri,
                        Cached {
                            image: Arc::new(image),
                            bytes,
                            last_used: clock,
                            gpu: None,
                        },
                    );
                }
                Err(e) => {
                    lock(&self.failures).insert(uri, e);
                }
            }
        }
    }

    /// The decoded image of a loaded URI, or its failure.
    pub fn image(&self, uri: &str) -> ResourceResult<Arc<RgbaImage>> {
        let mut cache = lock(&self.cache);
        cache.clock += 1;
        let clock = cache.clock;
        if let Some(c) = cache.entries.get_mut(uri) {
            c.last_used = clock;
            return Ok(c.image.clone());
        }
        drop(cache);
        Err(lock(&self.failures)
            .get(uri)
            .cloned()
            .unwrap_or_else(|| fail(ResourceErrorKind::FileFetchFailed, uri, "not loaded")))
    }

    /// The GPU handle of a loaded URI's image on `renderer`, uploading it once.
    pub fn gpu_image(&self, uri: &str, renderer: &Renderer) -> crate::Result<ImageHandle> {
        let mut cache = lock(&self.cache);
        let entry = cache
            .entries
            .get_mut(uri)
            .ok_or_else(|| fail(ResourceErrorKind::FileFetchFailed, uri, "not loaded"))?;
        if let Some(h) = entry.gpu {
            return Ok(h);
        }
        let handle = renderer.add_image(&entry.image)?;
        entry.gpu = Some(handle);
        Ok(handle)
    }

    /// Evicts least-recently-used images until the cache fits its budget.
    pub fn trim(&self, budget: u64, renderer: Option<&Renderer>) {
        let mut cache = lock(&self.cache);
        while cache.bytes > budget {
            let Some(oldest) = cache
                .entries
                .iter()
                .min_by_key(|(_, c)| c.last_used)
                .map(|(k, _)| k.clone())
            else {
                break;
            };
            if let Some(c) = cache.entries.remove(&oldest) {
                cache.bytes -= c.bytes;
                if let (Some(h), Some(r)) = (c.gpu, renderer) {
                    r.remove_image(h);
                }
            }
        }
    }

    /// Frees every GPU image this engine uploaded (the renderer may be shared).
    pub fn release_gpu(&self, renderer: &Renderer) {
        for c in lock(&self.cache).entries.values_mut() {
            if let Some(h) = c.gpu.take() {
                renderer.remove_image(h);
            }
        }
    }

    /// Bytes of decoded images held.
    pub fn cached_bytes(&self) -> u64 {
        lock(&self.cache).bytes
    }
}

/// Decodes an image with dimension and allocation limits.
pub(crate) fn decode(
    uri: &str,
    bytes: &[u8],
    settings: &EditorSettings,
) -> ResourceResult<RgbaImage> {
    let reader = || {
        let r = image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| fail(ResourceErrorKind::ImageDecodingFailed, uri, e.to_string()))?;
        match r.format() {
            Some(_) => Ok(r),
            None => Err(fail(
                ResourceErrorKind::ImageDecodingFailed,
                uri,
                "not a supported image format (JPEG, PNG, WebP, GIF)",
            )),
        }
    };
    let max = settings.max_image_dimension;
    // Read the header first, so oversized images fail before any pixel is allocated.
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| fail(ResourceErrorKind::ImageDecodingFailed, uri, e.to_string()))?;
    if w > max || h > max {
        return Err(fail(
            ResourceErrorKind::ImageTooLarge,
            uri,
            format!("{w}x{h} exceeds the {max}-pixel dimension limit"),
        ));
    }
    let decoded_bytes = w as u64 * h as u64 * 4;
    if decoded_bytes > settings.max_image_alloc_bytes {
        return Err(fail(
            ResourceErrorKind::ImageTooLarge,
            uri,
            format!(
                "{w}x{h} needs {decoded_bytes} bytes, over the {} byte limit",
                settings.max_image_alloc_bytes
            ),
        ));
    }
    let mut reader = reader()?;
    if reader.format() == Some(image::ImageFormat::Jpeg) && !jpeg_is_complete(bytes) {
        return Err(fail(
            ResourceErrorKind::ImageDecodingFailed,
            uri,
            "truncated JPEG: no end-of-image marker after the last scan",
        ));
    }
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(max);
    limits.max_image_height = Some(max);
    limits.max_alloc = Some(settings.max_image_alloc_bytes);
    reader.limits(limits);
    let image = reader.decode().map_err(|e| {
        let kind = match e {
            image::ImageError::Limits(_) => ResourceErrorKind::ImageTooLarge,
            _ => ResourceErrorKind::ImageDecodingFailed,
        };
        fail(kind, uri, e.to_string())
    })?;
    Ok(image.to_rgba8())
}

/// The JPEG decoder fills in missing scan data with grey, so a truncated download would
/// export without error. A complete JPEG has an end-of-image marker (FF D9) after its last
/// start-of-scan (FF DA); scan data cannot contain FF DA (FF is byte-stuffed), and an EXIF
/// thumbnail's own markers come before the main scan.
fn jpeg_is_complete(bytes: &[u8]) -> bool {
    let last_scan = bytes.windows(2).rposition(|w| w == [0xFF, 0xDA]);
    match last_scan {
        Some(sos) => bytes[sos..].windows(2).any(|w| w == [0xFF, 0xD9]),
        None => false,
    }
}

fn decode_data_uri(uri: &str) -> ResourceResult<Vec<u8>> {
    let rest = uri.get(5..).unwrap_or_default();
    let (header, data) = rest.split_once(',').ok_or_else(|| {
        fail(
            ResourceErrorKind::FileFetchFailed,
            &shorten(uri),
            "a data URI needs a comma",
        )
    })?;
    if header.ends_with(";base64") {
        let clean: String = data.chars().filter(|c| !c.is_whitespace()).collect();
        base64::engine::general_purpose::STANDARD
            .decode(clean)
            .map_err(|e| {
                fail(
                    ResourceErrorKind::FileFetchFailed,
                    &shorten(uri),
                    format!("bad base64: {e}"),
                )
            })
    } else {
        let mut out = Vec::with_capacity(data.len());
        let bytes = data.as_bytes();
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] == b'%' && i + 2 < bytes.len() {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3])
                    .ok()
                    .and_then(|h| u8::from_str_radix(h, 16).ok());
                if let Some(b) = hex {
                    out.push(b);
                    i += 3;
                    continue;
                }
            }
            out.push(bytes[i]);
            i += 1;
        }
        Ok(out)
    }
}

fn shorten(uri: &str) -> String {
    if uri.len() > 64 {
        format!(
            "{}…",
            &uri[..uri.char_indices().nth(60).map_or(uri.len(), |(i, _)| i)]
        )
    } else {
        uri.to_string()
    }
}
