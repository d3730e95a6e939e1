//! The service: its shared state, the router with its layers, and serving with a graceful
//! shutdown.

use crate::config::ServerConfig;
use crate::error::{ApiError, Error, request};
use crate::events::EventHub;
use crate::metrics::Metrics;
use crate::pool::RenderPool;
use crate::{assets, events, render};
use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::http::header;
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use easel::AssetStore;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Instant;
use tokio::sync::watch;

/// What every handler shares.
pub(crate) struct Shared {
    pub store: AssetStore,
    pub config: ServerConfig,
    pub pool: RenderPool,
    pub metrics: Metrics,
    pub events: EventHub,
    /// Becomes `true` when the server shuts down (event streams end on it).
    pub stopping: watch::Receiver<bool>,
    /// Holds the process's renderer for the server's lifetime. Each render request loads
    /// its scene into an engine of its own; those share this renderer, and with it the
    /// images already uploaded (mipmaps and resampled copies included) and the reusable
    /// buffers, instead of starting a fresh one whenever no other request is running.
    _renderer: easel::Engine,
}

pub(crate) type AppState = Arc<Shared>;

/// An engine holding the renderer that request engines share (see `Shared::_renderer`). A
/// renderer that cannot start now is left to each request, which reports why.
fn warm_renderer() -> easel::Engine {
    let engine = easel::Engine::new(Default::default());
    let _ = engine.init_renderer();
    engine
}

/// Easel as an HTTP service over one asset store.
///
/// ```no_run
/// # async fn run() -> Result<(), Box<dyn std::error::Error>> {
/// let store = easel_assets_db::open_store("sqlite:easel-data/assets.db", "server-1")?;
/// let server = easel_server::EaselServer::new(store, Default::default());
/// let listener = tokio::net::TcpListener::bind("127.0.0.1:7878").await?;
/// server.serve(listener, async { let _ = tokio::signal::ctrl_c().await; }).await?;
/// # Ok(())
/// # }
/// ```
pub struct EaselServer {
    shared: AppState,
    stop: watch::Sender<bool>,
}

impl EaselServer {
    /// A server over `store` (starts its render threads and its event relay).
    pub fn new(store: AssetStore, config: ServerConfig) -> EaselServer {
        let (stop, stopping) = watch::channel(false);
        let shared = Arc::new(Shared {
            pool: RenderPool::new(config.render_threads, config.render_queue),
            events: EventHub::start(&store, config.event_buffer),
            metrics: Metrics::default(),
            store,
            config,
            stopping,
            _renderer: warm_renderer(),
        });
        EaselServer { shared, stop }
    }

    /// The store the server serves.
    pub fn store(&self) -> &AssetStore {
        &self.shared.store
    }

    /// The service as a router with its layers (auth, metrics, body limit, panics as 500),
    /// for mounting in another axum app.
    pub fn router(&self) -> Router {
        let state = self.shared.clone();
        let api = Router::new()
            .route(
                "/v1/sources",
                get(assets::list_sources).post(assets::add_source),
            )
            .route(
                "/v1/sources/{id}",
                axum::routing::delete(assets::remove_source),
            )
            .route(
                "/v1/sources/{id}/assets",
                get(assets::query_assets).post(assets::add_assets),
            )
            .route(
                "/v1/sources/{id}/assets/{asset}",
                get(assets::get_asset)
                    .put(assets::put_asset)
                    .delete(assets::delete_asset),
            )
            .route("/v1/sources/{id}/find", post(assets::find))
            .route(
                "/v1/sources/{id}/contents-changed",
                post(assets::contents_changed),
            )
            .route(
                "/v1/sources/{id}/content.json",
                get(assets::export_content).put(assets::import_content),
            )
            .route("/v1/events", get(events::stream))
            .route("/v1/render", post(render::render))
            .route("/v1/metrics", get(metrics))
            .route_layer(middleware::from_fn_with_state(state.clone(), authorize));
        Router::new()
            .merge(api)
            .route("/v1/health", get(health))
            .fallback(|| async { request::not_found("no such route") })
            .layer(middleware::from_fn_with_state(state.clone(), record))
            .layer(tower_http::catch_panic::CatchPanicLayer::custom(|_| {
                request::internal("the request handler panicked").into_response()
            }))
            .layer(axum::extract::DefaultBodyLimit::max(
                state.config.body_limit,
            ))
            .with_state(state)
    }

