//! A conversation turn end to end: store the user's message, stream the
//! reply, show it as it grows, keep it safe on disk, finish or fail cleanly.
//! Independent of Tauri: the app and the tests drive it with any sink.

pub mod attachments;
pub mod budget;
mod drafts;
pub mod presets;
mod render;
mod request;
pub mod sampling;
mod send;
pub mod view;

pub use crate::store::SharedStore;
pub use attachments::{
    AttachmentPreview, AttachmentSummary, PreparedFile, file_blocks, stored_preview,
    stored_summary, stream_with_document_fallback,
};
pub use budget::{SendBudget, draft_request, estimate_request, send_budget};
pub use drafts::{AttachmentDraft, DraftShelf, MAX_DRAFT_BYTES, Trim};
pub use presets::{PRESETS_KEY, Preset, PresetLibrary, PresetOffer, builtin_presets};
pub use render::{conversation_view, message_view, render_content};
pub use request::build_request;
pub use sampling::{
    SAMPLING_LIMITS, SamplingLimits, check_sampling, checked_conversation_settings,
    max_tokens_limit,
};
pub use send::{RetryMode, SendMode, SendOptions, TurnOutcome, send_message};
pub use view::{ConversationView, MessageView, StreamUpdate, TurnResult};
