//! `engine.asset`: the asset store, plus what needs the scene (applying assets).

use crate::engine::Shared;
use crate::{Error, Result};
use easel_assets::{
    AssetDefinition, AssetQuery, AssetQueryResult, AssetResult, AssetSource, AssetSourceEvent,
    AssetStore, Change, Credits, License, LocalSourceOptions, Subscription,
};
use easel_scene::{BlockId, BlockType, Color, FillKind};
use serde_json::Value;
use std::sync::Arc;

/// `engine.asset`: the asset sources of [`AssetStore`] (same names, errors as
/// [`crate::Error`]), plus what needs the scene (`apply`, `apply_to_block`) or the resource
/// loader (content files from URIs).
#[derive(Clone)]
pub struct AssetApi {
    pub(crate) shared: Arc<Shared>,
}

impl AssetApi {
    delegate! {
        self => self.shared.assets;
        /// Adds an empty local source.
        fn add_local_source(&self, id: &str, options: LocalSourceOptions) -> ();
        /// Adds a local source filled with `assets` in one step (one Added event); nothing
        /// is added if any asset is rejected.
        fn add_local_source_with_assets(&self, id: &str, options: LocalSourceOptions, assets: Vec<AssetDefinition>) -> ();
        /// Adds a custom source under its own id.
        fn add_source(&self, source: Box<dyn AssetSource>) -> ();
        /// Removes a source and all its assets.
        fn remove_source(&self, id: &str) -> ();
        /// Searches one source.
        fn find_assets(&self, source: &str, query: &AssetQuery) -> AssetQueryResult;
        /// Fetches one asset by id, resolved for `locale`; `None` when there is none.
        fn fetch_asset(&self, source: &str, asset_id: &str, locale: Option<&str>) -> Option<AssetResult>;
        /// The groups of a source.
        fn groups(&self, source: &str) -> Vec<String>;
        /// The MIME types a source accepts; empty means any.
        fn supported_mime_types(&self, source: &str) -> Vec<String>;
        /// A source's credits.
        fn credits(&self, source: &str) -> Option<Credits>;
        /// A source's license.
        fn license(&self, source: &str) -> Option<License>;
        /// How many assets a local source holds (`None` for custom sources).
        fn asset_count(&self, source: &str) -> Option<usize>;
        /// Adds an asset at the end of a source.
        fn add_asset_to_source(&self, source: &str, asset: AssetDefinition) -> ();
        /// Removes an asset.
        fn remove_asset_from_source(&self, source: &str, asset_id: &str) -> ();
        /// Replaces an existing asset atomically, keeping its position (last writer wins).
        fn update_asset(&self, source: &str, asset: AssetDefinition) -> ();
        /// Replaces an asset only if it is still at `expected_revision`; otherwise fails
        /// with `Conflict` naming both revisions.
        fn update_asset_if(&self, source: &str, asset: AssetDefinition, expected_revision: u64) -> ();
        /// Removes an asset only if it is still at `expected_revision`.
        fn remove_asset_if(&self, source: &str, asset_id: &str, expected_revision: u64) -> ();
        /// An asset's revision (1 when added, +1 per update); `None` when there is none.
        fn revision(&self, source: &str, asset_id: &str) -> Option<u64>;
        /// One asset's recorded history, oldest first.
        fn changes_for_asset(&self, source: &str, asset_id: &str) -> Vec<Change>;
        /// A local source's options.
        fn source_options(&self, source: &str) -> LocalSourceOptions;
        /// Tells listeners that a source's contents changed.
        fn asset_source_contents_changed(&self, source: &str) -> ();
        /// The definitions of a local source, in insertion order.
        fn definitions(&self, source: &str) -> Vec<AssetDefinition>;
        /// Loads a content file from disk into a local source.
        fn add_local_source_from_json_file(&self, path: &std::path::Path, base: Option<&str>, matchers: Option<&[&str]>) -> String;
        /// A local source as content-file JSON.
        fn local_source_to_json_string(&self, source: &str) -> String;
    }