    /// Serves on `listener` until `shutdown` completes; then stops accepting, ends event
    /// streams, lets requests in flight finish (up to [`ServerConfig::shutdown_grace`])
    /// and drops the store (closing its database).
    pub async fn serve(
        self,
        listener: tokio::net::TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), Error> {
        let addr = listener
            .local_addr()
            .map_or_else(|_| "?".into(), |a| a.to_string());
        let router = self.router();
        let grace = self.shared.config.shutdown_grace;
        let stop = self.stop;
        let mut stopping = self.shared.stopping.clone();
        let server = axum::serve(listener, router).with_graceful_shutdown(async move {
            shutdown.await;
            let _ = stop.send(true);
        });
        let deadline = async move {
            let _ = stopping.wait_for(|s| *s).await;
            tokio::time::sleep(grace).await;
        };
        tokio::select! {
            served = server => served.map_err(|e| Error::Io { addr, message: e.to_string() }),
            () = deadline => Ok(()),
        }
    }
}

/// Refuses to serve beyond loopback without a token.
pub fn check_listen(addr: SocketAddr, config: &ServerConfig) -> Result<(), Error> {
    match addr.ip().is_loopback() || !config.tokens.is_empty() {
        true => Ok(()),
        false => Err(Error::TokenRequired { addr }),
    }
}

/// Requires `Authorization: Bearer <token>` when the server has tokens.
async fn authorize(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let tokens = &state.config.tokens;
    if tokens.is_empty() {
        return next.run(request).await;
    }
    let given = request
        .headers()
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    match given {
        Some(token) if tokens.iter().any(|t| same(t.as_bytes(), token.as_bytes())) => {
            next.run(request).await
        }
        _ => request::unauthorized().into_response(),
    }
}

/// Compares in time independent of where the inputs differ.
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// Counts requests and their latency by route.
async fn record(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_string(), |m| m.as_str().to_string());
    let start = Instant::now();
    let response = next.run(request).await;
    state
        .metrics
        .request(&route, response.status().as_u16(), start.elapsed());
    response
}

async fn health(State(state): State<AppState>) -> axum::Json<serde_json::Value> {
    axum::Json(serde_json::json!({
        "status": "ok",
        "store": state.store.location(),
        "durable": state.store.is_durable(),
        "seq": state.store.last_seq(),
        "renderThreads": state.pool.threads(),
    }))
}

async fn metrics(State(state): State<AppState>) -> Response {
    let gauges = [
        (
            "easel_render_queue_depth",
            "Renders waiting for a thread.",
            state.pool.queued() as f64,
        ),
        (
            "easel_render_running",
            "Renders running now.",
            state.pool.running() as f64,
        ),
        (
            "easel_image_cache_hits_total",
            "Decoded-image cache hits.",
            easel::image_cache::hits() as f64,
        ),
        (
            "easel_image_cache_misses_total",
            "Decoded-image cache misses.",
            easel::image_cache::misses() as f64,
        ),
        (
            "easel_image_cache_bytes",
            "Bytes of decoded images cached.",
            easel::image_cache::bytes() as f64,
        ),
        (
            "easel_store_last_seq",
            "The last change applied from the store.",
            state.store.last_seq() as f64,
        ),
    ];
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render_text(&gauges),
    )
        .into_response()
}

/// A JSON body, with the server's error codes for a body that is not one.
pub(crate) struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: serde::de::DeserializeOwned> axum::extract::FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        use axum::extract::rejection::JsonRejection as R;
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(ApiJson(v)),
            Err(R::MissingJsonContentType(e)) => Err(request::wrong_type(e.body_text())),
            Err(R::JsonSyntaxError(e)) => Err(request::malformed(e.body_text())),
            Err(R::JsonDataError(e)) => Err(request::invalid(e.body_text())),
            Err(e) if e.status() == axum::http::StatusCode::PAYLOAD_TOO_LARGE => {
                Err(request::too_large(e.body_text()))
            }
            Err(e) => Err(request::malformed(e.body_text())),
        }
    }
}
