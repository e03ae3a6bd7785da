//! The one error shape the UI and the command line see.
//!
//! Each module keeps its own typed error (`thiserror`); at the edge they all
//! become an [`AppError`]: a small machine-readable [`ErrorCode`] the UI turns
//! into an action (open settings, wait, retry, shorten the input) and a human
//! sentence that says what happened and what to do. Text that came from a server
//! is carried as plain text; the UI never renders it as HTML.

use serde::Serialize;
use ts_rs::TS;

/// What kind of failure this is, so the UI can offer the right next step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ErrorCode {
    /// The API key is missing or was rejected: open settings.
    Auth,
    /// The key lacks access to this model or feature.
    Permission,
    /// The account is out of credit.
    Billing,
    /// Too many requests or tokens per minute: wait `retry_after_secs`.
    RateLimit,
    /// The service is overloaded: try again shortly.
    Overloaded,
    /// The request was malformed or rejected (bad parameter, too long...).
    InvalidRequest,
    /// The request or its attachments are larger than the service accepts.
    TooLarge,
    /// The model or endpoint does not exist at this base URL.
    NotFound,
    /// The service failed (5xx).
    Server,
    /// The service could not be reached.
    Network,
    /// The service stopped answering.
    Timeout,
    /// The reply could not be understood.
    Protocol,
    /// The user stopped the reply.
    Cancelled,
    /// The local history database failed.
    Storage,
    /// A value the user gave (or a stored one it refers to) is not valid.
    InvalidInput,
    /// A file to import is not an export this version can read.
    ImportFormat,
    /// The disk is full: free space and try again; what was saved is kept.
    DiskFull,
    /// Another MegaLLM process holds the history: wait, or close it.
    DatabaseLocked,
    /// The history was written by a newer app: it is open read-only.
    DatabaseNewer,
    /// A setting is missing or invalid.
    Config,
    /// Something in the app itself went wrong.
    Internal,
}

/// An error as the user sees it.
#[derive(Debug, Clone, PartialEq, Serialize, TS, thiserror::Error)]
#[error("{message}")]
#[ts(export)]
pub struct AppError {
    pub code: ErrorCode,
    /// One or two plain-text sentences: what happened and what to do.
    pub message: String,
    /// When waiting helps, how long (seconds).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after_secs: Option<f64>,
    /// The service's request id, for a bug report.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
}

impl ErrorCode {
    /// The code as the UI and the CLI print it (`rate_limit`, `disk_full`),
    /// from its serde name, so a new code needs no second spelling.
    pub fn as_str(self) -> String {
        match serde_json::to_value(self) {
            Ok(serde_json::Value::String(s)) => s,
            _ => "internal".to_owned(),
        }
    }

    /// A storage failure that waiting or freeing space cures (a full disk,
    /// another process's lock): a write worth trying again later.
    pub fn cured_by_waiting(self) -> bool {
        matches!(self, Self::DiskFull | Self::DatabaseLocked)
    }
}

impl AppError {
    /// A bug or a broken invariant: nothing the user did, nothing to fix
    /// but a restart.
    pub fn internal() -> Self {
        Self::new(
            ErrorCode::Internal,
            "The app hit an internal error. Restart it.",
        )
    }

    /// The same code with another sentence.
    pub fn with_message(mut self, message: impl Into<String>) -> Self {
        self.message = message.into();
        self
    }

    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            retry_after_secs: None,
            request_id: None,
        }
    }
}
