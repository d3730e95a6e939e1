//! Export: options, resource loading, compile, render, encode.

use crate::compile;
use crate::engine::Shared;
use crate::{Error, Result};
use easel_scene::BlockId;
use serde::{Deserialize, Serialize};

/// Output format of an export.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum MimeType {
    /// `image/png` (the default).
    #[default]
    Png,
    /// `image/jpeg`; translucent pixels are composited over white.
    Jpeg,
    /// `image/webp`, lossless.
    Webp,
    /// `application/octet-stream`: raw straight-alpha RGBA rows, width × height × 4 bytes.
    RawRgba,
}

impl MimeType {
    /// Parses a MIME type string (`image/png`, `image/jpeg`, `image/webp`,
    /// `application/octet-stream`).
    pub fn parse(mime: &str) -> Result<MimeType> {
        match mime.to_ascii_lowercase().as_str() {
            "image/png" => Ok(MimeType::Png),
            "image/jpeg" | "image/jpg" => Ok(MimeType::Jpeg),
            "image/webp" => Ok(MimeType::Webp),
            "application/octet-stream" | "image/x-raw-rgba" => Ok(MimeType::RawRgba),
            other => Err(Error::InvalidExportOption {
                option: "mime_type".into(),
                value: other.to_string(),
                reason: "use image/png, image/jpeg, image/webp or application/octet-stream".into(),
            }),
        }
    }

    /// The MIME type string.
    pub fn as_str(self) -> &'static str {
        match self {
            MimeType::Png => "image/png",
            MimeType::Jpeg => "image/jpeg",
            MimeType::Webp => "image/webp",
            MimeType::RawRgba => "application/octet-stream",
        }
    }
}

/// How to export a block.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct ExportOptions {
    /// Output format.
    pub mime_type: MimeType,
    /// JPEG quality in (0, 1].
    pub jpeg_quality: f32,
    /// PNG compression level 0–9; 1 (the default) is the fast fdeflate encoder.
    pub png_compression_level: u8,
    /// With `target_height`: scale so the output covers this box, keeping the aspect ratio.
    pub target_width: Option<f32>,
    /// With `target_width`: scale so the output covers this box, keeping the aspect ratio.
    pub target_height: Option<f32>,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            mime_type: MimeType::Png,
            jpeg_quality: 0.9,
            png_compression_level: 1,
            target_width: None,
            target_height: None,
        }
    }
}

impl ExportOptions {
    fn validate(&self) -> Result<()> {
        let bad = |option: &str, value: String, reason: &str| Error::InvalidExportOption {
            option: option.into(),
            value,
            reason: reason.into(),
        };
        if !(self.jpeg_quality > 0.0 && self.jpeg_quality <= 1.0) {
            return Err(bad(
                "jpeg_quality",
                self.jpeg_quality.to_string(),
                "must be within (0, 1]",
            ));
        }
        if self.png_compression_level > 9 {
            return Err(bad(
                "png_compression_level",
                self.png_compression_level.to_string(),
                "must be within 0..=9",
            ));
        }
        for (name, v) in [
            ("target_width", self.target_width),
            ("target_height", self.target_height),
        ] {
            if let Some(v) = v
                && !(v.is_finite() && v > 0.0)
            {
                return Err(bad(name, v.to_string(), "must be finite and positive"));
            }
        }
        Ok(())
    }

    /// The scale from scene units to output pixels for a region of `w × h`: the output covers
    /// the target box when both sides are given (as the reference engine does), else 1.
    fn scale(&self, w: f32, h: f32) -> f32 {
        match (self.target_width, self.target_height) {
            (Some(tw), Some(th)) => (tw / w).max(th / h),
            _ => 1.0,
        }
    }
}

