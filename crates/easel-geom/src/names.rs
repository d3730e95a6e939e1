//! Fill and stroke enums, named as the reference engine names their values.

/// An enum whose values have the reference engine's names (made by [`named_enum!`]):
/// lets a property store read and write any of them by name.
pub trait NamedEnum: Sized + Copy + 'static {
    /// Every value's name, in declaration order.
    const NAMES: &'static [&'static str];
    /// The value's name.
    fn as_str(self) -> &'static str;
    /// The value with this name (exact match).
    fn parse(value: &str) -> Option<Self>;
}

/// Defines a fieldless enum whose values are named as the reference engine names them, with
/// `as_str`, `parse`, `ALL`, `NAMES`, `Display`, `Default` and serde (as the names). The
/// crates above use it for their own enums of this kind (`contentFill/mode`, `scene/layout`).
/// The using crate needs `serde` as a dependency.
///
/// ```
/// easel_geom::named_enum! {
///     /// A direction.
///     Axis {
///         /// Left to right (the default).
///         #[default]
///         Horizontal,
///         /// Top to bottom.
///         Vertical,
///     }
/// }
/// assert_eq!(Axis::parse("Vertical"), Some(Axis::Vertical));
/// assert_eq!(Axis::default().as_str(), "Horizontal");
/// ```
#[macro_export]
macro_rules! named_enum {
    ($(#[$doc:meta])* $name:ident { $($(#[$vdoc:meta])* $variant:ident),+ $(,)? }) => {
        $(#[$doc])*
        #[derive(
            Clone, Copy, Debug, PartialEq, Eq, Hash, Default, ::serde::Serialize, ::serde::Deserialize,
        )]
        pub enum $name {
            $($(#[$vdoc])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The value's name as the reference engine writes it.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }

            /// Parses the reference engine's name of a value (exact match).
            pub fn parse(value: &str) -> Option<Self> {
                match value {
                    $(stringify!($variant) => Some($name::$variant),)+
                    _ => None,
                }
            }

            /// The names of every value, in declaration order.
            pub const NAMES: &'static [&'static str] = &[$(stringify!($variant)),+];
        }

        impl $crate::NamedEnum for $name {
            const NAMES: &'static [&'static str] = $name::NAMES;
            fn as_str(self) -> &'static str {
                $name::as_str(self)
            }
            fn parse(value: &str) -> Option<Self> {
                $name::parse(value)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
named_enum! {
    /// Which points are inside a path that overlaps itself (`shape/vector_path/fillRule`).
    FillRule {
        /// Non-zero winding (the default).
        #[default]
        NonZero,
        /// Even-odd.
        EvenOdd,
    }
}

named_enum! {
    /// How stroke segments join (`stroke/cornerGeometry`).
    LineJoin {
        /// Sharp corners up to the miter limit (the default).
        #[default]
        Miter,
        /// Cut corners.
        Bevel,
        /// Rounded corners.
        Round,
    }
}

named_enum! {
    /// How open stroke ends and dashes end (`stroke/cap`).
    LineCap {
        /// Flat at the end point (the default).
        #[default]
        Butt,
        /// A half circle.
        Round,
        /// A half square.
        Square,
    }
}

named_enum! {
    /// Where a stroke lies relative to the outline (`stroke/position`).
    StrokePosition {
        /// Inside the shape.
        Inner,
        /// Centred on the outline (the default).
        #[default]
        Center,
        /// Outside the shape.
        Outer,
    }
}

named_enum! {
    /// How a block's pixels combine with what lies under them (`blend/mode`): the reference
    /// engine's 27 modes, named and ordered as it names and numbers them. The separable and
    /// non-separable modes follow the W3C compositing formulas; the others are the usual
    /// image-editor definitions (linear burn = `b + s − 1`, vivid light = burn/dodge at
    /// `2s`, hard mix = vivid light thresholded, …). `PassThrough` is what groups default
    /// to: their children blend with what lies under the group, as if not grouped.
    BlendMode {
        /// A group's children blend straight into the backdrop (the groups' default).
        PassThrough,
        /// Source over (every other block's default).
        #[default]
        Normal,
        /// The darker of the two, per channel.
        Darken,
        /// Product.
        Multiply,
        /// Darkens the backdrop towards the source.
        ColorBurn,
        /// `b + s − 1`.
        LinearBurn,
        /// The whole colour with the lower luminosity.
        DarkenColor,
        /// The lighter of the two, per channel.
        Lighten,
        /// Inverse product of the inverses.
        Screen,
        /// Brightens the backdrop towards the source.
        ColorDodge,
        /// `b + s` (add).
        LinearDodge,
        /// The whole colour with the higher luminosity.
        LightenColor,
        /// Hard light with the layers swapped.
        Overlay,
        /// A softer hard light.
        SoftLight,
        /// Multiply or screen, by the source.
        HardLight,
        /// Colour burn or dodge at twice the source.
        VividLight,
        /// `b + 2s − 1`.
        LinearLight,
        /// Darken or lighten at twice the source.
        PinLight,
        /// Vivid light rounded to 0 or 1.
        HardMix,
        /// `|b − s|`.
        Difference,
        /// `b + s − 2bs`.
        Exclusion,
        /// `b − s`.
        Subtract,
        /// `b / s`.
        Divide,
        /// The source's hue with the backdrop's saturation and luminosity.
        Hue,
        /// The source's saturation.
        Saturation,
        /// The source's hue and saturation.
        Color,
        /// The source's luminosity.
        Luminosity,
    }
}

impl BlendMode {
    /// True for the modes that composite as plain source-over (`Normal`, `PassThrough`).
    pub const fn is_normal(self) -> bool {
        matches!(self, BlendMode::Normal | BlendMode::PassThrough)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for v in LineJoin::ALL {
            assert_eq!(LineJoin::parse(v.as_str()), Some(*v));
        }
        assert_eq!(FillRule::NAMES, ["NonZero", "EvenOdd"]);
        assert_eq!(StrokePosition::default(), StrokePosition::Center);
        assert_eq!(LineCap::parse("round"), None, "names are case-sensitive");
        assert_eq!(LineCap::Square.to_string(), "Square");
        // The reference engine numbers its modes in this order in saved scenes.
        assert_eq!(BlendMode::ALL.len(), 27);
        assert_eq!(BlendMode::ALL[1], BlendMode::Normal);
        assert_eq!(BlendMode::ALL[3], BlendMode::Multiply);
        assert_eq!(BlendMode::ALL[8], BlendMode::Screen);
        assert_eq!(BlendMode::ALL[19], BlendMode::Difference);
        assert_eq!(BlendMode::default(), BlendMode::Normal);
    }
}
