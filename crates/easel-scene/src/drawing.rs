//! Which blocks an export draws, in paint order, with what opacity, and which runs of them
//! composite as one layer.

use crate::{BlendMode, BlockId, BlockType, PropertyValue, Result, SceneGraph, keys};
use std::ops::Range;

/// A page, graphic or text that an export of some root draws.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DrawnBlock {
    /// The block.
    pub id: BlockId,
    /// The opacity its own drawing carries: its own times that of every ancestor up to the
    /// exported root, except those whose opacity a [`DrawnLayer`] applies.
    pub opacity: f32,
}

/// A run of drawn blocks that composites as one picture: a block with a blend mode, or a
/// block with drawn descendants below full opacity (a group at 60% shows its overlapping
/// children as one image at 60%, as the reference engine draws it).
#[derive(Clone, Debug, PartialEq)]
pub struct DrawnLayer {
    /// The block whose layer it is (a group, or a graphic and the graphics it holds).
    pub block: BlockId,
    /// The layer's opacity (the block's own, with the inherited part).
    pub opacity: f32,
    /// How the layer combines with what lies under it; `Normal` where the block passes
    /// through.
    pub blend: BlendMode,
    /// The layer's blocks: `blocks[start..end]` of the [`DrawOrder`].
    pub blocks: Range<usize>,
}

/// What an export draws: blocks in paint order and the layers over runs of them (nested:
/// a layer's range holds those of the layers inside it).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DrawOrder {
    /// Drawn blocks, first drawn first.
    pub blocks: Vec<DrawnBlock>,
    /// Layers, outer ones before the layers they hold.
    pub layers: Vec<DrawnLayer>,
}

impl SceneGraph {
    /// The visible pages, graphics and texts under `root` (itself included) in paint order, each
    /// with its inherited opacity. A block is skipped with its whole subtree when it is
    /// hidden (`visible`) or excluded from export (`includedInExport`). Group opacity is
    /// folded into each block here; [`draw_order`](Self::draw_order) keeps it as layers.
    pub fn drawn_blocks(&self, root: BlockId) -> Result<Vec<DrawnBlock>> {
        let order = self.draw_order(root)?;
        let mut blocks = order.blocks;
        for layer in &order.layers {
            for b in &mut blocks[layer.blocks.clone()] {
                b.opacity *= layer.opacity;
            }
        }
        Ok(blocks)
    }

    /// What an export of `root` draws: [`drawn_blocks`](Self::drawn_blocks) in paint order,
    /// with a [`DrawnLayer`] for every block that has a blend mode other than
    /// `Normal`/`PassThrough` (not the root: nothing of the export lies under it), and for
    /// every block below full opacity whose children are drawn too.
    pub fn draw_order(&self, root: BlockId) -> Result<DrawOrder> {
        enum Step {
            Enter(BlockId, f32),
            /// Ends the layer at this index of `layers`.
            Close(usize),
        }
        let mut order = DrawOrder::default();
        // Depth-first in child order, without recursion: designs may nest deeply.
        let mut pending = vec![Step::Enter(root, 1.0)];
        while let Some(step) = pending.pop() {
            let (id, inherited) = match step {
                Step::Enter(id, inherited) => (id, inherited),
                Step::Close(layer) => {
                    if let Some(l) = order.layers.get_mut(layer) {
                        l.blocks.end = order.blocks.len();
                    }
                    continue;
                }
            };
            let ty = self.block_type(id)?;
            let element = matches!(
                ty,
                BlockType::Page | BlockType::Graphic | BlockType::Group | BlockType::Text
            );
            let children = &self.block(id)?.children;
            if !element {
                pending.extend(children.iter().rev().map(|c| Step::Enter(*c, inherited)));
                continue;
            }
            if !(self.get_bool(id, keys::VISIBLE)?
                && self.get_bool(id, keys::INCLUDED_IN_EXPORT)?)
            {
                continue;
            }
            let opacity = inherited * self.get_float(id, keys::OPACITY)?;
            // Read in place: exports ask this of every block, and nearly all blend normally.
            let blend = match self.stored_property(id, keys::BLEND_MODE)? {
                _ if id == root => BlendMode::Normal,
                Some(PropertyValue::Enum(m)) if m != "Normal" && m != "PassThrough" => {
                    BlendMode::parse(m).unwrap_or_default()
                }
                _ => BlendMode::Normal,
            };
            let layered = !blend.is_normal() || (opacity < 1.0 && !children.is_empty());
            let inside = if layered {
                pending.push(Step::Close(order.layers.len()));
                order.layers.push(DrawnLayer {
                    block: id,
                    opacity,
                    blend,
                    blocks: order.blocks.len()..order.blocks.len(),
                });
                1.0
            } else {
                opacity
            };
            if ty != BlockType::Group {
                order.blocks.push(DrawnBlock {
                    id,
                    opacity: inside,
                });
            }
            pending.extend(children.iter().rev().map(|c| Step::Enter(*c, inside)));
        }
        Ok(order)
    }
}
