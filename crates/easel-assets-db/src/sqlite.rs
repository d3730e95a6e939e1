//! The embedded backend: one SQLite file (bundled SQLite, WAL mode, `synchronous=FULL`)
//! that several processes on one machine may open at once.
//!
//! Writers take the database's write lock up front (`BEGIN IMMEDIATE`), so commits are
//! serialised across processes and `seq` follows commit order; a lock held too long by
//! another process is retried for [`SqliteOptions::busy_timeout`], then reported as
//! `Busy`. Other processes' commits are noticed by polling SQLite's `data_version`, a
//! counter read from shared memory without touching the tables.
//!
//! The change log is also the table of assets (schema version 2): each asset's live change
//! is marked and carries the asset's position, so an added asset costs one row and one
//! index entry. The write-ahead log is checkpointed by a thread of the store's own.

use crate::codec::{self, AssetRow, Row, SnapshotBuilder};
use crate::plan::{self, RowWrite, StoredState};
use crate::{Error, Result, lock};
use easel_assets::{
    AssetStore, Change, ChangeLog, Committed, Error as AssetError, Result as AssetResult, Snapshot,
    StoreOp,
};
use rusqlite::{Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior, params};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// How a SQLite store behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct SqliteOptions {
    /// How long a write waits for another process's lock before failing with `Busy`.
    pub busy_timeout: Duration,
    /// Keep only the newest this many changes (changes that still hold a live asset's
    /// definition are always kept). `None` keeps all: the audit trail is complete.
    pub keep_changes: Option<u64>,
    /// How often other processes' commits are looked for.
    pub poll_interval: Duration,
}

impl Default for SqliteOptions {
    fn default() -> Self {
        SqliteOptions {
            busy_timeout: Duration::from_secs(5),
            keep_changes: None,
            poll_interval: Duration::from_millis(2),
        }
    }
}

/// The schema version this build writes and reads; version 1 files are upgraded at open.
pub const SCHEMA_VERSION: u32 = 2;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS easel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sources (
    id TEXT PRIMARY KEY,
    ord INTEGER NOT NULL,
    options TEXT NOT NULL
);
-- One row per commit: when and by whom. `seq` is the seq of its first change.
CREATE TABLE IF NOT EXISTS commits (
    seq INTEGER PRIMARY KEY,
    ts INTEGER NOT NULL,
    actor TEXT NOT NULL
);
-- The change log is also the table of assets: the change that holds a live asset's current
-- definition has `live` = 1 (NULL on every other change), and `ord` is the asset's
-- position, the seq of the change that added it, kept by its updates.
CREATE TABLE IF NOT EXISTS changes (
    seq INTEGER PRIMARY KEY,
    commit_seq INTEGER NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    asset TEXT,
    rev_before INTEGER,
    rev_after INTEGER,
    data TEXT,
    ord INTEGER,
    live INTEGER CHECK (live = 1)
);
-- One index for an asset's history and its live change: NULLs are distinct in a unique
-- index, so only a second live change of one asset collides.
CREATE UNIQUE INDEX IF NOT EXISTS changes_asset ON changes (source, asset, live)
    WHERE asset IS NOT NULL;
";

/// Version 1 kept live assets in a table of their own, pointing at their changes, and the
/// time and actor on every change.
const UPGRADE_FROM_1: &str = "
CREATE TABLE commits (seq INTEGER PRIMARY KEY, ts INTEGER NOT NULL, actor TEXT NOT NULL);
INSERT INTO commits (seq, ts, actor)
    SELECT commit_seq, MIN(ts), MIN(actor) FROM changes GROUP BY commit_seq;
ALTER TABLE changes ADD COLUMN ord INTEGER;
ALTER TABLE changes ADD COLUMN live INTEGER CHECK (live = 1);
UPDATE changes SET live = 1, ord = (SELECT a.ord FROM assets a WHERE a.seq = changes.seq)
    WHERE seq IN (SELECT seq FROM assets);
