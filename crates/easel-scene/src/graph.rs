//! The block store: creation, lookup, and property access by key.

use crate::events::EventHub;
use crate::keys;
use crate::layout::Frame;
use crate::schema::{Computed, Schema, schema};
use crate::{
    Access, BlockEvent, BlockEventKind, BlockId, BlockType, Color, Error, GradientStop,
    PropertySpec, PropertyType, PropertyValue, Result,
};
use std::collections::BTreeMap;

/// One block's data. Properties are stored sparsely: only values that differ from the
/// schema default, so 100,000 graphics stay small.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Block {
    pub ty: BlockType,
    pub parent: Option<BlockId>,
    pub children: Vec<BlockId>,
    /// For shapes and fills: the block that uses it.
    pub owner: Option<BlockId>,
    pub shape: Option<BlockId>,
    pub fill: Option<BlockId>,
    pub props: Vec<(u16, PropertyValue)>,
    pub metadata: BTreeMap<String, String>,
    /// The block's kind when set (`set_kind`); otherwise its type's default.
    pub kind: Option<String>,
    pub gradient_stops: Vec<GradientStop>,
    pub dash_array: Vec<f32>,
    pub frame: Frame,
    /// Its `uuid` (see [`crate::id::new_uuid`]).
    pub uuid: u128,
    /// Text blocks' runs, typeface and measured size.
    pub text: Option<Box<crate::text::TextData>>,
}

impl Block {
    pub fn new(ty: BlockType) -> Self {
        Block {
            ty,
            parent: None,
            children: Vec::new(),
            owner: None,
            shape: None,
            fill: None,
            props: Vec::new(),
            metadata: BTreeMap::new(),
            kind: None,
            gradient_stops: default_stops(ty),
            dash_array: Vec::new(),
            frame: Frame::default(),
            uuid: crate::id::new_uuid(),
            text: None,
        }
    }

    pub fn stored(&self, index: u16) -> Option<&PropertyValue> {
        self.props.iter().find(|(i, _)| *i == index).map(|(_, v)| v)
    }

    pub fn store(&mut self, index: u16, value: PropertyValue, default: &PropertyValue) {
        let pos = self.props.iter().position(|(i, _)| *i == index);
        match (pos, &value == default) {
            (Some(p), true) => {
                self.props.swap_remove(p);
            }
            (Some(p), false) => self.props[p].1 = value,
            (None, true) => {}
            (None, false) => self.props.push((index, value)),
        }
    }
}

fn default_stops(ty: BlockType) -> Vec<GradientStop> {
    match ty {
        BlockType::Fill(k) if k != crate::FillKind::Color && k != crate::FillKind::Image => vec![
            GradientStop {
                color: Color::rgb(0.2, 0.2, 0.2),
                stop: 0.0,
            },
            GradientStop {
                color: Color::rgb(0.8, 0.8, 0.8),
                stop: 1.0,
            },
        ],
        _ => Vec::new(),
    }
}

#[derive(Clone, Debug, Default)]
pub(crate) struct Slot {
    pub generation: u32,
    pub block: Option<Block>,
}

/// What [`SceneGraph::create_scene`] built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct CreatedScene {
    /// The scene block.
    pub scene: BlockId,
    /// The stack that holds the pages.
    pub stack: BlockId,
    /// The first page: made when a page size was given (the reference engine makes none
    /// without one).
    pub page: Option<BlockId>,
}

impl CreatedScene {
    /// The first page, or an error naming the scene when it was created without a page
    /// size (and so has none).
    pub fn page(&self) -> Result<BlockId> {
        self.page.ok_or_else(|| Error::InvalidValue {
            key: "page".into(),
            value: format!("none in scene {}", self.scene),
            reason: "the scene was created without a page size, so it has no page".into(),
        })
    }
}

/// All blocks of one engine: the current scene plus any blocks not (yet) attached to it.
///
/// Not `Sync`: one owner mutates it (the facade wraps it for sharing). It is `Send`.
#[derive(Debug, Default)]
pub struct SceneGraph {
    pub(crate) slots: Vec<Slot>,
    pub(crate) free: Vec<u32>,
    pub(crate) scene: Option<BlockId>,
    pub(crate) events: EventHub,
    pub(crate) layout_dirty: bool,
    /// The pixel size of each block's image fill, once an export loaded it: Cover and
    /// Contain fit their crop to it when the crop's rotation or the mode changes.
    pub(crate) fill_images: std::collections::HashMap<BlockId, (u32, u32)>,
    /// Pages created here whose position was never set nor placed by a layout: a Free
    /// scene places them beside its other pages (see `SceneGraph::place_new_pages`).
    pub(crate) unplaced_pages: std::collections::HashSet<BlockId>,
}

