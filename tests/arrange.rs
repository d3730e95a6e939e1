//! z-order moves, grouping and ungrouping, graphics holding graphics, group opacity and blend
//! modes through the engine API. Each test states the reference behaviour it pins, measured
//! with CE.SDK 1.79 (`@cesdk/node`) on the same steps; the pixel side is recorded in
//! `tests/conformance/render/layers.json` and replayed by `export_conformance`.

use crate::support;
use easel::{BlendMode, BlockId, Color, Engine, Error};

fn page_with(names: &[&str]) -> (Engine, BlockId, Vec<BlockId>) {
    let (engine, page) = support::engine_with_page(200.0, 100.0);
    let blocks = names
        .iter()
        .enumerate()
        .map(|(i, n)| {
            graphic(
                &engine,
                page,
                n,
                (10.0 + 30.0 * i as f32, 10.0 + 20.0 * i as f32),
            )
        })
        .collect();
    (engine, page, blocks)
}

fn graphic(engine: &Engine, parent: BlockId, name: &str, (x, y): (f32, f32)) -> BlockId {
    let b = &engine.block;
    let g = b.create("graphic").unwrap();
    let shape = b.create_shape("rect").unwrap();
    b.set_shape(g, shape).unwrap();
    let fill = b.create_fill("color").unwrap();
    b.set_fill(g, fill).unwrap();
    b.set_fill_color(g, Color::rgb(1.0, 0.0, 0.0)).unwrap();
    b.set_name(g, name).unwrap();
    b.set_position_x(g, x).unwrap();
    b.set_position_y(g, y).unwrap();
    b.set_width(g, 60.0).unwrap();
    b.set_height(g, 60.0).unwrap();
    b.append_child(parent, g).unwrap();
    g
}

fn names(engine: &Engine, parent: BlockId) -> Vec<String> {
    engine
        .block
        .children(parent)
        .unwrap()
        .into_iter()
        .map(|c| {
            let n = engine.block.name(c).unwrap();
            if n.is_empty() { "G".into() } else { n }
        })
        .collect()
}

fn bounds(engine: &Engine, id: BlockId) -> [f32; 4] {
    let f = engine.block.frame(id).unwrap();
    [f.bounds_x, f.bounds_y, f.bounds_width, f.bounds_height].map(|v| (v * 1000.0).round() / 1000.0)
}

#[test]
fn z_order_moves_as_the_reference_does() {
    // Reference, from [a, b, G]: bringToFront(a) → [b, G, a]; sendToBack(a) → [a, b, G];
    // bringForward(a) → [b, a, G]; sendBackward(a) → [a, b, G]; again: unchanged.
    let (engine, page, blocks) = page_with(&["a", "b", "G"]);
    engine.block.set_name(blocks[2], "").unwrap();
    let a = blocks[0];
    let b = &engine.block;
    b.bring_to_front(a).unwrap();
    assert_eq!(names(&engine, page), ["b", "G", "a"]);
    b.send_to_back(a).unwrap();
    assert_eq!(names(&engine, page), ["a", "b", "G"]);
    b.bring_forward(a).unwrap();
    assert_eq!(names(&engine, page), ["b", "a", "G"]);
    b.send_backward(a).unwrap();
    assert_eq!(names(&engine, page), ["a", "b", "G"]);
    b.send_backward(a).unwrap();
    assert_eq!(names(&engine, page), ["a", "b", "G"]);
    b.bring_to_front(blocks[2]).unwrap();
    b.bring_forward(blocks[2]).unwrap();
    assert_eq!(
        names(&engine, page),
        ["a", "b", "G"],
        "the top stays on top"
    );
    let loose = b.create("graphic").unwrap();
    let e = b.bring_to_front(loose).unwrap_err().to_string();
    assert!(
        e.contains(&loose.to_string()) && e.contains("no parent"),
        "{e}"
    );
}

