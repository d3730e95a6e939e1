use easel_render::*;
fn main() {
    for backend in [Backend::Gl] {
        for ss in [1, 2] {
            let r = Renderer::new(RendererOptions { backend: Some(backend), supersample: ss, ..Default::default() }).unwrap();
            let list = DisplayList { width: 200, height: 200, background: Rgba::TRANSPARENT, items: vec![
                DisplayItem::filled(PathShape::Ellipse { width: 200.0, height: 200.0 }, Transform::IDENTITY, Rgba::new(0.1, 0.3, 0.9, 1.0))] };
            let img = r.render(&list).unwrap();
            std::fs::write(format!("/tmp/circle_{backend:?}_{ss}.png"), encode_png(&img, 1).unwrap()).unwrap();
        }
    }
}