DROP INDEX changes_asset;
DROP TABLE assets;
ALTER TABLE changes DROP COLUMN ts;
ALTER TABLE changes DROP COLUMN actor;
CREATE UNIQUE INDEX changes_asset ON changes (source, asset, live) WHERE asset IS NOT NULL;
UPDATE easel_meta SET value = '2' WHERE key = 'schema_version';
";

/// The write-ahead log is copied into the database by a thread of its own (not inside a
/// commit) once a commit leaves it holding this many pages (SQLite's own threshold).
const CHECKPOINT_PAGES: std::ffi::c_int = 1000;

/// The identity of the file a store opened, to notice it vanish or be replaced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId {
    #[cfg(unix)]
    dev: u64,
    #[cfg(unix)]
    ino: u64,
}

fn file_id(path: &Path) -> Option<FileId> {
    let meta = std::fs::metadata(path).ok()?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        Some(FileId {
            dev: meta.dev(),
            ino: meta.ino(),
        })
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        Some(FileId {})
    }
}

/// A SQLite database holding a store's change log.
pub struct SqliteLog {
    path: PathBuf,
    location: String,
    conn: Mutex<Connection>,
    /// A second connection only for noticing other processes' commits.
    watch: Mutex<Connection>,
    /// Kept for its thread, which it stops when dropped (after the connections above).
    _checkpointer: Checkpointer,
    file: Option<FileId>,
    options: SqliteOptions,
    /// The snapshot read (and checked) at open, handed to the store once.
    opened: Mutex<Option<Snapshot>>,
}

impl std::fmt::Debug for SqliteLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLog")
            .field("path", &self.path)
            .finish()
    }
}

/// An open error for `location`, by kind.
fn open_error(location: &str, e: &rusqlite::Error) -> Error {
    let message = e.to_string();
    let short_read = matches!(e, rusqlite::Error::SqliteFailure(f, _)
        if f.extended_code == rusqlite::ffi::SQLITE_IOERR_SHORT_READ);
    match e.sqlite_error_code() {
        _ if short_read => Error::Inconsistent {
            location: location.to_string(),
            message: format!("{message}: the file is shorter than its pages (truncated)"),
        },
        Some(ErrorCode::NotADatabase) => Error::NotADatabase {
            path: location.to_string(),
            message,
        },
        Some(ErrorCode::DatabaseCorrupt) => Error::Inconsistent {
            location: location.to_string(),
            message,
        },
        Some(ErrorCode::ReadOnly) => Error::ReadOnly {
            location: location.to_string(),
            message,
        },
        Some(ErrorCode::CannotOpen) if message.contains("readonly") => Error::ReadOnly {
            location: location.to_string(),
            message,
        },
        _ => Error::Unavailable {
            location: location.to_string(),
            message,
        },
    }
}

/// Where SQLite keeps the write-ahead log of the database at `path`.
fn wal_path(path: &Path) -> PathBuf {
    let mut wal = path.as_os_str().to_owned();
    wal.push("-wal");
    PathBuf::from(wal)
}

/// Refuses a file shorter than the pages its header counts (truncated: the pages a scan of
/// the tables does not touch, such as index pages, would be found missing only later).
/// Pages may also live in the write-ahead log, so only a file without one is judged.
fn check_length(conn: &Connection, path: &Path, location: &str) -> Result<()> {
    let pragma = |name: &str| -> Result<i64> {
        conn.query_row(&format!("PRAGMA {name}"), [], |r| r.get(0))
            .map_err(|e| open_error(location, &e))
    };
    let wal_len = std::fs::metadata(wal_path(path)).map_or(0, |m| m.len());
    let file_len = std::fs::metadata(path).map_or(0, |m| m.len());
    let expected = (pragma("page_count")? * pragma("page_size")?) as u64;
    if wal_len == 0 && file_len < expected {
        return Err(Error::Inconsistent {
            location: location.to_string(),
            message: format!(
                "the file has {file_len} bytes but its header counts {expected} (truncated)"
            ),
        });
    }
    Ok(())
}

