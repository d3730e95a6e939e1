//! The asset store: search semantics, errors, content files, events and concurrency.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

use easel_assets::{
    AssetDefinition, AssetFilter, AssetQuery, AssetSourceEventKind, AssetStore, LocalSourceOptions,
    SortingOrder,
};
use easel_assets::{Error, FacetValue};
use std::sync::{Arc, Mutex};

fn q(text: &str) -> AssetQuery {
    AssetQuery {
        query: Some(text.into()),
        ..Default::default()
    }
}

fn ids(store: &AssetStore, source: &str, query: &AssetQuery) -> Vec<String> {
    store
        .find_assets(source, query)
        .unwrap()
        .assets
        .into_iter()
        .map(|a| a.id.into_string())
        .collect()
}

fn catalog() -> AssetStore {
    let store = AssetStore::new();
    store
        .add_local_source("cat", LocalSourceOptions::default())
        .unwrap();
    let assets = [
        AssetDefinition::new("apple")
            .with_label("en", "Red Apple")
            .with_label("de", "Roter Apfel")
            .with_tags("en", &["fruit", "Red"])
            .with_tags("de", &["obst"])
            .with_groups(&["food"])
            .with_meta("color", "red")
            .with_meta("width", 1600),
        AssetDefinition::new("cafe")
            .with_label("en", "Café Crème")
            .with_tags("en", &["café"]),
        AssetDefinition::new("istanbul")
            .with_label("en", "İstanbul at night")
            .with_groups(&["city"]),
        AssetDefinition::new("strasse")
            .with_label("en", "Große Straße")
            .with_groups(&["city", "food"]),
        AssetDefinition::new("de-only")
            .with_label("de", "Nur Deutsch")
            .with_tags("de", &["deutsch"]),
        AssetDefinition::new("pie")
            .with_label("en", "Apple pie")
            .with_tags("en", &["dessert", "baked"])
            .with_groups(&["food"])
            .with_meta("color", "brown")
            .with_meta("width", 800),
        AssetDefinition::new("nogroup")
            .with_label("en", "Plain")
            .with_meta("width", 90),
    ];
    for a in assets {
        store.add_asset_to_source("cat", a).unwrap();
    }
    store
}

#[test]
fn text_query_words_match_label_or_tags_as_substrings() {
    let s = catalog();
    assert_eq!(ids(&s, "cat", &q("apple")), ["apple", "pie"]);
    assert_eq!(
        ids(&s, "cat", &q("PIE apple")),
        ["pie"],
        "order-free, case-insensitive"
    );
    assert_eq!(
        ids(&s, "cat", &q("app baked")),
        ["pie"],
        "words may match different fields"
    );
    assert_eq!(
        ids(&s, "cat", &q("nogroup")),
        Vec::<String>::new(),
        "ids are not searched"
    );
    assert_eq!(
        ids(&s, "cat", &q("brown")),
        Vec::<String>::new(),
        "meta is not searched"
    );
    assert_eq!(
        ids(&s, "cat", &q("  ")).len(),
        7,
        "no words matches everything"
    );
}

#[test]
fn unicode_words_and_full_case_folding() {
    let s = catalog();
    assert_eq!(ids(&s, "cat", &q("café")), ["cafe"]);
    assert_eq!(ids(&s, "cat", &q("CAFÉ CRÈME")), ["cafe"]);
    assert_eq!(
        ids(&s, "cat", &q("cafe")),
        Vec::<String>::new(),
        "accents are kept"
    );
    assert_eq!(ids(&s, "cat", &q("istanbul")), ["istanbul"]);
    assert_eq!(ids(&s, "cat", &q("STRASSE")), ["strasse"], "ß folds to ss");
    assert_eq!(
        ids(&s, "cat", &q("cafe\u{301}")),
        ["cafe"],
        "e + combining acute is é (NFC)"
    );
}

