//! Where an image fill lands inside its block: the content fill mode (Crop / Cover /
//! Contain), the alignment, and the crop's scale and translation.

use crate::{
    BlockId, ContentFillMode, HorizontalAlignment, Result, SceneGraph, Transform,
    VerticalAlignment, keys,
};

/// A block's crop (`crop/scaleX`, …): the image's size and offset relative to the block's,
/// used as they are in `Crop` mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crop {
    /// Image width as a multiple of the block's width.
    pub scale_x: f32,
    /// Image height as a multiple of the block's height.
    pub scale_y: f32,
    /// Image left edge, as a fraction of the block's width.
    pub translation_x: f32,
    /// Image top edge, as a fraction of the block's height.
    pub translation_y: f32,
}

impl Default for Crop {
    fn default() -> Self {
        Crop {
            scale_x: 1.0,
            scale_y: 1.0,
            translation_x: 0.0,
            translation_y: 0.0,
        }
    }
}

/// Everything that decides where an image fill lands inside its block, read from the block
/// with [`SceneGraph::content_fill`]. Plain data: placing an image needs only its size.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ContentFill {
    /// Crop, Cover or Contain.
    pub mode: ContentFillMode,
    /// Horizontal alignment of a covered or contained image.
    pub horizontal: HorizontalAlignment,
    /// Vertical alignment of a covered or contained image.
    pub vertical: VerticalAlignment,
    /// The crop, used in `Crop` mode.
    pub crop: Crop,
    /// The block's width.
    pub width: f32,
    /// The block's height.
    pub height: f32,
}

impl ContentFill {
    /// Where an image of `image_width × image_height` pixels lands inside the block, as
    /// `(x, y, width, height)` in the block's local coordinates.
    ///
    /// ```
    /// use easel_scene::{ContentFill, ContentFillMode, Crop, HorizontalAlignment, VerticalAlignment};
    /// let fill = ContentFill {
    ///     mode: ContentFillMode::Cover,
    ///     horizontal: HorizontalAlignment::Center,
    ///     vertical: VerticalAlignment::Center,
    ///     crop: Crop::default(),
    ///     width: 100.0,
    ///     height: 100.0,
    /// };
    /// // A 2:1 image covering a square overflows left and right by half its width each.
    /// assert_eq!(fill.image_rect(200.0, 100.0), (-50.0, 0.0, 200.0, 100.0));
    /// ```
    pub fn image_rect(&self, image_width: f32, image_height: f32) -> (f32, f32, f32, f32) {
        let (w, h) = (self.width, self.height);
        let scale = match self.mode {
            ContentFillMode::Crop => {
                let c = self.crop;
                return (
                    c.translation_x * w,
                    c.translation_y * h,
                    c.scale_x * w,
                    c.scale_y * h,
                );
            }
            ContentFillMode::Cover => (w / image_width).max(h / image_height),
            ContentFillMode::Contain => (w / image_width).min(h / image_height),
        };
        let (dw, dh) = (image_width * scale, image_height * scale);
        let x = match self.horizontal {
            HorizontalAlignment::Left => 0.0,
            HorizontalAlignment::Center => (w - dw) / 2.0,
            HorizontalAlignment::Right => w - dw,
        };
        let y = match self.vertical {
            VerticalAlignment::Top => 0.0,
            VerticalAlignment::Center => (h - dh) / 2.0,
            VerticalAlignment::Bottom => h - dh,
        };
        (x, y, dw, dh)
    }

    /// The crop that places an image of this size where this fill puts it: in `Crop` mode
    /// the crop itself; after Cover or Contain, the crop the reference engine then reports
    /// (a 3:2 image covering a 4:3 block: `scale_x` 1.125, `translation_x` −0.0625).
    pub fn resulting_crop(&self, image_width: f32, image_height: f32) -> Crop {
        let (x, y, dw, dh) = self.image_rect(image_width.max(1.0), image_height.max(1.0));
        let (w, h) = (
            self.width.max(f32::MIN_POSITIVE),
            self.height.max(f32::MIN_POSITIVE),
        );
        Crop {
            scale_x: dw / w,
            scale_y: dh / h,
            translation_x: x / w,
            translation_y: y / h,
        }
    }

