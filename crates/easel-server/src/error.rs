//! Errors as HTTP answers: `{"error": {"code": "source_not_found", "message": …}}` with the
//! status that fits. Every error of the engine maps to exactly one code ([`classify`]).

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use easel::ResourceErrorKind;
use std::net::SocketAddr;

/// What can go wrong starting a server.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// Serving beyond loopback needs at least one token.
    #[error(
        "refusing to listen on {addr} without a token: set --token (or EASEL_TOKENS), or listen on a loopback address"
    )]
    TokenRequired {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// The address could not be bound or served.
    #[error("cannot serve on {addr}: {message}")]
    Io {
        /// The address.
        addr: String,
        /// What the OS said.
        message: String,
    },
    /// The store could not be opened.
    #[error(transparent)]
    Store(#[from] easel_assets_db::Error),
}

/// An error answer: status, a stable code, a message naming what was wrong.
#[derive(Debug, Clone, PartialEq)]
pub struct ApiError {
    /// The HTTP status.
    pub status: StatusCode,
    /// The stable, machine-readable code.
    pub code: &'static str,
    /// What went wrong, naming the id, value or host.
    pub message: String,
    /// Seconds a client should wait before retrying (overload), as `Retry-After`.
    pub retry_after: Option<u64>,
}

impl ApiError {
    /// An error with this status, code and message.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
            retry_after: None,
        }
    }

    /// The same error, asking the client to retry after `seconds`.
    pub fn retry_after(mut self, seconds: u64) -> ApiError {
        self.retry_after = Some(seconds.max(1));
        self
    }
}

impl From<easel::Error> for ApiError {
    fn from(e: easel::Error) -> ApiError {
        let (status, code) = classify(&e);
        let error = ApiError::new(status, code, e.to_string());
        match status {
            StatusCode::SERVICE_UNAVAILABLE => error.retry_after(1),
            _ => error,
        }
    }
}

