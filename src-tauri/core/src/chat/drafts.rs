//! Files attached in the composer and not sent yet. They stay on the
//! backend, so a send names them by id instead of carrying megabytes back
//! through the webview, and the preview shows the very bytes that will go.

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::attachments::{AttachmentPreview, AttachmentSummary, PreparedFile, locked_summary};
use crate::error::{AppError, ErrorCode};

/// All drafts together hold at most this much (originals plus what the
/// model reads), so dropping a thousand large files cannot exhaust memory;
/// well above one message's worth of context.
pub const MAX_DRAFT_BYTES: usize = 512 * 1024 * 1024;

/// A file held for the next send, as the composer's chip shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AttachmentDraft {
    pub draft_id: String,
    pub summary: AttachmentSummary,
}

/// How to cut a draft that does not fit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum Trim {
    /// Pages `first..=last` of a PDF.
    Pages { first: u32, last: u32 },
    /// About `max` tokens of its text.
    Tokens { max: u32 },
}

pub struct DraftShelf {
    files: Mutex<HashMap<String, PreparedFile>>,
    /// Encrypted PDFs waiting for a password: name and bytes.
    locked: Mutex<HashMap<String, (String, Vec<u8>)>>,
    next: AtomicU64,
    max_bytes: usize,
}

impl Default for DraftShelf {
    fn default() -> Self {
        Self::with_limit(MAX_DRAFT_BYTES)
    }
}

fn weight(f: &PreparedFile) -> usize {
    let d = &f.document;
    f.original.len()
        + d.text.as_ref().map_or(0, String::len)
        + d.image.as_ref().map_or(0, |i| i.data.len())
}

fn full(name: &str, held: usize) -> AppError {
    AppError::new(
        ErrorCode::TooLarge,
        format!(
            "“{name}” was not attached: the files waiting to be sent already hold {} MB. \
             Send or remove some first.",
            held / (1024 * 1024)
        ),
    )
}

fn gone() -> AppError {
    AppError::new(
        ErrorCode::NotFound,
        "An attached file is no longer available. Attach it again.",
    )
}

impl DraftShelf {
    pub fn new() -> Self {
        Self::default()
    }

    /// A shelf holding at most `max_bytes` (see [`MAX_DRAFT_BYTES`]).
    pub fn with_limit(max_bytes: usize) -> Self {
        Self {
            files: Mutex::default(),
            locked: Mutex::default(),
            next: AtomicU64::new(0),
            max_bytes,
        }
    }

    fn held(&self) -> Result<usize, AppError> {
        let files = self.files.lock().map_err(|_| AppError::internal())?;
        let locked = self.locked.lock().map_err(|_| AppError::internal())?;
        Ok(files.values().map(weight).sum::<usize>()
            + locked.values().map(|(_, b)| b.len()).sum::<usize>())
    }

    fn next_id(&self) -> String {
        format!("d{}", self.next.fetch_add(1, Ordering::Relaxed) + 1)
    }

    /// Holds an encrypted PDF until the user gives its password
    /// ([`Self::unlocked`]); its chip says so.
    pub fn put_locked(&self, name: &str, bytes: Vec<u8>) -> Result<AttachmentDraft, AppError> {
        let held = self.held()?;
        if held + bytes.len() > self.max_bytes {
            return Err(full(name, held));
        }
        let draft_id = self.next_id();
        let summary = locked_summary(name, bytes.len() as u64);
        self.locked
            .lock()
            .map_err(|_| AppError::internal())?
            .insert(draft_id.clone(), (name.to_owned(), bytes));
        Ok(AttachmentDraft { draft_id, summary })
    }

    /// The name and bytes of locked draft `id`, to try a password on.
    pub fn locked(&self, id: &str) -> Result<(String, Vec<u8>), AppError> {
        self.locked
            .lock()
            .map_err(|_| AppError::internal())?
            .get(id)
            .cloned()
            .ok_or_else(gone)
    }

    /// Locked draft `id`, read with its password: a draft like any other,
    /// under the same id.
    pub fn unlocked(&self, id: &str, file: PreparedFile) -> Result<AttachmentDraft, AppError> {
        let mut locked = self.locked.lock().map_err(|_| AppError::internal())?;
        if locked.remove(id).is_none() {
            return Err(gone());
        }
        let summary = file.summary();
        self.files
            .lock()
            .map_err(|_| AppError::internal())?
            .insert(id.to_owned(), file);
        Ok(AttachmentDraft {
            draft_id: id.to_owned(),
            summary,
        })
    }

    /// Keeps `file` for a later send; refused when the shelf is full.
    pub fn put(&self, file: PreparedFile) -> Result<AttachmentDraft, AppError> {
        let held = self.held()?;
        let mut files = self.files.lock().map_err(|_| AppError::internal())?;
        if held + weight(&file) > self.max_bytes {
            return Err(full(file.name(), held));
        }
        let draft_id = self.next_id();
        let summary = file.summary();
        files.insert(draft_id.clone(), file);
        Ok(AttachmentDraft { draft_id, summary })
    }

    /// Copies of the drafts `ids`, in that order, for a send; they stay
    /// held until [`Self::discard`], so a send that fails keeps them.
    pub fn get_all(&self, ids: &[String]) -> Result<Vec<PreparedFile>, AppError> {
        let files = self.files.lock().map_err(|_| AppError::internal())?;
        let locked = self.locked.lock().map_err(|_| AppError::internal())?;
        ids.iter()
            .map(|id| match (files.get(id), locked.get(id)) {
                (Some(f), _) => Ok(f.clone()),
                (None, Some((name, _))) => Err(AppError::new(
                    ErrorCode::InvalidInput,
                    format!("“{name}” needs its password before it can be sent."),
                )),
                (None, None) => Err(gone()),
            })
            .collect()
    }

    pub fn preview(&self, id: &str) -> Result<AttachmentPreview, AppError> {
        let files = self.files.lock().map_err(|_| AppError::internal())?;
        files.get(id).map(PreparedFile::preview).ok_or_else(gone)
    }

    /// Cuts draft `id` as asked (a send that would not fit, see
    /// `chat::budget`); the chip then says what was left out.
    pub fn trim(&self, id: &str, how: Trim) -> Result<AttachmentDraft, AppError> {
        let mut files = self.files.lock().map_err(|_| AppError::internal())?;
        let file = files.get_mut(id).ok_or_else(gone)?;
        match how {
            Trim::Pages { first, last } => file.keep_pages(first, last)?,
            Trim::Tokens { max } => file.keep_tokens(max)?,
        }
        Ok(AttachmentDraft {
            draft_id: id.to_owned(),
            summary: file.summary(),
        })
    }

    /// Opts draft `id` (a PDF) in or out of being sent as itself.
    pub fn set_send_original(&self, id: &str, on: bool) -> Result<AttachmentDraft, AppError> {
        let mut files = self.files.lock().map_err(|_| AppError::internal())?;
        let file = files.get_mut(id).ok_or_else(gone)?;
        file.set_send_original(on)?;
        Ok(AttachmentDraft {
            draft_id: id.to_owned(),
            summary: file.summary(),
        })
    }

    /// Forgets drafts (removed from the composer, or sent); unknown ids are
    /// ignored, so discarding twice is harmless.
    pub fn discard(&self, ids: &[String]) {
        if let Ok(mut files) = self.files.lock() {
            for id in ids {
                files.remove(id);
            }
        }
        if let Ok(mut locked) = self.locked.lock() {
            for id in ids {
                locked.remove(id);
            }
        }
    }
}
