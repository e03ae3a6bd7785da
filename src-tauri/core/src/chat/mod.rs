//! A conversation turn end to end: store the user's message, stream the
//! reply, show it as it grows, keep it safe on disk, finish or fail cleanly.
//! Independent of Tauri: the app and the tests drive it with any sink.

pub mod attachments;
pub mod budget;
mod drafts;
mod render;
mod request;
mod send;
pub mod view;

pub use crate::store::SharedStore;
pub use attachments::{
    AttachmentPreview, AttachmentSummary, PreparedFile, file_blocks, stored_preview, stored_summary,
};
pub use budget::{SendBudget, draft_request, estimate_request, send_budget};
pub use drafts::{AttachmentDraft, DraftShelf, MAX_DRAFT_BYTES};
pub use render::{conversation_view, message_view, render_content};
pub use request::build_request;
pub use send::{RetryMode, SendMode, SendOptions, TurnOutcome, send_message};
pub use view::{ConversationView, MessageView, StreamUpdate, TurnResult};
