//! Editor settings: where resources come from and the limits that protect the process.

use crate::engine::Shared;
use std::sync::Arc;
use std::time::Duration;

/// Rewrites a URI before it is fetched (e.g. to sign URLs or map ids to files). Returning
/// `None` keeps the URI as it is.
pub type UriResolver = Arc<dyn Fn(&str) -> Option<String> + Send + Sync>;

/// Resource settings of one engine.
#[derive(Clone, Debug, PartialEq)]
pub struct EditorSettings {
    /// Base for relative URIs and `{{base_url}}`: a directory path or an http(s) URL.
    pub base_path: Option<String>,
    /// Time limit for one HTTP fetch (connect and body).
    pub fetch_timeout: Duration,
    /// Largest body accepted from a fetch, in bytes.
    pub max_download_bytes: u64,
    /// Largest image width or height accepted when decoding (read from the header, before
    /// any pixel is allocated).
    pub max_image_dimension: u32,
    /// Largest decoder allocation for one image, in bytes (guards against decompression
    /// bombs: a 273 KB PNG can declare 16000 × 16000 pixels). Every decode also reserves its
    /// bytes from the process-wide decode budget ([`crate::image_cache::set_decode_budget`]),
    /// so concurrent decodes cannot add up past it.
    pub max_image_alloc_bytes: u64,
    /// Decoded images larger than this on their longer side are scaled down to it before
    /// they are cached and drawn, as the reference engine's `maxImageSize` (4096) does;
    /// 0 keeps every image at full size.
    pub max_image_size: u32,
    /// Schemes resources may use: any of `http`, `https`, `file`, `data`, `buffer`.
    pub allowed_schemes: Vec<String>,
    /// Which hosts HTTP fetches may reach (by default, any).
    pub hosts: HostPolicy,
    /// When set, `file:` resources (and paths) must lie inside this directory: anything
    /// else, including a way out through `..` or a symbolic link, is refused.
    pub file_root: Option<std::path::PathBuf>,
    /// Largest output width or height an export may have, in pixels.
    pub max_export_side: u32,
    /// Largest output an export may have, in pixels (width × height).
    pub max_export_pixels: u64,
    /// The font tried first for characters a text's own font lacks (the reference engine's
    /// `fallbackFontUri`); Easel's shipped fallback fonts come after it.
    pub fallback_font_uri: Option<String>,
    /// Whether Easel's shipped fallback fonts (Noto Sans, Arabic, Hebrew) draw characters
    /// that neither a text's font nor `fallback_font_uri` has (the reference engine's
    /// `useSystemFontFallback`, on by default). Off, such characters draw as the text
    /// font's `.notdef` box and are counted by `text_missing_glyphs`.
    pub use_system_font_fallback: bool,
}

/// Which hosts HTTP fetches may reach. The default reaches any; a server rendering
/// untrusted documents sets `block_private` (see [`crate::network`]).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HostPolicy {
    /// Refuse hosts that are, or resolve to, loopback, private, link-local, CGNAT,
    /// multicast, unspecified, reserved or cloud metadata addresses — before the request,
    /// on every redirect, and in the client's DNS resolution.
    pub block_private: bool,
    /// Hosts exempt from `block_private`: `name`, `name:port`, an address, `[v6]:port`.
    pub allowed_hosts: Vec<String>,
}

impl Default for EditorSettings {
    fn default() -> Self {
        EditorSettings {
            base_path: None,
            fetch_timeout: Duration::from_secs(30),
            max_download_bytes: 64 << 20,
            max_image_dimension: 16384,
            // 16384 × 8192 RGBA: the 16000 × 16000 bomb is refused from its header.
            max_image_alloc_bytes: 512 << 20,
            max_image_size: 4096,
            allowed_schemes: ["http", "https", "file", "data", "buffer"]
                .map(String::from)
                .to_vec(),
            hosts: HostPolicy::default(),
            file_root: None,
            max_export_side: 16384,
            max_export_pixels: 16384 * 16384,
            fallback_font_uri: None,
            use_system_font_fallback: true,
        }
    }
}

/// `engine.editor`: settings, in-memory buffers and the URI resolver hook.
#[derive(Clone)]
pub struct EditorApi {
    pub(crate) shared: Arc<Shared>,
}

impl EditorApi {
    /// The current settings.
    pub fn settings(&self) -> EditorSettings {
        self.shared.settings()
    }

    /// Replaces the settings. Cached images that the new limits refuse are refused at the
    /// next export.
    pub fn set_settings(&self, settings: EditorSettings) {
        *self
            .shared
            .settings
            .write()
            .unwrap_or_else(|p| p.into_inner()) = settings;
    }

    /// Changes one setting in place.
    pub fn update_settings(&self, f: impl FnOnce(&mut EditorSettings)) {
        f(&mut self
            .shared
            .settings
            .write()
            .unwrap_or_else(|p| p.into_inner()));
    }

    /// Sets the base path for relative URIs and `{{base_url}}`.
    pub fn set_base_path(&self, base: &str) {
        self.update_settings(|s| s.base_path = Some(base.to_string()));
    }

    /// Installs (or with `None`, removes) the URI resolver hook.
    pub fn set_uri_resolver(&self, resolver: Option<UriResolver>) {
        *self
            .shared
            .resolver
            .write()
            .unwrap_or_else(|p| p.into_inner()) = resolver;
    }

    /// Registers bytes under a URI (e.g. `buffer://logo`); fetching that URI returns them.
    pub fn register_buffer(&self, uri: &str, bytes: Vec<u8>) {
        self.shared.resources.register_buffer(uri, bytes);
    }

    /// Removes a registered buffer and any image decoded from it.
    pub fn remove_buffer(&self, uri: &str) {
        self.shared.resources.remove_buffer(uri);
    }

    /// Bytes of decoded images in the process-wide cache this engine shares with every
    /// other engine (see [`crate::image_cache`]).
    pub fn image_cache_bytes(&self) -> u64 {
        crate::image_cache::bytes()
    }
}
