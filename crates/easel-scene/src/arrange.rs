//! Arranging siblings: z-order moves, grouping and ungrouping, with the reference engine's
//! semantics (measured against CE.SDK 1.79; see `tests/conformance/render/arrange.md`).

use crate::{BlockId, BlockType, Error, Result, SceneGraph, Transform, keys};

/// The block types `group` accepts.
fn groupable(ty: BlockType) -> bool {
    matches!(ty, BlockType::Graphic | BlockType::Group | BlockType::Text)
}

impl SceneGraph {
    fn sibling_index(&self, id: BlockId) -> Result<(BlockId, usize, usize)> {
        let parent = self.block(id)?.parent.ok_or_else(|| Error::InvalidValue {
            key: "parent".into(),
            value: id.to_string(),
            reason: "the block has no parent to order it in".into(),
        })?;
        let siblings = &self.block(parent)?.children;
        let index = siblings.iter().position(|c| *c == id).unwrap_or(0);
        Ok((parent, index, siblings.len()))
    }

    /// Global coordinates → `id`'s own (after [`layout`](Self::layout)).
    fn global_to_local(&self, id: BlockId) -> Result<Transform> {
        Ok(self
            .frame(id)?
            .transform
            .invert()
            .unwrap_or(Transform::IDENTITY))
    }

    /// Moves `id` above all its siblings (drawn last).
    pub fn bring_to_front(&mut self, id: BlockId) -> Result<()> {
        let (parent, _, len) = self.sibling_index(id)?;
        self.insert_child(parent, id, len - 1)
    }

    /// Moves `id` below all its siblings (drawn first).
    pub fn send_to_back(&mut self, id: BlockId) -> Result<()> {
        let (parent, _, _) = self.sibling_index(id)?;
        self.insert_child(parent, id, 0)
    }

    /// Moves `id` one step up among its siblings (nothing when it is on top).
    pub fn bring_forward(&mut self, id: BlockId) -> Result<()> {
        let (parent, index, len) = self.sibling_index(id)?;
        self.insert_child(parent, id, (index + 1).min(len - 1))
    }

    /// Moves `id` one step down among its siblings (nothing when it is at the bottom).
    pub fn send_backward(&mut self, id: BlockId) -> Result<()> {
        let (parent, index, _) = self.sibling_index(id)?;
        self.insert_child(parent, id, index.saturating_sub(1))
    }

    /// Whether [`group`](Self::group) would accept `ids`: at least one block, each a
    /// graphic, text or group with the same parent, none inside a group already.
    pub fn is_groupable(&self, ids: &[BlockId]) -> bool {
        self.group_parent(ids).is_ok()
    }

    fn group_parent(&self, ids: &[BlockId]) -> Result<BlockId> {
        let refuse = |block: BlockId, reason: String| Error::NotGroupable { block, reason };
        let first = *ids.first().ok_or_else(|| Error::InvalidValue {
            key: "ids".into(),
            value: "[]".into(),
            reason: "grouping needs at least one block".into(),
        })?;
        let parent = self.block(first)?.parent;
        for &id in ids {
            let block = self.block(id)?;
            if !groupable(block.ty) {
                return Err(refuse(
                    id,
                    format!("{} blocks cannot be grouped", block.ty.long_name()),
                ));
            }
            if block.parent != parent {
                return Err(refuse(
                    id,
                    format!(
                        "its parent {:?} differs from {first}'s {parent:?}: group siblings",
                        block.parent
                    ),
                ));
            }
            if ids.iter().filter(|i| **i == id).count() > 1 {
                return Err(refuse(id, "it is listed twice".into()));
            }
        }
        let parent = parent.ok_or_else(|| refuse(first, "it has no parent".into()))?;
        if self.block(parent)?.ty == BlockType::Group {
            return Err(refuse(
                first,
                format!("it is already part of group {parent}"),
            ));
        }
        Ok(parent)
    }

