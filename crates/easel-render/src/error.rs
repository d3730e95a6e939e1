/// Everything that can go wrong while rendering or encoding. Each variant names the
/// offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No GPU or software adapter could be found.
    #[error(
        "no graphics adapter found for backends {backends}: install a GPU driver or Mesa \
         (Debian/Ubuntu: `apt-get install -y libegl1 libgl1-mesa-dri` for GL via EGL, or \
         `apt-get install -y mesa-vulkan-drivers libvulkan1` for Vulkan)"
    )]
    NoAdapter {
        /// The backends that were tried.
        backends: String,
    },
    /// `EASEL_BACKEND` (or the options) named a backend this build does not know.
    #[error("unknown backend `{0}`: use cpu, vulkan, gl, metal or dx12")]
    UnknownBackend(String),
    /// The device could not be created.
    #[error("cannot open device on adapter {adapter}: {message}")]
    DeviceCreation {
        /// The adapter's name.
        adapter: String,
        /// What wgpu said.
        message: String,
    },
    /// The device was lost (driver reset, GPU removed); create a new `Renderer`.
    #[error("the GPU device was lost: {0}; create a new Renderer")]
    DeviceLost(String),
    /// The GPU ran out of memory.
    #[error("GPU out of memory while {0}")]
    OutOfMemory(String),
    /// The GPU reported an error.
    #[error("GPU error while {context}: {message}")]
    Gpu {
        /// What the renderer was doing.
        context: String,
        /// What wgpu said.
        message: String,
    },
    /// The canvas size is zero or beyond the supported maximum.
    #[error("invalid canvas size {width}x{height}: each side must be within 1..={max}")]
    InvalidCanvasSize {
        /// Requested width.
        width: u32,
        /// Requested height.
        height: u32,
        /// The largest side supported.
        max: u32,
    },
    /// The background colour has a non-finite component.
    #[error("invalid background colour {0}")]
    InvalidBackground(String),
    /// An item has a non-finite or negative number.
    #[error("display item {index}: invalid {what} {value}")]
    InvalidItem {
        /// Position in the display list.
        index: usize,
        /// Which field.
        what: String,
        /// The value, printed.
        value: String,
    },
    /// A layer's range, opacity or nesting is invalid.
    #[error("display layer {index}: {reason}")]
    InvalidLayer {
        /// Position in the list's layers.
        index: usize,
        /// What is wrong, with the values.
        reason: String,
    },
    /// SVG path data could not be parsed.
    #[error("invalid SVG path data {data:?}: {message}")]
    InvalidPath {
        /// The data (shortened when long).
        data: String,
        /// What the parser said.
        message: String,
    },
    /// Tessellation failed for a path.
    #[error("cannot tessellate display item {index}: {message}")]
    Tessellation {
        /// Position in the display list.
        index: usize,
        /// What lyon said.
        message: String,
    },
    /// The display list refers to an image this renderer does not hold.
    #[error("unknown image handle {0}: add it with Renderer::add_image first")]
    UnknownImage(u64),
    /// An image is empty, too large for the adapter, or its buffer has the wrong length.
    #[error("invalid image {width}x{height}: {reason}")]
    InvalidImage {
        /// Width.
        width: u32,
        /// Height.
        height: u32,
        /// Why.
        reason: String,
    },
    /// Encoding failed.
    #[error("cannot encode {format}: {message}")]
    Encode {
        /// PNG, JPEG, WebP.
        format: String,
        /// What the encoder said.
        message: String,
    },
    /// An encoder option is out of range.
    #[error("invalid {option} {value}: {reason}")]
    InvalidOption {
        /// The option.
        option: String,
        /// Its value.
        value: String,
        /// The allowed range.
        reason: String,
    },
}

/// Result with the renderer's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