    /// Image pixels → block-local coordinates for an image of this size.
    pub fn image_transform(&self, image_width: u32, image_height: u32) -> Transform {
        let (iw, ih) = (image_width.max(1) as f32, image_height.max(1) as f32);
        let (x, y, dw, dh) = self.image_rect(iw, ih);
        Transform::scale(dw / iw, dh / ih).then(Transform::translate(x, y))
    }
}

impl SceneGraph {
    /// Records in `crop/*` where a Cover or Contain fill put an image of this size (the
    /// reference engine updates them once an image has loaded); a `Crop` fill keeps its
    /// crop. Called by exports once the image's size is known.
    pub fn record_content_fill_crop(
        &mut self,
        block: BlockId,
        image_width: u32,
        image_height: u32,
    ) -> Result<()> {
        let fill = self.content_fill(block)?;
        if fill.mode == ContentFillMode::Crop {
            return Ok(());
        }
        let crop = fill.resulting_crop(image_width as f32, image_height as f32);
        for (key, v) in [
            (keys::CROP_SCALE_X, crop.scale_x),
            (keys::CROP_SCALE_Y, crop.scale_y),
            (keys::CROP_TRANSLATION_X, crop.translation_x),
            (keys::CROP_TRANSLATION_Y, crop.translation_y),
        ] {
            if (self.get_float(block, key)? - v).abs() > 1e-6 {
                self.set_float(block, key, v)?;
            }
        }
        Ok(())
    }

    /// How an image fill is placed inside `block` (a graphic or page).
    pub fn content_fill(&self, block: BlockId) -> Result<ContentFill> {
        let f = |key: &str| self.get_float(block, key);
        Ok(ContentFill {
            mode: self.content_fill_mode(block)?,
            horizontal: self.enum_value(block, keys::CONTENT_FILL_HORIZONTAL_ALIGNMENT)?,
            vertical: self.enum_value(block, keys::CONTENT_FILL_VERTICAL_ALIGNMENT)?,
            crop: Crop {
                scale_x: f(keys::CROP_SCALE_X)?,
                scale_y: f(keys::CROP_SCALE_Y)?,
                translation_x: f(keys::CROP_TRANSLATION_X)?,
                translation_y: f(keys::CROP_TRANSLATION_Y)?,
            },
            width: f(keys::WIDTH)?,
            height: f(keys::HEIGHT)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fill(mode: ContentFillMode) -> ContentFill {
        ContentFill {
            mode,
            horizontal: HorizontalAlignment::Center,
            vertical: VerticalAlignment::Center,
            crop: Crop::default(),
            width: 400.0,
            height: 300.0,
        }
    }

    #[test]
    fn cover_and_contain_centre_the_image() {
        // A square image in a 4:3 block: cover fills the width, contain the height.
        assert_eq!(
            fill(ContentFillMode::Cover).image_rect(100.0, 100.0),
            (0.0, -50.0, 400.0, 400.0)
        );
        assert_eq!(
            fill(ContentFillMode::Contain).image_rect(100.0, 100.0),
            (50.0, 0.0, 300.0, 300.0)
        );
    }

    #[test]
    fn alignment_moves_the_overflow() {
        let mut f = fill(ContentFillMode::Cover);
        f.vertical = VerticalAlignment::Top;
        assert_eq!(f.image_rect(100.0, 100.0).1, 0.0);
        f.vertical = VerticalAlignment::Bottom;
        assert_eq!(f.image_rect(100.0, 100.0).1, -100.0);
        let mut f = fill(ContentFillMode::Contain);
        f.horizontal = HorizontalAlignment::Right;
        assert_eq!(f.image_rect(100.0, 100.0).0, 100.0);
    }

    #[test]
    fn crop_mode_uses_scale_and_translation() {
        let mut f = fill(ContentFillMode::Crop);
        f.crop = Crop {
            scale_x: 2.0,
            scale_y: 1.5,
            translation_x: -0.5,
            translation_y: 0.0,
        };
        assert_eq!(f.image_rect(10.0, 10.0), (-200.0, 0.0, 800.0, 450.0));
        let t = f.image_transform(10, 10);
        assert_eq!(t.apply(10.0, 10.0), (600.0, 450.0));
    }
}
