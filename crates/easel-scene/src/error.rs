use crate::{BlockId, PropertyType};

/// Everything that can go wrong in the scene graph. Each variant names the offending value.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The id was never issued or its block was destroyed.
    #[error("unknown block {0}: it does not exist or was destroyed")]
    UnknownBlock(BlockId),
    /// The type name is not a known block, shape or fill type.
    #[error("unknown block type `{0}`")]
    UnknownBlockType(String),
    /// `create` was given a shape or fill type.
    #[error(
        "`{0}` is not a design block type: create shapes with create_shape and fills with create_fill"
    )]
    NotADesignBlock(String),
    /// The block's type has no property with this key.
    #[error("block {block} ({block_type}) has no property `{key}`")]
    UnknownProperty {
        /// The block asked.
        block: BlockId,
        /// Its type's long name.
        block_type: String,
        /// The key that was not found.
        key: String,
    },
    /// The property exists but has another type than the accessor used.
    #[error("property `{key}` is of type {found}: expected {expected}")]
    WrongPropertyType {
        /// The property key.
        key: String,
        /// The accessor that fits the property, e.g. `get_string`.
        expected: String,
        /// The property's real type.
        found: PropertyType,
    },
    /// The property cannot be written.
    #[error("property `{key}` is read-only")]
    ReadOnly {
        /// The property key.
        key: String,
    },
    /// The enum property does not allow this value.
    #[error("`{value}` is not a valid value for `{key}`; allowed: {}", allowed.join(", "))]
    InvalidEnumValue {
        /// The property key.
        key: String,
        /// The rejected value.
        value: String,
        /// The values that are allowed.
        allowed: Vec<String>,
    },
    /// A number is NaN, infinite or outside the property's range, or a value is otherwise bad.
    #[error("invalid value {value} for `{key}`: {reason}")]
    InvalidValue {
        /// The property key or helper name.
        key: String,
        /// The rejected value, printed.
        value: String,
        /// Why it was rejected.
        reason: String,
    },
    /// The parent/child pair is not allowed (a page inside a graphic, a fill as a child, …).
    #[error("block {child} ({child_type}) cannot be a child of {parent} ({parent_type})")]
    InvalidHierarchy {
        /// The would-be parent.
        parent: BlockId,
        /// The parent's type.
        parent_type: String,
        /// The would-be child.
        child: BlockId,
        /// The child's type.
        child_type: String,
    },
    /// Appending would nest blocks deeper than [`crate::MAX_DEPTH`].
    #[error(
        "appending {child} to {parent} would nest blocks too deep: {depth} levels, more than {max}"
    )]
    TooDeep {
        /// The would-be parent.
        parent: BlockId,
        /// The child.
        child: BlockId,
        /// The depth its deepest block would have.
        depth: usize,
        /// The limit, [`crate::MAX_DEPTH`].
        max: usize,
    },
    /// Appending would make a block its own ancestor.
    #[error("appending {child} to {parent} would create a cycle")]
    Cycle {
        /// The would-be parent.
        parent: BlockId,
        /// The would-be child (an ancestor of `parent`, or `parent` itself).
        child: BlockId,
    },
    /// The block is of the wrong kind for this call (e.g. `set_shape` with a fill block).
    #[error("block {block} is a {found}: expected {expected}")]
    WrongBlockKind {
        /// The block passed.
        block: BlockId,
        /// What the call needs.
        expected: String,
        /// The block's type.
        found: String,
    },
    /// `group` refused a block.
    #[error("block {block} cannot be grouped: {reason}")]
    NotGroupable {
        /// The block.
        block: BlockId,
        /// Why, with the state that prevents it.
        reason: String,
    },
    /// The block does not support a shape, fill or stroke.
    #[error("block {block} ({block_type}) has no {what}")]
    Unsupported {
        /// The block passed.
        block: BlockId,
        /// Its type.
        block_type: String,
        /// What it lacks: "shape", "fill", "stroke", …
        what: String,
    },
    /// The shape or fill already belongs to another block.
    #[error("{block} is already used by {owner}")]
    AlreadyOwned {
        /// The shape or fill.
        block: BlockId,
        /// The block that uses it.
        owner: BlockId,
    },
    /// An insertion index beyond the end of the children list.
    #[error("index {index} is out of range for {parent}, which has {len} children")]
    IndexOutOfRange {
        /// The parent.
        parent: BlockId,
        /// The index asked.
        index: usize,
        /// How many children the parent has.
        len: usize,
    },
    /// No scene has been created or loaded.
    #[error("there is no scene: call create_scene or load_from_string first")]
    NoScene,
    /// A scene file saved by another engine (CE.SDK) could not be read.
    #[error("CE.SDK scene: {0}")]
    ForeignScene(String),
    /// Serialized input could not be read.
    #[error("malformed scene JSON: {0}")]
    Malformed(String),
    /// Serialized input has a version this build cannot read.
    #[error("unsupported scene format version {found}; this build reads version {supported}")]
    UnsupportedVersion {
        /// The version in the input.
        found: u64,
        /// The version this build reads.
        supported: u64,
    },
}

/// Result with the scene graph's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
