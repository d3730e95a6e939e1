//! The layout pass: global frames for every design block.

use crate::{BlockId, BlockType, Result, SceneGraph};

/// A block's place on the canvas after [`SceneGraph::layout`].
///
/// `transform` maps the block's local box `(0,0)..(width,height)` to global coordinates
/// (column-major 2×3 affine `[a, b, c, d, e, f]`: `x' = a·x + c·y + e`, `y' = b·x + d·y + f`),
/// including rotation about the block's centre and flips. `bounds_*` is the axis-aligned
/// bounding box of the transformed box.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Frame {
    /// The block's width.
    pub width: f32,
    /// The block's height.
    pub height: f32,
    /// Local box → global coordinates.
    pub transform: [f32; 6],
    /// Global bounding box, left edge.
    pub bounds_x: f32,
    /// Global bounding box, top edge.
    pub bounds_y: f32,
    /// Global bounding box width.
    pub bounds_width: f32,
    /// Global bounding box height.
    pub bounds_height: f32,
}

impl Default for Frame {
    fn default() -> Self {
        Frame {
            width: 0.0,
            height: 0.0,
            transform: IDENTITY,
            bounds_x: 0.0,
            bounds_y: 0.0,
            bounds_width: 0.0,
            bounds_height: 0.0,
        }
    }
}

const IDENTITY: [f32; 6] = [1.0, 0.0, 0.0, 1.0, 0.0, 0.0];

/// `a ∘ b`: apply `b` first, then `a`.
pub(crate) fn compose(a: [f32; 6], b: [f32; 6]) -> [f32; 6] {
    [
        a[0] * b[0] + a[2] * b[1],
        a[1] * b[0] + a[3] * b[1],
        a[0] * b[2] + a[2] * b[3],
        a[1] * b[2] + a[3] * b[3],
        a[0] * b[4] + a[2] * b[5] + a[4],
        a[1] * b[4] + a[3] * b[5] + a[5],
    ]
}

fn apply(t: [f32; 6], x: f32, y: f32) -> (f32, f32) {
    (t[0] * x + t[2] * y + t[4], t[1] * x + t[3] * y + t[5])
}

impl Frame {
    fn new(width: f32, height: f32, transform: [f32; 6]) -> Frame {
        let corners = [(0.0, 0.0), (width, 0.0), (0.0, height), (width, height)]
            .map(|(x, y)| apply(transform, x, y));
        let min_x = corners.iter().map(|c| c.0).fold(f32::INFINITY, f32::min);
        let max_x = corners
            .iter()
            .map(|c| c.0)
            .fold(f32::NEG_INFINITY, f32::max);
        let min_y = corners.iter().map(|c| c.1).fold(f32::INFINITY, f32::min);
        let max_y = corners
            .iter()
            .map(|c| c.1)
            .fold(f32::NEG_INFINITY, f32::max);
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

    fn union(frames: &[Frame]) -> Frame {
        if frames.is_empty() {
            return Frame::default();
        }
        let min_x = frames
            .iter()
            .map(|f| f.bounds_x)
            .fold(f32::INFINITY, f32::min);
        let min_y = frames
            .iter()
            .map(|f| f.bounds_y)
            .fold(f32::INFINITY, f32::min);
        let max_x = frames
            .iter()
            .map(|f| f.bounds_x + f.bounds_width)
            .fold(f32::NEG_INFINITY, f32::max);
        let max_y = frames
            .iter()
            .map(|f| f.bounds_y + f.bounds_height)
            .fold(f32::NEG_INFINITY, f32::max);
        Frame::new(
            max_x - min_x,
            max_y - min_y,
            [1.0, 0.0, 0.0, 1.0, min_x, min_y],
        )
    }
}

impl SceneGraph {
    /// Computes every block's global [`Frame`]: pages placed along the stack axis with the
    /// stack's spacing (or at their own position in a `Free` scene), graphics and groups
    /// relative to their parent. Cheap when nothing changed since the last call.
    pub fn layout(&mut self) {
        if !self.layout_dirty {
            return;
        }
        let roots: Vec<BlockId> = self
            .find_all()
            .into_iter()
            .filter(|id| {
                self.block(*id)
                    .is_ok_and(|b| b.parent.is_none() && b.ty.is_design_block())
            })
            .collect();
        for root in roots {
            let _ = self.layout_block(root, IDENTITY, None);
        }
        self.layout_dirty = false;
    }

