//! Asset-store micro-benchmarks over local sources of 1k, 10k, 100k and 1M generated assets
//! (label, 3 tags + 1, 4 meta fields): adding them, the standard queries, facets, removing
//! 1,000, updating 1,000 (then one sorted query) and fetching by id.
//!
//! `cargo bench -p easel-bench --bench assets` (set `EASEL_BENCH_MAX=100000` to skip 1M).

#![allow(clippy::unwrap_used)] // benchmarks fail loudly on setup errors

use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use easel::{AssetQuery, AssetStore};
use std::hint::black_box;
use std::time::Duration;

fn store_with(n: usize) -> AssetStore {
    let store = AssetStore::new();
    store.add_local_source("bench", Default::default()).unwrap();
    store
        .add_assets_to_source("bench", easel_bench::assets(n))
        .unwrap();
    store
}

fn benches(c: &mut Criterion) {
    let max: usize = std::env::var("EASEL_BENCH_MAX")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1_000_000);
    let sizes: Vec<usize> = [1_000, 10_000, 100_000, 1_000_000]
        .into_iter()
        .filter(|n| *n <= max)
        .collect();
    let mut group = c.benchmark_group("assets");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(3))
        .warm_up_time(Duration::from_millis(500));
    for &n in &sizes {
        let data = easel_bench::assets(n);
        group.bench_with_input(BenchmarkId::new("add all", n), &n, |b, _| {
            b.iter_batched(
                || data.clone(),
                |data| {
                    let store = AssetStore::new();
                    store.add_local_source("bench", Default::default()).unwrap();
                    store.add_assets_to_source("bench", data).unwrap();
                    store
                },
                BatchSize::PerIteration,
            )
        });
        let store = store_with(n);
        for (name, query) in easel_bench::asset_queries(n) {
            // Warm the lazily built indexes, as a server answering many queries has them.
            store.find_assets("bench", &query).unwrap();
            group.bench_with_input(BenchmarkId::new(name, n), &n, |b, _| {
                b.iter(|| black_box(store.find_assets("bench", &query).unwrap()))
            });
        }
        let two_words = AssetQuery {
            query: Some(format!(
                "{} {}",
                easel_bench::word(17),
                easel_bench::word(3)
            )),
            ..Default::default()
        };
        store.find_assets("bench", &two_words).unwrap();
        group.bench_with_input(BenchmarkId::new("two-word query", n), &n, |b, _| {
            b.iter(|| black_box(store.find_assets("bench", &two_words).unwrap()))
        });
        let facets = AssetQuery {
            facets: vec!["tags".into(), "meta.color".into()],
            ..Default::default()
        };
        group.bench_with_input(BenchmarkId::new("facets tags+meta.color", n), &n, |b, _| {
            b.iter(|| black_box(store.find_assets("bench", &facets).unwrap()))
        });
        group.bench_with_input(BenchmarkId::new("fetch by id", n), &n, |b, _| {
            let id = format!("asset-{}", n / 2);
            b.iter(|| black_box(store.fetch_asset("bench", &id, None).unwrap()))
        });
        // Steady state for a server that edits and searches in turns: every index warm,
        // then 1,000 updates (new label and rank) and one sorted query that merges them in.
        let sorted = AssetQuery {
            sort_key: Some("rank".into()),
            sorting_order: easel::SortingOrder::Ascending,
            ..Default::default()
        };
        store.find_assets("bench", &sorted).unwrap();
        let mut round = 0u32;
        group.bench_with_input(
            BenchmarkId::new("update 1000 + sorted query", n),
            &n,
            |b, _| {
                b.iter(|| {
                    round += 1;
                    for i in (0..n).step_by((n / 1000).max(1)).take(1000) {
                        let asset = easel::AssetDefinition::new(format!("asset-{i}"))
                            .with_label("en", &format!("edited {round} {i}"))
                            .with_meta("rank", format!("{:05}", (i as u32 * 7 + round) % 100_000));
                        store.update_asset("bench", asset).unwrap();
                    }
                    black_box(store.find_assets("bench", &sorted).unwrap())
                })
            },
        );
        if (10_000..=100_000).contains(&n) {
            group.bench_with_input(BenchmarkId::new("remove 1000", n), &n, |b, _| {
                b.iter_batched(
                    || store_with(n),
                    |s| {
                        for i in (0..n).step_by(n / 1000).take(1000) {
                            s.remove_asset_from_source("bench", &format!("asset-{i}"))
                                .unwrap();
                        }
                        s
                    },
                    BatchSize::PerIteration,
                )
            });
        }
    }
    group.finish();
}

criterion_group!(assets, benches);
criterion_main!(assets);