    /// The ids of all sources, sorted.
    pub fn find_all_sources(&self) -> Vec<String> {
        self.shared.assets.find_all_sources()
    }

    /// True when a source with this id exists.
    pub fn has_source(&self, id: &str) -> bool {
        self.shared.assets.has_source(id)
    }

    /// True for local sources (and custom sources that say so); false for unknown ids.
    pub fn can_manage_assets(&self, source: &str) -> bool {
        self.shared.assets.can_manage_assets(source)
    }

    /// Adds many assets in one step (one commit on a durable store, one Updated event) and
    /// returns how many; if any asset is rejected, none is added.
    pub fn add_assets_to_source(
        &self,
        source: &str,
        assets: impl IntoIterator<Item = AssetDefinition>,
    ) -> Result<usize> {
        Ok(self.shared.assets.add_assets_to_source(source, assets)?)
    }

    /// Every change after `since_seq` (at most `limit`), oldest first: the audit trail.
    pub fn changes(&self, since_seq: u64, limit: usize) -> Result<Vec<Change>> {
        Ok(self.shared.assets.changes(since_seq, limit)?)
    }

    /// Source events from the change after `since_seq` on: the recorded ones first (in
    /// `seq` order), then new ones as they happen. For resuming after a reconnect.
    pub fn subscribe_from(
        &self,
        since_seq: u64,
    ) -> Result<crossbeam_channel::Receiver<AssetSourceEvent>> {
        Ok(self.shared.assets.subscribe_from(since_seq)?)
    }

    /// Calls `callback(source_id)` after every source is added.
    pub fn on_asset_source_added(
        &self,
        callback: impl Fn(&str) + Send + Sync + 'static,
    ) -> Subscription {
        self.shared.assets.on_asset_source_added(callback)
    }

    /// Calls `callback(source_id)` after every source is removed.
    pub fn on_asset_source_removed(
        &self,
        callback: impl Fn(&str) + Send + Sync + 'static,
    ) -> Subscription {
        self.shared.assets.on_asset_source_removed(callback)
    }

    /// Calls `callback(source_id)` after a source's contents change.
    pub fn on_asset_source_updated(
        &self,
        callback: impl Fn(&str) + Send + Sync + 'static,
    ) -> Subscription {
        self.shared.assets.on_asset_source_updated(callback)
    }

    /// Every source event, on a channel; dropping the receiver ends it.
    pub fn subscribe(&self) -> crossbeam_channel::Receiver<AssetSourceEvent> {
        self.shared.assets.subscribe()
    }

    /// The store itself, for code written against `easel-assets` alone.
    pub fn store(&self) -> &AssetStore {
        &self.shared.assets
    }
}

/// Share of the page an applied image may take, as in the reference engine.
const APPLY_FRACTION: f32 = 8.0 / 13.0;

enum AssetKind {
    Image(String),
    Color(Color),
    /// No fill type the engine knows: the default colour fill (opaque black).
    Plain,
}

