//! The history as the app and the CLI share it between tasks: one writer
//! connection and a small pool of readers beside it.
//!
//! SQLite in WAL mode lets readers run while the one writer commits, so
//! browsing, search and exports never wait for a streaming reply's
//! checkpoints, and checkpoints never wait for them. Every call runs on
//! tokio's blocking pool: SQLite calls block, and the async threads (and the
//! window) must not.

use std::path::PathBuf;
use std::sync::{Arc, Mutex, MutexGuard};

use super::error::StoreError;
use super::types::{ConversationId, FinishMessage, MessageId};
use super::{ImportPlan, Store};
use crate::error::{AppError, ErrorCode};

/// Readers kept open between calls; more are opened when all are busy.
const IDLE_READERS: usize = 4;

/// Messages written per import transaction: the writer is released between
/// batches, so a big import delays a checkpoint by one batch at most.
pub const IMPORT_BATCH_MESSAGES: usize = 2_000;

/// A handle on the open history; cheap to clone.
#[derive(Clone)]
pub struct SharedStore {
    inner: Arc<Inner>,
}

struct Inner {
    writer: Mutex<Store>,
    /// Replies whose final write failed (a full disk): written before the
    /// next write, so a reply is saved whole once space returns, without a
    /// restart.
    deferred: Mutex<Vec<(MessageId, FinishMessage)>>,
    readers: Mutex<Vec<Store>>,
    /// `None` in memory: the writer then serves reads too.
    path: Option<PathBuf>,
}

impl std::fmt::Debug for SharedStore {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedStore")
            .field("path", &self.inner.path)
            .finish()
    }
}

fn poisoned() -> AppError {
    AppError::new(
        ErrorCode::Internal,
        "The history store stopped after an earlier failure. Restart the app; your history is safe on disk.",
    )
}

fn interrupted() -> AppError {
    AppError::new(
        ErrorCode::Internal,
        "A history operation was interrupted. Try again.",
    )
}

impl SharedStore {
    pub fn new(store: Store) -> Self {
        let path = store
            .path()
            .map(ToOwned::to_owned)
            .filter(|_| !store.is_read_only());
        Self {
            inner: Arc::new(Inner {
                writer: Mutex::new(store),
                deferred: Mutex::new(Vec::new()),
                readers: Mutex::new(Vec::new()),
                path,
            }),
        }
    }

    /// Runs `f` with the writer, off the async threads.
    pub async fn write<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Store) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || {
            let mut writer = inner.writer.lock().map_err(|_| poisoned())?;
            inner.write_deferred(&mut writer);
            f(&mut writer).map_err(AppError::from)
        })
        .await
        .map_err(|_| interrupted())?
    }

    /// Keeps a reply's final state whose write failed, to write it before
    /// the next write. Until then the row keeps its last checkpoint; if the
    /// process ends first, the next start marks it interrupted with that.
    pub fn finish_later(&self, id: MessageId, finish: FinishMessage) {
        if let Ok(mut d) = self.inner.deferred.lock() {
            d.retain(|(other, _)| *other != id);
            d.push((id, finish));
        }
    }

    /// Replies waiting for [`SharedStore::finish_later`]'s retry.
    pub fn deferred_finishes(&self) -> usize {
        self.inner.deferred.lock().map_or(0, |d| d.len())
    }

    /// Runs `f` on a reader connection, off the async threads. It sees the
    /// history as of its last commit and never holds up the writer.
    pub async fn read<T, F>(&self, f: F) -> Result<T, AppError>
    where
        T: Send + 'static,
        F: FnOnce(&Store) -> Result<T, StoreError> + Send + 'static,
    {
        let inner = Arc::clone(&self.inner);
        tokio::task::spawn_blocking(move || inner.read_blocking(f))
            .await
            .map_err(|_| interrupted())?
    }

    /// Imports an export document (one conversation or a whole history) in
    /// batches of about [`IMPORT_BATCH_MESSAGES`] messages, each its own
    /// transaction. Everything is checked before the first batch is written,
    /// and if a batch still fails (a full disk), the batches already written
    /// are removed again: all of the file or none of it.
    pub async fn import(&self, doc: serde_json::Value) -> Result<Vec<ConversationId>, AppError> {
        let plan = tokio::task::spawn_blocking(move || ImportPlan::new(&doc))
            .await
            .map_err(|_| interrupted())??;
        let plan = Arc::new(plan);
        let mut done = Vec::new();
        for range in plan.batches(IMPORT_BATCH_MESSAGES) {
            let part = Arc::clone(&plan);
            match self.write(move |s| s.import_part(&part, range)).await {
                Ok(ids) => done.extend(ids),
                Err(e) => {
                    let written = std::mem::take(&mut done);
                    if let Err(undo) = self.write(move |s| s.forget_imported(&written)).await {
                        tracing::error!(error = %undo, "could not remove a partial import");
                    }
                    return Err(e);
                }
            }
        }
        Ok(done)
    }

    /// The writer, for a caller already on a blocking thread (the CLI).
    pub fn lock_writer(&self) -> Result<MutexGuard<'_, Store>, AppError> {
        self.inner.writer.lock().map_err(|_| poisoned())
    }
}

impl Inner {
    fn write_deferred(&self, writer: &mut Store) {
        let Ok(mut deferred) = self.deferred.lock() else {
            return;
        };
        deferred.retain(|(id, finish)| match writer.finish_message(*id, finish) {
            Ok(()) => false,
            // Still no room (or busy): try again on the next write. Anything
            // else (the conversation was deleted meanwhile, say) settles it.
            Err(e) if e.is_transient() => {
                tracing::warn!(error = %e, message = id, "a deferred reply is still unsaved");
                true
            }
            Err(e) => {
                tracing::warn!(error = %e, message = id, "a deferred reply was dropped");
                false
            }
        });
    }

    fn read_blocking<T>(
        &self,
        f: impl FnOnce(&Store) -> Result<T, StoreError>,
    ) -> Result<T, AppError> {
        let Some(path) = &self.path else {
            let writer = self.writer.lock().map_err(|_| poisoned())?;
            return f(&writer).map_err(AppError::from);
        };
        let idle = self.readers.lock().map_err(|_| poisoned())?.pop();
        let reader = match idle {
            Some(r) => r,
            None => Store::open_reader(path)?,
        };
        let result = f(&reader).map_err(AppError::from);
        if let Ok(mut idle) = self.readers.lock()
            && idle.len() < IDLE_READERS
        {
            idle.push(reader);
        }
        result
    }
}