    /// Groups sibling blocks: a new group takes the place of the topmost of them in z-order,
    /// sized to their joint bounding box, and holds them in their order. Nothing moves on
    /// the canvas. Returns the group.
    pub fn group(&mut self, ids: &[BlockId]) -> Result<BlockId> {
        let parent = self.group_parent(ids)?;
        self.layout();
        let siblings = self.block(parent)?.children.clone();
        let mut members: Vec<(usize, BlockId)> = ids
            .iter()
            .map(|id| (siblings.iter().position(|c| c == id).unwrap_or(0), *id))
            .collect();
        members.sort_unstable();
        // The members' bounds in the parent's coordinates.
        let to_parent = self.global_to_local(parent)?;
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for (_, id) in &members {
            let f = self.frame(*id)?;
            let t = f.transform.then(to_parent);
            let (a, b, c, d) = t.bounds_of_box(f.width, f.height);
            (x0, y0, x1, y1) = (x0.min(a), y0.min(b), x1.max(c), y1.max(d));
        }
        let group = self.create_typed(BlockType::Group);
        self.set_float(group, keys::POSITION_X, x0)?;
        self.set_float(group, keys::POSITION_Y, y0)?;
        self.set_float(group, keys::WIDTH, x1 - x0)?;
        self.set_float(group, keys::HEIGHT, y1 - y0)?;
        for (_, id) in &members {
            let x = self.get_float(*id, keys::POSITION_X)?;
            let y = self.get_float(*id, keys::POSITION_Y)?;
            self.append_child(group, *id)?;
            self.set_float(*id, keys::POSITION_X, x - x0)?;
            self.set_float(*id, keys::POSITION_Y, y - y0)?;
        }
        // Where the topmost member was, now that the others have left.
        let top = members.last().map_or(0, |m| m.0) + 1 - members.len();
        self.insert_child(parent, group, top)?;
        Ok(group)
    }

    /// Dissolves a group: its children take its place in its parent, in their order, where
    /// they were on the canvas (the group's rotation folded into theirs), and the group is
    /// destroyed. The group's opacity and blend mode are not carried over, as in the
    /// reference engine. Returns the former children.
    pub fn ungroup(&mut self, group: BlockId) -> Result<Vec<BlockId>> {
        let block = self.block(group)?;
        if block.ty != BlockType::Group {
            return Err(Error::WrongBlockKind {
                block: group,
                expected: "a group".into(),
                found: block.ty.long_name(),
            });
        }
        let children = block.children.clone();
        let (parent, index, _) = self.sibling_index(group)?;
        self.layout();
        let to_parent = self.global_to_local(parent)?;
        for (i, child) in children.iter().enumerate() {
            let f = self.frame(*child)?;
            let local = f.transform.then(to_parent);
            let [a, b, ..] = local.0;
            let (cx, cy) = local.apply(f.width / 2.0, f.height / 2.0);
            // A horizontally flipped box's x axis points backwards.
            let rotation = if self.get_bool(*child, keys::FLIP_HORIZONTAL)? {
                (-b).atan2(-a)
            } else {
                b.atan2(a)
            };
            self.insert_child(parent, *child, index + 1 + i)?;
            self.set_float(*child, keys::ROTATION, rotation)?;
            self.set_float(*child, keys::POSITION_X, cx - f.width / 2.0)?;
            self.set_float(*child, keys::POSITION_Y, cy - f.height / 2.0)?;
        }
        self.destroy(group)?;
        Ok(children)
    }
}

/// What a block of each type supports, and its kind, as the reference engine answers.
impl SceneGraph {
    /// The block's kind: what `set_kind` gave it, else its type's (`page`, `group`, `text`,
    /// `scene`, `stack`; a graphic's is empty). Shapes and fills have none.
    pub fn kind(&self, id: BlockId) -> Result<String> {
        let block = self.block(id)?;
        if !block.ty.is_design_block() {
            return Err(self.no_kind(id));
        }
        Ok(block.kind.clone().unwrap_or_else(|| match block.ty {
            BlockType::Graphic => String::new(),
            ty => ty.short_name().to_string(),
        }))
    }

    /// Sets the block's kind, a free-form label (`sticker`, `image`, …; empty allowed).
    pub fn set_kind(&mut self, id: BlockId, kind: &str) -> Result<()> {
        if !self.block(id)?.ty.is_design_block() {
            return Err(self.no_kind(id));
        }
        self.block_mut(id)?.kind = Some(kind.to_string());
        self.touched(id);
        Ok(())
    }

    fn no_kind(&self, id: BlockId) -> Error {
        Error::Unsupported {
            block: id,
            block_type: self.block(id).map(|b| b.ty.long_name()).unwrap_or_default(),
            what: "kind".into(),
        }
    }

    fn type_is(&self, id: BlockId, types: &[BlockType]) -> Result<bool> {
        Ok(types.contains(&self.block(id)?.ty))
    }

