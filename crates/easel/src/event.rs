//! `engine.event`: block events.

use crate::engine::Shared;
use crossbeam_channel::Receiver;
use easel_scene::{BlockEvent, BlockId};
use std::sync::Arc;

/// `engine.event`: subscribe to block events.
#[derive(Clone)]
pub struct EventApi {
    pub(crate) shared: Arc<Shared>,
}

impl EventApi {
    /// Created / Updated / Destroyed events in the order they happen, for the listed blocks
    /// (all blocks when empty). Dropping the receiver unsubscribes.
    pub fn subscribe(&self, blocks: &[BlockId]) -> Receiver<BlockEvent> {
        self.shared.graph().subscribe(blocks)
    }
}
