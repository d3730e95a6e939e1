//! The scene graph model: block types, properties, hierarchy, layout, events, JSON.
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

use easel_scene::{
    Access, BlockEventKind, BlockType, Color, Error, GradientStop, PropertyType, PropertyValue,
    SceneGraph, SceneLayout, ShapeKind,
};

fn scene() -> (SceneGraph, easel_scene::BlockId) {
    let mut g = SceneGraph::new();
    let page = g
        .create_scene(SceneLayout::VerticalStack, Some((800.0, 600.0)))
        .unwrap()
        .page()
        .unwrap();
    (g, page)
}

#[test]
fn short_and_long_type_names() {
    let mut g = SceneGraph::new();
    let a = g.create("graphic").unwrap();
    let b = g.create("//ly.img.ubq/graphic").unwrap();
    assert_eq!(g.type_of(a).unwrap(), "//ly.img.ubq/graphic");
    assert_eq!(g.type_of(b).unwrap(), "//ly.img.ubq/graphic");
    for s in [
        "rect",
        "ellipse",
        "star",
        "polygon",
        "line",
        "vector_path",
        "//ly.img.ubq/shape/star",
    ] {
        let id = g.create_shape(s).unwrap();
        assert!(g.type_of(id).unwrap().starts_with("//ly.img.ubq/shape/"));
    }
    for f in [
        "color",
        "gradient/linear",
        "gradient/radial",
        "gradient/conical",
        "image",
        "fill/image",
    ] {
        let id = g.create_fill(f).unwrap();
        assert!(g.type_of(id).unwrap().starts_with("//ly.img.ubq/fill/"));
    }
    assert!(matches!(g.create("banana"), Err(Error::UnknownBlockType(t)) if t == "banana"));
    assert!(matches!(
        g.create_shape("color"),
        Err(Error::UnknownBlockType(_))
    ));
    assert!(
        g.create("rect").is_err(),
        "shapes are made with create_shape"
    );
}

#[test]
fn destroyed_ids_never_alias() {
    let mut g = SceneGraph::new();
    let a = g.create("graphic").unwrap();
    g.destroy(a).unwrap();
    let b = g.create("graphic").unwrap();
    assert_eq!(a.index(), b.index(), "the slot is reused");
    assert_ne!(a, b);
    assert!(!g.is_valid(a));
    assert_eq!(g.width(a), Err(Error::UnknownBlock(a)));
    assert!(
        g.width(a).unwrap_err().to_string().contains(&a.to_string()),
        "the error names the id"
    );
}

#[test]
fn typed_accessors_check_types_and_ranges() {
    let mut g = SceneGraph::new();
    let b = g.create("graphic").unwrap();
    g.set_float(b, "width", 42.0).unwrap();
    assert_eq!(g.get_float(b, "width").unwrap(), 42.0);
    let e = g.get_string(b, "width").unwrap_err();
    assert_eq!(
        e.to_string(),
        "property `width` is of type Float: expected get_float"
    );
    assert!(matches!(
        g.set_bool(b, "width", true),
        Err(Error::WrongPropertyType { .. })
    ));
    assert!(
        matches!(g.get_float(b, "nope"), Err(Error::UnknownProperty { key, .. }) if key == "nope")
    );
    for bad in [f32::NAN, f32::INFINITY, -1.0] {
        assert!(
            matches!(g.set_width(b, bad), Err(Error::InvalidValue { .. })),
            "{bad}"
        );
    }
    assert_eq!(g.width(b).unwrap(), 42.0, "a failed set changes nothing");
    assert!(g.set_opacity(b, 1.5).is_err());
    assert!(matches!(
        g.set_float(b, "globalBoundingBox/x", 1.0),
        Err(Error::ReadOnly { .. })
    ));
    assert!(matches!(
        g.set_string(b, "type", "x"),
        Err(Error::ReadOnly { .. })
    ));
    let e = g.set_enum(b, "contentFill/mode", "Stretch").unwrap_err();
    assert!(matches!(&e, Error::InvalidEnumValue { allowed, .. } if allowed.len() == 3));
    assert!(e.to_string().contains("Crop, Cover, Contain"));
    assert_eq!(g.get_enum(b, "contentFill/mode").unwrap(), "Cover");
    assert_eq!(
        g.enum_values(b, "stroke/position").unwrap(),
        ["Inner", "Center", "Outer"]
    );
    assert_eq!(
        g.property_type(b, "stroke/color").unwrap(),
        PropertyType::Color
    );
    assert!(
        g.set_color(b, "stroke/color", Color::rgba(2.0, 0.0, 0.0, 1.0))
            .is_err()
    );
    g.set_double(b, "playback/duration", 2.5).unwrap();
    assert_eq!(g.get_double(b, "playback/duration").unwrap(), 2.5);
    assert!(
        g.get_float(b, "playback/duration")
            .unwrap_err()
            .to_string()
            .contains("expected get_double")
    );
    assert!(g.set_double(b, "playback/duration", f64::NAN).is_err());
    let star = g.create_shape("star").unwrap();
    assert!(g.set_int(star, "shape/star/points", 2).is_err());
    g.set_int(star, "shape/star/points", 7).unwrap();
    assert_eq!(g.get_int(star, "shape/star/points").unwrap(), 7);
}

