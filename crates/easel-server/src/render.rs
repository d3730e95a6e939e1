//! `POST /v1/render`: a scene document in, one page's image out, rendered on the pool.

use crate::app::{ApiJson, AppState};
use crate::error::{ApiError, request};
use crate::metrics::RenderOutcome;
use crate::pool::PoolError;
use axum::extract::State;
use axum::http::header;
use axum::response::{IntoResponse, Response};
use easel::{EditorSettings, Engine, EngineConfig, ExportOptions, MimeType};
use serde::Deserialize;
use serde_json::Value;

/// The request: `{"scene": …, "page"?: index, "options"?: {…}}`.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct RenderRequest {
    /// A scene document (as `engine.scene.load_from_string` reads it), as JSON or as a
    /// string holding it.
    scene: Value,
    #[serde(default)]
    page: usize,
    #[serde(default)]
    options: RenderOptions,
}

#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
struct RenderOptions {
    mime_type: Option<String>,
    jpeg_quality: Option<f32>,
    png_compression_level: Option<u8>,
    target_width: Option<f32>,
    target_height: Option<f32>,
}

impl RenderOptions {
    fn export_options(&self) -> Result<ExportOptions, ApiError> {
        let defaults = ExportOptions::default();
        Ok(ExportOptions {
            mime_type: match &self.mime_type {
                Some(m) => MimeType::parse(m)?,
                None => defaults.mime_type,
            },
            jpeg_quality: self.jpeg_quality.unwrap_or(defaults.jpeg_quality),
            png_compression_level: self
                .png_compression_level
                .unwrap_or(defaults.png_compression_level),
            target_width: self.target_width,
            target_height: self.target_height,
        })
    }
}

pub(crate) async fn render(
    State(state): State<AppState>,
    ApiJson(req): ApiJson<RenderRequest>,
) -> Result<Response, ApiError> {
    let options = req.options.export_options()?;
    let scene = match req.scene {
        Value::String(text) => text,
        document => document.to_string(),
    };
    let settings = state.config.editor_settings();
    let page = req.page;
    let mime = options.mime_type;
    let timeout = state.config.render_timeout;
    let ran = state
        .pool
        .run(
            move || render_page(&scene, page, &options, settings),
            timeout,
        )
        .await;
    let outcome = match &ran {
        Ok(Ok(_)) => RenderOutcome::Ok,
        Ok(Err(_)) | Err(PoolError::Panicked) => RenderOutcome::Failed,
        Err(PoolError::Full) => RenderOutcome::Overloaded,
        Err(PoolError::Timeout) => RenderOutcome::Timeout,
    };
    state.metrics.render(outcome);
    match ran {
        Ok(Ok(bytes)) => Ok(([(header::CONTENT_TYPE, mime.as_str())], bytes).into_response()),
        Ok(Err(e)) => Err(e),
        Err(PoolError::Full) => Err(request::overloaded(
            "render",
            state.config.retry_after.as_secs().max(1),
        )),
        Err(PoolError::Timeout) => Err(request::timeout(timeout.as_secs_f64())),
        Err(PoolError::Panicked) => Err(request::internal("the render panicked")),
    }
}

/// Loads the scene into a fresh engine and exports page `page`.
fn render_page(
    scene: &str,
    page: usize,
    options: &ExportOptions,
    settings: EditorSettings,
) -> Result<Vec<u8>, ApiError> {
    let engine = Engine::new(EngineConfig {
        settings,
        ..Default::default()
    });
    engine.scene.load_from_string(scene)?;
    let pages = engine.scene.pages()?;
    let Some(&block) = pages.get(page) else {
        return Err(ApiError::new(
            axum::http::StatusCode::NOT_FOUND,
            "page_not_found",
            format!("page {page}: the scene has {} pages", pages.len()),
        ));
    };
    Ok(engine.block.export(block, options)?)
}
