//! Typed helpers over the property keys, and the scene-level calls.

use crate::graph::CreatedScene;
use crate::{
    BlendMode, BlockId, BlockType, Color, Error, FillRule, GradientStop, LineCap, LineJoin,
    PropertyValue, Result, SceneGraph, ShapeKind, StrokePosition, keys,
};
use easel_geom::NamedEnum;

easel_geom::named_enum! {
    /// How an image fill is fitted into its block (`contentFill/mode`).
    ContentFillMode {
        /// Uses the block's crop scale and translation.
        Crop,
        /// Scales to cover the whole block, cropping the overflow (the default).
        #[default]
        Cover,
        /// Scales to fit inside the block, leaving empty space.
        Contain,
    }
}

easel_geom::named_enum! {
    /// Horizontal alignment of content (`contentFill/horizontalAlignment`).
    HorizontalAlignment {
        /// Left edges aligned.
        Left,
        /// Centred (the default).
        #[default]
        Center,
        /// Right edges aligned.
        Right,
    }
}

easel_geom::named_enum! {
    /// Vertical alignment of content (`contentFill/verticalAlignment`).
    VerticalAlignment {
        /// Top edges aligned.
        Top,
        /// Centred (the default).
        #[default]
        Center,
        /// Bottom edges aligned.
        Bottom,
    }
}

easel_geom::named_enum! {
    /// How a scene arranges its pages (`scene/layout`).
    SceneLayout {
        /// Pages keep their own positions (the default, as in the reference engine's
        /// `scene.create()` and its `scene/layout` property).
        #[default]
        Free,
        /// Pages stacked top to bottom.
        VerticalStack,
        /// Pages side by side, left to right.
        HorizontalStack,
        /// Pages on top of each other.
        DepthStack,
    }
}

easel_geom::named_enum! {
    /// The unit a scene's numbers are in (`scene/designUnit`).
    DesignUnit {
        /// Pixels (the default).
        #[default]
        Pixel,
        /// Millimetres.
        Millimeter,
        /// Inches.
        Inch,
    }
}

/// The direction a stack lays out its pages, from the scene's layout.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum StackAxis {
    /// Top to bottom.
    Vertical,
    /// Left to right.
    Horizontal,
    /// On top of each other, all at the stack's origin.
    Depth,
}

impl SceneLayout {
    /// The stack axis of this layout; `None` for `Free` (pages keep their own positions).
    pub fn stack_axis(self) -> Option<StackAxis> {
        match self {
            SceneLayout::Free => None,
            SceneLayout::VerticalStack => Some(StackAxis::Vertical),
            SceneLayout::HorizontalStack => Some(StackAxis::Horizontal),
            SceneLayout::DepthStack => Some(StackAxis::Depth),
        }
    }
}

impl SceneGraph {
    /// Reads an enum property as its typed value (`LineJoin`, `ContentFillMode`, …).
    pub fn enum_value<T: NamedEnum>(&self, id: BlockId, key: &str) -> Result<T> {
        // Parsed in place: reading an enum allocates nothing.
        if let Some(PropertyValue::Enum(value)) = self.stored_property(id, key)? {
            return T::parse(value).ok_or_else(|| Error::InvalidValue {
                key: key.to_string(),
                value: value.clone(),
                reason: format!("not one of {}", T::NAMES.join(", ")),
            });
        }
        let value = self.get_enum(id, key)?;
        T::parse(&value).ok_or_else(|| Error::InvalidValue {
            key: key.to_string(),
            value,
            reason: format!("not one of {}", T::NAMES.join(", ")),
        })
    }

    /// Writes an enum property from its typed value.
    pub fn set_enum_value<T: NamedEnum>(&mut self, id: BlockId, key: &str, value: T) -> Result<()> {
        self.set_enum(id, key, value.as_str())
    }

