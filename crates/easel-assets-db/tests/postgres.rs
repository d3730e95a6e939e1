//! The PostgreSQL backend, against a real server: `EASEL_TEST_POSTGRES_URL` (`.ci/run`
//! starts one with `.ci/postgres`). Without the URL these tests skip with a message, except
//! under CI (`CI` set), where they fail: they never skip silently there.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

mod common;

#[cfg(not(feature = "postgres"))]
#[test]
fn the_postgres_backend_is_built_for_tests() {
    assert!(
        std::env::var_os("CI").is_none(),
        "built without the `postgres` feature: the PostgreSQL tests cannot run \
         (cargo test -p easel-assets-db --features postgres)"
    );
    eprintln!("skipped: built without the `postgres` feature");
}

// The children of the crash and race tests, at the top level where the suite finds them.
#[cfg(feature = "postgres")]
#[test]
#[ignore = "run by killed_children_lose_nothing_they_were_told_was_committed"]
fn crash_child() {
    common::suite::crash_child();
}

#[cfg(feature = "postgres")]
#[test]
#[ignore = "run by two_processes_racing_conditional_updates_lose_nothing"]
fn race_child() {
    common::suite::race_child();
}

#[cfg(feature = "postgres")]
mod with_server {
    use super::common::{Db, suite};
    use easel_assets::{AssetDefinition, AssetQuery, Error as AssetError, LocalSourceOptions};
    use easel_assets_db::{Error, PostgresOptions, open_postgres, open_postgres_with};
    use std::time::{Duration, Instant};

    /// The server's URL, or `None` (after saying so) where there is none outside CI.
    fn url() -> Option<String> {
        match std::env::var("EASEL_TEST_POSTGRES_URL") {
            Ok(url) if !url.is_empty() => Some(url),
            _ if std::env::var_os("CI").is_some() => {
                panic!("CI is set but EASEL_TEST_POSTGRES_URL is not: start one with .ci/postgres")
            }
            _ => {
                eprintln!(
                    "skipped: set EASEL_TEST_POSTGRES_URL (bash .ci/postgres starts a server)"
                );
                None
            }
        }
    }

    /// A plain connection, to look at and damage the tables behind the store's back.
    fn raw(url: &str) -> postgres::Client {
        postgres::Client::connect(url, postgres::NoTls).unwrap()
    }

    /// A fresh, empty schema for one test.
    fn db(test: &str) -> Option<Db> {
        let url = url()?;
        let schema = format!("t_{test}_{}", std::process::id());
        let mut c = raw(&url);
        for s in [schema.clone(), format!("{schema}_retention")] {
            c.batch_execute(&format!("DROP SCHEMA IF EXISTS \"{s}\" CASCADE"))
                .unwrap();
        }
        Some(Db::Postgres { url, schema })
    }

    fn parts(db: &Db) -> (&str, &str) {
        match db {
            Db::Postgres { url, schema } => (url, schema),
            Db::Sqlite(_) => unreachable!(),
        }
    }

    #[test]
    fn reopening_gives_the_same_sources_options_assets_order_and_revisions() {
        if let Some(db) = db("reopen") {
            suite::reopening_keeps_everything(&db);
        }
    }

    #[test]
    fn the_audit_log_lists_every_change_with_its_actor_and_revisions() {
        if let Some(db) = db("audit") {
            suite::audit_log(&db);
        }
    }

    #[test]
    fn killed_children_lose_nothing_they_were_told_was_committed() {
        if let Some(db) = db("crash") {
            suite::crash(&db);
        }
    }

    #[test]
    fn two_processes_racing_conditional_updates_lose_nothing() {
        if let Some(db) = db("race") {
            suite::race(&db);
        }
    }

    #[test]
    fn a_subscriber_on_another_connection_hears_of_changes_within_100_ms() {
        if let Some(db) = db("events") {
            suite::propagation(&db, Duration::from_millis(100));
        }
    }

    #[test]
    fn a_failed_batch_writes_nothing() {
        if let Some(db) = db("batch") {
            suite::failed_batch(&db);
        }
    }

    #[test]
    fn replacing_all_assets_is_one_commit() {
        if let Some(db) = db("replace") {
            suite::replace_assets(&db);
        }
    }

    #[test]
    fn a_server_that_is_down_or_a_bad_url_is_a_typed_error_without_the_password() {
        let Some(_) = url() else { return };
        let e = open_postgres("postgres://easel:s3cret@127.0.0.1:1/assets", "w").unwrap_err();
        assert!(matches!(e, Error::Unavailable { .. }), "{e}");
        let text = e.to_string();
        assert!(
            text.contains("127.0.0.1:1") && text.contains("easel@"),
            "{text}"
        );
        assert!(!text.contains("s3cret"), "{text}");
        let e = open_postgres("postgres://easel:s3cret@[::1", "w").unwrap_err();
        assert!(!e.to_string().contains("s3cret"), "{e}");
        let e = open_postgres_with(
            "postgres://easel@127.0.0.1:1/assets",
            "w",
            PostgresOptions {
                schema: "no; DROP TABLE x".into(),
                ..Default::default()
            },
        )
        .unwrap_err();
        assert!(matches!(e, Error::InvalidOptions { .. }), "{e}");
        assert!(e.to_string().contains("no; DROP TABLE x"), "{e}");
    }

