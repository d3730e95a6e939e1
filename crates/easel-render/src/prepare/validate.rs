//! Checking every number of a display item before anything is drawn, so a bad value is a
//! typed error naming the item instead of NaN vertices or a GPU validation failure.

use crate::display_list::{DisplayItem, Paint, PathShape};
use crate::{Color, Error, GradientStop, Result};

pub(crate) fn bad(index: usize, what: &str, value: impl std::fmt::Display) -> Error {
    Error::InvalidItem {
        index,
        what: what.to_string(),
        value: value.to_string(),
    }
}

fn check_color(index: usize, what: &str, c: &Color) -> Result<()> {
    if c.is_finite() {
        Ok(())
    } else {
        Err(bad(index, what, format!("{c:?}")))
    }
}

fn check_stops(index: usize, stops: &[GradientStop]) -> Result<()> {
    if stops.is_empty() {
        return Err(bad(index, "gradient", "with no stops"));
    }
    for s in stops {
        check_color(index, "gradient stop colour", &s.color)?;
        if !s.stop.is_finite() {
            return Err(bad(index, "gradient stop offset", s.stop));
        }
    }
    Ok(())
}

fn check_points(index: usize, what: &str, points: &[f32]) -> Result<()> {
    if points.iter().all(|v| v.is_finite()) {
        Ok(())
    } else {
        Err(bad(index, what, format!("{points:?}")))
    }
}

/// Checks every number of item `index`.
pub(crate) fn validate(index: usize, item: &DisplayItem) -> Result<()> {
    if !item.transform.is_finite() {
        return Err(bad(index, "transform", format!("{:?}", item.transform.0)));
    }
    if !item.opacity.is_finite() || !(0.0..=1.0).contains(&item.opacity) {
        return Err(bad(index, "opacity", item.opacity));
    }
    let shapes = std::iter::once(&item.path).chain(item.clip.as_ref().map(|c| &c.path));
    for shape in shapes {
        for (what, v) in shape.numbers() {
            if !v.is_finite() || v < 0.0 {
                return Err(bad(index, what, v));
            }
        }
        if let PathShape::Line { x0, y0, x1, y1 } = shape {
            check_points(index, "line end point", &[*x0, *y0, *x1, *y1])?;
        }
        if let PathShape::Outline(o) = shape
            && let Some(p) = o.points().find(|[x, y]| !(x.is_finite() && y.is_finite()))
        {
            return Err(bad(index, "outline point", format!("{p:?}")));
        }
    }
    if let Some(clip) = &item.clip
        && !clip.transform.is_finite()
    {
        return Err(bad(
            index,
            "clip transform",
            format!("{:?}", clip.transform.0),
        ));
    }
    if let Some(s) = &item.stroke {
        if !s.width.is_finite() || s.width < 0.0 {
            return Err(bad(index, "stroke width", s.width));
        }
        if !s.miter_limit.is_finite() {
            return Err(bad(index, "miter limit", s.miter_limit));
        }
        if !s.dash_offset.is_finite() || s.dash_array.iter().any(|d| !d.is_finite() || *d < 0.0) {
            return Err(bad(index, "dash array", format!("{:?}", s.dash_array)));
        }
        check_color(index, "stroke colour", &s.color)?;
    }
    match &item.fill {
        Some(Paint::Solid(c)) => check_color(index, "fill colour", c)?,
        Some(Paint::LinearGradient { start, end, stops }) => {
            check_stops(index, stops)?;
            check_points(
                index,
                "gradient geometry",
                &[start[0], start[1], end[0], end[1]],
            )?;
        }
        Some(Paint::RadialGradient {
            center,
            radius,
            stops,
        }) => {
            check_stops(index, stops)?;
            if !center.iter().all(|v| v.is_finite()) || !radius.is_finite() || *radius < 0.0 {
                return Err(bad(
                    index,
                    "radial gradient",
                    format!("{center:?} r={radius}"),
                ));
            }
        }
        Some(Paint::ConicalGradient { center, stops }) => {
            check_stops(index, stops)?;
            check_points(index, "conical gradient centre", center)?;
        }
        Some(Paint::Image { transform, .. })
            if !transform.is_finite() || transform.invert().is_none() =>
        {
            return Err(bad(index, "image transform", format!("{:?}", transform.0)));
        }
        Some(Paint::Image { .. }) => {}
        None => {}
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{DisplayItem, Stroke, Transform};

    fn square() -> DisplayItem {
        DisplayItem::filled(
            PathShape::Rect {
                width: 10.0,
                height: 10.0,
                radii: [0.0; 4],
            },
            Transform::IDENTITY,
            Color::BLACK,
        )
    }

    #[test]
    fn bad_numbers_name_the_item_and_field() {
        let mut item = square();
        item.opacity = 1.5;
        assert_eq!(
            validate(3, &item),
            Err(bad(3, "opacity", 1.5)),
            "opacity outside 0..=1"
        );
        let mut item = square();
        item.stroke = Some(Stroke {
            dash_array: vec![1.0, f32::NAN],
            ..Default::default()
        });
        assert!(
            matches!(validate(0, &item), Err(Error::InvalidItem { what, .. }) if what == "dash array")
        );
        let mut item = square();
        item.fill = Some(Paint::LinearGradient {
            start: [0.0, f32::INFINITY],
            end: [1.0, 1.0],
            stops: vec![GradientStop::new(0.0, Color::BLACK)],
        });
        assert!(
            matches!(validate(0, &item), Err(Error::InvalidItem { what, .. }) if what == "gradient geometry")
        );
        assert_eq!(validate(0, &square()), Ok(()));
    }
}