    /// Creates a scene (scene → stack, and a page of `page_size` in the stack when a size
    /// is given) replacing any earlier one, and returns its blocks. The page is filled with
    /// opaque white. Without a size there is no page, as in the reference engine: append
    /// pages to the stack yourself.
    pub fn create_scene(
        &mut self,
        layout: SceneLayout,
        page_size: Option<(f32, f32)>,
    ) -> Result<CreatedScene> {
        if let Some((w, h)) = page_size {
            for (key, v) in [("width", w), ("height", h)] {
                if !v.is_finite() || v <= 0.0 {
                    return Err(Error::InvalidValue {
                        key: format!("page {key}"),
                        value: v.to_string(),
                        reason: "a page size must be finite and positive".into(),
                    });
                }
            }
        }
        if let Some(old) = self.scene {
            self.destroy(old)?;
        }
        let scene = self.create_typed(BlockType::Scene);
        self.set_enum(scene, keys::SCENE_LAYOUT, layout.as_str())?;
        let stack = self.create_typed(BlockType::Stack);
        self.append_child(scene, stack)?;
        let page = match page_size {
            Some((w, h)) => {
                let page = self.create_typed(BlockType::Page);
                self.set_width(page, w)?;
                self.set_height(page, h)?;
                self.append_child(stack, page)?;
                Some(page)
            }
            None => None,
        };
        self.scene = Some(scene);
        Ok(CreatedScene { scene, stack, page })
    }

    /// The current scene, if any.
    pub fn scene(&self) -> Option<BlockId> {
        self.scene
    }

    /// The current scene's layout.
    pub fn scene_layout(&self) -> Result<SceneLayout> {
        let scene = self.scene.ok_or(Error::NoScene)?;
        self.enum_value(scene, keys::SCENE_LAYOUT)
    }

    /// Changes the current scene's layout.
    pub fn set_scene_layout(&mut self, layout: SceneLayout) -> Result<()> {
        let scene = self.scene.ok_or(Error::NoScene)?;
        self.set_enum(scene, keys::SCENE_LAYOUT, layout.as_str())
    }

    /// The pages of the current scene, in order. In a stack scene, the stack's pages only:
    /// pages appended to the scene itself are not pages of the design, as in the reference.
    /// In a Free scene, the stack's pages, then the scene's own page children.
    pub fn pages(&self) -> Result<Vec<BlockId>> {
        let scene = self.scene.ok_or(Error::NoScene)?;
        let free = self.scene_layout()?.stack_axis().is_none();
        let mut pages = Vec::new();
        for child in &self.block(scene)?.children {
            match self.block(*child)?.ty {
                BlockType::Page if free => pages.push(*child),
                BlockType::Stack => pages.extend(
                    self.block(*child)?
                        .children
                        .iter()
                        .filter(|c| self.block(**c).is_ok_and(|b| b.ty == BlockType::Page)),
                ),
                _ => {}
            }
        }
        Ok(pages)
    }

    /// What an export of `id` draws: for a stack scene, its stack (blocks appended to the
    /// scene itself are not part of the design, as in the reference); any other block,
    /// a Free scene included, is itself.
    pub fn export_root(&self, id: BlockId) -> Result<BlockId> {
        let b = self.block(id)?;
        if b.ty != BlockType::Scene
            || self
                .enum_value::<SceneLayout>(id, keys::SCENE_LAYOUT)?
                .stack_axis()
                .is_none()
        {
            return Ok(id);
        }
        Ok(b.children
            .iter()
            .copied()
            .find(|c| self.block(*c).is_ok_and(|b| b.ty == BlockType::Stack))
            .unwrap_or(id))
    }

    /// The page that contains `id` (or `id` itself when it is a page).
    pub fn page_of(&self, id: BlockId) -> Result<Option<BlockId>> {
        let mut cursor = Some(id);
        while let Some(c) = cursor {
            let b = self.block(c)?;
            if b.ty == BlockType::Page {
                return Ok(Some(c));
            }
            cursor = b.parent;
        }
        Ok(None)
    }

