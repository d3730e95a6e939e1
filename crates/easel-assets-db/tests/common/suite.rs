//! The tests every backend passes, as functions of a [`Db`].
#![allow(dead_code)]

use super::{DB_ENV, Db, apply_op, assert_same_state, op, prng};
use easel_assets::{
    AssetDefinition, AssetQuery, AssetStore, ChangeKind, Error as AssetError, LocalSourceOptions,
};
use std::io::{BufRead, BufReader, Write};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

pub fn options() -> LocalSourceOptions {
    LocalSourceOptions {
        supported_mime_types: vec!["image/*".into()],
        credits: Some(easel_assets::Credits {
            name: "Easel".into(),
            url: Some("https://example.com".into()),
        }),
        license: None,
    }
}

/// Reopening gives the same sources, options, assets, order and revisions.
pub fn reopening_keeps_everything(db: &Db) {
    let store = db.open("w1");
    store.add_local_source("photos", options()).unwrap();
    store
        .add_local_source("colors", LocalSourceOptions::default())
        .unwrap();
    store
        .add_assets_to_source(
            "photos",
            (0..50).map(|i| {
                AssetDefinition::new(format!("p{i}"))
                    .with_label("en", &format!("Photo {i}"))
                    .with_tags("en", &["sun", "sea"])
                    .with_meta("mimeType", "image/jpeg")
                    .with_meta("rank", i)
            }),
        )
        .unwrap();
    store
        .update_asset(
            "photos",
            AssetDefinition::new("p7").with_label("en", "Seven"),
        )
        .unwrap();
    store.remove_asset_from_source("photos", "p3").unwrap();
    store
        .add_asset_to_source("colors", AssetDefinition::new("red"))
        .unwrap();
    let before = store.snapshot();
    drop(store);
    let again = db.open("w2");
    assert_eq!(again.snapshot(), before);
    assert_eq!(again.source_options("photos").unwrap(), options());
    assert_eq!(again.revision("photos", "p7").unwrap(), Some(2));
    assert_eq!(again.find_all_sources(), ["colors", "photos"]);
    let q = AssetQuery {
        query: Some("seven".into()),
        ..Default::default()
    };
    assert_eq!(again.find_assets("photos", &q).unwrap().assets[0].id, "p7");
    // Still writable, and the log continues.
    again
        .add_asset_to_source("colors", AssetDefinition::new("blue"))
        .unwrap();
    assert_eq!(again.last_seq(), before.seq + 1);
    assert!(matches!(
        again.add_asset_to_source("photos", AssetDefinition::new("p9")),
        Err(AssetError::DuplicateAsset { .. })
    ));
}

/// The audit log lists every change with its actor and revisions; retention keeps live
/// assets' definitions.
pub fn audit_log(db: &Db) {
    let w1 = db.open("worker-1");
    let w2 = w1.with_actor("worker-2");
    w1.add_local_source("s", LocalSourceOptions::default())
        .unwrap();
    w1.add_asset_to_source("s", AssetDefinition::new("a"))
        .unwrap();
    w2.update_asset_if("s", AssetDefinition::new("a").with_label("en", "v2"), 1)
        .unwrap();
    w2.asset_source_contents_changed("s").unwrap();
    w1.remove_asset_if("s", "a", 2).unwrap();
    let log = w1.changes(0, 100).unwrap();
    let summary: Vec<(ChangeKind, &str, Option<u64>, Option<u64>)> = log
        .iter()
        .map(|c| {
            (
                c.kind,
                c.actor.as_str(),
                c.revision_before,
                c.revision_after,
            )
        })
        .collect();
    assert_eq!(
        summary,
        [
            (ChangeKind::SourceAdded, "worker-1", None, None),
            (ChangeKind::AssetAdded, "worker-1", None, Some(1)),
            (ChangeKind::AssetUpdated, "worker-2", Some(1), Some(2)),
            (ChangeKind::ContentsChanged, "worker-2", None, None),
            (ChangeKind::AssetRemoved, "worker-1", Some(2), None),
        ]
    );
    assert!(
        log.windows(2)
            .all(|w| w[0].seq + 1 == w[1].seq && w[0].timestamp_ms <= w[1].timestamp_ms)
    );
    let label = log[2].definition.as_ref().and_then(|d| d.label.get("en"));
    assert_eq!(label.map(|l| l.as_str()), Some("v2"));
    let history = w2.changes_for_asset("s", "a").unwrap();
    assert_eq!(history.iter().map(|c| c.seq).collect::<Vec<_>>(), [2, 3, 5]);
    // Retention: only the newest changes, but never a live asset's definition.
    let other = db.sibling("retention");
    let trimmed = other.open_keeping("w", Some(2));
    trimmed
        .add_local_source("s", LocalSourceOptions::default())
        .unwrap();
    for i in 0..5 {
        trimmed
            .add_asset_to_source("s", AssetDefinition::new(format!("a{i}")))
            .unwrap();
    }
    for i in 1..5 {
        trimmed
            .remove_asset_from_source("s", &format!("a{i}"))
            .unwrap();
    }
    drop(trimmed);
    let reopened = other.open("w");
    assert_eq!(reopened.asset_count("s").unwrap(), Some(1));
    assert!(reopened.changes(0, 100).unwrap().len() < 10);
}

