//! Text blocks beyond the reference recordings: bad input, save and load, missing glyphs,
//! fonts through the resource loader, and the text golden case of the render suite.

use crate::support::{self, page};
use easel::{
    Color, Engine, EngineConfig, Error, ExportOptions, FontStyle, FontWeight, ResourceErrorKind,
};

/// A text block sized to its text (a fresh one has a fixed 100 × 100 frame).
fn text(engine: &Engine, page: easel::BlockId, s: &str) -> easel::BlockId {
    let t = engine.block.create("text").unwrap();
    engine.block.replace_text(t, s, None).unwrap();
    engine.block.set_width_mode(t, "Auto").unwrap();
    engine.block.set_height_mode(t, "Auto").unwrap();
    engine.block.append_child(page, t).unwrap();
    t
}

#[test]
fn text_works_out_of_the_box_with_the_shipped_typeface() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 400.0, 200.0);
    let t = text(&engine, p, "Hello");
    let frame = engine.block.frame(t).unwrap();
    // The default 10 pt at 300 DPI = 41.67 px; Noto Sans lines are 1.362 em.
    assert!((frame.height - 56.75).abs() < 0.01, "{frame:?}");
    assert_eq!(engine.block.typeface(t).unwrap().name, "Noto Sans");
    let png = engine.block.export(p, &ExportOptions::default()).unwrap();
    let image = image::load_from_memory(&png).unwrap().to_rgba8();
    assert!(
        image.pixels().any(|px| px[0] < 100),
        "some dark text pixels"
    );
}

#[test]
fn bad_text_input_is_a_typed_error_never_a_panic() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 400.0, 200.0);
    let t = text(&engine, p, "ab😀c");
    // Font sizes: zero, negative, NaN, past the limit.
    for size in [0.0, -3.0, f32::NAN, f32::INFINITY, 10_001.0] {
        let e = engine.block.set_text_font_size(t, size, None).unwrap_err();
        assert!(e.to_string().contains("font size"), "{e}");
    }
    // Ranges in UTF-16 units: past the end, reversed, inside the emoji's surrogate pair.
    for (range, why) in [
        ((0, 9), "past the end"),
        ((3, 1), "after the end"),
        ((3, 4), "surrogate"),
    ] {
        let e = engine
            .block
            .set_text_color(t, Color::rgb(1.0, 0.0, 0.0), Some(range))
            .unwrap_err();
        assert!(e.to_string().contains(why), "{range:?}: {e}");
        assert!(
            e.to_string().contains(&t.to_string()),
            "names the block: {e}"
        );
    }
    // The emoji is 2 UTF-16 units: 2..4 is exactly it.
    engine
        .block
        .set_text_color(t, Color::rgb(1.0, 0.0, 0.0), Some((2, 4)))
        .unwrap();
    assert_eq!(engine.block.text_runs(t).unwrap().len(), 3);
    // Too much text.
    let huge = "x".repeat(easel::scene_graph::MAX_TEXT_BYTES + 1);
    let e = engine.block.replace_text(t, &huge, None).unwrap_err();
    assert!(e.to_string().contains("bytes"), "{e}");
    assert_eq!(engine.block.get_text(t).unwrap(), "ab😀c", "unchanged");
    // Text calls on a block that is not text.
    let g = engine.block.create("graphic").unwrap();
    assert!(engine.block.replace_text(g, "x", None).is_err());
    // A face the typeface lacks: no synthetic bold.
    let mut typeface = engine.block.typeface(t).unwrap();
    typeface.fonts.retain(|f| f.weight == FontWeight::Normal);
    engine
        .block
        .set_font(t, &typeface.fonts[0].uri.clone(), &typeface)
        .unwrap();
    let e = engine
        .block
        .set_text_font_weight(t, FontWeight::Bold, None)
        .unwrap_err();
    assert!(e.to_string().contains("no such face"), "{e}");
    assert!(!engine.block.can_toggle_bold_font(t).unwrap());
    assert!(engine.block.can_toggle_italic_font(t).unwrap());
    engine
        .block
        .set_text_font_style(t, FontStyle::Italic, None)
        .unwrap();
    engine.block.export(p, &ExportOptions::default()).unwrap();
}

