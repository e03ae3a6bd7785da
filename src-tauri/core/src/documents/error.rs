//! What can go wrong with a file, and how the user is told.

use serde::{Deserialize, Serialize};

use crate::error::{AppError, ErrorCode};

/// Why a file could not be turned into what the model reads. Every variant
/// names the file, so a message about one of many dropped files is clear.
///
/// Serialized tagged by `kind` (snake_case), because the worker process
/// sends it to the app as JSON.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DocumentError {
    #[error("“{name}” is empty")]
    Empty { name: String },

    /// Larger than [`super::MAX_FILE_BYTES`], or an image too big to decode.
    #[error("“{name}” is too large: {what}")]
    TooLarge { name: String, what: String },

    /// Not a kind of file this version reads (`what` says which kind it is).
    #[error("“{name}” is {what}, which cannot be read")]
    Unsupported { name: String, what: String },

    /// Needs a password and none was given (the empty one was tried).
    #[error("“{name}” is encrypted")]
    Encrypted { name: String },

    /// A password was given and the file does not open with it: the user
    /// should retype it, not look for a new copy of the file.
    #[error("“{name}” is encrypted and the password given is wrong")]
    WrongPassword { name: String },

    /// The bytes do not make a valid file of the kind they claim to be.
    #[error("“{name}” is damaged: {detail}")]
    Corrupt { name: String, detail: String },

    /// A valid file with nothing to read in it.
    #[error("“{name}” has no text")]
    NoText { name: String },

    /// A zip container (DOCX, XLSX, ODT...) that would unpack to far more
    /// than it holds, or to too many entries.
    #[error("“{name}” looks like a zip bomb: {detail}")]
    ZipBomb { name: String, detail: String },

    /// The worker reading it did not finish within the time limit and was
    /// stopped (see [`super::worker::DEFAULT_TIMEOUT`]).
    #[error("“{name}” took longer than {seconds} s to read and was stopped")]
    TimedOut { name: String, seconds: u64 },

    /// The worker reading it stopped without an answer: out of memory,
    /// killed by a signal, or its output was unreadable. `detail` says which.
    #[error("“{name}” could not be read: the reader stopped ({detail})")]
    Crashed { name: String, detail: String },
}

impl DocumentError {
    /// The file's name as the user gave it.
    pub fn file_name(&self) -> &str {
        match self {
            Self::Empty { name }
            | Self::TooLarge { name, .. }
            | Self::Unsupported { name, .. }
            | Self::Encrypted { name }
            | Self::WrongPassword { name }
            | Self::Corrupt { name, .. }
            | Self::NoText { name }
            | Self::ZipBomb { name, .. }
            | Self::TimedOut { name, .. }
            | Self::Crashed { name, .. } => name,
        }
    }

    /// The code the UI acts on and a sentence that says what to do.
    pub fn to_app_error(&self) -> AppError {
        let advice = match self {
            Self::Empty { .. } => "Choose the file again; it may not have finished saving.",
            Self::TooLarge { .. } => {
                "Split it into smaller files, or attach only the part you need."
            }
            Self::Unsupported { .. } => {
                "Save it as text, PDF, DOCX, ODT, XLSX, ODS, CSV, HTML, PNG or JPEG and attach that."
            }
            Self::Encrypted { .. } => "Save a copy without a password and attach that.",
            Self::WrongPassword { .. } => "Check the password and try again.",
            Self::Corrupt { .. } => {
                "Open it in the program that made it, save it again and attach the new copy."
            }
            Self::NoText { .. } => "If it is a scan, attach it as an image (PNG or JPEG) instead.",
            Self::ZipBomb { .. } => "It was not opened. Attach a file you trust.",
            Self::TimedOut { .. } => {
                "Attach a smaller part of it, or save it as text or PDF and attach that."
            }
            Self::Crashed { .. } => {
                "The app is fine. Open the file in the program that made it, save a copy and attach that, or attach it as text."
            }
        };
        // TimedOut and Crashed stay `invalid_input`: `timeout` makes the UI
        // say "try again in a moment", and the same file would fail again.
        let code = match self {
            Self::TooLarge { .. } | Self::ZipBomb { .. } => ErrorCode::TooLarge,
            _ => ErrorCode::InvalidInput,
        };
        AppError::new(code, format!("{self}. {advice}"))
    }
}

impl From<DocumentError> for AppError {
    fn from(e: DocumentError) -> Self {
        e.to_app_error()
    }
}
