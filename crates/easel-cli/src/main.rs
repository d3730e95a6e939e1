//! The `easel` command: `serve` the HTTP API, `render` scene files to images in batch,
//! and `assets import|export` content files to and from a store.
//!
//! ```text
//! easel serve [--listen 127.0.0.1:7878] [--data ./easel-data | --memory | --postgres URL]
//! easel render SCENE… --out DIR [--format png|jpeg|webp] [--jobs N]
//! easel assets import content.json --store sqlite:assets.db
//! easel assets export SOURCE --store sqlite:assets.db [--out content.json]
//! ```

mod render;

use clap::{Parser, Subcommand};
use std::net::SocketAddr;
use std::path::PathBuf;
use std::process::ExitCode;

#[derive(Parser)]
#[command(name = "easel", version, about = "Easel: a headless creative engine")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the HTTP API (asset sources, events, rendering).
    Serve(Serve),
    /// Export every page of scene files to images.
    Render(render::Render),
    /// Import or export a source as a content file.
    Assets {
        #[command(subcommand)]
        command: AssetsCommand,
    },
}

#[derive(clap::Args)]
struct Serve {
    /// Address to listen on.
    #[arg(long, default_value = "127.0.0.1:7878")]
    listen: SocketAddr,
    /// Directory of the durable store (SQLite `assets.db` inside); several `easel serve`
    /// processes may share it.
    #[arg(long, default_value = "easel-data")]
    data: PathBuf,
    /// Keep sources in memory only (nothing survives a restart).
    #[arg(long, conflicts_with = "postgres")]
    memory: bool,
    /// Keep sources in this PostgreSQL database (`postgres://…`, `?schema=NAME` optional).
    #[arg(long)]
    postgres: Option<String>,
    /// A host scenes may load images from even if it is private (`HOST` or `HOST:PORT`).
    #[arg(long = "allow-host", value_name = "HOST[:PORT]")]
    allow_hosts: Vec<String>,
    /// Let scenes load images from private, loopback and link-local addresses.
    #[arg(long)]
    allow_private: bool,
    /// A bearer token clients must send (repeatable; also `EASEL_TOKENS`, comma-separated).
    #[arg(long = "token")]
    tokens: Vec<String>,
    /// A directory whose files scenes may use through `file:` URIs.
    #[arg(long)]
    files: Option<PathBuf>,
    /// Render threads (default: one per core).
    #[arg(long)]
    render_threads: Option<usize>,
}

#[derive(Subcommand)]
enum AssetsCommand {
    /// Load a content file into a source of the store (created if needed).
    Import {
        /// The content file.
        file: PathBuf,
        /// The store: `sqlite:PATH`, a `postgres://` URL, or `memory`.
        #[arg(long)]
        store: String,
        /// What `{{base_url}}` stands for (default: the file's folder).
        #[arg(long)]
        base_url: Option<String>,
    },
    /// Write a source of the store as a content file.
    Export {
        /// The source id.
        source: String,
        /// The store: `sqlite:PATH` or a `postgres://` URL.
        #[arg(long)]
        store: String,
        /// Where to write it (default: standard output).
        #[arg(long)]
        out: Option<PathBuf>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Serve(args) => serve(args),
        Command::Render(args) => render::run(args),
        Command::Assets { command } => assets(command),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("easel: {e}");
            ExitCode::FAILURE
        }
    }
}

type Result<T> = std::result::Result<T, Box<dyn std::error::Error>>;

fn actor(role: &str) -> String {
    format!("{role}-{}", std::process::id())
}

fn serve(args: Serve) -> Result<ExitCode> {
    let mut config = easel_server::ServerConfig {
        tokens: args.tokens,
        ..Default::default()
    };
    if let Ok(more) = std::env::var("EASEL_TOKENS") {
        config.tokens.extend(
            more.split(',')
                .map(str::trim)
                .filter(|t| !t.is_empty())
                .map(String::from),
        );
    }
    config.hosts.block_private = !args.allow_private;
    config.hosts.allowed_hosts = args.allow_hosts;
    config.file_root = args.files;
    if let Some(n) = args.render_threads {
        config.render_threads = n.max(1);
        config.render_queue = n.max(1) * 16;
    }
    easel_server::check_listen(args.listen, &config)?;
    let store = if args.memory {
        easel::AssetStore::in_memory(easel::assets::DEFAULT_CHANGE_LOG_CAPACITY)
    } else if let Some(url) = &args.postgres {
        easel_assets_db::open_store(url, &actor("serve"))?
    } else {
        std::fs::create_dir_all(&args.data).map_err(|e| {
            format!(
                "cannot create the data directory {}: {e}",
                args.data.display()
            )
        })?;
        easel_assets_db::open_sqlite(args.data.join("assets.db"), &actor("serve"))?
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .thread_name("easel-http")
        .build()?;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|e| format!("cannot listen on {}: {e}", args.listen))?;
        let addr = listener.local_addr()?;
        eprintln!(
            "easel: serving on http://{addr} (store: {}; {} render threads)",
            store.location(),
            config.render_threads
        );
        let server = easel_server::EaselServer::new(store, config);
        server.serve(listener, shutdown_signal()).await?;
        eprintln!("easel: stopped");
        Ok::<_, Box<dyn std::error::Error>>(())
    })?;
    Ok(ExitCode::SUCCESS)
}

/// SIGTERM or Ctrl-C.
async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    eprintln!("easel: shutting down (finishing requests in flight)");
}

fn assets(command: AssetsCommand) -> Result<ExitCode> {
    match command {
        AssetsCommand::Import {
            file,
            store,
            base_url,
        } => {
            let store = easel_assets_db::open_store(&store, &actor("import"))?;
            let id = store.add_local_source_from_json_file(&file, base_url.as_deref(), None)?;
            let count = store.asset_count(&id)?.unwrap_or(0);
            eprintln!(
                "easel: source `{id}` has {count} assets ({})",
                store.location()
            );
        }
        AssetsCommand::Export { source, store, out } => {
            let store = easel_assets_db::open_store(&store, &actor("export"))?;
            let json = store.local_source_to_json_string(&source)?;
            match out {
                Some(path) => std::fs::write(&path, json)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?,
                None => println!("{json}"),
            }
        }
    }
    Ok(ExitCode::SUCCESS)
}
