//! The history store: conversations, their branching messages, attachments,
//! search and usage, in one SQLite file.
//!
//! Everything is synchronous: the app keeps the [`Store`] in an
//! `Arc<Mutex<Store>>` and calls it from `spawn_blocking`; the CLI calls it
//! directly. Every public write is its own transaction, so a user's message is
//! durable as soon as `append_message` returns. See `docs/HISTORY.md`.

mod attachments;
mod connection;
mod conversations;
mod error;
mod export;
mod messages;
pub mod migrations;
pub mod owner;
mod search;
mod shared;
mod title;
pub mod types;
pub mod usage;

use std::collections::HashMap;
use std::panic::{AssertUnwindSafe, catch_unwind, resume_unwind};
use std::path::{Path, PathBuf};
use std::time::{SystemTime, UNIX_EPOCH};

use rusqlite::{Connection, TransactionBehavior};

use crate::api::models::Pricing;

pub use connection::backup_path;
pub use error::{Result, StoreError};
pub use export::{CONVERSATION_FORMAT, EXPORT_VERSION, ExportFormat, HISTORY_FORMAT, ImportPlan};
pub use migrations::SCHEMA_VERSION;
pub(crate) use search::strip_markers;
pub use search::{SEARCH_WINDOW, SNIPPET_END, SNIPPET_START, fts_query};
pub use shared::{IMPORT_BATCH_MESSAGES, SharedStore};
pub use title::{DEFAULT_TITLE, title_from_first_exchange};
pub use types::*;

type Clock = Box<dyn Fn() -> Timestamp + Send>;

/// The open history. `Send` (not `Sync`): share it behind a mutex.
pub struct Store {
    conn: Connection,
    clock: Clock,
    path: Option<PathBuf>,
    /// Prices per model id, for the cost in usage records.
    pricing: HashMap<String, Pricing>,
    search_window: u32,
    /// Stamped on the replies this store streams (see [`owner`]).
    owner: String,
    /// Set on a newer app's history: the schema version it has.
    read_only: Option<usize>,
}

/// Deleting a conversation is undoable for this long (30 days), then
/// [`Store::open_for_app`] removes it for good.
pub const PURGE_AFTER_MS: i64 = 30 * 24 * 60 * 60 * 1000;

/// Something the user must be told about how the history was opened.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum HistoryNotice {
    /// The file was damaged: it was moved to `moved_to` and a new, empty
    /// history started.
    MovedAside { moved_to: String },
    /// A newer app wrote it: it can be read, not written.
    ReadOnly { found: usize, supported: usize },
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store").field("path", &self.path).finish()
    }
}

/// Now, as the history's timestamps count it: milliseconds since the epoch.
pub fn now_ms() -> Timestamp {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| i64::try_from(d.as_millis()).unwrap_or(i64::MAX))
        .unwrap_or(0)
}

impl Store {
    /// Opens (creating it and its folders if needed) and upgrades the history
    /// at `path`. An older database is first copied to
    /// [`backup_path`]`(path, old_version)`; a newer one is refused untouched
    /// with [`StoreError::NewerSchema`]. Costs the same whatever the size of
    /// the history: nothing here reads the tables.
    pub fn open(path: &Path) -> Result<Self> {
        Ok(Self::with_connection(
            connection::open_file(path)?,
            Some(path),
        ))
    }

    /// A private, empty history (tests, `--no-history` runs).
    pub fn open_in_memory() -> Result<Self> {
        Ok(Self::with_connection(connection::open_memory()?, None))
    }

    /// A reader beside the writer of the history at `path` (which must be
    /// open and current): see [`SharedStore`].
    pub fn open_reader(path: &Path) -> Result<Self> {
        Ok(Self::with_connection(
            connection::open_reader(path)?,
            Some(path),
        ))
    }

