//! Mipmap chains for image paints, built on the CPU in premultiplied alpha so that
//! transparent texels do not bleed dark fringes into their neighbours.

use image::RgbaImage;

/// Level 0 (premultiplied) followed by 2×2 box-filtered levels down to 1×1.
pub(crate) fn premultiplied_chain(image: &RgbaImage) -> Vec<RgbaImage> {
    let mut base = image.clone();
    for p in base.pixels_mut() {
        let a = p[3] as u32;
        if a < 255 {
            for c in 0..3 {
                p[c] = ((p[c] as u32 * a + 127) / 255) as u8;
            }
        }
    }
    let mut levels = vec![base];
    loop {
        let prev = &levels[levels.len() - 1];
        let (w, h) = prev.dimensions();
        if w == 1 && h == 1 {
            break;
        }
        let (nw, nh) = ((w / 2).max(1), (h / 2).max(1));
        let mut next = RgbaImage::new(nw, nh);
        let src = prev.as_raw();
        let dst: &mut [u8] = &mut next;
        for y in 0..nh {
            let (y0, y1) = ((y * 2).min(h - 1), (y * 2 + 1).min(h - 1));
            for x in 0..nw {
                let (x0, x1) = ((x * 2).min(w - 1), (x * 2 + 1).min(w - 1));
                let at = |xx: u32, yy: u32, c: usize| src[((yy * w + xx) * 4) as usize + c] as u32;
                for c in 0..4 {
                    let sum = at(x0, y0, c) + at(x1, y0, c) + at(x0, y1, c) + at(x1, y1, c);
                    dst[((y * nw + x) * 4) as usize + c] = ((sum + 2) / 4) as u8;
                }
            }
        }
        levels.push(next);
    }
    levels
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chain_goes_down_to_one_pixel() {
        let img = RgbaImage::from_pixel(5, 3, image::Rgba([200, 100, 50, 255]));
        let chain = premultiplied_chain(&img);
        let sizes: Vec<_> = chain.iter().map(|i| i.dimensions()).collect();
        assert_eq!(sizes, [(5, 3), (2, 1), (1, 1)]);
        assert_eq!(chain[2].get_pixel(0, 0).0, [200, 100, 50, 255]);
    }
}
