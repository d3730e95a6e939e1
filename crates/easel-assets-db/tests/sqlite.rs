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
    let raw = rusqlite_connection(&path);
    raw.execute_batch("UPDATE assets SET revision = 7").unwrap();
    drop(raw);
    let e = open_sqlite(&path, "w").unwrap_err();
    assert!(matches!(e, Error::Inconsistent { .. }), "{e}");
    assert!(e.to_string().contains("revision 7"), "{e}");
    let raw = rusqlite_connection(&path);
    raw.execute_batch("UPDATE assets SET revision = 1; UPDATE easel_meta SET value = '9' WHERE key = 'schema_version'")
        .unwrap();
    drop(raw);
    let e = open_sqlite(&path, "w").unwrap_err();
    assert_eq!(
        e,
        Error::UnknownSchemaVersion {
            location: path.display().to_string(),
            found: 9,
            supported: 1
        }
    );
    assert!(e.to_string().contains("version 9") && e.to_string().contains("version 1"));
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
