//! An AssetQuery as JSON, run over a small source: a result or a typed error.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn store() -> &'static easel_assets::AssetStore {
    static STORE: OnceLock<easel_assets::AssetStore> = OnceLock::new();
    STORE.get_or_init(|| {
        let store = easel_assets::AssetStore::in_memory(0);
        store
            .add_local_source("s", Default::default())
            .expect("a new source");
        for i in 0..50u32 {
            let def = easel_assets::AssetDefinition::new(format!("a{i}"))
                .with_label("en", &format!("Photo {i}"))
                .with_tags("en", &["sun", ["sea", "sky"][i as usize % 2]])
                .with_meta("rank", i % 7)
                .with_groups(&[["g1", "g2"][i as usize % 2]]);
            store.add_asset_to_source("s", def).expect("an asset");
        }
        store
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = serde_json::from_slice::<easel_assets::AssetQuery>(data) {
        let _ = store().find_assets("s", &query);
    }
});
