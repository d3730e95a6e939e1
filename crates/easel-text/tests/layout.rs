//! Layout against figures the reference engine recorded for these fonts (the conformance
//! cases of `tests/conformance/text/`).
#![allow(clippy::unwrap_used)] // tests state their expectations with unwrap

use easel_text::{Align, FontLibrary, ParagraphStyle, RunStyle, default_fonts};

fn fonts() -> (FontLibrary, easel_text::FontId) {
    let mut lib = FontLibrary::new();
    let f = lib
        .register("noto", default_fonts::REGULAR.to_vec())
        .unwrap();
    (lib, f)
}

fn run(text: &str, font: easel_text::FontId, size: f32) -> Vec<RunStyle> {
    vec![RunStyle {
        range: 0..text.len(),
        font,
        size,
        brush: 0,
    }]
}

fn close(a: f32, b: f32, tol: f32) -> bool {
    (a - b).abs() <= tol
}

/// "Hello Easel" at 200 px, centred in 800 px: the reference's proof case.
fn hello_easel() -> (FontLibrary, easel_text::TextLayout) {
    let (mut lib, f) = fonts();
    let text = "Hello Easel";
    let style = ParagraphStyle {
        width: Some(800.0),
        align: Align::Center,
        ..Default::default()
    };
    let l = lib.layout(text, &run(text, f, 200.0), &style).unwrap();
    (lib, l)
}

#[test]
fn hello_easel_wraps_into_two_lines_with_the_reference_baselines() {
    let (_, l) = hello_easel();
    assert_eq!(l.lines.len(), 2);
    assert!(close(l.height, 544.8, 0.05), "{}", l.height);
    assert!(close(l.lines[0].baseline, 213.8, 0.05));
    assert!(close(l.lines[1].baseline, 486.2, 0.05));
}

#[test]
fn letter_spacing_counts_between_characters_only() {
    let (mut lib, f) = fonts();
    let text = "Letter spacing";
    let size = 33.33333;
    let w = |ls: f32, lib: &mut FontLibrary| {
        let style = ParagraphStyle {
            letter_spacing: ls,
            ..Default::default()
        };
        lib.layout(text, &run(text, f, size), &style).unwrap().width
    };
    assert!(
        close(w(0.0, &mut lib), 222.4333, 0.05),
        "{}",
        w(0.0, &mut lib)
    );
    assert!(
        close(w(0.1, &mut lib), 265.7667, 0.05),
        "{}",
        w(0.1, &mut lib)
    );
    assert!(
        close(w(-0.05, &mut lib), 200.7667, 0.05),
        "{}",
        w(-0.05, &mut lib)
    );
}

#[test]
fn hard_breaks_and_a_trailing_newline_make_lines() {
    let (mut lib, f) = fonts();
    let text = "First line\nSecond line\n\nFourth, after an empty line\n";
    let l = lib
        .layout(text, &run(text, f, 41.66667), &ParagraphStyle::default())
        .unwrap();
    assert_eq!(l.lines.len(), 5, "{:?}", l.lines);
    assert!(close(l.height, 283.75, 0.05), "{}", l.height);
    assert!(close(l.width, 522.7917, 0.05), "{}", l.width);
    assert!(close(l.lines[3].baseline, 234.7917 - 20.0, 0.05));
}

#[test]
fn line_height_scales_the_step_between_baselines() {
    let (mut lib, f) = fonts();
    let text = "line height 0.8\nsecond line\nthird line";
    for (lh, height) in [(0.8, 88.53), (1.0, 102.15), (2.5, 204.3)] {
        let style = ParagraphStyle {
            line_height: lh,
            ..Default::default()
        };
        let l = lib.layout(text, &run(text, f, 25.0), &style).unwrap();
        assert!(close(l.height, height, 0.05), "{lh}: {}", l.height);
    }
}