    #[test]
    fn a_newer_schema_and_a_disagreeing_log_refuse_to_open() {
        let Some(db) = db("version") else { return };
        let (url, schema) = parts(&db);
        {
            let s = db.open("w");
            s.add_local_source("s", LocalSourceOptions::default())
                .unwrap();
            s.add_asset_to_source("s", AssetDefinition::new("a"))
                .unwrap();
        }
        let mut c = raw(url);
        c.batch_execute(&format!(
            "UPDATE \"{schema}\".easel_assets SET revision = 7"
        ))
        .unwrap();
        let e = db.try_open("w", None).unwrap_err();
        assert!(matches!(e, Error::Inconsistent { .. }), "{e}");
        assert!(
            e.to_string().contains("revision 7") && e.to_string().contains(schema),
            "{e}"
        );
        c.batch_execute(&format!(
            "UPDATE \"{schema}\".easel_assets SET revision = 1; \
             UPDATE \"{schema}\".easel_meta SET value = '9' WHERE key = 'schema_version'"
        ))
        .unwrap();
        let e = db.try_open("w", None).unwrap_err();
        assert!(
            matches!(
                e,
                Error::UnknownSchemaVersion {
                    found: 9,
                    supported: 1,
                    ..
                }
            ),
            "{e}"
        );
        assert!(
            e.to_string().contains("version 9") && e.to_string().contains("version 1"),
            "{e}"
        );
    }

    #[test]
    fn a_lock_held_too_long_is_busy() {
        let Some(db) = db("busy") else { return };
        let (url, schema) = parts(&db);
        let store = open_postgres_with(
            url,
            "w",
            PostgresOptions {
                schema: schema.to_string(),
                busy_timeout: Duration::from_millis(100),
                ..Default::default()
            },
        )
        .unwrap();
        store
            .add_local_source("s", LocalSourceOptions::default())
            .unwrap();
        let mut other = raw(url);
        other
            .execute(
                "SELECT pg_advisory_lock(hashtext('easel-assets:' || $1::text))",
                &[&schema],
            )
            .unwrap();
        let start = Instant::now();
        let e = store
            .add_asset_to_source("s", AssetDefinition::new("a"))
            .unwrap_err();
        assert!(matches!(e, AssetError::Busy { waited_ms: 100, .. }), "{e}");
        assert!(start.elapsed() < Duration::from_secs(2), "bounded wait");
        other
            .batch_execute("SELECT pg_advisory_unlock_all()")
            .unwrap();
        store
            .add_asset_to_source("s", AssetDefinition::new("a"))
            .unwrap();
        assert_eq!(
            store.asset_count("s").unwrap(),
            Some(1),
            "nothing half-applied"
        );
    }

    #[test]
    fn a_connection_dropped_mid_batch_writes_nothing_and_the_store_reconnects() {
        let Some(db) = db("drop") else { return };
        let (url, schema) = parts(&db);
        let store = db.open("w");
        store
            .add_local_source("s", LocalSourceOptions::default())
            .unwrap();
        // Hold the assets table so the batch stops after writing its changes, then cut
        // the batch's connection from the server side.
        let mut blocker = raw(url);
        let mut hold = blocker.transaction().unwrap();
        hold.batch_execute(&format!(
            "LOCK TABLE \"{schema}\".easel_assets IN ACCESS EXCLUSIVE MODE"
        ))
        .unwrap();
        let batch = {
            let store = store.clone();
            std::thread::spawn(move || {
                store.add_assets_to_source(
                    "s",
                    (0..5000).map(|i| AssetDefinition::new(format!("a{i}"))),
                )
            })
        };
        let mut killer = raw(url);
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            let killed: i64 = killer
                .query_one(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity \
                     WHERE wait_event_type = 'Lock' AND query LIKE '%easel_assets%' AND pid <> pg_backend_pid()",
                    &[],
                )
                .unwrap()
                .get(0);
            if killed > 0 {
                break;
            }
            assert!(Instant::now() < deadline, "the batch never blocked");
            std::thread::sleep(Duration::from_millis(10));
        }
        hold.rollback().unwrap();
        let e = batch.join().unwrap().unwrap_err();
        assert!(matches!(e, AssetError::Storage { .. }), "{e}");
        assert!(e.to_string().contains(schema), "{e}");
        // Nothing of the batch, in memory or on the server.
        assert_eq!(store.asset_count("s").unwrap(), Some(0));
        let stored: i64 = killer
            .query_one(
                &format!("SELECT count(*) FROM \"{schema}\".easel_changes"),
                &[],
            )
            .unwrap()
            .get(0);
        assert_eq!(stored, 1, "only the source's change");
        // The next call reconnects.
        store
            .add_asset_to_source("s", AssetDefinition::new("after"))
            .unwrap();
        assert_eq!(db.open("check").asset_count("s").unwrap(), Some(1));
    }

    #[test]
    fn a_vanished_database_keeps_answering_from_memory_and_refuses_writes() {
        let Some(db) = db("vanish") else { return };
        let (url, schema) = parts(&db);
        let store = db.open("w");
        store
            .add_local_source("s", LocalSourceOptions::default())
            .unwrap();
        store
            .add_asset_to_source("s", AssetDefinition::new("a"))
            .unwrap();
        raw(url)
            .batch_execute(&format!("DROP SCHEMA \"{schema}\" CASCADE"))
            .unwrap();
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
        assert!(e.to_string().contains(schema), "{e}");
        assert_eq!(store.asset_count("s").unwrap(), Some(1));
    }
}