    /// Opens the history as the app does at start-up, so that the app always
    /// starts: a current or older history opens as [`Store::open`] does; a
    /// newer app's opens read-only; a damaged file is moved aside (never
    /// deleted) and a fresh history starts. The notice says which, for the
    /// user. Errors that waiting or freeing space can cure (locked, disk
    /// full, no permission) are returned as they are.
    ///
    /// Then replies whose writer died become interrupted with whatever was
    /// checkpointed (a CLI still streaming keeps its reply), and conversations
    /// deleted over [`PURGE_AFTER_MS`] ago really go. Neither is worth
    /// failing start-up for (the history may be busy in another process):
    /// both run again at the next start.
    pub fn open_for_app(path: &Path) -> Result<(Self, Option<HistoryNotice>)> {
        let (mut store, notice) = match Self::open(path) {
            Ok(store) => (store, None),
            Err(StoreError::NewerSchema { found, supported }) => {
                let mut store =
                    Self::with_connection(connection::open_read_only(path)?, Some(path));
                store.read_only = Some(found);
                let notice = HistoryNotice::ReadOnly { found, supported };
                return Ok((store, Some(notice)));
            }
            Err(e) if e.is_damaged_file() => {
                let moved = connection::move_aside(path, now_ms() / 1000)?;
                tracing::error!(error = %e, moved_to = %moved.display(), "history damaged; moved aside");
                let moved_to = moved.display().to_string();
                (
                    Self::open(path)?,
                    Some(HistoryNotice::MovedAside { moved_to }),
                )
            }
            Err(e) => return Err(e),
        };
        match store.recover_interrupted() {
            Ok(n) if n > 0 => tracing::info!(recovered = n, "marked interrupted replies"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not recover interrupted replies"),
        }
        match store.purge_deleted(now_ms() - PURGE_AFTER_MS) {
            Ok(n) if n > 0 => tracing::info!(purged = n, "purged old deletions"),
            Ok(_) => {}
            Err(e) => tracing::warn!(error = %e, "could not purge old deletions"),
        }
        Ok((store, notice))
    }

    fn with_connection(conn: Connection, path: Option<&Path>) -> Self {
        Self {
            conn,
            clock: Box::new(now_ms),
            path: path.map(ToOwned::to_owned),
            pricing: HashMap::new(),
            search_window: search::SEARCH_WINDOW,
            owner: owner::current().to_owned(),
            read_only: None,
        }
    }

    /// Whether writes are refused (a newer app's history).
    pub fn is_read_only(&self) -> bool {
        self.read_only.is_some()
    }

    fn check_writable(&self) -> Result<()> {
        match self.read_only {
            Some(found) => Err(StoreError::ReadOnly {
                found,
                supported: SCHEMA_VERSION,
            }),
            None => Ok(()),
        }
    }

    /// The file, or `None` in memory.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }

    /// Replaces the wall clock that stamps `created_at`, `updated_at` and
    /// the rest: tests pin time, the benchmark spreads a synthetic history over
    /// years.
    pub fn set_clock(&mut self, clock: impl Fn() -> Timestamp + Send + 'static) {
        self.clock = Box::new(clock);
    }

    /// Replaces the process identity stamped on streaming replies: tests
    /// play a process that has since died.
    pub fn set_owner(&mut self, owner: impl Into<String>) {
        self.owner = owner.into();
    }

    /// Tells the store what models cost (from the model list), so replies
    /// finished from now on add their price to the day's usage record. A
    /// model without pricing leaves the day's cost partial, never guessed.
    pub fn set_pricing(&mut self, prices: impl IntoIterator<Item = (String, Pricing)>) {
        self.pricing = prices.into_iter().collect();
    }

    /// What reply `m` cost, from its usage and its model's price (see
    /// [`Store::set_pricing`]); `None` when either is unknown.
    pub fn cost_of(&self, m: &types::StoredMessage) -> Option<f64> {
        let pricing = self.pricing.get(m.model.as_deref()?)?;
        Some(usage::cost_usd(m.usage.as_ref()?, pricing))
    }

    fn now(&self) -> Timestamp {
        (self.clock)()
    }

    /// Runs several writes as one transaction: all of them or none. Used for
    /// bulk work (import, generating a benchmark history); the app's normal
    /// writes each commit on their own.
    pub fn batch<T>(&mut self, f: impl FnOnce(&mut Store) -> Result<T>) -> Result<T> {
        if !self.conn.is_autocommit() {
            // Already inside a batch: the outer one decides.
            return f(self);
        }
        self.check_writable()?;
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        match catch_unwind(AssertUnwindSafe(|| f(self))) {
            Ok(Ok(v)) => match self.conn.execute_batch("COMMIT") {
                Ok(()) => Ok(v),
                Err(e) => {
                    // A failed COMMIT (disk full, I/O error) leaves the
                    // transaction open; close it so the next write starts clean.
                    let _ = self.conn.execute_batch("ROLLBACK");
                    Err(e.into())
                }
            },
            Ok(Err(e)) => {
                // The error that matters is `e`; a failed rollback leaves the
                // connection in autocommit anyway once it is dropped.
                let _ = self.conn.execute_batch("ROLLBACK");
                Err(e)
            }
            Err(panic) => {
                let _ = self.conn.execute_batch("ROLLBACK");
                resume_unwind(panic)
            }
        }
    }

    /// Runs `f` in a write transaction (a savepoint inside a batch). IMMEDIATE
    /// takes the write lock up front, so another process's writer makes us
    /// wait `busy_timeout` instead of failing half-way.
    fn write<T>(&mut self, f: impl FnOnce(&Connection, Timestamp) -> Result<T>) -> Result<T> {
        self.check_writable()?;
        let now = self.now();
        if self.conn.is_autocommit() {
            let tx = self
                .conn
                .transaction_with_behavior(TransactionBehavior::Immediate)?;
            let v = f(&tx, now)?;
            tx.commit()?;
            Ok(v)
        } else {
            let sp = self.conn.savepoint()?;
            let v = f(&sp, now)?;
            sp.commit()?;
            Ok(v)
        }
    }

    /// Runs several writes as one transaction: all of them land or none.
    fn atomically<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.check_writable()?;
        if !self.conn.is_autocommit() {
            return f(self);
        }
        self.conn.execute_batch("BEGIN IMMEDIATE")?;
        let result = f(self).and_then(|v| Ok(self.conn.execute_batch("COMMIT").map(|()| v)?));
        if result.is_err() && !self.conn.is_autocommit() {
            // The error that matters is the one returned; a failed rollback
            // leaves nothing half-written either (SQLite undoes it on close).
            let _ = self.conn.execute_batch("ROLLBACK");
        }
        result
    }

