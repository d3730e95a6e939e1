//! Generates one `#[test]` per golden case file (`tests/golden/<name>.json`), so that
//! `cargo test -p easel-render rect_solid` runs one case and cases fail independently.
//! Adding a case is adding its two files.

use std::fmt::Write;

fn main() {
    let dir = std::path::Path::new("tests/golden");
    println!("cargo:rerun-if-changed=tests/golden");
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|entries| {
            entries
                .filter_map(|e| e.ok())
                .filter_map(|e| {
                    let name = e.file_name().into_string().ok()?;
                    name.strip_suffix(".json").map(str::to_string)
                })
                .collect()
        })
        .unwrap_or_default();
    names.sort();
    let mut out = String::new();
    for name in &names {
        let ident: String = name
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect();
        let _ = writeln!(
            out,
            "#[test]\nfn {ident}() {{\n    golden_case({name:?});\n}}\n"
        );
    }
    let _ = writeln!(out, "const GOLDEN_CASES: &[&str] = &{names:?};");
    let path =
        std::path::Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("golden_cases.rs");
    if let Err(e) = std::fs::write(&path, out) {
        println!("cargo:warning=cannot write {}: {e}", path.display());
    }
}
