//! Scene archives saved by the reference engine (`saveToArchive`): a zip holding
//! `scene.scene` and the files it references as `{{scene_root}}/…`. The files are registered
//! as buffers of this engine, so image fills and fonts inside the archive resolve without a
//! network; the archive is read within the download limit, entry by entry, and refuses
//! names that would leave it.

use crate::{Result, engine::Shared};
use base64::Engine as _;
use easel_scene::{BlockId, LoadOptions, LoadReport};
use std::io::Read;
use std::sync::atomic::{AtomicU64, Ordering};

/// The most entries an archive may have.
pub const MAX_ARCHIVE_ENTRIES: usize = 10_000;

fn bad(reason: String) -> crate::Error {
    easel_scene::Error::ForeignScene(reason).into()
}

/// Replaces CE.SDK's `{{scene_root}}` token inside a `UBQ1` scene string.
pub(crate) fn with_scene_root(scene: &str, root: &str) -> Result<String> {
    let body = scene
        .trim()
        .strip_prefix(easel_scene::CESDK_PREFIX)
        .ok_or_else(|| bad("the archive's scene.scene is not a CE.SDK scene string".into()))?;
    let json = base64::engine::general_purpose::STANDARD
        .decode(body.trim())
        .map_err(|e| bad(format!("scene.scene is not base64: {e}")))?;
    let json = String::from_utf8(json)
        .map_err(|_| bad("scene.scene is not UTF-8".into()))?
        .replace("{{scene_root}}", root.trim_end_matches('/'));
    Ok(format!(
        "{}{}",
        easel_scene::CESDK_PREFIX,
        base64::engine::general_purpose::STANDARD.encode(json)
    ))
}

/// Whether an entry name stays inside the archive: relative, no `..`, no backslashes.
fn safe_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('/')
        && !name.contains('\\')
        && !name.contains(':')
        && name.split('/').all(|part| part != "..")
}

pub(crate) fn load(
    shared: &Shared,
    bytes: &[u8],
    options: LoadOptions,
) -> Result<(BlockId, LoadReport)> {
    static NEXT: AtomicU64 = AtomicU64::new(1);
    let limit = shared.settings().max_download_bytes;
    let mut zip = zip::ZipArchive::new(std::io::Cursor::new(bytes))
        .map_err(|e| bad(format!("not a readable zip archive: {e}")))?;
    if zip.len() > MAX_ARCHIVE_ENTRIES {
        return Err(bad(format!(
            "the archive has {} entries, more than {MAX_ARCHIVE_ENTRIES}",
            zip.len()
        )));
    }
    let root = format!("buffer://archive-{}", NEXT.fetch_add(1, Ordering::Relaxed));
    let mut scene = None;
    let mut files = Vec::new();
    let mut total = 0u64;
    for i in 0..zip.len() {
        let mut entry = zip
            .by_index(i)
            .map_err(|e| bad(format!("archive entry {i} cannot be read: {e}")))?;
        let name = entry
            .name()
            .map_err(|e| bad(format!("archive entry {i} has an unreadable name: {e}")))?
            .to_string();
        if !safe_name(&name) {
            return Err(bad(format!(
                "archive entry `{name}` would be written outside the archive"
            )));
        }
        if entry.is_dir() {
            continue;
        }
        // Read at most what is left of the limit, whatever the entry declares: a zip bomb
        // stops at the limit.
        let mut data = Vec::new();
        let left = limit.saturating_sub(total);
        (&mut entry)
            .take(left + 1)
            .read_to_end(&mut data)
            .map_err(|e| {
                bad(format!(
                    "archive entry `{name}` cannot be decompressed: {e}"
                ))
            })?;
        total += data.len() as u64;
        if total > limit {
            return Err(bad(format!(
                "the archive unpacks to more than the {limit}-byte download limit (at `{name}`)"
            )));
        }
        if name == "scene.scene" {
            scene =
                Some(String::from_utf8(data).map_err(|_| bad("scene.scene is not UTF-8".into()))?);
        } else {
            files.push((name, data));
        }
    }
    let scene = scene.ok_or_else(|| bad("the archive has no scene.scene".into()))?;
    let scene = with_scene_root(&scene, &root)?;
    for (name, data) in files {
        shared
            .resources
            .register_buffer(&format!("{root}/{name}"), data);
    }
    let mut graph = shared.graph();
    Ok(graph.load_cesdk_from_string(&scene, options)?)
}
