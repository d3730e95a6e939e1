//! Per-type property schemas, using the reference engine's key names.

use crate::{
    BlendMode, BlockType, Color, ContentFillMode, DesignUnit, FillKind, FillRule,
    HorizontalAlignment, LineCap, LineJoin, PropertyType, PropertyValue, SceneLayout, ShapeKind,
    StrokePosition, VerticalAlignment, keys,
};
use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

/// Whether a property may be read and written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Access {
    /// Readable and writable.
    ReadWrite,
    /// Readable only (computed or fixed by the type).
    ReadOnly,
}

/// Where a read-only property's value comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Computed {
    /// The value is stored (or is the default).
    Stored,
    /// The block's long type name.
    TypeName,
    /// Global bounding box components from the last layout.
    GlobalX,
    GlobalY,
    GlobalWidth,
    GlobalHeight,
    /// A text block's `text/hasClippedLines`, from the facade's last measure.
    HasClippedLines,
    /// The block's `uuid`.
    Uuid,
    /// `lastFrame/*`: the frame as last laid out, its position as `position/x`/`y` read.
    LastFrameX,
    LastFrameY,
    LastFrameWidth,
    LastFrameHeight,
    /// `crop/scaleRatio`: read from the crop's scales, written to both.
    CropScaleRatio,
}

/// One property of a block type: key, type, default, access, and the allowed values.
#[derive(Clone, Debug, PartialEq)]
pub struct PropertySpec {
    /// The key, e.g. `fill/color/value`.
    pub key: &'static str,
    /// The value type.
    pub ty: PropertyType,
    /// The value a new block has.
    pub default: PropertyValue,
    /// Read-write or read-only.
    pub access: Access,
    /// For numbers: the inclusive allowed range.
    pub range: Option<(f64, f64)>,
    /// For enums: the allowed values.
    pub enum_values: &'static [&'static str],
    pub(crate) computed: Computed,
}

/// Property keys are short, trusted strings; SipHash's resistance to crafted keys costs more
/// than the lookup itself (a 10,000-graphic export reads ~150,000 properties). Keys of eight
/// bytes or more hash by their length and their first and last eight bytes — a few
/// instructions, where a byte loop costs one multiply per byte; keys that share all three
/// only cost the table a comparison.
#[derive(Default)]
pub(crate) struct KeyHasher(u64);

impl std::hash::Hasher for KeyHasher {
    fn write(&mut self, bytes: &[u8]) {
        self.0 = key_hash(self.0, bytes);
    }
    fn finish(&self) -> u64 {
        // The table indexes by the low bits and tags by the high ones: fold both ways.
        let x = self.0;
        (x ^ (x >> 31)).wrapping_mul(0xbf58_476d_1ce4_e5b9) ^ (x >> 29)
    }
}

/// `seed` mixed with a key's length and its first and last eight bytes (a short key's bytes
/// all), by one multiply: what [`KeyHasher`] and the JSON tree's key table hash keys by.
pub(crate) fn key_hash(seed: u64, key: &[u8]) -> u64 {
    let n = key.len();
    let h = match (key.first_chunk::<8>(), key.last_chunk::<8>()) {
        (Some(head), Some(tail)) => {
            u64::from_le_bytes(*head) ^ u64::from_le_bytes(*tail).rotate_left(29)
        }
        _ => key.iter().fold(0u64, |h, b| (h << 8) | u64::from(*b)),
    };
    (seed ^ h ^ n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15)
}

/// The schema of one block type: its specs in key order, and an index by key.
#[derive(Debug)]
pub(crate) struct Schema {
    pub specs: Vec<PropertySpec>,
    by_key: HashMap<&'static str, u16, BuildHasherDefault<KeyHasher>>,
    /// Key address (high 48 bits) and index (low 16) of recent lookups; 0 is empty.
    recent: [AtomicU64; RECENT_KEYS],
}

