//! The server backend: a PostgreSQL database that processes on several machines share.
//!
//! The tables live in one schema (`public` unless [`PostgresOptions::schema`] says
//! otherwise), so one database can hold several independent stores. Commits are serialised
//! by a transaction-scoped advisory lock per schema, so `seq` follows commit order; a lock
//! held too long is reported as `Busy` after [`PostgresOptions::busy_timeout`]. Each commit
//! sends `NOTIFY easel_assets` (payload: the schema) as it commits; other processes `LISTEN`
//! on a second connection and read the log from their last applied `seq`, so a dropped
//! connection loses nothing: it is re-established on the next call and the log is read
//! from where it left off.

use crate::codec::{self, AssetRow, Row, SnapshotBuilder};
use crate::plan::{self, RowWrite, StoredState};
use crate::{Error, Result, lock};
use easel_assets::{
    AssetStore, Change, ChangeLog, Committed, Error as AssetError, Result as AssetResult, Snapshot,
    StoreOp,
};
use postgres::binary_copy::BinaryCopyInWriter;
use postgres::config::Host;
use postgres::error::SqlState;
use postgres::fallible_iterator::FallibleIterator;
use postgres::types::{ToSql, Type};
use postgres::{Client, Config, NoTls, Transaction};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

/// The schema version this build writes and reads.
pub const SCHEMA_VERSION: u32 = 1;

/// How a PostgreSQL store behaves.
#[derive(Clone, Debug, PartialEq)]
pub struct PostgresOptions {
    /// The schema the tables live in (created if missing): letters, digits and `_`.
    pub schema: String,
    /// How long a write waits for another process's commit lock before failing with
    /// `Busy`.
    pub busy_timeout: Duration,
    /// How long connecting may take before the server counts as down.
    pub connect_timeout: Duration,
    /// Keep only the newest this many changes (changes that still hold a live asset's
    /// definition are always kept). `None` keeps all: the audit trail is complete.
    pub keep_changes: Option<u64>,
}

impl Default for PostgresOptions {
    fn default() -> Self {
        PostgresOptions {
            schema: "public".into(),
            busy_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(5),
            keep_changes: None,
        }
    }
}

/// The notification channel every store's commits are announced on.
const CHANNEL: &str = "easel_assets";

/// Batches at least this long are written with `COPY` rather than row by row.
const COPY_FROM: usize = 32;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS easel_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS easel_sources (id TEXT PRIMARY KEY, ord BIGINT NOT NULL, options TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS easel_assets (
    source TEXT NOT NULL,
    id TEXT NOT NULL,
    ord BIGINT NOT NULL,
    revision BIGINT NOT NULL,
    seq BIGINT NOT NULL,
    PRIMARY KEY (source, id)
);
CREATE INDEX IF NOT EXISTS easel_assets_order ON easel_assets (source, ord);
CREATE TABLE IF NOT EXISTS easel_changes (
    seq BIGINT PRIMARY KEY,
    commit_seq BIGINT NOT NULL,
    ts BIGINT NOT NULL,
    actor TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    asset TEXT,
    rev_before BIGINT,
    rev_after BIGINT,
    data TEXT
);
CREATE INDEX IF NOT EXISTS easel_changes_asset ON easel_changes (source, asset) WHERE asset IS NOT NULL;
";

const CHANGE_COLUMNS: &str =
    "seq, commit_seq, ts, actor, kind, source, asset, rev_before, rev_after, data";

/// A PostgreSQL database holding a store's change log.
pub struct PostgresLog {
    config: Config,
    location: String,
    options: PostgresOptions,
    conn: Mutex<Option<Client>>,
    /// A second connection that only listens for other processes' commits.
    listener: Mutex<Option<Client>>,
    /// The snapshot read (and checked) at open, handed to the store once.
    opened: Mutex<Option<Snapshot>>,
}

impl std::fmt::Debug for PostgresLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PostgresLog")
            .field("location", &self.location)
            .finish()
    }
}

/// `url` as messages show it: user, hosts, ports, database and schema, never the password.
fn location_of(config: &Config, schema: &str) -> String {
    let hosts: Vec<String> = config
        .get_hosts()
        .iter()
        .enumerate()
        .map(|(i, h)| {
            let host = match h {
                Host::Tcp(name) => name.clone(),
                #[cfg(unix)]
                Host::Unix(path) => path.display().to_string(),
            };
            match config.get_ports().get(i).or(config.get_ports().first()) {
                Some(port) => format!("{host}:{port}"),
                None => host,
            }
        })
        .collect();
    let user = config
        .get_user()
        .map(|u| format!("{u}@"))
        .unwrap_or_default();
    let db = config.get_dbname().unwrap_or_default();
    format!("postgres://{user}{}/{db}?schema={schema}", hosts.join(","))
}

