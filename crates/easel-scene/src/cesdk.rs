//! Scene files saved by the reference engine (CE.SDK): `UBQ1` followed by base64 of a JSON
//! document with `designElements` (one per block, components as fields) and a `hierarchy`.
//! They are translated straight into the loader's blocks — each property set with the
//! setters' checks, the whole tree checked as Easel's own files are — before anything is
//! inserted, so a bad file leaves the current scene as it was.
//!
//! What the documents hold was learned from files saved by CE.SDK 1.79 (format 1.10.0): see
//! the field notes on each mapping below. Components Easel does not draw (effects, blur,
//! drop shadows, animations, blend mode numbers outside the 27 known, …) are listed in the
//! [`LoadReport`]; [`LoadOptions::strict`] makes any of them an error instead.

use crate::graph::Block;
use crate::json_tree::{Fields, KeySet, NodeRef, Tree};
use crate::serialize::{Links, LoadedBlock, LoadedDocument, load_property, load_text};
use crate::{
    BlendMode, BlockId, BlockType, Color, Error, FillKind, FontFace, FontStyle, FontWeight,
    GradientStop, PropertyValue, Result, SceneGraph, ShapeKind, TextRun, Transform, Typeface, keys,
};
use base64::Engine as _;
use std::collections::HashMap;

/// The prefix of a CE.SDK scene string.
pub const CESDK_PREFIX: &str = "UBQ1";

/// The most elements a CE.SDK document may declare.
pub const MAX_ELEMENTS: usize = 1_000_000;

/// How to load a foreign scene.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct LoadOptions {
    /// Fail instead of dropping components Easel does not support.
    pub strict: bool,
}

/// One component a load left out.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DroppedComponent {
    /// The element's entity number in the file.
    pub entity: u64,
    /// Its block type (`//ly.img.ubq/graphic`).
    pub block_type: String,
    /// The component (`blend mode`, `effects`, `drop shadow`, …).
    pub component: String,
    /// What it was set to.
    pub detail: String,
}

/// What a load of a foreign scene could not carry over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LoadReport {
    /// Components dropped, in file order.
    pub dropped: Vec<DroppedComponent>,
}

impl LoadReport {
    /// True when everything was carried over.
    pub fn is_empty(&self) -> bool {
        self.dropped.is_empty()
    }
}

/// True when `s` is a CE.SDK scene string (by its prefix, not a guess from the content).
pub fn is_cesdk(s: &str) -> bool {
    s.trim_start().starts_with(CESDK_PREFIX)
}

fn bad(reason: impl Into<String>) -> Error {
    Error::ForeignScene(reason.into())
}

/// A saved `block_blend_mode`: CE.SDK numbers its modes in the order of [`BlendMode::ALL`]
/// (Normal 1, Multiply 3, Screen 8, Difference 19 in the recorded files).
fn blend_mode(n: f64) -> Option<BlendMode> {
    (n.fract() == 0.0 && n >= 0.0)
        .then(|| BlendMode::ALL.get(n as usize).copied())
        .flatten()
}

fn num(v: NodeRef<'_>, path: &[&str]) -> Option<f64> {
    v.at(path)?.as_f64()
}

/// A finite number within ±1e7 (positions, sizes), or an error naming it.
fn checked(entity: u64, what: &str, v: f64) -> Result<f64> {
    if v.is_finite() && v.abs() <= 1e7 {
        Ok(v)
    } else {
        Err(bad(format!(
            "entity {entity}: {what} {v} is not a usable number"
        )))
    }
}

/// A colour `{colorSpace, components: {x, y, z, w}, tint}`: sRGB as it is, CMYK converted
/// naively (no profile), spot colours by their sRGB approximation.
fn color(v: NodeRef<'_>) -> Option<Color> {
    let c = v.get("components")?;
    let (x, y, z, w) = (
        num(c, &["x"])?,
        num(c, &["y"])?,
        num(c, &["z"])?,
        num(c, &["w"]).unwrap_or(1.0),
    );
    let clamp = |v: f64| {
        if v.is_finite() {
            v.clamp(0.0, 1.0) as f32
        } else {
            0.0
        }
    };
    let (r, g, b, a) = match num(v, &["colorSpace"]).unwrap_or(0.0) as i64 {
        1 => (
            (1.0 - x) * (1.0 - w),
            (1.0 - y) * (1.0 - w),
            (1.0 - z) * (1.0 - w),
            1.0,
        ),
        _ => (x, y, z, w),
    };
    Some(Color {
        r: clamp(r),
        g: clamp(g),
        b: clamp(b),
        a: clamp(a),
    })
}

/// The Easel block type of a CE.SDK element type: the names are the same.
fn easel_type(id: &str) -> Option<BlockType> {
    id.strip_prefix("//ly.img.ubq/")
        .and_then(|_| BlockType::parse(id).ok())
}

/// Enum values stored as integers, by component (worked out from files saved with known
/// settings).
fn enum_name(kind: &str, v: i64) -> Option<&'static str> {
    Some(match (kind, v) {
        ("layout", 0) => "Free",
        ("layout", 1) => "VerticalStack",
        ("layout", 2) => "HorizontalStack",
        ("layout", 3) => "DepthStack",
        ("designUnit", 0) => "Pixel",
        ("designUnit", 1) => "Millimeter",
        ("designUnit", 2) => "Inch",
        ("strokePosition", 0) => "Center",
        ("strokePosition", 1) => "Inner",
        ("strokePosition", 2) => "Outer",
        ("cornerGeometry", 0) => "Bevel",
        ("cornerGeometry", 1) => "Miter",
        ("cornerGeometry", 2) => "Round",
        ("cap", 0) => "Butt",
        ("cap", 1) => "Round",
        ("cap", 2) => "Square",
        ("contentFill", 0) => "Crop",
        ("contentFill", 1) => "Cover",
        ("contentFill", 2) => "Contain",
        ("textAlign", 0) => "Left",
        ("textAlign", 1) => "Right",
        ("textAlign", 2) => "Center",
        ("textAlign", 4) => "Auto",
        ("textVertical", 0) => "Top",
        ("textVertical", 1) => "Bottom",
        ("textVertical", 2) => "Center",
        _ => return None,
    })
}