impl SceneGraph {
    /// An empty graph with no scene.
    pub fn new() -> Self {
        Self::default()
    }

    pub(crate) fn block(&self, id: BlockId) -> Result<&Block> {
        // A match, not `ok_or`: the error is built only when the id is bad (this runs
        // for every property read).
        match self
            .slots
            .get(id.index as usize)
            .filter(|s| s.generation == id.generation)
            .and_then(|s| s.block.as_ref())
        {
            Some(block) => Ok(block),
            None => Err(Error::UnknownBlock(id)),
        }
    }

    pub(crate) fn block_mut(&mut self, id: BlockId) -> Result<&mut Block> {
        // A match, not `ok_or`: the error is built only when the id is bad (this runs
        // for every property read).
        match self
            .slots
            .get_mut(id.index as usize)
            .filter(|s| s.generation == id.generation)
            .and_then(|s| s.block.as_mut())
        {
            Some(block) => Ok(block),
            None => Err(Error::UnknownBlock(id)),
        }
    }

    pub(crate) fn insert(&mut self, block: Block) -> BlockId {
        let id = match self.free.pop() {
            Some(index) => {
                let slot = &mut self.slots[index as usize];
                slot.block = Some(block);
                BlockId {
                    index,
                    generation: slot.generation,
                }
            }
            None => {
                self.slots.push(Slot {
                    generation: 0,
                    block: Some(block),
                });
                BlockId {
                    index: (self.slots.len() - 1) as u32,
                    generation: 0,
                }
            }
        };
        self.layout_dirty = true;
        self.emit(BlockEventKind::Created, id);
        id
    }

    /// Frees the slot of one block (no recursion, no parent bookkeeping).
    pub(crate) fn remove_slot(&mut self, id: BlockId) {
        if let Some(slot) = self.slots.get_mut(id.index as usize)
            && slot.generation == id.generation
            && slot.block.take().is_some()
        {
            slot.generation = slot.generation.wrapping_add(1);
            self.free.push(id.index);
            self.fill_images.remove(&id);
            self.unplaced_pages.remove(&id);
            self.layout_dirty = true;
            self.emit(BlockEventKind::Destroyed, id);
        }
    }

    pub(crate) fn emit(&mut self, kind: BlockEventKind, block: BlockId) {
        self.events.send(BlockEvent { kind, block });
    }

    pub(crate) fn touched(&mut self, id: BlockId) {
        self.layout_dirty = true;
        self.emit(BlockEventKind::Updated, id);
    }

    /// Creates a design block: `scene`, `stack`, `page`, `graphic` or `group`, short or long name.
    /// A new page gets an opaque white colour fill, as the reference engine does.
    pub fn create(&mut self, type_name: &str) -> Result<BlockId> {
        let ty = BlockType::parse(type_name)?;
        if !ty.is_design_block() {
            return Err(Error::NotADesignBlock(ty.long_name()));
        }
        Ok(self.create_typed(ty))
    }

    pub(crate) fn create_typed(&mut self, ty: BlockType) -> BlockId {
        let id = self.insert(Block::new(ty));
        if ty == BlockType::Page {
            self.unplaced_pages.insert(id);
            let fill = self.insert(Block::new(BlockType::Fill(crate::FillKind::Color)));
            let _ = self.set_color(fill, keys::FILL_COLOR_VALUE, Color::WHITE);
            if let Ok(b) = self.block_mut(fill) {
                b.owner = Some(id);
            }
            if let Ok(b) = self.block_mut(id) {
                b.fill = Some(fill);
            }
        }
        id
    }

    /// Creates a shape block: `rect`, `ellipse`, `star`, `polygon`, `line`, `vector_path`.
    pub fn create_shape(&mut self, type_name: &str) -> Result<BlockId> {
        let kind = BlockType::parse_shape(type_name)?;
        Ok(self.insert(Block::new(BlockType::Shape(kind))))
    }

    /// Creates a fill block: `color`, `gradient/linear`, `gradient/radial`,
    /// `gradient/conical`, `image`.
    pub fn create_fill(&mut self, type_name: &str) -> Result<BlockId> {
        let kind = BlockType::parse_fill(type_name)?;
        Ok(self.insert(Block::new(BlockType::Fill(kind))))
    }