/// The schema version of the file, if it has one.
fn schema_version(conn: &Connection, location: &str) -> Result<Option<u32>> {
    let version: Option<String> = conn
        .query_row(
            "SELECT value FROM easel_meta WHERE key = 'schema_version'",
            [],
            |r| r.get(0),
        )
        .optional()
        .or_else(|e| match &e {
            rusqlite::Error::SqliteFailure(_, Some(m)) if m.contains("no such table") => Ok(None),
            _ => Err(open_error(location, &e)),
        })?;
    version
        .map(|v| {
            v.parse().map_err(|_| Error::Inconsistent {
                location: location.to_string(),
                message: format!("schema version `{v}` is not a number"),
            })
        })
        .transpose()
}

/// Creates the schema in a new file, upgrades a version 1 file, and refuses any other
/// version. Both happen under the write lock, so processes opening one file at once agree.
fn prepare_schema(conn: &Connection, location: &str) -> Result<()> {
    if schema_version(conn, location)? == Some(SCHEMA_VERSION) {
        return Ok(());
    }
    let failed = |e: rusqlite::Error| open_error(location, &e);
    conn.execute_batch("BEGIN IMMEDIATE").map_err(failed)?;
    let result = match schema_version(conn, location) {
        Ok(None) => conn
            .execute_batch(&format!(
                "{SCHEMA} INSERT INTO easel_meta (key, value) \
                 VALUES ('schema_version', '{SCHEMA_VERSION}');"
            ))
            .map_err(failed),
        Ok(Some(1)) => check_version_1(conn, location)
            .and_then(|()| conn.execute_batch(UPGRADE_FROM_1).map_err(failed)),
        Ok(Some(SCHEMA_VERSION)) => Ok(()),
        Ok(Some(found)) => Err(Error::UnknownSchemaVersion {
            location: location.to_string(),
            found,
            supported: SCHEMA_VERSION,
        }),
        Err(e) => Err(e),
    };
    match result {
        Ok(()) => conn.execute_batch("COMMIT").map_err(|e| {
            let _ = conn.execute_batch("ROLLBACK");
            failed(e)
        }),
        Err(e) => {
            let _ = conn.execute_batch("ROLLBACK");
            Err(e)
        }
    }
}

/// Refuses to upgrade a version 1 file whose assets table disagrees with its change log:
/// every live asset must name the change that holds its definition at its revision.
fn check_version_1(conn: &Connection, location: &str) -> Result<()> {
    let disagreeing: Option<(String, String, i64, i64)> = conn
        .query_row(
            "SELECT a.source, a.id, a.revision, a.seq FROM assets a \
             LEFT JOIN changes c ON c.seq = a.seq \
             WHERE c.seq IS NULL OR c.source IS NOT a.source OR c.asset IS NOT a.id \
                OR c.rev_after IS NOT a.revision OR c.data IS NULL \
                OR c.kind NOT IN ('assetAdded', 'assetUpdated') \
             LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
        )
        .optional()
        .map_err(|e| open_error(location, &e))?;
    match disagreeing {
        None => Ok(()),
        Some((source, id, revision, seq)) => Err(Error::Inconsistent {
            location: location.to_string(),
            message: format!(
                "asset `{id}` of source `{source}` is at revision {revision}, but change {seq} \
                 of the log does not record that (found upgrading schema version 1 to \
                 {SCHEMA_VERSION}; the file is left as it was)"
            ),
        }),
    }
}