fn valid_schema(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
        && name.len() <= 63
}

impl PostgresLog {
    /// Connects to the database at `url` (a `postgres://` URL or `key=value` settings),
    /// creates the tables if needed and checks them: their schema version, and that the
    /// tables and the change log agree. A `schema=NAME` parameter of the URL overrides
    /// [`PostgresOptions::schema`].
    pub fn open(url: &str, mut options: PostgresOptions) -> Result<PostgresLog> {
        let (url, schema) = split_schema(url);
        if let Some(schema) = schema {
            options.schema = schema;
        }
        let url = url.as_str();
        let mut config: Config = url.parse().map_err(|e| Error::Unavailable {
            location: redact(url),
            message: format!("not a PostgreSQL connection string: {e}"),
        })?;
        config.connect_timeout(options.connect_timeout);
        let location = location_of(&config, &options.schema);
        if !valid_schema(&options.schema) {
            return Err(Error::InvalidOptions {
                location,
                message: format!(
                    "schema `{}` is not a plain name (letters, digits, `_`; at most 63)",
                    options.schema
                ),
            });
        }
        let log = PostgresLog {
            config,
            location: location.clone(),
            options,
            conn: Mutex::new(None),
            listener: Mutex::new(None),
            opened: Mutex::new(None),
        };
        let unavailable = |e: postgres::Error| Error::Unavailable {
            location: location.clone(),
            message: describe(&e),
        };
        let mut client = log.connect().map_err(unavailable)?;
        log.create_schema(&mut client)?;
        *lock(&log.conn) = Some(client);
        *lock(&log.listener) = Some(log.listen().map_err(unavailable)?);
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

    /// A new connection, its `search_path` on the store's schema.
    fn connect(&self) -> std::result::Result<Client, postgres::Error> {
        let mut client = self.config.connect(NoTls)?;
        client.batch_execute(&format!(
            "SET search_path TO \"{}\"; SET lock_timeout = {}",
            self.options.schema,
            self.options.busy_timeout.as_millis().max(1)
        ))?;
        Ok(client)
    }

    fn listen(&self) -> std::result::Result<Client, postgres::Error> {
        let mut client = self.connect()?;
        client.batch_execute(&format!("LISTEN {CHANNEL}"))?;
        Ok(client)
    }

    /// Creates the schema and tables, or checks the version of the ones there.
    fn create_schema(&self, client: &mut Client) -> Result<()> {
        let location = &self.location;
        let fail = |e: postgres::Error| Error::Unavailable {
            location: location.clone(),
            message: describe(&e),
        };
        let mut tx = client.transaction().map_err(fail)?;
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('easel-assets:' || $1::text))",
            &[&self.options.schema],
        )
        .map_err(fail)?;
        let exists: Option<String> = tx
            .query_one("SELECT to_regclass('easel_meta')::text", &[])
            .and_then(|r| r.try_get(0))
            .map_err(fail)?;
        if exists.is_some() {
            let version: Option<String> = tx
                .query_opt(
                    "SELECT value FROM easel_meta WHERE key = 'schema_version'",
                    &[],
                )
                .map_err(fail)?
                .map(|r| r.try_get(0))
                .transpose()
                .map_err(fail)?;
            let version = version.ok_or_else(|| Error::Inconsistent {
                location: location.clone(),
                message: "easel_meta has no schema_version".into(),
            })?;
            let found: u32 = version.parse().map_err(|_| Error::Inconsistent {
                location: location.clone(),
                message: format!("schema version `{version}` is not a number"),
            })?;
            if found != SCHEMA_VERSION {
                return Err(Error::UnknownSchemaVersion {
                    location: location.clone(),
                    found,
                    supported: SCHEMA_VERSION,
                });
            }
            return tx.commit().map_err(fail);
        }
        tx.batch_execute(&format!(
            "CREATE SCHEMA IF NOT EXISTS \"{}\"; {SCHEMA} \
             INSERT INTO easel_meta (key, value) VALUES ('schema_version', '{SCHEMA_VERSION}') \
             ON CONFLICT DO NOTHING;",
            self.options.schema
        ))
        .map_err(|e| match e.code() {
            Some(&SqlState::INSUFFICIENT_PRIVILEGE) => Error::ReadOnly {
                location: location.clone(),
                message: describe(&e),
            },
            _ => fail(e),
        })?;
        tx.commit().map_err(fail)
    }

    fn storage(&self, e: &postgres::Error) -> AssetError {
        match e.code() {
            Some(&SqlState::LOCK_NOT_AVAILABLE) => AssetError::Busy {
                location: self.location.clone(),
                waited_ms: self.options.busy_timeout.as_millis() as u64,
            },
            _ => AssetError::Storage {
                location: self.location.clone(),
                message: describe(e),
            },
        }
    }

    /// The connection, re-established if it was lost.
    fn client(&self) -> AssetResult<MutexGuard<'_, Option<Client>>> {
        let mut guard = lock(&self.conn);
        if guard.as_ref().is_none_or(Client::is_closed) {
            *guard = None;
            *guard = Some(self.connect().map_err(|e| self.storage(&e))?);
        }
        Ok(guard)
    }

    /// Runs `f` on the connection, dropping it when `f` finds it broken.
    fn with_client<T>(&self, f: impl FnOnce(&mut Client) -> AssetResult<T>) -> AssetResult<T> {
        let mut guard = self.client()?;
        let Some(client) = guard.as_mut() else {
            return Err(AssetError::Storage {
                location: self.location.clone(),
                message: "no connection".into(),
            });
        };
        let result = f(client);
        if client.is_closed() {
            *guard = None;
        }
        result
    }

    /// The stored state, checked: every asset's definition is the change it names.
    fn read_snapshot(&self) -> AssetResult<Snapshot> {
        self.with_client(|client| {
            let db = |e: postgres::Error| self.storage(&e);
            // One consistent view of all three tables.
            let mut tx = client
                .build_transaction()
                .isolation_level(postgres::IsolationLevel::RepeatableRead)
                .read_only(true)
                .start()
                .map_err(db)?;
            let seq: i64 = tx
                .query_one("SELECT COALESCE(MAX(seq), 0) FROM easel_changes", &[])
                .and_then(|r| r.try_get(0))
                .map_err(db)?;
            let mut snapshot = SnapshotBuilder::new(&self.location);
            for r in tx.query("SELECT id, options FROM easel_sources ORDER BY ord", &[]).map_err(db)? {
                snapshot.source(r.try_get(0).map_err(db)?, r.try_get(1).map_err(db)?)?;
            }
            let mut rows = tx
                .query_raw(
                    "SELECT a.source, a.id, a.revision, a.seq, c.source, c.asset, c.rev_after, c.kind, c.data, a.ord \
                     FROM easel_assets a LEFT JOIN easel_changes c ON c.seq = a.seq ORDER BY a.source, a.ord",
                    std::iter::empty::<i64>(),
                )
                .map_err(db)?;
            let u = |v: i64| v as u64;
            while let Some(r) = rows.next().map_err(db)? {
                snapshot.asset(AssetRow {
                    source: r.try_get(0).map_err(db)?,
                    id: r.try_get(1).map_err(db)?,
                    revision: u(r.try_get(2).map_err(db)?),
                    seq: u(r.try_get(3).map_err(db)?),
                    change_source: r.try_get(4).map_err(db)?,
                    change_asset: r.try_get(5).map_err(db)?,
                    change_revision: r.try_get::<_, Option<i64>>(6).map_err(db)?.map(u),
                    change_kind: r.try_get(7).map_err(db)?,
                    data: r.try_get(8).map_err(db)?,
                    ord: r.try_get(9).map_err(db)?,
                })?;
            }
            drop(rows);
            tx.commit().map_err(db)?;
            Ok(snapshot.finish(seq as u64))
        })
    }

    fn read_changes(&self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> AssetResult<Vec<Change>> {
        self.with_client(|client| {
            let db = |e: postgres::Error| self.storage(&e);
            let rows = client.query(sql, params).map_err(db)?;
            rows.iter()
                .map(|r| {
                    row(r)
                        .map_err(db)
                        .and_then(|r| r.into_change(&self.location))
                })
                .collect()
        })
    }

    fn write(&self, tx: &mut Transaction<'_>, op: &StoreOp, actor: &str) -> AssetResult<Committed> {
        let db = |e: postgres::Error| self.storage(&e);
        tx.execute(
            "SELECT pg_advisory_xact_lock(hashtext('easel-assets:' || $1::text))",
            &[&self.options.schema],
        )
        .map_err(db)?;
        let plan = plan::plan(op, &mut PostgresState { tx, log: self }, &self.location)?;
        let first: i64 = tx
            .query_one("SELECT COALESCE(MAX(seq), 0) + 1 FROM easel_changes", &[])
            .and_then(|r| r.try_get(0))
            .map_err(db)?;
        let ts = easel_assets::now_ms() as i64;
        // The computed columns of change `i`; the others are borrowed from `c`.
        let values = |i: usize, c: &plan::NewChange<'_>| {
            let opt = |v: Option<u64>| v.map(|v| v as i64);
            (
                first + i as i64,
                codec::kind_name(c.kind),
                opt(c.before),
                opt(c.after),
            )
        };
        // The change rows.
        if plan.changes.len() >= COPY_FROM {
            let sink = tx
                .copy_in(&format!(
                    "COPY easel_changes ({CHANGE_COLUMNS}) FROM STDIN BINARY"
                ))
                .map_err(db)?;
            let types = [
                Type::INT8,
                Type::INT8,
                Type::INT8,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::TEXT,
                Type::INT8,
                Type::INT8,
                Type::TEXT,
            ];
            let mut writer = BinaryCopyInWriter::new(sink, &types);
            for (i, c) in plan.changes.iter().enumerate() {
                let (seq, kind, before, after) = values(i, c);
                let row: [&(dyn ToSql + Sync); 10] = [
                    &seq, &first, &ts, &actor, &kind, &c.source, &c.asset, &before, &after, &c.data,
                ];
                writer.write(&row).map_err(db)?;
            }
            writer.finish().map_err(db)?;
        } else {
            let insert = tx
                .prepare(&format!(
                    "INSERT INTO easel_changes ({CHANGE_COLUMNS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
                ))
                .map_err(db)?;
            for (i, c) in plan.changes.iter().enumerate() {
                let (seq, kind, before, after) = values(i, c);
                let row: [&(dyn ToSql + Sync); 10] = [
                    &seq, &first, &ts, &actor, &kind, &c.source, &c.asset, &before, &after, &c.data,
                ];
                tx.execute(&insert, &row).map_err(db)?;
            }
        }
        // Removals first (a replacement may re-add ids it removes), then new assets.
        for w in &plan.writes {
            match *w {
                RowWrite::AddSource {
                    id,
                    ord,
                    ref options,
                } => {
                    tx.execute(
                        "INSERT INTO easel_sources (id, ord, options) VALUES ($1, $2, $3)",
                        &[&id, &ord, options],
                    )
                    .map_err(db)?;
                }
                RowWrite::RemoveSource { id } => {
                    tx.execute("DELETE FROM easel_assets WHERE source = $1", &[&id])
                        .map_err(db)?;
                    tx.execute("DELETE FROM easel_sources WHERE id = $1", &[&id])
                        .map_err(db)?;
                }
                RowWrite::AddAsset { .. } => {}
                RowWrite::SetRevision {
                    source,
                    id,
                    revision,
                    change,
                } => {
                    tx.execute(
                        "UPDATE easel_assets SET revision = $3, seq = $4 WHERE source = $1 AND id = $2",
                        &[&source, &id, &(revision as i64), &(first + change as i64)],
                    )
                    .map_err(db)?;
                }
                RowWrite::RemoveAsset { source, ref id } => {
                    tx.execute(
                        "DELETE FROM easel_assets WHERE source = $1 AND id = $2",
                        &[&source, &id.as_ref()],
                    )
                    .map_err(db)?;
                }
            }
        }
        // New assets: refuse ids already stored first (by name), then write them.
        let added: Vec<(&str, &str, i64, i64)> = plan
            .writes
            .iter()
            .filter_map(|w| match *w {
                RowWrite::AddAsset {
                    source,
                    id,
                    ord,
                    change,
                } => Some((source, id, ord, first + change as i64)),
                _ => None,
            })
            .collect();
        if let Some(&(source, ..)) = added.first() {
            let ids: Vec<&str> = added.iter().map(|a| a.1).collect();
            let taken = tx
                .query_opt(
                    "SELECT id FROM easel_assets WHERE source = $1 AND id = ANY($2) LIMIT 1",
                    &[&source, &ids],
                )
                .map_err(db)?;
            if let Some(taken) = taken {
                return Err(AssetError::DuplicateAsset {
                    source_id: source.to_string(),
                    asset: taken.try_get(0).map_err(db)?,
                });
            }
        }
        if added.len() >= COPY_FROM {
            let sink = tx
                .copy_in("COPY easel_assets (source, id, ord, revision, seq) FROM STDIN BINARY")
                .map_err(db)?;
            let mut writer = BinaryCopyInWriter::new(
                sink,
                &[Type::TEXT, Type::TEXT, Type::INT8, Type::INT8, Type::INT8],
            );
            for (source, id, ord, seq) in &added {
                writer.write(&[source, id, ord, &1i64, seq]).map_err(db)?;
            }
            writer.finish().map_err(db)?;
        } else {
            for (source, id, ord, seq) in &added {
                tx.execute(
                    "INSERT INTO easel_assets (source, id, ord, revision, seq) VALUES ($1, $2, $3, 1, $4)",
                    &[source, id, ord, seq],
                )
                .map_err(db)?;
            }
        }
        let last = first + plan.changes.len() as i64 - 1;
        if let Some(keep) = self.options.keep_changes
            && last as u64 > keep
        {
            tx.execute(
                "DELETE FROM easel_changes WHERE seq <= $1 AND seq NOT IN (SELECT seq FROM easel_assets)",
                &[&(last - keep as i64)],
            )
            .map_err(db)?;
        }
        tx.execute(
            "SELECT pg_notify($1, $2)",
            &[&CHANNEL, &self.options.schema],
        )
        .map_err(db)?;
        Ok(Committed {
            first_seq: first as u64,
            timestamp_ms: ts as u64,
        })
    }
}