    /// Width of a design block.
    pub fn width(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, keys::WIDTH)
    }
    /// Sets the width (finite, ≥ 0).
    pub fn set_width(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::WIDTH, v)
    }
    /// Height of a design block.
    pub fn height(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, keys::HEIGHT)
    }
    /// Sets the height (finite, ≥ 0).
    pub fn set_height(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::HEIGHT, v)
    }
    /// X position relative to the parent.
    pub fn position_x(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, keys::POSITION_X)
    }
    /// Sets the x position relative to the parent.
    pub fn set_position_x(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::POSITION_X, v)
    }
    /// Y position relative to the parent.
    pub fn position_y(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, keys::POSITION_Y)
    }
    /// Sets the y position relative to the parent.
    pub fn set_position_y(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::POSITION_Y, v)
    }
    /// Rotation in radians about the block's centre.
    pub fn rotation(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, keys::ROTATION)
    }
    /// Sets the rotation in radians about the block's centre.
    pub fn set_rotation(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::ROTATION, v)
    }
    /// Opacity in 0..=1.
    pub fn opacity(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, keys::OPACITY)
    }
    /// Sets the opacity (0..=1).
    pub fn set_opacity(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::OPACITY, v)
    }
    /// How the block combines with what lies under it (`blend/mode`).
    pub fn blend_mode(&self, id: BlockId) -> Result<BlendMode> {
        self.enum_value(id, keys::BLEND_MODE)
    }
    /// Sets the blend mode.
    pub fn set_blend_mode(&mut self, id: BlockId, v: BlendMode) -> Result<()> {
        self.set_enum(id, keys::BLEND_MODE, v.as_str())
    }
    /// Whether the block is drawn.
    pub fn is_visible(&self, id: BlockId) -> Result<bool> {
        self.get_bool(id, keys::VISIBLE)
    }
    /// Shows or hides the block.
    pub fn set_visible(&mut self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, keys::VISIBLE, v)
    }
    /// Whether the block is mirrored horizontally.
    pub fn flip_horizontal(&self, id: BlockId) -> Result<bool> {
        self.get_bool(id, keys::FLIP_HORIZONTAL)
    }
    /// Mirrors the block horizontally.
    pub fn set_flip_horizontal(&mut self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, keys::FLIP_HORIZONTAL, v)
    }
    /// Whether the block is mirrored vertically.
    pub fn flip_vertical(&self, id: BlockId) -> Result<bool> {
        self.get_bool(id, keys::FLIP_VERTICAL)
    }
    /// Mirrors the block vertically.
    pub fn set_flip_vertical(&mut self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, keys::FLIP_VERTICAL, v)
    }

    /// Gives a graphic its shape (a block made by [`Self::create_shape`]). Returns the shape it
    /// replaced, which is detached but not destroyed.
    pub fn set_shape(&mut self, id: BlockId, shape: BlockId) -> Result<Option<BlockId>> {
        let ty = self.block(id)?.ty;
        if ty != BlockType::Graphic {
            return Err(Error::Unsupported {
                block: id,
                block_type: ty.long_name(),
                what: "shape".into(),
            });
        }
        let sty = self.block(shape)?.ty;
        if !matches!(sty, BlockType::Shape(_)) {
            return Err(Error::WrongBlockKind {
                block: shape,
                expected: "a shape block".into(),
                found: sty.long_name(),
            });
        }
        let replaced = self.set_owned(id, shape, true)?;
        if sty == BlockType::Shape(ShapeKind::Line) {
            // A line is drawn as its stroke, black by default, and has no fill (the
            // reference engine's read-backs after `setShape` with a line).
            self.set_bool(id, keys::STROKE_ENABLED, true)?;
            self.set_color(id, keys::STROKE_COLOR, Color::BLACK)?;
            self.set_bool(id, keys::FILL_ENABLED, false)?;
        }
        Ok(replaced)
    }

    /// The graphic's shape block, if it has one.
    pub fn shape(&self, id: BlockId) -> Result<Option<BlockId>> {
        Ok(self.block(id)?.shape)
    }

    /// Gives a graphic or page its fill (a block made by [`Self::create_fill`]). Returns the
    /// fill it replaced, which is detached but not destroyed.
    pub fn set_fill(&mut self, id: BlockId, fill: BlockId) -> Result<Option<BlockId>> {
        let ty = self.block(id)?.ty;
        if !matches!(ty, BlockType::Graphic | BlockType::Page) {
            return Err(Error::Unsupported {
                block: id,
                block_type: ty.long_name(),
                what: "fill".into(),
            });
        }
        let fty = self.block(fill)?.ty;
        if !matches!(fty, BlockType::Fill(_)) {
            return Err(Error::WrongBlockKind {
                block: fill,
                expected: "a fill block".into(),
                found: fty.long_name(),
            });
        }
        self.set_owned(id, fill, false)
    }

    /// The block's fill block, if it has one.
    pub fn fill(&self, id: BlockId) -> Result<Option<BlockId>> {
        Ok(self.block(id)?.fill)
    }

    /// The block that uses this shape or fill.
    pub fn owner(&self, id: BlockId) -> Result<Option<BlockId>> {
        Ok(self.block(id)?.owner)
    }

    fn color_fill_of(&self, id: BlockId) -> Result<BlockId> {
        let fill = self.block(id)?.fill.ok_or_else(|| Error::Unsupported {
            block: id,
            block_type: self.block(id).map(|b| b.ty.long_name()).unwrap_or_default(),
            what: "fill".into(),
        })?;
        Ok(fill)
    }

    /// The colour of a block's colour fill.
    pub fn fill_color(&self, id: BlockId) -> Result<Color> {
        self.get_color(self.color_fill_of(id)?, keys::FILL_COLOR_VALUE)
    }

    /// Sets the colour of a block's colour fill.
    pub fn set_fill_color(&mut self, id: BlockId, color: Color) -> Result<()> {
        let fill = self.color_fill_of(id)?;
        self.set_color(fill, keys::FILL_COLOR_VALUE, color)
    }

    fn gradient_fill(&self, fill: BlockId) -> Result<()> {
        match self.block(fill)?.ty {
            BlockType::Fill(k) if k != crate::FillKind::Color && k != crate::FillKind::Image => {
                Ok(())
            }
            other => Err(Error::WrongBlockKind {
                block: fill,
                expected: "a gradient fill".into(),
                found: other.long_name(),
            }),
        }
    }

    /// The colour stops of a gradient fill (`fill/gradient/colors`).
    pub fn gradient_color_stops(&self, fill: BlockId) -> Result<Vec<GradientStop>> {
        self.gradient_fill(fill)?;
        Ok(self.block(fill)?.gradient_stops.clone())
    }

    /// Replaces the colour stops of a gradient fill. Needs at least one stop; stops must be
    /// within 0..=1 with valid colours. They are kept sorted by offset.
    pub fn set_gradient_color_stops(
        &mut self,
        fill: BlockId,
        stops: &[GradientStop],
    ) -> Result<()> {
        self.gradient_fill(fill)?;
        check_gradient_stops(stops)?;
        let mut sorted = stops.to_vec();
        sorted.sort_by(|a, b| a.stop.total_cmp(&b.stop));
        self.block_mut(fill)?.gradient_stops = sorted;
        self.touched(fill);
        Ok(())
    }

    /// Whether the block's stroke is drawn.
    pub fn stroke_enabled(&self, id: BlockId) -> Result<bool> {
        self.get_bool(id, keys::STROKE_ENABLED)
    }
    /// Enables or disables the stroke.
    pub fn set_stroke_enabled(&mut self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, keys::STROKE_ENABLED, v)
    }
    /// Stroke width.
    pub fn stroke_width(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, keys::STROKE_WIDTH)
    }
    /// Sets the stroke width (finite, ≥ 0).
    pub fn set_stroke_width(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::STROKE_WIDTH, v)
    }
    /// Stroke colour.
    pub fn stroke_color(&self, id: BlockId) -> Result<Color> {
        self.get_color(id, keys::STROKE_COLOR)
    }
    /// Sets the stroke colour.
    pub fn set_stroke_color(&mut self, id: BlockId, v: Color) -> Result<()> {
        self.set_color(id, keys::STROKE_COLOR, v)
    }
    /// Stroke position.
    pub fn stroke_position(&self, id: BlockId) -> Result<StrokePosition> {
        self.enum_value(id, keys::STROKE_POSITION)
    }
    /// Sets the stroke position.
    pub fn set_stroke_position(&mut self, id: BlockId, v: StrokePosition) -> Result<()> {
        self.set_enum(id, keys::STROKE_POSITION, v.as_str())
    }
    /// Stroke join.
    pub fn stroke_join(&self, id: BlockId) -> Result<LineJoin> {
        self.enum_value(id, keys::STROKE_CORNER_GEOMETRY)
    }
    /// Sets the stroke join.
    pub fn set_stroke_join(&mut self, id: BlockId, v: LineJoin) -> Result<()> {
        self.set_enum(id, keys::STROKE_CORNER_GEOMETRY, v.as_str())
    }
    /// Stroke cap.
    pub fn stroke_cap(&self, id: BlockId) -> Result<LineCap> {
        self.enum_value(id, keys::STROKE_CAP)
    }
    /// Sets the stroke cap.
    pub fn set_stroke_cap(&mut self, id: BlockId, v: LineCap) -> Result<()> {
        self.set_enum(id, keys::STROKE_CAP, v.as_str())
    }
    /// Dash lengths (empty: a solid stroke).
    pub fn stroke_dash_array(&self, id: BlockId) -> Result<Vec<f32>> {
        self.get_bool(id, keys::STROKE_ENABLED)?;
        Ok(self.block(id)?.dash_array.clone())
    }
    /// Sets the dash lengths: finite, ≥ 0, not all zero; empty means solid.
    pub fn set_stroke_dash_array(&mut self, id: BlockId, dashes: &[f32]) -> Result<()> {
        self.get_bool(id, keys::STROKE_ENABLED)?;
        check_dash_array(dashes)?;
        self.block_mut(id)?.dash_array = dashes.to_vec();
        self.touched(id);
        Ok(())
    }

    /// The fill rule of a vector-path shape block.
    pub fn fill_rule(&self, shape: BlockId) -> Result<FillRule> {
        self.enum_value(shape, keys::SHAPE_VECTOR_PATH_FILL_RULE)
    }

    /// Content fill mode of a block with an image fill.
    pub fn content_fill_mode(&self, id: BlockId) -> Result<ContentFillMode> {
        self.enum_value(id, keys::CONTENT_FILL_MODE)
    }
    /// Sets the content fill mode.
    pub fn set_content_fill_mode(&mut self, id: BlockId, v: ContentFillMode) -> Result<()> {
        self.set_enum(id, keys::CONTENT_FILL_MODE, v.as_str())
    }
}

