//! Scene files saved by the reference engine (CE.SDK): `UBQ1` followed by base64 of a JSON
//! document with `designElements` (one per block, components as fields) and a `hierarchy`.
//! They are translated into Easel's own scene document and loaded through the same checked
//! path as Easel's files, so a bad file leaves the current scene as it was.
//!
//! What the documents hold was learned from files saved by CE.SDK 1.79 (format 1.10.0): see
//! the field notes on each mapping below. Components Easel does not draw (effects, blur,
//! drop shadows, animations, blend mode numbers outside the 27 known, …) are listed in the
//! [`LoadReport`]; [`LoadOptions::strict`] makes any of them an error instead.

use crate::json_tree::{NodeRef, Tree};
use crate::{BlendMode, BlockId, Error, Result, SceneGraph, Transform, keys};
use base64::Engine as _;
use serde_json::{Map, Value, json};
use std::collections::{HashMap, HashSet};

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
    path.iter().try_fold(v, |v, k| v.get(k))?.as_f64()
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

/// A colour `{colorSpace, components: {x, y, z, w}, tint}` as `{r, g, b, a}`: sRGB as it is,
/// CMYK converted naively (no profile), spot colours by their sRGB approximation.
fn color(v: NodeRef<'_>) -> Option<Value> {
    let c = v.get("components")?;
    let (x, y, z, w) = (
        num(c, &["x"])?,
        num(c, &["y"])?,
        num(c, &["z"])?,
        num(c, &["w"]).unwrap_or(1.0),
    );
    let clamp = |v: f64| {
        if v.is_finite() {
            v.clamp(0.0, 1.0)
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
    Some(json!({"r": clamp(r), "g": clamp(g), "b": clamp(b), "a": clamp(a)}))
}

/// The block type's short name, for the design blocks and their parts Easel has.
fn easel_type(id: &str) -> Option<&'static str> {
    let short = id.strip_prefix("//ly.img.ubq/")?;
    Some(match short {
        "scene" => "//ly.img.ubq/scene",
        "stack" => "//ly.img.ubq/stack",
        "page" => "//ly.img.ubq/page",
        "graphic" => "//ly.img.ubq/graphic",
        "group" => "//ly.img.ubq/group",
        "text" => "//ly.img.ubq/text",
        "shape/rect" => "//ly.img.ubq/shape/rect",
        "shape/ellipse" => "//ly.img.ubq/shape/ellipse",
        "shape/star" => "//ly.img.ubq/shape/star",
        "shape/polygon" => "//ly.img.ubq/shape/polygon",
        "shape/line" => "//ly.img.ubq/shape/line",
        "shape/vector_path" => "//ly.img.ubq/shape/vector_path",
        "fill/color" => "//ly.img.ubq/fill/color",
        "fill/gradient/linear" => "//ly.img.ubq/fill/gradient/linear",
        "fill/gradient/radial" => "//ly.img.ubq/fill/gradient/radial",
        "fill/gradient/conical" => "//ly.img.ubq/fill/gradient/conical",
        "fill/image" => "//ly.img.ubq/fill/image",
        _ => return None,
    })
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

struct Converter<'a> {
    elements: HashMap<u64, NodeRef<'a>>,
    children: HashMap<u64, Vec<u64>>,
    typefaces: HashMap<String, Value>,
    options: LoadOptions,
    report: LoadReport,
    blocks: Vec<Value>,
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

    fn element(&self, entity: u64) -> Result<NodeRef<'a>> {
        self.elements.get(&entity).copied().ok_or_else(|| {
            bad(format!(
                "the hierarchy names entity {entity}, which is not in designElements"
            ))
        })
    }

    /// Components Easel does not draw, reported.
    fn unsupported(&mut self, entity: u64, ty: &str, e: NodeRef<'_>) -> Result<()> {
        if let Some(mode) = num(e, &["block_blend_mode"])
            && blend_mode(mode).is_none()
        {
            self.dropped(entity, ty, "blend mode", format!("#{mode}"))?;
        }
        if let Some(effects) = e
            .pointer("/block_effects/effects")
            .and_then(|v| v.as_array())
            && !effects.is_empty()
        {
            self.dropped(entity, ty, "effects", format!("{} effects", effects.len()))?;
        }
        if e.pointer("/block_blur/enabled").and_then(|v| v.as_bool()) == Some(true)
            && num(e, &["block_blur", "value"]).is_some_and(|v| v != 4_294_967_295.0)
        {
            self.dropped(entity, ty, "blur", "enabled".into())?;
        }
        if e.get("has_drop_shadow").and_then(|v| v.as_bool()) == Some(true)
            && e.pointer("/drop_shadow/enabled").and_then(|v| v.as_bool()) == Some(true)
        {
            self.dropped(entity, ty, "drop shadow", "enabled".into())?;
        }
        if e.get("has_block_animations_value")
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
    fn frame(
        &mut self,
        entity: u64,
        e: NodeRef<'_>,
        props: &mut Map<String, Value>,
        parent: Option<Transform>,
    ) -> Result<Transform> {
        // (value, auto): unit 3 is Auto.
        let size = |key: &str| -> Result<(f32, bool)> {
            let unit = num(e, &["block_size", key, "unit"]).unwrap_or(1.0) as i64;
            let value = num(e, &["block_size", key, "value"]).unwrap_or(0.0);
            Ok((checked(entity, key, value)? as f32, unit == 3))
        };
        let (w, w_auto) = size("width")?;
        let (h, h_auto) = size("height")?;
        let x = checked(
            entity,
            "left",
            num(e, &["block_position", "left", "value"]).unwrap_or(0.0),
        )? as f32;
        let y = checked(
            entity,
            "top",
            num(e, &["block_position", "top", "value"]).unwrap_or(0.0),
        )? as f32;
        let rotation = checked(
            entity,
            "rotation",
            num(e, &["block_rotation", "z"]).unwrap_or(0.0),
        )? as f32;
        let placement = Transform::rotate(rotation).then(Transform::translate(x, y));
        let local = match parent.and_then(|p| p.invert()) {
            Some(inverse) => placement.then(inverse),
            None => placement,
        };
        let parent_rotation = parent.map_or(0.0, |p| p.0[1].atan2(p.0[0]));
        let (cx, cy) = local.apply(w / 2.0, h / 2.0);
        let ty = e.get("id").and_then(|v| v.as_str()).unwrap_or_default();
        let has_position =
            !(ty.ends_with("/page") && num(e, &["block_position", "type"]) == Some(1.0));
        if has_position {
            props.insert("position/x".into(), json!(cx - w / 2.0));
            props.insert("position/y".into(), json!(cy - h / 2.0));
        }
        props.insert("rotation".into(), json!(rotation - parent_rotation));
        if !w_auto {
            props.insert("width".into(), json!(w));
        }
        if !h_auto {
            props.insert("height".into(), json!(h));
        }
        if ty.ends_with("/text") {
            props.insert(
                "width/mode".into(),
                json!(if w_auto { "Auto" } else { "Absolute" }),
            );
            props.insert(
                "height/mode".into(),
                json!(if h_auto { "Auto" } else { "Absolute" }),
            );
        }
        if num(e, &["block_scale", "x"]).is_some_and(|s| s < 0.0) {
            props.insert("flip/horizontal".into(), json!(true));
        }
        if num(e, &["block_scale", "y"]).is_some_and(|s| s < 0.0) {
            props.insert("flip/vertical".into(), json!(true));
        }
        Ok(placement)
    }

    fn common(&self, e: NodeRef<'_>, props: &mut Map<String, Value>) -> Value {
        if let Some(name) = e.pointer("/block_common/name").and_then(|v| v.as_str())
            && !name.is_empty()
        {
            props.insert("name".into(), json!(name));
        }
        if let Some(o) = num(e, &["opacity"]) {
            props.insert("opacity".into(), json!(o.clamp(0.0, 1.0)));
        }
        if let Some(mode) = num(e, &["block_blend_mode"]).and_then(blend_mode) {
            props.insert(keys::BLEND_MODE.into(), json!(mode.as_str()));
        }
        if e.get("hidden").and_then(|v| v.as_bool()) == Some(true) {
            props.insert("visible".into(), json!(false));
        }
        if e.pointer("/block_common/exportable")
            .and_then(|v| v.as_bool())
            == Some(false)
        {
            props.insert("includedInExport".into(), json!(false));
        }
        let mut metadata = Map::new();
        for m in e
            .get("metadata")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            if let (Some(k), Some(v)) = (
                m.get("key").and_then(|v| v.as_str()),
                m.get("value").and_then(|v| v.as_str()),
            ) {
                metadata.insert(k.to_string(), json!(v));
            }
        }
        Value::Object(metadata)
    }

    fn stroke(
        &mut self,
        e: NodeRef<'_>,
        props: &mut Map<String, Value>,
        block: &mut Map<String, Value>,
    ) {
        let Some(s) = e.get("stroke") else {
            return;
        };
        if s.get("enabled").and_then(|v| v.as_bool()) != Some(true) {
            return;
        }
        props.insert("stroke/enabled".into(), json!(true));
        if let Some(w) = num(s, &["width"]).filter(|w| w.is_finite() && *w >= 0.0) {
            props.insert("stroke/width".into(), json!(w));
        }
        if let Some(c) = s.get("color").and_then(color) {
            props.insert("stroke/color".into(), c);
        }
        for (key, kind, prop) in [
            ("position", "strokePosition", "stroke/position"),
            ("cornerGeometry", "cornerGeometry", "stroke/cornerGeometry"),
            ("cap", "cap", "stroke/cap"),
        ] {
            if let Some(name) = num(s, &[key]).and_then(|v| enum_name(kind, v as i64)) {
                props.insert(prop.into(), json!(name));
            }
        }
        if let Some(d) = s.get("dashArray").and_then(|v| v.as_array())
            && !d.is_empty()
        {
            block.insert(
                "dashArray".into(),
                Value::Array(d.map(NodeRef::to_value).collect()),
            );
        }
        if let Some(o) = num(s, &["dashOffset"]).filter(|o| o.is_finite()) {
            props.insert("stroke/dashOffset".into(), json!(o));
        }
    }

    /// A shape or fill element as an Easel block; returns its index.
    fn part(&mut self, entity: u64) -> Result<Option<usize>> {
        let e = self.element(entity)?;
        let id = e.get("id").and_then(|v| v.as_str()).unwrap_or_default();
        let Some(ty) = easel_type(id) else {
            self.dropped(entity, id, "block type", id.to_string())?;
            return Ok(None);
        };
        let mut props = Map::new();
        let mut block = Map::new();
        match ty.strip_prefix("//ly.img.ubq/").unwrap_or_default() {
            "shape/rect" => {
                for k in ["TL", "TR", "BL", "BR"] {
                    if let Some(r) = num(e, &[&format!("cornerRadius{k}")])
                        .filter(|r| r.is_finite() && *r >= 0.0)
                    {
                        props.insert(format!("shape/rect/cornerRadius{k}"), json!(r));
                    }
                }
            }
            "shape/star" => {
                if let Some(p) = num(e, &["points"]) {
                    props.insert("shape/star/points".into(), json!((p as i64).clamp(3, 1000)));
                }
                if let Some(d) = num(e, &["innerDiameter"]) {
                    props.insert("shape/star/innerDiameter".into(), json!(d.clamp(0.0, 1.0)));
                }
            }
            "shape/polygon" => {
                if let Some(s) = num(e, &["sides"]) {
                    props.insert(
                        "shape/polygon/sides".into(),
                        json!((s as i64).clamp(3, 1000)),
                    );
                }
                if let Some(r) = num(e, &["cornerRadius"]).filter(|r| r.is_finite() && *r >= 0.0) {
                    props.insert("shape/polygon/cornerRadius".into(), json!(r));
                }
            }
            "shape/vector_path" => {
                if let Some(p) = e.get("path").and_then(|v| v.as_str()) {
                    props.insert("shape/vector_path/path".into(), json!(p));
                }
                for (k, prop) in [
                    ("width", "shape/vector_path/width"),
                    ("height", "shape/vector_path/height"),
                ] {
                    if let Some(v) = num(e, &[k]).filter(|v| v.is_finite() && *v >= 0.0) {
                        props.insert(prop.into(), json!(v));
                    }
                }
                if num(e, &["fillRule"]) == Some(1.0) {
                    props.insert("shape/vector_path/fillRule".into(), json!("EvenOdd"));
                }
            }
            "fill/color" => {
                if let Some(c) = e.get("value").and_then(color) {
                    props.insert("fill/color/value".into(), c);
                }
            }
            "fill/image" => {
                if let Some(u) = e.get("imageFileURI").and_then(|v| v.as_str()) {
                    props.insert("fill/image/imageFileURI".into(), json!(u));
                }
            }
            kind if kind.starts_with("fill/gradient/") => {
                let stops: Vec<Value> = e
                    .pointer("/gradient/colorStops")
                    .and_then(|v| v.as_array())
                    .into_iter()
                    .flatten()
                    .filter_map(|s| {
                        Some(json!({"color": color(s.get("second")?)?, "stop": num(s, &["first"])?.clamp(0.0, 1.0)}))
                    })
                    .collect();
                if !stops.is_empty() {
                    block.insert("gradientStops".into(), Value::Array(stops));
                }
                let point =
                    |name: &str, axis: &str| num(e, &[name, axis]).filter(|v| v.is_finite());
                let pairs: &[(&str, &str, &str)] = match kind {
                    "fill/gradient/linear" => &[
                        ("startPoint", "x", "fill/gradient/linear/startPointX"),
                        ("startPoint", "y", "fill/gradient/linear/startPointY"),
                        ("endPoint", "x", "fill/gradient/linear/endPointX"),
                        ("endPoint", "y", "fill/gradient/linear/endPointY"),
                    ],
                    "fill/gradient/radial" => &[
                        ("centerPoint", "x", "fill/gradient/radial/centerPointX"),
                        ("centerPoint", "y", "fill/gradient/radial/centerPointY"),
                    ],
                    _ => &[
                        ("centerPoint", "x", "fill/gradient/conical/centerPointX"),
                        ("centerPoint", "y", "fill/gradient/conical/centerPointY"),
                    ],
                };
                for (name, axis, prop) in pairs {
                    if let Some(v) = point(name, axis) {
                        props.insert((*prop).into(), json!(v));
                    }
                }
                if kind == "fill/gradient/radial"
                    && let Some(r) = num(e, &["radius"]).filter(|r| r.is_finite() && *r >= 0.0)
                {
                    props.insert("fill/gradient/radial/radius".into(), json!(r));
                }
            }
            _ => {}
        }
        block.insert("type".into(), json!(ty));
        block.insert("properties".into(), Value::Object(props));
        self.blocks.push(Value::Object(block));
        Ok(Some(self.blocks.len() - 1))
    }

    /// Text: the string, its font and typeface, size in points, colour, alignment, spacing
    /// and runs (UTF-16 `runStart`/`runEnd`, each run's size and colour falling back to the
    /// block's).
    fn text(
        &mut self,
        e: NodeRef<'_>,
        props: &mut Map<String, Value>,
        block: &mut Map<String, Value>,
    ) {
        let text = e.get("text").and_then(|v| v.as_str()).unwrap_or_default();
        props.insert("text/text".into(), json!(text));
        if let Some(u) = e.get("fontFileUri").and_then(|v| v.as_str()) {
            props.insert("text/fontFileUri".into(), json!(u));
        }
        let size = num(e, &["fontSize"])
            .filter(|s| s.is_finite() && *s > 0.0 && *s <= 10_000.0)
            .unwrap_or(12.0);
        props.insert("text/fontSize".into(), json!(size));
        for (key, prop) in [
            ("lineHeight", "text/lineHeight"),
            ("letterSpacing", "text/letterSpacing"),
            ("paragraphSpacing", "text/paragraphSpacing"),
            ("minAutomaticFontSize", "text/minAutomaticFontSize"),
            ("maxAutomaticFontSize", "text/maxAutomaticFontSize"),
        ] {
            if let Some(v) = num(e, &[key]).filter(|v| v.is_finite()) {
                props.insert(prop.into(), json!(v));
            }
        }
        for (key, prop) in [
            ("automaticFontSizeEnabled", "text/automaticFontSizeEnabled"),
            ("clipLinesOutsideOfFrame", "text/clipLinesOutsideOfFrame"),
        ] {
            if let Some(v) = e.get(key).and_then(|v| v.as_bool()) {
                props.insert(prop.into(), json!(v));
            }
        }
        if let Some(a) =
            num(e, &["horizontalAlignment"]).and_then(|v| enum_name("textAlign", v as i64))
        {
            props.insert("text/horizontalAlignment".into(), json!(a));
        }
        if let Some(a) =
            num(e, &["verticalAlignment"]).and_then(|v| enum_name("textVertical", v as i64))
        {
            props.insert("text/verticalAlignment".into(), json!(a));
        }
        let block_font = e.get("fontFileUri").and_then(|v| v.as_str());
        let typeface = e
            .get("typeface")
            .and_then(|v| v.as_str())
            .and_then(|n| self.typefaces.get(n));
        let face_of = |uri: &str| -> (&'static str, &'static str) {
            typeface
                .and_then(|t| t.get("fonts"))
                .and_then(|v| v.as_array())
                .and_then(|fonts| {
                    fonts
                        .iter()
                        .find(|f| f.get("uri").and_then(|v| v.as_str()) == Some(uri))
                })
                .map_or(("normal", "normal"), |f| {
                    (
                        if f.get("weight") == Some(&json!("bold")) {
                            "bold"
                        } else {
                            "normal"
                        },
                        if f.get("style") == Some(&json!("italic")) {
                            "italic"
                        } else {
                            "normal"
                        },
                    )
                })
        };
        let base_color = e
            .get("color")
            .and_then(color)
            .unwrap_or(json!({"r": 0.0, "g": 0.0, "b": 0.0, "a": 1.0}));
        let len: u64 = text.chars().map(|c| c.len_utf16() as u64).sum();
        let mut runs = Vec::new();
        let mut at = 0u64;
        for r in e
            .get("textRuns")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
        {
            let (Some(start), Some(end)) = (num(r, &["runStart"]), num(r, &["runEnd"])) else {
                continue;
            };
            let (start, end) = (start as u64, (end as u64).min(len));
            if start != at || end < start {
                continue;
            }
            let run_size = r
                .pointer("/fontSize/data")
                .and_then(|v| v.as_f64())
                .filter(|s| s.is_finite() && *s > 0.0 && *s <= 10_000.0)
                .unwrap_or(size);
            let run_color = r
                .get("color")
                .filter(|c| c.get("nullopt").and_then(|v| v.as_bool()) != Some(true))
                .and_then(|c| c.get("data").and_then(color).or_else(|| color(c)))
                .unwrap_or_else(|| base_color.clone());
            // A run's font (else the block's) picks its weight and style from the typeface.
            let font = r
                .pointer("/font/data")
                .and_then(|v| v.as_str())
                .or(block_font)
                .unwrap_or_default();
            let (weight, style) = face_of(font);
            runs.push(json!({"start": start, "end": end, "fontSize": run_size, "color": run_color, "weight": weight, "style": style}));
            at = end;
        }
        if at == len && !runs.is_empty() {
            block.insert("textRuns".into(), Value::Array(runs));
        } else if len > 0 {
            let (weight, style) = face_of(block_font.unwrap_or_default());
            block.insert(
                "textRuns".into(),
                json!([{"start": 0, "end": len, "fontSize": size, "color": base_color, "weight": weight, "style": style}]),
            );
        }
        if let Some(name) = e.get("typeface").and_then(|v| v.as_str()) {
            props.insert("text/typeface".into(), json!(name));
            if let Some(t) = self.typefaces.get(name) {
                block.insert("typeface".into(), t.clone());
            }
        }
    }

    /// A design element, its shape and fill, then its children, without recursion.
    fn design(&mut self, root: u64) -> Result<()> {
        let mut seen = HashSet::new();
        let mut pending: Vec<(u64, Option<usize>, Option<Transform>)> = vec![(root, None, None)];
        while let Some((entity, parent, group)) = pending.pop() {
            if !seen.insert(entity) {
                return Err(bad(format!(
                    "entity {entity} appears twice in the hierarchy (a cycle or a shared child)"
                )));
            }
            let e = self.element(entity)?;
            let id = e
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            if id.ends_with("/camera") {
                continue;
            }
            let Some(ty) = easel_type(&id).filter(|t| {
                matches!(
                    t.rsplit('/').next(),
                    Some("scene" | "stack" | "page" | "graphic" | "group" | "text")
                )
            }) else {
                self.dropped(entity, &id, "block type", id.clone())?;
                continue;
            };
            self.unsupported(entity, ty, e)?;
            let mut props = Map::new();
            let mut block = Map::new();
            let kind = ty.rsplit('/').next().unwrap_or_default();
            let mut placement = None;
            match kind {
                "scene" => {
                    if let Some(l) = num(e, &["layout"]).and_then(|v| enum_name("layout", v as i64))
                    {
                        props.insert("scene/layout".into(), json!(l));
                    }
                    if let Some(u) =
                        num(e, &["designUnit"]).and_then(|v| enum_name("designUnit", v as i64))
                    {
                        props.insert("scene/designUnit".into(), json!(u));
                    }
                    if let Some(d) = num(e, &["dpi"]).filter(|d| (1.0..=10_000.0).contains(d)) {
                        props.insert("scene/dpi".into(), json!(d));
                    }
                }
                "stack" => {
                    if let Some(s) = num(e, &["spacing"]).filter(|s| s.is_finite() && *s >= 0.0) {
                        props.insert("stack/spacing".into(), json!(s));
                    }
                    if let Some(b) = e.get("spacingInScreenspace").and_then(|v| v.as_bool()) {
                        props.insert("stack/spacingInScreenspace".into(), json!(b));
                    }
                }
                _ => {
                    placement = Some(self.frame(entity, e, &mut props, group)?);
                    if kind != "group" && kind != "text" {
                        self.stroke(e, &mut props, &mut block);
                        if let Some(m) = num(e, &["block_content_fill_mode"])
                            .and_then(|v| enum_name("contentFill", v as i64))
                        {
                            props.insert("contentFill/mode".into(), json!(m));
                        }
                        for (key, prop) in [
                            ("block_crop_scale_x", "crop/scaleX"),
                            ("block_crop_scale_y", "crop/scaleY"),
                            ("block_crop_translation_x", "crop/translationX"),
                            ("block_crop_translation_y", "crop/translationY"),
                        ] {
                            if let Some(v) = num(e, &[key]).filter(|v| v.is_finite()) {
                                props.insert(prop.into(), json!(v));
                            }
                        }
                        if let Some(enabled) =
                            e.pointer("/block_fill/enabled").and_then(|v| v.as_bool())
                        {
                            props.insert("fill/enabled".into(), json!(enabled));
                        }
                    }
                    if kind == "text" {
                        self.text(e, &mut props, &mut block);
                    }
                }
            }
            let metadata = self.common(e, &mut props);
            block.insert("type".into(), json!(ty));
            block.insert("metadata".into(), metadata);
            block.insert("properties".into(), Value::Object(props));
            self.blocks.push(Value::Object(block));
            let index = self.blocks.len() - 1;
            if let Some(p) = parent
                && let Some(children) = self.blocks[p]
                    .as_object_mut()
                    .map(|o| o.entry("children").or_insert_with(|| json!([])))
                    .and_then(Value::as_array_mut)
            {
                children.push(json!(index));
            }
            // Texts draw with their run colours; their colour fill is not a separate block.
            if kind != "text" {
                for (component, key) in [("block_shape", "shape"), ("block_fill", "fill")] {
                    if kind == "page" && key == "shape" {
                        continue;
                    }
                    if let Some(part) = num(e, &[component, "value"]).map(|v| v as u64)
                        && self.elements.contains_key(&part)
                        && let Some(i) = self.part(part)?
                        && let Some(o) = self.blocks[index].as_object_mut()
                    {
                        o.insert(key.into(), json!(i));
                    }
                }
            }
            // Group members are stored in page coordinates: they are placed relative to
            // their group's page-space placement.
            let child_group = if kind == "group" { placement } else { None };
            let children = self.children.get(&entity).cloned().unwrap_or_default();
            pending.extend(
                children
                    .into_iter()
                    .rev()
                    .map(|c| (c, Some(index), child_group)),
            );
        }
        Ok(())
    }
}