/// The stored state as a commit's transaction sees it.
struct PostgresState<'t, 'c> {
    tx: &'t mut Transaction<'c>,
    log: &'t PostgresLog,
}

impl PostgresState<'_, '_> {
    fn one<T: for<'a> postgres::types::FromSql<'a>>(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
    ) -> AssetResult<Option<T>> {
        let row = self
            .tx
            .query_opt(sql, params)
            .map_err(|e| self.log.storage(&e))?;
        row.map(|r| r.try_get(0))
            .transpose()
            .map_err(|e| self.log.storage(&e))
    }
}

impl StoredState for PostgresState<'_, '_> {
    fn assets_of(&mut self, source: &str) -> AssetResult<Vec<(String, u64)>> {
        let db = |e: postgres::Error| self.log.storage(&e);
        let rows = self
            .tx
            .query(
                "SELECT id, revision FROM easel_assets WHERE source = $1 ORDER BY ord",
                &[&source],
            )
            .map_err(db)?;
        rows.iter()
            .map(|r| {
                Ok((
                    r.try_get(0).map_err(db)?,
                    r.try_get::<_, i64>(1).map_err(db)? as u64,
                ))
            })
            .collect()
    }

    fn source_exists(&mut self, id: &str) -> AssetResult<bool> {
        Ok(self
            .one::<i32>("SELECT 1 FROM easel_sources WHERE id = $1", &[&id])?
            .is_some())
    }

