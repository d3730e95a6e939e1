//! Where an image fill lands inside its block: the content fill mode (Crop / Cover /
//! Contain), the alignment, and the crop's scale, translation and rotation, with the rules
//! the reference applies when they are written.

use crate::{
    BlockId, ContentFillMode, HorizontalAlignment, Result, SceneGraph, Transform,
    VerticalAlignment, keys,
};

/// A block's crop (`crop/scaleX`, …): the image's size, offset and rotation relative to the
/// block's, used as they are in `Crop` mode.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Crop {
    /// Image width as a multiple of the block's width.
    pub scale_x: f32,
    /// Image height as a multiple of the block's height.
    pub scale_y: f32,
    /// Where the image's top-left corner lands (rotated with the image), as a fraction of
    /// the block's width.
    pub translation_x: f32,
    /// Where the image's top-left corner lands, as a fraction of the block's height.
    pub translation_y: f32,
    /// The image's rotation in radians, about its top-left corner as placed (so about its
    /// centre when changed through [`Crop::with_rotation`]).
    pub rotation: f32,
}

impl Default for Crop {
    fn default() -> Self {
        Crop {
            scale_x: 1.0,
            scale_y: 1.0,
            translation_x: 0.0,
            translation_y: 0.0,
            rotation: 0.0,
        }
    }
}

/// Rotates `(x, y)` by `angle` radians.
fn rotated((x, y): (f32, f32), angle: f32) -> (f32, f32) {
    let (s, c) = angle.sin_cos();
    (x * c - y * s, x * s + y * c)
}

impl Crop {
    /// The crop scaled about the image's centre so that the turned image just fits inside a
    /// block of `size`: what Contain keeps after a rotation.
    pub fn inside(self, size: (f32, f32)) -> Crop {
        let (centre, (hx, hy)) = self.centre(size);
        let (s, c) = self.rotation.sin_cos();
        let (ex, ey) = (
            (hx * c).abs() + (hy * s).abs(),
            (hx * s).abs() + (hy * c).abs(),
        );
        let factor = (size.0 / 2.0 / ex.max(f32::MIN_POSITIVE))
            .min(size.1 / 2.0 / ey.max(f32::MIN_POSITIVE));
        self.placed(centre, (hx * factor, hy * factor), size)
    }

    /// `crop/scaleRatio`: the smaller of the two scales.
    pub fn scale_ratio(&self) -> f32 {
        self.scale_x.min(self.scale_y)
    }

    /// The crop scaled alike on both axes, about the frame's centre, until its smaller
    /// scale is `ratio` (the reference's `setCropScaleRatio`).
    pub fn with_scale_ratio(self, ratio: f32) -> Crop {
        let f = ratio / self.scale_ratio().max(f32::MIN_POSITIVE);
        Crop {
            scale_x: self.scale_x * f,
            scale_y: self.scale_y * f,
            translation_x: 0.5 + (self.translation_x - 0.5) * f,
            translation_y: 0.5 + (self.translation_y - 0.5) * f,
            rotation: self.rotation,
        }
    }

    /// The image's centre and half size in a `w × h` block's coordinates.
    fn centre(&self, (w, h): (f32, f32)) -> ((f32, f32), (f32, f32)) {
        let half = (self.scale_x * w / 2.0, self.scale_y * h / 2.0);
        let (dx, dy) = rotated(half, self.rotation);
        (
            (self.translation_x * w + dx, self.translation_y * h + dy),
            half,
        )
    }

    /// The same image centred where it was, with the corner moved to `(cx, cy) − R·half`.
    fn placed(self, (cx, cy): (f32, f32), half: (f32, f32), (w, h): (f32, f32)) -> Crop {
        let (dx, dy) = rotated(half, self.rotation);
        let (w, h) = (w.max(f32::MIN_POSITIVE), h.max(f32::MIN_POSITIVE));
        Crop {
            scale_x: 2.0 * half.0 / w,
            scale_y: 2.0 * half.1 / h,
            translation_x: (cx - dx) / w,
            translation_y: (cy - dy) / h,
            ..self
        }
    }

