//! A sale banner with text: a bold title, a subtitle in the regular weight, and a price
//! that sizes itself to its box. Writes `text_banner.png` (or the path given).
//!
//! ```text
//! cargo run --release --example text_banner -- banner.png
//! ```

use easel::{Color, Engine, EngineConfig, ExportOptions, FontWeight, SceneLayout};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "text_banner.png".into());
    let engine = Engine::new(EngineConfig::default());
    let page = engine
        .scene
        .create(SceneLayout::VerticalStack, Some((1200.0, 628.0)))?
        .page()?;
    let background = engine.block.fill(page)?.ok_or("a page has a fill")?;
    engine
        .block
        .set_color(background, "fill/color/value", Color::rgb(0.09, 0.12, 0.27))?;

    // The title: bold, centred across the banner, wrapping if it must.
    let title = engine.block.create("text")?;
    engine.block.replace_text(title, "Winter Sale", None)?;
    engine.block.set_text_font_size(title, 28.0, None)?;
    engine
        .block
        .set_text_font_weight(title, FontWeight::Bold, None)?;
    engine
        .block
        .set_text_color(title, Color::rgb(1.0, 1.0, 1.0), None)?;
    engine
        .block
        .set_enum(title, "text/horizontalAlignment", "Center")?;
    engine.block.set_width(title, 1200.0)?;
    engine.block.set_width_mode(title, "Absolute")?;
    engine.block.set_height_mode(title, "Auto")?;
    engine.block.set_position_y(title, 60.0)?;
    engine.block.append_child(page, title)?;

    // The subtitle: regular weight, a softer colour, with one word picked out in bold.
    let subtitle = engine.block.create("text")?;
    let words = "Everything must go — up to half off";
    engine.block.replace_text(subtitle, words, None)?;
    engine.block.set_text_font_size(subtitle, 10.0, None)?;
    engine
        .block
        .set_text_color(subtitle, Color::rgb(0.75, 0.82, 1.0), None)?;
    let half = words.find("half").ok_or("the word is there")? as u32;
    // Ranges count UTF-16 units; this text's "—" is one unit, so byte and unit offsets
    // differ after it: convert.
    let from = easel::scene_graph::byte_to_utf16(words, half as usize);
    engine
        .block
        .set_text_font_weight(subtitle, FontWeight::Bold, Some((from, from + 4)))?;
    engine
        .block
        .set_enum(subtitle, "text/horizontalAlignment", "Center")?;
    engine.block.set_width(subtitle, 1200.0)?;
    engine.block.set_width_mode(subtitle, "Absolute")?;
    engine.block.set_height_mode(subtitle, "Auto")?;
    engine.block.set_position_y(subtitle, 230.0)?;
    engine.block.append_child(page, subtitle)?;

    // The price: the largest size that fits a 500 × 200 box.
    let price = engine.block.create("text")?;
    engine.block.replace_text(price, "$49.99", None)?;
    engine
        .block
        .set_text_color(price, Color::rgb(1.0, 0.8, 0.2), None)?;
    engine
        .block
        .set_bool(price, "text/automaticFontSizeEnabled", true)?;
    engine
        .block
        .set_float(price, "text/maxAutomaticFontSize", 200.0)?;
    engine
        .block
        .set_enum(price, "text/horizontalAlignment", "Center")?;
    engine
        .block
        .set_enum(price, "text/verticalAlignment", "Center")?;
    engine.block.set_width_mode(price, "Absolute")?;
    engine.block.set_height_mode(price, "Absolute")?;
    engine.block.set_width(price, 500.0)?;
    engine.block.set_height(price, 200.0)?;
    engine.block.set_position_x(price, 350.0)?;
    engine.block.set_position_y(price, 360.0)?;
    engine.block.append_child(page, price)?;

    let png = engine.block.export(page, &ExportOptions::default())?;
    std::fs::write(&out, &png)?;
    println!(
        "wrote {out} ({} bytes); the price is drawn at {:.1} pt",
        png.len(),
        engine.block.text_drawn_font_size(price)?
    );
    Ok(())
}
