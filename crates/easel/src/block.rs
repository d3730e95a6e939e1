//! `engine.block`: the scene graph's block calls, plus export and resource state.

use crate::Result;
use crate::engine::Shared;
use crate::export::{self, ExportOptions};
use crate::resources::ResourceState;
use easel_scene::{
    BlendMode, BlockId, BlockType, Color, ContentFillMode, Frame, GradientStop, LineCap, LineJoin,
    PropertyType, PropertyValue, StrokePosition, keys,
};
use std::sync::Arc;

/// `engine.block`: create blocks, read and write properties, arrange them, export them.
/// Methods mirror the reference engine's `engine.block` in snake_case.
#[derive(Clone)]
pub struct BlockApi {
    pub(crate) shared: Arc<Shared>,
}

impl BlockApi {
    delegate! {
        self => self.shared.graph();
        /// Creates a design block: `graphic`, `page`, `group`, `stack`, `scene` (short or long name).
        fn create(&self, type_name: &str) -> BlockId;
        /// Creates a shape block: `rect`, `ellipse`, `star`, `polygon`, `line`, `vector_path`.
        fn create_shape(&self, type_name: &str) -> BlockId;
        /// Creates a fill block: `color`, `gradient/linear`, `gradient/radial`, `gradient/conical`, `image`.
        fn create_fill(&self, type_name: &str) -> BlockId;
        /// The block's type.
        fn block_type(&self, id: BlockId) -> BlockType;
        /// The block's long type name, e.g. `//ly.img.ubq/graphic`.
        fn type_of(&self, id: BlockId) -> String;
        /// The block's name.
        fn name(&self, id: BlockId) -> String;
        /// Sets the block's name.
        fn set_name(&self, id: BlockId, name: &str) -> ();
        /// Reads a metadata entry.
        fn metadata(&self, id: BlockId, key: &str) -> Option<String>;
        /// Sets a metadata entry.
        fn set_metadata(&self, id: BlockId, key: &str, value: &str) -> ();
        /// Every property key of the block.
        fn find_all_properties(&self, id: BlockId) -> Vec<String>;
        /// The type of a property.
        fn property_type(&self, id: BlockId, key: &str) -> PropertyType;
        /// The allowed values of an enum property.
        fn enum_values(&self, id: BlockId, key: &str) -> Vec<String>;
        /// Reads a Bool property.
        fn get_bool(&self, id: BlockId, key: &str) -> bool;
        /// Reads an Int property.
        fn get_int(&self, id: BlockId, key: &str) -> i32;
        /// Writes an Int property.
        fn set_int(&self, id: BlockId, key: &str, value: i32) -> ();
        /// Reads a Double property.
        fn get_double(&self, id: BlockId, key: &str) -> f64;
        /// Writes a Double property.
        fn set_double(&self, id: BlockId, key: &str, value: f64) -> ();
        /// Reads a String property.
        fn get_string(&self, id: BlockId, key: &str) -> String;
        /// Writes a String property.
        fn set_string(&self, id: BlockId, key: &str, value: &str) -> ();
        /// Reads a Color property.
        fn get_color(&self, id: BlockId, key: &str) -> Color;
        /// Writes a Color property.
        fn set_color(&self, id: BlockId, key: &str, value: Color) -> ();
        /// Reads an Enum property.
        fn get_enum(&self, id: BlockId, key: &str) -> String;
        /// Writes an Enum property.
        fn set_enum(&self, id: BlockId, key: &str, value: &str) -> ();
        /// Width.
        fn width(&self, id: BlockId) -> f32;
        /// Height.
        fn height(&self, id: BlockId) -> f32;
        /// Opacity.
        fn opacity(&self, id: BlockId) -> f32;
        /// Sets the opacity.
        fn set_opacity(&self, id: BlockId, v: f32) -> ();
        /// How the block combines with what lies under it (`blend/mode`).
        fn blend_mode(&self, id: BlockId) -> BlendMode;
        /// Sets the blend mode.
        fn set_blend_mode(&self, id: BlockId, v: BlendMode) -> ();
        /// Visibility.
        fn is_visible(&self, id: BlockId) -> bool;
        /// Shows or hides the block.
        fn set_visible(&self, id: BlockId, v: bool) -> ();
        /// Horizontal flip.
        fn flip_horizontal(&self, id: BlockId) -> bool;
        /// Vertical flip.
        fn flip_vertical(&self, id: BlockId) -> bool;
        /// Gives a graphic its shape; returns the replaced shape.
        fn set_shape(&self, id: BlockId, shape: BlockId) -> Option<BlockId>;
        /// The graphic's shape.
        fn shape(&self, id: BlockId) -> Option<BlockId>;
        /// Gives a block its fill; returns the replaced fill.
        fn set_fill(&self, id: BlockId, fill: BlockId) -> Option<BlockId>;
        /// The block's fill.
        fn fill(&self, id: BlockId) -> Option<BlockId>;
        /// The colour of the block's colour fill.
        fn fill_color(&self, id: BlockId) -> Color;
        /// Sets the colour of the block's colour fill.
        fn set_fill_color(&self, id: BlockId, color: Color) -> ();
        /// Gradient stops of a gradient fill.
        fn gradient_color_stops(&self, fill: BlockId) -> Vec<GradientStop>;
        /// Sets the gradient stops of a gradient fill.
        fn set_gradient_color_stops(&self, fill: BlockId, stops: &[GradientStop]) -> ();
        /// Whether the stroke is drawn.
        fn stroke_enabled(&self, id: BlockId) -> bool;
        /// Enables the stroke.
        fn set_stroke_enabled(&self, id: BlockId, v: bool) -> ();
        /// Stroke width.
        fn stroke_width(&self, id: BlockId) -> f32;
        /// Sets the stroke width.
        fn set_stroke_width(&self, id: BlockId, v: f32) -> ();
        /// Stroke colour.
        fn stroke_color(&self, id: BlockId) -> Color;
        /// Sets the stroke colour.
        fn set_stroke_color(&self, id: BlockId, v: Color) -> ();
        /// Stroke position.
        fn stroke_position(&self, id: BlockId) -> StrokePosition;
        /// Sets the stroke position.
        fn set_stroke_position(&self, id: BlockId, v: StrokePosition) -> ();
        /// Stroke join.
        fn stroke_join(&self, id: BlockId) -> LineJoin;
        /// Sets the stroke join.
        fn set_stroke_join(&self, id: BlockId, v: LineJoin) -> ();
        /// Stroke cap.
        fn stroke_cap(&self, id: BlockId) -> LineCap;
        /// Sets the stroke cap.
        fn set_stroke_cap(&self, id: BlockId, v: LineCap) -> ();
        /// Stroke dash lengths.
        fn stroke_dash_array(&self, id: BlockId) -> Vec<f32>;
        /// Sets the stroke dash lengths.
        fn set_stroke_dash_array(&self, id: BlockId, dashes: &[f32]) -> ();
        /// Content fill mode.
        fn content_fill_mode(&self, id: BlockId) -> ContentFillMode;
        /// Sets the content fill mode.
        fn set_content_fill_mode(&self, id: BlockId, v: ContentFillMode) -> ();
        /// The parent.
        fn parent(&self, id: BlockId) -> Option<BlockId>;
        /// The children in z-order.
        fn children(&self, id: BlockId) -> Vec<BlockId>;
        /// Appends a child (moving it from an earlier parent).
        fn append_child(&self, parent: BlockId, child: BlockId) -> ();
        /// Inserts a child at an index.
        fn insert_child(&self, parent: BlockId, child: BlockId, index: usize) -> ();
        /// Detaches a block from its parent.
        fn detach(&self, id: BlockId) -> ();
        /// Destroys a block with its children, shape and fill.
        fn destroy(&self, id: BlockId) -> ();
        /// The block's kind (`page`, `group`, `text`, what `set_kind` set; graphics: empty).
        fn kind(&self, id: BlockId) -> String;
        /// Sets the block's kind.
        fn set_kind(&self, id: BlockId, kind: &str) -> ();
        /// Whether the block can have a fill.
        fn supports_fill(&self, id: BlockId) -> bool;
        /// Whether the block can have a shape.
        fn supports_shape(&self, id: BlockId) -> bool;
        /// Whether the block can have a stroke.
        fn supports_stroke(&self, id: BlockId) -> bool;
        /// Whether the block's content can be cropped (a graphic with an image fill).
        fn supports_crop(&self, id: BlockId) -> bool;
        /// Whether the block has a content fill mode.
        fn supports_content_fill_mode(&self, id: BlockId) -> bool;
        /// Whether the block's opacity can be set.
        fn supports_opacity(&self, id: BlockId) -> bool;
        /// Whether the block has a blend mode.
        fn supports_blend_mode(&self, id: BlockId) -> bool;
        /// Moves the block above all its siblings.
        fn bring_to_front(&self, id: BlockId) -> ();
        /// Moves the block below all its siblings.
        fn send_to_back(&self, id: BlockId) -> ();
        /// Moves the block one step up among its siblings.
        fn bring_forward(&self, id: BlockId) -> ();
        /// Moves the block one step down among its siblings.
        fn send_backward(&self, id: BlockId) -> ();
        /// Groups sibling graphics, texts or groups in place of the lowest; returns the group.
        fn group(&self, ids: &[BlockId]) -> BlockId;
        /// Dissolves a group into its parent, children where they were; returns them.
        fn ungroup(&self, group: BlockId) -> Vec<BlockId>;
        /// Deep-copies a block next to the original.
        fn duplicate(&self, id: BlockId) -> BlockId;
        /// Every block of a type.
        fn find_by_type(&self, type_name: &str) -> Vec<BlockId>;
        /// Saves blocks as JSON.
        fn save_blocks_to_string(&self, roots: &[BlockId]) -> String;
        /// Loads blocks saved by `save_blocks_to_string` (unattached).
        fn load_blocks_from_string(&self, json: &str) -> Vec<BlockId>;
    }