    /// Whether the block can have a fill (pages, graphics, texts).
    pub fn supports_fill(&self, id: BlockId) -> Result<bool> {
        use BlockType::*;
        self.type_is(id, &[Page, Graphic, Text])
    }

    /// Whether the block can have a shape (graphics).
    pub fn supports_shape(&self, id: BlockId) -> Result<bool> {
        self.type_is(id, &[BlockType::Graphic])
    }

    /// Whether the block can have a stroke (pages, graphics, texts).
    pub fn supports_stroke(&self, id: BlockId) -> Result<bool> {
        use BlockType::*;
        self.type_is(id, &[Page, Graphic, Text])
    }

    /// Whether the block's content can be cropped: a graphic with an image fill.
    pub fn supports_crop(&self, id: BlockId) -> Result<bool> {
        if !self.type_is(id, &[BlockType::Graphic])? {
            return Ok(false);
        }
        Ok(match self.fill(id)? {
            Some(fill) => self.block(fill)?.ty == BlockType::Fill(crate::FillKind::Image),
            None => false,
        })
    }

    /// Whether the block has a content fill mode (every design block).
    pub fn supports_content_fill_mode(&self, id: BlockId) -> Result<bool> {
        Ok(self.block(id)?.ty.is_design_block() && self.block(id)?.ty != BlockType::Stack)
    }

    /// Whether the block's opacity can be set (graphics, groups, texts; not pages or
    /// scenes, whose opacity the reference engine does not support).
    pub fn supports_opacity(&self, id: BlockId) -> Result<bool> {
        use BlockType::*;
        self.type_is(id, &[Graphic, Group, Text])
    }

    /// Whether the block has a blend mode (every design block but stacks).
    pub fn supports_blend_mode(&self, id: BlockId) -> Result<bool> {
        self.supports_content_fill_mode(id)
    }
}

/// Placement as the reference engine reads and writes it. Easel stores a block's unrotated
/// top-left corner, with rotation and flips about its centre; the reference reports as
/// `position/x`/`y` the point its local origin lands on — the rotated (and mirrored) top-left
/// corner — keeps that point when the size changes, and mirrors a block about its centre
/// when a flip is set (negating the rotation). These convert between the two, so the
/// engine's API reads and writes what the reference does while frames stay as they are.
impl SceneGraph {
    /// True when the reference's reading of `id`'s position is the stored one: not rotated,
    /// not flipped, not inside a group (the common case, answered with few reads).
    fn plain_placement(&self, id: BlockId) -> Result<bool> {
        if let Some(p) = self.block(id)?.parent
            && self.block(p)?.ty == BlockType::Group
        {
            return Ok(false);
        }
        if self.block(id)?.ty == BlockType::Group {
            return Ok(true);
        }
        Ok(self.get_float(id, keys::ROTATION)? == 0.0
            && !self.get_bool(id, keys::FLIP_HORIZONTAL)?
            && !self.get_bool(id, keys::FLIP_VERTICAL)?)
    }

    /// `R(rotation) · S(flips)` applied to `(u, v)`.
    fn placement_linear(&self, id: BlockId, (u, v): (f32, f32)) -> Result<(f32, f32)> {
        let r = self.get_float(id, keys::ROTATION)?;
        let sx = if self.get_bool(id, keys::FLIP_HORIZONTAL)? {
            -1.0
        } else {
            1.0
        };
        let sy = if self.get_bool(id, keys::FLIP_VERTICAL)? {
            -1.0
        } else {
            1.0
        };
        let (u, v) = (u * sx, v * sy);
        let (sin, cos) = r.sin_cos();
        Ok((u * cos - v * sin, u * sin + v * cos))
    }

    /// The groups `id` sits in, innermost first, and the transform from the innermost
    /// one's box to the coordinates of the first ancestor that is not a group (the
    /// reference engine reports group members in those coordinates).
    fn enclosing_groups(&self, id: BlockId) -> Result<(Vec<BlockId>, Transform)> {
        let mut groups = Vec::new();
        let mut to_outer = Transform::IDENTITY;
        let mut cursor = self.block(id)?.parent;
        while let Some(p) = cursor {
            if self.block(p)?.ty != BlockType::Group {
                break;
            }
            to_outer = to_outer.then(self.local_transform(p)?.2);
            groups.push(p);
            cursor = self.block(p)?.parent;
        }
        Ok((groups, to_outer))
    }