    /// Changes whenever another connection (another process) commits to
    /// the file; this connection's own commits leave it as it was.
    pub fn data_version(&self) -> Result<i64> {
        Ok(self
            .conn
            .query_row("PRAGMA data_version", [], |r| r.get(0))?)
    }

    /// `PRAGMA integrity_check` and `foreign_key_check` both clean.
    pub fn integrity_check(&self) -> Result<bool> {
        let ok: String = self
            .conn
            .query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        let fk_violation = self.conn.prepare("PRAGMA foreign_key_check")?.exists([])?;
        Ok(ok == "ok" && !fk_violation)
    }

    /// The query plans (`EXPLAIN QUERY PLAN` detail lines) of every statement
    /// the app runs between start-up and showing the list and a conversation.
    /// Tests and the benchmark check that none of them scans a table, which is
    /// what keeps start-up time independent of history size.
    pub fn startup_query_plans(&self) -> Result<Vec<(&'static str, Vec<String>)>> {
        [
            ("recover_interrupted", messages::RECOVER_SQL),
            ("list_conversations", conversations::LIST_FIRST_SQL),
            (
                "list_conversations (next page)",
                conversations::LIST_AFTER_SQL,
            ),
            ("get_conversation", conversations::GET_SQL),
            ("open_page", messages::GET_SQL),
            ("purge_deleted", conversations::PURGE_CHECK_SQL),
        ]
        .into_iter()
        .map(|(name, sql)| Ok((name, self.query_plan(sql)?)))
        .collect()
    }

    /// The plans of the search statements, to check that matches are read
    /// newest first straight from the index, within the window.
    pub fn search_query_plans(&self) -> Result<Vec<(&'static str, Vec<String>)>> {
        [
            ("search messages", search::MESSAGE_CANDIDATES_SQL),
            ("search attachments", search::ATTACHMENT_CANDIDATES_SQL),
            ("search messages, filtered window", search::MESSAGE_HITS_SQL),
            (
                "search attachments, filtered window",
                search::ATTACHMENT_HITS_SQL,
            ),
        ]
        .into_iter()
        .map(|(name, sql)| Ok((name, self.query_plan(sql)?)))
        .collect()
    }

    fn query_plan(&self, sql: &str) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare(&format!("EXPLAIN QUERY PLAN {sql}"))?;
        let nulls = vec![rusqlite::types::Null; stmt.parameter_count()];
        let lines = stmt
            .query_map(rusqlite::params_from_iter(nulls), |r| {
                Ok(format!(
                    "{}:{}:{}",
                    r.get::<_, i64>(0)?,
                    r.get::<_, i64>(1)?,
                    r.get::<_, String>(3)?
                ))
            })?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        Ok(lines)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn store_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<Store>();
    }
}
