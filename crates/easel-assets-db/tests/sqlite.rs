//! The SQLite backend: the shared suite (restarts, crashes with SIGKILL, processes racing,
//! events across processes, the audit trail) and the bad inputs only a file has.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

mod common;

use common::{Db, suite};
use easel_assets::{AssetDefinition, AssetQuery, Error as AssetError, LocalSourceOptions};
use easel_assets_db::{Error, SqliteOptions, open_sqlite, open_sqlite_with};
use std::time::{Duration, Instant};

/// A fresh database file (removed with the returned directory).
fn db() -> (tempfile::TempDir, Db) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("assets.db");
    (dir, Db::Sqlite(path))
}

#[test]
fn reopening_gives_the_same_sources_options_assets_order_and_revisions() {
    suite::reopening_keeps_everything(&db().1);
}

#[test]
fn the_audit_log_lists_every_change_with_its_actor_and_revisions() {
    suite::audit_log(&db().1);
}

#[test]
#[ignore = "run by killed_children_lose_nothing_they_were_told_was_committed"]
fn crash_child() {
    suite::crash_child();
}

#[test]
fn killed_children_lose_nothing_they_were_told_was_committed() {
    suite::crash(&db().1);
}

#[test]
#[ignore = "run by two_processes_racing_conditional_updates_lose_nothing"]
fn race_child() {
    suite::race_child();
}

#[test]
fn two_processes_racing_conditional_updates_lose_nothing() {
    suite::race(&db().1);
}

#[test]
fn a_subscriber_in_another_process_hears_of_changes_within_100_ms() {
    suite::propagation(&db().1, Duration::from_millis(100));
}

#[test]
fn a_failed_batch_writes_nothing() {
    suite::failed_batch(&db().1);
}

#[test]
fn replacing_all_assets_is_one_commit() {
    suite::replace_assets(&db().1);
}

#[test]
fn bad_files_are_typed_errors_naming_the_path() {
    let dir = tempfile::tempdir().unwrap();
    let text = dir.path().join("notes.txt");
    std::fs::write(
        &text,
        "this is not a database, just some text that is long enough",
    )
    .unwrap();
    let e = open_sqlite(&text, "w").unwrap_err();
    assert!(matches!(e, Error::NotADatabase { .. }), "{e}");
    assert!(e.to_string().contains("notes.txt"), "{e}");
    // A database truncated in the middle of its pages.
    let db = dir.path().join("t.db");
    {
        let s = open_sqlite(&db, "w").unwrap();
        s.add_local_source("s", LocalSourceOptions::default())
            .unwrap();
        s.add_assets_to_source(
            "s",
            (0..2000)
                .map(|i| AssetDefinition::new(format!("a{i}")).with_label("en", "some label text")),
        )
        .unwrap();
    }
    // The store's last connection may still be closing on its own thread (closing
    // checkpoints the WAL into the file): wait until SQLite has removed the WAL, so nothing
    // writes the file after it is cut.
    let wal = dir.path().join("t.db-wal");
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while wal.exists() && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    let _ = std::fs::remove_file(&wal);
    let _ = std::fs::remove_file(dir.path().join("t.db-shm"));
    let bytes = std::fs::read(&db).unwrap();
    std::fs::write(&db, &bytes[..bytes.len() / 2]).unwrap();
    let e = open_sqlite(&db, "w").unwrap_err();
    assert!(
        matches!(e, Error::Inconsistent { .. } | Error::NotADatabase { .. }),
        "{e}"
    );
    assert!(e.to_string().contains("t.db"), "{e}");
    // A directory, and a place nothing can be created (sysfs is read-only, even for root).
    let e = open_sqlite(dir.path(), "w").unwrap_err();
    assert!(
        e.to_string().contains(&dir.path().display().to_string()),
        "{e}"
    );
    if cfg!(target_os = "linux") {
        let e = open_sqlite("/sys/easel-assets-test.db", "w").unwrap_err();
        assert!(e.to_string().contains("/sys/easel-assets-test.db"), "{e}");
    }
}

