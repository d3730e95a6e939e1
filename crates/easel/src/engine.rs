//! The engine: shared state behind the `asset`, `block`, `scene`, `editor` and `event` parts.

use crate::Result;
use crate::asset::AssetApi;
use crate::block::BlockApi;
use crate::editor::{EditorApi, EditorSettings, UriResolver};
use crate::event::EventApi;
use crate::resources::Resources;
use crate::scene::SceneApi;
use easel_assets::AssetStore;
use easel_render::{Renderer, RendererOptions};
use easel_scene::SceneGraph;
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
}

impl std::fmt::Debug for EngineConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("EngineConfig")
            .field("settings", &self.settings)
            .field("renderer", &self.renderer)
            .finish()
    }
}

/// State shared by the engine's parts.
pub(crate) struct Shared {
    pub graph: Mutex<SceneGraph>,
    pub assets: AssetStore,
    pub resources: Resources,
    pub settings: RwLock<EditorSettings>,
    pub resolver: RwLock<Option<UriResolver>>,
    renderer: Mutex<Option<Arc<Renderer>>>,
    renderer_options: RendererOptions,
}

/// Engines in one process share one renderer (one GPU device) while any of them holds it.
static PROCESS_RENDERER: Mutex<Weak<Renderer>> = Mutex::new(Weak::new());

impl Shared {
    pub fn graph(&self) -> MutexGuard<'_, SceneGraph> {
        self.graph.lock().unwrap_or_else(|p| p.into_inner())
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

    /// The renderer, created at first use.
    pub fn renderer(&self) -> Result<Arc<Renderer>> {
        let mut slot = self.renderer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = slot.as_ref() {
            return Ok(r.clone());
        }
        let mut global = PROCESS_RENDERER.lock().unwrap_or_else(|p| p.into_inner());
        let renderer = match global.upgrade() {
            Some(r) if self.renderer_options == RendererOptions::default() => r,
            _ => {
                let r = Arc::new(Renderer::new(self.renderer_options.clone())?);
                if self.renderer_options == RendererOptions::default() {
                    *global = Arc::downgrade(&r);
                }
                r
            }
        };
        *slot = Some(renderer.clone());
        Ok(renderer)
    }

    /// Drops the renderer after a device loss so the next export builds a fresh one.
    pub fn discard_renderer(&self) {
        let mut slot = self.renderer.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(r) = slot.take() {
            let mut global = PROCESS_RENDERER.lock().unwrap_or_else(|p| p.into_inner());
            if global.upgrade().is_some_and(|g| Arc::ptr_eq(&g, &r)) {
                *global = Weak::new();
            }
        }
    }

    pub fn current_renderer(&self) -> Option<Arc<Renderer>> {
        self.renderer
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .clone()
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        if let Some(r) = self.current_renderer() {
            self.resources.release_gpu(&r);
        }
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
            assets: AssetStore::new(),
            resources: Resources::default(),
            settings: RwLock::new(config.settings),
            resolver: RwLock::new(None),
            renderer: Mutex::new(config.shared_renderer),
            renderer_options: config.renderer,
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
