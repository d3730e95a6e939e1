//! The engine: shared state behind the `asset`, `block`, `scene`, `editor` and `event` parts.

use crate::Result;
use crate::asset::AssetApi;
use crate::block::BlockApi;
use crate::editor::{EditorApi, EditorSettings, UriResolver};
use crate::event::EventApi;
use crate::resources::Resources;
use crate::resources::cache::DecodedImage;
use crate::scene::SceneApi;
use easel_assets::AssetStore;
use easel_render::{ImageHandle, Renderer, RendererOptions};
use easel_scene::SceneGraph;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, RwLock, Weak};

/// How to build an [`Engine`].
#[derive(Clone, Default)]
pub struct EngineConfig {
    /// Initial editor settings.
    pub settings: EditorSettings,
    /// Options for the renderer, if this engine creates one.
    pub renderer: RendererOptions,
    /// Use this renderer instead of the process-wide shared one.
    pub shared_renderer: Option<Arc<Renderer>>,
    /// Use this asset store (a durable one from `easel-assets-db`, or one shared with other
    /// engines) instead of a new in-memory store.
    pub assets: Option<AssetStore>,
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("settings", &self.settings)
            .field("renderer", &self.renderer)
            .field("assets", &self.assets.as_ref().map(AssetStore::location))
            .finish()
    }
}

/// A renderer with the images uploaded to it, by decoded image. Uploads are dropped once
/// their decoded image has left the process cache and no export holds it, so GPU memory
/// follows the cache's budget.
pub(crate) struct RenderTarget {
    pub renderer: Arc<Renderer>,
    uploads: Mutex<HashMap<u64, (ImageHandle, Weak<DecodedImage>)>>,
}

impl RenderTarget {
    fn new(renderer: Arc<Renderer>) -> Arc<RenderTarget> {
        Arc::new(RenderTarget {
            renderer,
            uploads: Mutex::default(),
        })
    }

    /// The renderer's handle of a decoded image, uploading it once.
    pub fn upload(&self, image: &Arc<DecodedImage>) -> Result<ImageHandle> {
        let mut uploads = lock(&self.uploads);
        if let Some((handle, _)) = uploads.get(&image.id) {
            return Ok(*handle);
        }
        let handle = self.renderer.add_image(&image.pixels)?;
        uploads.insert(image.id, (handle, Arc::downgrade(image)));
        Ok(handle)
    }

    /// Frees the uploads whose decoded images are gone.
    pub fn forget_evicted(&self) {
        lock(&self.uploads).retain(|_, (handle, image)| {
            let alive = image.strong_count() > 0;
            if !alive {
                self.renderer.remove_image(*handle);
            }
            alive
        });
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

/// State shared by the engine's parts.
pub(crate) struct Shared {
    pub graph: Mutex<SceneGraph>,
    pub assets: AssetStore,
    pub resources: Resources,
    pub settings: RwLock<EditorSettings>,
    pub resolver: RwLock<Option<UriResolver>>,
    target: Mutex<Option<Arc<RenderTarget>>>,
    renderer_options: RendererOptions,
    /// Fonts and text layouts, created at the first text block.
    text: std::sync::OnceLock<Mutex<crate::text::TextEngine>>,
    /// Item buffers of rendered display lists, emptied, for the next exports to fill: a
    /// 10,000-graphic list is 2.5 MB that would otherwise be mapped and faulted in anew.
    spare_items: Mutex<Vec<Vec<easel_render::DisplayItem>>>,
}

/// Engines in one process share one renderer (one GPU device) while any of them holds it.
static PROCESS_TARGET: Mutex<Weak<RenderTarget>> = Mutex::new(Weak::new());

impl Shared {
    pub fn graph(&self) -> MutexGuard<'_, SceneGraph> {
        lock(&self.graph)
    }

    /// The scene graph with its layout up to date (cheap when nothing changed): for reads of
    /// computed properties such as `globalBoundingBox/*`.
    pub fn laid_out_graph(&self) -> MutexGuard<'_, SceneGraph> {
        let mut graph = lock(&self.graph);
        graph.layout();
        graph
    }

    /// An empty item buffer for a display list: one handed back by
    /// [`recycle_items`](Self::recycle_items) when there is one.
    pub fn item_buffer(&self) -> Vec<easel_render::DisplayItem> {
        lock(&self.spare_items).pop().unwrap_or_default()
    }

    /// Keeps a rendered list's item buffer (emptied) for the next export; one per core.
    pub fn recycle_items(&self, mut items: Vec<easel_render::DisplayItem>) {
        items.clear();
        let mut spare = lock(&self.spare_items);
        if spare.len() < std::thread::available_parallelism().map_or(1, |n| n.get()) {
            spare.push(items);
        }
    }