    /// Reads any property (computed ones, such as `globalBoundingBox/x`, from the current
    /// layout; `position/x`/`y` as the reference engine reports them, see
    /// [`Self::position_x`]).
    pub fn get_property(&self, id: BlockId, key: &str) -> Result<PropertyValue> {
        let graph = self.shared.laid_out_graph();
        Ok(match key {
            keys::POSITION_X => PropertyValue::Float(graph.reference_position(id)?.0),
            keys::POSITION_Y => PropertyValue::Float(graph.reference_position(id)?.1),
            keys::ROTATION => PropertyValue::Float(graph.reference_rotation(id)?),
            _ => graph.get_property(id, key)?,
        })
    }

    /// Writes any property (`position/x`/`y`, `width`/`height` and the flips with the
    /// reference engine's placement rules, see [`Self::position_x`]).
    pub fn set_property(&self, id: BlockId, key: &str, value: PropertyValue) -> Result<()> {
        match (key, &value) {
            (
                keys::POSITION_X | keys::POSITION_Y | keys::WIDTH | keys::HEIGHT,
                PropertyValue::Float(v),
            ) => self.set_float(id, key, *v),
            (keys::FLIP_HORIZONTAL | keys::FLIP_VERTICAL, PropertyValue::Bool(v)) => {
                self.set_bool(id, key, *v)
            }
            _ => Ok(self.shared.graph().set_property(id, key, value)?),
        }
    }

