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

    /// Loads a scene saved by `save_to_string`, replacing the current one.
    pub fn load_from_string(&self, json: &str) -> Result<BlockId> {
        Ok(self.shared.graph().load_from_string(json)?)
    }
}