/// The ops a crashing child performs, from a seed: the parent replays them to know what a
/// store that took ops `0..n` holds.
const CRASH_SEED: u32 = 99;

/// The child of [`crash`]: applies the ops from `EASEL_CRASH_START` on, acknowledging
/// each on stdout once its call returned, until it is killed.
pub fn crash_child() {
    let start: usize = std::env::var("EASEL_CRASH_START").unwrap().parse().unwrap();
    let store = Db::from_env().open("child");
    let mut out = std::io::stdout();
    for i in start.. {
        let o = op(CRASH_SEED, i);
        // Every op is valid against the state ops 0..i leave (the generator knows it).
        apply_op(&store, &o).unwrap_or_else(|e| panic!("op {i} {o:?}: {e}"));
        writeln!(out, "ack {i}").unwrap();
        out.flush().unwrap();
    }
}

/// Children killed with SIGKILL at random moments (50 kills) lose nothing they were told
/// was committed and keep nothing of a call that had not returned; the reopened indexes
/// answer like a full scan. The test binary must have [`crash_child`] as test `crash_child`.
pub fn crash(db: &Db) {
    let mut rnd = prng(7);
    let mut applied = 0usize; // ops known to be in the database
    let mut kills = 0;
    let expected = AssetStore::new();
    while kills < 50 {
        let mut child = Command::new(std::env::current_exe().unwrap())
            .args([
                "--exact",
                "crash_child",
                "--ignored",
                "--nocapture",
                "--test-threads=1",
            ])
            .env(DB_ENV, db.to_env())
            .env("EASEL_CRASH_START", applied.to_string())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if let Some(n) = line.strip_prefix("ack ") {
                    let _ = tx.send(n.parse::<usize>().unwrap_or(0));
                }
            }
        });
        // Wait for the first ack, then kill at a random moment within the next 40 ms.
        let mut acked: Option<usize> = rx.recv_timeout(Duration::from_secs(30)).ok();
        std::thread::sleep(Duration::from_micros((rnd() * 40_000.0) as u64));
        child.kill().unwrap();
        child.wait().unwrap();
        while let Ok(n) = rx.recv_timeout(Duration::from_millis(200)) {
            acked = Some(n);
        }
        kills += 1;
        // Every acknowledged op is there; the one in flight is there entirely or not at all.
        let reopened = db.open("check");
        let told = acked.map_or(applied, |n| n + 1);
        while applied < told {
            apply_op(&expected, &op(CRASH_SEED, applied)).unwrap();
            applied += 1;
        }
        let got = reopened.snapshot();
        if got.seq != expected.snapshot().seq {
            // The op in flight committed before the kill: all of it, as the check shows.
            apply_op(&expected, &op(CRASH_SEED, applied)).unwrap();
            applied += 1;
        }
        assert_same_state(
            &reopened,
            &expected,
            &format!("after kill {kills} (op {applied})"),
        );
    }
    println!("{kills} kills, {applied} ops");
    assert!(applied > 50, "the children made progress: {applied} ops");
}

