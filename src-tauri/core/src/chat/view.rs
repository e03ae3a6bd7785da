//! What the UI is sent while it shows a conversation.

use serde::Serialize;
use ts_rs::TS;

use super::attachments::AttachmentSummary;
use crate::api::types::Usage;
use crate::error::AppError;
use crate::store::types::{
    Conversation, ConversationId, MessageId, MessageStatus, Role, Timestamp,
};

/// A message ready to show: its markdown already rendered to sanitized HTML.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct MessageView {
    pub id: MessageId,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<MessageId>,
    pub role: Role,
    pub status: MessageStatus,
    /// Sanitized HTML; safe to insert as-is.
    pub html: String,
    /// The plain text, for copy and edit.
    pub text: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    /// The files sent with it, as chips.
    pub attachments: Vec<AttachmentSummary>,
    pub created_at: Timestamp,
    /// When a reply's first text arrived: time to first token.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_token_at: Option<Timestamp>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
    /// What the reply cost in USD, from its usage and the model list's price.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Every version of this message, itself included, oldest first (its
    /// edits, or the replies regenerated beside it); empty when it has
    /// only one. The UI shows "2 / 3" and switches with `select_branch`.
    pub versions: Vec<MessageId>,
}

/// A page of a conversation, newest messages last.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ConversationView {
    pub conversation: Conversation,
    pub messages: Vec<MessageView>,
    /// Older messages exist before the first one in `messages`.
    pub has_more: bool,
}

/// How a send (or a retry) ended, as its command returns it: the reply as
/// stored and the conversation's title, so the UI needs no further call.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct TurnResult {
    pub conversation_id: ConversationId,
    pub title: String,
    /// The reply as stored: complete, interrupted or failed.
    pub message: MessageView,
    /// Why it did not complete.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<AppError>,
}

/// One update of a reply in progress, sent over a Tauri channel. Deltas are
/// batched about once a frame; each carries only what changed, so the work per
/// update does not grow with the length of the answer.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[ts(export)]
pub enum StreamUpdate {
    /// Both messages are stored; the user's is final.
    Started {
        conversation_id: ConversationId,
        user_message: MessageView,
        assistant_message_id: MessageId,
        /// A regenerated or continued reply: the message it takes the place
        /// of in the view (for a continued reply, itself).
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        replaces: Option<MessageId>,
    },
    /// Every concurrency slot (the limit in Settings, `limit`) is held by
    /// other replies: this one waits for a free slot. `Streaming` follows.
    Queued { limit: u32 },
    /// A queued reply got its slot: the service is answering.
    Streaming,
    /// New text: `append_html` holds blocks that are now complete (append
    /// them), `tail_html` the block still being written (replace the previous
    /// tail with it; absent when unchanged), and `tail_text` escaped text to
    /// add at the end of the tail's innermost last block (see
    /// `markdown::StreamRenderer` and `markdown::TailModel`).
    Delta {
        append_html: String,
        #[ts(optional)]
        #[serde(skip_serializing_if = "Option::is_none")]
        tail_html: Option<String>,
        tail_text: String,
        /// The raw text this update adds, for text consumers (the CLI);
        /// the webview needs only the HTML.
        #[serde(skip)]
        #[ts(skip)]
        text: String,
    },
    /// The reply is complete.
    Finished { message: MessageView },
    /// The reply failed or was stopped; `message` keeps what arrived.
    Failed {
        error: AppError,
        message: MessageView,
    },
}