/// Compiles `block` into the display list an export renders, its images loaded and
/// uploaded to the returned render target (held by the returned images until drawn).
pub(crate) fn display_list(
    shared: &Shared,
    block: BlockId,
    options: &ExportOptions,
) -> Result<(
    std::sync::Arc<crate::engine::RenderTarget>,
    easel_render::DisplayList,
    crate::resources::LoadedImages,
)> {
    options.validate()?;
    let settings = shared.settings();
    let texts = crate::text::prepare(shared)?;
    let compiled = {
        let mut graph = shared.graph();
        graph.layout();
        let root = graph.export_root(block)?;
        if root != block && graph.children(root)?.is_empty() {
            return Err(Error::NotExportable {
                block,
                reason: format!(
                    "its stack {root} holds no pages (pages appended to the scene itself are \
                     not part of a stack scene's design)"
                ),
            });
        }
        let region = compile::region(&graph, root)?;
        let scale = options.scale(region.width, region.height);
        let (w, h) = (
            (region.width * scale).round().max(1.0),
            (region.height * scale).round().max(1.0),
        );
        let side = settings.max_export_side;
        let pixels = settings.max_export_pixels;
        if w > side as f32 || h > side as f32 || (w as f64) * (h as f64) > pixels as f64 {
            return Err(Error::ExportTooLarge {
                block,
                width: w,
                height: h,
                limit: format!("{side} px a side and {pixels} pixels"),
            });
        }
        let size = (w as u32, h as u32);
        // Stretch by the rounding (under half a pixel) so the region fills the canvas exactly.
        let scale = (size.0 as f32 / region.width, size.1 as f32 / region.height);
        let texts = crate::text::drawn(shared, &texts, scale.1)?;
        let items = shared.item_buffer();
        compile::compile(&graph, root, region, scale, size, &texts, items)?
    };
    let uris: Vec<String> = compiled.images.iter().map(|p| p.uri.clone()).collect();
    let images = shared
        .resources
        .load_images(&uris, &settings, shared.resolver().as_ref());
    for pending in &compiled.images {
        if let Some(Err(error)) = images.get(&pending.uri) {
            return Err(Error::BlockResource {
                block: pending.block,
                error: error.clone(),
            });
        }
    }
    {
        // Once an image's size is known, a Cover or Contain fill reports the crop it
        // resulted in, as the reference engine does after loading the image.
        let mut graph = shared.graph();
        for pending in &compiled.images {
            if let Some(Ok(image)) = images.get(&pending.uri) {
                let (w, h) = image.pixels.dimensions();
                // The block may have gone since the snapshot: nothing to record then.
                let _ = graph.record_content_fill_crop(pending.block, w, h);
            }
        }
    }
    let target = shared.render_target()?;
    let list = compiled.resolve_images(|pending| match images.get(&pending.uri) {
        Some(Ok(image)) => target.upload(image),
        // Every URI of the snapshot was loaded above, and failures returned.
        _ => Err(Error::NotExportable {
            block: pending.block,
            reason: format!("image {} was not loaded", pending.uri),
        }),
    })?;
    Ok((target, list, images))
}

/// Exports a page (at its size), a graphic or group (its bounding box, transparent
/// around it), or a scene or stack (all its pages as laid out, e.g. stacked vertically).
///
/// The scene is read once: layout, region and display list come from one snapshot taken
/// under one lock, so an edit made during the export shows entirely or not at all. Images
/// are then fetched without the lock, by the URIs that snapshot names, and held by this
/// export until it is encoded.
pub(crate) fn export(shared: &Shared, block: BlockId, options: &ExportOptions) -> Result<Vec<u8>> {
    let (target, list, images) = display_list(shared, block, options)?;
    let pixels = match target.renderer.render(&list) {
        Ok(p) => p,
        Err(e) => {
            if matches!(e, easel_render::Error::DeviceLost(_)) {
                // Image handles belong to the lost device; the next export starts afresh.
                shared.discard_renderer();
            }
            return Err(e.into());
        }
    };
    drop(images);
    shared.recycle_items(list.items);
    target.forget_evicted();
    let encoded = match options.mime_type {
        MimeType::Png => easel_render::encode_png(&pixels, options.png_compression_level),
        MimeType::Jpeg => {
            let q = (options.jpeg_quality * 100.0).round().clamp(1.0, 100.0) as u8;
            easel_render::encode_jpeg(&pixels, q)
        }
        MimeType::Webp => easel_render::encode_webp(&pixels),
        MimeType::RawRgba => return Ok(pixels.into_raw()),
    };
    target.renderer.recycle(pixels);
    Ok(encoded?)
}
