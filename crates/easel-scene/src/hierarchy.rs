//! Parent/child structure: append, insert, destroy, duplicate and queries.

use crate::{BlockEventKind, BlockId, BlockType, Error, Result, SceneGraph};

pub(crate) fn allowed(parent: BlockType, child: BlockType) -> bool {
    use BlockType::*;
    matches!(
        (parent, child),
        (Scene, Stack | Page | Graphic | Group | Text)
            | (Stack, Page)
            | (Page, Graphic | Group | Text)
            | (Group, Graphic | Group | Text)
            // A graphic may hold blocks, placed relative to it and drawn after its own
            // fill, unclipped (as the reference engine does).
            | (Graphic, Graphic | Group | Text)
    )
}

impl SceneGraph {
    /// The parent, if the block is attached.
    pub fn parent(&self, id: BlockId) -> Result<Option<BlockId>> {
        Ok(self.block(id)?.parent)
    }

    /// The children in z-order (first is drawn first).
    pub fn children(&self, id: BlockId) -> Result<Vec<BlockId>> {
        Ok(self.block(id)?.children.clone())
    }

    /// Appends `child` as the last (topmost) child of `parent`, detaching it from any earlier
    /// parent.
    pub fn append_child(&mut self, parent: BlockId, child: BlockId) -> Result<()> {
        let len = self.block(parent)?.children.len();
        let len = if self.block(child)?.parent == Some(parent) {
            len - 1
        } else {
            len
        };
        self.insert_child(parent, child, len)
    }

    /// Inserts `child` at `index` among `parent`'s children (0 is the bottom), detaching it
    /// from any earlier parent. The index is taken after the detach.
    pub fn insert_child(&mut self, parent: BlockId, child: BlockId, index: usize) -> Result<()> {
        let parent_ty = self.block(parent)?.ty;
        let child_ty = self.block(child)?.ty;
        if !allowed(parent_ty, child_ty) {
            return Err(Error::InvalidHierarchy {
                parent,
                parent_type: parent_ty.long_name(),
                child,
                child_type: child_ty.long_name(),
            });
        }
        let mut cursor = Some(parent);
        let mut parent_depth = 0;
        while let Some(c) = cursor {
            if c == child {
                return Err(Error::Cycle { parent, child });
            }
            parent_depth += 1;
            cursor = self.block(c)?.parent;
        }
        let depth = parent_depth + self.subtree_height(child)?;
        if depth > crate::MAX_DEPTH {
            return Err(Error::TooDeep {
                parent,
                child,
                depth,
                max: crate::MAX_DEPTH,
            });
        }
        let old_parent = self.block(child)?.parent;
        let len_after_detach =
            self.block(parent)?.children.len() - usize::from(old_parent == Some(parent));
        if index > len_after_detach {
            return Err(Error::IndexOutOfRange {
                parent,
                index,
                len: len_after_detach,
            });
        }
        if let Some(old) = old_parent {
            self.block_mut(old)?.children.retain(|c| *c != child);
            if old != parent {
                self.touched(old);
            }
        }
        self.block_mut(parent)?.children.insert(index, child);
        self.block_mut(child)?.parent = Some(parent);
        self.touched(parent);
        self.touched(child);
        Ok(())
    }

    /// How many levels the subtree under `id` spans (1 for a block without children),
    /// counted without recursion.
    fn subtree_height(&self, id: BlockId) -> Result<usize> {
        let mut height = 0;
        let mut pending = vec![(id, 1)];
        while let Some((b, d)) = pending.pop() {
            height = height.max(d);
            pending.extend(self.block(b)?.children.iter().map(|c| (*c, d + 1)));
        }
        Ok(height)
    }

    /// Detaches a block from its parent without destroying it.
    pub fn detach(&mut self, id: BlockId) -> Result<()> {
        if let Some(parent) = self.block(id)?.parent {
            self.block_mut(parent)?.children.retain(|c| *c != id);
            self.block_mut(id)?.parent = None;
            self.touched(parent);
            self.touched(id);
        }
        Ok(())
    }

    /// Destroys a block, its children (recursively) and the shape and fill it owns. Ids of
    /// destroyed blocks become invalid for good.
    pub fn destroy(&mut self, id: BlockId) -> Result<()> {
        let block = self.block(id)?;
        let parent = block.parent;
        let owner = block.owner;
        if let Some(p) = parent {
            self.block_mut(p)?.children.retain(|c| *c != id);
            self.touched(p);
        }
        if let Some(o) = owner
            && let Ok(ob) = self.block_mut(o)
        {
            if ob.shape == Some(id) {
                ob.shape = None;
            }
            if ob.fill == Some(id) {
                ob.fill = None;
            }
            self.touched(o);
        }
        if self.scene == Some(id) {
            self.scene = None;
        }
        let mut stack = vec![id];
        while let Some(next) = stack.pop() {
            if let Ok(b) = self.block(next) {
                stack.extend(b.children.iter().copied());
                stack.extend(b.shape);
                stack.extend(b.fill);
            }
            self.remove_slot(next);
        }
        Ok(())
    }

