//! Workload data for Easel's benchmarks, generated deterministically so other engines can
//! regenerate exactly the same assets and shapes: a mulberry32 PRNG, a 200-word vocabulary,
//! assets (seed 42) and shapes (seed 7), exactly as `docs/benchmarks.md` specifies.
//!
//! The harness binary (`cargo run --release -p easel-bench`) runs the standard workloads;
//! the criterion benches under `benches/` use the same data. This crate is not a library
//! for embedding.

use easel::{AssetDefinition, AssetFilter, AssetQuery, SortingOrder};

pub mod peer;

/// The mulberry32 PRNG with 32-bit wrapping arithmetic.
#[derive(Clone, Debug)]
pub struct Mulberry32 {
    state: u32,
}

impl Mulberry32 {
    /// A generator seeded with `seed`.
    pub fn new(seed: u32) -> Self {
        Mulberry32 { state: seed }
    }

    /// The next number in `[0, 1)`.
    pub fn next_f64(&mut self) -> f64 {
        self.state = self.state.wrapping_add(0x6D2B_79F5);
        let mut t = self.state;
        t = (t ^ (t >> 15)).wrapping_mul(t | 1);
        t ^= t.wrapping_add((t ^ (t >> 7)).wrapping_mul(t | 61));
        (t ^ (t >> 14)) as f64 / 4_294_967_296.0
    }
}

const SYLLABLES: [&str; 10] = [
    "sun", "moon", "star", "tree", "rock", "wave", "fire", "leaf", "snow", "rain",
];
const COLORS: [&str; 4] = ["red", "green", "blue", "yellow"];

/// Word `i` of the 200-word vocabulary: `syllable[i % 10] + syllable[(i / 10) % 10] + i`.
pub fn word(i: usize) -> String {
    format!("{}{}{i}", SYLLABLES[i % 10], SYLLABLES[(i / 10) % 10])
}

/// Assets `0..n` (seed 42, one PRNG shared in this order): label `{pick} {pick} {i}`, tags
/// `[pick, pick, pick, tag{i % 50}]`, meta `uri`, `mimeType`, `rank` (5 digits), `color`.
pub fn assets(n: usize) -> Vec<AssetDefinition> {
    let vocabulary: Vec<String> = (0..200).map(word).collect();
    let mut r = Mulberry32::new(42);
    let pick = |r: &mut Mulberry32| vocabulary[(r.next_f64() * 200.0) as usize].clone();
    (0..n)
        .map(|i| {
            let label = format!("{} {} {i}", pick(&mut r), pick(&mut r));
            let tags = [
                pick(&mut r),
                pick(&mut r),
                pick(&mut r),
                format!("tag{}", i % 50),
            ];
            let rank = format!("{:05}", (r.next_f64() * 100_000.0) as u32);
            let tags: Vec<&str> = tags.iter().map(String::as_str).collect();
            AssetDefinition::new(format!("asset-{i}"))
                .with_label("en", &label)
                .with_tags("en", &tags)
                .with_meta("uri", format!("https://example.com/img/{i}.jpg"))
                .with_meta("mimeType", "image/jpeg")
                .with_meta("rank", rank)
                .with_meta("color", COLORS[i % 4])
        })
        .collect()
}

/// The shape kind of generated shape `i`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ShapeKind {
    /// `rect`.
    Rect,
    /// `ellipse`.
    Ellipse,
    /// `star`.
    Star,
}

impl ShapeKind {
    /// The shape type name for `create_shape`.
    pub fn name(self) -> &'static str {
        match self {
            ShapeKind::Rect => "rect",
            ShapeKind::Ellipse => "ellipse",
            ShapeKind::Star => "star",
        }
    }
}

/// One generated shape: a square of side `size` at (`x`, `y`) with a grey-ish colour.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shape {
    /// Left edge.
    pub x: f32,
    /// Top edge.
    pub y: f32,
    /// Side length.
    pub size: f32,
    /// Rect, ellipse or star by `i % 3`.
    pub kind: ShapeKind,
    /// RGB in `[0, 1)`, opaque.
    pub rgb: [f32; 3],
}

/// Shapes `0..n` on an 800×600 page (seed 7): `s = 6 + r·24`, `x = r·(800 − s)`,
/// `y = r·(600 − s)`, colour `(r, r, r)`, drawn from the PRNG in exactly this order.
pub fn shapes(n: usize) -> Vec<Shape> {
    let mut r = Mulberry32::new(7);
    (0..n)
        .map(|i| {
            let s = 6.0 + r.next_f64() * 24.0;
            let x = r.next_f64() * (800.0 - s);
            let y = r.next_f64() * (600.0 - s);
            let rgb = [
                r.next_f64() as f32,
                r.next_f64() as f32,
                r.next_f64() as f32,
            ];
            let kind = [ShapeKind::Rect, ShapeKind::Ellipse, ShapeKind::Star][i % 3];
            Shape {
                x: x as f32,
                y: y as f32,
                size: s as f32,
                kind,
                rgb,
            }
        })
        .collect()
}