#[test]
fn empty_long_and_huge_text_lay_out_in_bounded_time() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 300.0, 300.0);
    // Empty text: one empty line (an Auto frame keeps a line's height), nothing drawn.
    let empty = text(&engine, p, "");
    let lines = engine.block.text_lines(empty).unwrap();
    assert_eq!((lines.len(), lines[0].width), (1, 0.0));
    assert!((engine.block.frame(empty).unwrap().height - 56.75).abs() < 0.01);
    // A 10,000-character word in a 60 px frame breaks between characters.
    let word = text(&engine, p, &"w".repeat(10_000));
    engine.block.set_width_mode(word, "Absolute").unwrap();
    engine.block.set_width(word, 60.0).unwrap();
    engine.block.set_text_font_size(word, 4.0, None).unwrap();
    let lines = engine.block.text_lines(word).unwrap();
    assert!(lines.len() > 1000, "{} lines", lines.len());
    assert!(lines.iter().all(|l| l.width <= 60.0 + 0.01));
    // A fixed frame draws only the lines that fit.
    engine.block.set_height_mode(word, "Absolute").unwrap();
    engine.block.set_height(word, 100.0).unwrap();
    assert!(engine.block.text_visible_line_count(word).unwrap() < 10);
    assert!(engine.block.get_bool(word, "text/hasClippedLines").unwrap());
    // The largest font size renders.
    let big = text(&engine, p, "A");
    engine
        .block
        .set_text_font_size(big, 10_000.0, None)
        .unwrap();
    engine.block.export(p, &ExportOptions::default()).unwrap();
}

#[test]
fn broken_fonts_are_the_block_s_resource_error_naming_the_uri() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 300.0, 100.0);
    let t = text(&engine, p, "Hi");
    let regular = easel::text_engine::default_fonts::REGULAR;
    for (uri, bytes) in [
        ("buffer://garbage.ttf", b"not a font at all".to_vec()),
        (
            "buffer://truncated.ttf",
            regular[..regular.len() / 50].to_vec(),
        ),
    ] {
        engine.editor.register_buffer(uri, bytes);
        let mut typeface = engine.block.typeface(t).unwrap();
        typeface.name = uri.into();
        for f in &mut typeface.fonts {
            f.uri = uri.into();
        }
        engine.block.set_font(t, uri, &typeface).unwrap();
        match engine.block.export(p, &ExportOptions::default()) {
            Err(Error::BlockResource { block, error }) => {
                assert_eq!(block, t);
                assert_eq!(error.uri, uri);
                assert_eq!(error.kind, ResourceErrorKind::FontDecodingFailed, "{error}");
            }
            other => panic!("{uri}: {other:?}"),
        }
    }
    // A font that cannot be fetched.
    let missing = "file:///nonexistent/font.ttf";
    let mut typeface = engine.block.typeface(t).unwrap();
    typeface
        .fonts
        .iter_mut()
        .for_each(|f| f.uri = missing.into());
    engine.block.set_font(t, missing, &typeface).unwrap();
    let e = engine
        .block
        .export(p, &ExportOptions::default())
        .unwrap_err();
    assert!(e.to_string().contains("/nonexistent/font.ttf"), "{e}");
}

#[test]
fn missing_glyphs_fall_back_and_are_reported_when_no_font_has_them() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 600.0, 100.0);
    // Hebrew is not in Noto Sans: the shipped fallback draws it.
    let hebrew = text(&engine, p, "Hello שלום");
    assert_eq!(engine.block.text_missing_glyphs(hebrew).unwrap(), 0);
    // CJK is in none of the shipped fonts: drawn as .notdef and counted.
    let cjk = text(&engine, p, "漢字");
    assert_eq!(engine.block.text_missing_glyphs(cjk).unwrap(), 2);
    assert!(
        engine.block.frame(cjk).unwrap().width > 10.0,
        "boxes take room"
    );
}

/// `use_system_font_fallback` off (CE.SDK's `useSystemFontFallback`): characters the font
/// lacks draw as its `.notdef` boxes unless `fallback_font_uri` has them. The widths are
/// the reference's for "ab" + "שלום" + "cd" in Noto Sans at 10 pt (probed with
/// `@cesdk/node`: 187.417 px with fallback, 194.625 px of boxes without).
#[test]
fn without_the_shipped_fallback_missing_characters_draw_as_boxes() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 600.0, 100.0);
    let t = text(&engine, p, "abשלוםcd");
    let width = |engine: &Engine| engine.block.frame(t).unwrap().width;
    assert!((width(&engine) - 187.417).abs() < 0.5, "{}", width(&engine));
    assert_eq!(engine.block.text_missing_glyphs(t).unwrap(), 0);
    engine
        .editor
        .update_settings(|s| s.use_system_font_fallback = false);
    assert!((width(&engine) - 194.625).abs() < 0.5, "{}", width(&engine));
    assert_eq!(engine.block.text_missing_glyphs(t).unwrap(), 4);
    // The configured fallback font still applies.
    engine.editor.update_settings(|s| {
        s.fallback_font_uri = Some(format!(
            "{}NotoSansHebrew-Regular.ttf",
            easel::DEFAULT_FONT_PREFIX
        ))
    });
    assert!((width(&engine) - 187.417).abs() < 0.5, "{}", width(&engine));
    assert_eq!(engine.block.text_missing_glyphs(t).unwrap(), 0);
}

