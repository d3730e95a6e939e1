//! What a commit writes, worked out from the op and the stored state: the same rules for
//! every backend, which only answer questions about their tables ([`StoredState`]) and then
//! write the rows of the [`Plan`].

use crate::codec;
use easel_assets::{ChangeKind, Error as AssetError, Result as AssetResult, StoreOp};
use std::borrow::Cow;
use std::collections::HashSet;

/// What a backend answers about its tables, inside the commit's transaction.
pub(crate) trait StoredState {
    /// Whether a source `id` exists.
    fn source_exists(&mut self, id: &str) -> AssetResult<bool>;
    /// The revision of asset `asset` of `source`, if it exists.
    fn revision(&mut self, source: &str, asset: &str) -> AssetResult<Option<u64>>;
    /// The position the next source goes at.
    fn next_source_ord(&mut self) -> AssetResult<i64>;
    /// The position the next asset of `source` goes at.
    fn next_asset_ord(&mut self, source: &str) -> AssetResult<i64>;
    /// The ids and revisions of `source`'s assets, in order.
    fn assets_of(&mut self, source: &str) -> AssetResult<Vec<(String, u64)>>;
}

/// One change row to write; its seq is the commit's first seq plus its index.
pub(crate) struct NewChange<'a> {
    pub kind: ChangeKind,
    pub source: &'a str,
    pub asset: Option<Cow<'a, str>>,
    pub before: Option<u64>,
    pub after: Option<u64>,
    pub data: Option<String>,
}

/// One write to the sources or assets tables. `change` indexes the plan's changes: the
/// change that holds the asset's definition.
pub(crate) enum RowWrite<'a> {
    AddSource {
        id: &'a str,
        ord: i64,
        options: String,
    },
    /// Removes the source and all its assets.
    RemoveSource {
        id: &'a str,
    },
    /// A new asset at revision 1.
    AddAsset {
        source: &'a str,
        id: &'a str,
        ord: i64,
        change: usize,
    },
    SetRevision {
        source: &'a str,
        id: &'a str,
        revision: u64,
        change: usize,
    },
    RemoveAsset {
        source: &'a str,
        id: Cow<'a, str>,
    },
}

/// Everything one commit writes.
#[derive(Default)]
pub(crate) struct Plan<'a> {
    pub changes: Vec<NewChange<'a>>,
    pub writes: Vec<RowWrite<'a>>,
}