#[test]
fn grouping_keeps_blocks_in_place_and_takes_the_topmost_slot() {
    // Reference: from [a, b, c, d], group([c, a]) → page [b, G, d], members [a, c] (z-order,
    // not argument order); the group's frame is the members' joint bounding box and nothing
    // moves; moving the group moves its members.
    let (engine, page, blocks) = page_with(&["a", "b", "c", "d"]);
    let (a, c) = (blocks[0], blocks[2]);
    let before = [bounds(&engine, a), bounds(&engine, c)];
    let group = engine.block.group(&[c, a]).unwrap();
    assert_eq!(names(&engine, page), ["b", "G", "d"]);
    assert_eq!(names(&engine, group), ["a", "c"]);
    assert_eq!(engine.block.type_of(group).unwrap(), "//ly.img.ubq/group");
    assert_eq!(bounds(&engine, group), [10.0, 10.0, 120.0, 100.0]);
    assert_eq!([bounds(&engine, a), bounds(&engine, c)], before);
    assert_eq!(
        engine.block.blend_mode(group).unwrap(),
        BlendMode::PassThrough
    );
    engine.block.set_position_x(group, 20.0).unwrap();
    assert_eq!(bounds(&engine, a)[0], 20.0, "members move with the group");
}

#[test]
fn ungrouping_restores_the_members_where_they_are_shown() {
    // Reference: ungroup puts the members at the group's place in z-order, where they were
    // on the canvas, drops the group (no longer valid) and does not hand its opacity on;
    // a rotated group's rotation is folded into each member's.
    let (engine, page, blocks) = page_with(&["a", "b", "c"]);
    let b = &engine.block;
    let group = b.group(&blocks[..2]).unwrap();
    assert_eq!(names(&engine, page), ["G", "c"]);
    b.set_opacity(group, 0.5).unwrap();
    b.set_rotation(group, 0.5).unwrap();
    let shown = [bounds(&engine, blocks[0]), bounds(&engine, blocks[1])];
    let members = b.ungroup(group).unwrap();
    assert_eq!(members, blocks[..2]);
    assert!(!b.is_valid(group));
    assert_eq!(names(&engine, page), ["a", "b", "c"]);
    for (m, want) in members.iter().zip(shown) {
        let got = bounds(&engine, *m);
        for (g, w) in got.iter().zip(want) {
            assert!((g - w).abs() < 0.01, "{got:?} vs {want:?}");
        }
        assert!((b.rotation(*m).unwrap() - 0.5).abs() < 1e-5);
        assert_eq!(b.opacity(*m).unwrap(), 1.0);
    }
    let e = b.ungroup(blocks[2]).unwrap_err().to_string();
    assert!(e.contains("expected a group"), "{e}");
}

#[test]
fn group_refuses_what_the_reference_refuses() {
    // Reference: group([]) → "Expected a nonempty array"; group([page]) → "cannot be
    // grouped"; a member of a group → "is already part of a group"; isGroupable([a, b])
    // true, ([page]) false, ([]) false.
    let (engine, page, blocks) = page_with(&["a", "b", "c"]);
    let b = &engine.block;
    assert!(b.is_groupable(&blocks[..2]));
    assert!(!b.is_groupable(&[page]));
    assert!(!b.is_groupable(&[]));
    assert!(
        b.group(&[])
            .unwrap_err()
            .to_string()
            .contains("at least one")
    );
    let e = b.group(&[page]).unwrap_err();
    assert!(
        matches!(
            &e,
            Error::Scene(easel::scene_graph::Error::NotGroupable { .. })
        ),
        "{e:?}"
    );
    let g = b.group(&[blocks[0]]).unwrap();
    let e = b.group(&[blocks[0], blocks[1]]).unwrap_err().to_string();
    assert!(e.contains("parent"), "{e}");
    let e = b.group(&[blocks[0]]).unwrap_err().to_string();
    assert!(e.contains(&format!("already part of group {g}")), "{e}");
    let e = b.group(&[blocks[1], blocks[1]]).unwrap_err().to_string();
    assert!(e.contains("listed twice"), "{e}");
}