#[test]
fn ligatures_and_decomposed_labels_fold_like_their_letters() {
    let s = AssetStore::new();
    s.add_local_source("fold", LocalSourceOptions::default())
        .unwrap();
    for (id, label) in [
        ("office", "Oﬃce"),
        ("decomposed", "Cre\u{300}me"),
        ("greek", "ᾈδης"),
    ] {
        s.add_asset_to_source("fold", AssetDefinition::new(id).with_label("en", label))
            .unwrap();
    }
    assert_eq!(ids(&s, "fold", &q("OFFICE")), ["office"]);
    assert_eq!(ids(&s, "fold", &q("crème")), ["decomposed"]);
    assert_eq!(ids(&s, "fold", &q("ἀιδης")), ["greek"]);
}

#[test]
fn locale_resolution_falls_back_to_en_then_first() {
    let s = catalog();
    let de = AssetQuery {
        locale: Some("de".into()),
        ..q("apfel")
    };
    let r = s.find_assets("cat", &de).unwrap();
    assert_eq!(r.assets[0].label.as_deref(), Some("Roter Apfel"));
    assert_eq!(r.assets[0].tags.as_deref(), Some(&["obst".into()][..]));
    assert_eq!(r.assets[0].locale.as_deref(), Some("de"));
    assert!(
        ids(&s, "cat", &q("apfel")).is_empty(),
        "without a locale, en is used"
    );
    assert_eq!(
        ids(&s, "cat", &q("deutsch")),
        ["de-only"],
        "first present locale"
    );
    let fr = AssetQuery {
        locale: Some("fr".into()),
        ..q("red")
    };
    assert_eq!(ids(&s, "cat", &fr), ["apple"], "fr falls back to en");
}

#[test]
fn tags_groups_and_exclusions() {
    let s = catalog();
    let tags = |t: &[&str]| AssetQuery {
        tags: t.iter().map(|s| s.to_string()).collect(),
        ..Default::default()
    };
    assert_eq!(
        ids(&s, "cat", &tags(&["RED"])),
        ["apple"],
        "case-insensitive both sides"
    );
    assert_eq!(ids(&s, "cat", &tags(&["fruit", "red"])), ["apple"]);
    assert!(
        ids(&s, "cat", &tags(&["fru"])).is_empty(),
        "tags match whole"
    );
    let groups = AssetQuery {
        groups: vec!["food".into()],
        ..Default::default()
    };
    assert_eq!(
        ids(&s, "cat", &groups),
        ["apple", "cafe", "de-only", "pie", "nogroup"]
    );
    let both = AssetQuery {
        groups: vec!["food".into(), "city".into()],
        ..Default::default()
    };
    assert_eq!(ids(&s, "cat", &both).len(), 7);
    let excl = AssetQuery {
        exclude_groups: vec!["food".into()],
        ..Default::default()
    };
    assert_eq!(
        ids(&s, "cat", &excl),
        ["cafe", "istanbul", "de-only", "nogroup"]
    );
}

#[test]
fn filters_combine_and_malformed_filters_are_errors() {
    let s = catalog();
    let f = |filter: serde_json::Value| AssetQuery {
        filter: serde_json::from_value(filter).unwrap(),
        ..Default::default()
    };
    let red_or_pie = f(serde_json::json!([{"or": [
        {"property": "meta.color", "equals": "RED"},
        {"and": [{"property": "label", "contains": "pie"}, {"not": {"property": "tags", "equals": "fruit"}}]}
    ]}]));
    assert_eq!(ids(&s, "cat", &red_or_pie), ["apple", "pie"]);
    assert_eq!(
        ids(
            &s,
            "cat",
            &f(serde_json::json!([{"property": "meta.width", "equals": "1600"}]))
        ),
        ["apple"]
    );
    assert_eq!(
        ids(
            &s,
            "cat",
            &f(serde_json::json!([{"property": "groups", "equals": "CITY"}]))
        ),
        ["istanbul", "strasse"]
    );
    assert_eq!(
        ids(
            &s,
            "cat",
            &f(serde_json::json!([{"property": "id", "contains": "de-"}]))
        ),
        ["de-only"]
    );
    for bad in [
        serde_json::json!({"property": "colour", "equals": "x"}),
        serde_json::json!({"property": "meta.", "equals": "x"}),
        serde_json::json!({"property": "label", "equals": "x", "contains": "y"}),
        serde_json::json!({"property": "label"}),
        serde_json::json!({"and": "nope"}),
    ] {
        let e = AssetFilter::from_json(&bad).unwrap_err();
        assert!(matches!(e, Error::InvalidFilter(_)), "{bad}");
    }
    let typed = AssetQuery {
        filter: vec![AssetFilter::Equals {
            property: "nope".into(),
            value: "x".into(),
        }],
        ..Default::default()
    };
    let e = s.find_assets("cat", &typed).unwrap_err();
    assert!(e.to_string().contains("nope"), "{e}");
}