/// Every writable key of every block type round-trips through set/get and save/load.
#[test]
fn every_schema_key_round_trips() {
    let mut g = SceneGraph::new();
    let scene = g
        .create_scene(SceneLayout::Free, Some((10.0, 10.0)))
        .unwrap();
    let mut blocks = vec![scene.scene, scene.stack, scene.page().unwrap()];
    for ty in BlockType::all() {
        let id = match ty {
            BlockType::Shape(_) => g.create_shape(ty.short_name()).unwrap(),
            BlockType::Fill(_) => g.create_fill(ty.short_name()).unwrap(),
            BlockType::Scene | BlockType::Stack | BlockType::Page => continue,
            _ => g.create(ty.short_name()).unwrap(),
        };
        blocks.push(id);
    }
    let mut expected = Vec::new();
    for &id in &blocks {
        for key in g.find_all_properties(id).unwrap() {
            let spec = g.property_spec(id, &key).unwrap();
            if spec.access == Access::ReadOnly {
                assert!(g.set_property(id, &key, spec.default.clone()).is_err());
                continue;
            }
            let value = match (&spec.default, spec.range) {
                (PropertyValue::Bool(b), _) => PropertyValue::Bool(!b),
                (PropertyValue::Int(_), Some((lo, _))) => PropertyValue::Int(lo as i32 + 1),
                (PropertyValue::Float(_), Some((lo, hi))) => PropertyValue::Float(if hi <= 1.0 {
                    0.25
                } else if lo > 0.0 {
                    lo as f32 + 0.5
                } else {
                    3.5
                }),
                (PropertyValue::Double(_), _) => PropertyValue::Double(2.5),
                (PropertyValue::String(_), _) => PropertyValue::String(format!("v-{key}")),
                (PropertyValue::Color(_), _) => {
                    PropertyValue::Color(Color::rgba(0.25, 0.5, 0.75, 0.5))
                }
                (PropertyValue::Enum(e), _) => {
                    let other = spec.enum_values.iter().find(|v| *v != e).unwrap();
                    PropertyValue::Enum(other.to_string())
                }
                (other, r) => panic!("unexpected default {other:?} {r:?} for {key}"),
            };
            g.set_property(id, &key, value.clone())
                .unwrap_or_else(|e| panic!("{key}: {e}"));
            assert_eq!(g.get_property(id, &key).unwrap(), value, "{key}");
            expected.push((id, key, value));
        }
    }
    assert!(expected.len() > 60, "only {} keys", expected.len());
    // Save the detached blocks and the scene, load them into a fresh graph, compare.
    let json = g.save_blocks_to_string(&blocks[3..]).unwrap();
    let scene_json = g.save_to_string().unwrap();
    let mut h = SceneGraph::new();
    let loaded = h.load_blocks_from_string(&json).unwrap();
    let loaded_scene = h.load_from_string(&scene_json).unwrap();
    assert_eq!(h.save_to_string().unwrap(), scene_json);
    assert_eq!(h.save_blocks_to_string(&loaded).unwrap(), json);
    let map: std::collections::HashMap<_, _> = blocks[3..]
        .iter()
        .copied()
        .zip(loaded.iter().copied())
        .collect();
    let mut checked = 0;
    for (id, key, value) in &expected {
        if let Some(new) = map.get(id) {
            assert_eq!(&h.get_property(*new, key).unwrap(), value, "{key}");
            checked += 1;
        }
    }
    assert!(checked > 40);
    assert_eq!(
        h.get_enum(loaded_scene, "scene/layout").unwrap(),
        g.get_enum(scene.scene, "scene/layout").unwrap()
    );
}