/// A thread that copies the write-ahead log into the database (a PASSIVE checkpoint, which
/// never blocks readers or writers) when a commit leaves it large, on a connection of its
/// own, so that no commit pays for it. Ends when its log is dropped.
struct Checkpointer {
    wake: Option<std::sync::mpsc::SyncSender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Checkpointer {
    /// Starts the thread and has `writer`'s commits wake it instead of checkpointing
    /// themselves; without a thread, commits keep checkpointing as SQLite does by default.
    fn start(conn: Connection, writer: &mut Connection) -> Checkpointer {
        let (wake, woken) = std::sync::mpsc::sync_channel::<()>(1);
        let spawned = std::thread::Builder::new()
            .name("easel-sqlite-checkpoint".into())
            .spawn(move || {
                while woken.recv().is_ok() {
                    // A failed checkpoint leaves the frames in the log, where readers find
                    // them; the next wake tries again.
                    let _ = conn.execute_batch("PRAGMA wal_checkpoint(PASSIVE)");
                }
            });
        let Ok(thread) = spawned else {
            return Checkpointer {
                wake: None,
                thread: None,
            };
        };
        let hook_wake = wake.clone();
        let hooked = writer.wal_hook(Some(
            move |_: &mut rusqlite::hooks::Wal, pages: std::ffi::c_int| {
                if pages >= CHECKPOINT_PAGES {
                    // Full means a wake is already pending.
                    let _ = hook_wake.try_send(());
                }
                Ok(())
            },
        ));
        if hooked.is_err() {
            // Commits checkpoint themselves again (the hook replaced SQLite's, if at all).
            let _ = writer.execute_batch("PRAGMA wal_autocheckpoint=1000");
        }
        Checkpointer {
            wake: Some(wake),
            thread: Some(thread),
        }
    }
}

impl Drop for Checkpointer {
    fn drop(&mut self) {
        self.wake = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

impl SqliteLog {
    /// Opens (creating if needed) the database at `path` and checks it: its schema
    /// version (a version 1 file is upgraded in place, in one transaction), and that its
    /// tables and change log agree.
    pub fn open(path: impl AsRef<Path>, options: SqliteOptions) -> Result<SqliteLog> {
        let path = path.as_ref().to_path_buf();
        let location = path.display().to_string();
        if path.is_dir() {
            return Err(Error::Unavailable {
                location,
                message: "it is a directory".into(),
            });
        }
        let connect = || -> Result<Connection> {
            let conn = Connection::open_with_flags(
                &path,
                OpenFlags::SQLITE_OPEN_READ_WRITE
                    | OpenFlags::SQLITE_OPEN_CREATE
                    | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )
            .map_err(|e| open_error(&location, &e))?;
            conn.busy_timeout(options.busy_timeout)
                .map_err(|e| open_error(&location, &e))?;
            // WAL lets readers and one writer work at once across processes; FULL makes a
            // commit durable when it returns.
            let mode: String = conn
                .query_row("PRAGMA journal_mode=WAL", [], |r| r.get(0))
                .map_err(|e| open_error(&location, &e))?;
            if !mode.eq_ignore_ascii_case("wal") {
                return Err(Error::ReadOnly {
                    location: location.clone(),
                    message: format!("cannot switch to WAL mode (journal mode is {mode})"),
                });
            }
            conn.execute_batch("PRAGMA synchronous=FULL;")
                .map_err(|e| open_error(&location, &e))?;
            Ok(conn)
        };
        let mut conn = connect()?;
        prepare_schema(&conn, &location)?;
        check_length(&conn, &path, &location)?;
        let watch = connect()?;
        let checkpointer = Checkpointer::start(connect()?, &mut conn);
        let log = SqliteLog {
            file: file_id(&path),
            path,
            location: location.clone(),
            conn: Mutex::new(conn),
            watch: Mutex::new(watch),
            _checkpointer: checkpointer,
            options,
            opened: Mutex::new(None),
        };
        let snapshot = log.read_snapshot().map_err(|e| match e {
            AssetError::Storage { message, .. } => Error::Inconsistent {
                location: location.clone(),
                message,
            },
            other => Error::Assets(other),
        })?;
        *lock(&log.opened) = Some(snapshot);
        Ok(log)
    }

    fn storage(&self, e: rusqlite::Error) -> AssetError {
        match e.sqlite_error_code() {
            Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => AssetError::Busy {
                location: self.location.clone(),
                waited_ms: self.options.busy_timeout.as_millis() as u64,
            },
            _ => AssetError::Storage {
                location: self.location.clone(),
                message: e.to_string(),
            },
        }
    }

    /// Writes must not go to a file that was deleted or replaced since it was opened: they
    /// would be lost.
    fn check_file(&self) -> AssetResult<()> {
        if self.file.is_some() && file_id(&self.path) != self.file {
            return Err(AssetError::Storage {
                location: self.location.clone(),
                message: "the database file was deleted or replaced since it was opened; \
                          the sources stay readable in memory, writes are refused"
                    .into(),
            });
        }
        Ok(())
    }

    /// The stored state, checked: every asset's definition is the change it names.
    fn read_snapshot(&self) -> AssetResult<Snapshot> {
        let conn = lock(&self.conn);
        let db = |e| self.storage(e);
        let seq: i64 = conn
            .query_row("SELECT COALESCE(MAX(seq), 0) FROM changes", [], |r| {
                r.get(0)
            })
            .map_err(db)?;
        let mut snapshot = SnapshotBuilder::new(&self.location);
        {
            let mut stmt = conn
                .prepare("SELECT id, options FROM sources ORDER BY ord")
                .map_err(db)?;
            let mut rows = stmt.query([]).map_err(db)?;
            while let Some(r) = rows.next().map_err(db)? {
                snapshot.source(r.get(0).map_err(db)?, &r.get::<_, String>(1).map_err(db)?)?;
            }
        }
        // The live changes, in seq order: the snapshot puts them in `ord` order.
        let mut stmt = conn
            .prepare(
                "SELECT source, COALESCE(asset, ''), COALESCE(rev_after, 0), seq, source, asset, \
                 rev_after, kind, data, COALESCE(ord, seq) FROM changes WHERE live = 1",
            )
            .map_err(db)?;
        let mut rows = stmt.query([]).map_err(db)?;
        let u = |v: i64| v as u64;
        while let Some(r) = rows.next().map_err(db)? {
            snapshot.asset(AssetRow {
                source: r.get(0).map_err(db)?,
                id: r.get(1).map_err(db)?,
                revision: u(r.get(2).map_err(db)?),
                seq: u(r.get(3).map_err(db)?),
                change_source: r.get(4).map_err(db)?,
                change_asset: r.get(5).map_err(db)?,
                change_revision: r.get::<_, Option<i64>>(6).map_err(db)?.map(u),
                change_kind: r.get(7).map_err(db)?,
                data: r.get(8).map_err(db)?,
                ord: r.get(9).map_err(db)?,
            })?;
        }
        Ok(snapshot.finish(seq as u64))
    }

    fn trim(&self, conn: &Connection, last: u64) -> AssetResult<()> {
        if let Some(keep) = self.options.keep_changes
            && last > keep
        {
            // A commit's changes have consecutive seqs from its own, so it has changes left
            // when the first change from its seq on is one of them.
            conn.execute_batch(&format!(
                "DELETE FROM changes WHERE seq <= {cut} AND live IS NULL; \
                 DELETE FROM commits WHERE seq <= {cut} AND (SELECT commit_seq FROM changes \
                 WHERE seq >= commits.seq ORDER BY seq LIMIT 1) IS NOT commits.seq;",
                cut = last - keep
            ))
            .map_err(|e| self.storage(e))?;
        }
        Ok(())
    }
}

/// The stored state as a commit's transaction sees it.
struct SqliteState<'t> {
    tx: &'t rusqlite::Transaction<'t>,
    log: &'t SqliteLog,
}

impl StoredState for SqliteState<'_> {
    fn assets_of(&mut self, source: &str) -> AssetResult<Vec<(String, u64)>> {
        let db = |e| self.log.storage(e);
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT asset, rev_after FROM changes \
                 WHERE source = ?1 AND asset IS NOT NULL AND live = 1 ORDER BY ord",
            )
            .map_err(db)?;
        let rows = stmt
            .query_map([source], |r| {
                Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64))
            })
            .map_err(db)?;
        rows.map(|r| r.map_err(db)).collect()
    }

    fn source_exists(&mut self, id: &str) -> AssetResult<bool> {
        let mut stmt = self
            .tx
            .prepare_cached("SELECT 1 FROM sources WHERE id = ?1")
            .map_err(|e| self.log.storage(e))?;
        stmt.exists([id]).map_err(|e| self.log.storage(e))
    }

    fn revision(&mut self, source: &str, asset: &str) -> AssetResult<Option<u64>> {
        let mut stmt = self
            .tx
            .prepare_cached(
                "SELECT rev_after FROM changes WHERE source = ?1 AND asset = ?2 AND live = 1",
            )
            .map_err(|e| self.log.storage(e))?;
        stmt.query_row([source, asset], |r| r.get::<_, i64>(0))
            .optional()
            .map(|r| r.map(|v| v as u64))
            .map_err(|e| self.log.storage(e))
    }

    fn next_source_ord(&mut self) -> AssetResult<i64> {
        self.tx
            .query_row("SELECT COALESCE(MAX(ord), -1) + 1 FROM sources", [], |r| {
                r.get(0)
            })
            .map_err(|e| self.log.storage(e))
    }

    fn next_asset_ord(&mut self, _source: &str) -> AssetResult<i64> {
        // Unused: an asset's position here is the seq of the change that adds it, which
        // orders assets across all sources (see `commit`).
        Ok(0)
    }
}