#[test]
fn facets_count_all_matches_by_count_then_value() {
    let s = catalog();
    let r = s
        .find_assets(
            "cat",
            &AssetQuery {
                per_page: 1,
                facets: vec!["groups".into(), "meta.color".into()],
                ..Default::default()
            },
        )
        .unwrap();
    assert_eq!(r.assets.len(), 1);
    let fv = |v: &str, c| FacetValue {
        value: v.into(),
        count: c,
    };
    assert_eq!(r.facets["groups"], [fv("food", 3), fv("city", 2)]);
    assert_eq!(r.facets["meta.color"], [fv("brown", 1), fv("red", 1)]);
    let bad = AssetQuery {
        facets: vec!["colour".into()],
        ..Default::default()
    };
    assert!(matches!(
        s.find_assets("cat", &bad),
        Err(Error::InvalidQuery { .. })
    ));
}

#[test]
fn sorting_is_stable_numeric_and_puts_missing_last() {
    let s = catalog();
    let by = |key: &str, order| AssetQuery {
        sort_key: Some(key.into()),
        sorting_order: order,
        ..Default::default()
    };
    assert_eq!(
        ids(&s, "cat", &by("width", SortingOrder::Ascending))[..3],
        ["nogroup", "pie", "apple"],
        "numeric, not text"
    );
    assert_eq!(
        ids(&s, "cat", &by("width", SortingOrder::Descending))[..3],
        ["apple", "pie", "nogroup"]
    );
    let desc = ids(&s, "cat", &by("color", SortingOrder::Descending));
    assert_eq!(
        desc,
        [
            "apple", "pie", "cafe", "istanbul", "strasse", "de-only", "nogroup"
        ]
    );
    assert_eq!(
        ids(&s, "cat", &by("id", SortingOrder::Ascending))[0],
        "apple"
    );
    assert_eq!(
        ids(&s, "cat", &by("width", SortingOrder::None))[0],
        "apple",
        "None keeps insertion order"
    );
}

#[test]
fn pagination_edges() {
    let s = catalog();
    let page = |p, n| AssetQuery {
        page: p,
        per_page: n,
        ..Default::default()
    };
    let r = s.find_assets("cat", &page(0, 3)).unwrap();
    assert_eq!((r.assets.len(), r.total, r.next_page), (3, 7, Some(1)));
    let r = s.find_assets("cat", &page(2, 3)).unwrap();
    assert_eq!((r.assets.len(), r.next_page), (1, None));
    let r = s.find_assets("cat", &page(9, 3)).unwrap();
    assert_eq!((r.assets.len(), r.total, r.current_page), (0, 7, 9));
    let r = s.find_assets("cat", &page(0, 7)).unwrap();
    assert_eq!(r.next_page, None);
    for (p, n) in [(-1, 3), (0, 0), (0, -5), (0, 10_000_000), (i64::MAX, 3)] {
        assert!(
            matches!(
                s.find_assets("cat", &page(p, n)),
                Err(Error::InvalidQuery { .. })
            ),
            "{p} {n}"
        );
    }
}