    /// Where the reference engine says `id` is: its local origin — the stored top-left
    /// corner rotated and mirrored with the block — in the parent's coordinates, or for a
    /// group member in the coordinates of the groups' parent. A group itself reads its
    /// unrotated top-left, as the reference's groups do.
    pub fn reference_position(&self, id: BlockId) -> Result<(f32, f32)> {
        let x = self.get_float(id, keys::POSITION_X)?;
        let y = self.get_float(id, keys::POSITION_Y)?;
        if self.plain_placement(id)? {
            return Ok((x, y));
        }
        let local = if self.block(id)?.ty == BlockType::Group {
            (x, y)
        } else {
            let (w, h) = self.frame_size(id)?;
            let (cx, cy) = (w / 2.0, h / 2.0);
            let (lx, ly) = self.placement_linear(id, (cx, cy))?;
            (x + cx - lx, y + cy - ly)
        };
        let (_, to_outer) = self.enclosing_groups(id)?;
        Ok(to_outer.apply(local.0, local.1))
    }

    /// `lastFrame/x`, `y`, `width`, `height`: the position as [`Self::reference_position`]
    /// reads it (for a rotated block, where its top-left corner lands) and the laid-out
    /// size. The scene has none (zeros), as in the reference.
    pub(crate) fn last_frame(&self, id: BlockId) -> Result<(f32, f32, f32, f32)> {
        if self.block(id)?.ty == BlockType::Scene {
            return Ok((0.0, 0.0, 0.0, 0.0));
        }
        let (x, y) = self.reference_position(id)?;
        let (w, h) = self.frame_size(id)?;
        Ok((x, y, w, h))
    }

    /// Places `id` so that [`reference_position`](Self::reference_position) reads `(px, py)`.
    pub fn set_reference_position(&mut self, id: BlockId, (px, py): (f32, f32)) -> Result<()> {
        if self.plain_placement(id)? {
            self.set_float(id, keys::POSITION_X, px)?;
            return self.set_float(id, keys::POSITION_Y, py);
        }
        let (_, to_outer) = self.enclosing_groups(id)?;
        let (px, py) = to_outer
            .invert()
            .unwrap_or(Transform::IDENTITY)
            .apply(px, py);
        let (x, y) = if self.block(id)?.ty == BlockType::Group {
            (px, py)
        } else {
            let (w, h) = self.frame_size(id)?;
            let (cx, cy) = (w / 2.0, h / 2.0);
            let (lx, ly) = self.placement_linear(id, (cx, cy))?;
            (px - cx + lx, py - cy + ly)
        };
        self.set_float(id, keys::POSITION_X, x)?;
        self.set_float(id, keys::POSITION_Y, y)
    }

    /// The rotation the reference engine reports: the block's own plus that of every group
    /// it sits in.
    pub fn reference_rotation(&self, id: BlockId) -> Result<f32> {
        let (groups, _) = self.enclosing_groups(id)?;
        let mut r = self.get_float(id, keys::ROTATION)?;
        for g in groups {
            r += self.get_float(g, keys::ROTATION)?;
        }
        Ok(r)
    }

    /// Sets the rotation as [`reference_rotation`](Self::reference_rotation) reads it
    /// (about the block's centre).
    pub fn set_reference_rotation(&mut self, id: BlockId, value: f32) -> Result<()> {
        let inherited = self.reference_rotation(id)? - self.get_float(id, keys::ROTATION)?;
        self.set_float(id, keys::ROTATION, value - inherited)
    }

    /// Sets `width` or `height` keeping the reference position where it is, as the
    /// reference engine resizes a rotated or flipped block.
    pub fn resize_keeping_position(&mut self, id: BlockId, key: &str, value: f32) -> Result<()> {
        if self.plain_placement(id)? {
            // Unrotated and unflipped: the origin is the stored corner, which stays.
            return self.set_float(id, key, value);
        }
        let kept = self.reference_position(id)?;
        self.set_float(id, key, value)?;
        self.set_reference_position(id, kept)
    }

    /// Sets `flip/horizontal` or `flip/vertical` as the reference engine does: a change
    /// mirrors the block about its centre, so the rotation is negated and the box stays
    /// where it was.
    pub fn set_flip_mirroring(&mut self, id: BlockId, key: &str, value: bool) -> Result<()> {
        if self.get_bool(id, key)? == value {
            return Ok(());
        }
        self.set_bool(id, key, value)?;
        let r = self.get_float(id, keys::ROTATION)?;
        if r != 0.0 {
            self.set_float(id, keys::ROTATION, -r)?;
        }
        Ok(())
    }
}
