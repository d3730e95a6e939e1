//! The layout pass: global frames for every design block.

use crate::{
    BlockId, BlockType, PropertyValue, Result, SceneGraph, SceneLayout, StackAxis, Transform, keys,
};

/// A block's place on the canvas after [`SceneGraph::layout`].
///
/// `transform` maps the block's local box `(0,0)..(width,height)` to global coordinates,
/// including rotation about the block's centre and flips. `bounds_*` is the axis-aligned
/// bounding box of the transformed box.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Frame {
    /// The block's width.
    pub width: f32,
    /// The block's height.
    pub height: f32,
    /// Local box → global coordinates.
    pub transform: Transform,
    /// Global bounding box, left edge.
    pub bounds_x: f32,
    /// Global bounding box, top edge.
    pub bounds_y: f32,
    /// Global bounding box width.
    pub bounds_width: f32,
    /// Global bounding box height.
    pub bounds_height: f32,
}

impl Frame {
    fn new(width: f32, height: f32, transform: Transform) -> Frame {
        let (min_x, min_y, max_x, max_y) = transform.bounds_of_box(width, height);
        Frame {
            width,
            height,
            transform,
            bounds_x: min_x,
            bounds_y: min_y,
            bounds_width: max_x - min_x,
            bounds_height: max_y - min_y,
        }
    }

    /// True when this frame's bounding box lies inside `outer`'s.
    pub fn bounds_within(&self, outer: &Frame) -> bool {
        self.bounds_x >= outer.bounds_x
            && self.bounds_y >= outer.bounds_y
            && self.bounds_x + self.bounds_width <= outer.bounds_x + outer.bounds_width
            && self.bounds_y + self.bounds_height <= outer.bounds_y + outer.bounds_height
    }

    fn union(frames: &[Frame]) -> Frame {
        if frames.is_empty() {
            return Frame::default();
        }
        let (mut x0, mut y0) = (f32::INFINITY, f32::INFINITY);
        let (mut x1, mut y1) = (f32::NEG_INFINITY, f32::NEG_INFINITY);
        for f in frames {
            x0 = x0.min(f.bounds_x);
            y0 = y0.min(f.bounds_y);
            x1 = x1.max(f.bounds_x + f.bounds_width);
            y1 = y1.max(f.bounds_y + f.bounds_height);
        }
        Frame::new(x1 - x0, y1 - y0, Transform::translate(x0, y0))
    }
}

/// How a stack places one page: along its axis with its spacing.
#[derive(Clone, Copy, Debug)]
struct StackPlacement {
    axis: StackAxis,
    spacing: f32,
}

impl SceneGraph {
    /// Computes every block's global [`Frame`]: pages placed along the stack axis with the
    /// stack's spacing (or at their own position in a `Free` scene), graphics and groups
    /// relative to their parent. Cheap when nothing changed since the last call.
    pub fn layout(&mut self) {
        if !self.layout_dirty {
            return;
        }
        self.place_new_pages();
        let roots: Vec<BlockId> = self
            .find_all()
            .into_iter()
            .filter(|id| {
                self.block(*id)
                    .is_ok_and(|b| b.parent.is_none() && b.ty.is_design_block())
            })
            .collect();
        for root in roots {
            let _ = self.layout_block(root, Transform::IDENTITY);
        }
        self.layout_dirty = false;
    }