/// Glyphs are hinted for their size in the export's pixels: whatever the export's scale,
/// the top and the bottom of an "H" land on whole output pixels.
#[test]
fn glyphs_are_hinted_for_the_export_s_scale() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 300.0, 100.0);
    let t = text(&engine, p, "H");
    engine.block.set_position_x(t, 10.3).unwrap();
    engine.block.set_position_y(t, 10.3).unwrap();
    for target_width in [300.0, 600.0, 390.0] {
        let options = ExportOptions {
            target_width: Some(target_width),
            ..Default::default()
        };
        let list = engine.block.display_list(p, &options).unwrap();
        let item = list.items.last().unwrap();
        let easel::render::PathShape::Outline(o) = &item.path else {
            panic!("the glyph is an outline: {:?}", item.path);
        };
        let ys: Vec<f32> = o
            .verbs
            .iter()
            .filter_map(|v| match v {
                easel::render::PathVerb::MoveTo(p) | easel::render::PathVerb::LineTo(p) => {
                    Some(item.transform.apply(p[0], p[1]).1)
                }
                _ => None,
            })
            .collect();
        let top = ys.iter().copied().fold(f32::MAX, f32::min);
        let bottom = ys.iter().copied().fold(f32::MIN, f32::max);
        for y in [top, bottom] {
            assert!(
                (y - y.round()).abs() < 0.01,
                "{target_width}: {top}..{bottom}"
            );
        }
    }
}

#[test]
fn text_blocks_round_trip_through_scene_json() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 500.0, 200.0);
    let t = text(&engine, p, "Red bold, italic");
    engine
        .block
        .set_text_color(t, Color::rgb(0.8, 0.1, 0.1), Some((0, 3)))
        .unwrap();
    engine
        .block
        .set_text_font_weight(t, FontWeight::Bold, Some((4, 8)))
        .unwrap();
    engine
        .block
        .set_text_font_style(t, FontStyle::Italic, Some((10, 16)))
        .unwrap();
    engine
        .block
        .set_text_font_size(t, 20.0, Some((10, 16)))
        .unwrap();
    engine
        .block
        .set_float(t, "text/letterSpacing", 0.05)
        .unwrap();
    let before = engine.block.export(p, &ExportOptions::default()).unwrap();
    let runs = engine.block.text_runs(t).unwrap();
    let saved = engine.scene.save_to_string().unwrap();

    let other = Engine::new(EngineConfig::default());
    other.scene.load_from_string(&saved).unwrap();
    let t2 = other.block.find_by_type("text").unwrap()[0];
    assert_eq!(other.block.text_runs(t2).unwrap(), runs);
    assert_eq!(other.block.get_text(t2).unwrap(), "Red bold, italic");
    assert_eq!(
        other.block.typeface(t2).unwrap(),
        engine.block.typeface(t).unwrap()
    );
    let page2 = other.block.find_by_type("page").unwrap()[0];
    let after = other
        .block
        .export(page2, &ExportOptions::default())
        .unwrap();
    assert_eq!(
        image::load_from_memory(&before).unwrap().to_rgba8(),
        image::load_from_memory(&after).unwrap().to_rgba8()
    );
    // Runs that do not cover the text are a malformed file, not a panic.
    let broken = saved.replace("\"end\":3", "\"end\":99");
    assert!(other.scene.load_from_string(&broken).is_err());
}

#[test]
fn replacing_and_removing_text_keeps_the_runs_in_step() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 500.0, 200.0);
    let t = text(&engine, p, "one two three");
    let red = Color::rgb(1.0, 0.0, 0.0);
    engine.block.set_text_color(t, red, Some((4, 7))).unwrap();
    engine.block.replace_text(t, "2", Some((4, 7))).unwrap();
    assert_eq!(engine.block.get_text(t).unwrap(), "one 2 three");
    assert_eq!(
        engine.block.get_text_colors(t, Some((4, 5))).unwrap(),
        vec![red]
    );
    engine.block.remove_text(t, (0, 4)).unwrap();
    assert_eq!(engine.block.get_text(t).unwrap(), "2 three");
    let runs = engine.block.text_runs(t).unwrap();
    assert_eq!((runs[0].start, runs[0].end, runs[0].color), (0, 1, red));
    assert_eq!(runs.last().unwrap().end, 7);
}