    /// The crop turned to `rotation` about the image's centre, in a block of `size`.
    pub fn with_rotation(self, rotation: f32, size: (f32, f32)) -> Crop {
        let (centre, half) = self.centre(size);
        Crop { rotation, ..self }.placed(centre, half, size)
    }

    /// The crop scaled up about the image's centre, just enough that the image covers a
    /// block of `size` (unchanged when it does): what Cover keeps after a rotation.
    pub fn covering(self, size: (f32, f32)) -> Crop {
        let ((cx, cy), half) = self.centre(size);
        let (w, h) = size;
        let mut factor = 1.0f32;
        for (px, py) in [(0.0, 0.0), (w, 0.0), (0.0, h), (w, h)] {
            // The block's corner in the image's own axes, from its centre.
            let (x, y) = rotated((px - cx, py - cy), -self.rotation);
            factor = factor
                .max(x.abs() / half.0.max(f32::MIN_POSITIVE))
                .max(y.abs() / half.1.max(f32::MIN_POSITIVE));
        }
        if factor <= 1.0 + 1e-6 {
            return self;
        }
        self.placed((cx, cy), (half.0 * factor, half.1 * factor), size)
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
    /// `(x, y, width, height)` in the block's local coordinates: `(x, y)` is where its
    /// top-left corner lands, turned with it by the crop's rotation about that corner.
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
        let c = self.placement(image_width, image_height);
        let (w, h) = (self.width, self.height);
        (
            c.translation_x * w,
            c.translation_y * h,
            c.scale_x * w,
            c.scale_y * h,
        )
    }

    /// Where an image of this size lands, as a crop: the crop itself in `Crop` mode; for
    /// Cover and Contain, the fitted, aligned rectangle turned by the crop's rotation about
    /// its centre (Cover then scaled up to keep the block covered).
    fn placement(&self, image_width: f32, image_height: f32) -> Crop {
        let cover = match self.mode {
            ContentFillMode::Crop => return self.crop,
            ContentFillMode::Cover => true,
            ContentFillMode::Contain => false,
        };
        let (x, y, dw, dh) = self.fitted_rect(image_width, image_height, cover);
        let size = (self.width, self.height);
        let (w, h) = (
            self.width.max(f32::MIN_POSITIVE),
            self.height.max(f32::MIN_POSITIVE),
        );
        let fitted = Crop {
            scale_x: dw / w,
            scale_y: dh / h,
            translation_x: x / w,
            translation_y: y / h,
            rotation: 0.0,
        };
        if self.crop.rotation == 0.0 {
            return fitted;
        }
        let turned = fitted.with_rotation(self.crop.rotation, size);
        match cover {
            true => turned.covering(size),
            false => turned.inside(size),
        }
    }

    /// The unrotated rectangle the image is fitted into, aligned: covering the block
    /// (`cover`) or contained in it.
    fn fitted_rect(
        &self,
        image_width: f32,
        image_height: f32,
        cover: bool,
    ) -> (f32, f32, f32, f32) {
        let (w, h) = (self.width, self.height);
        let (sx, sy) = (w / image_width, h / image_height);
        let scale = if cover { sx.max(sy) } else { sx.min(sy) };
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
        self.placement(image_width.max(1.0), image_height.max(1.0))
    }

    /// Image pixels → block-local coordinates for an image of this size.
    pub fn image_transform(&self, image_width: u32, image_height: u32) -> Transform {
        let (iw, ih) = (image_width.max(1) as f32, image_height.max(1) as f32);
        let c = self.placement(iw, ih);
        let (w, h) = (self.width, self.height);
        Transform::scale(c.scale_x * w / iw, c.scale_y * h / ih)
            .then(Transform::rotate(c.rotation))
            .then(Transform::translate(
                c.translation_x * w,
                c.translation_y * h,
            ))
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
        self.fill_images
            .insert(block, (image_width.max(1), image_height.max(1)));
        self.refit_crop(block)
    }

    /// Under Cover or Contain, with the image's size known, writes the crop the fit gives.
    fn refit_crop(&mut self, block: BlockId) -> Result<()> {
        let Some(&(w, h)) = self.fill_images.get(&block) else {
            return Ok(());
        };
        let fill = self.content_fill(block)?;
        match fill.mode {
            ContentFillMode::Cover | ContentFillMode::Contain => {
                self.store_crop(block, fill.resulting_crop(w as f32, h as f32))
            }
            ContentFillMode::Crop => Ok(()),
        }
    }