impl ChangeLog for SqliteLog {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn commit(&self, op: &StoreOp, actor: &str) -> AssetResult<Committed> {
        self.check_file()?;
        let db = |e| self.storage(e);
        let mut conn = lock(&self.conn);
        let tx = conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(db)?;
        let plan = plan::plan(op, &mut SqliteState { tx: &tx, log: self }, &self.location)?;
        let first: i64 = tx
            .query_row("SELECT COALESCE(MAX(seq), 0) + 1 FROM changes", [], |r| {
                r.get(0)
            })
            .map_err(db)?;
        let ts = easel_assets::now_ms() as i64;
        // The position of each change that becomes live: an added asset's is its own seq,
        // an updated one keeps the position of the change it retires.
        let mut live: Vec<Option<i64>> = vec![None; plan.changes.len()];
        {
            let mut retire = tx
                .prepare_cached(
                    "UPDATE changes SET live = NULL \
                     WHERE source = ?1 AND asset = ?2 AND live = 1 RETURNING ord",
                )
                .map_err(db)?;
            for w in &plan.writes {
                match *w {
                    RowWrite::AddSource {
                        id,
                        ord,
                        ref options,
                    } => {
                        tx.execute(
                            "INSERT INTO sources (id, ord, options) VALUES (?1, ?2, ?3)",
                            params![id, ord, options],
                        )
                        .map_err(db)?;
                    }
                    RowWrite::RemoveSource { id } => {
                        tx.execute(
                            "UPDATE changes SET live = NULL \
                             WHERE source = ?1 AND asset IS NOT NULL AND live = 1",
                            [id],
                        )
                        .map_err(db)?;
                        tx.execute("DELETE FROM sources WHERE id = ?1", [id])
                            .map_err(db)?;
                    }
                    RowWrite::AddAsset { change, .. } => {
                        live[change] = Some(first + change as i64);
                    }
                    RowWrite::SetRevision {
                        source, id, change, ..
                    } => {
                        let ord: Option<Option<i64>> = retire
                            .query_row([source, id], |r| r.get(0))
                            .optional()
                            .map_err(db)?;
                        live[change] = Some(ord.flatten().unwrap_or(first + change as i64));
                    }
                    RowWrite::RemoveAsset { source, ref id } => {
                        retire
                            .query_row([source, id.as_ref()], |_| Ok(()))
                            .optional()
                            .map_err(db)?;
                    }
                }
            }
            tx.prepare_cached("INSERT INTO commits (seq, ts, actor) VALUES (?1, ?2, ?3)")
                .and_then(|mut s| s.execute(params![first, ts, actor]))
                .map_err(db)?;
            let mut insert = tx
                .prepare_cached(
                    "INSERT INTO changes (seq, commit_seq, kind, source, asset, rev_before, \
                     rev_after, data, ord, live) \
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                )
                .map_err(db)?;
            for ((i, c), ord) in plan.changes.iter().enumerate().zip(&live) {
                insert
                    .execute(params![
                        first + i as i64,
                        first,
                        codec::kind_name(c.kind),
                        c.source,
                        c.asset,
                        c.before.map(|v| v as i64),
                        c.after.map(|v| v as i64),
                        c.data,
                        ord,
                        ord.map(|_| 1),
                    ])
                    .map_err(|e| match (e.sqlite_error_code(), &c.asset) {
                        // The one unique key a change can collide on: a second live change
                        // of one asset.
                        (Some(ErrorCode::ConstraintViolation), Some(asset)) => {
                            AssetError::DuplicateAsset {
                                source_id: c.source.to_string(),
                                asset: asset.to_string(),
                            }
                        }
                        _ => db(e),
                    })?;
            }
        }
        self.trim(
            &tx,
            (first as u64 + plan.changes.len() as u64).saturating_sub(1),
        )?;
        tx.commit().map_err(db)?;
        Ok(Committed {
            first_seq: first as u64,
            timestamp_ms: ts as u64,
        })
    }

