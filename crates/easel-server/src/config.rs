//! What a server may do and how much: limits, pool sizes, timeouts, tokens, reachable hosts.

use easel::HostPolicy;
use std::path::PathBuf;
use std::time::Duration;

/// The server's settings. The defaults are the safe ones: private addresses refused, no
/// `file:` resources, 10 MB bodies, outputs up to 8192 px a side and 40 MP, one render
/// thread per core with a short queue.
#[derive(Clone, Debug, PartialEq)]
pub struct ServerConfig {
    /// Bearer tokens, any of which authorises a request. Without any, the server binds
    /// to loopback addresses only (see [`crate::check_listen`]).
    pub tokens: Vec<String>,
    /// Which hosts images in rendered scenes may come from.
    pub hosts: HostPolicy,
    /// A directory whose files rendered scenes may use through `file:` URIs; without it,
    /// `file:` is refused.
    pub file_root: Option<PathBuf>,
    /// Largest request body, in bytes.
    pub body_limit: usize,
    /// Largest output width or height, in pixels.
    pub max_output_side: u32,
    /// Largest output, in pixels.
    pub max_output_pixels: u64,
    /// Render threads.
    pub render_threads: usize,
    /// Renders that may wait for a thread; past them, 503 with `Retry-After`. The default,
    /// 16 per thread, bounds the wait to about 16 renders' time.
    pub render_queue: usize,
    /// How long one render may take before the request gets 504.
    pub render_timeout: Duration,
    /// The `Retry-After` an overloaded server asks for.
    pub retry_after: Duration,
    /// How often an idle event stream gets a keep-alive comment.
    pub keep_alive: Duration,
    /// How long a shutdown waits for requests in flight.
    pub shutdown_grace: Duration,
    /// Events buffered per subscriber before it must catch up from the change log.
    pub event_buffer: usize,
}

impl Default for ServerConfig {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(2, |n| n.get());
        ServerConfig {
            tokens: Vec::new(),
            hosts: HostPolicy {
                block_private: true,
                allowed_hosts: Vec::new(),
            },
            file_root: None,
            body_limit: 10 << 20,
            max_output_side: 8192,
            max_output_pixels: 40_000_000,
            render_threads: cores,
            render_queue: cores * 16,
            render_timeout: Duration::from_secs(30),
            retry_after: Duration::from_secs(1),
            keep_alive: Duration::from_secs(15),
            shutdown_grace: Duration::from_secs(10),
            event_buffer: 4096,
        }
    }
}

impl ServerConfig {
    /// The editor settings an engine rendering a client's scene runs with.
    pub fn editor_settings(&self) -> easel::EditorSettings {
        let mut schemes = vec!["http", "https", "data"];
        if self.file_root.is_some() {
            schemes.push("file");
        }
        easel::EditorSettings {
            base_path: self.file_root.as_ref().map(|p| p.display().to_string()),
            allowed_schemes: schemes.into_iter().map(String::from).collect(),
            hosts: self.hosts.clone(),
            file_root: self.file_root.clone(),
            max_export_side: self.max_output_side,
            max_export_pixels: self.max_output_pixels,
            ..Default::default()
        }
    }
}