    /// The crop keys' own rules, as the reference applies them; false for other keys.
    /// Writing a scale, a translation or `crop/scaleRatio` (the smaller scale, scaling both
    /// about the frame's centre) makes the fill mode `Crop`; `crop/rotation` turns the image
    /// about its centre and keeps the mode (Cover and Contain fit the turned image anew);
    /// choosing Cover or Contain fits the crop to the image.
    pub(crate) fn set_crop_property(
        &mut self,
        block: BlockId,
        key: &str,
        value: &crate::PropertyValue,
    ) -> Result<bool> {
        let v = match (key, value) {
            (keys::CONTENT_FILL_MODE, _) => {
                self.store_value(block, key, value.clone())?;
                self.refit_crop(block)?;
                return Ok(true);
            }
            (
                keys::CROP_SCALE_X
                | keys::CROP_SCALE_Y
                | keys::CROP_TRANSLATION_X
                | keys::CROP_TRANSLATION_Y
                | keys::CROP_SCALE_RATIO
                | keys::CROP_ROTATION,
                crate::PropertyValue::Float(v),
            ) => *v,
            _ => return Ok(false),
        };
        let mode = self.content_fill_mode(block)?;
        if key == keys::CROP_ROTATION && mode != ContentFillMode::Crop {
            self.store_value(block, key, value.clone())?;
            self.refit_crop(block)?;
            return Ok(true);
        }
        let mut crop = self.crop(block)?;
        match key {
            keys::CROP_ROTATION => {
                let size = (
                    self.get_float(block, keys::WIDTH)?,
                    self.get_float(block, keys::HEIGHT)?,
                );
                crop = crop.with_rotation(v, size);
            }
            keys::CROP_SCALE_RATIO => crop = crop.with_scale_ratio(v),
            keys::CROP_SCALE_X => crop.scale_x = v,
            keys::CROP_SCALE_Y => crop.scale_y = v,
            keys::CROP_TRANSLATION_X => crop.translation_x = v,
            _ => crop.translation_y = v,
        }
        // (A rotation got here only in Crop mode.)
        if mode != ContentFillMode::Crop {
            self.store_value(
                block,
                keys::CONTENT_FILL_MODE,
                crate::PropertyValue::Enum(ContentFillMode::Crop.as_str().into()),
            )?;
        }
        self.store_crop(block, crop)?;
        Ok(true)
    }

    /// A block's crop, as `crop/*` read it.
    pub fn crop(&self, block: BlockId) -> Result<Crop> {
        let f = |key: &str| self.get_float(block, key);
        Ok(Crop {
            scale_x: f(keys::CROP_SCALE_X)?,
            scale_y: f(keys::CROP_SCALE_Y)?,
            translation_x: f(keys::CROP_TRANSLATION_X)?,
            translation_y: f(keys::CROP_TRANSLATION_Y)?,
            rotation: f(keys::CROP_ROTATION)?,
        })
    }

    /// Stores a block's crop as it is (no mode change, no fitting), writing only the values
    /// that changed: every export records its images' crops, and an unchanged crop must not
    /// count as an edit (an event, a new layout).
    fn store_crop(&mut self, block: BlockId, crop: Crop) -> Result<()> {
        for (key, v) in [
            (keys::CROP_SCALE_X, crop.scale_x),
            (keys::CROP_SCALE_Y, crop.scale_y),
            (keys::CROP_TRANSLATION_X, crop.translation_x),
            (keys::CROP_TRANSLATION_Y, crop.translation_y),
            (keys::CROP_ROTATION, crop.rotation),
        ] {
            if self.get_float(block, key)?.to_bits() != v.to_bits() {
                self.store_value(block, key, crate::PropertyValue::Float(v))?;
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
            crop: self.crop(block)?,
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
            rotation: 0.0,
        };
        assert_eq!(f.image_rect(10.0, 10.0), (-200.0, 0.0, 800.0, 450.0));
        let t = f.image_transform(10, 10);
        assert_eq!(t.apply(10.0, 10.0), (600.0, 450.0));
    }
}
