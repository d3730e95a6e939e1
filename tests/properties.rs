//! Property-style checks with a seeded generator, bounded to a few seconds: random scenes
//! (random blocks, properties — valid or not — and hierarchy edits) and random queries.
//! Nothing panics; every accepted scene saves, loads and saves again to the same text, and
//! exports or returns a typed error. `EASEL_WRITE_FUZZ_SEEDS=1` also writes the scenes it
//! builds as seeds for the `scene_json` fuzz target.

use easel::{
    AssetDefinition, AssetFilter, AssetQuery, Color, Engine, EngineConfig, ExportOptions,
    PropertyValue, SceneLayout, SortingOrder,
};

/// xorshift64*: small, fast, reproducible.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn float(&mut self) -> f32 {
        match self.below(10) {
            0 => f32::NAN,
            1 => -1e9,
            2 => 1e30,
            3 => 0.0,
            _ => (self.next() % 10_000) as f32 / 37.0 - 30.0,
        }
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const TYPES: &[&str] = &["graphic", "group", "text", "page"];
const SHAPES: &[&str] = &["rect", "ellipse", "star", "polygon", "line", "vector_path"];
const FILLS: &[&str] = &[
    "color",
    "gradient/linear",
    "gradient/radial",
    "gradient/conical",
    "image",
];

fn random_scene(seed: u64) -> Engine {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let engine = Engine::new(EngineConfig::default());
    let created = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((120.0, 90.0)))
        .unwrap();
    let page = created.page().unwrap();
    let mut blocks = vec![page];
    for _ in 0..rng.below(25) + 5 {
        let Ok(b) = engine.block.create(rng.pick(TYPES)) else {
            continue;
        };
        if let Ok(shape) = engine.block.create_shape(rng.pick(SHAPES)) {
            let _ = engine.block.set_shape(b, shape);
        }
        if let Ok(fill) = engine.block.create_fill(rng.pick(FILLS)) {
            let _ = engine.block.set_fill(b, fill);
        }
        let parent = blocks[rng.below(blocks.len())];
        let _ = engine.block.append_child(parent, b);
        blocks.push(b);
        for _ in 0..rng.below(8) {
            let keys = engine.block.find_all_properties(b).unwrap();
            let key = &keys[rng.below(keys.len())];
            let value = match engine.block.property_type(b, key).unwrap() {
                easel::PropertyType::Bool => PropertyValue::Bool(rng.below(2) == 0),
                easel::PropertyType::Int => PropertyValue::Int(rng.next() as i32 % 2000),
                easel::PropertyType::Float => PropertyValue::Float(rng.float()),
                easel::PropertyType::Double => PropertyValue::Double(f64::from(rng.float())),
                easel::PropertyType::String => PropertyValue::String(
                    rng.pick(&["", "x", "M 0 0 L 10 10 Z", "buffer://none", "Hello שלום"])
                        .into(),
                ),
                easel::PropertyType::Color => {
                    PropertyValue::Color(Color::rgba(rng.float(), 0.5, 0.5, 1.0))
                }
                _ => {
                    let values = engine.block.enum_values(b, key).unwrap_or_default();
                    if values.is_empty() {
                        continue;
                    }
                    PropertyValue::Enum(values[rng.below(values.len())].clone())
                }
            };
            // Invalid values are refused with a typed error; that is the point.
            let _ = engine.block.set_property(b, key, value);
        }
        if rng.below(4) == 0 {
            let _ = engine
                .block
                .set_stroke_dash_array(b, &[rng.float(), rng.float()]);
        }
        if rng.below(5) == 0 {
            let _ = engine.block.replace_text(b, "Wörds and שלום", None);
            let _ =
                engine
                    .block
                    .set_text_font_size(b, rng.float(), Some((0, rng.below(20) as u32)));
        }
        if rng.below(6) == 0 {
            let victim = blocks[rng.below(blocks.len())];
            if victim != page {
                let _ = engine.block.destroy(victim);
            }
        }
        if rng.below(6) == 0 {
            let _ = engine.block.duplicate(blocks[rng.below(blocks.len())]);
        }
    }
    engine
}

#[test]
fn random_scenes_round_trip_and_export_or_fail_cleanly() {
    let seeds_dir = std::env::var_os("EASEL_WRITE_FUZZ_SEEDS")
        .map(|_| crate::support::repo().join("fuzz/seeds/scene_json"));
    for seed in 0..150 {
        let engine = random_scene(seed);
        let saved = engine.scene.save_to_string().unwrap();
        let other = Engine::new(EngineConfig::default());
        other
            .scene
            .load_from_string(&saved)
            .unwrap_or_else(|e| panic!("seed {seed}: a saved scene loads: {e}"));
        let again = other.scene.save_to_string().unwrap();
        assert_eq!(again, saved, "seed {seed}: save → load → save");
        for page in other.block.find_by_type("page").unwrap() {
            // Either pixels or a typed error (a text block's missing font, a bad path).
            let _ = other.block.export(page, &ExportOptions::default());
        }
        if let Some(dir) = &seeds_dir
            && seed < 8
        {
            std::fs::write(dir.join(format!("random-{seed}.json")), &saved).unwrap();
        }
    }
}

#[test]
fn random_queries_answer_or_fail_cleanly() {
    let engine = Engine::new(EngineConfig::default());
    engine
        .asset
        .add_local_source("s", Default::default())
        .unwrap();
    for i in 0..200u32 {
        let def = AssetDefinition::new(format!("a{i}"))
            .with_label("en", &format!("Photo {} sun", i % 13))
            .with_tags("en", &["sun", ["sea", "sky", "Café"][i as usize % 3]])
            .with_meta("rank", i % 7)
            .with_groups(&[["g1", "g2"][i as usize % 2]]);
        engine.asset.add_asset_to_source("s", def).unwrap();
    }
    let mut rng = Rng(42);
    let words = ["sun", "photo", "café", "", "x y", "sea*", "1"];
    let props = [
        "label",
        "id",
        "tags",
        "groups",
        "meta.rank",
        "meta.none",
        "bogus",
    ];
    for _ in 0..2_000 {
        let mut filter = AssetFilter::Contains {
            property: rng.pick(&props).into(),
            value: rng.pick(&words).into(),
        };
        for _ in 0..rng.below(4) {
            filter = match rng.below(3) {
                0 => AssetFilter::Not(Box::new(filter)),
                1 => AssetFilter::And(vec![filter.clone(), filter]),
                _ => AssetFilter::Or(vec![filter]),
            };
        }
        let query = AssetQuery {
            query: (rng.below(2) == 0).then(|| rng.pick(&words).into()),
            page: [0, 1, 7, -1, i64::from(u32::MAX)][rng.below(5)],
            per_page: [1, 10, 100, 0, 100_001][rng.below(5)],
            tags: vec![rng.pick(&words).into()],
            sort_key: (rng.below(2) == 0).then(|| rng.pick(&props).into()),
            sorting_order: [
                SortingOrder::None,
                SortingOrder::Ascending,
                SortingOrder::Descending,
            ][rng.below(3)],
            filter: vec![filter],
            facets: vec![rng.pick(&props).into()],
            ..Default::default()
        };
        match engine.asset.find_assets("s", &query) {
            Ok(r) => assert!(r.assets.len() <= query.per_page as usize),
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
}