    /// The text engine. Lock order: the graph before this, never the other way round.
    pub fn text(&self) -> MutexGuard<'_, crate::text::TextEngine> {
        lock(self.text.get_or_init(Mutex::default))
    }

    /// The text engine if a text block ever needed it (starting it parses the shipped fonts).
    pub fn text_if_started(&self) -> Option<MutexGuard<'_, crate::text::TextEngine>> {
        self.text.get().map(lock)
    }

    pub fn settings(&self) -> EditorSettings {
        self.settings
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    pub fn resolver(&self) -> Option<UriResolver> {
        self.resolver
            .read()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }

    /// The renderer with its uploads, created at first use.
    pub fn render_target(&self) -> Result<Arc<RenderTarget>> {
        let mut slot = lock(&self.target);
        if let Some(t) = slot.as_ref() {
            return Ok(t.clone());
        }
        let shareable = self.renderer_options == RendererOptions::default();
        let mut global = lock(&PROCESS_TARGET);
        let target = match global.upgrade() {
            Some(t) if shareable => t,
            _ => {
                let t = RenderTarget::new(Arc::new(Renderer::new(self.renderer_options.clone())?));
                if shareable {
                    *global = Arc::downgrade(&t);
                }
                t
            }
        };
        *slot = Some(target.clone());
        Ok(target)
    }

    /// The renderer, created at first use.
    pub fn renderer(&self) -> Result<Arc<Renderer>> {
        Ok(self.render_target()?.renderer.clone())
    }

    /// Drops the renderer after a device loss so the next export builds a fresh one.
    pub fn discard_renderer(&self) {
        if let Some(t) = lock(&self.target).take() {
            let mut global = lock(&PROCESS_TARGET);
            if global.upgrade().is_some_and(|g| Arc::ptr_eq(&g, &t)) {
                *global = Weak::new();
            }
        }
    }

    pub fn current_renderer(&self) -> Option<Arc<Renderer>> {
        lock(&self.target).as_ref().map(|t| t.renderer.clone())
    }
}

/// One headless creative engine: a scene, asset sources, resources and export.
///
/// Cheap to create (no GPU work until the first export), `Send + Sync`; run many engines on
/// separate threads of a render server. Dropping it frees everything (the guide's `dispose`).
///
/// ```
/// use easel::{Engine, AssetDefinition, AssetQuery, LocalSourceOptions};
///
/// let engine = Engine::new(Default::default());
/// engine.asset.add_local_source("uploads", LocalSourceOptions::default())?;
/// engine.asset.add_asset_to_source("uploads", AssetDefinition::new("a").with_label("en", "Sample"))?;
/// let found = engine.asset.find_assets("uploads", &AssetQuery::default())?;
/// assert_eq!(found.total, 1);
/// # Ok::<(), easel::Error>(())
/// ```
pub struct Engine {
    /// Asset sources, search, events and applying assets to the scene.
    pub asset: AssetApi,
    /// Blocks: creation, properties, hierarchy, export.
    pub block: BlockApi,
    /// The scene: creation, pages, layout, save/load.
    pub scene: SceneApi,
    /// Settings, buffers and the URI resolver.
    pub editor: EditorApi,
    /// Block events.
    pub event: EventApi,
}

impl std::fmt::Debug for Engine {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Engine").finish_non_exhaustive()
    }
}

impl Engine {
    /// Creates an engine. Does no I/O and touches no GPU.
    pub fn new(config: EngineConfig) -> Engine {
        let shared = Arc::new(Shared {
            graph: Mutex::new(SceneGraph::new()),
            assets: config.assets.unwrap_or_default(),
            resources: Resources::default(),
            settings: RwLock::new(config.settings),
            resolver: RwLock::new(None),
            target: Mutex::new(config.shared_renderer.map(RenderTarget::new)),
            renderer_options: config.renderer,
            text: std::sync::OnceLock::new(),
            spare_items: Mutex::default(),
        });
        Engine {
            asset: AssetApi {
                shared: shared.clone(),
            },
            block: BlockApi {
                shared: shared.clone(),
            },
            scene: SceneApi {
                shared: shared.clone(),
            },
            editor: EditorApi {
                shared: shared.clone(),
            },
            event: EventApi { shared },
        }
    }

    /// Starts the renderer now instead of at the first export, and reports its adapter.
    pub fn init_renderer(&self) -> Result<easel_render::AdapterSummary> {
        Ok(self.block.shared.renderer()?.adapter().clone())
    }

    /// The renderer this engine exports with, started now if needed (for its adapter, its
    /// stats, or to share it with another engine through [`EngineConfig::shared_renderer`]).
    pub fn renderer(&self) -> Result<Arc<Renderer>> {
        self.block.shared.renderer()
    }

    /// The renderer's adapter, if the renderer has started.
    pub fn adapter(&self) -> Option<easel_render::AdapterSummary> {
        self.block
            .shared
            .current_renderer()
            .map(|r| r.adapter().clone())
    }

    /// Frees everything (same as dropping the engine).
    pub fn dispose(self) {}
}
