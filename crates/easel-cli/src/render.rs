//! `easel render`: every page of each scene file to `DIR/<stem>-<page>.<ext>`, on several
//! threads, with a progress bar; a broken file is reported by name and the batch goes on.

use easel::{Engine, ExportOptions, MimeType};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

#[derive(clap::Args)]
pub struct Render {
    /// Scene files: Easel's JSON, CE.SDK scene strings (`.scene`) or CE.SDK archives (`.zip`).
    #[arg(required = true)]
    scenes: Vec<PathBuf>,
    /// Output directory (created if needed).
    #[arg(long)]
    out: PathBuf,
    /// Image format.
    #[arg(long, default_value = "png", value_parser = ["png", "jpeg", "webp"])]
    format: String,
    /// Files rendered at once (default: one per core).
    #[arg(long)]
    jobs: Option<usize>,
}

/// What rendering one file did.
struct Outcome {
    pages: usize,
}

fn render_file(
    path: &Path,
    out: &Path,
    options: &ExportOptions,
    ext: &str,
) -> Result<Outcome, String> {
    let bytes = std::fs::read(path).map_err(|e| format!("cannot read: {e}"))?;
    // The CLI renders the user's own files: any host, files next to the scene.
    let engine = Engine::new(Default::default());
    if let Some(dir) = path.parent() {
        engine.editor.set_base_path(&dir.display().to_string());
    }
    if bytes.starts_with(b"PK\x03\x04") {
        // A CE.SDK archive: the scene with its images and fonts.
        engine
            .scene
            .load_from_archive(&bytes, Default::default())
            .map_err(|e| e.to_string())?;
    } else {
        let text = String::from_utf8(bytes).map_err(|_| "not a scene file (not UTF-8 text)")?;
        engine
            .scene
            .load_from_string(&text)
            .map_err(|e| e.to_string())?;
    }
    let pages = engine.scene.pages().map_err(|e| e.to_string())?;
    if pages.is_empty() {
        return Err("the scene has no pages".into());
    }
    let stem = path
        .file_stem()
        .map_or_else(|| "scene".into(), |s| s.to_string_lossy());
    for (i, page) in pages.iter().enumerate() {
        let bytes = engine
            .block
            .export(*page, options)
            .map_err(|e| format!("page {i}: {e}"))?;
        let target = out.join(format!("{stem}-{i}.{ext}"));
        std::fs::write(&target, bytes)
            .map_err(|e| format!("cannot write {}: {e}", target.display()))?;
    }
    Ok(Outcome { pages: pages.len() })
}

pub fn run(args: Render) -> Result<ExitCode, Box<dyn std::error::Error>> {
    std::fs::create_dir_all(&args.out)
        .map_err(|e| format!("cannot create {}: {e}", args.out.display()))?;
    let mime = match args.format.as_str() {
        "jpeg" => MimeType::Jpeg,
        "webp" => MimeType::Webp,
        _ => MimeType::Png,
    };
    let ext = args.format.as_str();
    let options = ExportOptions {
        mime_type: mime,
        ..Default::default()
    };
    let bar = ProgressBar::new(args.scenes.len() as u64);
    if std::io::stderr().is_terminal() {
        bar.set_style(
            ProgressStyle::with_template(
                "{bar:40} {pos}/{len} scenes  {per_sec}  eta {eta}  {msg}",
            )
            .unwrap_or_else(|_| ProgressStyle::default_bar()),
        );
    } else {
        bar.set_draw_target(ProgressDrawTarget::hidden());
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(2, |n| n.get()))
        .clamp(1, args.scenes.len().max(1));
    let next = AtomicUsize::new(0);
    let pages = AtomicUsize::new(0);
    let failures: Mutex<Vec<(PathBuf, String)>> = Mutex::default();
    let start = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..jobs {
            s.spawn(|| {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(path) = args.scenes.get(i) else {
                        break;
                    };
                    match render_file(path, &args.out, &options, ext) {
                        Ok(done) => {
                            pages.fetch_add(done.pages, Ordering::Relaxed);
                        }
                        Err(why) => {
                            bar.suspend(|| eprintln!("easel: {}: {why}", path.display()));
                            failures
                                .lock()
                                .unwrap_or_else(|p| p.into_inner())
                                .push((path.clone(), why));
                        }
                    }
                    bar.inc(1);
                }
            });
        }
    });
    bar.finish_and_clear();
    let seconds = start.elapsed().as_secs_f64();
    let failed = failures
        .into_inner()
        .unwrap_or_else(|p| p.into_inner())
        .len();
    let pages = pages.into_inner();
    let done = args.scenes.len() - failed;
    eprintln!(
        "easel: rendered {done} of {} scene files ({pages} pages) in {seconds:.2} s: {:.1} exports/s; {failed} failed",
        args.scenes.len(),
        pages as f64 / seconds.max(1e-9),
    );
    Ok(if failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