/// The word the text-query workloads search for: vocabulary word 17.
pub fn query_word() -> String {
    word(17)
}

/// The standard asset queries, by workload name, for a source of `n` assets.
pub fn asset_queries(n: usize) -> Vec<(&'static str, AssetQuery)> {
    let base = AssetQuery {
        page: 0,
        per_page: 100,
        ..Default::default()
    };
    let last_page = n.saturating_sub(1) / 100;
    vec![
        ("asset.find.all", base.clone()),
        (
            "asset.find.query",
            AssetQuery {
                query: Some(query_word()),
                ..base.clone()
            },
        ),
        (
            "asset.find.query-miss",
            AssetQuery {
                query: Some("zzzzzz".into()),
                ..base.clone()
            },
        ),
        (
            "asset.find.tags",
            AssetQuery {
                tags: vec!["tag7".into()],
                ..base.clone()
            },
        ),
        (
            "asset.find.sortKey",
            AssetQuery {
                sort_key: Some("rank".into()),
                sorting_order: SortingOrder::Ascending,
                ..base.clone()
            },
        ),
        (
            "asset.find.query+sortKey",
            AssetQuery {
                query: Some(query_word()),
                sort_key: Some("rank".into()),
                sorting_order: SortingOrder::Descending,
                ..base.clone()
            },
        ),
        (
            "asset.find.filter",
            AssetQuery {
                filter: vec![AssetFilter::And(vec![
                    AssetFilter::Equals {
                        property: "meta.color".into(),
                        value: "red".into(),
                    },
                    AssetFilter::Contains {
                        property: "label".into(),
                        value: "sun".into(),
                    },
                ])],
                ..base.clone()
            },
        ),
        (
            "asset.find.page-last",
            AssetQuery {
                page: last_page as i64,
                ..base
            },
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn vocabulary_matches_the_spec() {
        // The prose calls word 17 `leafsun17`, but its formula gives `leafmoon17`;
        // the formula is what reproduces its published counts (query 2,590, filter 8,580).
        assert_eq!(word(17), "leafmoon17");
        assert_eq!(word(0), "sunsun0");
        assert_eq!(word(199), "rainrain199");
    }

    #[test]
    fn mulberry32_matches_the_reference_sequence() {
        // First outputs of mulberry32(42), as JavaScript computes them.
        let mut r = Mulberry32::new(42);
        let first: Vec<f64> = (0..3).map(|_| r.next_f64()).collect();
        assert!((first[0] - 0.6011037519201636).abs() < 1e-12, "{first:?}");
    }
}

/// Runs the counting part of the asset workloads: `(workload, total, returned)` for a fresh
/// local source of `n` generated assets.
pub fn asset_counts(n: usize) -> easel::Result<Vec<(&'static str, usize, usize)>> {
    let store = easel::AssetStore::new();
    store.add_local_source("bench", Default::default())?;
    store.add_assets_to_source("bench", assets(n))?;
    asset_queries(n)
        .into_iter()
        .map(|(name, q)| {
            let r = store.find_assets("bench", &q)?;
            Ok((name, r.total, r.assets.len()))
        })
        .collect()
}

#[cfg(test)]
mod count_tests {
    #[test]
    fn asset_workload_counts_are_the_published_ones() {
        let counts = super::asset_counts(100_000).unwrap();
        let get = |name: &str| {
            counts
                .iter()
                .find(|c| c.0 == name)
                .map(|c| (c.1, c.2))
                .unwrap()
        };
        assert_eq!(get("asset.find.all"), (100_000, 100));
        assert_eq!(get("asset.find.query"), (2_590, 100));
        assert_eq!(get("asset.find.query-miss"), (0, 0));
        assert_eq!(get("asset.find.tags"), (2_000, 100));
        assert_eq!(get("asset.find.sortKey"), (100_000, 100));
        assert_eq!(get("asset.find.query+sortKey"), (2_590, 100));
        assert_eq!(get("asset.find.filter"), (8_580, 100));
        assert_eq!(get("asset.find.page-last"), (100_000, 100));
        // Same answers every run.
        assert_eq!(
            super::asset_counts(1_000).unwrap(),
            super::asset_counts(1_000).unwrap()
        );
    }
}
