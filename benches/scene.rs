//! Scene graph micro-benchmarks: building 100,000 graphics with shapes and fills, setting
//! properties, and a save/load round trip of that scene.
//!
//! `cargo bench -p easel-bench --bench scene`

#![allow(clippy::unwrap_used)] // benchmarks fail loudly on setup errors

use criterion::{Criterion, criterion_group, criterion_main};
use easel::scene_graph::{Color, SceneGraph, SceneLayout};
use std::hint::black_box;
use std::time::Duration;

const N: usize = 100_000;

fn build(n: usize) -> SceneGraph {
    let mut g = SceneGraph::new();
    let page = g
        .create_scene(SceneLayout::VerticalStack, Some((800.0, 600.0)))
        .unwrap()
        .page()
        .unwrap();
    for (i, s) in easel_bench::shapes(n).iter().enumerate() {
        let b = g.create("graphic").unwrap();
        let shape = g.create_shape(s.kind.name()).unwrap();
        g.set_shape(b, shape).unwrap();
        let fill = g.create_fill("color").unwrap();
        g.set_color(
            fill,
            "fill/color/value",
            Color::rgb(s.rgb[0], s.rgb[1], s.rgb[2]),
        )
        .unwrap();
        g.set_fill(b, fill).unwrap();
        g.set_position_x(b, s.x).unwrap();
        g.set_position_y(b, s.y).unwrap();
        g.set_width(b, s.size).unwrap();
        g.set_height(b, s.size).unwrap();
        if i % 10 == 0 {
            g.set_rotation(b, 0.3).unwrap();
        }
        g.append_child(page, b).unwrap();
    }
    g
}

fn benches(c: &mut Criterion) {
    let mut group = c.benchmark_group("scene");
    group
        .sample_size(10)
        .measurement_time(Duration::from_secs(8));
    group.bench_function("create 100k graphics with shapes and fills", |b| {
        b.iter(|| black_box(build(N)))
    });
    let mut g = build(N);
    let graphics = g.find_by_type("graphic").unwrap();
    group.bench_function("set 4 properties on 100k graphics", |b| {
        b.iter(|| {
            for (i, id) in graphics.iter().enumerate() {
                g.set_opacity(*id, 0.5 + (i % 2) as f32 * 0.5).unwrap();
                g.set_float(*id, "position/x", i as f32 % 700.0).unwrap();
                g.set_bool(*id, "visible", true).unwrap();
                g.set_enum(*id, "contentFill/mode", "Contain").unwrap();
            }
        })
    });
    group.bench_function("layout 100k graphics", |b| {
        b.iter(|| {
            g.set_width(graphics[0], 10.0).unwrap();
            g.layout();
        })
    });
    let json = g.save_to_string().unwrap();
    println!("saved scene: {} bytes", json.len());
    group.bench_function("save 100k-graphic scene", |b| {
        b.iter(|| black_box(g.save_to_string().unwrap()))
    });
    group.bench_function("load 100k-graphic scene", |b| {
        b.iter(|| {
            let mut h = SceneGraph::new();
            black_box(h.load_from_string(&json).unwrap())
        })
    });
    group.finish();
}

criterion_group!(scene, benches);
criterion_main!(scene);