#[test]
fn a_graphic_holds_blocks_relative_to_itself() {
    // Reference: an ellipse 60×40 at (50, 60) inside a rect at (100, 10) has its global
    // bounding box at (150, 70) and is drawn unclipped over the parent's fill; texts and
    // groups may be children of graphics too.
    let (engine, _page, blocks) = page_with(&["parent"]);
    let parent = blocks[0];
    engine.block.set_position_x(parent, 100.0).unwrap();
    let child = graphic(&engine, parent, "child", (50.0, 60.0));
    engine.block.set_height(child, 40.0).unwrap();
    assert_eq!(bounds(&engine, child), [150.0, 70.0, 60.0, 40.0]);
    let text = engine.block.create("text").unwrap();
    engine.block.append_child(parent, text).unwrap();
}

#[test]
fn blend_modes_are_the_references_list() {
    // Reference: 27 modes, graphics default to Normal, groups to PassThrough; an unknown
    // name is refused naming the allowed values.
    let (engine, _page, blocks) = page_with(&["a"]);
    let b = &engine.block;
    assert_eq!(b.blend_mode(blocks[0]).unwrap(), BlendMode::Normal);
    let values = b.enum_values(blocks[0], "blend/mode").unwrap();
    assert_eq!(values.len(), 27);
    assert_eq!(values[0], "PassThrough");
    assert_eq!(values[26], "Luminosity");
    b.set_enum(blocks[0], "blend/mode", "Multiply").unwrap();
    assert_eq!(b.blend_mode(blocks[0]).unwrap(), BlendMode::Multiply);
    let e = b
        .set_enum(blocks[0], "blend/mode", "Bogus")
        .unwrap_err()
        .to_string();
    assert!(e.contains("Bogus") && e.contains("Luminosity"), "{e}");
    assert!(
        b.find_all_properties(blocks[0])
            .unwrap()
            .contains(&"blend/mode".to_string())
    );
}

#[test]
fn translucent_groups_nested_past_the_renderers_layer_depth_still_export() {
    // Forty groups at 90% around one square: the renderer nests 16 layers; deeper groups
    // fold their opacity into the items, so the export succeeds with the same total.
    let (engine, page, blocks) = page_with(&["a"]);
    let b = &engine.block;
    let mut inner = blocks[0];
    for _ in 0..40 {
        inner = b.group(&[inner]).unwrap();
        b.set_opacity(inner, 0.9).unwrap();
    }
    let png = b.export(page, &Default::default()).unwrap();
    let image = image::load_from_memory(&png).unwrap().to_rgba8();
    let p = image.get_pixel(30, 30);
    // Red at 0.9^40 ≈ 1.5% over white; 8-bit layers round each of 16 steps, so a few
    // levels more.
    let want = 255.0 - 255.0 * 0.9f32.powi(40);
    assert_eq!(p[0], 255, "{p:?}");
    assert!(
        (f32::from(p[1]) - want).abs() <= 8.0 && p[1] < 255,
        "{p:?} vs green {want}"
    );
}

