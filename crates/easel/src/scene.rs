//! `engine.scene`: the current scene.

use crate::Result;
use crate::engine::Shared;
use easel_scene::{BlockId, CreatedScene, SceneLayout};
use std::sync::Arc;

/// `engine.scene`: create, inspect, save and load the scene.
#[derive(Clone)]
pub struct SceneApi {
    pub(crate) shared: Arc<Shared>,
}

impl SceneApi {
    /// Creates a scene (scene → stack → one white page of `page_size`, default 100×100),
    /// replacing any earlier scene.
    pub fn create(
        &self,
        layout: SceneLayout,
        page_size: Option<(f32, f32)>,
    ) -> Result<CreatedScene> {
        Ok(self.shared.graph().create_scene(layout, page_size)?)
    }

    /// The current scene block.
    pub fn get(&self) -> Option<BlockId> {
        self.shared.graph().scene()
    }

    /// The pages in order.
    pub fn pages(&self) -> Result<Vec<BlockId>> {
        Ok(self.shared.graph().pages()?)
    }

    /// The first page — where `asset.apply` puts new blocks.
    pub fn current_page(&self) -> Result<Option<BlockId>> {
        Ok(self.pages()?.first().copied())
    }

    /// The layout.
    pub fn layout(&self) -> Result<SceneLayout> {
        Ok(self.shared.graph().scene_layout()?)
    }

    /// Changes the layout.
    pub fn set_layout(&self, layout: SceneLayout) -> Result<()> {
        Ok(self.shared.graph().set_scene_layout(layout)?)
    }

    /// Saves the scene as versioned JSON.
    pub fn save_to_string(&self) -> Result<String> {
        Ok(self.shared.graph().save_to_string()?)
    }

    /// Loads a scene, replacing the current one: Easel's own JSON (`save_to_string`) or a
    /// scene string saved by CE.SDK (`UBQ1…`, detected by its prefix). Components of a
    /// CE.SDK scene that Easel does not draw are dropped; see
    /// [`Self::load_from_string_with_options`] for the report or a strict load. On any error
    /// the current scene is left as it was.
    pub fn load_from_string(&self, s: &str) -> Result<BlockId> {
        Ok(self
            .load_from_string_with_options(s, easel_scene::LoadOptions::default())?
            .0)
    }

    /// Loads a scene archive saved by CE.SDK (`saveToArchive`: a zip with `scene.scene` and
    /// its images and fonts). The files are registered as this engine's buffers, so the
    /// scene renders without a network. The archive is read within the editor settings'
    /// download limit; entries named to leave it (`../x`) are refused.
    pub fn load_from_archive(
        &self,
        bytes: &[u8],
        options: easel_scene::LoadOptions,
    ) -> Result<(BlockId, easel_scene::LoadReport)> {
        crate::archive::load(&self.shared, bytes, options)
    }

    /// Loads a scene from a URI through the resource loader (its schemes, limits and host
    /// policy): a zip archive, a CE.SDK scene string or Easel's JSON, by content. A CE.SDK
    /// scene's `{{scene_root}}` becomes the URI's folder.
    pub fn load_from_url(
        &self,
        uri: &str,
        options: easel_scene::LoadOptions,
    ) -> Result<(BlockId, easel_scene::LoadReport)> {
        let settings = self.shared.settings();
        let bytes = self
            .shared
            .resources
            .fetch(uri, &settings, self.shared.resolver().as_ref())?;
        if bytes.starts_with(b"PK\x03\x04") {
            return self.load_from_archive(&bytes, options);
        }
        let text = std::str::from_utf8(&bytes).map_err(|_| {
            easel_scene::Error::ForeignScene(format!("{uri} is neither a zip archive nor text"))
        })?;
        if easel_scene::is_cesdk(text) {
            let folder = uri.rsplit_once('/').map_or("", |(f, _)| f);
            let scene = crate::archive::with_scene_root(text, folder)?;
            return self.load_from_string_with_options(&scene, options);
        }
        self.load_from_string_with_options(text, options)
    }

    /// Like [`Self::load_from_string`], returning what a CE.SDK scene lost in the load
    /// (empty for Easel's own files); with `strict`, any loss is an error instead.
    pub fn load_from_string_with_options(
        &self,
        s: &str,
        options: easel_scene::LoadOptions,
    ) -> Result<(BlockId, easel_scene::LoadReport)> {
        let mut graph = self.shared.graph();
        if easel_scene::is_cesdk(s) {
            Ok(graph.load_cesdk_from_string(s, options)?)
        } else {
            Ok((
                graph.load_from_string(s)?,
                easel_scene::LoadReport::default(),
            ))
        }
    }
}