/// A block being translated: its properties are set with the loaders' checks, a refused
/// value named with the element's entity.
struct Draft {
    entity: u64,
    block: Block,
}

impl Draft {
    fn new(entity: u64, ty: BlockType) -> Self {
        Draft {
            entity,
            block: Block::new(ty),
        }
    }

    fn set(&mut self, key: &str, value: PropertyValue) -> Result<()> {
        load_property(&mut self.block, key, value)
            .map(|_| ())
            .map_err(|e| bad(format!("entity {}: {e}", self.entity)))
    }

    fn number(&mut self, key: &str, v: f64) -> Result<()> {
        self.set(key, PropertyValue::Double(v))
    }

    fn flag(&mut self, key: &str, v: bool) -> Result<()> {
        self.set(key, PropertyValue::Bool(v))
    }

    fn string(&mut self, key: &str, v: &str) -> Result<()> {
        self.set(key, PropertyValue::String(v.to_string()))
    }

    fn choice(&mut self, key: &str, v: &str) -> Result<()> {
        self.set(key, PropertyValue::Enum(v.to_string()))
    }

    fn color(&mut self, key: &str, c: Color) -> Result<()> {
        self.set(key, PropertyValue::Color(c))
    }
}

/// Values by entity number, sorted: found by binary search, which no choice of numbers in a
/// file can slow down (as colliding keys could a hash map's).
struct ByEntity<'a>(Vec<(u64, NodeRef<'a>)>);

impl<'a> ByEntity<'a> {
    /// Sorts `pairs`; the error names an entity given twice.
    fn new(mut pairs: Vec<(u64, NodeRef<'a>)>) -> std::result::Result<Self, u64> {
        pairs.sort_unstable_by_key(|(e, _)| *e);
        match pairs.windows(2).find(|w| w[0].0 == w[1].0) {
            Some(w) => Err(w[0].0),
            None => Ok(ByEntity(pairs)),
        }
    }

    fn position(&self, entity: u64) -> Option<usize> {
        self.0.binary_search_by_key(&entity, |(e, _)| *e).ok()
    }

    fn get(&self, entity: u64) -> Option<NodeRef<'a>> {
        self.position(entity).map(|i| self.0[i].1)
    }
}

struct Converter<'a> {
    elements: ByEntity<'a>,
    children: ByEntity<'a>,
    typefaces: HashMap<&'a str, Typeface>,
    options: LoadOptions,
    report: LoadReport,
    blocks: Vec<LoadedBlock>,
}

impl<'a> Converter<'a> {
    fn dropped(&mut self, entity: u64, ty: &str, component: &str, detail: String) -> Result<()> {
        if self.options.strict {
            return Err(bad(format!(
                "entity {entity} ({ty}) has {component} {detail}, which Easel does not support (strict load)"
            )));
        }
        self.report.dropped.push(DroppedComponent {
            entity,
            block_type: ty.to_string(),
            component: component.to_string(),
            detail,
        });
        Ok(())
    }

    /// Where `entity` is in [`Self::elements`], or an error naming it.
    fn position(&self, entity: u64) -> Result<usize> {
        self.elements.position(entity).ok_or_else(|| {
            bad(format!(
                "the hierarchy names entity {entity}, which is not in designElements"
            ))
        })
    }