#[test]
fn errors_name_the_source_and_asset_and_change_nothing() {
    let s = catalog();
    assert!(
        matches!(s.find_assets("nope", &AssetQuery::default()), Err(Error::SourceNotFound { id }) if id == "nope")
    );
    assert!(matches!(
        s.add_local_source("cat", Default::default()),
        Err(Error::DuplicateSource { .. })
    ));
    let e = s.remove_asset_from_source("cat", "ghost").unwrap_err();
    assert_eq!(
        e.to_string(),
        "asset `ghost` does not exist in source `cat`"
    );
    assert!(matches!(
        s.add_asset_to_source("cat", AssetDefinition::new("apple")),
        Err(Error::DuplicateAsset { .. })
    ));
    assert!(matches!(
        s.add_asset_to_source("cat", AssetDefinition::new("")),
        Err(Error::InvalidAsset(_))
    ));
    assert!(matches!(
        s.update_asset("cat", AssetDefinition::new("ghost")),
        Err(Error::AssetNotFound { .. })
    ));
    assert!(matches!(
        s.remove_source("nope"),
        Err(Error::SourceNotFound { .. })
    ));
    assert!(matches!(
        s.asset_source_contents_changed("nope"),
        Err(Error::SourceNotFound { .. })
    ));
    assert_eq!(s.asset_count("cat").unwrap(), Some(7));
    s.add_local_source(
        "png",
        LocalSourceOptions {
            supported_mime_types: vec!["image/*".into()],
            ..Default::default()
        },
    )
    .unwrap();
    let pdf = AssetDefinition::new("doc").with_meta("mimeType", "application/pdf");
    assert!(matches!(
        s.add_asset_to_source("png", pdf),
        Err(Error::UnsupportedMimeType { .. })
    ));
    s.add_asset_to_source(
        "png",
        AssetDefinition::new("ok").with_meta("mimeType", "image/png"),
    )
    .unwrap();
    assert!(s.can_manage_assets("png"));
    assert!(!s.can_manage_assets("nope"));
}

#[test]
fn update_keeps_position_and_fetch_resolves_locale() {
    let s = catalog();
    s.update_asset(
        "cat",
        AssetDefinition::new("cafe").with_label("en", "Espresso"),
    )
    .unwrap();
    assert_eq!(ids(&s, "cat", &AssetQuery::default())[1], "cafe");
    assert_eq!(
        ids(&s, "cat", &q("espresso")),
        ["cafe"],
        "the text index follows updates"
    );
    assert!(ids(&s, "cat", &q("crème")).is_empty());
    let a = s.fetch_asset("cat", "apple", Some("de")).unwrap().unwrap();
    assert_eq!(a.label.as_deref(), Some("Roter Apfel"));
    assert_eq!(a.context.source_id, "cat");
    assert_eq!(
        *a.meta.get("width").unwrap(),
        1600,
        "meta keeps its JSON type"
    );
    assert!(s.fetch_asset("cat", "ghost", None).unwrap().is_none());
    // Removing and re-adding moves an asset to the end, as in the reference engine.
    s.remove_asset_from_source("cat", "apple").unwrap();
    s.add_asset_to_source(
        "cat",
        AssetDefinition::new("apple").with_label("en", "Green Apple"),
    )
    .unwrap();
    assert_eq!(ids(&s, "cat", &q("apple")), ["pie", "apple"]);
}

#[test]
fn many_removals_compact_without_losing_order() {
    let s = AssetStore::new();
    s.add_local_source("big", Default::default()).unwrap();
    let n = 5000;
    s.add_assets_to_source(
        "big",
        (0..n)
            .map(|i| AssetDefinition::new(format!("a{i}")).with_label("en", &format!("item {i}"))),
    )
    .unwrap();
    for i in (0..n).filter(|i| i % 3 != 0) {
        s.remove_asset_from_source("big", &format!("a{i}")).unwrap();
    }
    let r = s
        .find_assets(
            "big",
            &AssetQuery {
                per_page: 100_000,
                ..Default::default()
            },
        )
        .unwrap();
    let expected: Vec<String> = (0..n)
        .filter(|i| i % 3 == 0)
        .map(|i| format!("a{i}"))
        .collect();
    assert_eq!(
        r.assets.iter().map(|a| a.id.clone()).collect::<Vec<_>>(),
        expected
    );
    assert_eq!(ids(&s, "big", &q("item 4998")), ["a4998"]);
}

