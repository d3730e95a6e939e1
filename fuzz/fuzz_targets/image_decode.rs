//! Image bytes through the engine's resource loader and its limits, then drawn.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let engine = easel::Engine::new(easel::EngineConfig {
        settings: easel::EditorSettings {
            max_image_dimension: 2048,
            max_image_alloc_bytes: 64 << 20,
            ..Default::default()
        },
        renderer: easel::RendererOptions {
            backend: Some(easel::Backend::Cpu),
            ..Default::default()
        },
        ..Default::default()
    });
    let page = engine
        .scene
        .create(easel::SceneLayout::VerticalStack, Some((32.0, 32.0)))
        .expect("a scene")
        .page()
        .expect("a page");
    engine.editor.register_buffer("buffer://img", data.to_vec());
    let g = engine.block.create("graphic").expect("graphic");
    let shape = engine.block.create_shape("rect").expect("rect");
    engine.block.set_shape(g, shape).expect("shape");
    let fill = engine.block.create_fill("image").expect("fill");
    engine
        .block
        .set_string(fill, "fill/image/imageFileURI", "buffer://img")
        .expect("uri");
    engine.block.set_fill(g, fill).expect("fill");
    engine.block.append_child(page, g).expect("child");
    let _ = engine.block.export(page, &easel::ExportOptions::default());
});
