//! The property keys, as the reference engine names them: one constant per key, so no
//! crate spells a key twice.

/// `type`
pub const TYPE: &str = "type";
/// `name`
pub const NAME: &str = "name";
/// `uuid`
pub const UUID: &str = "uuid";
/// `lastFrame/x`
pub const LAST_FRAME_X: &str = "lastFrame/x";
/// `lastFrame/y`
pub const LAST_FRAME_Y: &str = "lastFrame/y";
/// `lastFrame/width`
pub const LAST_FRAME_WIDTH: &str = "lastFrame/width";
/// `lastFrame/height`
pub const LAST_FRAME_HEIGHT: &str = "lastFrame/height";
/// `width`
pub const WIDTH: &str = "width";
/// `height`
pub const HEIGHT: &str = "height";
/// `rotation`
pub const ROTATION: &str = "rotation";
/// `opacity`
pub const OPACITY: &str = "opacity";
/// `blend/mode`
pub const BLEND_MODE: &str = "blend/mode";
/// `visible`
pub const VISIBLE: &str = "visible";
/// `clipped`
pub const CLIPPED: &str = "clipped";
/// `includedInExport`
pub const INCLUDED_IN_EXPORT: &str = "includedInExport";
/// `position/x`
pub const POSITION_X: &str = "position/x";
/// `position/y`
pub const POSITION_Y: &str = "position/y";
/// `position/x/mode`
pub const POSITION_X_MODE: &str = "position/x/mode";
/// `position/y/mode`
pub const POSITION_Y_MODE: &str = "position/y/mode";
/// `flip/horizontal`
pub const FLIP_HORIZONTAL: &str = "flip/horizontal";
/// `flip/vertical`
pub const FLIP_VERTICAL: &str = "flip/vertical";
/// `playback/duration`
pub const PLAYBACK_DURATION: &str = "playback/duration";
/// `globalBoundingBox/x`
pub const GLOBAL_BOUNDING_BOX_X: &str = "globalBoundingBox/x";
/// `globalBoundingBox/y`
pub const GLOBAL_BOUNDING_BOX_Y: &str = "globalBoundingBox/y";
/// `globalBoundingBox/width`
pub const GLOBAL_BOUNDING_BOX_WIDTH: &str = "globalBoundingBox/width";
/// `globalBoundingBox/height`
pub const GLOBAL_BOUNDING_BOX_HEIGHT: &str = "globalBoundingBox/height";
/// `scene/layout`
pub const SCENE_LAYOUT: &str = "scene/layout";
/// `scene/designUnit`
pub const SCENE_DESIGN_UNIT: &str = "scene/designUnit";
/// `scene/dpi`
pub const SCENE_DPI: &str = "scene/dpi";
/// `stack/spacing`
pub const STACK_SPACING: &str = "stack/spacing";
/// `stack/spacingInScreenspace`
pub const STACK_SPACING_IN_SCREENSPACE: &str = "stack/spacingInScreenspace";
/// `fill/enabled`
pub const FILL_ENABLED: &str = "fill/enabled";
/// `fill/color/value`
pub const FILL_COLOR_VALUE: &str = "fill/color/value";
/// `fill/gradient/colors`
pub const FILL_GRADIENT_COLORS: &str = "fill/gradient/colors";
/// `fill/gradient/linear/startPointX`
pub const FILL_GRADIENT_LINEAR_START_POINT_X: &str = "fill/gradient/linear/startPointX";
/// `fill/gradient/linear/startPointY`
pub const FILL_GRADIENT_LINEAR_START_POINT_Y: &str = "fill/gradient/linear/startPointY";
/// `fill/gradient/linear/endPointX`
pub const FILL_GRADIENT_LINEAR_END_POINT_X: &str = "fill/gradient/linear/endPointX";
/// `fill/gradient/linear/endPointY`
pub const FILL_GRADIENT_LINEAR_END_POINT_Y: &str = "fill/gradient/linear/endPointY";
/// `fill/gradient/radial/centerPointX`
pub const FILL_GRADIENT_RADIAL_CENTER_POINT_X: &str = "fill/gradient/radial/centerPointX";
/// `fill/gradient/radial/centerPointY`
pub const FILL_GRADIENT_RADIAL_CENTER_POINT_Y: &str = "fill/gradient/radial/centerPointY";
/// `fill/gradient/radial/radius`
pub const FILL_GRADIENT_RADIAL_RADIUS: &str = "fill/gradient/radial/radius";
/// `fill/gradient/conical/centerPointX`
pub const FILL_GRADIENT_CONICAL_CENTER_POINT_X: &str = "fill/gradient/conical/centerPointX";
/// `fill/gradient/conical/centerPointY`
pub const FILL_GRADIENT_CONICAL_CENTER_POINT_Y: &str = "fill/gradient/conical/centerPointY";
/// `fill/image/imageFileURI`
pub const FILL_IMAGE_URI: &str = "fill/image/imageFileURI";
/// `stroke/enabled`
pub const STROKE_ENABLED: &str = "stroke/enabled";
/// `stroke/width`
pub const STROKE_WIDTH: &str = "stroke/width";
/// `stroke/color`
pub const STROKE_COLOR: &str = "stroke/color";
/// `stroke/position`
pub const STROKE_POSITION: &str = "stroke/position";
/// `stroke/cornerGeometry`
pub const STROKE_CORNER_GEOMETRY: &str = "stroke/cornerGeometry";
/// `stroke/cap`
pub const STROKE_CAP: &str = "stroke/cap";
/// `stroke/miterLimit`
pub const STROKE_MITER_LIMIT: &str = "stroke/miterLimit";
/// `stroke/dashOffset`
pub const STROKE_DASH_OFFSET: &str = "stroke/dashOffset";
/// `stroke/dashArray`
pub const STROKE_DASH_ARRAY: &str = "stroke/dashArray";
/// `contentFill/mode`
pub const CONTENT_FILL_MODE: &str = "contentFill/mode";
/// `contentFill/horizontalAlignment`
pub const CONTENT_FILL_HORIZONTAL_ALIGNMENT: &str = "contentFill/horizontalAlignment";
/// `contentFill/verticalAlignment`
pub const CONTENT_FILL_VERTICAL_ALIGNMENT: &str = "contentFill/verticalAlignment";
/// `crop/scaleX`
pub const CROP_SCALE_X: &str = "crop/scaleX";
/// `crop/scaleY`
pub const CROP_SCALE_Y: &str = "crop/scaleY";
/// `crop/translationX`
pub const CROP_TRANSLATION_X: &str = "crop/translationX";
/// `crop/translationY`
pub const CROP_TRANSLATION_Y: &str = "crop/translationY";
/// `crop/rotation`: the image's rotation inside its frame, in radians, about its centre.
pub const CROP_ROTATION: &str = "crop/rotation";
/// `crop/scaleRatio`: the smaller of `crop/scaleX` and `crop/scaleY`; setting it scales
/// both alike about the frame's centre.
pub const CROP_SCALE_RATIO: &str = "crop/scaleRatio";
/// `shape/rect/cornerRadiusTL`
pub const SHAPE_RECT_CORNER_RADIUS_TL: &str = "shape/rect/cornerRadiusTL";
/// `shape/rect/cornerRadiusTR`
pub const SHAPE_RECT_CORNER_RADIUS_TR: &str = "shape/rect/cornerRadiusTR";
/// `shape/rect/cornerRadiusBL`
pub const SHAPE_RECT_CORNER_RADIUS_BL: &str = "shape/rect/cornerRadiusBL";
/// `shape/rect/cornerRadiusBR`
pub const SHAPE_RECT_CORNER_RADIUS_BR: &str = "shape/rect/cornerRadiusBR";
/// `shape/star/points`
pub const SHAPE_STAR_POINTS: &str = "shape/star/points";
/// `shape/star/innerDiameter`
pub const SHAPE_STAR_INNER_DIAMETER: &str = "shape/star/innerDiameter";
/// `shape/polygon/sides`
pub const SHAPE_POLYGON_SIDES: &str = "shape/polygon/sides";
/// `shape/polygon/cornerRadius`
pub const SHAPE_POLYGON_CORNER_RADIUS: &str = "shape/polygon/cornerRadius";
/// `shape/vector_path/path`
pub const SHAPE_VECTOR_PATH_PATH: &str = "shape/vector_path/path";
/// `shape/vector_path/width`
pub const SHAPE_VECTOR_PATH_WIDTH: &str = "shape/vector_path/width";
/// `shape/vector_path/height`
pub const SHAPE_VECTOR_PATH_HEIGHT: &str = "shape/vector_path/height";
/// `shape/vector_path/fillRule`
pub const SHAPE_VECTOR_PATH_FILL_RULE: &str = "shape/vector_path/fillRule";
/// `width/mode`
pub const WIDTH_MODE: &str = "width/mode";
/// `height/mode`
pub const HEIGHT_MODE: &str = "height/mode";
/// `text/text`
pub const TEXT_TEXT: &str = "text/text";
/// `text/fontSize`
pub const TEXT_FONT_SIZE: &str = "text/fontSize";
/// `text/fontFileUri`
pub const TEXT_FONT_FILE_URI: &str = "text/fontFileUri";
/// `text/typeface`
pub const TEXT_TYPEFACE: &str = "text/typeface";
/// `text/horizontalAlignment`
pub const TEXT_HORIZONTAL_ALIGNMENT: &str = "text/horizontalAlignment";
/// `text/verticalAlignment`
pub const TEXT_VERTICAL_ALIGNMENT: &str = "text/verticalAlignment";
/// `text/lineHeight`
pub const TEXT_LINE_HEIGHT: &str = "text/lineHeight";
/// `text/letterSpacing`
pub const TEXT_LETTER_SPACING: &str = "text/letterSpacing";
/// `text/paragraphSpacing`
pub const TEXT_PARAGRAPH_SPACING: &str = "text/paragraphSpacing";
/// `text/automaticFontSizeEnabled`
pub const TEXT_AUTOMATIC_FONT_SIZE_ENABLED: &str = "text/automaticFontSizeEnabled";
/// `text/minAutomaticFontSize`
pub const TEXT_MIN_AUTOMATIC_FONT_SIZE: &str = "text/minAutomaticFontSize";
/// `text/maxAutomaticFontSize`
pub const TEXT_MAX_AUTOMATIC_FONT_SIZE: &str = "text/maxAutomaticFontSize";
/// `text/clipLinesOutsideOfFrame`
pub const TEXT_CLIP_LINES_OUTSIDE_OF_FRAME: &str = "text/clipLinesOutsideOfFrame";
/// `text/hasClippedLines`
pub const TEXT_HAS_CLIPPED_LINES: &str = "text/hasClippedLines";