#[test]
fn hierarchy_moves_inserts_and_rejects_bad_pairs() {
    let (mut g, page) = scene();
    let a = g.create("graphic").unwrap();
    let b = g.create("graphic").unwrap();
    let group = g.create("group").unwrap();
    g.append_child(page, a).unwrap();
    g.append_child(page, b).unwrap();
    g.insert_child(page, group, 0).unwrap();
    assert_eq!(g.children(page).unwrap(), [group, a, b]);
    g.append_child(group, a).unwrap();
    assert_eq!(g.children(page).unwrap(), [group, b]);
    assert_eq!(g.parent(a).unwrap(), Some(group));
    assert!(matches!(
        g.insert_child(page, a, 5),
        Err(Error::IndexOutOfRange { len: 2, .. })
    ));
    let page2 = g.create("page").unwrap();
    assert!(matches!(
        g.append_child(a, page2),
        Err(Error::InvalidHierarchy { .. })
    ));
    let fill = g.create_fill("color").unwrap();
    assert!(matches!(
        g.append_child(page, fill),
        Err(Error::InvalidHierarchy { .. })
    ));
    let inner = g.create("group").unwrap();
    g.append_child(group, inner).unwrap();
    assert!(matches!(
        g.append_child(inner, group),
        Err(Error::Cycle { .. })
    ));
    assert!(matches!(
        g.append_child(group, group),
        Err(Error::Cycle { .. })
    ));
    assert_eq!(g.find_by_type("group").unwrap(), [group, inner]);
    g.set_name(b, "hero").unwrap();
    assert_eq!(g.find_by_name("hero"), [b]);
    g.set_metadata(b, "k", "v").unwrap();
    assert_eq!(g.metadata(b, "k").unwrap().as_deref(), Some("v"));
}

#[test]
fn destroy_is_recursive_and_duplicate_is_deep() {
    let (mut g, page) = scene();
    let group = g.create("group").unwrap();
    let a = g.create("graphic").unwrap();
    let shape = g.create_shape("star").unwrap();
    let fill = g.create_fill("color").unwrap();
    g.set_shape(a, shape).unwrap();
    g.set_fill(a, fill).unwrap();
    g.set_fill_color(a, Color::rgb(1.0, 0.0, 0.0)).unwrap();
    g.append_child(page, group).unwrap();
    g.append_child(group, a).unwrap();
    let copy = g.duplicate(group).unwrap();
    assert_eq!(g.children(page).unwrap(), [group, copy]);
    let copy_a = g.children(copy).unwrap()[0];
    let copy_shape = g.shape(copy_a).unwrap().unwrap();
    assert_ne!(copy_shape, shape);
    assert_eq!(g.fill_color(copy_a).unwrap(), Color::rgb(1.0, 0.0, 0.0));
    g.set_fill_color(copy_a, Color::rgb(0.0, 1.0, 0.0)).unwrap();
    assert_eq!(
        g.fill_color(a).unwrap(),
        Color::rgb(1.0, 0.0, 0.0),
        "copies share nothing"
    );
    g.destroy(group).unwrap();
    for id in [group, a, shape, fill] {
        assert!(!g.is_valid(id));
    }
    assert!(g.is_valid(copy_a) && g.is_valid(copy_shape));
    assert_eq!(g.children(page).unwrap(), [copy]);
    let other = g.create("graphic").unwrap();
    assert!(matches!(
        g.set_shape(other, copy_shape),
        Err(Error::AlreadyOwned { .. })
    ));
    assert!(matches!(
        g.set_shape(other, fill),
        Err(Error::UnknownBlock(_))
    ));
    let f2 = g.create_fill("color").unwrap();
    assert!(matches!(
        g.set_shape(other, f2),
        Err(Error::WrongBlockKind { .. })
    ));
}