    /// Reads a Float property (computed ones from the current layout, `position/x`/`y` as
    /// the reference reports them).
    pub fn get_float(&self, id: BlockId, key: &str) -> Result<f32> {
        match key {
            keys::POSITION_X => self.position_x(id),
            keys::POSITION_Y => self.position_y(id),
            keys::ROTATION => self.rotation(id),
            _ => Ok(self.shared.laid_out_graph().get_float(id, key)?),
        }
    }

    /// Writes a Float property (`position/x`/`y` and `width`/`height` with the reference's
    /// placement rules).
    pub fn set_float(&self, id: BlockId, key: &str, value: f32) -> Result<()> {
        let mut graph = self.shared.graph();
        match key {
            keys::POSITION_X => {
                let (_, y) = graph.reference_position(id)?;
                graph.set_reference_position(id, (value, y))?;
            }
            keys::POSITION_Y => {
                let (x, _) = graph.reference_position(id)?;
                graph.set_reference_position(id, (x, value))?;
            }
            keys::WIDTH | keys::HEIGHT => graph.resize_keeping_position(id, key, value)?,
            keys::ROTATION => graph.set_reference_rotation(id, value)?,
            _ => graph.set_float(id, key, value)?,
        }
        Ok(())
    }

    /// Writes a Bool property (the flips mirror the block about its centre, as the
    /// reference's do).
    pub fn set_bool(&self, id: BlockId, key: &str, value: bool) -> Result<()> {
        let mut graph = self.shared.graph();
        match key {
            keys::FLIP_HORIZONTAL | keys::FLIP_VERTICAL => {
                graph.set_flip_mirroring(id, key, value)?
            }
            _ => graph.set_bool(id, key, value)?,
        }
        Ok(())
    }

    /// X position relative to the parent, as the reference engine reports it: where the
    /// block's local origin lands — its top-left corner, rotated and mirrored with the
    /// block (a 100×40 block at (100, 50) rotated by π/2 reads (170, 20); flipped
    /// horizontally, unrotated, (200, 50)); a group member's in the coordinates of its
    /// groups' parent, as if not grouped; a group's own, its unrotated top-left. Frames and
    /// `globalBoundingBox/*` are unchanged by this reading.
    pub fn position_x(&self, id: BlockId) -> Result<f32> {
        Ok(self.shared.graph().reference_position(id)?.0)
    }

    /// Rotation in radians about the centre; for a group member, its own plus its groups'
    /// (the reference reports members as if not grouped).
    pub fn rotation(&self, id: BlockId) -> Result<f32> {
        Ok(self.shared.graph().reference_rotation(id)?)
    }

