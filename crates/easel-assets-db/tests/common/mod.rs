//! What the backend tests share: a deterministic stream of store operations that is valid by
//! construction (op `i` only needs ops `0..i` to have happened, never a look at the state),
//! and a state comparison that also checks the indexes against a full scan.
#![allow(dead_code, clippy::unwrap_used)] // each test binary uses part of it

pub mod suite;

use easel_assets::{
    AssetDefinition, AssetQuery, AssetStore, LocalSourceOptions, Result, fold_case, query_words,
};
use std::path::PathBuf;

/// The variable that tells a child process which database to open ([`Db::to_env`]).
pub const DB_ENV: &str = "EASEL_TEST_DB";

/// A database a test opens stores on.
#[derive(Clone, Debug)]
pub enum Db {
    /// A SQLite file.
    Sqlite(PathBuf),
    /// A schema of a PostgreSQL database.
    Postgres { url: String, schema: String },
}

impl Db {
    /// A store on it, its changes attributed to `actor`.
    pub fn open(&self, actor: &str) -> AssetStore {
        self.open_keeping(actor, None)
    }

    /// A store keeping only the newest `keep` changes.
    pub fn open_keeping(&self, actor: &str, keep: Option<u64>) -> AssetStore {
        self.try_open(actor, keep)
            .unwrap_or_else(|e| panic!("open {self:?}: {e}"))
    }

    pub fn try_open(&self, actor: &str, keep: Option<u64>) -> easel_assets_db::Result<AssetStore> {
        match self {
            Db::Sqlite(path) => easel_assets_db::open_sqlite_with(
                path,
                actor,
                easel_assets_db::SqliteOptions {
                    keep_changes: keep,
                    ..Default::default()
                },
            ),
            #[cfg(feature = "postgres")]
            Db::Postgres { url, schema } => easel_assets_db::open_postgres_with(
                url,
                actor,
                easel_assets_db::PostgresOptions {
                    schema: schema.clone(),
                    keep_changes: keep,
                    ..Default::default()
                },
            ),
            #[cfg(not(feature = "postgres"))]
            Db::Postgres { .. } => panic!("built without the `postgres` feature"),
        }
    }

    /// Another, empty database next to this one.
    pub fn sibling(&self, name: &str) -> Db {
        match self {
            Db::Sqlite(path) => Db::Sqlite(path.with_file_name(format!("{name}.db"))),
            Db::Postgres { url, schema } => Db::Postgres {
                url: url.clone(),
                schema: format!("{schema}_{name}"),
            },
        }
    }

    /// The database as one line, for [`DB_ENV`].
    pub fn to_env(&self) -> String {
        match self {
            Db::Sqlite(path) => format!("sqlite {}", path.display()),
            Db::Postgres { url, schema } => format!("postgres {schema} {url}"),
        }
    }

    /// The database a parent test named in [`DB_ENV`].
    pub fn from_env() -> Db {
        let line = std::env::var(DB_ENV).unwrap();
        match line.split_once(' ') {
            Some(("sqlite", path)) => Db::Sqlite(path.into()),
            Some(("postgres", rest)) => {
                let (schema, url) = rest.split_once(' ').unwrap();
                Db::Postgres {
                    url: url.into(),
                    schema: schema.into(),
                }
            }
            _ => panic!("bad {DB_ENV}: {line}"),
        }
    }
}

/// Words labels and tags are made of, and queries look for.
const WORDS: [&str; 8] = [
    "sun", "sea", "Moon", "rock", "wave", "star", "Café", "tag_1",
];

/// One store operation.
#[derive(Clone, Debug)]
pub enum Op {
    AddSource(String),
    RemoveSource(String),
    Add(String, AssetDefinition),
    Batch(String, Vec<AssetDefinition>),
    Update(String, AssetDefinition),
    UpdateIf(String, AssetDefinition, u64),
    Remove(String, String),
    RemoveIf(String, String, u64),
    ContentsChanged(String),
}

/// A small xorshift generator yielding values in `0..1`.
pub fn prng(seed: u32) -> impl FnMut() -> f64 {
    let mut state = seed.wrapping_mul(0x9e37_79b9) | 1;
    move || {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        f64::from(state) / f64::from(u32::MAX)
    }
}

fn definition(id: String, seed: u32, i: usize) -> AssetDefinition {
    let mut rnd = prng(seed ^ (i as u32).wrapping_mul(0x85eb_ca6b));
    let mut pick = || WORDS[(rnd() * WORDS.len() as f64) as usize % WORDS.len()];
    let label = format!("{} {}", pick(), pick());
    let tags = [pick(), pick()];
    AssetDefinition::new(id)
        .with_label("en", &label)
        .with_tags("en", &tags)
        .with_meta("step", i)
}