    fn changes(&self, since: u64, limit: usize) -> AssetResult<Vec<Change>> {
        let conn = lock(&self.conn);
        let db = |e| self.storage(e);
        let mut stmt = conn
            .prepare_cached(&format!(
                "{SELECT_CHANGES} WHERE c.seq > ?1 ORDER BY c.seq LIMIT ?2"
            ))
            .map_err(db)?;
        let rows = stmt
            .query_map(
                params![since as i64, limit.min(i64::MAX as usize) as i64],
                row,
            )
            .map_err(db)?;
        rows.map(|r| r.map_err(db).and_then(|r| r.into_change(&self.location)))
            .collect()
    }

    fn changes_for_asset(&self, source: &str, asset: &str) -> AssetResult<Vec<Change>> {
        let conn = lock(&self.conn);
        let db = |e| self.storage(e);
        let mut stmt = conn
            .prepare_cached(&format!(
                "{SELECT_CHANGES} WHERE c.source = ?1 AND c.asset = ?2 ORDER BY c.seq"
            ))
            .map_err(db)?;
        let rows = stmt.query_map([source, asset], row).map_err(db)?;
        rows.map(|r| r.map_err(db).and_then(|r| r.into_change(&self.location)))
            .collect()
    }

    fn snapshot(&self) -> AssetResult<Snapshot> {
        if let Some(s) = lock(&self.opened).take() {
            return Ok(s);
        }
        self.read_snapshot()
    }

