//! Resources: where a URI points ([`locate`]), getting its bytes ([`fetch`]), turning them
//! into pixels ([`decode`]), and the process-wide cache of decoded images ([`cache`]).

pub(crate) mod budget;
pub(crate) mod cache;
mod decode;
mod fetch;
mod locate;
pub mod network;

use crate::editor::{EditorSettings, UriResolver};
use crate::error::{ResourceError, ResourceErrorKind};
use cache::{CacheKey, DecodedImage};
use serde::{Deserialize, Serialize};
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};

pub(crate) type ResourceResult<T> = std::result::Result<T, ResourceError>;

/// Whether the resources a block needs are usable.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ResourceState {
    /// Nothing to load, or everything loaded.
    Ready,
    /// A resource has not been loaded yet (it loads at the next export or forced load).
    Pending,
    /// A resource failed.
    Error(ResourceError),
}

/// How many images one load fetches and decodes at once.
const FETCH_THREADS: usize = 8;

/// Errors quote at most this many characters of a URI (data URIs can be megabytes).
const MAX_QUOTED_URI: usize = 200;

pub(crate) fn fail(
    kind: ResourceErrorKind,
    uri: &str,
    message: impl Into<String>,
) -> ResourceError {
    let uri = match uri.char_indices().nth(MAX_QUOTED_URI) {
        Some((end, _)) => format!("{}… ({} bytes)", &uri[..end], uri.len()),
        None => uri.to_string(),
    };
    ResourceError {
        kind,
        uri,
        message: message.into(),
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// Bytes registered under a URI, with the registration's generation (re-registering the
/// same URI makes a new generation, so images decoded from the old bytes are not reused).
#[derive(Clone, Debug)]
pub(crate) struct Buffer {
    pub bytes: Arc<Vec<u8>>,
    pub generation: u64,
}

/// One engine's view of resources: its registered buffers, the failures it has seen (for
/// `state`), and its HTTP client. Decoded pixels live in the process-wide [`cache`].
pub(crate) struct Resources {
    engine: u64,
    buffers: Mutex<HashMap<String, Buffer>>,
    next_generation: AtomicU64,
    failures: Mutex<HashMap<String, ResourceError>>,
    http: fetch::HttpClient,
}

/// The images a load asked for, by the URI as written.
pub(crate) type LoadedImages = HashMap<String, ResourceResult<Arc<DecodedImage>>>;

impl Default for Resources {
    fn default() -> Self {
        static NEXT_ENGINE: AtomicU64 = AtomicU64::new(1);
        Resources {
            engine: NEXT_ENGINE.fetch_add(1, Ordering::Relaxed),
            buffers: Mutex::default(),
            next_generation: AtomicU64::new(1),
            failures: Mutex::default(),
            http: fetch::HttpClient::default(),
        }
    }
}

impl Resources {
    pub fn register_buffer(&self, uri: &str, bytes: Vec<u8>) {
        let generation = self.next_generation.fetch_add(1, Ordering::Relaxed);
        lock(&self.buffers).insert(
            uri.to_string(),
            Buffer {
                bytes: Arc::new(bytes),
                generation,
            },
        );
        lock(&self.failures).remove(uri);
    }

    pub fn remove_buffer(&self, uri: &str) {
        lock(&self.buffers).remove(uri);
        lock(&self.failures).remove(uri);
    }

    fn locate(
        &self,
        uri: &str,
        settings: &EditorSettings,
        resolver: Option<&UriResolver>,
    ) -> ResourceResult<locate::Location> {
        locate::locate(uri, settings, resolver, &lock(&self.buffers))
    }

    /// The state of one URI: Ready when its pixels are cached, Error when its last load
    /// failed, Pending otherwise.
    pub fn state(
        &self,
        uri: &str,
        settings: &EditorSettings,
        resolver: Option<&UriResolver>,
    ) -> ResourceState {
        if let Some(e) = lock(&self.failures).get(uri) {
            return ResourceState::Error(e.clone());
        }
        match self.locate(uri, settings, resolver) {
            Err(e) => ResourceState::Error(e),
            Ok(location) => match cache::images().peek(&CacheKey::of(&location, self.engine)) {
                Some(_) => ResourceState::Ready,
                None => ResourceState::Pending,
            },
        }
    }

    /// Fetches the bytes of a URI (a content file, say). HTTP runs on a thread of its own,
    /// so calling this from inside an async runtime does not block or panic it.
    pub fn fetch(
        &self,
        uri: &str,
        settings: &EditorSettings,
        resolver: Option<&UriResolver>,
    ) -> ResourceResult<Arc<Vec<u8>>> {
        let location = self.locate(uri, settings, resolver)?;
        fetch::fetch(&location, settings, &self.http)
    }

    /// Fetches and decodes every URI, concurrently (at most [`FETCH_THREADS`] at a time);
    /// images in the process cache are not fetched again, and two loads of the same image
    /// at once decode it once. Every URI gets its image or its error; failures are also
    /// remembered for `state`.
    pub fn load_images(
        &self,
        uris: &[String],
        settings: &EditorSettings,
        resolver: Option<&UriResolver>,
    ) -> LoadedImages {
        let mut seen = HashSet::new();
        let wanted: Vec<&String> = uris.iter().filter(|u| seen.insert(u.as_str())).collect();
        let located: Vec<(&String, ResourceResult<locate::Location>)> = wanted
            .iter()
            .map(|u| (*u, self.locate(u, settings, resolver)))
            .collect();
        let next = AtomicUsize::new(0);
        let results: Mutex<LoadedImages> = Mutex::default();
        let work = || {
            loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some((uri, location)) = located.get(i) else {
                    break;
                };
                let result = location
                    .clone()
                    .and_then(|l| self.load_one(uri, &l, settings));
                lock(&results).insert((*uri).clone(), result);
            }
        };
        let threads = located.len().min(FETCH_THREADS);
        if threads <= 1 {
            // One image (the common page): no thread to start.
            work();
        } else {
            std::thread::scope(|s| {
                for _ in 0..threads {
                    s.spawn(work);
                }
            });
        }
        let results = results.into_inner().unwrap_or_else(|p| p.into_inner());
        let mut failures = lock(&self.failures);
        for (uri, result) in &results {
            match result {
                Ok(_) => failures.remove(uri),
                Err(e) => failures.insert(uri.clone(), e.clone()),
            };
        }
        results
    }

    fn load_one(
        &self,
        uri: &str,
        location: &locate::Location,
        settings: &EditorSettings,
    ) -> ResourceResult<Arc<DecodedImage>> {
        let key = CacheKey::of(location, self.engine);
        let mut missed = false;
        let image = cache::images().get_or_insert_with(&key, || {
            missed = true;
            let bytes = fetch::fetch(location, settings, &self.http)?;
            let pixels = decode::decode(&location.shown(), &bytes, settings)?;
            Ok::<_, ResourceError>(DecodedImage::new(pixels))
        });
        cache::count(missed);
        let image = image?;
        // The limits apply to cached images too: they may have been lowered since.
        let (w, h) = image.pixels.dimensions();
        let max = settings.max_image_dimension;
        if w > max || h > max {
            return Err(fail(
                ResourceErrorKind::ImageTooLarge,
                uri,
                format!("{w}x{h} exceeds the {max}-pixel dimension limit"),
            ));
        }
        Ok(image)
    }
}
