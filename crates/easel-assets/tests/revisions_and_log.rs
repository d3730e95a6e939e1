//! Revisions, conditional writes, the change log and resumable event streams of the
//! in-memory store (the durable backends are tested in `easel-assets-db`).
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

use easel_assets::{
    AssetDefinition, AssetSourceEventKind, AssetStore, ChangeKind, DEFAULT_CHANGE_LOG_CAPACITY,
    Error, LocalSourceOptions,
};

fn store() -> AssetStore {
    let s = AssetStore::in_memory(DEFAULT_CHANGE_LOG_CAPACITY);
    s.add_local_source("src", LocalSourceOptions::default())
        .unwrap();
    s
}

#[test]
fn revisions_start_at_one_and_count_updates() {
    let s = store();
    s.add_asset_to_source("src", AssetDefinition::new("a"))
        .unwrap();
    assert_eq!(s.revision("src", "a").unwrap(), Some(1));
    s.update_asset("src", AssetDefinition::new("a").with_label("en", "x"))
        .unwrap();
    s.update_asset("src", AssetDefinition::new("a").with_label("en", "y"))
        .unwrap();
    let r = s.fetch_asset("src", "a", None).unwrap().unwrap();
    assert_eq!(r.revision, 3);
    let found = s.find_assets("src", &Default::default()).unwrap();
    assert_eq!(
        found.assets[0].revision, 3,
        "query results carry the revision"
    );
    assert_eq!(s.revision("src", "nope").unwrap(), None);
}

#[test]
fn conditional_writes_fail_with_a_conflict_and_change_nothing() {
    let s = store();
    s.add_asset_to_source("src", AssetDefinition::new("a"))
        .unwrap();
    s.update_asset_if("src", AssetDefinition::new("a").with_label("en", "one"), 1)
        .unwrap();
    let stale = s.update_asset_if("src", AssetDefinition::new("a").with_label("en", "two"), 1);
    assert_eq!(
        stale,
        Err(Error::Conflict {
            source_id: "src".into(),
            asset: "a".into(),
            expected: 1,
            actual: Some(2)
        })
    );
    assert!(stale.unwrap_err().to_string().contains("revision 2, not 1"));
    let label = s.fetch_asset("src", "a", None).unwrap().unwrap().label;
    assert_eq!(label.as_deref(), Some("one"));
    assert!(matches!(
        s.remove_asset_if("src", "a", 1),
        Err(Error::Conflict {
            actual: Some(2),
            ..
        })
    ));
    s.remove_asset_if("src", "a", 2).unwrap();
    assert!(matches!(
        s.remove_asset_if("src", "a", 2),
        Err(Error::Conflict { actual: None, .. })
    ));
}

#[test]
fn batches_are_all_or_nothing() {
    let s = store();
    s.add_asset_to_source("src", AssetDefinition::new("taken"))
        .unwrap();
    let batch = vec![AssetDefinition::new("x"), AssetDefinition::new("taken")];
    assert!(matches!(
        s.add_assets_to_source("src", batch),
        Err(Error::DuplicateAsset { .. })
    ));
    assert_eq!(
        s.asset_count("src").unwrap(),
        Some(1),
        "nothing of the batch was added"
    );
    let twice = vec![AssetDefinition::new("y"), AssetDefinition::new("y")];
    assert!(s.add_assets_to_source("src", twice).is_err());
    assert_eq!(
        s.add_assets_to_source("src", vec![AssetDefinition::new("z")])
            .unwrap(),
        1
    );
}

#[test]
fn the_log_records_every_change_with_actor_and_revisions() {
    let s = store().with_actor("worker-3");
    s.add_asset_to_source("src", AssetDefinition::new("a"))
        .unwrap();
    s.update_asset("src", AssetDefinition::new("a").with_label("en", "v2"))
        .unwrap();
    s.asset_source_contents_changed("src").unwrap();
    s.remove_asset_from_source("src", "a").unwrap();
    let log = s.changes(0, 100).unwrap();
    let kinds: Vec<ChangeKind> = log.iter().map(|c| c.kind).collect();
    assert_eq!(
        kinds,
        [
            ChangeKind::SourceAdded,
            ChangeKind::AssetAdded,
            ChangeKind::AssetUpdated,
            ChangeKind::ContentsChanged,
            ChangeKind::AssetRemoved
        ]
    );
    assert_eq!(
        log.iter().map(|c| c.seq).collect::<Vec<_>>(),
        [1, 2, 3, 4, 5]
    );
    assert_eq!(log[0].actor, "local", "the first handle's default actor");
    assert!(log[1..].iter().all(|c| c.actor == "worker-3"));
    assert_eq!(
        (log[2].revision_before, log[2].revision_after),
        (Some(1), Some(2))
    );
    assert_eq!(
        log[2]
            .definition
            .as_ref()
            .and_then(|d| d.label.get("en"))
            .map(|l| l.as_str()),
        Some("v2")
    );
    assert_eq!(log[4].revision_before, Some(2));
    let history = s.changes_for_asset("src", "a").unwrap();
    assert_eq!(history.len(), 3);
    assert_eq!(s.changes(3, 1).unwrap()[0].seq, 4);
}

