//! A content.json file: parsed, loaded into a store (all or nothing), exported again.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let store = easel_assets::AssetStore::in_memory(100);
    if let Ok(id) = store.add_local_source_from_json_str(text, Some("https://cdn.example"), None) {
        let json = store
            .local_source_to_json_string(&id)
            .expect("a loaded source exports");
        let again = easel_assets::AssetStore::in_memory(100);
        again
            .add_local_source_from_json_str(&json, None, None)
            .expect("an exported source loads again");
    }
});
