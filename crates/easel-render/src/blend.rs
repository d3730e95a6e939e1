//! The blend modes' arithmetic, for the CPU backend (`shader.wgsl` has the same formulas for
//! the GPU): each mode mixes the straight-alpha backdrop colour `b` and source colour `s`
//! in sRGB space, and the result is composited source-over, as the W3C compositing spec and
//! the reference engine do (`b' = (1 − αb)·s + αb·B(b, s)`, then over the backdrop).

use crate::BlendMode;

fn lum([r, g, b]: [f32; 3]) -> f32 {
    0.3 * r + 0.59 * g + 0.11 * b
}

fn clip_color(c: [f32; 3]) -> [f32; 3] {
    let l = lum(c);
    let n = c[0].min(c[1]).min(c[2]);
    let x = c[0].max(c[1]).max(c[2]);
    let mut c = c;
    if n < 0.0 {
        c = c.map(|v| l + (v - l) * l / (l - n));
    }
    if x > 1.0 {
        c = c.map(|v| l + (v - l) * (1.0 - l) / (x - l));
    }
    c
}

fn set_lum(c: [f32; 3], l: f32) -> [f32; 3] {
    let d = l - lum(c);
    clip_color(c.map(|v| v + d))
}

fn sat(c: [f32; 3]) -> f32 {
    c[0].max(c[1]).max(c[2]) - c[0].min(c[1]).min(c[2])
}

fn set_sat(c: [f32; 3], s: f32) -> [f32; 3] {
    let mut idx = [0usize, 1, 2];
    idx.sort_by(|&a, &b| c[a].total_cmp(&c[b]));
    let [lo, mid, hi] = idx;
    let mut out = [0.0; 3];
    if c[hi] > c[lo] {
        out[mid] = (c[mid] - c[lo]) * s / (c[hi] - c[lo]);
        out[hi] = s;
    }
    out
}

fn burn(b: f32, s: f32) -> f32 {
    if b >= 1.0 {
        1.0
    } else if s <= 0.0 {
        0.0
    } else {
        1.0 - ((1.0 - b) / s).min(1.0)
    }
}

fn dodge(b: f32, s: f32) -> f32 {
    if b <= 0.0 {
        0.0
    } else if s >= 1.0 {
        1.0
    } else {
        (b / (1.0 - s)).min(1.0)
    }
}

fn hard_light(b: f32, s: f32) -> f32 {
    if s <= 0.5 {
        b * 2.0 * s
    } else {
        let t = 2.0 * s - 1.0;
        b + t - b * t
    }
}

fn soft_light(b: f32, s: f32) -> f32 {
    if s <= 0.5 {
        b - (1.0 - 2.0 * s) * b * (1.0 - b)
    } else {
        let d = if b <= 0.25 {
            ((16.0 * b - 12.0) * b + 4.0) * b
        } else {
            b.sqrt()
        };
        b + (2.0 * s - 1.0) * (d - b)
    }
}

fn vivid_light(b: f32, s: f32) -> f32 {
    if s <= 0.5 {
        burn(b, 2.0 * s)
    } else {
        dodge(b, 2.0 * (s - 0.5))
    }
}

/// `B(b, s)` of one separable mode, per channel.
fn separable(mode: BlendMode, b: f32, s: f32) -> f32 {
    use BlendMode as M;
    match mode {
        M::Multiply => b * s,
        M::Screen => b + s - b * s,
        M::Overlay => hard_light(s, b),
        M::Darken => b.min(s),
        M::Lighten => b.max(s),
        M::ColorDodge => dodge(b, s),
        M::ColorBurn => burn(b, s),
        M::HardLight => hard_light(b, s),
        M::SoftLight => soft_light(b, s),
        M::Difference => (b - s).abs(),
        M::Exclusion => b + s - 2.0 * b * s,
        M::LinearBurn => (b + s - 1.0).max(0.0),
        M::LinearDodge => (b + s).min(1.0),
        M::VividLight => vivid_light(b, s),
        M::LinearLight => (b + 2.0 * s - 1.0).clamp(0.0, 1.0),
        M::PinLight => {
            if s <= 0.5 {
                b.min(2.0 * s)
            } else {
                b.max(2.0 * s - 1.0)
            }
        }
        M::HardMix => {
            if vivid_light(b, s) >= 0.5 {
                1.0
            } else {
                0.0
            }
        }
        M::Subtract => (b - s).max(0.0),
        M::Divide => {
            if s <= 0.0 {
                1.0
            } else {
                (b / s).min(1.0)
            }
        }
        _ => s,
    }
}