#[test]
fn scene_create_builds_stack_and_white_page_and_replaces() {
    let mut g = SceneGraph::new();
    assert!(matches!(g.pages(), Err(Error::NoScene)));
    let s = g
        .create_scene(SceneLayout::VerticalStack, Some((400.0, 300.0)))
        .unwrap();
    let page = s.page().unwrap();
    assert_eq!(g.pages().unwrap(), [page]);
    assert_eq!(g.parent(page).unwrap(), Some(s.stack));
    assert_eq!(g.parent(s.stack).unwrap(), Some(s.scene));
    assert_eq!(g.fill_color(page).unwrap(), Color::WHITE);
    assert_eq!(g.scene_layout().unwrap(), SceneLayout::VerticalStack);
    // Without a page size there is no page, as in the reference engine.
    let again = g.create_scene(SceneLayout::HorizontalStack, None).unwrap();
    assert!(!g.is_valid(s.scene) && !g.is_valid(page));
    assert_eq!(again.page, None);
    assert!(g.pages().unwrap().is_empty());
    let e = again.page().unwrap_err().to_string();
    assert!(e.contains("without a page size"), "{e}");
    assert!(
        g.create_scene(SceneLayout::Free, Some((f32::NAN, 1.0)))
            .is_err()
    );
}

#[test]
fn layout_places_pages_along_the_stack() {
    for (layout, expect) in [
        (SceneLayout::VerticalStack, (0.0, 310.0)),
        (SceneLayout::HorizontalStack, (410.0, 0.0)),
        (SceneLayout::DepthStack, (0.0, 0.0)),
    ] {
        let mut g = SceneGraph::new();
        let s = g.create_scene(layout, Some((400.0, 300.0))).unwrap();
        g.set_float(s.stack, "stack/spacing", 10.0).unwrap();
        let p2 = g.create("page").unwrap();
        g.set_width(p2, 400.0).unwrap();
        g.set_height(p2, 300.0).unwrap();
        g.append_child(s.stack, p2).unwrap();
        let r = g.create("graphic").unwrap();
        g.set_position_x(r, 50.0).unwrap();
        g.set_position_y(r, 20.0).unwrap();
        g.set_width(r, 100.0).unwrap();
        g.set_height(r, 40.0).unwrap();
        g.append_child(p2, r).unwrap();
        g.layout();
        let f = g.frame(p2).unwrap();
        assert_eq!((f.bounds_x, f.bounds_y), expect, "{layout:?}");
        let fr = g.frame(r).unwrap();
        assert_eq!(
            (fr.bounds_x, fr.bounds_y),
            (expect.0 + 50.0, expect.1 + 20.0)
        );
        assert_eq!(g.get_float(r, "globalBoundingBox/width").unwrap(), 100.0);
        assert_eq!(g.pages().unwrap(), [s.page().unwrap(), p2]);
    }
}

#[test]
fn rotation_is_about_the_centre() {
    let (mut g, page) = scene();
    let r = g.create("graphic").unwrap();
    g.set_width(r, 100.0).unwrap();
    g.set_height(r, 50.0).unwrap();
    g.set_position_x(r, 100.0).unwrap();
    g.set_position_y(r, 100.0).unwrap();
    g.set_rotation(r, std::f32::consts::FRAC_PI_2).unwrap();
    g.append_child(page, r).unwrap();
    g.layout();
    let f = g.frame(r).unwrap();
    assert!(
        (f.bounds_x - 125.0).abs() < 1e-3 && (f.bounds_y - 75.0).abs() < 1e-3,
        "{f:?}"
    );
    assert!((f.bounds_width - 50.0).abs() < 1e-3 && (f.bounds_height - 100.0).abs() < 1e-3);
}

#[test]
fn events_arrive_in_order_and_can_be_filtered() {
    let (mut g, page) = scene();
    let all = g.subscribe(&[]);
    let a = g.create("graphic").unwrap();
    let only_a = g.subscribe(&[a]);
    g.set_width(a, 10.0).unwrap();
    g.append_child(page, a).unwrap();
    g.destroy(a).unwrap();
    let kinds: Vec<_> = all
        .try_iter()
        .filter(|e| e.block == a)
        .map(|e| e.kind)
        .collect();
    assert_eq!(kinds.first(), Some(&BlockEventKind::Created));
    assert_eq!(kinds.last(), Some(&BlockEventKind::Destroyed));
    let mine: Vec<_> = only_a.try_iter().collect();
    assert!(mine.iter().all(|e| e.block == a));
    assert_eq!(mine.first().map(|e| e.kind), Some(BlockEventKind::Updated));
    drop(all);
    g.create("graphic").unwrap(); // a dropped receiver is pruned, not an error
}