    fn element(&self, entity: u64) -> Result<NodeRef<'a>> {
        Ok(self.elements.0[self.position(entity)?].1)
    }

    fn push(&mut self, d: Draft) -> usize {
        self.blocks.push(LoadedBlock {
            block: d.block,
            links: Links::default(),
        });
        self.blocks.len() - 1
    }

    /// Components Easel does not draw, reported.
    fn unsupported(&mut self, entity: u64, ty: &str, f: &Fields<'_>) -> Result<()> {
        if let Some(mode) = f.num(&["block_blend_mode"])
            && blend_mode(mode).is_none()
        {
            self.dropped(entity, ty, "blend mode", format!("#{mode}"))?;
        }
        if let Some(effects) = f
            .at(&["block_effects", "effects"])
            .and_then(|v| v.as_array())
            && !effects.is_empty()
        {
            self.dropped(entity, ty, "effects", format!("{} effects", effects.len()))?;
        }
        if f.at(&["block_blur", "enabled"]).and_then(|v| v.as_bool()) == Some(true)
            && f.num(&["block_blur", "value"])
                .is_some_and(|v| v != 4_294_967_295.0)
        {
            self.dropped(entity, ty, "blur", "enabled".into())?;
        }
        if f.get("has_drop_shadow").and_then(|v| v.as_bool()) == Some(true)
            && f.at(&["drop_shadow", "enabled"]).and_then(|v| v.as_bool()) == Some(true)
        {
            self.dropped(entity, ty, "drop shadow", "enabled".into())?;
        }
        if f.get("has_block_animations_value")
            .and_then(|v| v.as_bool())
            == Some(true)
        {
            self.dropped(entity, ty, "animations", "present".into())?;
        }
        Ok(())
    }

    /// Position, size, rotation and flips. CE.SDK stores a rotated block's position as its
    /// rotated top-left corner (rotation about that corner), in the coordinates of the page
    /// (group members included); Easel stores the unrotated top-left with rotation about the
    /// centre, relative to the parent. `parent` is the parent group's placement in page
    /// coordinates, if any.
    fn frame(d: &mut Draft, f: &Fields<'_>, parent: Option<Transform>) -> Result<Transform> {
        let entity = d.entity;
        // (value, auto): unit 3 is Auto.
        let size = |key: &str| -> Result<(f32, bool)> {
            let unit = f.num(&["block_size", key, "unit"]).unwrap_or(1.0) as i64;
            let value = f.num(&["block_size", key, "value"]).unwrap_or(0.0);
            Ok((checked(entity, key, value)? as f32, unit == 3))
        };
        let (w, w_auto) = size("width")?;
        let (h, h_auto) = size("height")?;
        let x = checked(
            entity,
            "left",
            f.num(&["block_position", "left", "value"]).unwrap_or(0.0),
        )? as f32;
        let y = checked(
            entity,
            "top",
            f.num(&["block_position", "top", "value"]).unwrap_or(0.0),
        )? as f32;
        let rotation = checked(
            entity,
            "rotation",
            f.num(&["block_rotation", "z"]).unwrap_or(0.0),
        )? as f32;
        let placement = Transform::rotate(rotation).then(Transform::translate(x, y));
        let local = match parent.and_then(|p| p.invert()) {
            Some(inverse) => placement.then(inverse),
            None => placement,
        };
        let parent_rotation = parent.map_or(0.0, |p| p.0[1].atan2(p.0[0]));
        let (cx, cy) = local.apply(w / 2.0, h / 2.0);
        let ty = d.block.ty;
        let has_position =
            !(ty == BlockType::Page && f.num(&["block_position", "type"]) == Some(1.0));
        if has_position {
            d.number(keys::POSITION_X, (cx - w / 2.0) as f64)?;
            d.number(keys::POSITION_Y, (cy - h / 2.0) as f64)?;
        }
        d.number(keys::ROTATION, (rotation - parent_rotation) as f64)?;
        if !w_auto {
            d.number(keys::WIDTH, w as f64)?;
        }
        if !h_auto {
            d.number(keys::HEIGHT, h as f64)?;
        }
        if ty == BlockType::Text {
            d.choice(keys::WIDTH_MODE, if w_auto { "Auto" } else { "Absolute" })?;
            d.choice(keys::HEIGHT_MODE, if h_auto { "Auto" } else { "Absolute" })?;
        }
        if f.num(&["block_scale", "x"]).is_some_and(|s| s < 0.0) {
            d.flag(keys::FLIP_HORIZONTAL, true)?;
        }
        if f.num(&["block_scale", "y"]).is_some_and(|s| s < 0.0) {
            d.flag(keys::FLIP_VERTICAL, true)?;
        }
        Ok(placement)
    }

    /// Name, opacity, blend mode, visibility, export flag and metadata.
    fn common(d: &mut Draft, f: &Fields<'_>) -> Result<()> {
        if let Some(name) = f.at(&["block_common", "name"]).and_then(|v| v.as_str())
            && !name.is_empty()
        {
            d.string(keys::NAME, name)?;
        }
        if let Some(o) = f.num(&["opacity"]) {
            d.number(keys::OPACITY, o.clamp(0.0, 1.0))?;
        }
        if let Some(mode) = f.num(&["block_blend_mode"]).and_then(blend_mode) {
            d.choice(keys::BLEND_MODE, mode.as_str())?;
        }
        if f.get("hidden").and_then(|v| v.as_bool()) == Some(true) {
            d.flag(keys::VISIBLE, false)?;
        }
        if f.at(&["block_common", "exportable"])
            .and_then(|v| v.as_bool())
            == Some(false)
        {
            d.flag(keys::INCLUDED_IN_EXPORT, false)?;
        }
        for m in f
            .get("metadata")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            if let (Some(k), Some(v)) = (
                m.get("key").and_then(|v| v.as_str()),
                m.get("value").and_then(|v| v.as_str()),
            ) {
                d.block.metadata.insert(k.to_string(), v.to_string());
            }
        }
        Ok(())
    }

    fn stroke(d: &mut Draft, f: &Fields<'_>) -> Result<()> {
        let Some(s) = f.get("stroke") else {
            return Ok(());
        };
        if s.get("enabled").and_then(|v| v.as_bool()) != Some(true) {
            return Ok(());
        }
        d.flag(keys::STROKE_ENABLED, true)?;
        if let Some(w) = num(s, &["width"]).filter(|w| w.is_finite() && *w >= 0.0) {
            d.number(keys::STROKE_WIDTH, w)?;
        }
        if let Some(c) = s.get("color").and_then(color) {
            d.color(keys::STROKE_COLOR, c)?;
        }
        for (key, kind, prop) in [
            ("position", "strokePosition", keys::STROKE_POSITION),
            (
                "cornerGeometry",
                "cornerGeometry",
                keys::STROKE_CORNER_GEOMETRY,
            ),
            ("cap", "cap", keys::STROKE_CAP),
        ] {
            if let Some(name) = num(s, &[key]).and_then(|v| enum_name(kind, v as i64)) {
                d.choice(prop, name)?;
            }
        }
        if let Some(dashes) = s.get("dashArray").and_then(|v| v.as_array()) {
            let dashes: Vec<f32> = dashes
                .filter_map(|v| v.as_f64())
                .map(|v| v as f32)
                .collect();
            crate::typed::check_dash_array(&dashes)
                .map_err(|err| bad(format!("entity {}: {err}", d.entity)))?;
            d.block.dash_array = dashes;
        }
        if let Some(o) = num(s, &["dashOffset"]).filter(|o| o.is_finite()) {
            d.number(keys::STROKE_DASH_OFFSET, o)?;
        }
        Ok(())
    }

    /// A shape or fill element as an Easel block; returns its index.
    fn part(&mut self, entity: u64) -> Result<Option<usize>> {
        let e = self.element(entity)?;
        let id = e.get("id").and_then(|v| v.as_str()).unwrap_or_default();
        // A design block in a shape or fill slot is refused by the document's check.
        let Some(ty) = easel_type(id) else {
            self.dropped(entity, id, "block type", id.to_string())?;
            return Ok(None);
        };
        let mut d = Draft::new(entity, ty);
        match ty {
            BlockType::Shape(ShapeKind::Rect) => {
                for (k, prop) in [
                    ("cornerRadiusTL", keys::SHAPE_RECT_CORNER_RADIUS_TL),
                    ("cornerRadiusTR", keys::SHAPE_RECT_CORNER_RADIUS_TR),
                    ("cornerRadiusBL", keys::SHAPE_RECT_CORNER_RADIUS_BL),
                    ("cornerRadiusBR", keys::SHAPE_RECT_CORNER_RADIUS_BR),
                ] {
                    if let Some(r) = num(e, &[k]).filter(|r| r.is_finite() && *r >= 0.0) {
                        d.number(prop, r)?;
                    }
                }
            }
            BlockType::Shape(ShapeKind::Star) => {
                if let Some(p) = num(e, &["points"]) {
                    d.number(keys::SHAPE_STAR_POINTS, (p as i64).clamp(3, 1000) as f64)?;
                }
                if let Some(v) = num(e, &["innerDiameter"]) {
                    d.number(keys::SHAPE_STAR_INNER_DIAMETER, v.clamp(0.0, 1.0))?;
                }
            }
            BlockType::Shape(ShapeKind::Polygon) => {
                if let Some(s) = num(e, &["sides"]) {
                    d.number(keys::SHAPE_POLYGON_SIDES, (s as i64).clamp(3, 1000) as f64)?;
                }
                if let Some(r) = num(e, &["cornerRadius"]).filter(|r| r.is_finite() && *r >= 0.0) {
                    d.number(keys::SHAPE_POLYGON_CORNER_RADIUS, r)?;
                }
            }
            BlockType::Shape(ShapeKind::VectorPath) => {
                if let Some(p) = e.get("path").and_then(|v| v.as_str()) {
                    d.string(keys::SHAPE_VECTOR_PATH_PATH, p)?;
                }
                for (k, prop) in [
                    ("width", keys::SHAPE_VECTOR_PATH_WIDTH),
                    ("height", keys::SHAPE_VECTOR_PATH_HEIGHT),
                ] {
                    if let Some(v) = num(e, &[k]).filter(|v| v.is_finite() && *v >= 0.0) {
                        d.number(prop, v)?;
                    }
                }
                if num(e, &["fillRule"]) == Some(1.0) {
                    d.choice(keys::SHAPE_VECTOR_PATH_FILL_RULE, "EvenOdd")?;
                }
            }
            BlockType::Fill(FillKind::Color) => {
                if let Some(c) = e.get("value").and_then(color) {
                    d.color(keys::FILL_COLOR_VALUE, c)?;
                }
            }
            BlockType::Fill(FillKind::Image) => {
                if let Some(u) = e.get("imageFileURI").and_then(|v| v.as_str()) {
                    d.string(keys::FILL_IMAGE_URI, u)?;
                }
            }
            BlockType::Fill(kind) => {
                let stops: Vec<GradientStop> = e
                    .at(&["gradient", "colorStops"])
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|s| {
                        Some(GradientStop {
                            color: color(s.get("second")?)?,
                            stop: num(s, &["first"])?.clamp(0.0, 1.0) as f32,
                        })
                    })
                    .collect();
                if !stops.is_empty() {
                    crate::typed::check_gradient_stops(&stops)
                        .map_err(|err| bad(format!("entity {entity}: {err}")))?;
                    d.block.gradient_stops = stops;
                }
                let pairs: &[(&str, &str, &str)] = match kind {
                    FillKind::LinearGradient => &[
                        ("startPoint", "x", keys::FILL_GRADIENT_LINEAR_START_POINT_X),
                        ("startPoint", "y", keys::FILL_GRADIENT_LINEAR_START_POINT_Y),
                        ("endPoint", "x", keys::FILL_GRADIENT_LINEAR_END_POINT_X),
                        ("endPoint", "y", keys::FILL_GRADIENT_LINEAR_END_POINT_Y),
                    ],
                    FillKind::RadialGradient => &[
                        (
                            "centerPoint",
                            "x",
                            keys::FILL_GRADIENT_RADIAL_CENTER_POINT_X,
                        ),
                        (
                            "centerPoint",
                            "y",
                            keys::FILL_GRADIENT_RADIAL_CENTER_POINT_Y,
                        ),
                    ],
                    _ => &[
                        (
                            "centerPoint",
                            "x",
                            keys::FILL_GRADIENT_CONICAL_CENTER_POINT_X,
                        ),
                        (
                            "centerPoint",
                            "y",
                            keys::FILL_GRADIENT_CONICAL_CENTER_POINT_Y,
                        ),
                    ],
                };
                for (name, axis, prop) in pairs {
                    if let Some(v) = num(e, &[name, axis]).filter(|v| v.is_finite()) {
                        d.number(prop, v)?;
                    }
                }
                if kind == FillKind::RadialGradient
                    && let Some(r) = num(e, &["radius"]).filter(|r| r.is_finite() && *r >= 0.0)
                {
                    d.number(keys::FILL_GRADIENT_RADIAL_RADIUS, r)?;
                }
            }
            _ => {}
        }
        Ok(Some(self.push(d)))
    }

    /// Text: the string, its font and typeface, size in points, colour, alignment, spacing
    /// and runs (UTF-16 `runStart`/`runEnd`, each run's size and colour falling back to the
    /// block's).
    fn text(&self, d: &mut Draft, e: NodeRef<'_>) -> Result<()> {
        let text = e.get("text").and_then(|v| v.as_str()).unwrap_or_default();
        d.string(keys::TEXT_TEXT, text)?;
        let block_font = e.get("fontFileUri").and_then(|v| v.as_str());
        if let Some(u) = block_font {
            d.string(keys::TEXT_FONT_FILE_URI, u)?;
        }
        let size = num(e, &["fontSize"])
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 10_000.0)
            .unwrap_or(12.0);
        d.number(keys::TEXT_FONT_SIZE, size)?;
        for (key, prop) in [
            ("lineHeight", keys::TEXT_LINE_HEIGHT),
            ("letterSpacing", keys::TEXT_LETTER_SPACING),
            ("paragraphSpacing", keys::TEXT_PARAGRAPH_SPACING),
            ("minAutomaticFontSize", keys::TEXT_MIN_AUTOMATIC_FONT_SIZE),
            ("maxAutomaticFontSize", keys::TEXT_MAX_AUTOMATIC_FONT_SIZE),
        ] {
            if let Some(v) = num(e, &[key]).filter(|v| v.is_finite()) {
                d.number(prop, v)?;
            }
        }
        for (key, prop) in [
            (
                "automaticFontSizeEnabled",
                keys::TEXT_AUTOMATIC_FONT_SIZE_ENABLED,
            ),
            (
                "clipLinesOutsideOfFrame",
                keys::TEXT_CLIP_LINES_OUTSIDE_OF_FRAME,
            ),
        ] {
            if let Some(v) = e.get(key).and_then(|v| v.as_bool()) {
                d.flag(prop, v)?;
            }
        }
        if let Some(a) =
            num(e, &["horizontalAlignment"]).and_then(|v| enum_name("textAlign", v as i64))
        {
            d.choice(keys::TEXT_HORIZONTAL_ALIGNMENT, a)?;
        }
        if let Some(a) =
            num(e, &["verticalAlignment"]).and_then(|v| enum_name("textVertical", v as i64))
        {
            d.choice(keys::TEXT_VERTICAL_ALIGNMENT, a)?;
        }
        let name = e.get("typeface").and_then(|v| v.as_str());
        let typeface = name.and_then(|n| self.typefaces.get(n));
        // A font file picks its weight and style from the typeface.
        let face_of = |uri: &str| {
            typeface
                .and_then(|t| t.fonts.iter().find(|f| f.uri == uri))
                .map_or((FontWeight::Normal, FontStyle::Normal), |f| {
                    (f.weight, f.style)
                })
        };
        let base_color = e.get("color").and_then(color).unwrap_or(Color::BLACK);
        let len = crate::utf16_len(text);
        let mut runs = Vec::new();
        let mut at = 0u32;
        for r in e
            .get("textRuns")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let (Some(start), Some(end)) = (num(r, &["runStart"]), num(r, &["runEnd"])) else {
                continue;
            };
            let (start, end) = (start as u32, (end as u32).min(len));
            if start != at || end < start {
                continue;
            }
            let font_size = r
                .at(&["fontSize", "data"])
                .and_then(|v| v.as_f64())
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 10_000.0)
                .unwrap_or(size) as f32;
            let color = r
                .get("color")
                .filter(|c| c.get("nullopt").and_then(|v| v.as_bool()) != Some(true))
                .and_then(|c| c.get("data").and_then(color).or_else(|| color(c)))
                .unwrap_or(base_color);
            // A run's font (else the block's).
            let font = r
                .at(&["font", "data"])
                .and_then(|v| v.as_str())
                .or(block_font)
                .unwrap_or_default();
            let (weight, style) = face_of(font);
            runs.push(TextRun {
                start,
                end,
                font_size,
                color,
                weight,
                style,
            });
            at = end;
        }
        if at != len || runs.is_empty() {
            runs.clear();
            if len > 0 {
                let (weight, style) = face_of(block_font.unwrap_or_default());
                runs.push(TextRun {
                    start: 0,
                    end: len,
                    font_size: size as f32,
                    color: base_color,
                    weight,
                    style,
                });
            }
        }
        if let Some(name) = name {
            d.string(keys::TEXT_TYPEFACE, name)?;
        }
        load_text(
            &format_args!("entity {}", d.entity),
            &mut d.block,
            runs,
            typeface.cloned(),
        )
    }

    /// A design element, its shape and fill, then its children, without recursion.
    fn design(&mut self, root: u64) -> Result<()> {
        let mut seen = vec![false; self.elements.0.len()];
        let mut f = Fields::default();
        let mut pending: Vec<(u64, Option<usize>, Option<Transform>)> = vec![(root, None, None)];
        while let Some((entity, parent, group)) = pending.pop() {
            let at = self.position(entity)?;
            if std::mem::replace(&mut seen[at], true) {
                return Err(bad(format!(
                    "entity {entity} appears twice in the hierarchy (a cycle or a shared child)"
                )));
            }
            let e = self.elements.0[at].1;
            f.index(e);
            let id = f.get("id").and_then(|v| v.as_str()).unwrap_or_default();
            if id.ends_with("/camera") {
                continue;
            }
            let Some(ty) = easel_type(id).filter(|t| t.is_design_block()) else {
                self.dropped(entity, id, "block type", id.to_string())?;
                continue;
            };
            self.unsupported(entity, id, &f)?;
            let mut d = Draft::new(entity, ty);
            let mut placement = None;
            match ty {
                BlockType::Scene => {
                    if let Some(l) = f
                        .num(&["layout"])
                        .and_then(|v| enum_name("layout", v as i64))
                    {
                        d.choice(keys::SCENE_LAYOUT, l)?;
                    }
                    if let Some(u) = f
                        .num(&["designUnit"])
                        .and_then(|v| enum_name("designUnit", v as i64))
                    {
                        d.choice(keys::SCENE_DESIGN_UNIT, u)?;
                    }
                    if let Some(dpi) = f.num(&["dpi"]).filter(|d| (1.0..=10_000.0).contains(d)) {
                        d.number(keys::SCENE_DPI, dpi)?;
                    }
                }
                BlockType::Stack => {
                    if let Some(s) = f.num(&["spacing"]).filter(|s| s.is_finite() && *s >= 0.0) {
                        d.number(keys::STACK_SPACING, s)?;
                    }
                    if let Some(b) = f.get("spacingInScreenspace").and_then(|v| v.as_bool()) {
                        d.flag(keys::STACK_SPACING_IN_SCREENSPACE, b)?;
                    }
                }
                _ => {
                    placement = Some(Self::frame(&mut d, &f, group)?);
                    if ty == BlockType::Text {
                        self.text(&mut d, e)?;
                    } else if ty != BlockType::Group {
                        Self::stroke(&mut d, &f)?;
                        Self::fill_settings(&mut d, &f)?;
                    }
                }
            }
            Self::common(&mut d, &f)?;
            let index = self.push(d);
            if let Some(p) = parent {
                self.blocks[p].links.children.push(index);
            }
            // Texts draw with their run colours; their colour fill is not a separate block.
            if ty != BlockType::Text {
                let shape = f
                    .num(&["block_shape", "value"])
                    .filter(|_| ty != BlockType::Page);
                let fill = f.num(&["block_fill", "value"]);
                for (part, is_shape) in [(shape, true), (fill, false)] {
                    if let Some(part) = part.map(|v| v as u64)
                        && self.elements.position(part).is_some()
                        && let Some(i) = self.part(part)?
                    {
                        let links = &mut self.blocks[index].links;
                        *(if is_shape {
                            &mut links.shape
                        } else {
                            &mut links.fill
                        }) = Some(i);
                    }
                }
            }
            // Group members are stored in page coordinates: they are placed relative to
            // their group's page-space placement.
            let child_group = if ty == BlockType::Group {
                placement
            } else {
                None
            };
            if let Some(children) = self.children.get(entity).and_then(|v| v.as_array()) {
                let from = pending.len();
                pending.extend(
                    children
                        .filter_map(|v| v.as_f64())
                        .map(|c| (c as u64, Some(index), child_group)),
                );
                pending[from..].reverse();
            }
        }
        Ok(())
    }

    /// How a graphic's (or page's) fill sits in its frame, and whether it is drawn.
    fn fill_settings(d: &mut Draft, f: &Fields<'_>) -> Result<()> {
        if let Some(m) = f
            .num(&["block_content_fill_mode"])
            .and_then(|v| enum_name("contentFill", v as i64))
        {
            d.choice(keys::CONTENT_FILL_MODE, m)?;
        }
        for (key, prop) in [
            ("block_crop_scale_x", keys::CROP_SCALE_X),
            ("block_crop_scale_y", keys::CROP_SCALE_Y),
            ("block_crop_translation_x", keys::CROP_TRANSLATION_X),
            ("block_crop_translation_y", keys::CROP_TRANSLATION_Y),
            ("block_crop_rotation", keys::CROP_ROTATION),
        ] {
            if let Some(v) = f.num(&[key]).filter(|v| v.is_finite()) {
                d.number(prop, v)?;
            }
        }
        if let Some(enabled) = f.at(&["block_fill", "enabled"]).and_then(|v| v.as_bool()) {
            d.flag(keys::FILL_ENABLED, enabled)?;
        }
        Ok(())
    }
}