#[test]
fn a_newer_schema_and_a_disagreeing_log_refuse_to_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v.db");
    {
        let s = open_sqlite(&path, "w").unwrap();
        s.add_local_source("s", LocalSourceOptions::default())
            .unwrap();
        s.add_asset_to_source("s", AssetDefinition::new("a"))
            .unwrap();
    }
    // The change log is the assets table: a live change that is not an asset's definition,
    // or a live asset of a source that is gone, disagrees with the rest of the log.
    let raw = rusqlite_connection(&path);
    raw.execute_batch("UPDATE changes SET kind = 'assetRemoved' WHERE asset = 'a'")
        .unwrap();
    drop(raw);
    let e = open_sqlite(&path, "w").unwrap_err();
    assert!(matches!(e, Error::Inconsistent { .. }), "{e}");
    assert!(
        e.to_string().contains("asset `a` of source `s`") && e.to_string().contains("change 2"),
        "{e}"
    );
    let raw = rusqlite_connection(&path);
    raw.execute_batch(
        "UPDATE changes SET kind = 'assetAdded' WHERE asset = 'a'; DELETE FROM sources",
    )
    .unwrap();
    drop(raw);
    let e = open_sqlite(&path, "w").unwrap_err();
    assert!(matches!(e, Error::Inconsistent { .. }), "{e}");
    assert!(
        e.to_string().contains("source `s`, which does not exist"),
        "{e}"
    );
    let raw = rusqlite_connection(&path);
    raw.execute_batch(
        "INSERT INTO sources (id, ord, options) VALUES ('s', 0, '{}'); \
         UPDATE easel_meta SET value = '9' WHERE key = 'schema_version'",
    )
    .unwrap();
    drop(raw);
    let e = open_sqlite(&path, "w").unwrap_err();
    assert_eq!(
        e,
        Error::UnknownSchemaVersion {
            location: path.display().to_string(),
            found: 9,
            supported: easel_assets_db::SQLITE_SCHEMA_VERSION,
        }
    );
    assert!(e.to_string().contains("version 9") && e.to_string().contains("version 2"));
    let raw = rusqlite_connection(&path);
    raw.execute_batch("UPDATE easel_meta SET value = '2' WHERE key = 'schema_version'")
        .unwrap();
    drop(raw);
    let s = open_sqlite(&path, "w").unwrap();
    assert_eq!(s.asset_count("s").unwrap(), Some(1), "repaired, it opens");
}

/// What schema version 1 (Easel 0.1's files) wrote: live assets in a table of their own,
/// each naming the change that holds its definition, ordered by `ord`.
const SCHEMA_1: &str = "
CREATE TABLE easel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE sources (id TEXT PRIMARY KEY, ord INTEGER NOT NULL, options TEXT NOT NULL);
CREATE TABLE assets (ord INTEGER PRIMARY KEY, source TEXT NOT NULL, id TEXT NOT NULL,
    revision INTEGER NOT NULL, seq INTEGER NOT NULL);
CREATE UNIQUE INDEX assets_id ON assets (source, id);
CREATE TABLE changes (seq INTEGER PRIMARY KEY, commit_seq INTEGER NOT NULL, ts INTEGER NOT NULL,
    actor TEXT NOT NULL, kind TEXT NOT NULL, source TEXT NOT NULL, asset TEXT,
    rev_before INTEGER, rev_after INTEGER, data TEXT);
CREATE INDEX changes_asset ON changes (source, asset) WHERE asset IS NOT NULL;
INSERT INTO easel_meta VALUES ('schema_version', '1');
INSERT INTO sources VALUES ('s', 0, '{}'), ('t', 1, '{}');
-- s: a, b, c added; a updated (it keeps its place); b removed; d added. t: x.
INSERT INTO changes VALUES
    (1, 1, 1000, 'old', 'sourceAdded', 's', NULL, NULL, NULL, '{}'),
    (2, 2, 1001, 'old', 'assetAdded', 's', 'a', NULL, 1, '{\"id\":\"a\"}'),
    (3, 2, 1001, 'old', 'assetAdded', 's', 'b', NULL, 1, '{\"id\":\"b\"}'),
    (4, 2, 1001, 'old', 'assetAdded', 's', 'c', NULL, 1, '{\"id\":\"c\"}'),
    (5, 5, 1002, 'old', 'assetUpdated', 's', 'a', 1, 2, '{\"id\":\"a\",\"label\":{\"en\":\"A\"}}'),
    (6, 6, 1003, 'old', 'assetRemoved', 's', 'b', 1, NULL, NULL),
    (7, 7, 1004, 'old', 'sourceAdded', 't', NULL, NULL, NULL, '{}'),
    (8, 8, 1005, 'old', 'assetAdded', 't', 'x', NULL, 1, '{\"id\":\"x\"}'),
    (9, 9, 1006, 'old', 'assetAdded', 's', 'd', NULL, 1, '{\"id\":\"d\"}');
INSERT INTO assets VALUES (0, 's', 'a', 2, 5), (2, 's', 'c', 1, 4), (3, 't', 'x', 1, 8),
    (4, 's', 'd', 1, 9);
";

fn ids(store: &easel_assets::AssetStore, source: &str) -> Vec<String> {
    let query = AssetQuery {
        per_page: 100,
        ..Default::default()
    };
    let found = store.find_assets(source, &query).unwrap();
    found.assets.iter().map(|a| a.id.to_string()).collect()
}