#[test]
fn content_files_load_and_save_round_trip() {
    let dir = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/conformance/fixtures/json-uri/content.json"
    );
    let s = AssetStore::new();
    let id = s
        .add_local_source_from_json_file(
            std::path::Path::new(dir),
            Some("https://cdn.example"),
            None,
        )
        .unwrap();
    assert_eq!(id, "json.uri.source");
    let u1 = s.fetch_asset(&id, "u1", None).unwrap().unwrap();
    assert_eq!(*u1.meta.get("uri").unwrap(), "https://cdn.example/u1.jpg");
    let saved = s.local_source_to_json_string(&id).unwrap();
    let t = AssetStore::new();
    assert_eq!(
        t.add_local_source_from_json_str(&saved, None, None)
            .unwrap(),
        id
    );
    assert_eq!(t.definitions(&id).unwrap(), s.definitions(&id).unwrap());
    let only = AssetStore::new();
    only.add_local_source_from_json_str(&saved, None, Some(&["u2"]))
        .unwrap();
    assert_eq!(ids(&only, &id, &AssetQuery::default()), ["u2"]);
    for bad in [
        "{not json",
        r#"{"assets": []}"#,
        r#"{"id": "x"}"#,
        r#"{"id": "x", "assets": [{"label": 3}]}"#,
    ] {
        assert!(
            matches!(
                s.add_local_source_from_json_str(bad, None, None),
                Err(Error::InvalidContent { .. })
            ),
            "{bad}"
        );
    }
    let missing = s.add_local_source_from_json_file(
        std::path::Path::new("/nonexistent/content.json"),
        None,
        None,
    );
    assert!(matches!(missing, Err(Error::Io { path, .. }) if path.contains("nonexistent")));
}

#[test]
fn events_are_synchronous_ordered_and_reentrant() {
    let s = AssetStore::new();
    let log = Arc::new(Mutex::new(Vec::new()));
    let (l1, l2, l3) = (log.clone(), log.clone(), log.clone());
    let store = s.clone();
    let added = s.on_asset_source_added(move |id| {
        l1.lock().unwrap().push(format!("added {id}"));
        // A callback may call back into the store.
        let n = store.find_all_sources().len();
        l1.lock().unwrap().push(format!("sources {n}"));
    });
    let updated =
        s.on_asset_source_updated(move |id| l2.lock().unwrap().push(format!("updated {id}")));
    let removed =
        s.on_asset_source_removed(move |id| l3.lock().unwrap().push(format!("removed {id}")));
    let channel = s.subscribe();
    s.add_local_source("x", Default::default()).unwrap();
    s.add_asset_to_source("x", AssetDefinition::new("a"))
        .unwrap();
    s.update_asset("x", AssetDefinition::new("a")).unwrap();
    s.remove_asset_from_source("x", "a").unwrap();
    s.asset_source_contents_changed("x").unwrap();
    s.remove_source("x").unwrap();
    assert_eq!(
        *log.lock().unwrap(),
        [
            "added x",
            "sources 1",
            "updated x",
            "updated x",
            "updated x",
            "updated x",
            "removed x"
        ]
    );
    let kinds: Vec<_> = channel.try_iter().map(|e| e.kind).collect();
    assert_eq!(kinds.len(), 6);
    assert_eq!(kinds[0], AssetSourceEventKind::Added);
    assert_eq!(kinds[5], AssetSourceEventKind::Removed);
    drop(added);
    updated.unsubscribe();
    drop(removed);
    drop(channel);
    s.add_local_source("y", Default::default()).unwrap();
    s.remove_source("y").unwrap();
    assert_eq!(
        log.lock().unwrap().len(),
        7,
        "dropped subscriptions receive nothing more"
    );
    // A failed change sends no event.
    let rx = s.subscribe();
    assert!(s.remove_source("y").is_err());
    assert!(rx.try_recv().is_err());
}