impl<'a> Plan<'a> {
    fn change(&mut self, kind: ChangeKind, source: &'a str) -> &mut NewChange<'a> {
        self.changes.push(NewChange {
            kind,
            source,
            asset: None,
            before: None,
            after: None,
            data: None,
        });
        let last = self.changes.len() - 1;
        &mut self.changes[last]
    }

    fn add_assets(
        &mut self,
        source: &'a str,
        first_ord: i64,
        assets: &'a [easel_assets::AssetDefinition],
    ) -> AssetResult<()> {
        let mut ids = HashSet::with_capacity(assets.len());
        if let Some(a) = assets.iter().find(|a| !ids.insert(a.id.as_str())) {
            return Err(AssetError::DuplicateAsset {
                source_id: source.to_string(),
                asset: a.id.to_string(),
            });
        }
        self.changes.reserve(assets.len());
        self.writes.reserve(assets.len());
        for (i, (a, json)) in assets
            .iter()
            .zip(codec::definitions_json(assets))
            .enumerate()
        {
            self.writes.push(RowWrite::AddAsset {
                source,
                id: &a.id,
                ord: first_ord + i as i64,
                change: self.changes.len(),
            });
            let c = self.change(ChangeKind::AssetAdded, source);
            c.asset = Some(Cow::Borrowed(&a.id));
            c.after = Some(1);
            c.data = Some(json);
        }
        Ok(())
    }
}

/// Checks `op` against the stored state and works out its rows. A duplicate id, a missing
/// source or asset, or a revision that moved on is an error and nothing is planned.
/// Assets of a batch that collide with stored ones are found by the backend's inserts.
pub(crate) fn plan<'a>(
    op: &'a StoreOp,
    state: &mut dyn StoredState,
    location: &str,
) -> AssetResult<Plan<'a>> {
    let mut plan = Plan::default();
    match op {
        StoreOp::AddSource {
            id,
            options,
            assets,
        } => {
            if state.source_exists(id)? {
                return Err(AssetError::DuplicateSource { id: id.clone() });
            }
            let options = codec::options_json(options);
            plan.writes.push(RowWrite::AddSource {
                id,
                ord: state.next_source_ord()?,
                options: options.clone(),
            });
            plan.change(ChangeKind::SourceAdded, id).data = Some(options);
            plan.add_assets(id, 0, assets)?;
        }
        StoreOp::RemoveSource { id } => {
            require_source(state, id)?;
            plan.writes.push(RowWrite::RemoveSource { id });
            plan.change(ChangeKind::SourceRemoved, id);
        }
        StoreOp::AddAssets { source, assets } => {
            require_source(state, source)?;
            let first = state.next_asset_ord(source)?;
            plan.add_assets(source, first, assets)?;
        }
        StoreOp::UpdateAsset {
            source,
            asset,
            expected,
        } => {
            require_source(state, source)?;
            let current = state.revision(source, &asset.id)?;
            check_expected(source, &asset.id, *expected, current)?;
            let current = current.ok_or_else(|| AssetError::AssetNotFound {
                source_id: source.clone(),
                asset: asset.id.to_string(),
            })?;
            plan.writes.push(RowWrite::SetRevision {
                source,
                id: &asset.id,
                revision: current + 1,
                change: plan.changes.len(),
            });
            let c = plan.change(ChangeKind::AssetUpdated, source);
            c.asset = Some(Cow::Borrowed(&asset.id));
            c.before = Some(current);
            c.after = Some(current + 1);
            c.data = Some(codec::definition_json(asset));
        }
        StoreOp::RemoveAsset {
            source,
            asset,
            expected,
        } => {
            require_source(state, source)?;
            let current = state.revision(source, asset)?;
            check_expected(source, asset, *expected, current)?;
            let current = current.ok_or_else(|| AssetError::AssetNotFound {
                source_id: source.clone(),
                asset: asset.clone(),
            })?;
            plan.writes.push(RowWrite::RemoveAsset {
                source,
                id: Cow::Borrowed(asset),
            });
            let c = plan.change(ChangeKind::AssetRemoved, source);
            c.asset = Some(Cow::Borrowed(asset));
            c.before = Some(current);
        }
        StoreOp::ContentsChanged { source } => {
            require_source(state, source)?;
            plan.change(ChangeKind::ContentsChanged, source);
        }
        StoreOp::ReplaceAssets { source, assets } => {
            require_source(state, source)?;
            for (id, revision) in state.assets_of(source)? {
                plan.writes.push(RowWrite::RemoveAsset {
                    source,
                    id: Cow::Owned(id.clone()),
                });
                let c = plan.change(ChangeKind::AssetRemoved, source);
                c.asset = Some(Cow::Owned(id));
                c.before = Some(revision);
            }
            let first = state.next_asset_ord(source)?;
            plan.add_assets(source, first, assets)?;
        }
        // StoreOp is non_exhaustive; this build knows every kind it defines.
        #[allow(unreachable_patterns)]
        other => {
            return Err(AssetError::Storage {
                location: location.to_string(),
                message: format!("unsupported change {other:?}"),
            });
        }
    }
    Ok(plan)
}

fn require_source(state: &mut dyn StoredState, id: &str) -> AssetResult<()> {
    match state.source_exists(id)? {
        true => Ok(()),
        false => Err(AssetError::SourceNotFound { id: id.to_string() }),
    }
}

/// The conflict of a conditional write whose expected revision is not the stored one.
fn check_expected(
    source: &str,
    asset: &str,
    expected: Option<u64>,
    actual: Option<u64>,
) -> AssetResult<()> {
    match expected {
        Some(e) if Some(e) != actual => Err(AssetError::Conflict {
            source_id: source.to_string(),
            asset: asset.to_string(),
            expected: e,
            actual,
        }),
        _ => Ok(()),
    }
}
