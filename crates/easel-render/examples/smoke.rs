use easel_render::*;
fn main() {
    let t0 = std::time::Instant::now();
    let r = Renderer::new(Default::default()).unwrap();
    println!("adapter {:?} samples {} in {:?}", r.adapter(), r.sample_count(), t0.elapsed());
    let list = DisplayList { width: 200, height: 100, background: Rgba::WHITE, items: vec![
        DisplayItem::filled(PathShape::Rect{width:50.0,height:50.0,radii:[0.0;4]}, Transform::translate(10.0,10.0), Rgba::new(1.0,0.0,0.0,1.0)),
        DisplayItem::filled(PathShape::Ellipse{width:50.0,height:50.0}, Transform::rotate(0.785).then(Transform::translate(100.0,20.0)), Rgba::new(0.0,0.0,1.0,0.5)),
        DisplayItem { path: PathShape::Star{width:40.0,height:40.0,points:5,inner_diameter:0.5}, transform: Transform::translate(150.0,30.0), fill: Some(Paint::LinearGradient{start:[0.0,0.0], end:[40.0,0.0], stops: vec![ColorStop{offset:0.0,color:Rgba::new(1.0,0.0,0.0,1.0)}, ColorStop{offset:1.0,color:Rgba::new(0.0,1.0,0.0,1.0)}]}), stroke: Some(Stroke{width:3.0, alignment: StrokeAlignment::Outer, ..Default::default()}), opacity: 0.7, clip: None },
    ]};
    for _ in 0..3 {
    let t0 = std::time::Instant::now();
    let img = r.render(&list).unwrap();
    println!("render {:?}", t0.elapsed());
    println!("{:?} {:?}", img.get_pixel(20,20), img.get_pixel(0,0));
    std::fs::write("/tmp/smoke.png", encode_png(&img, 1).unwrap()).unwrap();
    }
}
