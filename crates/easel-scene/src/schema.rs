//! Per-type property schemas, using the reference engine's key names.

use crate::{BlockType, Color, FillKind, PropertyType, PropertyValue, ShapeKind};
use std::collections::HashMap;
use std::sync::OnceLock;

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

/// The schema of one block type: its specs in key order, and an index by key.
#[derive(Debug)]
pub(crate) struct Schema {
    pub specs: Vec<PropertySpec>,
    by_key: HashMap<&'static str, u16>,
}

impl Schema {
    pub fn index(&self, key: &str) -> Option<u16> {
        self.by_key.get(key).copied()
    }
}

/// The schema for a block type (built once, shared).
pub(crate) fn schema(ty: BlockType) -> &'static Schema {
    static SCHEMAS: OnceLock<HashMap<BlockType, Schema>> = OnceLock::new();
    let all = SCHEMAS.get_or_init(|| BlockType::all().map(|t| (t, build(t))).collect());
    // Every BlockType is in the map, built from BlockType::all().
    &all[&ty]
}

pub(crate) const CONTENT_FILL_MODES: &[&str] = &["Crop", "Cover", "Contain"];
pub(crate) const H_ALIGN: &[&str] = &["Left", "Center", "Right"];
pub(crate) const V_ALIGN: &[&str] = &["Top", "Center", "Bottom"];
pub(crate) const STROKE_POSITIONS: &[&str] = &["Inner", "Center", "Outer"];
pub(crate) const STROKE_JOINS: &[&str] = &["Miter", "Bevel", "Round"];
pub(crate) const STROKE_CAPS: &[&str] = &["Butt", "Round", "Square"];
pub(crate) const LAYOUTS: &[&str] = &["Free", "VerticalStack", "HorizontalStack", "DepthStack"];
pub(crate) const DESIGN_UNITS: &[&str] = &["Pixel", "Millimeter", "Inch"];
pub(crate) const FILL_RULES: &[&str] = &["NonZero", "EvenOdd"];

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
    fn enumeration(&mut self, key: &'static str, v: &str, values: &'static [&'static str]) {
        self.push(key, PropertyValue::Enum(v.to_string()), None);
        if let Some(last) = self.0.last_mut() {
            last.enum_values = values;
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

fn build(ty: BlockType) -> Schema {
    let mut b = Builder(Vec::new());
    b.computed(
        "type",
        PropertyValue::String(ty.long_name()),
        Computed::TypeName,
    );
    b.string("name", "");
    if ty.is_design_block() {
        for (key, c) in [
            ("globalBoundingBox/x", Computed::GlobalX),
            ("globalBoundingBox/y", Computed::GlobalY),
            ("globalBoundingBox/width", Computed::GlobalWidth),
            ("globalBoundingBox/height", Computed::GlobalHeight),
        ] {
            b.computed(key, PropertyValue::Float(0.0), c);
        }
    }
    match ty {
        BlockType::Scene => {
            b.enumeration("scene/layout", "Free", LAYOUTS);
            b.enumeration("scene/designUnit", "Pixel", DESIGN_UNITS);
            b.float("scene/dpi", 300.0, Some((1.0, 10_000.0)));
        }
        BlockType::Stack => {
            b.float("stack/spacing", 0.0, NONNEG);
            b.bool("stack/spacingInScreenspace", false);
        }
        BlockType::Page | BlockType::Graphic | BlockType::Group => {
            b.float("position/x", 0.0, ANY);
            b.float("position/y", 0.0, ANY);
            b.float("width", 100.0, NONNEG);
            b.float("height", 100.0, NONNEG);
            b.float("rotation", 0.0, ANY);
            b.float("opacity", 1.0, UNIT);
            b.bool("visible", true);
            b.bool("flip/horizontal", false);
            b.bool("flip/vertical", false);
            b.bool("includedInExport", true);
            b.push("playback/duration", PropertyValue::Double(5.0), NONNEG);
            if ty != BlockType::Group {
                b.bool("fill/enabled", true);
                b.bool("clipped", ty == BlockType::Page);
                b.bool("stroke/enabled", false);
                b.float("stroke/width", 4.0, NONNEG);
                b.color("stroke/color", Color::rgb(0.67, 0.67, 0.67));
                b.enumeration("stroke/position", "Center", STROKE_POSITIONS);
                b.enumeration("stroke/cornerGeometry", "Miter", STROKE_JOINS);
                b.enumeration("stroke/cap", "Butt", STROKE_CAPS);
                b.float("stroke/miterLimit", 4.0, Some((1.0, 1000.0)));
                b.float("stroke/dashOffset", 0.0, ANY);
                b.enumeration("contentFill/mode", "Cover", CONTENT_FILL_MODES);
                b.enumeration("contentFill/horizontalAlignment", "Center", H_ALIGN);
                b.enumeration("contentFill/verticalAlignment", "Center", V_ALIGN);
                b.float("crop/scaleX", 1.0, Some((1e-6, 1e6)));
                b.float("crop/scaleY", 1.0, Some((1e-6, 1e6)));
                b.float("crop/translationX", 0.0, ANY);
                b.float("crop/translationY", 0.0, ANY);
            }
        }
        BlockType::Shape(kind) => match kind {
            ShapeKind::Rect => {
                for key in [
                    "shape/rect/cornerRadiusTL",
                    "shape/rect/cornerRadiusTR",
                    "shape/rect/cornerRadiusBL",
                    "shape/rect/cornerRadiusBR",
                ] {
                    b.float(key, 0.0, NONNEG);
                }
            }
            ShapeKind::Ellipse | ShapeKind::Line => {}
            ShapeKind::Star => {
                b.int("shape/star/points", 5, (3.0, 1000.0));
                b.float("shape/star/innerDiameter", 0.5, UNIT);
            }
            ShapeKind::Polygon => {
                b.int("shape/polygon/sides", 5, (3.0, 1000.0));
                b.float("shape/polygon/cornerRadius", 0.0, NONNEG);
            }
            ShapeKind::VectorPath => {
                b.string("shape/vector_path/path", "");
                b.float("shape/vector_path/width", 100.0, NONNEG);
                b.float("shape/vector_path/height", 100.0, NONNEG);
                b.enumeration("shape/vector_path/fillRule", "NonZero", FILL_RULES);
            }
        },
        BlockType::Fill(kind) => {
            b.bool("fill/enabled", true);
            match kind {
                FillKind::Color => b.color("fill/color/value", Color::BLACK),
                FillKind::LinearGradient => {
                    b.float("fill/gradient/linear/startPointX", 0.5, ANY);
                    b.float("fill/gradient/linear/startPointY", 0.0, ANY);
                    b.float("fill/gradient/linear/endPointX", 0.5, ANY);
                    b.float("fill/gradient/linear/endPointY", 1.0, ANY);
                }
                FillKind::RadialGradient => {
                    b.float("fill/gradient/radial/centerPointX", 0.5, ANY);
                    b.float("fill/gradient/radial/centerPointY", 0.5, ANY);
                    b.float("fill/gradient/radial/radius", 1.0, NONNEG);
                }
                FillKind::ConicalGradient => {
                    b.float("fill/gradient/conical/centerPointX", 0.5, ANY);
                    b.float("fill/gradient/conical/centerPointY", 0.5, ANY);
                }
                FillKind::Image => {
                    b.string("fill/image/imageFileURI", "");
                }
            }
        }
    }
    let mut specs = b.0;
    specs.sort_by_key(|s| s.key);
    let by_key = specs
        .iter()
        .enumerate()
        .map(|(i, s)| (s.key, i as u16))
        .collect();
    Schema { specs, by_key }
}