fn number(v: Option<&Value>) -> Option<f32> {
    match v? {
        Value::Number(n) => n.as_f64().map(|f| f as f32),
        Value::String(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|f: &f32| f.is_finite() && *f > 0.0)
}

fn color_of(v: &Value) -> Option<Color> {
    let c = |k: &str| v.get(k).and_then(Value::as_f64).map(|f| f as f32);
    if let Some(hex) = v.as_str() {
        let hex = hex.trim_start_matches('#');
        let byte = |i: usize| {
            u8::from_str_radix(hex.get(i..i + 2)?, 16)
                .ok()
                .map(|b| b as f32 / 255.0)
        };
        return match hex.len() {
            6 => Some(Color::rgb(byte(0)?, byte(2)?, byte(4)?)),
            8 => Some(Color::rgba(byte(0)?, byte(2)?, byte(4)?, byte(6)?)),
            _ => None,
        };
    }
    Some(Color::rgba(
        c("r")?,
        c("g")?,
        c("b")?,
        c("a").unwrap_or(1.0),
    ))
    .filter(Color::is_valid)
}

/// What an asset applies as, by `meta.fillType` as the reference engine reads it: an
/// image fill (needs `meta.uri`), a colour fill (`payload.color`), or — without a fill type,
/// `meta.blockType` alone included — a rect with the default black colour fill.
fn kind_of(asset: &AssetResult) -> Result<AssetKind> {
    let fill_type = asset.meta.get("fillType").and_then(Value::as_str);
    let uri = asset
        .meta
        .get("uri")
        .and_then(Value::as_str)
        .filter(|u| !u.is_empty());
    match fill_type.map(|t| t.trim_start_matches("//ly.img.ubq/fill/")) {
        Some("image") => match uri {
            Some(uri) => Ok(AssetKind::Image(uri.to_string())),
            None => Err(Error::InvalidAsset {
                asset: asset.id.to_string(),
                reason: "its `meta.fillType` is an image fill but it has no `meta.uri`".into(),
            }),
        },
        Some("color") => Ok(asset
            .payload
            .get("color")
            .and_then(color_of)
            .map_or(AssetKind::Plain, AssetKind::Color)),
        _ => Ok(AssetKind::Plain),
    }
}

impl AssetApi {
    /// Applies an asset to the scene as the reference engine does by default: a graphic with
    /// a rect shape and, by `meta.fillType`, an image fill of `meta.uri`
    /// (`//ly.img.ubq/fill/image`), a colour fill of `payload.color`
    /// (`//ly.img.ubq/fill/color`), or without a fill type the default black colour fill (as
    /// the reference does, `meta.blockType` alone notwithstanding). The block is sized from
    /// `meta.width`/`meta.height` to fit within 8/13 of the current page (a square when the
    /// asset has no size), centred on the page (the reference engine places it
    /// pseudo-randomly), takes `meta.kind` as its kind, keeps an empty name (as the
    /// reference's does) and is appended to the page.
    pub fn apply(&self, source: &str, asset: &AssetResult) -> Result<BlockId> {
        let kind = kind_of(asset)?;
        let mut graph = self.shared.graph();
        let page = graph
            .pages()?
            .first()
            .copied()
            .ok_or(easel_scene::Error::NoScene)?;
        let (pw, ph) = (graph.width(page)?, graph.height(page)?);
        let (bw, bh) = match (
            number(asset.meta.get("width")),
            number(asset.meta.get("height")),
        ) {
            (Some(w), Some(h)) => {
                let s = (pw * APPLY_FRACTION / w).min(ph * APPLY_FRACTION / h);
                (w * s, h * s)
            }
            _ => {
                let side = pw.min(ph) * APPLY_FRACTION;
                (side, side)
            }
        };
        let block = graph.create("graphic")?;
        let build = |graph: &mut easel_scene::SceneGraph| -> Result<()> {
            let shape = graph.create_shape("rect")?;
            graph.set_shape(block, shape)?;
            let fill = match &kind {
                AssetKind::Image(uri) => {
                    let f = graph.create_fill("image")?;
                    graph.set_string(f, "fill/image/imageFileURI", uri)?;
                    f
                }
                AssetKind::Color(c) => {
                    let f = graph.create_fill("color")?;
                    graph.set_color(f, "fill/color/value", *c)?;
                    f
                }
                AssetKind::Plain => graph.create_fill("color")?,
            };
            graph.set_fill(block, fill)?;
            graph.set_width(block, bw)?;
            graph.set_height(block, bh)?;
            graph.set_position_x(block, (pw - bw) / 2.0)?;
            graph.set_position_y(block, (ph - bh) / 2.0)?;
            graph.set_metadata(block, "asset/id", &asset.id)?;
            graph.set_metadata(block, "asset/source", source)?;
            if let Some(kind) = asset.meta.get("kind").and_then(Value::as_str) {
                graph.set_kind(block, kind)?;
            }
            graph.append_child(page, block)?;
            Ok(())
        };
        if let Err(e) = build(&mut graph) {
            // Leave the scene as it was.
            let _ = graph.destroy(block);
            return Err(e);
        }
        Ok(block)
    }

    /// The reference engine's default apply: same as [`Self::apply`].
    pub fn default_apply_asset(&self, source: &str, asset: &AssetResult) -> Result<BlockId> {
        self.apply(source, asset)
    }

    /// Applies an asset to an existing block as the reference engine does: the asset's
    /// `meta.uri` replaces the image of the block's image fill; a block with any other fill
    /// keeps it unchanged. An asset without `meta.uri` (a colour asset) is an error naming
    /// it, and changes nothing.
    pub fn apply_to_block(&self, source: &str, asset: &AssetResult, block: BlockId) -> Result<()> {
        let Some(uri) = asset
            .meta
            .get("uri")
            .and_then(Value::as_str)
            .filter(|u| !u.is_empty())
        else {
            return Err(Error::InvalidAsset {
                asset: asset.id.to_string(),
                reason: format!("it has no `meta.uri` to replace block {block}'s image with"),
            });
        };
        let mut graph = self.shared.graph();
        if !graph.supports_fill(block)? {
            return Err(easel_scene::Error::Unsupported {
                block,
                block_type: graph.block_type(block)?.long_name(),
                what: "fill".into(),
            }
            .into());
        }
        if let Some(fill) = graph.fill(block)?
            && graph.block_type(fill)? == BlockType::Fill(FillKind::Image)
        {
            graph.set_string(fill, "fill/image/imageFileURI", uri)?;
            graph.set_metadata(block, "asset/id", &asset.id)?;
            graph.set_metadata(block, "asset/source", source)?;
        }
        Ok(())
    }

    /// Loads a content file's text into a local source; `{{base_url}}` becomes `base`, or
    /// without one the engine's base (`EditorSettings::base_path`, else the working
    /// directory as a `file://` URL), as the reference engine uses its own base URL: the
    /// placeholder is never left in a URI. Returns the source id.
    pub fn add_local_source_from_json_str(
        &self,
        json: &str,
        base: Option<&str>,
        matchers: Option<&[&str]>,
    ) -> Result<String> {
        let default;
        let base = match base.filter(|b| !b.is_empty()) {
            Some(b) => b,
            None => {
                default = self.shared.settings().base_path.clone().unwrap_or_else(|| {
                    std::env::current_dir()
                        .ok()
                        .and_then(|d| url::Url::from_directory_path(d).ok())
                        .map_or_else(|| ".".to_string(), |u| u.to_string())
                });
                &default
            }
        };
        Ok(self
            .shared
            .assets
            .add_local_source_from_json_str(json, Some(base), matchers)?)
    }

    /// Loads a `content.json` from a URI (file path, `file://`, `http(s)://`, `data:` or a
    /// registered buffer) into a local source; `{{base_url}}/x` resolves against the URI's
    /// folder as the reference engine resolves it, landing in the folder above
    /// (`https://cdn/assets/stickers/content.json`: `https://cdn/assets/x`). Returns the
    /// source id.
    pub fn add_local_source_from_json_uri(
        &self,
        uri: &str,
        matchers: Option<&[&str]>,
    ) -> Result<String> {
        let settings = self.shared.settings();
        let bytes = self
            .shared
            .resources
            .fetch(uri, &settings, self.shared.resolver().as_ref())?;
        let json = String::from_utf8_lossy(&bytes);
        // The URI's folder, without a trailing slash: `{{base_url}}/x` resolves against it
        // as the reference engine resolves it, to the folder above.
        let base = uri.rsplit_once('/').map_or(".", |(b, _)| b);
        Ok(self
            .shared
            .assets
            .add_local_source_from_json_str(&json, Some(base), matchers)?)
    }
}