    fn revision(&mut self, source: &str, asset: &str) -> AssetResult<Option<u64>> {
        let r = self.one::<i64>(
            "SELECT revision FROM easel_assets WHERE source = $1 AND id = $2",
            &[&source, &asset],
        )?;
        Ok(r.map(|v| v as u64))
    }

    fn next_source_ord(&mut self) -> AssetResult<i64> {
        Ok(self
            .one("SELECT COALESCE(MAX(ord), -1) + 1 FROM easel_sources", &[])?
            .unwrap_or(0))
    }

    fn next_asset_ord(&mut self, source: &str) -> AssetResult<i64> {
        let sql = "SELECT COALESCE(MAX(ord), -1) + 1 FROM easel_assets WHERE source = $1";
        Ok(self.one(sql, &[&source])?.unwrap_or(0))
    }
}

impl ChangeLog for PostgresLog {
    fn location(&self) -> String {
        self.location.clone()
    }

    fn commit(&self, op: &StoreOp, actor: &str) -> AssetResult<Committed> {
        self.with_client(|client| {
            let mut tx = client.transaction().map_err(|e| self.storage(&e))?;
            // On any error the transaction rolls back when dropped: nothing is written.
            let committed = self.write(&mut tx, op, actor)?;
            tx.commit().map(|()| committed).map_err(|e| {
                let mut error = self.storage(&e);
                if let AssetError::Storage { message, .. } = &mut error
                    && e.is_closed()
                {
                    message.push_str(
                        " (the connection was lost while committing: the change may or may not \
                         have been committed; the store reads the log either way)",
                    );
                }
                error
            })
        })
    }