impl Schema {
    /// The index of `key`. Callers pass the same few `&'static str` keys over and over, so
    /// the last index found for a key's address is tried first (checked against the spec's
    /// key: an address reused by another string finds the table instead).
    pub fn index(&self, key: &str) -> Option<u16> {
        let address = key.as_ptr() as usize as u64;
        let slot = &self.recent[(address >> 3) as usize % RECENT_KEYS];
        let entry = slot.load(Ordering::Relaxed);
        if entry != 0 && entry >> 16 == address & ADDRESS_BITS {
            let index = (entry & 0xffff) as u16;
            if self
                .specs
                .get(index as usize)
                .is_some_and(|spec| same_key(spec.key, key))
            {
                return Some(index);
            }
        }
        let index = self.by_key.get(key).copied()?;
        if address <= ADDRESS_BITS {
            slot.store((address << 16) | u64::from(index), Ordering::Relaxed);
        }
        Some(index)
    }
}

/// `a == b` for keys, without a call to `memcmp`: keys are short, so the overlapping first
/// and last eight (or sixteen) bytes cover them.
#[inline]
pub(crate) fn same_key(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let n = a.len();
    if n != b.len() {
        return false;
    }
    match n {
        0..4 => a.iter().zip(b).all(|(x, y)| x == y),
        4..8 => half_at(a, 0) == half_at(b, 0) && half_at(a, n - 4) == half_at(b, n - 4),
        8..=16 => word_at(a, 0) == word_at(b, 0) && word_at(a, n - 8) == word_at(b, n - 8),
        17..=32 => {
            word_at(a, 0) == word_at(b, 0)
                && word_at(a, 8) == word_at(b, 8)
                && word_at(a, n - 16) == word_at(b, n - 16)
                && word_at(a, n - 8) == word_at(b, n - 8)
        }
        _ => a == b,
    }
}

/// The eight bytes of `bytes` at `at` as one word (a fixed-size load, no copy loop); zero
/// past the end.
fn word_at(bytes: &[u8], at: usize) -> u64 {
    let mut w = [0u8; 8];
    if let Some(part) = bytes.get(at..at + 8) {
        w.copy_from_slice(part);
    }
    u64::from_le_bytes(w)
}

/// The four bytes of `bytes` at `at` as one word; zero past the end.
fn half_at(bytes: &[u8], at: usize) -> u32 {
    let mut w = [0u8; 4];
    if let Some(part) = bytes.get(at..at + 4) {
        w.copy_from_slice(part);
    }
    u32::from_le_bytes(w)
}

/// Slots of [`Schema::index`]'s cache of recently looked-up key addresses.
const RECENT_KEYS: usize = 64;
/// The address bits a cache entry keeps (user-space addresses fit in 48 bits).
const ADDRESS_BITS: u64 = (1 << 48) - 1;

/// The schema for a block type (built once, shared).
pub(crate) fn schema(ty: BlockType) -> &'static Schema {
    static SCHEMAS: OnceLock<Vec<Schema>> = OnceLock::new();
    let all = SCHEMAS.get_or_init(|| BlockType::all().map(build).collect());
    // Built in `BlockType::all()` order, which `ordinal` indexes.
    &all[ty.ordinal()]
}

const NONNEG: Option<(f64, f64)> = Some((0.0, f64::MAX));
const UNIT: Option<(f64, f64)> = Some((0.0, 1.0));
const ANY: Option<(f64, f64)> = Some((f64::MIN, f64::MAX));

struct Builder(Vec<PropertySpec>);

