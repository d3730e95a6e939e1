use serde::{Deserialize, Serialize};
use std::fmt;

/// A generational handle to a block.
///
/// The index is reused after a block is destroyed, but the generation is not, so a stale id
/// never aliases a newer block: using it yields [`crate::Error::UnknownBlock`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlockId {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl BlockId {
    /// The slot index of this block (stable for the block's lifetime).
    pub fn index(self) -> u32 {
        self.index
    }

    /// The generation of the slot when this block was created.
    pub fn generation(self) -> u32 {
        self.generation
    }
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}v{}", self.index, self.generation)
    }
}
