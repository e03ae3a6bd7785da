//! The store's typed error and how the user sees it.

use std::path::PathBuf;

use crate::error::{AppError, ErrorCode};

#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Opened by an app that knows fewer schema versions than the file has.
    /// The database is left exactly as it was.
    #[error(
        "this history was written by a newer MegaLLM Desktop; update the app \
         (database schema version {found}, this app knows up to {supported})"
    )]
    NewerSchema { found: usize, supported: usize },

    #[error("could not create the history folder {path}: {source}")]
    CreateDir {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    #[error("could not back up the history to {path} before upgrading it: {source}")]
    Backup {
        path: PathBuf,
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },

    #[error("could not upgrade the history database: {0}")]
    Migration(#[from] rusqlite_migration::Error),

    #[error("history database error: {0}")]
    Sqlite(#[from] rusqlite::Error),

    /// The named thing (conversation, message, attachment) does not exist
    /// or belongs to a deleted conversation.
    #[error("{0} not found")]
    NotFound(&'static str),

    #[error("{0}")]
    Invalid(String),

    /// A stored value that this version cannot read (hand-edited or damaged).
    #[error("the history database holds an unreadable {what}: {detail}")]
    Corrupt { what: &'static str, detail: String },

    /// An import document that is not one this version can read.
    #[error("cannot import: {0}")]
    Import(String),

    /// A history written by a newer app, open to read only.
    #[error(
        "this history was written by a newer MegaLLM Desktop and is open read-only \
         (database schema version {found}, this app knows up to {supported})"
    )]
    ReadOnly { found: usize, supported: usize },

    #[error("could not move the damaged history to {path}: {source}")]
    MoveAside {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// Writing an export file (or another stream) failed.
    #[error("could not write: {0}")]
    Write(#[from] std::io::Error),
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

impl StoreError {
    pub(crate) fn invalid(msg: impl Into<String>) -> Self {
        Self::Invalid(msg.into())
    }

    pub(crate) fn corrupt(what: &'static str, detail: impl ToString) -> Self {
        Self::Corrupt {
            what,
            detail: detail.to_string(),
        }
    }

    /// The code the UI acts on and the sentence the user reads: what
    /// happened and what to do.
    /// Another connection held the lock SQLite needed (it gives up at once,
    /// without waiting, where waiting could deadlock).
    pub fn is_busy(&self) -> bool {
        use rusqlite::ErrorCode as Sq;
        let sqlite = match self {
            Self::Sqlite(e) => e,
            Self::Migration(rusqlite_migration::Error::RusqliteError { err, .. }) => err,
            _ => return false,
        };
        matches!(
            sqlite.sqlite_error_code(),
            Some(Sq::DatabaseBusy | Sq::DatabaseLocked)
        )
    }

    /// A failure that waiting or freeing space cures (full disk, locked).
    pub fn is_transient(&self) -> bool {
        self.to_app_error().code.cured_by_waiting()
    }

    pub fn to_app_error(&self) -> AppError {
        use rusqlite::ErrorCode as Sq;
        let (code, message) = match self {
            Self::NewerSchema { .. } => (
                ErrorCode::DatabaseNewer,
                format!(
                    "{self}. Your conversations are untouched; install the latest MegaLLM Desktop to open them."
                ),
            ),
            Self::ReadOnly { .. } => (
                ErrorCode::DatabaseNewer,
                format!(
                    "{self}, so nothing new can be saved. Install the latest MegaLLM Desktop to keep chatting."
                ),
            ),
            Self::CreateDir { path, source } => (
                io_code(source),
                format!(
                    "Could not create the history folder {}. Check that the disk is writable and has free space, then restart the app.",
                    path.display()
                ),
            ),
            Self::Backup { path, .. } => (
                ErrorCode::Storage,
                format!(
                    "Could not back up the history to {} before upgrading it, so nothing was changed. Free some disk space and restart the app.",
                    path.display()
                ),
            ),
            Self::MoveAside { path, .. } => (
                ErrorCode::Storage,
                format!(
                    "The history database is damaged and could not be moved aside to {}. Quit the app, move history.db out of the data folder yourself, and start it again.",
                    path.display()
                ),
            ),
            Self::Migration(e) => (
                ErrorCode::Storage,
                format!(
                    "Could not upgrade the history database ({e}); it was left as it was. Restart the app; if this persists, report it with this message."
                ),
            ),
            Self::Sqlite(e) => match e.sqlite_error_code() {
                Some(Sq::DatabaseBusy | Sq::DatabaseLocked) => (
                    ErrorCode::DatabaseLocked,
                    "The history is busy in another program (another MegaLLM window or the megallm command, say). Close it or wait for it to finish, then try again.".to_owned(),
                ),
                Some(Sq::DiskFull) => (
                    ErrorCode::DiskFull,
                    "The disk is full, so the history could not be saved. Free some space and try again; what was saved before is kept.".to_owned(),
                ),
                Some(Sq::ReadOnly | Sq::PermissionDenied | Sq::CannotOpen) => (
                    ErrorCode::Storage,
                    "The history database cannot be written. Check the permissions of the app's data folder and restart the app.".to_owned(),
                ),
                Some(Sq::DatabaseCorrupt | Sq::NotADatabase) => (
                    ErrorCode::Storage,
                    "The history database is damaged. Quit the app and restore a backup (history.db.backup-v*) or move the file aside to start a new history.".to_owned(),
                ),
                _ => (
                    ErrorCode::Storage,
                    format!("The history database failed ({e}). Try again; if this persists, restart the app."),
                ),
            },
            Self::NotFound(what) => (
                ErrorCode::NotFound,
                format!("That {what} no longer exists (it may have been deleted). Refresh the list."),
            ),
            Self::Invalid(msg) => (ErrorCode::InvalidInput, format!("{msg}.")),
            Self::Corrupt { what, detail } => (
                ErrorCode::Storage,
                format!(
                    "A stored {what} could not be read ({detail}). Export your history and report this."
                ),
            ),
            Self::Import(msg) => (
                ErrorCode::ImportFormat,
                format!(
                    "This file cannot be imported: {msg}. Choose a file exported by MegaLLM Desktop."
                ),
            ),
            Self::Write(e) => (
                io_code(e),
                format!("Could not write the file: {e}. Check the folder and free disk space, then try again."),
            ),
        };
        AppError::new(code, message)
    }

    /// Whether the file itself is damaged (not a database, or corrupt pages),
    /// as opposed to busy, full or unreadable for a reason outside it.
    pub fn is_damaged_file(&self) -> bool {
        matches!(self, Self::Sqlite(e) if matches!(
            e.sqlite_error_code(),
            Some(rusqlite::ErrorCode::DatabaseCorrupt | rusqlite::ErrorCode::NotADatabase)
        ))
    }
}

/// A full disk is its own case: the user can act on it.
fn io_code(e: &std::io::Error) -> ErrorCode {
    if e.kind() == std::io::ErrorKind::StorageFull {
        ErrorCode::DiskFull
    } else {
        ErrorCode::Storage
    }
}

impl From<StoreError> for AppError {
    fn from(e: StoreError) -> Self {
        e.to_app_error()
    }
}

impl From<serde_json::Error> for StoreError {
    fn from(e: serde_json::Error) -> Self {
        Self::corrupt("JSON value", e)
    }
}