    /// True while the block exists.
    pub fn is_valid(&self, id: BlockId) -> bool {
        self.block(id).is_ok()
    }

    /// The block's type.
    pub fn block_type(&self, id: BlockId) -> Result<BlockType> {
        Ok(self.block(id)?.ty)
    }

    /// The block's long type name, e.g. `//ly.img.ubq/graphic`.
    pub fn type_of(&self, id: BlockId) -> Result<String> {
        Ok(self.block(id)?.ty.long_name())
    }

    /// The block's name (empty by default).
    pub fn name(&self, id: BlockId) -> Result<String> {
        self.get_string(id, keys::NAME)
    }

    /// Sets the block's name.
    pub fn set_name(&mut self, id: BlockId, name: &str) -> Result<()> {
        self.set_string(id, keys::NAME, name)
    }

    /// Reads one string metadata entry.
    pub fn metadata(&self, id: BlockId, key: &str) -> Result<Option<String>> {
        Ok(self.block(id)?.metadata.get(key).cloned())
    }

    /// Sets one string metadata entry.
    pub fn set_metadata(&mut self, id: BlockId, key: &str, value: &str) -> Result<()> {
        self.block_mut(id)?
            .metadata
            .insert(key.to_string(), value.to_string());
        self.touched(id);
        Ok(())
    }

    /// Removes one metadata entry, returning its old value.
    pub fn remove_metadata(&mut self, id: BlockId, key: &str) -> Result<Option<String>> {
        let old = self.block_mut(id)?.metadata.remove(key);
        self.touched(id);
        Ok(old)
    }

    /// All metadata keys of the block, sorted.
    pub fn metadata_keys(&self, id: BlockId) -> Result<Vec<String>> {
        Ok(self.block(id)?.metadata.keys().cloned().collect())
    }

    /// Every property key of the block's type, sorted.
    pub fn find_all_properties(&self, id: BlockId) -> Result<Vec<String>> {
        let ty = self.block(id)?.ty;
        Ok(schema(ty).specs.iter().map(|s| s.key.to_string()).collect())
    }

    /// The full spec of one property.
    pub fn property_spec(&self, id: BlockId, key: &str) -> Result<PropertySpec> {
        let (schema, index) = self.lookup(id, key)?;
        Ok(schema.specs[index as usize].clone())
    }

    /// The type of one property.
    pub fn property_type(&self, id: BlockId, key: &str) -> Result<PropertyType> {
        Ok(self.property_spec(id, key)?.ty)
    }

    /// The allowed values of an enum property.
    pub fn enum_values(&self, id: BlockId, key: &str) -> Result<Vec<String>> {
        let spec = self.property_spec(id, key)?;
        if spec.ty != PropertyType::Enum {
            return Err(Error::WrongPropertyType {
                key: key.to_string(),
                expected: spec.ty.getter().to_string(),
                found: spec.ty,
            });
        }
        Ok(spec.enum_values.iter().map(|s| s.to_string()).collect())
    }

    /// True when the property exists and can be written.
    pub fn is_property_writable(&self, id: BlockId, key: &str) -> Result<bool> {
        Ok(self.property_spec(id, key)?.access == Access::ReadWrite)
    }

    fn lookup(&self, id: BlockId, key: &str) -> Result<(&'static Schema, u16)> {
        let ty = self.block(id)?.ty;
        let schema = schema(ty);
        let index = schema.index(key).ok_or_else(|| Error::UnknownProperty {
            block: id,
            block_type: ty.long_name(),
            key: key.to_string(),
        })?;
        Ok((schema, index))
    }

    /// A stored (or default) property without copying it; `None` for computed properties.
    pub(crate) fn stored_property(&self, id: BlockId, key: &str) -> Result<Option<&PropertyValue>> {
        let (schema, index) = self.lookup(id, key)?;
        let spec = &schema.specs[index as usize];
        if spec.computed != Computed::Stored {
            return Ok(None);
        }
        Ok(Some(self.block(id)?.stored(index).unwrap_or(&spec.default)))
    }

