//! Query validation and result shapes as the reference engine (CE.SDK 1.79) has them. Each
//! test quotes what the reference answered to the same query on the same three assets
//! (`a1` with label, tags, credits, license and utm; `a2` with meta only; `a3` with an empty
//! label and empty tags).
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

use easel_assets::{
    AssetDefinition, AssetQuery, AssetStore, Error, LocalSourceOptions, SortingOrder,
};
use serde_json::{Value, json};

fn store() -> AssetStore {
    let store = AssetStore::new();
    store
        .add_local_source("s", LocalSourceOptions::default())
        .unwrap();
    let defs = [
        json!({"id": "a1", "label": {"en": "Apple"}, "tags": {"en": ["fruit"]},
               "meta": {"uri": "https://x/a.png", "color": "red", "rank": "2"},
               "credits": {"name": "Ann", "url": "https://ann"}, "license": {"name": "CC0"},
               "utm": {"source": "src", "medium": "med"}}),
        json!({"id": "a2", "meta": {"uri": "https://x/b.png", "color": "blue", "rank": "1"}}),
        json!({"id": "a3", "label": {"en": ""}, "tags": {"en": []}, "meta": {"uri": "https://x/c.png"}}),
    ];
    for d in defs {
        let def: AssetDefinition = serde_json::from_value(d).unwrap();
        store.add_asset_to_source("s", def).unwrap();
    }
    store
}

fn query(v: Value) -> std::result::Result<AssetQuery, String> {
    let mut q = json!({"page": 0, "perPage": 10});
    for (k, val) in v.as_object().unwrap() {
        q[k] = val.clone();
    }
    serde_json::from_value(q).map_err(|e| e.to_string())
}

fn find(store: &AssetStore, v: Value) -> std::result::Result<Vec<String>, String> {
    let q = query(v)?;
    store
        .find_assets("s", &q)
        .map(|r| r.assets.into_iter().map(|a| a.id.into_string()).collect())
        .map_err(|e| e.to_string())
}

#[test]
fn empty_combinators_are_errors() {
    // Reference: "Asset filter 'and' must have at least one child." (and likewise 'or').
    let s = store();
    for name in ["and", "or"] {
        let e = find(&s, json!({"filter": [{name: []}]})).unwrap_err();
        assert!(
            e.contains(&format!("`{name}` needs at least one filter")),
            "{e}"
        );
    }
    // Built in code, the same filter is refused by the store.
    let q = AssetQuery {
        filter: vec![easel_assets::AssetFilter::Or(Vec::new())],
        ..Default::default()
    };
    let e = s.find_assets("s", &q).unwrap_err();
    assert!(matches!(e, Error::InvalidFilter(_)), "{e:?}");
}

#[test]
fn a_predicate_takes_exactly_one_discriminator_and_one_operand() {
    // Reference: "Asset filter has multiple discriminators; specify exactly one of
    // 'property', 'and', 'or', 'not'." and "Asset property filter must have exactly one of
    // 'contains' or 'equals'."
    let s = store();
    let both =
        json!({"and": [{"property": "id", "equals": "a1"}], "property": "label", "contains": "x"});
    let e = find(&s, json!({"filter": [both]})).unwrap_err();
    assert!(e.contains("several discriminators (property, and)"), "{e}");
    let e = find(
        &s,
        json!({"filter": [{"and": [{"property": "id", "equals": "a1"}], "not": {"property": "id", "equals": "a1"}}]}),
    )
    .unwrap_err();
    assert!(e.contains("several discriminators (and, not)"), "{e}");
    let e = find(
        &s,
        json!({"filter": [{"property": "label", "contains": "a", "equals": "Apple"}]}),
    )
    .unwrap_err();
    assert!(e.contains("both `contains` and `equals`"), "{e}");
}

#[test]
fn labels_and_ids_are_not_facetable() {
    // Reference: "Asset property 'label' is not facetable. Use 'tags', 'groups', or
    // 'meta.<key>'." (and for 'id'); tags and meta.color facet normally.
    let s = store();
    for facet in ["label", "id"] {
        let q = query(json!({"facets": [facet]})).unwrap();
        let e = s.find_assets("s", &q).unwrap_err().to_string();
        assert!(
            e.contains(facet) && e.contains("`tags`, `groups` or `meta.<key>`"),
            "{e}"
        );
    }
    let q = query(json!({"facets": ["tags", "meta.color"]})).unwrap();
    let r = s.find_assets("s", &q).unwrap();
    assert_eq!(r.facets["tags"].len(), 1);
    assert_eq!(r.facets["meta.color"].len(), 2);
}