/// Op `i` of the stream `seed`: source `s` first, then rounds of five ops per asset `k`
/// (add, batch add, update, conditional update or removal, and a source-level op).
pub fn op(seed: u32, i: usize) -> Op {
    let s = || "s".to_string();
    if i == 0 {
        return Op::AddSource(s());
    }
    let (k, phase) = ((i - 1) / 5, (i - 1) % 5);
    let a = format!("a{k}");
    match phase {
        0 => Op::Add(s(), definition(a, seed, i)),
        1 => Op::Batch(
            s(),
            (0..3)
                .map(|b| definition(format!("b{k}-{b}"), seed, i * 8 + b))
                .collect(),
        ),
        2 => Op::Update(s(), definition(a, seed, i)),
        3 if k % 2 == 0 => Op::RemoveIf(s(), a, 2),
        3 => Op::UpdateIf(s(), definition(a, seed, i), 2),
        _ => match k % 7 {
            0 => Op::AddSource(format!("t{k}")),
            3 => Op::RemoveSource(format!("t{}", k - 3)),
            _ if k % 3 == 1 => Op::Remove(s(), format!("b{}-1", k - 1)),
            _ => Op::ContentsChanged(s()),
        },
    }
}

/// Performs `op` on `store`.
pub fn apply_op(store: &AssetStore, op: &Op) -> Result<()> {
    match op {
        Op::AddSource(id) => store.add_local_source(id, LocalSourceOptions::default()),
        Op::RemoveSource(id) => store.remove_source(id),
        Op::Add(source, def) => store.add_asset_to_source(source, def.clone()),
        Op::Batch(source, defs) => store.add_assets_to_source(source, defs.clone()).map(drop),
        Op::Update(source, def) => store.update_asset(source, def.clone()),
        Op::UpdateIf(source, def, rev) => store.update_asset_if(source, def.clone(), *rev),
        Op::Remove(source, id) => store.remove_asset_from_source(source, id),
        Op::RemoveIf(source, id, rev) => store.remove_asset_if(source, id, *rev),
        Op::ContentsChanged(source) => store.asset_source_contents_changed(source),
    }
}

/// The ids a full scan finds for `words` (every word in the label or a tag) and `tag`.
fn scan(assets: &[(AssetDefinition, u64)], words: &str, tag: Option<&str>) -> Vec<String> {
    let words = query_words(words);
    assets
        .iter()
        .map(|(a, _)| a)
        .filter(|a| {
            let label = a.label.get("en").map(|l| fold_case(l)).unwrap_or_default();
            let tags: Vec<String> = a
                .tags
                .get("en")
                .map(|t| t.iter().map(|t| fold_case(t)).collect())
                .unwrap_or_default();
            words
                .iter()
                .all(|w| label.contains(w.as_str()) || tags.iter().any(|t| t.contains(w.as_str())))
                && tag.is_none_or(|tag| tags.iter().any(|t| *t == fold_case(tag)))
        })
        .map(|a| a.id.to_string())
        .collect()
}

/// Asserts `got` holds exactly what `expected` holds (sources, options, assets in order,
/// revisions, last seq), and that its indexes answer like a full scan.
pub fn assert_same_state(got: &AssetStore, expected: &AssetStore, label: &str) {
    let snapshot = got.snapshot();
    assert_eq!(snapshot, expected.snapshot(), "{label}: stored state");
    for source in &snapshot.sources {
        let ids: Vec<String> = source
            .assets
            .iter()
            .map(|(a, _)| a.id.to_string())
            .collect();
        let all = AssetQuery {
            per_page: 100_000,
            ..Default::default()
        };
        let found = got.find_assets(&source.id, &all).unwrap();
        let found: Vec<String> = found.assets.iter().map(|a| a.id.to_string()).collect();
        assert_eq!(found, ids, "{label}: {} in order", source.id);
        for (a, revision) in &source.assets {
            assert_eq!(
                got.revision(&source.id, &a.id).unwrap(),
                Some(*revision),
                "{label}: {}",
                a.id
            );
        }
        for (words, tag) in [
            ("sun", None),
            ("moon sea", None),
            ("caf", Some("rock")),
            ("", Some("tag_1")),
        ] {
            let q = AssetQuery {
                query: (!words.is_empty()).then(|| words.to_string()),
                tags: tag.map(|t| vec![t.to_string()]).unwrap_or_default(),
                per_page: 100_000,
                ..Default::default()
            };
            let found = got.find_assets(&source.id, &q).unwrap();
            let found: Vec<String> = found.assets.iter().map(|a| a.id.to_string()).collect();
            assert_eq!(
                found,
                scan(&source.assets, words, tag),
                "{label}: {} query {words:?} tag {tag:?}",
                source.id
            );
        }
    }
}