/// The JSON text of a scene string's base64. A large one decodes on two threads: groups of
/// four characters decode independently, so each half goes into its own part of the output.
fn decode(body: &str) -> Result<String> {
    let engine = &base64::engine::general_purpose::STANDARD;
    let input = body.as_bytes();
    let split = (input.len() / 2) / 4 * 4;
    let two_threads =
        input.len() >= 1 << 20 && std::thread::available_parallelism().is_ok_and(|n| n.get() > 1);
    let bytes = if two_threads {
        let (first, second) = input.split_at(split);
        let mut out = vec![0u8; split / 4 * 3 + (input.len() - split).div_ceil(4) * 3];
        let (out_first, out_second) = out.split_at_mut(split / 4 * 3);
        let (a, b) = std::thread::scope(|s| {
            let second = s.spawn(|| engine.decode_slice(second, out_second));
            (engine.decode_slice(first, out_first), second.join())
        });
        match (a, b) {
            (Ok(_), Ok(Ok(n))) => {
                out.truncate(split / 4 * 3 + n);
                Some(out)
            }
            // Padding in the first half, a bad byte, …: decoded again in one piece, for the
            // error at its place in the whole text.
            _ => None,
        }
    } else {
        None
    };
    let bytes = match bytes {
        Some(bytes) => bytes,
        None => engine.decode(input).map_err(|e| {
            bad(format!(
                "the text after `{CESDK_PREFIX}` is not base64: {e}"
            ))
        })?,
    };
    String::from_utf8(bytes).map_err(|e| {
        bad(format!(
            "the document is not UTF-8 text: {}",
            e.utf8_error()
        ))
    })
}