/// Translates a CE.SDK scene string into Easel's scene document, with what was dropped.
fn cesdk_to_document(s: &str, options: LoadOptions) -> Result<(Value, LoadReport)> {
    let body = s
        .trim()
        .strip_prefix(CESDK_PREFIX)
        .ok_or_else(|| bad(format!("a CE.SDK scene starts with `{CESDK_PREFIX}`")))?;
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|e| {
            bad(format!(
                "the text after `{CESDK_PREFIX}` is not base64: {e}"
            ))
        })?;
    let tree = Tree::parse(&bytes, read_keys())
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
    let mut by_entity = HashMap::with_capacity(elements.len());
    for e in elements {
        let entity = num(e, &["entity"])
            .filter(|n| *n >= 0.0 && n.fract() == 0.0)
            .ok_or_else(|| bad("an element without a numeric entity"))? as u64;
        if by_entity.insert(entity, e).is_some() {
            return Err(bad(format!("entity {entity} is declared twice")));
        }
    }
    let hierarchy = doc.get("hierarchy").ok_or_else(|| bad("no hierarchy"))?;
    let root = num(hierarchy, &["root"]).ok_or_else(|| bad("the hierarchy has no root"))? as u64;
    let mut children = HashMap::new();
    for c in hierarchy
        .get("children")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        let key = num(c, &["key"]).ok_or_else(|| bad("a hierarchy entry without a key"))? as u64;
        let list: Vec<u64> = c
            .get("value")
            .and_then(|v| v.as_array())
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_f64())
            .map(|v| v as u64)
            .collect();
        children.insert(key, list);
    }
    let mut typefaces = HashMap::new();
    for t in doc
        .get("documentTypefaces")
        .and_then(|v| v.as_array())
        .into_iter()
        .flatten()
    {
        if let Some(face) = t.get("payload.typeface") {
            let name = face
                .get("name")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string();
            let fonts: Vec<Value> = face
                .get("fonts")
                .and_then(|v| v.as_array())
                .into_iter()
                .flatten()
                .map(|f| {
                    let weight = if num(f, &["weight"]).unwrap_or(400.0) >= 600.0 { "bold" } else { "normal" };
                    let style = if num(f, &["style"]).unwrap_or(0.0) >= 1.0 { "italic" } else { "normal" };
                    json!({"uri": f.get("uri").and_then(|v| v.as_str()).unwrap_or(""), "subFamily": f.get("subFamily").and_then(|v| v.as_str()).unwrap_or(""), "weight": weight, "style": style})
                })
                .collect();
            typefaces.insert(name.clone(), json!({"name": name, "fonts": fonts}));
        }
    }
    let mut converter = Converter {
        elements: by_entity,
        children,
        typefaces,
        options,
        report: LoadReport::default(),
        blocks: Vec::new(),
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
    // Built by hand: `json!` would serialize the blocks into a copy of themselves.
    let mut out = Map::new();
    out.insert("format".into(), json!("easel/scene"));
    out.insert("version".into(), json!(crate::serialize::FORMAT_VERSION));
    out.insert("roots".into(), json!([0]));
    out.insert("blocks".into(), Value::Array(converter.blocks));
    let out = Value::Object(out);
    Ok((out, converter.report))
}

/// Translates a CE.SDK scene string into Easel's scene document (as JSON text), with what
/// was dropped.
pub fn cesdk_to_easel_json(s: &str, options: LoadOptions) -> Result<(String, LoadReport)> {
    let (doc, report) = cesdk_to_document(s, options)?;
    let text = serde_json::to_string(&doc).map_err(|e| bad(e.to_string()))?;
    Ok((text, report))
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
fn read_keys() -> &'static HashSet<&'static str> {
    static KEYS: std::sync::OnceLock<HashSet<&'static str>> = std::sync::OnceLock::new();
    KEYS.get_or_init(|| READ_KEYS.iter().copied().collect())
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
        let scene = self.load_from_value(doc)?;
        Ok((scene, report))
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

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