    /// Places the pages of a Free scene that were never positioned, as the reference does
    /// when it lays such a scene out: from the last page, each one that was never placed
    /// goes 40 px right of the page after it (at its y), the last one right of the last page
    /// that was placed (or of the first page). Every page of the scene counts as placed
    /// afterwards; pages whose position was set, and pages loaded from files, never move.
    fn place_new_pages(&mut self) {
        const GAP: f32 = 40.0;
        if self.unplaced_pages.is_empty() {
            return;
        }
        let free = self.scene_layout().is_ok_and(|l| l.stack_axis().is_none());
        let Ok(pages) = self.pages() else {
            return;
        };
        if !free || !pages.iter().any(|p| self.unplaced_pages.contains(p)) {
            return;
        }
        let mut anchor = pages
            .iter()
            .rev()
            .find(|p| !self.unplaced_pages.contains(p))
            .or(pages.first())
            .copied();
        for &page in pages.iter().rev() {
            if let Some(a) = anchor.filter(|a| *a != page && self.unplaced_pages.contains(&page)) {
                let at = |key| self.get_float(a, key).unwrap_or(0.0);
                let (x, y) = (
                    at(keys::POSITION_X) + at(keys::WIDTH) + GAP,
                    at(keys::POSITION_Y),
                );
                let _ = self.store_value(page, keys::POSITION_X, PropertyValue::Float(x));
                let _ = self.store_value(page, keys::POSITION_Y, PropertyValue::Float(y));
            }
            anchor = Some(page);
        }
        for page in &pages {
            self.unplaced_pages.remove(page);
        }
    }

    /// The block's frame from the last [`Self::layout`] (call `layout` after changes).
    pub fn frame(&self, id: BlockId) -> Result<Frame> {
        Ok(self.block(id)?.frame)
    }

    /// The block's width and height: its properties, or for a text block in an Auto mode
    /// the size the facade measured for its text.
    pub fn frame_size(&self, id: BlockId) -> Result<(f32, f32)> {
        let (w, h) = self.in_parent_units(
            id,
            [keys::WIDTH, keys::HEIGHT],
            [keys::WIDTH_MODE, keys::HEIGHT_MODE],
        )?;
        let block = self.block(id)?;
        if block.ty != BlockType::Text {
            return Ok((w, h));
        }
        let measure = block
            .text
            .as_ref()
            .and_then(|t| t.measure)
            .unwrap_or_default();
        let auto = |key| self.mode_is(id, key, "Auto");
        Ok((
            if auto(keys::WIDTH_MODE) {
                measure.width
            } else {
                w
            },
            if auto(keys::HEIGHT_MODE) {
                measure.height
            } else {
                h
            },
        ))
    }

    /// Whether the enum property `key` of `id` is set to `mode` (false where the block has
    /// no such property). Reads the stored value in place: layout asks this of every block.
    fn mode_is(&self, id: BlockId, key: &str, mode: &str) -> bool {
        matches!(
            self.stored_property(id, key),
            Ok(Some(crate::PropertyValue::Enum(m))) if m == mode
        )
    }

    /// Two values (x and y, or width and height) in design units: as stored, or where their
    /// mode is `Percent` a fraction of the parent's size (0.5 is half), as the reference
    /// engine's mode; without a sized parent, the value itself.
    fn in_parent_units(
        &self,
        id: BlockId,
        [kx, ky]: [&str; 2],
        [mx, my]: [&str; 2],
    ) -> Result<(f32, f32)> {
        let (mut x, mut y) = (self.get_float(id, kx)?, self.get_float(id, ky)?);
        let (px, py) = (
            self.mode_is(id, mx, "Percent"),
            self.mode_is(id, my, "Percent"),
        );
        if px || py {
            let (pw, ph) = self.parent_size(id)?;
            if px {
                x *= pw;
            }
            if py {
                y *= ph;
            }
        }
        Ok((x, y))
    }

    /// The size `Percent` modes are fractions of: the parent's frame size, or (1, 1) for a
    /// block without a sized parent.
    fn parent_size(&self, id: BlockId) -> Result<(f32, f32)> {
        match self.block(id)?.parent {
            Some(p)
                if matches!(
                    self.block(p)?.ty,
                    BlockType::Page | BlockType::Graphic | BlockType::Group | BlockType::Text
                ) =>
            {
                self.frame_size(p)
            }
            _ => Ok((1.0, 1.0)),
        }
    }

