//! Every error the engine can raise has one HTTP status and one stable code: the table.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

use easel::assets::Error as A;
use easel::render::Error as R;
use easel::scene_graph::Error as S;
use easel::text_engine::Error as T;
use easel::{Error as E, PropertyType, ResourceError, ResourceErrorKind as K};
use std::collections::HashSet;

fn s() -> String {
    "x".into()
}

#[test]
fn every_engine_error_maps_to_one_status_and_code() {
    let b = easel::Engine::new(Default::default())
        .block
        .create("graphic")
        .unwrap();
    let resource = |kind| ResourceError {
        kind,
        uri: s(),
        message: s(),
    };
    let table: Vec<(E, u16, &str)> = vec![
        (S::UnknownBlock(b).into(), 404, "block_not_found"),
        (S::UnknownBlockType(s()).into(), 422, "unknown_block_type"),
        (S::NotADesignBlock(s()).into(), 422, "not_a_design_block"),
        (
            S::UnknownProperty {
                block: b,
                block_type: s(),
                key: s(),
            }
            .into(),
            422,
            "unknown_property",
        ),
        (
            S::WrongPropertyType {
                key: s(),
                expected: s(),
                found: PropertyType::Bool,
            }
            .into(),
            422,
            "wrong_property_type",
        ),
        (S::ReadOnly { key: s() }.into(), 422, "read_only_property"),
        (
            S::InvalidEnumValue {
                key: s(),
                value: s(),
                allowed: vec![],
            }
            .into(),
            422,
            "invalid_enum_value",
        ),
        (
            S::InvalidValue {
                key: s(),
                value: s(),
                reason: s(),
            }
            .into(),
            422,
            "invalid_value",
        ),
        (
            S::InvalidHierarchy {
                parent: b,
                parent_type: s(),
                child: b,
                child_type: s(),
            }
            .into(),
            422,
            "invalid_hierarchy",
        ),
        (
            S::Cycle {
                parent: b,
                child: b,
            }
            .into(),
            422,
            "hierarchy_cycle",
        ),
        (
            S::TooDeep {
                parent: b,
                child: b,
                depth: 101,
                max: 100,
            }
            .into(),
            422,
            "hierarchy_too_deep",
        ),
        (
            S::WrongBlockKind {
                block: b,
                expected: s(),
                found: s(),
            }
            .into(),
            422,
            "wrong_block_kind",
        ),
        (
            S::NotGroupable {
                block: b,
                reason: s(),
            }
            .into(),
            422,
            "not_groupable",
        ),
        (
            S::Unsupported {
                block: b,
                block_type: s(),
                what: s(),
            }
            .into(),
            422,
            "unsupported",
        ),
        (
            S::AlreadyOwned { block: b, owner: b }.into(),
            409,
            "already_owned",
        ),
        (
            S::IndexOutOfRange {
                parent: b,
                index: 1,
                len: 0,
            }
            .into(),
            422,
            "index_out_of_range",
        ),
        (S::NoScene.into(), 422, "no_scene"),
        (S::Malformed(s()).into(), 400, "malformed_scene"),
        (S::ForeignScene(s()).into(), 400, "malformed_cesdk_scene"),
        (
            S::UnsupportedVersion {
                found: 9,
                supported: 1,
            }
            .into(),
            422,
            "unsupported_scene_version",
        ),
        (
            A::SourceNotFound { id: s() }.into(),
            404,
            "source_not_found",
        ),
        (
            A::DuplicateSource { id: s() }.into(),
            409,
            "duplicate_source",
        ),
        (
            A::AssetNotFound {
                source_id: s(),
                asset: s(),
            }
            .into(),
            404,
            "asset_not_found",
        ),
        (
            A::DuplicateAsset {
                source_id: s(),
                asset: s(),
            }
            .into(),
            409,
            "duplicate_asset",
        ),
        (
            A::UnsupportedMimeType {
                source_id: s(),
                asset: s(),
                mime_type: s(),
                supported: vec![],
            }
            .into(),
            415,
            "unsupported_mime_type",
        ),
        (
            A::NotManageable {
                id: s(),
                action: s(),
            }
            .into(),
            422,
            "source_not_manageable",
        ),
        (
            A::InvalidQuery {
                field: s(),
                value: s(),
                reason: s(),
            }
            .into(),
            422,
            "invalid_query",
        ),
        (A::InvalidFilter(s()).into(), 422, "invalid_filter"),
        (A::InvalidAsset(s()).into(), 422, "invalid_asset"),
        (
            A::InvalidContent {
                path: None,
                message: s(),
            }
            .into(),
            400,
            "invalid_content",
        ),
        (
            A::Io {
                path: s(),
                message: s(),
            }
            .into(),
            500,
            "io_error",
        ),
        (
            A::Conflict {
                source_id: s(),
                asset: s(),
                expected: 1,
                actual: Some(2),
            }
            .into(),
            412,
            "revision_conflict",
        ),
        (
            A::Storage {
                location: s(),
                message: s(),
            }
            .into(),
            503,
            "storage_unavailable",
        ),
        (
            A::Busy {
                location: s(),
                waited_ms: 5,
            }
            .into(),
            503,
            "storage_busy",
        ),
        (
            A::ChangesGone {
                since: 1,
                oldest: 5,
            }
            .into(),
            410,
            "changes_gone",
        ),
        (
            A::Source {
                id: s(),
                message: s(),
            }
            .into(),
            502,
            "source_failed",
        ),
        (R::NoAdapter { backends: s() }.into(), 503, "no_renderer"),
        (R::UnknownBackend(s()).into(), 500, "unknown_backend"),
        (
            R::DeviceCreation {
                adapter: s(),
                message: s(),
            }
            .into(),
            503,
            "no_renderer",
        ),
        (R::DeviceLost(s()).into(), 503, "device_lost"),
        (R::OutOfMemory(s()).into(), 503, "out_of_memory"),
        (
            R::Gpu {
                context: s(),
                message: s(),
            }
            .into(),
            500,
            "gpu_error",
        ),
        (
            R::InvalidCanvasSize {
                width: 0,
                height: 0,
                max: 1,
            }
            .into(),
            422,
            "invalid_canvas_size",
        ),
        (R::InvalidBackground(s()).into(), 422, "invalid_background"),
        (
            R::InvalidItem {
                index: 0,
                what: s(),
                value: s(),
            }
            .into(),
            422,
            "invalid_item",
        ),
        (
            R::InvalidPath {
                data: s(),
                message: s(),
            }
            .into(),
            422,
            "invalid_path",
        ),
        (
            R::Tessellation {
                index: 0,
                message: s(),
            }
            .into(),
            422,
            "tessellation_failed",
        ),
        (R::UnknownImage(1).into(), 500, "unknown_image"),
        (
            R::InvalidImage {
                width: 0,
                height: 0,
                reason: s(),
            }
            .into(),
            422,
            "invalid_image",
        ),
        (
            R::Encode {
                format: s(),
                message: s(),
            }
            .into(),
            500,
            "encode_failed",
        ),
        (
            R::InvalidOption {
                option: s(),
                value: s(),
                reason: s(),
            }
            .into(),
            422,
            "invalid_option",
        ),
        (
            resource(K::FileFetchFailed).into(),
            422,
            "resource_fetch_failed",
        ),
        (
            resource(K::ImageDecodingFailed).into(),
            422,
            "image_decoding_failed",
        ),
        (resource(K::ImageTooLarge).into(), 422, "image_too_large"),
        (
            resource(K::SchemeNotAllowed).into(),
            403,
            "scheme_not_allowed",
        ),
        (resource(K::AccessDenied).into(), 403, "host_refused"),
        (
            resource(K::FontDecodingFailed).into(),
            422,
            "font_decoding_failed",
        ),
        (T::UnknownFont(3).into(), 500, "unknown_font"),
        (
            T::InvalidFontSize {
                size: f32::NAN,
                max: 1.0,
            }
            .into(),
            422,
            "invalid_font_size",
        ),
        (
            T::InvalidSetting {
                name: "line height",
                value: -1.0,
                reason: "must be ≥ 0",
            }
            .into(),
            422,
            "invalid_text_setting",
        ),
        (
            T::InvalidRange {
                start: 2,
                end: 1,
                len: 3,
            }
            .into(),
            422,
            "invalid_text_range",
        ),
        (
            T::TextTooLong { len: 2, max: 1 }.into(),
            413,
            "text_too_long",
        ),
        (
            E::BlockResource {
                block: b,
                error: resource(K::AccessDenied),
            },
            403,
            "host_refused",
        ),
        (
            E::InvalidExportOption {
                option: s(),
                value: s(),
                reason: s(),
            },
            422,
            "invalid_export_option",
        ),
        (
            E::NotExportable {
                block: b,
                reason: s(),
            },
            422,
            "not_exportable",
        ),
        (
            E::ExportTooLarge {
                block: b,
                width: 1.0,
                height: 1.0,
                limit: s(),
            },
            422,
            "output_too_large",
        ),
        (
            E::InvalidAsset {
                asset: s(),
                reason: s(),
            },
            422,
            "invalid_asset",
        ),
    ];
    let mut codes = HashSet::new();
    for (error, status, code) in &table {
        let (got_status, got_code) = easel_server::classify(error);
        assert_eq!(
            (got_status.as_u16(), got_code),
            (*status, *code),
            "{error:?}"
        );
        codes.insert(*code);
        // The answer carries the code and the error's own message.
        let answer = easel_server::ApiError::from(error.clone());
        assert_eq!(answer.message, error.to_string());
        assert_eq!(answer.retry_after.is_some(), *status == 503, "{error:?}");
    }
    // No catch-all code was needed: every variant has its own row.
    for fallback in [
        "engine_error",
        "scene_error",
        "asset_error",
        "render_error",
        "text_error",
    ] {
        assert!(!codes.contains(fallback));
    }
}
