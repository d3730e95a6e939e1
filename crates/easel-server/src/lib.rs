//! Easel as an HTTP service: local asset sources over HTTP, every source change pushed to
//! connected clients as Server-Sent Events, and scenes rendered to images on a bounded
//! pool — safe by default (private addresses refused for images, body and output limits,
//! bearer tokens required off loopback, overload answered with 503 rather than latency).
//!
//! It is the service as a library: [`EaselServer::router`] mounts in another axum app,
//! [`EaselServer::serve`] runs it with a graceful shutdown. It is *not* the engine (that is
//! `easel`) nor the command line (`easel-cli`).
//!
//! | route | |
//! | --- | --- |
//! | `GET/POST /v1/sources`, `DELETE /v1/sources/{id}` | list, add, remove sources |
//! | `POST/GET /v1/sources/{id}/assets` | add one or a batch; simple queries |
//! | `GET/PUT/DELETE /v1/sources/{id}/assets/{asset}` | one asset; `If-Match: <revision>` |
//! | `POST /v1/sources/{id}/find` | an `AssetQuery` |
//! | `POST /v1/sources/{id}/contents-changed` | tell every client |
//! | `GET/PUT /v1/sources/{id}/content.json` | export / replace from a content file |
//! | `GET /v1/events` | Server-Sent Events, `Last-Event-ID` resumes |
//! | `POST /v1/render` | a scene in, an image out |
//! | `GET /v1/health`, `GET /v1/metrics` | liveness; Prometheus text |
//!
//! ```no_run
//! # async fn run() -> Result<(), Box<dyn std::error::Error>> {
//! use easel_server::{EaselServer, ServerConfig};
//!
//! let store = easel::AssetStore::in_memory(10_000);
//! let server = EaselServer::new(store, ServerConfig::default());
//! let app: axum::Router = axum::Router::new().nest_service("/easel", server.router());
//! # let _ = app;
//! # Ok(())
//! # }
//! ```

mod app;
mod assets;
mod config;
mod error;
mod events;
mod metrics;
mod pool;
mod render;

pub use app::{EaselServer, check_listen};
pub use config::ServerConfig;
pub use error::{ApiError, Error, classify};
pub use metrics::{Metrics, RenderOutcome};
pub use pool::{PoolError, RenderPool};