#[test]
fn eight_threads_add_update_remove_and_search_one_source() {
    let s = AssetStore::new();
    s.add_local_source("shared", Default::default()).unwrap();
    let per_thread = 500;
    std::thread::scope(|scope| {
        for t in 0..8 {
            let s = s.clone();
            scope.spawn(move || {
                for i in 0..per_thread {
                    let id = format!("t{t}-{i}");
                    s.add_asset_to_source(
                        "shared",
                        AssetDefinition::new(&id).with_label("en", &format!("t{t}x item {i}")),
                    )
                    .unwrap();
                    if i % 2 == 0 {
                        s.update_asset(
                            "shared",
                            AssetDefinition::new(&id).with_label("en", &format!("t{t}x even {i}")),
                        )
                        .unwrap();
                    }
                    if i % 5 == 0 {
                        s.remove_asset_from_source("shared", &id).unwrap();
                    }
                    if i % 50 == 0 {
                        s.find_assets("shared", &q(&format!("t{t}x"))).unwrap();
                    }
                }
            });
        }
    });
    let all = s
        .find_assets(
            "shared",
            &AssetQuery {
                per_page: 100_000,
                ..Default::default()
            },
        )
        .unwrap();
    let kept = (0..per_thread).filter(|i| i % 5 != 0).count();
    assert_eq!(all.total, 8 * kept);
    for t in 0..8 {
        let even = AssetQuery {
            per_page: 100_000,
            ..q(&format!("t{t}x even"))
        };
        let expected = (0..per_thread).filter(|i| i % 2 == 0 && i % 5 != 0).count();
        assert_eq!(
            s.find_assets("shared", &even).unwrap().total,
            expected,
            "thread {t}"
        );
    }
}

/// The search rules written out naively, for the differential test below.
mod model {
    use easel_assets::AssetDefinition;
    use easel_assets::SmallMap;
    use easel_assets::{FacetValue, fold_case, query_words};
    use std::collections::HashMap;