#[test]
fn a_bounded_log_says_when_changes_are_gone() {
    let s = AssetStore::in_memory(3);
    s.add_local_source("src", LocalSourceOptions::default())
        .unwrap();
    for i in 0..5 {
        s.add_asset_to_source("src", AssetDefinition::new(format!("a{i}")))
            .unwrap();
    }
    assert_eq!(s.changes(3, 10).unwrap().len(), 3);
    assert!(matches!(
        s.changes(0, 10),
        Err(Error::ChangesGone {
            since: 0,
            oldest: 4
        })
    ));
    assert!(s.subscribe_from(1).is_err());
}

#[test]
fn subscribers_resume_from_a_seq_without_gaps_or_repeats() {
    let s = store();
    s.add_asset_to_source("src", AssetDefinition::new("a"))
        .unwrap();
    s.add_asset_to_source("src", AssetDefinition::new("b"))
        .unwrap();
    let resumed = s.subscribe_from(2).unwrap();
    s.add_asset_to_source("src", AssetDefinition::new("c"))
        .unwrap();
    let seqs: Vec<u64> = resumed.try_iter().map(|e| e.seq).collect();
    assert_eq!(seqs, [3, 4], "the missed change, then the new one");
    // A batch is one commit: one event carrying its last seq.
    let live = s.subscribe();
    s.add_assets_to_source(
        "src",
        (0..10).map(|i| AssetDefinition::new(format!("n{i}"))),
    )
    .unwrap();
    let events: Vec<_> = live.try_iter().collect();
    assert_eq!(events.len(), 1);
    assert_eq!(
        (events[0].kind, events[0].seq),
        (AssetSourceEventKind::Updated, 14)
    );
}

#[test]
fn a_plain_in_memory_store_numbers_changes_but_keeps_no_log() {
    let s = AssetStore::new();
    s.add_local_source("src", LocalSourceOptions::default())
        .unwrap();
    let events = s.subscribe();
    s.add_asset_to_source("src", AssetDefinition::new("a"))
        .unwrap();
    assert_eq!(events.try_recv().unwrap().seq, 2);
    assert_eq!(s.last_seq(), 2);
    assert!(matches!(
        s.changes(0, 10),
        Err(Error::ChangesGone { since: 0, .. })
    ));
    assert!(
        s.changes(2, 10).unwrap().is_empty(),
        "nothing after the last seq"
    );
    assert!(
        s.subscribe_from(2).is_ok(),
        "resuming from now needs no log"
    );
}

#[test]
fn replacing_all_assets_swaps_them_at_once() {
    let s = store();
    s.add_assets_to_source("src", ["a", "b"].map(AssetDefinition::new))
        .unwrap();
    s.update_asset("src", AssetDefinition::new("a").with_label("en", "A2"))
        .unwrap();
    let events = s.subscribe();
    assert_eq!(
        s.replace_assets("src", ["a", "c"].map(AssetDefinition::new))
            .unwrap(),
        2
    );
    let ids: Vec<String> = s
        .definitions("src")
        .unwrap()
        .into_iter()
        .map(|d| d.id.to_string())
        .collect();
    assert_eq!(ids, ["a", "c"]);
    assert_eq!(s.revision("src", "a").unwrap(), Some(1), "a new asset");
    let e = events.try_recv().unwrap();
    assert_eq!(e.kind, AssetSourceEventKind::Updated);
    assert!(events.try_recv().is_err(), "one event");
    // One commit: two removals then two adds, numbered together.
    let log = s.changes(e.seq - 4, 10).unwrap();
    assert!(log.iter().all(|c| c.commit == log[0].commit), "{log:?}");
    // A rejected replacement changes nothing.
    let bad = s.replace_assets("src", [AssetDefinition::new("z"), AssetDefinition::new("")]);
    assert!(bad.is_err());
    assert_eq!(s.asset_count("src").unwrap(), Some(2));
    assert!(matches!(
        s.replace_assets("nope", []),
        Err(Error::SourceNotFound { .. })
    ));
}