/// Translates a CE.SDK scene string into a checked Easel document, with what was dropped.
fn cesdk_to_document(s: &str, options: LoadOptions) -> Result<(LoadedDocument, LoadReport)> {
    let body = s
        .trim()
        .strip_prefix(CESDK_PREFIX)
        .ok_or_else(|| bad(format!("a CE.SDK scene starts with `{CESDK_PREFIX}`")))?;
    let text = decode(body.trim())?;
    let tree = Tree::parse(&text, read_keys())
        .map_err(|e| bad(format!("the document is not JSON: {e}")))?;
    let doc = tree.root();
    let format = doc
        .get("format")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if format != "//ly.img.ubq/scene" {
        return Err(bad(format!(
            "format is `{format}`, expected `//ly.img.ubq/scene`"
        )));
    }
    let version = doc
        .get("version")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if version.split('.').next() != Some("1") {
        return Err(bad(format!(
            "format version `{version}` is not 1.x, which this build reads"
        )));
    }
    let elements = doc
        .get("designElements")
        .and_then(|v| v.as_array())
        .ok_or_else(|| bad("no designElements array"))?;
    if elements.len() > MAX_ELEMENTS {
        return Err(bad(format!(
            "{} elements, more than {MAX_ELEMENTS}",
            elements.len()
        )));
    }
    let count = elements.len();
    let by_entity = elements
        .map(|e| {
            num(e, &["entity"])
                .filter(|n| *n >= 0.0 && n.fract() == 0.0)
                .map(|n| (n as u64, e))
                .ok_or_else(|| bad("an element without a numeric entity"))
        })
        .collect::<Result<Vec<_>>>()?;
    let by_entity = ByEntity::new(by_entity)
        .map_err(|entity| bad(format!("entity {entity} is declared twice")))?;
    let hierarchy = doc.get("hierarchy").ok_or_else(|| bad("no hierarchy"))?;
    let root = num(hierarchy, &["root"]).ok_or_else(|| bad("the hierarchy has no root"))? as u64;
    let mut children = Vec::new();
    for c in hierarchy
        .get("children")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let key = num(c, &["key"]).ok_or_else(|| bad("a hierarchy entry without a key"))? as u64;
        if let Some(list) = c.get("value") {
            children.push((key, list));
        }
    }
    let children = ByEntity::new(children).map_err(|entity| {
        bad(format!(
            "the hierarchy lists entity {entity}'s children twice"
        ))
    })?;
    let mut typefaces = HashMap::new();
    for face in doc
        .get("documentTypefaces")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
        .filter_map(|t| t.get("payload.typeface"))
    {
        let name = face
            .get("name")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        let fonts = face
            .get("fonts")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .map(|f| FontFace {
                uri: f
                    .get("uri")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                sub_family: f
                    .get("subFamily")
                    .and_then(|v| v.as_str())
                    .unwrap_or_default()
                    .to_string(),
                weight: if num(f, &["weight"]).unwrap_or(400.0) >= 600.0 {
                    FontWeight::Bold
                } else {
                    FontWeight::Normal
                },
                style: if num(f, &["style"]).unwrap_or(0.0) >= 1.0 {
                    FontStyle::Italic
                } else {
                    FontStyle::Normal
                },
            })
            .collect();
        typefaces.insert(
            name,
            Typeface {
                name: name.to_string(),
                fonts,
            },
        );
    }
    let mut converter = Converter {
        elements: by_entity,
        children,
        typefaces,
        options,
        report: LoadReport::default(),
        blocks: Vec::with_capacity(count),
    };
    let root_type = converter
        .element(root)?
        .get("id")
        .and_then(|v| v.as_str())
        .unwrap_or_default();
    if root_type != "//ly.img.ubq/scene" {
        return Err(bad(format!(
            "the root entity {root} is a `{root_type}`, not a scene"
        )));
    }
    converter.design(root)?;
    let doc = LoadedDocument {
        roots: vec![0],
        blocks: converter.blocks,
    };
    doc.check()?;
    Ok((doc, converter.report))
}

