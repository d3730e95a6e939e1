use serde::{Deserialize, Serialize};
use std::fmt;

/// A generational handle to a block.
///
/// The index is reused after a block is destroyed, but the generation is not, so a stale id
/// never aliases a newer block: using it yields [`crate::Error::UnknownBlock`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct BlockId {
    pub(crate) index: u32,
    pub(crate) generation: u32,
}

impl BlockId {
    /// The slot index of this block (stable for the block's lifetime).
    pub fn index(self) -> u32 {
        self.index
    }

    /// The generation of the slot when this block was created.
    pub fn generation(self) -> u32 {
        self.generation
    }
}

/// A block's `uuid`: random (version 4), new for every block created, copied or loaded, as
/// in the reference engine. Drawn from the process's random hasher keys and a counter, so no
/// two blocks of a process share one.
pub(crate) fn new_uuid() -> u128 {
    use std::hash::{BuildHasher, Hasher};
    use std::sync::OnceLock;
    use std::sync::atomic::{AtomicU64, Ordering};
    static KEYS: OnceLock<std::collections::hash_map::RandomState> = OnceLock::new();
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let keys = KEYS.get_or_init(std::collections::hash_map::RandomState::new);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let half = |salt: u64| {
        let mut h = keys.build_hasher();
        h.write_u64(n);
        h.write_u64(salt);
        h.finish()
    };
    let bits = (u128::from(half(0)) << 64) | u128::from(half(1));
    // Version 4, variant 10xx.
    (bits & !(0xf << 76) & !(0x3 << 62)) | (0x4 << 76) | (0x2 << 62)
}

/// A uuid as the reference writes it: `xxxxxxxx-xxxx-4xxx-yxxx-xxxxxxxxxxxx`, lower case.
pub(crate) fn format_uuid(u: u128) -> String {
    let hex = format!("{u:032x}");
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl fmt::Display for BlockId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "#{}v{}", self.index, self.generation)
    }
}