    fn resolve<'a, T>(map: &'a SmallMap<T>, locale: Option<&str>) -> Option<&'a T> {
        locale
            .and_then(|l| map.get(l))
            .or_else(|| map.get("en"))
            .or_else(|| map.first().map(|(_, v)| v))
    }

    /// The `tags` and `meta.color` facets over the assets `ids`.
    pub fn facets(
        assets: &[AssetDefinition],
        ids: &[String],
        locale: Option<&str>,
    ) -> [Vec<FacetValue>; 2] {
        let mut tags: HashMap<String, usize> = HashMap::new();
        let mut colors: HashMap<String, usize> = HashMap::new();
        for a in assets.iter().filter(|a| ids.iter().any(|id| *id == a.id)) {
            let mut seen = Vec::new();
            for t in resolve(&a.tags, locale).into_iter().flatten() {
                if !seen.contains(&t) {
                    seen.push(t);
                    *tags.entry(t.to_string()).or_default() += 1;
                }
            }
            if let Some(c) = a.meta_text("color") {
                *colors.entry(c).or_default() += 1;
            }
        }
        [tags, colors].map(|counts| {
            let mut v: Vec<FacetValue> = counts
                .into_iter()
                .map(|(value, count)| FacetValue { value, count })
                .collect();
            v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.value.cmp(&b.value)));
            v
        })
    }

    /// What the random test searches for.
    pub struct Search<'a> {
        pub text: &'a str,
        pub tags: &'a [String],
        pub label_contains: Option<&'a str>,
        pub color: Option<&'a str>,
        pub locale: Option<&'a str>,
        /// Sort by `meta.rank`: `Some(true)` ascending, `Some(false)` descending.
        pub rank_ascending: Option<bool>,
    }

    /// The ids matching `search`, in insertion order or sorted by rank (stable, numbers
    /// numerically when every rank in the source is a number, lacking ranks last).
    pub fn find(assets: &[AssetDefinition], search: &Search<'_>) -> Vec<String> {
        let Search {
            text,
            tags,
            label_contains,
            color,
            locale,
            rank_ascending,
        } = *search;
        let words = query_words(text);
        let tags: Vec<String> = tags.iter().map(|t| fold_case(t)).collect();
        let found: Vec<String> = assets
            .iter()
            .filter(|a| {
                let label = resolve(&a.label, locale).map_or(String::new(), |l| fold_case(l));
                let have: Vec<String> = resolve(&a.tags, locale)
                    .map_or(Vec::new(), |t| t.iter().map(|t| fold_case(t)).collect());
                words.iter().all(|w| {
                    label.contains(w.as_str()) || have.iter().any(|t| t.contains(w.as_str()))
                }) && tags.iter().all(|t| have.contains(t))
                    && label_contains.is_none_or(|c| label.contains(&fold_case(c)))
                    && color.is_none_or(|c| {
                        a.meta_text("color").map(|m| fold_case(&m)) == Some(fold_case(c))
                    })
            })
            .map(|a| a.id.to_string())
            .collect();
        let Some(ascending) = rank_ascending else {
            return found;
        };
        let numeric = assets
            .iter()
            .filter_map(|a| a.meta.get("rank"))
            .all(|v| v.is_number());
        let rank_of = |id: &str| {
            let a = assets.iter().find(|a| a.id == id)?;
            let v = a.meta.get("rank")?;
            Some((v.as_f64().filter(|_| numeric), a.meta_text("rank")?))
        };
        let (mut keyed, missing): (Vec<String>, Vec<String>) =
            found.into_iter().partition(|id| rank_of(id).is_some());
        keyed.sort_by(|a, b| {
            let (ka, kb) = (rank_of(a), rank_of(b));
            let order = match (&ka, &kb) {
                (Some((Some(x), _)), Some((Some(y), _))) => x.total_cmp(y),
                (Some((_, x)), Some((_, y))) => x.cmp(y),
                _ => std::cmp::Ordering::Equal,
            };
            if ascending { order } else { order.reverse() }
        });
        keyed.extend(missing);
        keyed
    }
}

