//! `/v1/sources…`: local asset sources over HTTP. Writes run on the blocking pool (a
//! durable store waits for its disk or server); queries answer from memory.

use crate::app::{ApiJson, AppState};
use crate::error::{ApiError, request};
use axum::Json;
use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use easel::assets::{ContentFile, content_from_str};
use easel::{AssetDefinition, AssetQuery, AssetStore, LocalSourceOptions, SortingOrder};
use serde::Deserialize;
use serde_json::{Value, json};

/// Runs a store call off the async runtime.
pub(crate) async fn blocking<T: Send + 'static>(
    store: &AssetStore,
    f: impl FnOnce(&AssetStore) -> easel::assets::Result<T> + Send + 'static,
) -> Result<T, ApiError> {
    let store = store.clone();
    match tokio::task::spawn_blocking(move || f(&store)).await {
        Ok(result) => result.map_err(ApiError::from),
        Err(e) => Err(request::internal(format!("store call failed: {e}"))),
    }
}

pub(crate) async fn list_sources(State(state): State<AppState>) -> Json<Vec<String>> {
    Json(state.store.find_all_sources())
}

/// `POST /v1/sources`: `{id, supportedMimeTypes?, credits?, license?}`.
#[derive(Deserialize)]
pub(crate) struct NewSource {
    id: String,
    #[serde(flatten)]
    options: LocalSourceOptions,
}

pub(crate) async fn add_source(
    State(state): State<AppState>,
    ApiJson(body): ApiJson<NewSource>,
) -> Result<Response, ApiError> {
    let id = body.id.clone();
    blocking(&state.store, move |s| {
        s.add_local_source(&body.id, body.options)
    })
    .await?;
    Ok(created(&format!("/v1/sources/{id}"), json!({ "id": id })))
}

