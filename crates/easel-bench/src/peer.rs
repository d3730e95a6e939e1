//! The peer: the harness's export workloads drawn with `vello_cpu` directly — single
//! threaded, PNG through the `png` crate at `Compression::Fast` (fdeflate), JPEG through
//! `jpeg-encoder` at quality 90 — the obvious alternative a user would write. Every
//! Easel export is reported beside it as `vs_vello_cpu` (Easel's median / the peer's).
//!
//! Decoding is done once up front on both sides (Easel caches decoded images).

use crate::{Shape, ShapeKind};
use image::RgbaImage;
use std::sync::Arc;
use vello_cpu::kurbo::{Affine, BezPath, Ellipse, Point, Rect, Shape as _};
use vello_cpu::peniko::{Extend, ImageQuality, ImageSampler};
use vello_cpu::{Image, ImageSource, Pixmap, RenderContext};

/// What a peer export encodes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PeerFormat {
    /// PNG, `Compression::Fast`.
    Png,
    /// JPEG, quality 90.
    Jpeg,
}

/// A decoded image ready for vello_cpu (premultiplied).
pub fn pixmap(image: &RgbaImage) -> Arc<Pixmap> {
    let (w, h) = image.dimensions();
    Arc::new(Pixmap::from_parts(
        image.as_raw().clone(),
        w as u16,
        h as u16,
        vello_cpu::PixelMetadata {
            may_have_transparency: false,
            alpha_type: vello_cpu::peniko::ImageAlphaType::Alpha,
        },
    ))
}

fn white() -> vello_cpu::peniko::Color {
    vello_cpu::peniko::Color::WHITE
}

fn finish(ctx: &mut RenderContext, format: PeerFormat) -> Vec<u8> {
    let (w, h) = (ctx.width(), ctx.height());
    ctx.flush();
    let mut target = Pixmap::new(w, h);
    ctx.render(&mut target, &mut vello_cpu::Resources::new());
    let rgba = target.take_rgba8(vello_cpu::peniko::ImageAlphaType::Alpha);
    encode(&rgba, u32::from(w), u32::from(h), format)
}

fn encode(rgba: &[u8], w: u32, h: u32, format: PeerFormat) -> Vec<u8> {
    let mut out = Vec::new();
    match format {
        PeerFormat::Png => {
            let mut encoder = png::Encoder::new(&mut out, w, h);
            encoder.set_color(png::ColorType::Rgba);
            encoder.set_compression(png::Compression::Fast);
            if let Ok(mut writer) = encoder.write_header() {
                let _ = writer.write_image_data(rgba);
            }
        }
        PeerFormat::Jpeg => {
            let encoder = jpeg_encoder::Encoder::new(&mut out, 90);
            let _ = encoder.encode(rgba, w as u16, h as u16, jpeg_encoder::ColorType::Rgba);
        }
    }
    out
}

/// A `cw × ch` white page with `image` cover-fitted into the box `(x, y, w, h)`.
pub fn image_export(
    image: &Arc<Pixmap>,
    (cw, ch): (u16, u16),
    (x, y, w, h): (f64, f64, f64, f64),
    format: PeerFormat,
) -> Vec<u8> {
    let mut ctx = RenderContext::new(cw, ch);
    ctx.set_paint(white());
    ctx.fill_rect(&Rect::new(0.0, 0.0, f64::from(cw), f64::from(ch)));
    let (iw, ih) = (f64::from(image.width()), f64::from(image.height()));
    let s = (w / iw).max(h / ih);
    ctx.set_paint(Image {
        image: ImageSource::Pixmap(image.clone()),
        sampler: ImageSampler {
            x_extend: Extend::Pad,
            y_extend: Extend::Pad,
            quality: ImageQuality::Medium,
            alpha: 1.0,
        },
    });
    ctx.set_paint_transform(
        Affine::translate((x + (w - iw * s) / 2.0, y + (h - ih * s) / 2.0)) * Affine::scale(s),
    );
    ctx.fill_rect(&Rect::new(x, y, x + w, y + h));
    finish(&mut ctx, format)
}

fn star(s: &Shape) -> BezPath {
    let (r, c) = (f64::from(s.size) / 2.0, f64::from(s.size) / 2.0);
    let mut path = BezPath::new();
    for i in 0..10 {
        let k = if i % 2 == 0 { 1.0 } else { 0.5 };
        let a = -std::f64::consts::FRAC_PI_2 + f64::from(i) * std::f64::consts::PI / 5.0;
        let p = Point::new(c + r * k * a.cos(), c + r * k * a.sin());
        if i == 0 {
            path.move_to(p);
        } else {
            path.line_to(p);
        }
    }
    path.close_path();
    path
}

/// An 800×600 white page with the generated shapes, filled (the harness's shapes scene).
pub fn shapes_export(shapes: &[Shape], format: PeerFormat) -> Vec<u8> {
    let mut ctx = RenderContext::new(800, 600);
    ctx.set_paint(white());
    ctx.fill_rect(&Rect::new(0.0, 0.0, 800.0, 600.0));
    for s in shapes {
        let size = f64::from(s.size);
        let path = match s.kind {
            ShapeKind::Rect => Rect::new(0.0, 0.0, size, size).to_path(0.1),
            ShapeKind::Ellipse => Ellipse::from_rect(Rect::new(0.0, 0.0, size, size)).to_path(0.1),
            ShapeKind::Star => star(s),
        };
        ctx.set_transform(Affine::translate((f64::from(s.x), f64::from(s.y))));
        ctx.set_paint(vello_cpu::peniko::Color::new([
            s.rgb[0], s.rgb[1], s.rgb[2], 1.0,
        ]));
        ctx.fill_path(&path);
    }
    finish(&mut ctx, format)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn peer_exports_decode() {
        let img = RgbaImage::from_pixel(40, 30, image::Rgba([200, 10, 10, 255]));
        let png = image_export(
            &pixmap(&img),
            (80, 60),
            (20.0, 15.0, 40.0, 30.0),
            PeerFormat::Png,
        );
        let back = image::load_from_memory(&png).map(|i| i.to_rgba8());
        assert_eq!(
            back.map(|b| b.get_pixel(40, 30).0).ok(),
            Some([200, 10, 10, 255])
        );
        let jpeg = shapes_export(&crate::shapes(50), PeerFormat::Jpeg);
        assert!(image::load_from_memory(&jpeg).is_ok());
    }
}