    /// Sets the rotation in radians (as [`Self::rotation`] reads it), about the centre.
    pub fn set_rotation(&self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::ROTATION, v)
    }

    /// Y position relative to the parent, as [`Self::position_x`] reads it.
    pub fn position_y(&self, id: BlockId) -> Result<f32> {
        Ok(self.shared.graph().reference_position(id)?.1)
    }

    /// Sets the x position (the reference's reading, see [`Self::position_x`]).
    pub fn set_position_x(&self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::POSITION_X, v)
    }

    /// Sets the y position (the reference's reading, see [`Self::position_x`]).
    pub fn set_position_y(&self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::POSITION_Y, v)
    }

    /// Sets the width, keeping the position (so a rotated block grows from its origin
    /// corner, as in the reference).
    pub fn set_width(&self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::WIDTH, v)
    }

    /// Sets the height, keeping the position.
    pub fn set_height(&self, id: BlockId, v: f32) -> Result<()> {
        self.set_float(id, keys::HEIGHT, v)
    }

    /// Mirrors the block horizontally about its centre (a rotated block's rotation is
    /// negated, as the reference does, so the box stays where it was).
    pub fn set_flip_horizontal(&self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, keys::FLIP_HORIZONTAL, v)
    }

    /// Mirrors the block vertically about its centre.
    pub fn set_flip_vertical(&self, id: BlockId, v: bool) -> Result<()> {
        self.set_bool(id, keys::FLIP_VERTICAL, v)
    }

    /// Whether `group` would accept these blocks.
    pub fn is_groupable(&self, ids: &[BlockId]) -> bool {
        self.shared.graph().is_groupable(ids)
    }

    /// True while the block exists.
    pub fn is_valid(&self, id: BlockId) -> bool {
        self.shared.graph().is_valid(id)
    }

    /// Every live block.
    pub fn find_all(&self) -> Vec<BlockId> {
        self.shared.graph().find_all()
    }

    /// Every block with this name.
    pub fn find_by_name(&self, name: &str) -> Vec<BlockId> {
        self.shared.graph().find_by_name(name)
    }

    /// The block's global frame after layout.
    pub fn frame(&self, id: BlockId) -> Result<Frame> {
        crate::text::prepare(&self.shared)?;
        let mut graph = self.shared.graph();
        graph.layout();
        Ok(graph.frame(id)?)
    }

    /// Subscribes to block events (all blocks when `blocks` is empty).
    pub fn subscribe(
        &self,
        blocks: &[BlockId],
    ) -> crossbeam_channel::Receiver<easel_scene::BlockEvent> {
        self.shared.graph().subscribe(blocks)
    }

    /// Exports a block as image bytes. A page gives the page at its size; a graphic or group
    /// its bounding box (transparent around the shape); a scene or stack every page as laid
    /// out. Fails — writing nothing — if a needed image cannot be fetched or decoded, naming
    /// the block, the URI and the cause.
    pub fn export(&self, id: BlockId, options: &ExportOptions) -> Result<Vec<u8>> {
        export::export(&self.shared, id, options)
    }

    /// The display list an export of `id` would render, with its images uploaded to this
    /// engine's renderer: draw it with [`crate::Engine::renderer`] (`render(&list)`), inspect
    /// it, or save it as a reference case. Text arrives as glyph outlines.
    pub fn display_list(
        &self,
        id: BlockId,
        options: &ExportOptions,
    ) -> Result<easel_render::DisplayList> {
        Ok(export::display_list(&self.shared, id, options)?.1)
    }

    /// Loads the images the block and its children need, so `state` reports Ready or Error.
    pub fn force_load_resources(&self, ids: &[BlockId]) -> Result<()> {
        let mut uris = Vec::new();
        {
            let mut graph = self.shared.graph();
            graph.layout();
            for id in ids {
                uris.extend(
                    crate::compile::image_uris(&graph, *id)?
                        .into_iter()
                        .map(|(_, u)| u),
                );
            }
        }
        let settings = self.shared.settings();
        self.shared
            .resources
            .load_images(&uris, &settings, self.shared.resolver().as_ref());
        Ok(())
    }

    /// Whether the block's image (if any) is loaded, pending, or failed.
    pub fn state(&self, id: BlockId) -> Result<ResourceState> {
        let graph = self.shared.graph();
        let fill = match graph.block_type(id)? {
            BlockType::Fill(_) => Some(id),
            _ => graph.fill(id).ok().flatten(),
        };
        let uri = match fill {
            Some(f) if graph.block_type(f)? == BlockType::Fill(easel_scene::FillKind::Image) => {
                graph.get_string(f, easel_scene::keys::FILL_IMAGE_URI)?
            }
            _ => return Ok(ResourceState::Ready),
        };
        drop(graph);
        if uri.is_empty() {
            return Ok(ResourceState::Ready);
        }
        let settings = self.shared.settings();
        Ok(self
            .shared
            .resources
            .state(&uri, &settings, self.shared.resolver().as_ref()))
    }
}
