//! Which blocks an export draws, in paint order, and with what inherited opacity.

use crate::{BlockId, BlockType, Result, SceneGraph, keys};

/// A page or graphic that an export of some root draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DrawnBlock {
    /// The block.
    pub id: BlockId,
    /// Its opacity times that of every ancestor up to the exported root.
    pub opacity: f32,
}

impl SceneGraph {
    /// The visible pages, graphics and texts under `root` (itself included) in paint order, each
    /// with its inherited opacity. A block is skipped with its whole subtree when it is
    /// hidden (`visible`) or excluded from export (`includedInExport`).
    pub fn drawn_blocks(&self, root: BlockId) -> Result<Vec<DrawnBlock>> {
        let mut out = Vec::new();
        // Depth-first in child order, without recursion: designs may nest deeply.
        let mut pending = vec![(root, 1.0f32)];
        while let Some((id, inherited)) = pending.pop() {
            let ty = self.block_type(id)?;
            let element = matches!(
                ty,
                BlockType::Page | BlockType::Graphic | BlockType::Group | BlockType::Text
            );
            if element
                && !(self.get_bool(id, keys::VISIBLE)?
                    && self.get_bool(id, keys::INCLUDED_IN_EXPORT)?)
            {
                continue;
            }
            let opacity = if element {
                inherited * self.get_float(id, keys::OPACITY)?
            } else {
                inherited
            };
            if matches!(ty, BlockType::Page | BlockType::Graphic | BlockType::Text) {
                out.push(DrawnBlock { id, opacity });
            }
            let children = &self.block(id)?.children;
            pending.extend(children.iter().rev().map(|c| (*c, opacity)));
        }
        Ok(out)
    }
}