    /// The block's local box → parent transform: position, then rotation about the
    /// centre, with flips applied about the centre first.
    pub(crate) fn local_transform(&self, id: BlockId) -> Result<(f32, f32, Transform)> {
        let (x, y) = self.in_parent_units(
            id,
            [keys::POSITION_X, keys::POSITION_Y],
            [keys::POSITION_X_MODE, keys::POSITION_Y_MODE],
        )?;
        let (w, h) = self.frame_size(id)?;
        let r = self.get_float(id, keys::ROTATION)?;
        let sign = |flipped: bool| if flipped { -1.0 } else { 1.0 };
        let fx = sign(self.get_bool(id, keys::FLIP_HORIZONTAL)?);
        let fy = sign(self.get_bool(id, keys::FLIP_VERTICAL)?);
        let t = Transform::translate(-w / 2.0, -h / 2.0)
            .then(Transform::scale(fx, fy))
            .then(Transform::rotate(r))
            .then(Transform::translate(x + w / 2.0, y + h / 2.0));
        Ok((w, h, t))
    }

    /// Lays out one subtree, without recursion (trees may be deep): a first pass places
    /// every block from its parent's transform (a stack places its pages along its axis); a
    /// second pass, innermost first, gives each scene and stack the union of its
    /// children's frames.
    fn layout_block(&mut self, root: BlockId, parent: Transform) -> Result<()> {
        let mut pending: Vec<(BlockId, Transform, bool)> = vec![(root, parent, false)];
        let mut containers: Vec<BlockId> = Vec::new();
        while let Some((id, parent, in_stack)) = pending.pop() {
            let ty = self.block(id)?.ty;
            let children = self.block(id)?.children.clone();
            match ty {
                BlockType::Scene | BlockType::Stack => {
                    containers.push(id);
                    let placement = match ty {
                        BlockType::Stack => {
                            match self.layout_of_stack(id).and_then(|l| l.stack_axis()) {
                                Some(axis) => Some(StackPlacement {
                                    axis,
                                    spacing: self.get_float(id, keys::STACK_SPACING)?,
                                }),
                                // Free: pages keep their own position.
                                None => None,
                            }
                        }
                        _ => None,
                    };
                    let mut offset = 0.0;
                    for child in children {
                        match (placement, self.block(child)?.ty) {
                            (Some(p), BlockType::Page) => {
                                let (w, h) = (
                                    self.get_float(child, keys::WIDTH)?,
                                    self.get_float(child, keys::HEIGHT)?,
                                );
                                let (t, advance) = match p.axis {
                                    StackAxis::Vertical => (Transform::translate(0.0, offset), h),
                                    StackAxis::Horizontal => (Transform::translate(offset, 0.0), w),
                                    StackAxis::Depth => (Transform::IDENTITY, 0.0),
                                };
                                offset += advance + p.spacing;
                                pending.push((child, t.then(parent), true));
                            }
                            _ => pending.push((child, parent, false)),
                        }
                    }
                }
                _ => {
                    let (w, h, local) = self.local_transform(id)?;
                    // Pages in a stack are placed by the stack, not by their own position.
                    let local = if ty == BlockType::Page && in_stack {
                        Transform::IDENTITY
                    } else {
                        local
                    };
                    let global = local.then(parent);
                    self.block_mut(id)?.frame = Frame::new(w, h, global);
                    pending.extend(children.into_iter().map(|c| (c, global, false)));
                }
            }
        }
        // Containers were found parents first; their frames need their children's.
        for id in containers.into_iter().rev() {
            let frames: Vec<Frame> = self
                .block(id)?
                .children
                .iter()
                .filter_map(|c| self.block(*c).ok().map(|b| b.frame))
                .collect();
            self.block_mut(id)?.frame = Frame::union(&frames);
        }
        Ok(())
    }

    /// The layout of the scene that holds this stack.
    fn layout_of_stack(&self, stack: BlockId) -> Option<SceneLayout> {
        let parent = self.block(stack).ok()?.parent?;
        SceneLayout::parse(&self.get_enum(parent, keys::SCENE_LAYOUT).ok()?)
    }
}
