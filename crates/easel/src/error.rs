use easel_scene::BlockId;
use serde::{Deserialize, Serialize};

/// Why a resource could not be used.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ResourceErrorKind {
    /// The bytes could not be fetched (HTTP error, timeout, missing file, size cap, …).
    FileFetchFailed,
    /// The bytes are not a decodable image.
    ImageDecodingFailed,
    /// The image exceeds the configured dimension or memory limits.
    ImageTooLarge,
    /// The URI's scheme is not allowed by the editor settings.
    SchemeNotAllowed,
    /// The host or path is refused by the editor settings (a private address, a file
    /// outside the file root).
    AccessDenied,
    /// The bytes are not a font that can be read.
    FontDecodingFailed,
}

/// A failed resource: what kind of failure, which URI, and the cause.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{kind:?} for {uri}: {message}")]
pub struct ResourceError {
    /// The kind of failure.
    pub kind: ResourceErrorKind,
    /// The URI as resolved.
    pub uri: String,
    /// What went wrong.
    pub message: String,
}

/// Everything that can go wrong in the engine. Errors of the three crates pass through.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// From the scene graph.
    #[error(transparent)]
    Scene(#[from] easel_scene::Error),
    /// From the asset store.
    #[error(transparent)]
    Assets(#[from] easel_assets::Error),
    /// From text layout (a font size or setting out of range, text too long).
    #[error(transparent)]
    Text(#[from] easel_text::Error),
    /// From the renderer or an encoder.
    #[error(transparent)]
    Render(#[from] easel_render::Error),
    /// A resource failed on its own (loading content files, forcing loads).
    #[error(transparent)]
    Resource(#[from] ResourceError),
    /// An export needs a resource that failed; nothing was written.
    #[error("block {block} cannot be exported: {error}")]
    BlockResource {
        /// The block whose fill needs the resource.
        block: BlockId,
        /// The failure.
        #[source]
        error: ResourceError,
    },
    /// An export option is out of range.
    #[error("invalid export option {option} = {value}: {reason}")]
    InvalidExportOption {
        /// The option.
        option: String,
        /// Its value.
        value: String,
        /// The allowed range.
        reason: String,
    },
    /// The block cannot be exported (e.g. a shape or fill block, or an empty region).
    #[error("block {block} cannot be exported: {reason}")]
    NotExportable {
        /// The block.
        block: BlockId,
        /// Why.
        reason: String,
    },
    /// The export would exceed the output limits of the editor settings.
    #[error("block {block} would export at {width}x{height}, over the limit of {limit}")]
    ExportTooLarge {
        /// The exported block.
        block: BlockId,
        /// The output width it would have.
        width: f32,
        /// The output height it would have.
        height: f32,
        /// The limits, in words.
        limit: String,
    },
    /// An asset cannot be applied.
    #[error("asset `{asset}` cannot be applied: {reason}")]
    InvalidAsset {
        /// The asset id.
        asset: String,
        /// Why.
        reason: String,
    },
}

/// Result with the engine's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