/// Thousands of random adds, updates, removals (through compaction) and searches, each
/// search checked against the naive model: the lazily caught-up text and word indexes must
/// always answer exactly what a full scan would.
#[test]
fn indexed_search_matches_a_full_scan_through_random_changes() {
    const WORDS: [&str; 12] = [
        "Sun",
        "sunset",
        "MOON",
        "Café",
        "ÉCOLE",
        "straße",
        "tag_1",
        "rock-star",
        "İstanbul",
        "wave",
        "Ωmega",
        "x2",
    ];
    let mut seed = 0x2545_f491_u32;
    let mut next = move |n: usize| {
        seed ^= seed << 13;
        seed ^= seed >> 17;
        seed ^= seed << 5;
        seed as usize % n
    };
    let store = AssetStore::new();
    store
        .add_local_source("r", LocalSourceOptions::default())
        .unwrap();
    let mut model: Vec<AssetDefinition> = Vec::new();
    let mut created = 0;
    for step in 0..7000 {
        // The last 1,000 steps only update and search a small source, so superseded
        // texts and stale facet values pile up past the point where indexes rebuild.
        let op = match step {
            ..6000 => next(100),
            _ if next(2) == 0 => 0,
            _ => 80 + next(20),
        };
        if op < 45 || model.len() < 10 {
            // Add (sometimes as an update of an existing id).
            let words: Vec<&str> = (0..1 + next(3)).map(|_| WORDS[next(WORDS.len())]).collect();
            let tags: Vec<&str> = (0..next(4)).map(|_| WORDS[next(WORDS.len())]).collect();
            let mut def = AssetDefinition::new(format!("a{created}"))
                .with_label("en", &words.join(if next(2) == 0 { " " } else { "-" }))
                .with_tags("en", &tags)
                .with_meta("color", ["red", "Red", "blue"][next(3)]);
            // Ranks are numbers, sometimes missing, and rarely text (sorting then compares
            // text forms until the next compaction drops those assets).
            match next(40) {
                0 => def = def.with_meta("rank", format!("r{}", next(9))),
                1..=5 => {}
                _ => def = def.with_meta("rank", next(30)),
            }
            if next(4) == 0 {
                def = def.with_label("de", &format!("{} de", WORDS[next(WORDS.len())]));
            }
            if op < 8 && !model.is_empty() {
                // Often the same asset again, so indexes see repeated updates of one slot.
                let i = if next(2) == 0 {
                    model.len() - 1
                } else {
                    next(model.len())
                };
                def.id = model[i].id.clone();
                store.update_asset("r", def.clone()).unwrap();
                model[i] = def;
            } else {
                created += 1;
                store.add_asset_to_source("r", def.clone()).unwrap();
                model.push(def);
            }
        } else if op < 80 {
            let i = next(model.len());
            let gone = model.remove(i);
            store.remove_asset_from_source("r", &gone.id).unwrap();
        } else {
            // Search with a piece of a word, in any case, maybe with a tag and a filter.
            let word = WORDS[next(WORDS.len())];
            let chars: Vec<char> = word.chars().collect();
            let from = next(chars.len());
            let piece: String = chars[from..from + 1 + next(chars.len() - from)]
                .iter()
                .collect();
            let text = if next(2) == 0 {
                piece.to_uppercase()
            } else {
                piece
            };
            let tags: Vec<String> = (0..next(2))
                .map(|_| WORDS[next(WORDS.len())].into())
                .collect();
            let label = (next(4) == 0).then(|| WORDS[next(WORDS.len())].to_lowercase());
            let locale = ["en", "de"].get(next(3)).copied();
            let color = (next(3) == 0).then_some("red");
            let rank_ascending = [Some(true), Some(false)].get(next(4)).copied().flatten();
            // Sometimes no text at all, so sorting and filters see every asset.
            let text = if next(4) == 0 { String::new() } else { text };
            let mut filter: Vec<AssetFilter> = label
                .iter()
                .map(|l| AssetFilter::Contains {
                    property: "label".into(),
                    value: l.clone(),
                })
                .collect();
            filter.extend(color.map(|c| AssetFilter::Equals {
                property: "meta.color".into(),
                value: c.into(),
            }));
            let query = AssetQuery {
                query: Some(text.clone()),
                tags: tags.clone(),
                filter,
                locale: locale.map(Into::into),
                sort_key: rank_ascending.map(|_| "rank".into()),
                sorting_order: match rank_ascending {
                    Some(true) => SortingOrder::Ascending,
                    Some(false) => SortingOrder::Descending,
                    None => SortingOrder::None,
                },
                per_page: 100_000,
                ..Default::default()
            };
            let search = model::Search {
                text: &text,
                tags: &tags,
                label_contains: label.as_deref(),
                color: color.map(|_| "red"),
                locale,
                rank_ascending,
            };
            let expected = model::find(&model, &search);
            assert_eq!(ids(&store, "r", &query), expected, "step {step}: {query:?}");
            if next(4) == 0 {
                let with_facets = AssetQuery {
                    facets: vec!["tags".into(), "meta.color".into()],
                    ..query
                };
                let found = store.find_assets("r", &with_facets).unwrap();
                let expected = model::facets(&model, &expected, locale);
                assert_eq!(
                    found.facets["tags"], expected[0],
                    "step {step}: {with_facets:?}"
                );
                assert_eq!(found.facets["meta.color"], expected[1], "step {step}");
            }
        }
        // Bulk removals now and then drive the source through compaction.
        if step % 1500 == 1499 {
            while model.len() > 20 {
                let gone = model.remove(next(model.len()));
                store.remove_asset_from_source("r", &gone.id).unwrap();
            }
        }
    }
    assert_eq!(store.asset_count("r").unwrap(), Some(model.len()));
}