#[test]
fn glyph_outlines_land_on_the_reference_s_ink_boxes() {
    let (mut lib, l) = hello_easel();
    // The reference's ink boxes [x, y, w, h] of H, e, l, l, o (frame top at y = 27).
    let reference = [
        [176.7848, 97.97772, 109.2285, 142.8223],
        [316.5863, 131.6203, 91.60156, 111.1816],
        [435.3922, 88.79803, 17.62695, 152.002],
        [486.9922, 88.79803, 17.62695, 152.002],
        [532.5863, 131.6203, 99.21875, 111.1816],
    ];
    for (g, want) in l.glyphs.iter().zip(reference) {
        let o = lib.outline(g.font, g.glyph).unwrap();
        let (mut x0, mut y0, mut x1, mut y1) = (f32::MAX, f32::MAX, f32::MIN, f32::MIN);
        for [x, y] in o.points() {
            (x0, x1, y0, y1) = (x0.min(x), x1.max(x), y0.min(y), y1.max(y));
        }
        let got = [
            g.x + x0 * g.size,
            g.y + 27.0 + y0 * g.size,
            (x1 - x0) * g.size,
            (y1 - y0) * g.size,
        ];
        for (a, b) in got.iter().zip(want) {
            assert!(close(*a, b, 0.05), "{got:?} vs {want:?}");
        }
    }
}

#[test]
fn arabic_is_shaped_into_joining_forms_and_laid_out_right_to_left() {
    let mut lib = FontLibrary::new();
    let arabic = lib
        .register("arabic", default_fonts::ARABIC.to_vec())
        .unwrap();
    let style = ParagraphStyle::default();
    // ba, ya, ta: three joining letters (no lam-alef, which would ligate).
    let word = "بيت";
    let joined = lib.layout(word, &run(word, arabic, 50.0), &style).unwrap();
    // Each letter alone takes its isolated form; inside the word, its joining form.
    let isolated: Vec<u32> = word
        .chars()
        .map(|c| {
            let s = c.to_string();
            lib.layout(&s, &run(&s, arabic, 50.0), &style)
                .unwrap()
                .glyphs[0]
                .glyph
        })
        .collect();
    let shaped: Vec<u32> = joined.glyphs.iter().map(|g| g.glyph).collect();
    assert_eq!(shaped.len(), 3, "{shaped:?}");
    let mut visual = isolated.clone();
    visual.reverse();
    assert_ne!(shaped, visual, "joining forms differ from isolated ones");
    // Right to left: the first letter (ba) is drawn rightmost.
    let first = joined
        .glyphs
        .iter()
        .max_by(|a, b| a.x.total_cmp(&b.x))
        .unwrap();
    assert!(joined.lines[0].rtl);
    assert!(joined.starts_rtl());
    assert_ne!(first.glyph, isolated[0], "initial form, not isolated");
    assert_eq!(
        first.glyph,
        shaped[shaped.len() - 1],
        "logical first is visually last"
    );
    assert_eq!(joined.missing_glyphs, 0);
}

#[test]
fn bad_settings_are_typed_errors() {
    let (mut lib, f) = fonts();
    let text = "abc";
    for size in [0.0, -1.0, f32::NAN, 1e9] {
        let e = lib
            .layout(text, &run(text, f, size), &ParagraphStyle::default())
            .unwrap_err();
        assert!(
            matches!(e, easel_text::Error::InvalidFontSize { .. }),
            "{e}"
        );
    }
    let e = lib
        .layout(
            text,
            &[RunStyle {
                range: 2..9,
                font: f,
                size: 10.0,
                brush: 0,
            }],
            &ParagraphStyle::default(),
        )
        .unwrap_err();
    assert!(e.to_string().contains("2..9"), "{e}");
    let style = ParagraphStyle {
        line_height: f32::NAN,
        ..Default::default()
    };
    assert!(lib.layout(text, &run(text, f, 10.0), &style).is_err());
    let long = "a".repeat(easel_text::MAX_TEXT_BYTES + 1);
    assert!(matches!(
        lib.layout(&long, &run(&long, f, 10.0), &ParagraphStyle::default()),
        Err(easel_text::Error::TextTooLong { .. })
    ));
    let e = lib.register("bad.ttf", vec![0; 64]).unwrap_err();
    assert!(e.to_string().contains("bad.ttf"), "{e}");
}