    /// Deep-copies a block with its children, shape and fill. The copy is placed right after
    /// the original in the same parent (or left unattached if the original has none).
    pub fn duplicate(&mut self, id: BlockId) -> Result<BlockId> {
        let copy = self.copy_tree(id, None)?;
        if let Some(parent) = self.block(id)?.parent {
            let index = self
                .block(parent)?
                .children
                .iter()
                .position(|c| *c == id)
                .map_or(0, |i| i + 1);
            self.insert_child(parent, copy, index)?;
        }
        Ok(copy)
    }

    /// Copies a subtree without recursion: each block with its own shape and fill, then
    /// its children in order.
    fn copy_tree(&mut self, root: BlockId, owner: Option<BlockId>) -> Result<BlockId> {
        let mut root_copy = None;
        let mut pending: Vec<(BlockId, Option<BlockId>)> = vec![(root, None)];
        while let Some((id, parent_copy)) = pending.pop() {
            let copy = self.copy_one(id, if parent_copy.is_none() { owner } else { None })?;
            let original = self.block(id)?;
            let (shape, fill) = (original.shape, original.fill);
            let children = original.children.clone();
            if let Some(shape) = shape {
                let s = self.copy_one(shape, Some(copy))?;
                self.block_mut(copy)?.shape = Some(s);
            }
            if let Some(fill) = fill {
                let f = self.copy_one(fill, Some(copy))?;
                self.block_mut(copy)?.fill = Some(f);
            }
            match parent_copy {
                Some(p) => {
                    self.block_mut(copy)?.parent = Some(p);
                    self.block_mut(p)?.children.push(copy);
                }
                None => root_copy = Some(copy),
            }
            pending.extend(children.into_iter().rev().map(|c| (c, Some(copy))));
        }
        root_copy.ok_or(Error::UnknownBlock(root))
    }

    /// A copy of one block's own data, detached, without children, shape or fill.
    fn copy_one(&mut self, id: BlockId, owner: Option<BlockId>) -> Result<BlockId> {
        let mut block = self.block(id)?.clone();
        block.parent = None;
        block.owner = owner;
        block.children.clear();
        block.shape = None;
        block.fill = None;
        block.uuid = crate::id::new_uuid();
        Ok(self.insert(block))
    }

    /// Every live block with its id, in slot order.
    fn live_blocks(&self) -> impl Iterator<Item = (BlockId, &crate::graph::Block)> {
        self.slots.iter().enumerate().filter_map(|(i, s)| {
            let id = BlockId {
                index: i as u32,
                generation: s.generation,
            };
            s.block.as_ref().map(|b| (id, b))
        })
    }

    /// Every live block, in slot order.
    pub fn find_all(&self) -> Vec<BlockId> {
        self.live_blocks().map(|(id, _)| id).collect()
    }

    /// Every live block of a type (`page`, `graphic`, `//ly.img.ubq/shape/rect`, …).
    pub fn find_by_type(&self, type_name: &str) -> Result<Vec<BlockId>> {
        let ty = BlockType::parse(type_name)
            .or_else(|_| BlockType::parse_shape(type_name).map(BlockType::Shape))
            .or_else(|_| BlockType::parse_fill(type_name).map(BlockType::Fill))?;
        Ok(self
            .live_blocks()
            .filter(|(_, b)| b.ty == ty)
            .map(|(id, _)| id)
            .collect())
    }

    /// Every live block whose name equals `name`.
    pub fn find_by_name(&self, name: &str) -> Vec<BlockId> {
        self.find_all()
            .into_iter()
            .filter(|id| self.name(*id).is_ok_and(|n| n == name))
            .collect()
    }

    pub(crate) fn set_owned(
        &mut self,
        owner: BlockId,
        part: BlockId,
        is_shape: bool,
    ) -> Result<Option<BlockId>> {
        if let Some(o) = self.block(part)?.owner
            && o != owner
        {
            return Err(Error::AlreadyOwned {
                block: part,
                owner: o,
            });
        }
        let b = self.block_mut(owner)?;
        let old = if is_shape {
            b.shape.replace(part)
        } else {
            b.fill.replace(part)
        };
        if let Some(old) = old
            && old != part
            && let Ok(ob) = self.block_mut(old)
        {
            ob.owner = None;
        }
        self.block_mut(part)?.owner = Some(owner);
        self.emit(BlockEventKind::Updated, owner);
        self.layout_dirty = true;
        Ok(old.filter(|o| *o != part))
    }
}