    /// Reads any property as a [`PropertyValue`].
    pub fn get_property(&self, id: BlockId, key: &str) -> Result<PropertyValue> {
        let (schema, index) = self.lookup(id, key)?;
        let spec = &schema.specs[index as usize];
        let block = self.block(id)?;
        let f = &block.frame;
        Ok(match spec.computed {
            Computed::Stored => block
                .stored(index)
                .cloned()
                .unwrap_or_else(|| spec.default.clone()),
            Computed::TypeName => PropertyValue::String(block.ty.long_name()),
            Computed::Uuid => PropertyValue::String(crate::id::format_uuid(block.uuid)),
            Computed::LastFrameX => PropertyValue::Float(self.last_frame(id)?.0),
            Computed::LastFrameY => PropertyValue::Float(self.last_frame(id)?.1),
            Computed::LastFrameWidth => PropertyValue::Float(self.last_frame(id)?.2),
            Computed::LastFrameHeight => PropertyValue::Float(self.last_frame(id)?.3),
            Computed::CropScaleRatio => PropertyValue::Float(self.crop(id)?.scale_ratio()),
            Computed::GlobalX => PropertyValue::Float(f.bounds_x),
            Computed::GlobalY => PropertyValue::Float(f.bounds_y),
            Computed::GlobalWidth => PropertyValue::Float(f.bounds_width),
            Computed::GlobalHeight => PropertyValue::Float(f.bounds_height),
            Computed::HasClippedLines => PropertyValue::Bool(
                block
                    .text
                    .as_ref()
                    .and_then(|t| t.measure)
                    .is_some_and(|m| m.has_clipped_lines),
            ),
        })
    }

    /// Writes any property after checking type, access, range and enum values. A failed
    /// write changes nothing.
    pub fn set_property(&mut self, id: BlockId, key: &str, value: PropertyValue) -> Result<()> {
        let (schema, index) = self.lookup(id, key)?;
        let spec = &schema.specs[index as usize];
        if spec.ty != value.property_type() {
            return Err(Error::WrongPropertyType {
                key: key.to_string(),
                expected: spec.ty.setter().to_string(),
                found: spec.ty,
            });
        }
        if spec.access == Access::ReadOnly {
            return Err(Error::ReadOnly {
                key: key.to_string(),
            });
        }
        validate(spec, &value)?;
        if self.set_crop_property(id, key, &value)? {
            return Ok(());
        }
        if key == keys::POSITION_X || key == keys::POSITION_Y {
            self.unplaced_pages.remove(&id);
        }
        let rescale = match (&value, key == keys::SCENE_DPI) {
            (PropertyValue::Float(new), true) => Some(self.get_float(id, key)? / *new),
            _ => None,
        };
        self.block_mut(id)?.store(index, value, &spec.default);
        self.touched(id);
        if let Some(factor) = rescale {
            self.keep_text_pixel_sizes(factor)?;
        }
        Ok(())
    }

    /// Stores a value the caller has checked, without the setters' own rules (access,
    /// side effects): what those rules write.
    pub(crate) fn store_value(
        &mut self,
        id: BlockId,
        key: &str,
        value: PropertyValue,
    ) -> Result<()> {
        let (schema, index) = self.lookup(id, key)?;
        let spec = &schema.specs[index as usize];
        self.block_mut(id)?.store(index, value, &spec.default);
        self.touched(id);
        Ok(())
    }

    fn get_typed<T>(
        &self,
        id: BlockId,
        key: &str,
        ty: PropertyType,
        pick: impl FnOnce(&PropertyValue) -> Option<T>,
    ) -> Result<T> {
        // Stored values are read in place (the hot path: exports read every block's).
        let (schema, index) = self.lookup(id, key)?;
        let spec = &schema.specs[index as usize];
        let computed;
        let value = match spec.computed {
            Computed::Stored => self.block(id)?.stored(index).unwrap_or(&spec.default),
            _ => {
                computed = self.get_property(id, key)?;
                &computed
            }
        };
        let found = value.property_type();
        if found != ty {
            return Err(Error::WrongPropertyType {
                key: key.to_string(),
                expected: found.getter().to_string(),
                found,
            });
        }
        pick(value).ok_or_else(|| Error::WrongPropertyType {
            key: key.to_string(),
            expected: found.getter().to_string(),
            found,
        })
    }