/// The child of [`race`]: 4 threads doing conditional updates until the deadline.
pub fn race_child() {
    let seconds: f64 = std::env::var("EASEL_RACE_SECONDS")
        .unwrap()
        .parse()
        .unwrap();
    let store = Db::from_env().open(&format!("race-{}", std::process::id()));
    let deadline = Instant::now() + Duration::from_secs_f64(seconds);
    let totals = std::thread::scope(|s| {
        let handles: Vec<_> = (0..4)
            .map(|t| {
                let store = store.clone();
                s.spawn(move || {
                    let mut rnd = prng(t + 1000 * std::process::id());
                    let (mut ok, mut conflicts) = (0u64, 0u64);
                    while Instant::now() < deadline {
                        let id = format!("a{}", (rnd() * 20.0) as u32 % 20);
                        let revision = store.revision("race", &id).unwrap().unwrap();
                        let def = AssetDefinition::new(id.as_str()).with_meta("by", t);
                        match store.update_asset_if("race", def, revision) {
                            Ok(()) => ok += 1,
                            Err(AssetError::Conflict { .. }) => conflicts += 1,
                            Err(AssetError::Busy { .. }) => {}
                            Err(e) => panic!("{e}"),
                        }
                    }
                    (ok, conflicts)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap())
            .fold((0, 0), |a, b| (a.0 + b.0, a.1 + b.1))
    });
    println!("totals {} {}", totals.0, totals.1);
}

/// 2 processes × 4 threads doing conditional updates of the same 20 assets (10 s, or
/// `EASEL_RACE_SECONDS`): no lost update, conflicts reported, every event delivered once
/// to a subscriber in this (a third) process, in seq order. The test binary must have
/// [`race_child`] as test `race_child`.
pub fn race(db: &Db) {
    let setup = db.open("setup");
    setup
        .add_local_source("race", LocalSourceOptions::default())
        .unwrap();
    setup
        .add_assets_to_source(
            "race",
            (0..20).map(|i| AssetDefinition::new(format!("a{i}"))),
        )
        .unwrap();
    // This process is the third: it subscribes and counts every event.
    let events = setup.subscribe();
    let from = setup.last_seq();
    let seconds = std::env::var("EASEL_RACE_SECONDS").unwrap_or_else(|_| "10".into());
    let children: Vec<_> = (0..2)
        .map(|_| {
            Command::new(std::env::current_exe().unwrap())
                .args([
                    "--exact",
                    "race_child",
                    "--ignored",
                    "--nocapture",
                    "--test-threads=1",
                ])
                .env(DB_ENV, db.to_env())
                .env("EASEL_RACE_SECONDS", &seconds)
                .stdout(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut ok = 0u64;
    let mut conflicts = 0u64;
    for child in children {
        let out = child.wait_with_output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        // The harness prints `test race_child ... ` before the child's own output.
        let totals = text
            .split("totals ")
            .nth(1)
            .unwrap_or_else(|| panic!("{text}"));
        let mut parts = totals.split_whitespace().map(|v| v.parse::<u64>().unwrap());
        ok += parts.next().unwrap();
        conflicts += parts.next().unwrap();
    }
    assert!(
        ok > 20 && conflicts > 0,
        "{ok} updates, {conflicts} conflicts"
    );
    // No lost update: the revisions add up to the successful updates.
    let check = db.open("check");
    let revisions: u64 = (0..20)
        .map(|i| check.revision("race", &format!("a{i}")).unwrap().unwrap() - 1)
        .sum();
    assert_eq!(revisions, ok, "final revisions = successful updates");
    // Every event once, in seq order, within the follower's reach.
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut seen = Vec::new();
    while (seen.len() as u64) < ok && Instant::now() < deadline {
        if let Ok(e) = events.recv_timeout(Duration::from_millis(100)) {
            seen.push(e.seq);
        }
    }
    assert_eq!(seen.len() as u64, ok, "one event per committed update");
    assert!(seen.windows(2).all(|w| w[0] < w[1]), "events in seq order");
    assert_eq!(seen.first().copied(), Some(from + 1));
    assert!(
        events.recv_timeout(Duration::from_millis(200)).is_err(),
        "no event twice"
    );
}

/// A subscriber on another connection hears of changes within `limit`, and resumes from
/// its last seen seq after a reconnect.
pub fn propagation(db: &Db, limit: Duration) {
    let a = db.open("a");
    a.add_local_source("s", LocalSourceOptions::default())
        .unwrap();
    let b = db.open("b");
    let events = b.subscribe();
    let mut worst = Duration::ZERO;
    for i in 0..20 {
        let start = Instant::now();
        a.add_asset_to_source("s", AssetDefinition::new(format!("x{i}")))
            .unwrap();
        let e = events.recv_timeout(Duration::from_secs(2)).unwrap();
        worst = worst.max(start.elapsed());
        assert_eq!(e.source_id, "s");
    }
    assert!(worst < limit, "slowest propagation {worst:?}");
    // B's indexes caught up too.
    assert_eq!(b.asset_count("s").unwrap(), Some(20));
    // Resuming after a reconnect: from the last seen seq, nothing lost or repeated.
    let last = b.last_seq();
    drop(b);
    a.add_asset_to_source("s", AssetDefinition::new("while-away"))
        .unwrap();
    let b = db.open("b");
    let resumed = b.subscribe_from(last - 1).unwrap();
    let seqs: Vec<u64> = resumed.try_iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [last, last + 1]);
}

/// A batch with one bad asset writes nothing, in memory or in the database.
pub fn failed_batch(db: &Db) {
    let store = db.open("w");
    store
        .add_local_source("s", LocalSourceOptions::default())
        .unwrap();
    store
        .add_asset_to_source("s", AssetDefinition::new("taken"))
        .unwrap();
    let batch = (0..100)
        .map(|i| AssetDefinition::new(format!("n{i}")))
        .chain([AssetDefinition::new("taken")]);
    assert!(matches!(
        store.add_assets_to_source("s", batch),
        Err(AssetError::DuplicateAsset { .. })
    ));
    assert_eq!(store.asset_count("s").unwrap(), Some(1));
    drop(store);
    let again = db.open("w");
    assert_eq!(again.asset_count("s").unwrap(), Some(1));
    assert_eq!(again.changes(0, 10).unwrap().len(), 2);
}

/// Replacing a source's assets is one commit: old ones gone, new ones at revision 1 (an id
/// may come back), the options kept, one event, and all of it after a reopen.
pub fn replace_assets(db: &Db) {
    let store = db.open("w");
    store.add_local_source("s", options()).unwrap();
    store
        .add_assets_to_source("s", ["a", "b", "c"].map(AssetDefinition::new))
        .unwrap();
    store
        .update_asset("s", AssetDefinition::new("b").with_label("en", "B2"))
        .unwrap();
    let events = store.subscribe();
    let replaced = store
        .replace_assets(
            "s",
            ["b", "d"].map(|id| AssetDefinition::new(id).with_label("en", id)),
        )
        .unwrap();
    assert_eq!(replaced, 2);
    let e = events.recv_timeout(Duration::from_secs(2)).unwrap();
    assert_eq!(e.kind, easel_assets::AssetSourceEventKind::Updated);
    assert!(
        events.recv_timeout(Duration::from_millis(100)).is_err(),
        "one event"
    );
    let bad = store.replace_assets("s", ["x", "x"].map(AssetDefinition::new));
    assert!(
        matches!(bad, Err(AssetError::DuplicateAsset { .. })),
        "{bad:?}"
    );
    drop(store);
    let again = db.open("check");
    let ids: Vec<String> = again
        .definitions("s")
        .unwrap()
        .into_iter()
        .map(|d| d.id.to_string())
        .collect();
    assert_eq!(ids, ["b", "d"]);
    assert_eq!(again.revision("s", "b").unwrap(), Some(1));
    assert_eq!(again.source_options("s").unwrap(), options());
    let kinds: Vec<ChangeKind> = again
        .changes(0, 100)
        .unwrap()
        .iter()
        .map(|c| c.kind)
        .collect();
    assert_eq!(
        kinds
            .iter()
            .filter(|k| **k == ChangeKind::AssetRemoved)
            .count(),
        3
    );
}