/// Translates a CE.SDK scene string into Easel's scene document (as JSON text), with what
/// was dropped.
pub fn cesdk_to_easel_json(s: &str, options: LoadOptions) -> Result<(String, LoadReport)> {
    let mut graph = SceneGraph::new();
    let (_, report) = graph.load_cesdk_from_string(s, options)?;
    Ok((graph.save_to_string()?, report))
}

/// The fields the translation reads; everything else in a document (scopes, settings,
/// playback, …: most of its bytes) is skipped while parsing, without being built.
const READ_KEYS: &[&str] = &[
    "format",
    "version",
    "designElements",
    "hierarchy",
    "documentTypefaces",
    "entity",
    "id",
    "block_position",
    "block_size",
    "block_rotation",
    "block_scale",
    "opacity",
    "hidden",
    "block_common",
    "metadata",
    "block_fill",
    "block_shape",
    "stroke",
    "block_content_fill_mode",
    "block_crop_scale_x",
    "block_crop_scale_y",
    "block_crop_translation_x",
    "block_crop_translation_y",
    "block_blend_mode",
    "block_effects",
    "block_blur",
    "has_drop_shadow",
    "drop_shadow",
    "has_block_animations_value",
    "layout",
    "designUnit",
    "dpi",
    "spacing",
    "spacingInScreenspace",
    "text",
    "fontFileUri",
    "typeface",
    "fontSize",
    "color",
    "textRuns",
    "horizontalAlignment",
    "verticalAlignment",
    "lineHeight",
    "letterSpacing",
    "paragraphSpacing",
    "automaticFontSizeEnabled",
    "minAutomaticFontSize",
    "maxAutomaticFontSize",
    "clipLinesOutsideOfFrame",
    "cornerRadiusTL",
    "cornerRadiusTR",
    "cornerRadiusBL",
    "cornerRadiusBR",
    "points",
    "innerDiameter",
    "sides",
    "cornerRadius",
    "path",
    "width",
    "height",
    "fillRule",
    "value",
    "imageFileURI",
    "gradient",
    "startPoint",
    "endPoint",
    "centerPoint",
    "radius",
    "root",
    "children",
    "key",
    "payload.typeface",
    "name",
    "fonts",
    "uri",
    "subFamily",
    "weight",
    "style",
    "left",
    "top",
    "type",
    "unit",
    "x",
    "y",
    "z",
    "w",
    "components",
    "colorSpace",
    "tint",
    "enabled",
    "exportable",
    "position",
    "cornerGeometry",
    "cap",
    "dashArray",
    "dashOffset",
    "effects",
    "colorStops",
    "first",
    "second",
    "runStart",
    "runEnd",
    "font",
    "data",
    "nullopt",
    "axis",
];

