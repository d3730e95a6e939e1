//! Easel's scene JSON: whatever loads lays out, saves, and loads again to the same text.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let mut graph = easel_scene::SceneGraph::new();
    if graph.load_from_string(text).is_ok() {
        graph.layout();
        let saved = graph.save_to_string().expect("a loaded scene saves");
        let mut again = easel_scene::SceneGraph::new();
        again.load_from_string(&saved).expect("a saved scene loads");
        assert_eq!(again.save_to_string().expect("saves"), saved);
    }
});