/// `B(b, s)`: the mixed colour of straight-alpha backdrop `b` and source `s`.
pub(crate) fn mix(mode: BlendMode, b: [f32; 3], s: [f32; 3]) -> [f32; 3] {
    use BlendMode as M;
    match mode {
        M::Hue => set_lum(set_sat(s, sat(b)), lum(b)),
        M::Saturation => set_lum(set_sat(b, sat(s)), lum(b)),
        M::Color => set_lum(s, lum(b)),
        M::Luminosity => set_lum(b, lum(s)),
        M::DarkenColor => {
            if lum(s) < lum(b) {
                s
            } else {
                b
            }
        }
        M::LightenColor => {
            if lum(s) > lum(b) {
                s
            } else {
                b
            }
        }
        _ => [0, 1, 2].map(|i| separable(mode, b[i], s[i])),
    }
}

/// Composites premultiplied RGBA8 `src` (a layer) onto premultiplied `dst` at `opacity`
/// with `mode`, in place.
pub(crate) fn composite(dst: &mut [u8], src: &[u8], mode: BlendMode, opacity: f32) {
    let k = opacity / 255.0;
    for (d, s) in dst.chunks_exact_mut(4).zip(src.chunks_exact(4)) {
        if s[3] == 0 {
            continue;
        }
        let sa = f32::from(s[3]) * k;
        let sp = [s[0], s[1], s[2]].map(|v| f32::from(v) * k);
        let da = f32::from(d[3]) / 255.0;
        let dp = [d[0], d[1], d[2]].map(|v| f32::from(v) / 255.0);
        let source = if mode.is_normal() || da <= 0.0 {
            sp
        } else {
            // Straight colours, mixed, then weighted by how much backdrop there is.
            let sc = sp.map(|v| v / sa);
            let bc = dp.map(|v| v / da);
            let m = mix(mode, bc, sc);
            [0, 1, 2].map(|i| sa * ((1.0 - da) * sc[i] + da * m[i].clamp(0.0, 1.0)))
        };
        for i in 0..3 {
            d[i] = ((source[i] + (1.0 - sa) * dp[i]).clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
        }
        d[3] = ((sa + (1.0 - sa) * da).clamp(0.0, 1.0) * 255.0 + 0.5) as u8;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The reference engine's exports of an orange at 80% over blue (0.2, 0.5, 0.8) and over
    /// white, with each mode (`tests/conformance/render/blend-modes`, pixels sampled away
    /// from the watermark).
    #[test]
    fn modes_match_the_reference_engines_pixels() {
        let cases: &[(BlendMode, [u8; 3], [u8; 3])] = &[
            (BlendMode::Multiply, [47, 87, 57], [235, 173, 72]),
            (BlendMode::Screen, [198, 189, 208], [255, 255, 255]),
            (BlendMode::Overlay, [84, 148, 172], [255, 255, 255]),
            (BlendMode::SoftLight, [92, 136, 178], [255, 255, 255]),
            (BlendMode::ColorBurn, [33, 60, 41], [255, 255, 255]),
            (BlendMode::LinearBurn, [31, 46, 41], [235, 173, 72]),
            (BlendMode::VividLight, [214, 154, 45], [255, 255, 255]),
            (BlendMode::PinLight, [174, 128, 82], [255, 255, 93]),
            (BlendMode::HardMix, [214, 230, 41], [255, 255, 255]),
            (BlendMode::Subtract, [10, 26, 183], [71, 133, 234]),
            (BlendMode::Divide, [55, 196, 245], [255, 255, 255]),
            (BlendMode::Hue, [142, 111, 50], [255, 255, 255]),
            (BlendMode::Saturation, [34, 132, 228], [255, 255, 255]),
            (BlendMode::Color, [146, 110, 41], [255, 255, 255]),
            (BlendMode::Luminosity, [90, 167, 243], [181, 181, 181]),
            (BlendMode::DarkenColor, [51, 128, 204], [235, 173, 72]),
            (BlendMode::LightenColor, [194, 148, 62], [255, 255, 255]),
        ];
        let q = |v: f32| (v * 255.0 + 0.5) as u8;
        // The source as the reference holds it: 8-bit, premultiplied at 80%.
        let src = [q(0.9), q(0.6), q(0.1)].map(|v| (f32::from(v) * 0.8 + 0.5) as u8);
        let src = [src[0], src[1], src[2], q(0.8)];
        for (mode, over_blue, over_white) in cases {
            for (backdrop, want) in [([51, 128, 204], over_blue), ([255, 255, 255], over_white)] {
                let mut dst = [backdrop[0], backdrop[1], backdrop[2], 255];
                composite(&mut dst, &src, *mode, 1.0);
                let worst = (0..3).map(|i| dst[i].abs_diff(want[i])).max().unwrap_or(0);
                assert!(worst <= 3, "{mode}: {dst:?} vs the reference's {want:?}");
            }
        }
    }
}
