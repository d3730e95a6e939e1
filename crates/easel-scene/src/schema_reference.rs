//! The properties the reference engine (CE.SDK 1.79) lists for each block type that Easel
//! keeps as plain data — stored, saved, loaded and read back with the reference's types and
//! defaults, but without a behaviour of their own here (editor state such as `selected`,
//! effects such as `dropShadow/*`, video playback, page guides). Generated from a
//! `findAllProperties` dump of fresh blocks of every type; keys Easel gives a behaviour to
//! are defined in `schema.rs` instead.

use crate::{BlockType, FillKind, ShapeKind};

/// A stored property's default.
#[derive(Clone, Copy, Debug)]
pub(super) enum Stored {
    Bool(bool),
    Float(f32),
    Double(f64),
    Str(&'static str),
    Color([f32; 4]),
    /// The default and the allowed values.
    Enum(&'static str, &'static [&'static str]),
}

use Stored::*;

const VALUES_0: &[&str] = &["Document", "Custom"];
const VALUES_1: &[&str] = &["Butt", "Round", "Square"];
const VALUES_2: &[&str] = &[
    "Dashed",
    "DashedRound",
    "Dotted",
    "LongDashed",
    "LongDashedRound",
    "Solid",
];
const VALUES_3: &[&str] = &[
    "PassThrough",
    "Normal",
    "Darken",
    "Multiply",
    "ColorBurn",
    "LinearBurn",
    "DarkenColor",
    "Lighten",
    "Screen",
    "ColorDodge",
    "LinearDodge",
    "LightenColor",
    "Overlay",
    "SoftLight",
    "HardLight",
    "VividLight",
    "LinearLight",
    "PinLight",
    "HardMix",
    "Difference",
    "Exclusion",
    "Subtract",
    "Divide",
    "Hue",
    "Saturation",
    "Color",
    "Luminosity",
];
const VALUES_4: &[&str] = &["Left", "Center", "Right"];
const VALUES_5: &[&str] = &["Crop", "Cover", "Contain"];
const VALUES_6: &[&str] = &["Top", "Center", "Bottom"];
const VALUES_7: &[&str] = &["Pixel", "Point"];
const VALUES_8: &[&str] = &["Design", "Video"];
const VALUES_9: &[&str] = &["Bevel", "Miter", "Round"];
const VALUES_10: &[&str] = &["Center", "Inner", "Outer"];

/// Stored by Page, Scene, Graphic, Text, Group.
const PAGE_SCENE_GRAPHIC_TEXT_GROUP: &[(&str, Stored)] = &[
    ("alwaysOnBottom", Bool(false)),
    ("alwaysOnTop", Bool(false)),
    ("highlightEnabled", Bool(true)),
    ("movement/constraint", Float(-1.0)),
    ("placeholder/enabled", Bool(false)),
    ("selected", Bool(false)),
    ("transformLocked", Bool(false)),
];

/// Stored by Page, Graphic, Text, Group.
const PAGE_GRAPHIC_TEXT_GROUP: &[(&str, Stored)] = &[("selectionEnabled", Bool(true))];

/// Stored by Scene, Shape(ShapeKind::Star), Shape(ShapeKind::VectorPath), Fill(FillKind::Image).
const SCENE_STAR_VECTORPATH_IMAGE: &[(&str, Stored)] = &[("includedInExport", Bool(true))];

/// Stored by Graphic, Text, Group.
const GRAPHIC_TEXT_GROUP: &[(&str, Stored)] = &[("playback/timeOffset", Double(0.0))];

/// Stored by Page, Graphic, Text.
const PAGE_GRAPHIC_TEXT: &[(&str, Stored)] = &[
    ("dropShadow/blurRadius/x", Float(1.0)),
    ("dropShadow/blurRadius/y", Float(1.0)),
    ("dropShadow/clip", Bool(false)),
    ("dropShadow/color", Color([0.0, 0.0, 0.0, 0.25])),
    ("dropShadow/enabled", Bool(false)),
    ("dropShadow/offset/x", Float(1.767767)),
    ("dropShadow/offset/y", Float(1.767767)),
    ("fill/overprint", Bool(false)),
    ("stroke/dashEndCap", Enum("Butt", VALUES_1)),
    ("stroke/dashStartCap", Enum("Butt", VALUES_1)),
    ("stroke/endCap", Enum("Butt", VALUES_1)),
    ("stroke/overprint", Bool(false)),
    ("stroke/startCap", Enum("Butt", VALUES_1)),
    ("stroke/style", Enum("Solid", VALUES_2)),
];

/// Stored by Scene, Text, Group.
const SCENE_TEXT_GROUP: &[(&str, Stored)] = &[
    ("clipped", Bool(false)),
    ("contentFill/horizontalAlignment", Enum("Center", VALUES_4)),
    ("contentFill/mode", Enum("Cover", VALUES_5)),
    ("contentFill/verticalAlignment", Enum("Center", VALUES_6)),
];

/// Stored by Graphic, Text.
const GRAPHIC_TEXT: &[(&str, Stored)] = &[("fill/solid/color", Color([0.0, 0.0, 0.0, 1.0]))];

/// Stored by Page, Graphic.
const PAGE_GRAPHIC: &[(&str, Stored)] = &[
    ("blur/enabled", Bool(true)),
    ("placeholderControls/showButton", Bool(false)),
    ("placeholderControls/showOverlay", Bool(false)),
];

/// Stored by Page, Scene.
const PAGE_SCENE: &[(&str, Stored)] = &[
    ("playback/playing", Bool(false)),
    ("playback/soloPlaybackEnabled", Bool(false)),
    ("playback/time", Double(0.0)),
];

/// Stored by Text, Fill(FillKind::Image).
const TEXT_IMAGE: &[(&str, Stored)] = &[("placeholderBehavior/enabled", Bool(false))];

/// Stored by Fill(FillKind::Image).
const IMAGE: &[(&str, Stored)] = &[
    ("fill/image/externalReference", Str("")),
    ("fill/image/previewFileURI", Str("")),
];

/// Stored by Page.
const PAGE: &[(&str, Stored)] = &[
    ("fill/solid/color", Color([1.0, 1.0, 1.0, 1.0])),
    (
        "page/guides/gridColor",
        Color([0.5176471, 0.5176471, 0.5176471, 0.3]),
    ),
    ("page/guides/gridEnabled", Bool(false)),
    ("page/guides/gridSnapEnabled", Bool(false)),
    ("page/guides/gridSpacingX", Float(10.0)),
    ("page/guides/gridSpacingY", Float(10.0)),
    ("page/guides/source", Enum("Document", VALUES_0)),
    ("page/margin/bottom", Float(10.0)),
    ("page/margin/left", Float(10.0)),
    ("page/margin/right", Float(10.0)),
    ("page/margin/top", Float(10.0)),
    ("page/marginEnabled", Bool(false)),
    ("page/marginScale", Float(1.0)),
    ("page/titleTemplate", Str("Page {{ubq.page_index}}")),
    ("playback/looping", Bool(true)),
    ("playback/muted", Bool(false)),
    ("playback/speed", Float(1.0)),
    ("playback/volume", Float(1.0)),
];

/// Stored by Scene.
const SCENE: &[(&str, Stored)] = &[
    ("blend/mode", Enum("Normal", VALUES_3)),
    ("flip/horizontal", Bool(true)),
    ("flip/vertical", Bool(true)),
    ("height", Float(0.0)),
    ("position/x", Float(0.0)),
    ("position/y", Float(0.0)),
    ("rotation", Float(0.0)),
    ("scene/aspectRatioLock", Bool(true)),
    ("scene/extendedPanningArea", Bool(false)),
    ("scene/fontSizeUnit", Enum("Point", VALUES_7)),
    ("scene/mode", Enum("Design", VALUES_8)),
    ("scene/pageDimensions/height", Float(1.0)),
    ("scene/pageDimensions/width", Float(1.0)),
    ("scene/pageFormatId", Str("")),
    ("scene/pixelScaleFactor", Float(1.0)),
    ("selectionEnabled", Bool(false)),
    ("visible", Bool(true)),
    ("width", Float(0.0)),
];

/// Stored by Shape(ShapeKind::Star).
const STAR: &[(&str, Stored)] = &[("shape/star/cornerRadius", Float(0.0))];

/// Stored by Shape(ShapeKind::VectorPath).
const VECTORPATH: &[(&str, Stored)] = &[("shape/vector_path/cornerRadius", Float(0.0))];

/// Stored by Text.
const TEXT: &[(&str, Stored)] = &[
    (
        "backgroundColor/color",
        Color([0.6667, 0.6667, 0.6667, 1.0]),
    ),
    ("backgroundColor/cornerRadius", Float(0.0)),
    ("backgroundColor/enabled", Bool(false)),
    ("backgroundColor/paddingBottom", Float(0.0)),
    ("backgroundColor/paddingLeft", Float(0.0)),
    ("backgroundColor/paddingRight", Float(0.0)),
    ("backgroundColor/paddingTop", Float(0.0)),
    ("fill/enabled", Bool(true)),
    ("stroke/cap", Enum("Butt", VALUES_1)),
    ("stroke/color", Color([0.67, 0.67, 0.67, 1.0])),
    ("stroke/cornerGeometry", Enum("Miter", VALUES_9)),
    ("stroke/dashOffset", Float(0.0)),
    ("stroke/enabled", Bool(false)),
    ("stroke/position", Enum("Center", VALUES_10)),
    ("stroke/width", Float(4.7244096)),
    ("text/externalReference", Str("")),
    ("text/pathExternalRef", Str("")),
    ("text/pathFlipped", Bool(false)),
    ("text/pathOffset", Float(0.0)),
    ("text/useContextualAlternates", Bool(true)),
    ("text/useContextualLigatures", Bool(true)),
    ("text/useDiscretionaryLigatures", Bool(false)),
    ("text/useKerning", Bool(true)),
    ("text/useLigatures", Bool(true)),
];

/// A group of properties: keys with their stored defaults.
type Props = &'static [(&'static str, Stored)];

/// Which block types store which group.
const GROUPS: &[(&[BlockType], Props)] = &[
    (
        &[
            BlockType::Page,
            BlockType::Scene,
            BlockType::Graphic,
            BlockType::Text,
            BlockType::Group,
        ],
        PAGE_SCENE_GRAPHIC_TEXT_GROUP,
    ),
    (
        &[
            BlockType::Page,
            BlockType::Graphic,
            BlockType::Text,
            BlockType::Group,
        ],
        PAGE_GRAPHIC_TEXT_GROUP,
    ),
    (
        &[
            BlockType::Scene,
            BlockType::Shape(ShapeKind::Star),
            BlockType::Shape(ShapeKind::VectorPath),
            BlockType::Fill(FillKind::Image),
        ],
        SCENE_STAR_VECTORPATH_IMAGE,
    ),
    (
        &[BlockType::Graphic, BlockType::Text, BlockType::Group],
        GRAPHIC_TEXT_GROUP,
    ),
    (
        &[BlockType::Page, BlockType::Graphic, BlockType::Text],
        PAGE_GRAPHIC_TEXT,
    ),
    (
        &[BlockType::Scene, BlockType::Text, BlockType::Group],
        SCENE_TEXT_GROUP,
    ),
    (&[BlockType::Graphic, BlockType::Text], GRAPHIC_TEXT),
    (&[BlockType::Page, BlockType::Graphic], PAGE_GRAPHIC),
    (&[BlockType::Page, BlockType::Scene], PAGE_SCENE),
    (
        &[BlockType::Text, BlockType::Fill(FillKind::Image)],
        TEXT_IMAGE,
    ),
    (&[BlockType::Fill(FillKind::Image)], IMAGE),
    (&[BlockType::Page], PAGE),
    (&[BlockType::Scene], SCENE),
    (&[BlockType::Shape(ShapeKind::Star)], STAR),
    (&[BlockType::Shape(ShapeKind::VectorPath)], VECTORPATH),
    (&[BlockType::Text], TEXT),
];

/// The plain-data properties of `ty`.
pub(super) fn extras(ty: BlockType) -> impl Iterator<Item = &'static (&'static str, Stored)> {
    GROUPS
        .iter()
        .filter(move |(types, _)| types.contains(&ty))
        .flat_map(|(_, props)| props.iter())
}