    /// The block's frame from the last [`Self::layout`] (call `layout` after changes).
    pub fn frame(&self, id: BlockId) -> Result<Frame> {
        Ok(self.block(id)?.frame)
    }

    fn local_transform(&self, id: BlockId) -> Result<(f32, f32, [f32; 6])> {
        let x = self.get_float(id, "position/x")?;
        let y = self.get_float(id, "position/y")?;
        let w = self.get_float(id, "width")?;
        let h = self.get_float(id, "height")?;
        let r = self.get_float(id, "rotation")?;
        let fx = if self.get_bool(id, "flip/horizontal")? {
            -1.0
        } else {
            1.0
        };
        let fy = if self.get_bool(id, "flip/vertical")? {
            -1.0
        } else {
            1.0
        };
        let (s, c) = r.sin_cos();
        let to_centre = [1.0, 0.0, 0.0, 1.0, -w / 2.0, -h / 2.0];
        let flip = [fx, 0.0, 0.0, fy, 0.0, 0.0];
        let rotate = [c, s, -s, c, 0.0, 0.0];
        let place = [1.0, 0.0, 0.0, 1.0, x + w / 2.0, y + h / 2.0];
        Ok((
            w,
            h,
            compose(place, compose(rotate, compose(flip, to_centre))),
        ))
    }

    /// Lays out one subtree; `stack_axis` carries the stack's direction and spacing.
    fn layout_block(
        &mut self,
        id: BlockId,
        parent: [f32; 6],
        stack_axis: Option<(Option<bool>, f32)>,
    ) -> Result<Frame> {
        let ty = self.block(id)?.ty;
        let children = self.block(id)?.children.clone();
        let frame = match ty {
            BlockType::Scene | BlockType::Stack => {
                let axis = match ty {
                    BlockType::Stack => {
                        let vertical = match self.scene_layout_of(id).as_deref() {
                            Some("VerticalStack") => Some(Some(true)),
                            Some("HorizontalStack") => Some(Some(false)),
                            Some("DepthStack") => Some(None),
                            // Free: pages keep their own position.
                            _ => None,
                        };
                        match vertical {
                            Some(v) => Some((v, self.get_float(id, "stack/spacing")?)),
                            None => None,
                        }
                    }
                    _ => None,
                };
                let mut offset = 0.0;
                let mut frames = Vec::new();
                for child in children {
                    let f = match (axis, self.block(child)?.ty) {
                        (Some((Some(vertical), spacing)), BlockType::Page) => {
                            let (w, h) = (
                                self.get_float(child, "width")?,
                                self.get_float(child, "height")?,
                            );
                            let t = if vertical {
                                [1.0, 0.0, 0.0, 1.0, 0.0, offset]
                            } else {
                                [1.0, 0.0, 0.0, 1.0, offset, 0.0]
                            };
                            offset += if vertical { h } else { w } + spacing;
                            self.layout_block(child, compose(parent, t), axis)?
                        }
                        (Some((None, _)), BlockType::Page) => {
                            self.layout_block(child, parent, axis)?
                        }
                        _ => self.layout_block(child, parent, None)?,
                    };
                    frames.push(f);
                }
                Frame::union(&frames)
            }
            _ => {
                let (w, h, local) = self.local_transform(id)?;
                // Pages in a stack are placed by the stack, not by their own position.
                let local = if ty == BlockType::Page && stack_axis.is_some() {
                    [1.0, 0.0, 0.0, 1.0, 0.0, 0.0]
                } else {
                    local
                };
                let global = compose(parent, local);
                for child in children {
                    self.layout_block(child, global, None)?;
                }
                Frame::new(w, h, global)
            }
        };
        self.block_mut(id)?.frame = frame;
        Ok(frame)
    }

    fn scene_layout_of(&self, stack: BlockId) -> Option<String> {
        let parent = self.block(stack).ok()?.parent?;
        self.get_enum(parent, "scene/layout").ok()
    }
}