pub(crate) async fn remove_source(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    blocking(&state.store, move |s| s.remove_source(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

fn created(location: &str, body: Value) -> Response {
    let mut response = (StatusCode::CREATED, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(location) {
        response.headers_mut().insert(header::LOCATION, v);
    }
    response
}

fn definition(value: Value) -> Result<AssetDefinition, ApiError> {
    serde_json::from_value(value)
        .map_err(|e| request::invalid(format!("not an asset definition: {e}")))
}

/// `POST /v1/sources/{id}/assets`: one definition, or an array (one atomic batch).
pub(crate) async fn add_assets(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let location = format!("/v1/sources/{id}/assets");
    let added = match body {
        Value::Array(items) => {
            let defs = items
                .into_iter()
                .map(definition)
                .collect::<Result<Vec<_>, _>>()?;
            blocking(&state.store, move |s| s.add_assets_to_source(&id, defs)).await?
        }
        one => {
            let def = definition(one)?;
            blocking(&state.store, move |s| s.add_asset_to_source(&id, def)).await?;
            1
        }
    };
    Ok(created(&location, json!({ "added": added })))
}

/// The revision in an `If-Match` header (`3`, `"3"` or `W/"3"`).
fn expected_revision(headers: &HeaderMap) -> Result<Option<u64>, ApiError> {
    let Some(value) = headers.get(header::IF_MATCH) else {
        return Ok(None);
    };
    let text = value.to_str().unwrap_or_default().trim();
    let bare = text.trim_start_matches("W/").trim_matches('"');
    bare.parse()
        .map(Some)
        .map_err(|_| request::invalid(format!("If-Match `{text}` is not a revision number")))
}

fn with_etag(mut response: Response, revision: u64) -> Response {
    if let Ok(v) = HeaderValue::from_str(&format!("\"{revision}\"")) {
        response.headers_mut().insert(header::ETAG, v);
    }
    response
}

/// `PUT /v1/sources/{id}/assets/{asset}`: full replacement; conditional with `If-Match`.
pub(crate) async fn put_asset(
    State(state): State<AppState>,
    Path((id, asset)): Path<(String, String)>,
    headers: HeaderMap,
    ApiJson(mut body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let expected = expected_revision(&headers)?;
    if let Some(obj) = body.as_object_mut() {
        match obj.get("id").and_then(Value::as_str) {
            None => {
                obj.insert("id".into(), Value::String(asset.clone()));
            }
            Some(given) if given != asset => {
                return Err(request::invalid(format!(
                    "the body names asset `{given}`, the path `{asset}`"
                )));
            }
            Some(_) => {}
        }
    }
    let def = definition(body)?;
    let revision = blocking(&state.store, move |s| {
        match expected {
            Some(rev) => s.update_asset_if(&id, def, rev)?,
            None => s.update_asset(&id, def)?,
        }
        s.revision(&id, &asset)
    })
    .await?
    .unwrap_or(0);
    Ok(with_etag(
        Json(json!({ "revision": revision })).into_response(),
        revision,
    ))
}

/// `DELETE /v1/sources/{id}/assets/{asset}`: conditional with `If-Match`.
pub(crate) async fn delete_asset(
    State(state): State<AppState>,
    Path((id, asset)): Path<(String, String)>,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let expected = expected_revision(&headers)?;
    blocking(&state.store, move |s| match expected {
        Some(rev) => s.remove_asset_if(&id, &asset, rev),
        None => s.remove_asset_from_source(&id, &asset),
    })
    .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
pub(crate) struct Locale {
    locale: Option<String>,
}

/// `GET /v1/sources/{id}/assets/{asset}`: the asset with its revision (also the `ETag`).
pub(crate) async fn get_asset(
    State(state): State<AppState>,
    Path((id, asset)): Path<(String, String)>,
    Query(q): Query<Locale>,
) -> Result<Response, ApiError> {
    match state.store.fetch_asset(&id, &asset, q.locale.as_deref())? {
        Some(found) => {
            let revision = found.revision;
            Ok(with_etag(Json(found).into_response(), revision))
        }
        None => Err(easel::assets::Error::AssetNotFound {
            source_id: id,
            asset,
        }
        .into()),
    }
}

/// `POST /v1/sources/{id}/find` with an AssetQuery.
pub(crate) async fn find(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(query): ApiJson<AssetQuery>,
) -> Result<Response, ApiError> {
    Ok(Json(state.store.find_assets(&id, &query)?).into_response())
}

/// The simple cases of a query as URL parameters (`tags` and `groups` comma-separated).
#[derive(Deserialize, Default)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct SimpleQuery {
    query: Option<String>,
    tags: Option<String>,
    groups: Option<String>,
    page: Option<i64>,
    per_page: Option<i64>,
    sort_key: Option<String>,
    sorting_order: Option<String>,
    locale: Option<String>,
}

fn list(text: Option<String>) -> Vec<String> {
    text.map(|t| {
        t.split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(String::from)
            .collect()
    })
    .unwrap_or_default()
}

/// `GET /v1/sources/{id}/assets?query=&tags=&groups=&page=&perPage=&sortKey=&sortingOrder=&locale=`.
pub(crate) async fn query_assets(
    State(state): State<AppState>,
    Path(id): Path<String>,
    query: Result<Query<SimpleQuery>, axum::extract::rejection::QueryRejection>,
) -> Result<Response, ApiError> {
    let Query(q) = query.map_err(|e| request::invalid(e.body_text()))?;
    let sorting_order = match q.sorting_order.as_deref() {
        None => SortingOrder::None,
        Some(s) => serde_json::from_value(Value::String(s.to_string())).map_err(|_| {
            request::invalid(format!(
                "sortingOrder `{s}` is not one of None, Ascending, Descending"
            ))
        })?,
    };
    let defaults = AssetQuery::default();
    let query = AssetQuery {
        query: q.query,
        tags: list(q.tags),
        groups: list(q.groups),
        page: q.page.unwrap_or(defaults.page),
        per_page: q.per_page.unwrap_or(defaults.per_page),
        sort_key: q.sort_key,
        sorting_order,
        locale: q.locale,
        ..defaults
    };
    Ok(Json(state.store.find_assets(&id, &query)?).into_response())
}

/// `POST /v1/sources/{id}/contents-changed`: tells every connected client.
pub(crate) async fn contents_changed(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<StatusCode, ApiError> {
    blocking(&state.store, move |s| s.asset_source_contents_changed(&id)).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /v1/sources/{id}/content.json`: the source in the reference engine's format.
pub(crate) async fn export_content(
    State(state): State<AppState>,
    Path(id): Path<String>,
) -> Result<Response, ApiError> {
    let json = state.store.local_source_to_json_string(&id)?;
    Ok(([(header::CONTENT_TYPE, "application/json")], json).into_response())
}

/// `PUT /v1/sources/{id}/content.json`: replaces the source's assets with the file's, in
/// one commit (creating the source if needed).
pub(crate) async fn import_content(
    State(state): State<AppState>,
    Path(id): Path<String>,
    ApiJson(body): ApiJson<Value>,
) -> Result<Response, ApiError> {
    let file: ContentFile = content_from_str(&body.to_string(), None, None)?;
    if file.id != id {
        return Err(request::invalid(format!(
            "the file is for source `{}`, the path names `{id}`",
            file.id
        )));
    }
    let count = blocking(&state.store, move |s| {
        if s.has_source(&id) {
            s.replace_assets(&id, file.assets)
        } else {
            let n = file.assets.len();
            s.add_local_source_with_assets(&id, LocalSourceOptions::default(), file.assets)?;
            Ok(n)
        }
    })
    .await?;
    Ok(Json(json!({ "assets": count })).into_response())
}