#[test]
fn sorting_follows_the_reference() {
    // Reference: Descending without a sort key → [a3, a2, a1] (insertion order reversed);
    // sort key "id" descending → [a3, a2, a1]; "rank" ascending → [a2, a1, a3] (assets
    // without the key last); an unknown key → "Sort key not found in asset source."
    let s = store();
    assert_eq!(
        find(&s, json!({"sortingOrder": "Descending"})).unwrap(),
        ["a3", "a2", "a1"]
    );
    assert_eq!(
        find(&s, json!({"sortingOrder": "Ascending"})).unwrap(),
        ["a1", "a2", "a3"]
    );
    assert_eq!(
        find(&s, json!({"sortingOrder": "Descending", "sortKey": "id"})).unwrap(),
        ["a3", "a2", "a1"]
    );
    assert_eq!(
        find(&s, json!({"sortingOrder": "Ascending", "sortKey": "rank"})).unwrap(),
        ["a2", "a1", "a3"]
    );
    for order in [SortingOrder::Ascending, SortingOrder::Descending] {
        let q = AssetQuery {
            sort_key: Some("nope".into()),
            sorting_order: order,
            ..Default::default()
        };
        let e = s.find_assets("s", &q).unwrap_err().to_string();
        assert!(
            e.contains("nope") && e.contains("no asset of source `s`"),
            "{e}"
        );
    }
}

#[test]
fn results_leave_out_empty_fields_and_keep_attribution() {
    // Reference results: a1 carries label, tags, context.sourceId, credits, license and utm;
    // a2 and a3 carry neither label nor tags (a3's are empty), and no result echoes an
    // empty or absent locale.
    let s = store();
    for locale in [json!(""), Value::Null] {
        let mut q = json!({"page": 0, "perPage": 10});
        if !locale.is_null() {
            q["locale"] = locale;
        }
        let q: AssetQuery = serde_json::from_value(q).unwrap();
        let r = s.find_assets("s", &q).unwrap();
        let v = serde_json::to_value(&r.assets).unwrap();
        assert_eq!(v[0]["label"], "Apple");
        assert_eq!(v[0]["tags"], json!(["fruit"]));
        assert_eq!(v[0]["context"]["sourceId"], "s");
        assert_eq!(
            v[0]["credits"],
            json!({"name": "Ann", "url": "https://ann"})
        );
        assert_eq!(v[0]["license"]["name"], "CC0");
        assert_eq!(v[0]["utm"], json!({"source": "src", "medium": "med"}));
        for i in 0..3 {
            assert!(v[i].get("locale").is_none(), "{}", v[i]);
        }
        for i in 1..3 {
            assert!(
                v[i].get("label").is_none() && v[i].get("tags").is_none(),
                "{}",
                v[i]
            );
            assert!(v[i].get("credits").is_none(), "{}", v[i]);
        }
    }
    // A source's own credits still show on assets without their own.
    let s2 = AssetStore::new();
    s2.add_local_source(
        "c",
        LocalSourceOptions {
            credits: Some(easel_assets::Credits {
                name: "Source".into(),
                url: None,
            }),
            ..Default::default()
        },
    )
    .unwrap();
    s2.add_asset_to_source("c", AssetDefinition::new("x"))
        .unwrap();
    let r = s2.find_assets("c", &AssetQuery::default()).unwrap();
    assert_eq!(r.assets[0].credits.as_ref().unwrap().name, "Source");
}

#[test]
fn a_custom_sources_results_carry_its_id() {
    // Reference: a custom source returning `{id: 'c1', meta}` (no context) gives results
    // with `context.sourceId` = the source's id.
    struct Custom;
    impl easel_assets::AssetSource for Custom {
        fn id(&self) -> &str {
            "custom"
        }
        fn find_assets(
            &self,
            _: &AssetQuery,
        ) -> easel_assets::Result<easel_assets::AssetQueryResult> {
            Ok(easel_assets::AssetQueryResult {
                assets: vec![easel_assets::AssetResult {
                    id: "c1".into(),
                    ..Default::default()
                }],
                total: 1,
                ..Default::default()
            })
        }
    }
    let s = AssetStore::new();
    s.add_source(Box::new(Custom)).unwrap();
    let r = s.find_assets("custom", &AssetQuery::default()).unwrap();
    assert_eq!(r.assets[0].context.source_id, "custom");
}