    /// Reads a Bool property.
    pub fn get_bool(&self, id: BlockId, key: &str) -> Result<bool> {
        self.get_typed(id, key, PropertyType::Bool, |v| match v {
            PropertyValue::Bool(b) => Some(*b),
            _ => None,
        })
    }
    /// Reads an Int property.
    pub fn get_int(&self, id: BlockId, key: &str) -> Result<i32> {
        self.get_typed(id, key, PropertyType::Int, |v| match v {
            PropertyValue::Int(b) => Some(*b),
            _ => None,
        })
    }
    /// Reads a Float property.
    pub fn get_float(&self, id: BlockId, key: &str) -> Result<f32> {
        self.get_typed(id, key, PropertyType::Float, |v| match v {
            PropertyValue::Float(b) => Some(*b),
            _ => None,
        })
    }
    /// Reads a Double property.
    pub fn get_double(&self, id: BlockId, key: &str) -> Result<f64> {
        self.get_typed(id, key, PropertyType::Double, |v| match v {
            PropertyValue::Double(b) => Some(*b),
            _ => None,
        })
    }
    /// Reads a String property.
    pub fn get_string(&self, id: BlockId, key: &str) -> Result<String> {
        self.get_typed(id, key, PropertyType::String, |v| match v {
            PropertyValue::String(b) => Some(b.clone()),
            _ => None,
        })
    }
    /// Reads a Color property.
    pub fn get_color(&self, id: BlockId, key: &str) -> Result<Color> {
        self.get_typed(id, key, PropertyType::Color, |v| match v {
            PropertyValue::Color(b) => Some(*b),
            _ => None,
        })
    }
    /// Reads an Enum property.
    pub fn get_enum(&self, id: BlockId, key: &str) -> Result<String> {
        self.get_typed(id, key, PropertyType::Enum, |v| match v {
            PropertyValue::Enum(b) => Some(b.clone()),
            _ => None,
        })
    }

    /// Writes a Bool property.
    pub fn set_bool(&mut self, id: BlockId, key: &str, value: bool) -> Result<()> {
        self.set_property(id, key, PropertyValue::Bool(value))
    }
    /// Writes an Int property.
    pub fn set_int(&mut self, id: BlockId, key: &str, value: i32) -> Result<()> {
        self.set_property(id, key, PropertyValue::Int(value))
    }
    /// Writes a Float property.
    pub fn set_float(&mut self, id: BlockId, key: &str, value: f32) -> Result<()> {
        self.set_property(id, key, PropertyValue::Float(value))
    }
    /// Writes a Double property.
    pub fn set_double(&mut self, id: BlockId, key: &str, value: f64) -> Result<()> {
        self.set_property(id, key, PropertyValue::Double(value))
    }
    /// Writes a String property.
    pub fn set_string(&mut self, id: BlockId, key: &str, value: &str) -> Result<()> {
        self.set_property(id, key, PropertyValue::String(value.to_string()))
    }
    /// Writes a Color property (components must be finite and within 0..=1).
    pub fn set_color(&mut self, id: BlockId, key: &str, value: Color) -> Result<()> {
        self.set_property(id, key, PropertyValue::Color(value))
    }
    /// Writes an Enum property (the value must be one of [`Self::enum_values`]).
    pub fn set_enum(&mut self, id: BlockId, key: &str, value: &str) -> Result<()> {
        self.set_property(id, key, PropertyValue::Enum(value.to_string()))
    }
}

pub(crate) fn validate(spec: &PropertySpec, value: &PropertyValue) -> Result<()> {
    let bad = |reason: String| Error::InvalidValue {
        key: spec.key.to_string(),
        value: value.to_string(),
        reason,
    };
    let number = match value {
        PropertyValue::Int(i) => Some(*i as f64),
        PropertyValue::Float(f) => Some(*f as f64),
        PropertyValue::Double(d) => Some(*d),
        PropertyValue::Color(c) if !c.is_valid() => {
            return Err(bad(
                "colour components must be finite and within 0..=1".into()
            ));
        }
        PropertyValue::Enum(e) if !spec.enum_values.contains(&e.as_str()) => {
            return Err(Error::InvalidEnumValue {
                key: spec.key.to_string(),
                value: e.clone(),
                allowed: spec.enum_values.iter().map(|s| s.to_string()).collect(),
            });
        }
        _ => None,
    };
    if let Some(n) = number {
        if !n.is_finite() {
            return Err(bad("the number must be finite".into()));
        }
        if let PropertyValue::Float(f) = value
            && !f.is_finite()
        {
            return Err(bad("the number must be finite".into()));
        }
        if let Some((lo, hi)) = spec.range
            && !(lo..=hi).contains(&n)
        {
            let range = match (lo == f64::MIN, hi == f64::MAX) {
                (true, true) => "any finite number".to_string(),
                (false, true) => format!("at least {lo}"),
                (true, false) => format!("at most {hi}"),
                (false, false) => format!("within {lo}..={hi}"),
            };
            return Err(bad(format!("must be {range}")));
        }
    }
    Ok(())
}