#[test]
fn a_version_1_file_is_upgraded_in_place_and_keeps_everything() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    rusqlite_connection(&path).execute_batch(SCHEMA_1).unwrap();
    let store = open_sqlite(&path, "new").unwrap();
    assert_eq!(ids(&store, "s"), ["a", "c", "d"]);
    assert_eq!(ids(&store, "t"), ["x"]);
    let a = store
        .find_assets("s", &AssetQuery::default())
        .unwrap()
        .assets;
    assert_eq!((a[0].revision, a[0].label.as_deref()), (2, Some("A")));
    let history: Vec<u64> = store
        .changes_for_asset("s", "b")
        .unwrap()
        .iter()
        .map(|c| c.seq)
        .collect();
    assert_eq!(history, [3, 6], "a removed asset's history survives");
    // New assets go last; an updated migrated asset keeps its place; its id may come back.
    store
        .add_asset_to_source("s", AssetDefinition::new("b"))
        .unwrap();
    store
        .update_asset("s", AssetDefinition::new("c").with_label("en", "C"))
        .unwrap();
    assert_eq!(ids(&store, "s"), ["a", "c", "d", "b"]);
    let e = store
        .add_asset_to_source("s", AssetDefinition::new("a"))
        .unwrap_err();
    assert!(matches!(e, AssetError::DuplicateAsset { .. }), "{e}");
    drop(store);
    let store = open_sqlite(&path, "new").unwrap();
    assert_eq!(ids(&store, "s"), ["a", "c", "d", "b"]);
    let log = store.changes(0, 100).unwrap();
    assert_eq!(log.len(), 11);
    let stamps: Vec<(u64, &str)> = log
        .iter()
        .map(|c| (c.timestamp_ms, c.actor.as_str()))
        .collect();
    assert_eq!(stamps[..3], [(1000, "old"), (1001, "old"), (1001, "old")]);
    assert_eq!(stamps[9].1, "new");
    let raw = rusqlite_connection(&path);
    let version: String = raw
        .query_row(
            "SELECT value FROM easel_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    assert_eq!(version, "2");
}

#[test]
fn a_disagreeing_version_1_file_is_refused_and_left_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v1.db");
    let raw = rusqlite_connection(&path);
    raw.execute_batch(SCHEMA_1).unwrap();
    raw.execute_batch("UPDATE assets SET revision = 7 WHERE id = 'c'")
        .unwrap();
    drop(raw);
    let e = open_sqlite(&path, "w").unwrap_err();
    assert!(matches!(e, Error::Inconsistent { .. }), "{e}");
    assert!(
        e.to_string()
            .contains("asset `c` of source `s` is at revision 7")
            && e.to_string().contains("version 1"),
        "{e}"
    );
    let raw = rusqlite_connection(&path);
    let (version, assets): (String, i64) = raw
        .query_row(
            "SELECT value, (SELECT COUNT(*) FROM assets) FROM easel_meta \
             WHERE key = 'schema_version'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((version.as_str(), assets), ("1", 4));
}

/// A plain connection, to damage a database behind the store's back.
fn rusqlite_connection(path: &std::path::Path) -> rusqlite::Connection {
    rusqlite::Connection::open(path).unwrap()
}

#[test]
fn a_lock_held_too_long_is_busy_and_a_vanished_file_refuses_writes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("l.db");
    let store = open_sqlite_with(
        &path,
        "w",
        SqliteOptions {
            busy_timeout: Duration::from_millis(100),
            ..Default::default()
        },
    )
    .unwrap();
    store
        .add_local_source("s", LocalSourceOptions::default())
        .unwrap();
    let other = rusqlite_connection(&path);
    other.execute_batch("BEGIN IMMEDIATE").unwrap();
    let start = Instant::now();
    let e = store
        .add_asset_to_source("s", AssetDefinition::new("a"))
        .unwrap_err();
    assert!(matches!(e, AssetError::Busy { waited_ms: 100, .. }), "{e}");
    assert!(start.elapsed() < Duration::from_secs(2), "bounded retry");
    other.execute_batch("ROLLBACK").unwrap();
    store
        .add_asset_to_source("s", AssetDefinition::new("a"))
        .unwrap();
    assert_eq!(
        store.asset_count("s").unwrap(),
        Some(1),
        "nothing half-applied"
    );
    // The file goes away: queries answer from memory, writes fail.
    std::fs::remove_file(&path).unwrap();
    assert_eq!(
        store
            .find_assets("s", &AssetQuery::default())
            .unwrap()
            .total,
        1
    );
    let e = store
        .add_asset_to_source("s", AssetDefinition::new("b"))
        .unwrap_err();
    assert!(matches!(e, AssetError::Storage { .. }), "{e}");
    assert!(e.to_string().contains("l.db"), "{e}");
    assert_eq!(store.asset_count("s").unwrap(), Some(1));
}

#[test]
fn the_write_ahead_log_is_copied_into_the_file_while_the_store_is_open() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("w.db");
    let store = open_sqlite(&path, "w").unwrap();
    store
        .add_local_source("s", LocalSourceOptions::default())
        .unwrap();
    let batch = (0..40_000).map(|i| {
        AssetDefinition::new(format!("asset-{i}")).with_label("en", &format!("label {i}"))
    });
    store.add_assets_to_source("s", batch).unwrap();
    // The commit leaves its pages in the write-ahead log (over 1,000 of them); the store's
    // checkpoint thread copies them into the database file while the store stays open.
    let deadline = Instant::now() + Duration::from_secs(10);
    let len = || std::fs::metadata(&path).unwrap().len();
    while len() < 2 << 20 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(10));
    }
    assert!(len() >= 2 << 20, "the file holds {} bytes", len());
    assert_eq!(store.asset_count("s").unwrap(), Some(40_000));
}
