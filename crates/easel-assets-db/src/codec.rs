//! How changes are written into database rows, and read back.

use easel_assets::{
    AssetDefinition, Change, ChangeKind, Error, LocalSourceOptions, Result, Snapshot, StoredSource,
};
use std::collections::HashMap;

/// The name a change kind is stored under.
pub(crate) fn kind_name(kind: ChangeKind) -> &'static str {
    match kind {
        ChangeKind::SourceAdded => "sourceAdded",
        ChangeKind::SourceRemoved => "sourceRemoved",
        ChangeKind::AssetAdded => "assetAdded",
        ChangeKind::AssetUpdated => "assetUpdated",
        ChangeKind::AssetRemoved => "assetRemoved",
        ChangeKind::ContentsChanged => "contentsChanged",
    }
}

pub(crate) fn kind_of(name: &str, location: &str) -> Result<ChangeKind> {
    Ok(match name {
        "sourceAdded" => ChangeKind::SourceAdded,
        "sourceRemoved" => ChangeKind::SourceRemoved,
        "assetAdded" => ChangeKind::AssetAdded,
        "assetUpdated" => ChangeKind::AssetUpdated,
        "assetRemoved" => ChangeKind::AssetRemoved,
        "contentsChanged" => ChangeKind::ContentsChanged,
        other => {
            return Err(Error::Storage {
                location: location.to_string(),
                message: format!("unknown change kind `{other}` in the log"),
            });
        }
    })
}

pub(crate) fn definition_json(def: &AssetDefinition) -> String {
    // A definition is plain data; serialising it cannot fail.
    serde_json::to_string(def).unwrap_or_default()
}

/// The JSON of many definitions, on every core for large batches.
pub(crate) fn definitions_json(defs: &[AssetDefinition]) -> Vec<String> {
    const PER_THREAD: usize = 4096;
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(defs.len() / PER_THREAD)
        .max(1);
    if threads == 1 {
        return defs.iter().map(definition_json).collect();
    }
    let chunk = defs.len().div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = defs
            .chunks(chunk)
            .map(|part| s.spawn(move || part.iter().map(definition_json).collect::<Vec<_>>()))
            .collect();
        // A serialising thread cannot panic (plain data); if one did, serialise here.
        let mut out = Vec::with_capacity(defs.len());
        for (part, handle) in defs.chunks(chunk).zip(parts) {
            match handle.join() {
                Ok(json) => out.extend(json),
                Err(_) => out.extend(part.iter().map(definition_json)),
            }
        }
        out
    })
}

pub(crate) fn options_json(options: &LocalSourceOptions) -> String {
    serde_json::to_string(options).unwrap_or_default()
}

pub(crate) fn definition(json: &str, location: &str, seq: u64) -> Result<AssetDefinition> {
    serde_json::from_str(json).map_err(|e| Error::Storage {
        location: location.to_string(),
        message: format!("change {seq}: stored definition does not parse: {e}"),
    })
}

pub(crate) fn options(json: &str, location: &str, seq: u64) -> Result<LocalSourceOptions> {
    serde_json::from_str(json).map_err(|e| Error::Storage {
        location: location.to_string(),
        message: format!("change {seq}: stored source options do not parse: {e}"),
    })
}

/// A change row's columns, as both backends read them.
pub(crate) struct Row {
    pub seq: u64,
    pub commit: u64,
    pub timestamp_ms: u64,
    pub actor: String,
    pub kind: String,
    pub source: String,
    pub asset: Option<String>,
    pub revision_before: Option<u64>,
    pub revision_after: Option<u64>,
    pub data: Option<String>,
}