/// The gradient stops a fill accepts: at least one, offsets within 0..=1, valid colours.
/// The loader applies the same check, so whatever loads also saves and loads again.
pub(crate) fn check_gradient_stops(stops: &[GradientStop]) -> Result<()> {
    if stops.is_empty() {
        return Err(Error::InvalidValue {
            key: keys::FILL_GRADIENT_COLORS.into(),
            value: "[]".into(),
            reason: "a gradient needs at least one stop".into(),
        });
    }
    if let Some(bad) = stops
        .iter()
        .find(|s| !s.color.is_valid() || !(0.0..=1.0).contains(&s.stop))
    {
        return Err(Error::InvalidValue {
            key: keys::FILL_GRADIENT_COLORS.into(),
            value: format!("{bad:?}"),
            reason: "stops need an offset within 0..=1 and a valid colour".into(),
        });
    }
    Ok(())
}

/// The dash arrays a stroke accepts: finite, non-negative, not all zero.
pub(crate) fn check_dash_array(dashes: &[f32]) -> Result<()> {
    if dashes.iter().any(|d| !d.is_finite() || *d < 0.0)
        || (!dashes.is_empty() && dashes.iter().all(|d| *d == 0.0))
    {
        return Err(Error::InvalidValue {
            key: keys::STROKE_DASH_ARRAY.into(),
            value: format!("{dashes:?}"),
            reason: "dashes must be finite, non-negative and not all zero".into(),
        });
    }
    Ok(())
}