/// [`READ_KEYS`] as a set.
fn read_keys() -> &'static KeySet {
    static KEYS: std::sync::OnceLock<KeySet> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| KeySet::new(READ_KEYS))
}

impl SceneGraph {
    /// Loads a scene saved by CE.SDK (`UBQ1…`), replacing the current scene; on any error
    /// the graph is left as it was. Returns the scene and what could not be carried over.
    pub fn load_cesdk_from_string(
        &mut self,
        s: &str,
        options: LoadOptions,
    ) -> Result<(BlockId, LoadReport)> {
        let (doc, report) = cesdk_to_document(s, options)?;
        let scene = self.load_document(doc)?;
        Ok((scene, report))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::{Value, json};

    fn encode(doc: &Value) -> String {
        format!(
            "{CESDK_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(doc.to_string())
        )
    }

    fn element(entity: u64, id: &str) -> Value {
        json!({"entity": entity, "id": format!("//ly.img.ubq/{id}")})
    }

    /// A scene, a stack, an 800×600 page and a red rectangle graphic at (40, 30).
    fn minimal() -> Value {
        let mut graphic = element(4, "graphic");
        graphic["block_position"] =
            json!({"left": {"unit": 1, "value": 40.0}, "top": {"unit": 1, "value": 30.0}});
        graphic["block_size"] =
            json!({"width": {"unit": 1, "value": 200.0}, "height": {"unit": 1, "value": 100.0}});
        graphic["block_shape"] = json!({"value": 5});
        graphic["block_fill"] = json!({"enabled": true, "value": 6});
        let mut page = element(2, "page");
        page["block_size"] =
            json!({"width": {"unit": 1, "value": 800.0}, "height": {"unit": 1, "value": 600.0}});
        page["block_position"] = json!({"type": 1});
        let mut fill = element(6, "fill/color");
        fill["value"] =
            json!({"colorSpace": 0, "components": {"x": 1.0, "y": 0.0, "z": 0.0, "w": 1.0}});
        let mut scene = element(0, "scene");
        scene["layout"] = json!(1);
        json!({
            "format": "//ly.img.ubq/scene",
            "version": "1.10.0",
            "designElements": [scene, element(1, "stack"), page, graphic, element(5, "shape/rect"), fill],
            "hierarchy": {"root": 0, "children": [
                {"key": 0, "value": [1]}, {"key": 1, "value": [2]}, {"key": 2, "value": [4]}
            ]}
        })
    }

    #[test]
    fn a_minimal_document_loads_with_its_blocks_and_properties() {
        let mut g = SceneGraph::new();
        let (scene, report) = g
            .load_cesdk_from_string(&encode(&minimal()), LoadOptions::default())
            .unwrap();
        assert!(report.is_empty(), "{report:?}");
        let graphic = g.find_by_type("graphic").unwrap()[0];
        assert_eq!(g.get_float(graphic, crate::keys::POSITION_X).unwrap(), 40.0);
        assert_eq!(g.get_float(graphic, crate::keys::WIDTH).unwrap(), 200.0);
        let fill = g.fill(graphic).unwrap().unwrap();
        assert_eq!(
            g.get_color(fill, crate::keys::FILL_COLOR_VALUE).unwrap(),
            crate::Color::rgb(1.0, 0.0, 0.0)
        );
        assert_eq!(g.scene(), Some(scene));
    }

    #[test]
    fn bad_input_is_a_typed_error_and_the_scene_stays() {
        let mut g = SceneGraph::new();
        let created = g
            .create_scene(crate::SceneLayout::VerticalStack, Some((10.0, 10.0)))
            .unwrap();
        let mut cases: Vec<(String, &str)> = vec![
            ("not a scene".into(), "starts with"),
            ("UBQ1!!!not base64".into(), "base64"),
            (
                format!(
                    "UBQ1{}",
                    base64::engine::general_purpose::STANDARD.encode("{\"format\": ")
                ),
                "not JSON",
            ),
        ];
        let mut v = minimal();
        v["version"] = json!("2.0.0");
        cases.push((encode(&v), "version"));
        let mut v = minimal();
        v["hierarchy"]["children"][2] = json!({"key": 2, "value": [4, 2]});
        cases.push((encode(&v), "twice"));
        let mut v = minimal();
        v["hierarchy"]["children"][2] = json!({"key": 2, "value": [99]});
        cases.push((encode(&v), "99"));
        let mut v = minimal();
        v["designElements"]
            .as_array_mut()
            .unwrap()
            .push(element(4, "graphic"));
        cases.push((encode(&v), "declared twice"));
        let mut v = minimal();
        v["designElements"][3]["block_size"]["width"]["value"] = json!(1e30);
        cases.push((encode(&v), "width"));
        let mut v = minimal();
        v["hierarchy"]["children"][1] = json!({"key": 1, "value": [4]});
        cases.push((encode(&v), "cannot be a child"));
        for (input, why) in cases {
            let e = g
                .load_cesdk_from_string(&input, LoadOptions::default())
                .unwrap_err()
                .to_string();
            assert!(e.contains(why), "{why}: {e}");
            assert_eq!(g.scene(), Some(created.scene), "the current scene stays");
        }
    }

    #[test]
    fn a_large_body_decodes_in_two_halves_to_the_same_text_and_errors() {
        // Over the two-thread threshold, with lengths that leave every remainder.
        for extra in 0..4 {
            let text: String = (0..(1 << 20) + extra)
                .map(|i| char::from(b'a' + (i % 26) as u8))
                .collect();
            let body = base64::engine::general_purpose::STANDARD.encode(&text);
            assert_eq!(decode(&body).unwrap(), text);
        }
        let body = base64::engine::general_purpose::STANDARD.encode(vec![b'x'; 1 << 21]);
        // A bad byte in the second half is reported at its place in the whole body.
        let mut bad_body = body.clone().into_bytes();
        let at = bad_body.len() - 100;
        bad_body[at] = b'!';
        let e = decode(std::str::from_utf8(&bad_body).unwrap())
            .unwrap_err()
            .to_string();
        assert!(e.contains("base64") && e.contains(&at.to_string()), "{e}");
        // Padding in the middle is an error, not a truncated document.
        let mut padded = body.into_bytes();
        let middle = padded.len() / 2 / 4 * 4 - 2;
        padded[middle] = b'=';
        padded[middle + 1] = b'=';
        assert!(decode(std::str::from_utf8(&padded).unwrap()).is_err());
        // Not UTF-8 once decoded.
        let e = decode(&base64::engine::general_purpose::STANDARD.encode([0xff, 0xfe]))
            .unwrap_err()
            .to_string();
        assert!(e.contains("UTF-8"), "{e}");
    }

    #[test]
    fn a_hierarchy_listing_an_entity_twice_is_refused() {
        let mut v = minimal();
        v["hierarchy"]["children"]
            .as_array_mut()
            .unwrap()
            .push(json!({"key": 2, "value": []}));
        let e = SceneGraph::new()
            .load_cesdk_from_string(&encode(&v), LoadOptions::default())
            .unwrap_err()
            .to_string();
        assert!(e.contains("entity 2"), "{e}");
    }

    #[test]
    fn unsupported_components_are_reported_or_refused_when_strict() {
        let mut v = minimal();
        v["designElements"][3]["block_blend_mode"] = json!(99);
        v["designElements"][3]["block_effects"] = json!({"effects": [7]});
        let mut g = SceneGraph::new();
        let (_, report) = g
            .load_cesdk_from_string(&encode(&v), LoadOptions::default())
            .unwrap();
        let components: Vec<&str> = report
            .dropped
            .iter()
            .map(|d| d.component.as_str())
            .collect();
        assert_eq!(components, ["blend mode", "effects"]);
        assert_eq!(report.dropped[0].entity, 4);
        let e = g
            .load_cesdk_from_string(&encode(&v), LoadOptions { strict: true })
            .unwrap_err();
        assert!(e.to_string().contains("blend mode"), "{e}");
    }
}