    fn changes(&self, since: u64, limit: usize) -> AssetResult<Vec<Change>> {
        let limit = limit.min(i64::MAX as usize) as i64;
        self.read_changes(
            &format!(
                "SELECT {CHANGE_COLUMNS} FROM easel_changes WHERE seq > $1 ORDER BY seq LIMIT $2"
            ),
            &[&(since as i64), &limit],
        )
    }

    fn changes_for_asset(&self, source: &str, asset: &str) -> AssetResult<Vec<Change>> {
        self.read_changes(
            &format!("SELECT {CHANGE_COLUMNS} FROM easel_changes WHERE source = $1 AND asset = $2 ORDER BY seq"),
            &[&source, &asset],
        )
    }

    fn snapshot(&self) -> AssetResult<Snapshot> {
        if let Some(s) = lock(&self.opened).take() {
            return Ok(s);
        }
        self.read_snapshot()
    }

    fn wait(&self, _since: u64, timeout: Duration) {
        let deadline = Instant::now() + timeout;
        let mut guard = lock(&self.listener);
        if guard.as_ref().is_none_or(Client::is_closed) {
            // Reconnect; the caller reads the log next, so whatever was committed while
            // the connection was down is found there.
            *guard = self.listen().ok();
            if guard.is_none() {
                drop(guard);
                std::thread::sleep(timeout);
            }
            return;
        }
        let Some(client) = guard.as_mut() else {
            return;
        };
        let mut notifications = client.notifications();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match notifications.timeout_iter(left).next() {
                Ok(Some(n)) if n.payload() == self.options.schema => return,
                Ok(Some(_)) => {}
                Ok(None) | Err(_) => break,
            }
        }
    }
}