#[test]
fn gradient_stops_and_stroke_helpers() {
    let mut g = SceneGraph::new();
    let fill = g.create_fill("gradient/linear").unwrap();
    let stops = [
        GradientStop {
            color: Color::rgb(0.0, 0.0, 1.0),
            stop: 1.0,
        },
        GradientStop {
            color: Color::rgb(1.0, 0.0, 0.0),
            stop: 0.0,
        },
    ];
    g.set_gradient_color_stops(fill, &stops).unwrap();
    assert_eq!(
        g.gradient_color_stops(fill).unwrap()[0].stop,
        0.0,
        "kept sorted"
    );
    assert!(g.set_gradient_color_stops(fill, &[]).is_err());
    let color = g.create_fill("color").unwrap();
    assert!(matches!(
        g.set_gradient_color_stops(color, &stops),
        Err(Error::WrongBlockKind { .. })
    ));
    let b = g.create("graphic").unwrap();
    g.set_stroke_enabled(b, true).unwrap();
    g.set_stroke_width(b, 3.0).unwrap();
    g.set_stroke_position(b, easel_scene::StrokePosition::Outer)
        .unwrap();
    g.set_stroke_join(b, easel_scene::LineJoin::Round).unwrap();
    g.set_stroke_cap(b, easel_scene::LineCap::Square).unwrap();
    g.set_stroke_dash_array(b, &[4.0, 2.0]).unwrap();
    assert!(g.set_stroke_dash_array(b, &[0.0, 0.0]).is_err());
    assert!(g.set_stroke_dash_array(b, &[f32::NAN]).is_err());
    assert_eq!(g.stroke_dash_array(b).unwrap(), [4.0, 2.0]);
    assert_eq!(
        g.stroke_position(b).unwrap(),
        easel_scene::StrokePosition::Outer
    );
    assert_eq!(g.get_enum(b, "stroke/cornerGeometry").unwrap(), "Round");
    let shape = g.create_shape("rect").unwrap();
    assert!(matches!(
        g.set_fill(shape, fill),
        Err(Error::Unsupported { .. })
    ));
    assert_eq!(
        g.block_type(shape).unwrap(),
        BlockType::Shape(ShapeKind::Rect)
    );
}

