//! A CE.SDK scene document (the JSON inside `UBQ1` + base64): translated and loaded, or a
//! typed error; whatever loads saves and loads again.
#![no_main]

use base64::Engine as _;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let s = format!(
        "UBQ1{}",
        base64::engine::general_purpose::STANDARD.encode(data)
    );
    let mut graph = easel_scene::SceneGraph::new();
    if graph
        .load_cesdk_from_string(&s, easel_scene::LoadOptions::default())
        .is_ok()
    {
        graph.layout();
        let saved = graph.save_to_string().expect("a loaded scene saves");
        easel_scene::SceneGraph::new()
            .load_from_string(&saved)
            .expect("and loads again");
    }
});
