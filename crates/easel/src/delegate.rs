//! The one macro behind the engine's forwarding methods.

/// Generates `&self` methods that call the method of the same name on `$target` (an
/// expression of `self`: the scene graph under its lock, the asset store) and convert the
/// error into [`crate::Error`].
macro_rules! delegate {
    ($self:ident => $target:expr; $($(#[$doc:meta])* fn $name:ident(&self $(, $arg:ident: $ty:ty)*) -> $ret:ty;)*) => {
        $(
            $(#[$doc])*
            pub fn $name(&$self $(, $arg: $ty)*) -> $crate::Result<$ret> {
                Ok($target.$name($($arg),*)?)
            }
        )*
    };
}