#[test]
fn bad_json_is_an_error_and_changes_nothing() {
    let (mut g, page) = scene();
    let before = g.save_to_string().unwrap();
    let cases = [
        "",
        "{",
        "[]",
        r#"{"format":"easel/scene","version":99,"roots":[],"blocks":[]}"#,
        r#"{"format":"easel/scene","roots":[0],"blocks":[]}"#,
        r#"{"format":"easel/scene","version":1,"roots":[3],"blocks":[]}"#,
        r#"{"format":"easel/scene","version":1,"roots":[0],"blocks":[{"type":"//ly.img.ubq/banana"}]}"#,
        r#"{"format":"easel/scene","version":1,"roots":[0],"blocks":[{"type":"//ly.img.ubq/scene","children":[0]}]}"#,
        r#"{"format":"easel/scene","version":1,"roots":[0],"blocks":[{"type":"//ly.img.ubq/scene","properties":{"scene/layout":5}}]}"#,
        r#"{"format":"easel/scene","version":1,"roots":[0],"blocks":[{"type":"//ly.img.ubq/scene","children":[1]},{"type":"//ly.img.ubq/fill/color"}]}"#,
        r#"{"format":"easel/scene","version":1,"roots":[0],"blocks":[{"type":"//ly.img.ubq/graphic"}]}"#,
    ];
    for json in cases {
        assert!(g.load_from_string(json).is_err(), "accepted {json}");
        assert!(g.is_valid(page));
    }
    assert!(matches!(
        g.load_from_string(&before[..before.len() / 2]),
        Err(Error::Malformed(_))
    ));
    assert!(matches!(
        g.load_from_string(r#"{"format":"easel/scene","version":3,"roots":[],"blocks":[]}"#),
        Err(Error::UnsupportedVersion {
            found: 3,
            supported: 2
        })
    ));
    assert_eq!(g.save_to_string().unwrap(), before, "state unchanged");
    // Unknown future fields and keys are ignored.
    let future = before
        .replacen("\"blocks\"", "\"futureField\":{\"x\":1},\"blocks\"", 1)
        .replacen(
            "\"properties\":{",
            "\"properties\":{\"future/key\":true,",
            1,
        );
    g.load_from_string(&future).unwrap();
    assert_eq!(g.save_to_string().unwrap(), before);
}

#[test]
fn fresh_text_blocks_read_as_the_reference_and_version_1_files_keep_their_meaning() {
    // CE.SDK 1.79: a fresh text block says "Text" at 10 pt in an Absolute 100 × 100 frame.
    let (mut g, page) = scene();
    let t = g.create("text").unwrap();
    g.append_child(page, t).unwrap();
    assert_eq!(g.get_string(t, "text/text").unwrap(), "Text");
    assert_eq!(g.get_float(t, "text/fontSize").unwrap(), 10.0);
    assert_eq!(g.get_enum(t, "height/mode").unwrap(), "Absolute");
    let runs = g.text_runs(t).unwrap();
    assert_eq!((runs.len(), runs[0].end, runs[0].font_size), (1, 4, 10.0));
    // Saved and loaded again, it is the same (defaults are not written).
    let json = g.save_to_string().unwrap();
    assert!(json.contains("\"version\":2"), "{json}");
    let mut h = SceneGraph::new();
    h.load_from_string(&json).unwrap();
    assert_eq!(h.save_to_string().unwrap(), json);
    // A version 1 file left out version 1's defaults: empty, 12 pt, Auto height.
    let v1 = r#"{"format":"easel/scene","version":1,"roots":[0],"blocks":[
        {"type":"//ly.img.ubq/scene","children":[1]},
        {"type":"//ly.img.ubq/page","children":[2]},
        {"type":"//ly.img.ubq/text"},
        {"type":"//ly.img.ubq/text","properties":{"text/text":"Hi","text/fontSize":20.0,
            "height/mode":"Absolute"}}]}"#
        .replace("\"children\":[2]", "\"children\":[2,3]");
    let mut old = SceneGraph::new();
    old.load_from_string(&v1).unwrap();
    let texts = old.find_by_type("text").unwrap();
    let read = |id| {
        (
            old.get_string(id, "text/text").unwrap(),
            old.get_float(id, "text/fontSize").unwrap(),
            old.get_enum(id, "height/mode").unwrap(),
        )
    };
    assert_eq!(read(texts[0]), (String::new(), 12.0, "Auto".to_string()));
    assert_eq!(
        read(texts[1]),
        ("Hi".to_string(), 20.0, "Absolute".to_string())
    );
    // Saved again, it is a version 2 file that means the same.
    let mut again = SceneGraph::new();
    again
        .load_from_string(&old.save_to_string().unwrap())
        .unwrap();
    let texts = again.find_by_type("text").unwrap();
    assert_eq!(again.get_string(texts[0], "text/text").unwrap(), "");
    assert_eq!(again.get_enum(texts[0], "height/mode").unwrap(), "Auto");
}

#[test]
fn recording_an_unchanged_crop_is_not_an_edit() {
    // Every export records its images' crops: the first record of a Cover fill changes the
    // crop (an edit), the same image recorded again changes nothing and sends no event.
    let (mut g, page) = scene();
    let img = g.create("graphic").unwrap();
    let fill = g.create_fill("image").unwrap();
    g.set_fill(img, fill).unwrap();
    g.set_width(img, 400.0).unwrap();
    g.set_height(img, 300.0).unwrap();
    g.append_child(page, img).unwrap();
    let events = g.subscribe(&[img]);
    g.record_content_fill_crop(img, 1600, 1067).unwrap();
    assert!(events.try_iter().count() > 0, "the first crop is recorded");
    assert!((g.get_float(img, "crop/scaleX").unwrap() - 1.1246).abs() < 2e-4);
    g.record_content_fill_crop(img, 1600, 1067).unwrap();
    assert_eq!(
        events.try_iter().count(),
        0,
        "nothing changed the second time"
    );
}