impl Row {
    pub fn into_change(self, location: &str) -> Result<Change> {
        let kind = kind_of(&self.kind, location)?;
        let mut c = Change::new(kind, &self.source);
        c.seq = self.seq;
        c.commit = self.commit;
        c.timestamp_ms = self.timestamp_ms;
        c.actor = self.actor;
        c.asset = self.asset;
        c.revision_before = self.revision_before;
        c.revision_after = self.revision_after;
        match (kind, &self.data) {
            (ChangeKind::AssetAdded | ChangeKind::AssetUpdated, Some(d)) => {
                c.definition = Some(definition(d, location, self.seq)?);
            }
            (ChangeKind::SourceAdded, Some(d)) => c.options = Some(options(d, location, self.seq)?),
            _ => {}
        }
        Ok(c)
    }
}

/// An asset row joined with the change row its definition is in (`None`s when no change
/// has that seq).
pub(crate) struct AssetRow {
    pub source: String,
    pub id: String,
    pub revision: u64,
    pub seq: u64,
    pub change_source: Option<String>,
    pub change_asset: Option<String>,
    pub change_revision: Option<u64>,
    pub change_kind: Option<String>,
    pub data: Option<String>,
    /// The asset's position: the snapshot orders each source's assets by it.
    pub ord: i64,
}

/// Builds a [`Snapshot`] from the rows, refusing any that disagree with the log.
pub(crate) struct SnapshotBuilder<'l> {
    location: &'l str,
    sources: Vec<StoredSource>,
    /// The position of each source's assets, as added.
    positions: Vec<Vec<i64>>,
    index: HashMap<String, usize>,
}

impl<'l> SnapshotBuilder<'l> {
    pub fn new(location: &'l str) -> Self {
        SnapshotBuilder {
            location,
            sources: Vec::new(),
            positions: Vec::new(),
            index: HashMap::new(),
        }
    }

    fn inconsistent(&self, message: String) -> Error {
        Error::Storage {
            location: self.location.to_string(),
            message,
        }
    }

    /// Adds the next source (in order).
    pub fn source(&mut self, id: String, options_json: &str) -> Result<()> {
        let options = options(options_json, self.location, 0)?;
        self.index.insert(id.clone(), self.sources.len());
        self.positions.push(Vec::new());
        self.sources.push(StoredSource {
            id,
            options,
            assets: Vec::new(),
        });
        Ok(())
    }

    /// Adds the next asset of its source (in order), checked against its change.
    pub fn asset(&mut self, row: AssetRow) -> Result<()> {
        let AssetRow {
            source,
            id,
            revision,
            seq,
            ..
        } = &row;
        let agrees = row.change_source.as_deref() == Some(source.as_str())
            && row.change_asset.as_deref() == Some(id.as_str())
            && row.change_revision == Some(*revision)
            && matches!(
                row.change_kind.as_deref(),
                Some("assetAdded" | "assetUpdated")
            );
        let (Some(data), true) = (&row.data, agrees) else {
            return Err(self.inconsistent(format!(
                "asset `{id}` of source `{source}` is at revision {revision}, but change {seq} \
                 of the log does not record that"
            )));
        };
        let Some(&slot) = self.index.get(source) else {
            return Err(self.inconsistent(format!(
                "asset `{id}` belongs to source `{source}`, which does not exist"
            )));
        };
        let def = definition(data, self.location, *seq)?;
        if def.id != *id {
            return Err(
                self.inconsistent(format!("change {seq} holds asset `{}`, not `{id}`", def.id))
            );
        }
        self.positions[slot].push(row.ord);
        self.sources[slot].assets.push((def, *revision));
        Ok(())
    }

    pub fn finish(mut self, seq: u64) -> Snapshot {
        for (source, positions) in self.sources.iter_mut().zip(&self.positions) {
            // Usually in order already (rows read by position, or only updates moved).
            if !positions.is_sorted() {
                let mut placed: Vec<_> = positions.iter().zip(source.assets.drain(..)).collect();
                placed.sort_by_key(|(ord, _)| **ord);
                source.assets = placed.into_iter().map(|(_, a)| a).collect();
            }
        }
        Snapshot {
            sources: self.sources,
            seq,
        }
    }
}
