//! The process-wide cache of decoded images, shared by every engine and weighted by bytes.
//!
//! A server that creates an engine per request fetches and decodes each image once per
//! process, not once per engine. Entries are keyed by where the bytes came from (an URL, a
//! file with its size and modification time, a data URI's hash, or one engine's registered
//! buffer at one registration), never by the URI as a scene wrote it, since resolvers and
//! base paths differ between engines. It holds pixels only: GPU textures belong to the
//! renderer that uploaded them.

use super::locate::Location;
use image::RgbaImage;
use quick_cache::sync::Cache;
use std::hash::{BuildHasher, RandomState};
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::SystemTime;

/// The default budget: 512 MiB of decoded pixels.
pub const DEFAULT_BUDGET: u64 = 512 << 20;

/// Decoded pixels with a process-unique id (renderers key their uploads by it).
#[derive(Debug)]
pub(crate) struct DecodedImage {
    pub id: u64,
    pub pixels: RgbaImage,
}

impl DecodedImage {
    pub fn new(pixels: RgbaImage) -> Arc<DecodedImage> {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Arc::new(DecodedImage {
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            pixels,
        })
    }
}

/// Where decoded pixels came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub(crate) enum CacheKey {
    Buffer {
        engine: u64,
        uri: String,
        generation: u64,
    },
    Http(String),
    File {
        path: PathBuf,
        len: u64,
        modified: Option<SystemTime>,
    },
    /// A data URI, by a keyed hash of its text (the text itself may be megabytes).
    Data {
        hash: u64,
        len: usize,
    },
}

impl CacheKey {
    /// The key of a location; files are looked at (size, modification time) so an edited
    /// file is decoded again.
    pub fn of(location: &Location, engine: u64) -> CacheKey {
        match location {
            Location::Buffer {
                uri, generation, ..
            } => CacheKey::Buffer {
                engine,
                uri: uri.clone(),
                generation: *generation,
            },
            Location::Http(url) => CacheKey::Http(url.to_string()),
            Location::File(path) => {
                let meta = std::fs::metadata(path).ok();
                CacheKey::File {
                    path: path.clone(),
                    len: meta.as_ref().map_or(0, |m| m.len()),
                    modified: meta.and_then(|m| m.modified().ok()),
                }
            }
            Location::Data(uri) => {
                // Random keys per process: nobody can craft two data URIs that collide.
                static KEYS: OnceLock<RandomState> = OnceLock::new();
                CacheKey::Data {
                    hash: KEYS.get_or_init(RandomState::new).hash_one(uri),
                    len: uri.len(),
                }
            }
        }
    }
}

#[derive(Clone)]
pub(crate) struct ByBytes;

impl quick_cache::Weighter<CacheKey, Arc<DecodedImage>> for ByBytes {
    fn weight(&self, _key: &CacheKey, image: &Arc<DecodedImage>) -> u64 {
        (image.pixels.as_raw().len() as u64).max(1)
    }
}

pub(crate) type ImageCache = Cache<CacheKey, Arc<DecodedImage>, ByBytes>;

pub(crate) fn images() -> &'static ImageCache {
    static CACHE: OnceLock<ImageCache> = OnceLock::new();
    CACHE.get_or_init(|| Cache::with_weighter(256, DEFAULT_BUDGET, ByBytes))
}

/// Sets the byte budget of the process's decoded-image cache; least valuable images are
/// evicted until it fits. Images an export is using stay alive until it finishes.
pub fn set_budget(bytes: u64) {
    images().set_capacity(bytes.max(1));
}

/// The byte budget of the decoded-image cache ([`DEFAULT_BUDGET`] unless changed).
pub fn budget() -> u64 {
    images().capacity()
}

/// Bytes of decoded pixels the cache holds now.
pub fn bytes() -> u64 {
    images().weight()
}

static LOOKUPS: AtomicU64 = AtomicU64::new(0);
static MISSES: AtomicU64 = AtomicU64::new(0);

/// Counts a lookup, and whether it had to load the image.
pub(crate) fn count(missed: bool) {
    LOOKUPS.fetch_add(1, Ordering::Relaxed);
    if missed {
        MISSES.fetch_add(1, Ordering::Relaxed);
    }
}

/// Lookups of the cache that found the image, since the process started.
pub fn hits() -> u64 {
    LOOKUPS.load(Ordering::Relaxed)
        - MISSES
            .load(Ordering::Relaxed)
            .min(LOOKUPS.load(Ordering::Relaxed))
}

/// Lookups that had to fetch and decode (or failed to), since the process started.
pub fn misses() -> u64 {
    MISSES.load(Ordering::Relaxed)
}

/// Drops every cached image (the next exports fetch and decode again).
pub fn clear() {
    images().clear();
}