/// The golden case `text_paragraph` of `easel-render`'s suite is this scene's display list:
/// the suite renders it on every backend against its PNG and checks the backends agree
/// within 40 dB. `EASEL_UPDATE_GOLDENS=1` rewrites it; otherwise it must still be what the
/// facade compiles.
#[test]
fn the_text_golden_case_is_what_the_facade_compiles() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 320.0, 120.0);
    let fill = engine.block.fill(p).unwrap().unwrap();
    engine
        .block
        .set_color(fill, "fill/color/value", Color::rgb(1.0, 0.98, 0.9))
        .unwrap();
    let t = text(&engine, p, "Easel text, שלום!");
    engine.block.set_text_font_size(t, 7.0, None).unwrap();
    engine
        .block
        .set_text_color(t, Color::rgba(0.1, 0.2, 0.7, 0.9), Some((0, 5)))
        .unwrap();
    engine
        .block
        .set_text_font_weight(t, FontWeight::Bold, Some((6, 10)))
        .unwrap();
    engine.block.set_position_x(t, 8.0).unwrap();
    engine.block.set_position_y(t, 20.0).unwrap();
    engine.block.set_rotation(t, -0.05).unwrap();
    let list = engine
        .block
        .display_list(p, &ExportOptions::default())
        .unwrap();
    let path = support::repo().join("crates/easel-render/tests/golden/text_paragraph.json");
    let case = serde_json::json!({"images": [], "list": list});
    if std::env::var_os("EASEL_UPDATE_GOLDENS").is_some() {
        std::fs::write(&path, serde_json::to_string(&case).unwrap()).unwrap();
    }
    let stored: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let stored: easel::render::DisplayList =
        serde_json::from_value(stored["list"].clone()).unwrap();
    assert_eq!(stored, list, "regenerate with EASEL_UPDATE_GOLDENS=1");
}

/// Automatic font size finds the sizes CE.SDK 1.79 finds (probed with `@cesdk/node`, each
/// size read back to 1e-4 pt from the drawn line's width): a bisection between the minimum
/// (0 unset) and the size at which one line fills the frame's height (or the maximum when
/// smaller), halved until the bracket is 0.1 pt or less, keeping its lower end.
#[test]
fn automatic_font_size_lands_where_the_reference_lands() {
    let engine = Engine::new(EngineConfig::default());
    let p = page(&engine, 2000.0, 2000.0);
    // (frame width, frame height, limits in points, size drawn by the reference)
    type Case = (f32, f32, Option<(f32, f32)>, f32);
    let cases: &[Case] = &[
        (360.0, 120.0, None, 13.7944),
        (360.0, 120.0, Some((-1.0, -1.0)), 13.7944),
        (360.0, 120.0, Some((6.0, 60.0)), 13.80933),
        (360.0, 120.0, Some((6.0, -1.0)), 13.80933),
        (360.0, 120.0, Some((1.0, 60.0)), 13.82693),
        (360.0, 120.0, Some((3.0, 60.0)), 13.77381),
        (360.0, 120.0, Some((12.0, 60.0)), 13.7862),
        (360.0, 120.0, Some((6.0, 14.0)), 13.8125),
        (360.0, 120.0, Some((6.0, 15.0)), 13.80469),
        (360.0, 120.0, Some((6.0, 10.0)), 9.9375),
        (360.0, 120.0, Some((6.0, 12.4)), 12.3),
        (360.0, 120.0, Some((6.0, 12.72)), 12.6675),
        // Nothing fits at the minimum: it is kept, and the line that does not fit is cut.
        (360.0, 120.0, Some((20.0, 60.0)), 20.0),
        (2000.0, 160.0, None, 28.13876),
        (2000.0, 160.0, Some((6.0, 30.0)), 28.10713),
        (2000.0, 100.0, Some((6.0, 30.0)), 17.53035),
    ];
    for &(w, h, limits, want) in cases {
        let t = engine.block.create("text").unwrap();
        engine
            .block
            .replace_text(t, "Default limits", None)
            .unwrap();
        engine.block.set_text_font_size(t, 12.0, None).unwrap();
        engine.block.set_width(t, w).unwrap();
        engine.block.set_height(t, h).unwrap();
        let auto = "text/automaticFontSizeEnabled";
        engine.block.set_bool(t, auto, true).unwrap();
        if let Some((min, max)) = limits {
            engine
                .block
                .set_float(t, "text/minAutomaticFontSize", min)
                .unwrap();
            engine
                .block
                .set_float(t, "text/maxAutomaticFontSize", max)
                .unwrap();
        }
        engine.block.append_child(p, t).unwrap();
        let got = engine.block.text_drawn_font_size(t).unwrap();
        assert!(
            (got - want).abs() < 0.002,
            "{w}x{h} {limits:?}: {got} pt, the reference {want} pt"
        );
    }
}
