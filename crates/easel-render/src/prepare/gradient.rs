//! Gradient ramps: each distinct stop list becomes one row of premultiplied texels that the
//! shader samples by the gradient's parameter `t`.

use crate::GradientStop;

/// Gradient ramps are 256 texels wide, one row per distinct stop list.
pub(crate) const RAMP_WIDTH: u32 = 256;

/// The bit pattern of a stop list, for sharing one row between equal gradients.
pub(crate) fn ramp_key(stops: &[GradientStop]) -> Vec<u32> {
    stops
        .iter()
        .flat_map(|s| [s.stop, s.color.r, s.color.g, s.color.b, s.color.a].map(f32::to_bits))
        .collect()
}

/// Builds the 256 premultiplied texels of one gradient row.
pub(crate) fn ramp_row(stops: &[GradientStop]) -> Vec<u8> {
    let mut sorted = stops.to_vec();
    sorted.sort_by(|a, b| a.stop.total_cmp(&b.stop));
    let premultiplied = |s: &GradientStop| {
        let c = s.color;
        [c.r * c.a, c.g * c.a, c.b * c.a, c.a]
    };
    let mut out = Vec::with_capacity(RAMP_WIDTH as usize * 4);
    for x in 0..RAMP_WIDTH {
        let t = x as f32 / (RAMP_WIDTH - 1) as f32;
        match sorted.iter().position(|s| s.stop >= t) {
            None => out.extend(sorted[sorted.len() - 1].color.premultiplied_u8(1.0)),
            Some(0) => out.extend(sorted[0].color.premultiplied_u8(1.0)),
            Some(i) => {
                let (a, b) = (&sorted[i - 1], &sorted[i]);
                let span = b.stop - a.stop;
                let k = if span > 0.0 { (t - a.stop) / span } else { 1.0 };
                // Interpolate premultiplied, so transparent stops do not darken neighbours.
                let (pa, pb) = (premultiplied(a), premultiplied(b));
                for c in 0..4 {
                    let v = pa[c] + (pb[c] - pa[c]) * k;
                    out.push((v.clamp(0.0, 1.0) * 255.0 + 0.5) as u8);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Color;

    #[test]
    fn ramp_interpolates_premultiplied() {
        let stops = [
            GradientStop::new(0.0, Color::rgb(1.0, 0.0, 0.0)),
            GradientStop::new(1.0, Color::rgb(0.0, 0.0, 1.0)),
        ];
        let row = ramp_row(&stops);
        assert_eq!(&row[0..4], &[255, 0, 0, 255]);
        assert_eq!(&row[255 * 4..256 * 4], &[0, 0, 255, 255]);
        let mid = &row[128 * 4..128 * 4 + 4];
        assert!((mid[0] as i32 - 127).abs() <= 2 && (mid[2] as i32 - 128).abs() <= 2);
    }

    #[test]
    fn transparent_stops_fade_without_darkening() {
        let stops = [
            GradientStop::new(0.0, Color::rgba(1.0, 1.0, 1.0, 1.0)),
            GradientStop::new(1.0, Color::rgba(0.0, 0.0, 0.0, 0.0)),
        ];
        let row = ramp_row(&stops);
        let mid = &row[128 * 4..128 * 4 + 4];
        // Premultiplied white at half alpha: colour equals alpha, no grey.
        assert_eq!(mid[0], mid[3]);
    }

    #[test]
    fn equal_stop_lists_share_a_key() {
        let a = [GradientStop::new(0.5, Color::BLACK)];
        assert_eq!(ramp_key(&a), ramp_key(&a.clone()));
        assert_ne!(
            ramp_key(&a),
            ramp_key(&[GradientStop::new(0.4, Color::BLACK)])
        );
    }
}