fn row(r: &postgres::Row) -> std::result::Result<Row, postgres::Error> {
    let u = |v: Option<i64>| v.map(|v| v as u64);
    Ok(Row {
        seq: r.try_get::<_, i64>(0)? as u64,
        commit: r.try_get::<_, i64>(1)? as u64,
        timestamp_ms: r.try_get::<_, i64>(2)? as u64,
        actor: r.try_get(3)?,
        kind: r.try_get(4)?,
        source: r.try_get(5)?,
        asset: r.try_get(6)?,
        revision_before: u(r.try_get(7)?),
        revision_after: u(r.try_get(8)?),
        data: r.try_get(9)?,
    })
}

/// `url` without its `schema=` query parameter, and that parameter's value.
fn split_schema(url: &str) -> (String, Option<String>) {
    let Some((base, query)) = url.split_once('?') else {
        return (url.to_string(), None);
    };
    let mut schema = None;
    let rest: Vec<&str> = query
        .split('&')
        .filter(|kv| match kv.strip_prefix("schema=") {
            Some(v) => {
                schema = Some(v.to_string());
                false
            }
            None => true,
        })
        .collect();
    match rest.is_empty() {
        true => (base.to_string(), schema),
        false => (format!("{base}?{}", rest.join("&")), schema),
    }
}

/// A driver error with its server-side detail, when there is one.
fn describe(e: &postgres::Error) -> String {
    match e.as_db_error() {
        Some(db) => match db.detail() {
            Some(detail) => format!("{}: {detail}", db.message()),
            None => db.message().to_string(),
        },
        None => e.to_string(),
    }
}

/// A connection string with any password blanked, for messages about strings that do not
/// even parse.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(scheme), Some(at)) if at > scheme => {
            let userinfo = &url[scheme + 3..at];
            let user = userinfo.split(':').next().unwrap_or_default();
            format!("{}{user}{}", &url[..scheme + 3], &url[at..])
        }
        _ if url.contains("password") => "(connection string with a password)".into(),
        _ => url.to_string(),
    }
}

/// Opens (creating the tables if needed) a durable store in the PostgreSQL database at
/// `url`, its changes attributed to `actor`.
pub fn open_postgres(url: &str, actor: &str) -> Result<AssetStore> {
    open_postgres_with(url, actor, PostgresOptions::default())
}

/// [`open_postgres`] with options.
pub fn open_postgres_with(url: &str, actor: &str, options: PostgresOptions) -> Result<AssetStore> {
    let log = PostgresLog::open(url, options)?;
    Ok(AssetStore::with_log(std::sync::Arc::new(log), actor)?)
}