/// A wrapped right-to-left line keeps its trailing space at its visual left, as CE.SDK
/// 1.79 draws it: the line's content ends one space advance right of where the same line
/// ends when a newline breaks it (probed with `@cesdk/node`: Hebrew at 8 pt = 33.33 px in
/// a 600 px frame, line box x 56.50 against 47.50, width 550.90 both, for every alignment).
#[test]
fn a_wrapped_rtl_line_keeps_its_trailing_space_at_its_left() {
    let mut lib = FontLibrary::new();
    let f = lib
        .register("hebrew", default_fonts::HEBREW.to_vec())
        .unwrap();
    let first = "עברית נכתבת מימין לשמאל וגם השורות";
    let rest = "נשברות מימין לשמאל כשהטקסט ארוך";
    for (align, wrapped_x, broken_x) in [
        (Align::Right, 56.50, 47.50),
        (Align::Left, 10.16, 1.16),
        (Align::Center, 33.33, 24.33),
    ] {
        let style = ParagraphStyle {
            width: Some(600.0),
            align,
            ..Default::default()
        };
        let line0 = |text: String, lib: &mut FontLibrary| {
            let l = lib.layout(&text, &run(&text, f, 33.33333), &style).unwrap();
            assert_eq!(l.lines.len(), 2, "{text}");
            let g = &l.glyphs[l.lines[0].glyphs.clone()];
            let rightmost = g.iter().map(|g| g.x).fold(f32::MIN, f32::max);
            (l.lines[0].x, l.lines[0].width, rightmost)
        };
        let wrapped = line0(format!("{first} {rest}"), &mut lib);
        let broken = line0(format!("{first}\n{rest}"), &mut lib);
        assert!(close(wrapped.1, broken.1, 0.01), "{align:?}");
        // Easel's boxes span advances, the reference's ink: compare how far they move.
        let moved = wrapped_x - broken_x;
        assert!(close(wrapped.0 - broken.0, moved, 0.1), "{align:?} box");
        assert!(close(wrapped.2 - broken.2, moved, 0.1), "{align:?} glyphs");
    }
}

/// Hinted outlines move edges vertically onto whole pixels at their size and leave
/// horizontal positions alone, as CE.SDK's FreeType light hinting does: its "H" of the
/// hello-easel case at 200 px per em spans rows 98.0 to 241.0, its stems 17.8 px wide.
#[test]
fn hinted_outlines_put_tops_and_bottoms_on_whole_pixels_only() {
    let (mut lib, f) = fonts();
    let l = lib
        .layout("H", &run("H", f, 200.0), &ParagraphStyle::default())
        .unwrap();
    let h = l.glyphs[0].glyph;
    let bounds = |o: &easel_geom::Outline| {
        let mut b = [f32::MAX, f32::MAX, f32::MIN, f32::MIN];
        for v in &o.verbs {
            if let easel_geom::PathVerb::MoveTo(p) | easel_geom::PathVerb::LineTo(p) = v {
                b = [
                    b[0].min(p[0]),
                    b[1].min(p[1]),
                    b[2].max(p[0]),
                    b[3].max(p[1]),
                ];
            }
        }
        b.map(|v| v * 200.0)
    };
    let plain = bounds(&lib.outline(f, h).unwrap());
    let hinted = bounds(&lib.hinted_outline(f, h, 200.0).unwrap());
    assert!(close(plain[1], -142.8, 0.01), "{plain:?}");
    assert!(close(hinted[1], -143.0, 0.01), "{hinted:?}");
    assert!(close(hinted[3], 0.0, 0.01));
    assert!(close(hinted[0], plain[0], 0.01) && close(hinted[2], plain[2], 0.01));
    // Sizes that cannot be hinted draw the unhinted outline.
    for ppem in [0.0, -3.0, f32::NAN, f32::INFINITY, 1e6] {
        let o = lib.hinted_outline(f, h, ppem).unwrap();
        assert_eq!(o.id, lib.outline(f, h).unwrap().id, "{ppem}");
    }
}

/// A line's height comes from the fonts that draw it, fallback fonts included: a comma
/// Noto Sans Hebrew lacks is drawn by Noto Sans, whose taller ascent + descent the line
/// takes (CE.SDK 1.79, probed at 8 pt = 33.33 px: 45.33 px without the comma, 45.40 with).
#[test]
fn a_fallback_font_s_metrics_count_for_its_line() {
    let mut lib = FontLibrary::new();
    let hebrew = lib
        .register("hebrew", default_fonts::HEBREW.to_vec())
        .unwrap();
    let latin = lib
        .register("noto", default_fonts::REGULAR.to_vec())
        .unwrap();
    let style = ParagraphStyle {
        fallback: vec![latin],
        ..Default::default()
    };
    let height = |text: &str, lib: &mut FontLibrary| {
        let l = lib
            .layout(text, &run(text, hebrew, 33.33333), &style)
            .unwrap();
        assert_eq!(l.missing_glyphs, 0);
        l.height
    };
    assert!(close(height("עברית נכתבת", &mut lib), 45.33, 0.01));
    assert!(close(height("עברית, נכתבת", &mut lib), 45.40, 0.01));
}