impl Builder {
    fn push(&mut self, key: &'static str, default: PropertyValue, range: Option<(f64, f64)>) {
        self.0.push(PropertySpec {
            key,
            ty: default.property_type(),
            default,
            access: Access::ReadWrite,
            range,
            enum_values: &[],
            computed: Computed::Stored,
        });
    }
    fn bool(&mut self, key: &'static str, v: bool) {
        self.push(key, PropertyValue::Bool(v), None);
    }
    fn float(&mut self, key: &'static str, v: f32, range: Option<(f64, f64)>) {
        self.push(key, PropertyValue::Float(v), range);
    }
    fn int(&mut self, key: &'static str, v: i32, range: (f64, f64)) {
        self.push(key, PropertyValue::Int(v), Some(range));
    }
    fn string(&mut self, key: &'static str, v: &str) {
        self.push(key, PropertyValue::String(v.to_string()), None);
    }
    fn color(&mut self, key: &'static str, v: Color) {
        self.push(key, PropertyValue::Color(v), None);
    }
    fn named(&mut self, key: &'static str, v: &str, values: &'static [&'static str]) {
        self.push(key, PropertyValue::Enum(v.to_string()), None);
        if let Some(last) = self.0.last_mut() {
            last.enum_values = values;
        }
    }
    /// `width/mode`, `height/mode`, `position/x/mode`, `position/y/mode`, all Absolute.
    fn size_modes(&mut self) {
        for key in [
            keys::WIDTH_MODE,
            keys::HEIGHT_MODE,
            keys::POSITION_X_MODE,
            keys::POSITION_Y_MODE,
        ] {
            self.named(key, "Absolute", SIZE_MODES);
        }
    }
    /// Makes the last (computed) property writable, its values in `range`.
    fn writable(&mut self, range: Option<(f64, f64)>) {
        if let Some(last) = self.0.last_mut() {
            last.access = Access::ReadWrite;
            last.range = range;
        }
    }
    fn computed(&mut self, key: &'static str, default: PropertyValue, computed: Computed) {
        self.push(key, default, None);
        if let Some(last) = self.0.last_mut() {
            last.access = Access::ReadOnly;
            last.computed = computed;
        }
    }
}

/// `width/mode`, `height/mode`, `position/x/mode`, `position/y/mode`: a value in design
/// units, a fraction of the parent's size (`Percent`: 0.5 is half), or for a text's size the
/// size its content needs (`Auto`; other blocks treat it as `Absolute`).
const SIZE_MODES: &[&str] = &["Absolute", "Percent", "Auto"];

fn build(ty: BlockType) -> Schema {
    let mut b = Builder(Vec::new());
    b.computed(
        keys::TYPE,
        PropertyValue::String(ty.long_name()),
        Computed::TypeName,
    );
    b.string(keys::NAME, "");
    b.computed(
        keys::UUID,
        PropertyValue::String(String::new()),
        Computed::Uuid,
    );
    if ty.is_design_block() {
        for (key, c) in [
            (keys::LAST_FRAME_X, Computed::LastFrameX),
            (keys::LAST_FRAME_Y, Computed::LastFrameY),
            (keys::LAST_FRAME_WIDTH, Computed::LastFrameWidth),
            (keys::LAST_FRAME_HEIGHT, Computed::LastFrameHeight),
            (keys::GLOBAL_BOUNDING_BOX_X, Computed::GlobalX),
            (keys::GLOBAL_BOUNDING_BOX_Y, Computed::GlobalY),
            (keys::GLOBAL_BOUNDING_BOX_WIDTH, Computed::GlobalWidth),
            (keys::GLOBAL_BOUNDING_BOX_HEIGHT, Computed::GlobalHeight),
        ] {
            b.computed(key, PropertyValue::Float(0.0), c);
        }
    }
    match ty {
        BlockType::Scene => {
            b.size_modes();
            b.named(
                keys::SCENE_LAYOUT,
                SceneLayout::default().as_str(),
                SceneLayout::NAMES,
            );
            b.named(
                keys::SCENE_DESIGN_UNIT,
                DesignUnit::default().as_str(),
                DesignUnit::NAMES,
            );
            b.float(keys::SCENE_DPI, 300.0, Some((1.0, 10_000.0)));
        }
        BlockType::Stack => {
            b.float(keys::STACK_SPACING, 0.0, NONNEG);
            b.bool(keys::STACK_SPACING_IN_SCREENSPACE, false);
        }
        BlockType::Page | BlockType::Graphic | BlockType::Group => {
            b.float(keys::POSITION_X, 0.0, ANY);
            b.float(keys::POSITION_Y, 0.0, ANY);
            b.float(keys::WIDTH, 100.0, NONNEG);
            b.float(keys::HEIGHT, 100.0, NONNEG);
            b.float(keys::ROTATION, 0.0, ANY);
            b.float(keys::OPACITY, 1.0, UNIT);
            // Groups pass their children's blending through, as the reference's do.
            let blend = if ty == BlockType::Group {
                BlendMode::PassThrough
            } else {
                BlendMode::Normal
            };
            b.named(keys::BLEND_MODE, blend.as_str(), BlendMode::NAMES);
            b.bool(keys::VISIBLE, true);
            b.bool(keys::FLIP_HORIZONTAL, false);
            b.bool(keys::FLIP_VERTICAL, false);
            b.bool(keys::INCLUDED_IN_EXPORT, true);
            b.push(keys::PLAYBACK_DURATION, PropertyValue::Double(5.0), NONNEG);
            b.size_modes();
            if ty != BlockType::Group {
                b.bool(keys::FILL_ENABLED, true);
                // Pages too default to unclipped in the reference engine (its page
                // defaults case); exports still keep content within the exported page.
                b.bool(keys::CLIPPED, false);
                b.bool(keys::STROKE_ENABLED, false);
                // The reference's default (0.8 mm at its 300 dpi), for pages and graphics.
                b.float(keys::STROKE_WIDTH, 9.448819, NONNEG);
                b.color(keys::STROKE_COLOR, Color::rgb(0.67, 0.67, 0.67));
                b.named(
                    keys::STROKE_POSITION,
                    StrokePosition::default().as_str(),
                    StrokePosition::NAMES,
                );
                b.named(
                    keys::STROKE_CORNER_GEOMETRY,
                    LineJoin::default().as_str(),
                    LineJoin::NAMES,
                );
                b.named(
                    keys::STROKE_CAP,
                    LineCap::default().as_str(),
                    LineCap::NAMES,
                );
                b.float(keys::STROKE_MITER_LIMIT, 4.0, Some((1.0, 1000.0)));
                b.float(keys::STROKE_DASH_OFFSET, 0.0, ANY);
                b.named(
                    keys::CONTENT_FILL_MODE,
                    ContentFillMode::default().as_str(),
                    ContentFillMode::NAMES,
                );
                b.named(
                    keys::CONTENT_FILL_HORIZONTAL_ALIGNMENT,
                    HorizontalAlignment::default().as_str(),
                    HorizontalAlignment::NAMES,
                );
                b.named(
                    keys::CONTENT_FILL_VERTICAL_ALIGNMENT,
                    VerticalAlignment::default().as_str(),
                    VerticalAlignment::NAMES,
                );
                b.float(keys::CROP_SCALE_X, 1.0, Some((1e-6, 1e6)));
                b.float(keys::CROP_SCALE_Y, 1.0, Some((1e-6, 1e6)));
                b.float(keys::CROP_TRANSLATION_X, 0.0, ANY);
                b.float(keys::CROP_TRANSLATION_Y, 0.0, ANY);
                b.float(keys::CROP_ROTATION, 0.0, ANY);
                b.computed(
                    keys::CROP_SCALE_RATIO,
                    PropertyValue::Float(1.0),
                    Computed::CropScaleRatio,
                );
                b.writable(Some((1e-6, 1e6)));
            }
        }
        BlockType::Text => {
            b.float(keys::POSITION_X, 0.0, ANY);
            b.float(keys::POSITION_Y, 0.0, ANY);
            b.float(keys::WIDTH, 100.0, NONNEG);
            b.float(keys::HEIGHT, 100.0, NONNEG);
            // A fresh text block is as the reference makes one: "Text" at 10 pt in a fixed
            // 100 × 100 frame.
            b.named(keys::WIDTH_MODE, "Absolute", SIZE_MODES);
            b.named(keys::HEIGHT_MODE, "Absolute", SIZE_MODES);
            b.named(keys::POSITION_X_MODE, "Absolute", SIZE_MODES);
            b.named(keys::POSITION_Y_MODE, "Absolute", SIZE_MODES);
            b.float(keys::ROTATION, 0.0, ANY);
            b.float(keys::OPACITY, 1.0, UNIT);
            b.named(
                keys::BLEND_MODE,
                BlendMode::Normal.as_str(),
                BlendMode::NAMES,
            );
            b.bool(keys::VISIBLE, true);
            b.bool(keys::FLIP_HORIZONTAL, false);
            b.bool(keys::FLIP_VERTICAL, false);
            b.bool(keys::INCLUDED_IN_EXPORT, true);
            b.push(keys::PLAYBACK_DURATION, PropertyValue::Double(5.0), NONNEG);
            b.string(keys::TEXT_TEXT, "Text");
            b.float(keys::TEXT_FONT_SIZE, 10.0, Some((1e-3, 10_000.0)));
            b.string(keys::TEXT_FONT_FILE_URI, "");
            b.string(keys::TEXT_TYPEFACE, "");
            b.named(
                keys::TEXT_HORIZONTAL_ALIGNMENT,
                "Auto",
                &["Left", "Right", "Center", "Auto"],
            );
            b.named(
                keys::TEXT_VERTICAL_ALIGNMENT,
                "Top",
                &["Top", "Bottom", "Center"],
            );
            b.float(keys::TEXT_LINE_HEIGHT, 1.0, Some((0.0, 100.0)));
            b.float(keys::TEXT_LETTER_SPACING, 0.0, Some((-100.0, 100.0)));
            b.float(keys::TEXT_PARAGRAPH_SPACING, 0.0, Some((0.0, 100.0)));
            b.bool(keys::TEXT_AUTOMATIC_FONT_SIZE_ENABLED, false);
            b.float(
                keys::TEXT_MIN_AUTOMATIC_FONT_SIZE,
                -1.0,
                Some((-1.0, 10_000.0)),
            );
            b.float(
                keys::TEXT_MAX_AUTOMATIC_FONT_SIZE,
                -1.0,
                Some((-1.0, 10_000.0)),
            );
            b.bool(keys::TEXT_CLIP_LINES_OUTSIDE_OF_FRAME, true);
            b.computed(
                keys::TEXT_HAS_CLIPPED_LINES,
                PropertyValue::Bool(false),
                Computed::HasClippedLines,
            );
        }
        BlockType::Shape(kind) => match kind {
            ShapeKind::Rect => {
                for key in [
                    keys::SHAPE_RECT_CORNER_RADIUS_TL,
                    keys::SHAPE_RECT_CORNER_RADIUS_TR,
                    keys::SHAPE_RECT_CORNER_RADIUS_BL,
                    keys::SHAPE_RECT_CORNER_RADIUS_BR,
                ] {
                    b.float(key, 0.0, NONNEG);
                }
            }
            ShapeKind::Ellipse | ShapeKind::Line => {}
            ShapeKind::Star => {
                b.int(keys::SHAPE_STAR_POINTS, 5, (3.0, 1000.0));
                b.float(keys::SHAPE_STAR_INNER_DIAMETER, 0.5, UNIT);
            }
            ShapeKind::Polygon => {
                b.int(keys::SHAPE_POLYGON_SIDES, 5, (3.0, 1000.0));
                b.float(keys::SHAPE_POLYGON_CORNER_RADIUS, 0.0, NONNEG);
            }
            ShapeKind::VectorPath => {
                b.string(keys::SHAPE_VECTOR_PATH_PATH, "");
                b.float(keys::SHAPE_VECTOR_PATH_WIDTH, 100.0, NONNEG);
                b.float(keys::SHAPE_VECTOR_PATH_HEIGHT, 100.0, NONNEG);
                b.named(
                    keys::SHAPE_VECTOR_PATH_FILL_RULE,
                    // A fresh vector path of the reference engine fills even-odd.
                    FillRule::EvenOdd.as_str(),
                    FillRule::NAMES,
                );
            }
        },
        BlockType::Fill(kind) => {
            b.bool(keys::FILL_ENABLED, true);
            match kind {
                FillKind::Color => b.color(keys::FILL_COLOR_VALUE, Color::BLACK),
                FillKind::LinearGradient => {
                    b.float(keys::FILL_GRADIENT_LINEAR_START_POINT_X, 0.5, ANY);
                    b.float(keys::FILL_GRADIENT_LINEAR_START_POINT_Y, 0.0, ANY);
                    b.float(keys::FILL_GRADIENT_LINEAR_END_POINT_X, 0.5, ANY);
                    b.float(keys::FILL_GRADIENT_LINEAR_END_POINT_Y, 1.0, ANY);
                }
                FillKind::RadialGradient => {
                    // The reference engine's defaults: centred on the top-left corner (as
                    // its saved files show for a radial fill never positioned).
                    b.float(keys::FILL_GRADIENT_RADIAL_CENTER_POINT_X, 0.0, ANY);
                    b.float(keys::FILL_GRADIENT_RADIAL_CENTER_POINT_Y, 0.0, ANY);
                    b.float(keys::FILL_GRADIENT_RADIAL_RADIUS, 1.0, NONNEG);
                }
                FillKind::ConicalGradient => {
                    b.float(keys::FILL_GRADIENT_CONICAL_CENTER_POINT_X, 0.5, ANY);
                    b.float(keys::FILL_GRADIENT_CONICAL_CENTER_POINT_Y, 0.5, ANY);
                }
                FillKind::Image => {
                    b.string(keys::FILL_IMAGE_URI, "");
                }
            }
        }
    }
    for (key, stored) in super::schema_reference::extras(ty) {
        use super::schema_reference::Stored;
        match *stored {
            Stored::Bool(v) => b.bool(key, v),
            Stored::Float(v) => b.float(key, v, ANY),
            Stored::Double(v) => b.push(key, PropertyValue::Double(v), ANY),
            Stored::Str(v) => b.string(key, v),
            Stored::Color([r, g, bl, a]) => b.color(key, Color::rgba(r, g, bl, a)),
            Stored::Enum(v, values) => b.named(key, v, values),
        }
    }
    let mut specs = b.0;
    specs.sort_by_key(|s| s.key);
    let by_key = specs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key, i as u16))
        .collect();
    Schema {
        specs,
        by_key,
        recent: std::array::from_fn(|_| AtomicU64::new(0)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_compare_by_their_bytes() {
        let keys = [
            "",
            "a",
            "ab",
            "id",
            "top",
            "tip",
            "left",
            "lefT",
            "value",
            "valve",
            "opacity",
            "visible",
            "fill/enabled",
            "stroke/width",
            "stroke/widtH",
            "fill/gradient/linear/startPointX",
            "fill/gradient/linear/startPointY",
            "fill/gradient/linear/startPointXY",
            "fill/gradient/linear/startPoint/X/Y/Z",
        ];
        for a in keys {
            for b in keys {
                assert_eq!(same_key(a, b), a == b, "{a:?} vs {b:?}");
            }
        }
        // Differences inside the middle of 17–32 byte keys are seen.
        assert!(!same_key("0123456789abcdefXYZ", "0123456789abcdeFXYZ"));
    }

    #[test]
    fn a_reused_key_address_finds_the_new_key() {
        let schema = schema(BlockType::Graphic);
        let mut key = String::with_capacity(64);
        key.push_str(crate::keys::OPACITY);
        let opacity = schema.index(&key);
        assert!(opacity.is_some());
        assert_eq!(schema.index(&key), opacity, "from the cache");
        // Same address, other contents: the cached index must not answer.
        key.clear();
        key.push_str(crate::keys::VISIBLE);
        let visible = schema.index(&key);
        assert!(visible.is_some() && visible != opacity);
        assert_eq!(visible, schema.index(crate::keys::VISIBLE));
        key.clear();
        key.push_str("no/such/key");
        assert_eq!(schema.index(&key), None);
    }
}
