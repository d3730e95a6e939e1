//! Typed helpers over the property keys, and the scene-level calls.

use crate::graph::CreatedScene;
use crate::{BlockId, BlockType, Color, Error, GradientStop, Result, SceneGraph};

macro_rules! key_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize)]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// The value's name as stored in the enum property.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }

            /// Parses the name stored in the enum property.
            pub fn parse(value: &str) -> Option<Self> {
                match value {
                    $(stringify!($variant) => Some($name::$variant),)+
                    _ => None,
                }
            }
        }
    };
}

key_enum! {
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

key_enum! {
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

key_enum! {
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

key_enum! {
    /// Where a stroke lies relative to the outline (`stroke/position`).
    StrokePosition {
        /// Inside the shape.
        Inner,
        /// Centred on the outline (the default).
        #[default]
        Center,
        /// Outside the shape.
        Outer,
    }
}

key_enum! {
    /// How stroke segments join (`stroke/cornerGeometry`).
    StrokeJoin {
        /// Sharp corners up to the miter limit (the default).
        #[default]
        Miter,
        /// Cut corners.
        Bevel,
        /// Rounded corners.
        Round,
    }
}

key_enum! {
    /// How open stroke ends and dashes end (`stroke/cap`).
    StrokeCap {
        /// Flat at the end point (the default).
        #[default]
        Butt,
        /// A half circle.
        Round,
        /// A half square.
        Square,
    }
}

key_enum! {
    /// How a scene arranges its pages (`scene/layout`).
    SceneLayout {
        /// Pages keep their own positions.
        Free,
        /// Pages stacked top to bottom (the default).
        #[default]
        VerticalStack,
        /// Pages side by side, left to right.
        HorizontalStack,
        /// Pages on top of each other.
        DepthStack,
    }
}

key_enum! {
    /// Fill rule for vector paths (`shape/vector_path/fillRule`).
    FillRule {
        /// Non-zero winding (the default).
        #[default]
        NonZero,
        /// Even-odd.
        EvenOdd,
    }
}

fn enum_of<T>(value: String, parse: impl Fn(&str) -> Option<T>, key: &str) -> Result<T> {
    parse(&value).ok_or_else(|| Error::InvalidValue {
        key: key.to_string(),
        value,
        reason: "unknown stored enum value".into(),
    })
}

impl SceneGraph {
    /// Creates a scene (scene → stack → page) replacing any earlier one, and returns its
    /// blocks. `page_size` defaults to 100×100. The page is filled with opaque white.
    pub fn create_scene(
        &mut self,
        layout: SceneLayout,
        page_size: Option<(f32, f32)>,
    ) -> Result<CreatedScene> {
        let (w, h) = page_size.unwrap_or((100.0, 100.0));
        for (key, v) in [("width", w), ("height", h)] {
            if !v.is_finite() || v <= 0.0 {
                return Err(Error::InvalidValue {
                    key: format!("page {key}"),
                    value: v.to_string(),
                    reason: "a page size must be finite and positive".into(),
                });
            }
        }
        if let Some(old) = self.scene {
            self.destroy(old)?;
        }
        let scene = self.create_typed(BlockType::Scene);
        self.set_enum(scene, "scene/layout", layout.as_str())?;
        let stack = self.create_typed(BlockType::Stack);
        self.append_child(scene, stack)?;
        let page = self.create_typed(BlockType::Page);
        self.set_width(page, w)?;
        self.set_height(page, h)?;
        self.append_child(stack, page)?;
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
        enum_of(
            self.get_enum(scene, "scene/layout")?,
            SceneLayout::parse,
            "scene/layout",
        )
    }

    /// Changes the current scene's layout.
    pub fn set_scene_layout(&mut self, layout: SceneLayout) -> Result<()> {
        let scene = self.scene.ok_or(Error::NoScene)?;
        self.set_enum(scene, "scene/layout", layout.as_str())
    }

    /// The pages of the current scene, in order (stack children, then direct children).
    pub fn pages(&self) -> Result<Vec<BlockId>> {
        let scene = self.scene.ok_or(Error::NoScene)?;
        let mut pages = Vec::new();
        for child in &self.block(scene)?.children {
            match self.block(*child)?.ty {
                BlockType::Page => pages.push(*child),
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
        self.get_float(id, "width")
    }
    /// Sets the width (finite, ≥ 0).
    pub fn set_width(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, "width", v)
    }
    /// Height of a design block.
    pub fn height(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, "height")
    }
    /// Sets the height (finite, ≥ 0).
    pub fn set_height(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, "height", v)
    }
    /// X position relative to the parent.
    pub fn position_x(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, "position/x")
    }
    /// Sets the x position relative to the parent.
    pub fn set_position_x(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, "position/x", v)
    }
    /// Y position relative to the parent.
    pub fn position_y(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, "position/y")
    }
    /// Sets the y position relative to the parent.
    pub fn set_position_y(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, "position/y", v)
    }
    /// Rotation in radians about the block's centre.
    pub fn rotation(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, "rotation")
    }
    /// Sets the rotation in radians about the block's centre.
    pub fn set_rotation(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, "rotation", v)
    }
    /// Opacity in 0..=1.
    pub fn opacity(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, "opacity")
    }
    /// Sets the opacity (0..=1).
    pub fn set_opacity(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, "opacity", v)
    }
    /// Whether the block is drawn.
    pub fn is_visible(&self, id: BlockId) -> Result<bool> {
        self.get_bool(id, "visible")
    }
    /// Shows or hides the block.
    pub fn set_visible(&mut self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, "visible", v)
    }
    /// Whether the block is mirrored horizontally.
    pub fn flip_horizontal(&self, id: BlockId) -> Result<bool> {
        self.get_bool(id, "flip/horizontal")
    }
    /// Mirrors the block horizontally.
    pub fn set_flip_horizontal(&mut self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, "flip/horizontal", v)
    }
    /// Whether the block is mirrored vertically.
    pub fn flip_vertical(&self, id: BlockId) -> Result<bool> {
        self.get_bool(id, "flip/vertical")
    }
    /// Mirrors the block vertically.
    pub fn set_flip_vertical(&mut self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, "flip/vertical", v)
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
        self.set_owned(id, shape, true)
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
        self.get_color(self.color_fill_of(id)?, "fill/color/value")
    }

    /// Sets the colour of a block's colour fill.
    pub fn set_fill_color(&mut self, id: BlockId, color: Color) -> Result<()> {
        let fill = self.color_fill_of(id)?;
        self.set_color(fill, "fill/color/value", color)
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
        if stops.is_empty() {
            return Err(Error::InvalidValue {
                key: "fill/gradient/colors".into(),
                value: "[]".into(),
                reason: "a gradient needs at least one stop".into(),
            });
        }
        if let Some(bad) = stops
            .iter()
            .find(|s| !s.color.is_valid() || !(0.0..=1.0).contains(&s.stop))
        {
            return Err(Error::InvalidValue {
                key: "fill/gradient/colors".into(),
                value: format!("{bad:?}"),
                reason: "stops need an offset within 0..=1 and a valid colour".into(),
            });
        }
        let mut sorted = stops.to_vec();
        sorted.sort_by(|a, b| a.stop.total_cmp(&b.stop));
        self.block_mut(fill)?.gradient_stops = sorted;
        self.touched(fill);
        Ok(())
    }

    /// Whether the block's stroke is drawn.
    pub fn stroke_enabled(&self, id: BlockId) -> Result<bool> {
        self.get_bool(id, "stroke/enabled")
    }
    /// Enables or disables the stroke.
    pub fn set_stroke_enabled(&mut self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, "stroke/enabled", v)
    }
    /// Stroke width.
    pub fn stroke_width(&self, id: BlockId) -> Result<f32> {
        self.get_float(id, "stroke/width")
    }
    /// Sets the stroke width (finite, ≥ 0).
    pub fn set_stroke_width(&mut self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, "stroke/width", v)
    }
    /// Stroke colour.
    pub fn stroke_color(&self, id: BlockId) -> Result<Color> {
        self.get_color(id, "stroke/color")
    }
    /// Sets the stroke colour.
    pub fn set_stroke_color(&mut self, id: BlockId, v: Color) -> Result<()> {
        self.set_color(id, "stroke/color", v)
    }
    /// Stroke position.
    pub fn stroke_position(&self, id: BlockId) -> Result<StrokePosition> {
        let key = "stroke/position";
        enum_of(self.get_enum(id, key)?, StrokePosition::parse, key)
    }
    /// Sets the stroke position.
    pub fn set_stroke_position(&mut self, id: BlockId, v: StrokePosition) -> Result<()> {
        self.set_enum(id, "stroke/position", v.as_str())
    }
    /// Stroke join.
    pub fn stroke_join(&self, id: BlockId) -> Result<StrokeJoin> {
        let key = "stroke/cornerGeometry";
        enum_of(self.get_enum(id, key)?, StrokeJoin::parse, key)
    }
    /// Sets the stroke join.
    pub fn set_stroke_join(&mut self, id: BlockId, v: StrokeJoin) -> Result<()> {
        self.set_enum(id, "stroke/cornerGeometry", v.as_str())
    }
    /// Stroke cap.
    pub fn stroke_cap(&self, id: BlockId) -> Result<StrokeCap> {
        let key = "stroke/cap";
        enum_of(self.get_enum(id, key)?, StrokeCap::parse, key)
    }
    /// Sets the stroke cap.
    pub fn set_stroke_cap(&mut self, id: BlockId, v: StrokeCap) -> Result<()> {
        self.set_enum(id, "stroke/cap", v.as_str())
    }
    /// Dash lengths (empty: a solid stroke).
    pub fn stroke_dash_array(&self, id: BlockId) -> Result<Vec<f32>> {
        self.get_bool(id, "stroke/enabled")?;
        Ok(self.block(id)?.dash_array.clone())
    }
    /// Sets the dash lengths: finite, ≥ 0, not all zero; empty means solid.
    pub fn set_stroke_dash_array(&mut self, id: BlockId, dashes: &[f32]) -> Result<()> {
        self.get_bool(id, "stroke/enabled")?;
        if dashes.iter().any(|d| !d.is_finite() || *d < 0.0)
            || (!dashes.is_empty() && dashes.iter().all(|d| *d == 0.0))
        {
            return Err(Error::InvalidValue {
                key: "stroke/dashArray".into(),
                value: format!("{dashes:?}"),
                reason: "dashes must be finite, non-negative and not all zero".into(),
            });
        }
        self.block_mut(id)?.dash_array = dashes.to_vec();
        self.touched(id);
        Ok(())
    }

    /// Content fill mode of a block with an image fill.
    pub fn content_fill_mode(&self, id: BlockId) -> Result<ContentFillMode> {
        let key = "contentFill/mode";
        enum_of(self.get_enum(id, key)?, ContentFillMode::parse, key)
    }
    /// Sets the content fill mode.
    pub fn set_content_fill_mode(&mut self, id: BlockId, v: ContentFillMode) -> Result<()> {
        self.set_enum(id, "contentFill/mode", v.as_str())
    }
}
