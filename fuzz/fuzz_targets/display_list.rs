//! A display list as JSON, validated and drawn by the CPU backend on a small canvas.
#![no_main]

use libfuzzer_sys::fuzz_target;
use std::sync::OnceLock;

fn renderer() -> &'static easel_render::Renderer {
    static R: OnceLock<easel_render::Renderer> = OnceLock::new();
    R.get_or_init(|| {
        easel_render::Renderer::new(easel_render::RendererOptions {
            backend: Some(easel_render::Backend::Cpu),
            ..Default::default()
        })
        .expect("the CPU backend always starts")
    })
}

fuzz_target!(|data: &[u8]| {
    if let Ok(mut list) = serde_json::from_slice::<easel_render::DisplayList>(data) {
        // Canvas size is the caller's choice; keep runs fast.
        list.width = list.width.clamp(1, 256);
        list.height = list.height.clamp(1, 256);
        let _ = renderer().render(&list);
    }
});