    fn wait(&self, _since: u64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let version = |conn: &Connection| -> Option<i64> {
            conn.query_row("PRAGMA data_version", [], |r| r.get(0)).ok()
        };
        let start = version(&lock(&self.watch));
        while Instant::now() < deadline {
            std::thread::sleep(self.options.poll_interval);
            if version(&lock(&self.watch)) != start {
                return;
            }
        }
    }
}

/// Change rows with their commit's time and actor, in the columns [`row`] reads.
const SELECT_CHANGES: &str = "SELECT c.seq, c.commit_seq, m.ts, m.actor, c.kind, c.source, \
     c.asset, c.rev_before, c.rev_after, c.data \
     FROM changes c LEFT JOIN commits m ON m.seq = c.commit_seq";

fn row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Row> {
    let u = |v: Option<i64>| v.map(|v| v as u64);
    Ok(Row {
        seq: r.get::<_, i64>(0)? as u64,
        commit: r.get::<_, i64>(1)? as u64,
        timestamp_ms: r.get::<_, i64>(2)? as u64,
        actor: r.get(3)?,
        kind: r.get(4)?,
        source: r.get(5)?,
        asset: r.get(6)?,
        revision_before: u(r.get(7)?),
        revision_after: u(r.get(8)?),
        data: r.get(9)?,
    })
}

/// Opens (creating if needed) a durable store in the SQLite file at `path`, its changes
/// attributed to `actor`.
pub fn open_sqlite(path: impl AsRef<Path>, actor: &str) -> Result<AssetStore> {
    open_sqlite_with(path, actor, SqliteOptions::default())
}

/// [`open_sqlite`] with options.
pub fn open_sqlite_with(
    path: impl AsRef<Path>,
    actor: &str,
    options: SqliteOptions,
) -> Result<AssetStore> {
    let log = SqliteLog::open(path, options)?;
    Ok(AssetStore::with_log(std::sync::Arc::new(log), actor)?)
}