impl From<easel::assets::Error> for ApiError {
    fn from(e: easel::assets::Error) -> ApiError {
        easel::Error::from(e).into()
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::json!({ "error": { "code": self.code, "message": self.message } });
        let mut response = (self.status, axum::Json(body)).into_response();
        if let Some(seconds) = self.retry_after
            && let Ok(v) = HeaderValue::from_str(&seconds.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        response
    }
}

/// The status and code of an engine error.
pub fn classify(e: &easel::Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    use easel::Error as E;
    match e {
        E::Scene(e) => scene(e),
        E::Assets(e) => assets(e),
        E::Render(e) => render(e),
        E::Resource(e) | E::BlockResource { error: e, .. } => resource(e.kind),
        E::InvalidExportOption { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_export_option"),
        E::NotExportable { .. } => (S::UNPROCESSABLE_ENTITY, "not_exportable"),
        E::ExportTooLarge { .. } => (S::UNPROCESSABLE_ENTITY, "output_too_large"),
        E::InvalidAsset { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_asset"),
        E::Text(e) => text(e),
        _ => (S::INTERNAL_SERVER_ERROR, "engine_error"),
    }
}

fn text(e: &easel::text_engine::Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    use easel::text_engine::Error as E;
    match e {
        E::InvalidFont { .. } => (S::UNPROCESSABLE_ENTITY, "font_decoding_failed"),
        E::UnknownFont(_) => (S::INTERNAL_SERVER_ERROR, "unknown_font"),
        E::InvalidFontSize { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_font_size"),
        E::InvalidSetting { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_text_setting"),
        E::InvalidRange { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_text_range"),
        E::TextTooLong { .. } => (S::PAYLOAD_TOO_LARGE, "text_too_long"),
        _ => (S::INTERNAL_SERVER_ERROR, "text_error"),
    }
}

fn scene(e: &easel::scene_graph::Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    use easel::scene_graph::Error as E;
    match e {
        E::UnknownBlock(_) => (S::NOT_FOUND, "block_not_found"),
        E::UnknownBlockType(_) => (S::UNPROCESSABLE_ENTITY, "unknown_block_type"),
        E::NotADesignBlock(_) => (S::UNPROCESSABLE_ENTITY, "not_a_design_block"),
        E::UnknownProperty { .. } => (S::UNPROCESSABLE_ENTITY, "unknown_property"),
        E::WrongPropertyType { .. } => (S::UNPROCESSABLE_ENTITY, "wrong_property_type"),
        E::ReadOnly { .. } => (S::UNPROCESSABLE_ENTITY, "read_only_property"),
        E::InvalidEnumValue { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_enum_value"),
        E::InvalidValue { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_value"),
        E::InvalidHierarchy { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_hierarchy"),
        E::Cycle { .. } => (S::UNPROCESSABLE_ENTITY, "hierarchy_cycle"),
        E::TooDeep { .. } => (S::UNPROCESSABLE_ENTITY, "hierarchy_too_deep"),
        E::WrongBlockKind { .. } => (S::UNPROCESSABLE_ENTITY, "wrong_block_kind"),
        E::NotGroupable { .. } => (S::UNPROCESSABLE_ENTITY, "not_groupable"),
        E::Unsupported { .. } => (S::UNPROCESSABLE_ENTITY, "unsupported"),
        E::AlreadyOwned { .. } => (S::CONFLICT, "already_owned"),
        E::IndexOutOfRange { .. } => (S::UNPROCESSABLE_ENTITY, "index_out_of_range"),
        E::NoScene => (S::UNPROCESSABLE_ENTITY, "no_scene"),
        E::Malformed(_) => (S::BAD_REQUEST, "malformed_scene"),
        E::ForeignScene(_) => (S::BAD_REQUEST, "malformed_cesdk_scene"),
        E::UnsupportedVersion { .. } => (S::UNPROCESSABLE_ENTITY, "unsupported_scene_version"),
        _ => (S::INTERNAL_SERVER_ERROR, "scene_error"),
    }
}

fn assets(e: &easel::assets::Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    use easel::assets::Error as E;
    match e {
        E::SourceNotFound { .. } => (S::NOT_FOUND, "source_not_found"),
        E::DuplicateSource { .. } => (S::CONFLICT, "duplicate_source"),
        E::AssetNotFound { .. } => (S::NOT_FOUND, "asset_not_found"),
        E::DuplicateAsset { .. } => (S::CONFLICT, "duplicate_asset"),
        E::UnsupportedMimeType { .. } => (S::UNSUPPORTED_MEDIA_TYPE, "unsupported_mime_type"),
        E::NotManageable { .. } => (S::UNPROCESSABLE_ENTITY, "source_not_manageable"),
        E::InvalidQuery { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_query"),
        E::InvalidFilter(_) => (S::UNPROCESSABLE_ENTITY, "invalid_filter"),
        E::InvalidAsset(_) => (S::UNPROCESSABLE_ENTITY, "invalid_asset"),
        E::InvalidContent { .. } => (S::BAD_REQUEST, "invalid_content"),
        E::Io { .. } => (S::INTERNAL_SERVER_ERROR, "io_error"),
        E::Conflict { .. } => (S::PRECONDITION_FAILED, "revision_conflict"),
        E::Storage { .. } => (S::SERVICE_UNAVAILABLE, "storage_unavailable"),
        E::Busy { .. } => (S::SERVICE_UNAVAILABLE, "storage_busy"),
        E::ChangesGone { .. } => (S::GONE, "changes_gone"),
        E::Source { .. } => (S::BAD_GATEWAY, "source_failed"),
        _ => (S::INTERNAL_SERVER_ERROR, "asset_error"),
    }
}

fn render(e: &easel::render::Error) -> (StatusCode, &'static str) {
    use StatusCode as S;
    use easel::render::Error as E;
    match e {
        E::NoAdapter { .. } => (S::SERVICE_UNAVAILABLE, "no_renderer"),
        E::UnknownBackend(_) => (S::INTERNAL_SERVER_ERROR, "unknown_backend"),
        E::DeviceCreation { .. } => (S::SERVICE_UNAVAILABLE, "no_renderer"),
        E::DeviceLost(_) => (S::SERVICE_UNAVAILABLE, "device_lost"),
        E::OutOfMemory(_) => (S::SERVICE_UNAVAILABLE, "out_of_memory"),
        E::Gpu { .. } => (S::INTERNAL_SERVER_ERROR, "gpu_error"),
        E::InvalidCanvasSize { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_canvas_size"),
        E::InvalidBackground(_) => (S::UNPROCESSABLE_ENTITY, "invalid_background"),
        E::InvalidItem { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_item"),
        E::InvalidPath { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_path"),
        E::Tessellation { .. } => (S::UNPROCESSABLE_ENTITY, "tessellation_failed"),
        E::UnknownImage(_) => (S::INTERNAL_SERVER_ERROR, "unknown_image"),
        E::InvalidImage { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_image"),
        E::Encode { .. } => (S::INTERNAL_SERVER_ERROR, "encode_failed"),
        E::InvalidOption { .. } => (S::UNPROCESSABLE_ENTITY, "invalid_option"),
        _ => (S::INTERNAL_SERVER_ERROR, "render_error"),
    }
}

fn resource(kind: ResourceErrorKind) -> (StatusCode, &'static str) {
    use StatusCode as S;
    match kind {
        ResourceErrorKind::FileFetchFailed => (S::UNPROCESSABLE_ENTITY, "resource_fetch_failed"),
        ResourceErrorKind::ImageDecodingFailed => {
            (S::UNPROCESSABLE_ENTITY, "image_decoding_failed")
        }
        ResourceErrorKind::ImageTooLarge => (S::UNPROCESSABLE_ENTITY, "image_too_large"),
        ResourceErrorKind::SchemeNotAllowed => (S::FORBIDDEN, "scheme_not_allowed"),
        ResourceErrorKind::AccessDenied => (S::FORBIDDEN, "host_refused"),
        ResourceErrorKind::FontDecodingFailed => (S::UNPROCESSABLE_ENTITY, "font_decoding_failed"),
    }
}

/// The request-level errors of the server itself (bodies, auth, overload), by code.
pub(crate) mod request {
    use super::ApiError;
    use axum::http::StatusCode;

    pub fn malformed(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "malformed_request", message)
    }

    pub fn invalid(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "invalid_value", message)
    }

    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "body_too_large", message)
    }

    pub fn wrong_type(message: impl Into<String>) -> ApiError {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }

    pub fn unauthorized() -> ApiError {
        ApiError::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "this server needs `Authorization: Bearer <token>`",
        )
    }

    pub fn overloaded(what: &str, retry_after: u64) -> ApiError {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            format!("{what}: every render thread is busy and the queue is full; retry later"),
        )
        .retry_after(retry_after)
    }

    pub fn timeout(seconds: f64) -> ApiError {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "render_timeout",
            format!("the render took longer than {seconds} s"),
        )
    }

    pub fn internal(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", message)
    }
}
