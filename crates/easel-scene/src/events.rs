//! Block events delivered on crossbeam channels.

use crate::{BlockId, SceneGraph};
use crossbeam_channel::{Receiver, Sender};
use std::collections::HashSet;

/// What happened to a block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum BlockEventKind {
    /// The block was created.
    Created,
    /// A property, child list, shape, fill or other data of the block changed.
    Updated,
    /// The block was destroyed.
    Destroyed,
}

/// One change to one block.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct BlockEvent {
    /// What happened.
    pub kind: BlockEventKind,
    /// To which block.
    pub block: BlockId,
}

#[derive(Debug)]
struct Subscriber {
    blocks: Option<HashSet<BlockId>>,
    sender: Sender<BlockEvent>,
}

#[derive(Debug, Default)]
pub(crate) struct EventHub {
    subscribers: Vec<Subscriber>,
}

impl EventHub {
    pub fn send(&mut self, event: BlockEvent) {
        if self.subscribers.is_empty() {
            return;
        }
        // A dropped receiver makes send fail: prune it.
        self.subscribers.retain(|s| {
            let wanted = s.blocks.as_ref().is_none_or(|b| b.contains(&event.block));
            !wanted || s.sender.send(event).is_ok()
        });
    }
}

impl SceneGraph {
    /// Subscribes to block events in the order the changes happen. With an empty `blocks`,
    /// every block's events arrive; otherwise only those of the listed blocks. Dropping the
    /// receiver ends the subscription.
    ///
    /// ```
    /// use easel_scene::{SceneGraph, BlockEventKind};
    /// let mut graph = SceneGraph::new();
    /// let events = graph.subscribe(&[]);
    /// let block = graph.create("graphic")?;
    /// assert_eq!(events.try_recv().unwrap().kind, BlockEventKind::Created);
    /// # Ok::<(), easel_scene::Error>(())
    /// ```
    pub fn subscribe(&mut self, blocks: &[BlockId]) -> Receiver<BlockEvent> {
        let (sender, receiver) = crossbeam_channel::unbounded();
        self.events.subscribers.push(Subscriber {
            blocks: (!blocks.is_empty()).then(|| blocks.iter().copied().collect()),
            sender,
        });
        receiver
    }
}