#[test]
fn positions_read_back_as_the_reference_reports_them_after_rotations_flips_and_resizes() {
    // Reference (a 100×40 rect at (100, 50) on a 400×300 page), position / rotation /
    // global bbox x, y after each step:
    //   rotate π/2           → (170, 20), bbox (130, 20, 40, 100)
    //   rotate 0.5           → (115.709, 28.477), bbox x 96.532
    //   set x 100            → (100, 28.477), bbox x 80.823
    //   width 200            → (100, 28.477) kept, bbox 194.694 × 130.988
    //   flip horizontally    → (256.339, 28.477), rotation −0.5, bbox unchanged
    // and unrotated: flip H → (200, 50); flip H+V → (200, 90).
    let (engine, _page, blocks) = page_with(&["r"]);
    let (b, g) = (&engine.block, blocks[0]);
    b.set_position_x(g, 100.0).unwrap();
    b.set_position_y(g, 50.0).unwrap();
    b.set_width(g, 100.0).unwrap();
    b.set_height(g, 40.0).unwrap();
    let near = |got: (f32, f32), want: (f32, f32)| {
        assert!(
            (got.0 - want.0).abs() < 1e-3 && (got.1 - want.1).abs() < 1e-3,
            "{got:?} vs the reference's {want:?}"
        )
    };
    let pos = || (b.position_x(g).unwrap(), b.position_y(g).unwrap());
    b.set_flip_horizontal(g, true).unwrap();
    near(pos(), (200.0, 50.0));
    b.set_flip_vertical(g, true).unwrap();
    near(pos(), (200.0, 90.0));
    b.set_flip_horizontal(g, false).unwrap();
    b.set_flip_vertical(g, false).unwrap();
    near(pos(), (100.0, 50.0));
    b.set_rotation(g, std::f32::consts::FRAC_PI_2).unwrap();
    near(pos(), (170.0, 20.0));
    let f = bounds(&engine, g);
    near((f[0], f[1]), (130.0, 20.0));
    near((f[2], f[3]), (40.0, 100.0));
    b.set_rotation(g, 0.5).unwrap();
    near(pos(), (115.709, 28.477));
    near((bounds(&engine, g)[0], 0.0), (96.532, 0.0));
    b.set_position_x(g, 100.0).unwrap();
    near(pos(), (100.0, 28.477));
    near((bounds(&engine, g)[0], 0.0), (80.823, 0.0));
    b.set_width(g, 200.0).unwrap();
    near(pos(), (100.0, 28.477));
    let f = bounds(&engine, g);
    near((f[2], f[3]), (194.694, 130.988));
    b.set_flip_horizontal(g, true).unwrap();
    near(pos(), (256.339, 28.477));
    assert!((b.rotation(g).unwrap() + 0.5).abs() < 1e-6);
    assert_eq!(bounds(&engine, g), f, "the box stays where it was");
    // The generic property calls read and write the same.
    assert!((b.get_float(g, "position/x").unwrap() - 256.339).abs() < 1e-3);
    b.set_float(g, "position/y", 30.0).unwrap();
    assert!((b.position_y(g).unwrap() - 30.0).abs() < 1e-4);
}

#[test]
fn group_members_read_back_as_if_not_grouped() {
    // Reference: squares a (10, 10) and b (40, 30), 60×60, grouped: the group reads
    // (10, 10, 90, 80), the members still (10, 10) and (40, 30); the group moved to x 20:
    // members (20, 10) and (50, 30); the group rotated by 0.5: members (44.686, -6.677) and
    // (61.425, 25.257), each with rotation 0.5, the group still at (20, 10).
    let (engine, page) = support::engine_with_page(200.0, 100.0);
    let a = graphic(&engine, page, "a", (10.0, 10.0));
    let b = graphic(&engine, page, "b", (40.0, 30.0));
    let api = &engine.block;
    let pos = |id| (api.position_x(id).unwrap(), api.position_y(id).unwrap());
    let near = |got: (f32, f32), want: (f32, f32)| {
        assert!(
            (got.0 - want.0).abs() < 1e-3 && (got.1 - want.1).abs() < 1e-3,
            "{got:?} vs the reference's {want:?}"
        )
    };
    let g = api.group(&[a, b]).unwrap();
    near(pos(g), (10.0, 10.0));
    near(
        (api.width(g).unwrap(), api.height(g).unwrap()),
        (90.0, 80.0),
    );
    near(pos(a), (10.0, 10.0));
    near(pos(b), (40.0, 30.0));
    api.set_position_x(g, 20.0).unwrap();
    near(pos(a), (20.0, 10.0));
    near(pos(b), (50.0, 30.0));
    api.set_rotation(g, 0.5).unwrap();
    near(pos(a), (44.686, -6.677));
    near(pos(b), (61.425, 25.257));
    assert!((api.rotation(a).unwrap() - 0.5).abs() < 1e-6);
    near(pos(g), (20.0, 10.0));
    // Writing a member's position in those coordinates lands it there.
    api.set_position_x(a, 50.0).unwrap();
    near(pos(a), (50.0, -6.677));
    api.set_rotation(a, 0.5).unwrap();
    assert!((api.rotation(a).unwrap() - 0.5).abs() < 1e-6);
}
