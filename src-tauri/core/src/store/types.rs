//! Records the history store reads and writes. The UI receives some of them
//! directly, so they derive `TS` and their TypeScript twins are generated.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::types::Usage;

pub type ConversationId = i64;
pub type MessageId = i64;
/// Milliseconds since the Unix epoch, UTC.
pub type Timestamp = i64;

/// Per-conversation sampling choices; `None` means "the app's default".
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SamplingSettings {
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop_sequences: Vec<String>,
}

/// A row of the conversation list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConversationSummary {
    pub id: ConversationId,
    pub title: String,
    pub model: String,
    pub pinned: bool,
    pub archived: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    pub message_count: i64,
}

/// A conversation's own settings (not its messages).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Conversation {
    pub id: ConversationId,
    pub title: String,
    pub model: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    pub sampling: SamplingSettings,
    pub pinned: bool,
    pub archived: bool,
    pub created_at: Timestamp,
    pub updated_at: Timestamp,
    /// The newest message of the branch the user is looking at; opening the
    /// conversation shows the chain that ends here.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub current_leaf_id: Option<MessageId>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Role {
    User,
    Assistant,
}

/// Where a message is in its life. A message is `Streaming` only while a
/// reply is arriving; one found `Streaming` at start-up was cut off by a crash
/// or kill and becomes `Interrupted`, keeping its partial text.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum MessageStatus {
    Complete,
    Streaming,
    Interrupted,
    Error,
}

/// A message as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct StoredMessage {
    pub id: MessageId,
    pub conversation_id: ConversationId,
    /// The message this one answers or follows; edits create siblings.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parent_id: Option<MessageId>,
    pub role: Role,
    /// Content blocks in the Messages API's own JSON shape.
    #[ts(type = "unknown")]
    pub content: serde_json::Value,
    /// The plain text of the content, for search, previews and titles.
    pub text: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    pub status: MessageStatus,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stop_reason: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub usage: Option<Usage>,
    /// The error's human message when `status` is `Error`.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub created_at: Timestamp,
    /// When a reply's first text arrived.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub first_token_at: Option<Timestamp>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub finished_at: Option<Timestamp>,
}

pub type AttachmentId = i64;

/// What `Store::create_conversation` needs.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct NewConversation {
    pub title: String,
    pub model: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    #[serde(default)]
    pub sampling: SamplingSettings,
}

/// The settings `Store::update_conversation_settings` replaces, all at once.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConversationSettings {
    pub model: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub system_prompt: Option<String>,
    #[serde(default)]
    pub sampling: SamplingSettings,
}

/// Where the next page of the conversation list starts: the sort key of the
/// last row shown. Keyset, not an offset, so a page costs the same however
/// deep it is and rows added meanwhile do not shift it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListCursor {
    pub pinned: bool,
    pub updated_at: Timestamp,
    pub id: ConversationId,
}

/// One page of the conversation list: pinned first, then most recently active.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ListQuery {
    /// The archive view (`true`) or the normal list (`false`).
    #[serde(default)]
    pub archived: bool,
    /// Rows per page; clamped to 1..=500.
    pub limit: u32,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cursor: Option<ListCursor>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ConversationPage {
    pub items: Vec<ConversationSummary>,
    /// `None` on the last page.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<ListCursor>,
}

/// What `Store::append_message` needs. `parent_id` is the message this one
/// follows (`None` for a first message); appending under a parent that
/// already has a child makes a new branch.
#[derive(Debug, Clone, PartialEq)]
pub struct NewMessage {
    pub conversation_id: ConversationId,
    pub parent_id: Option<MessageId>,
    pub role: Role,
    pub content: serde_json::Value,
    pub text: String,
    pub model: Option<String>,
    pub status: MessageStatus,
}

/// The final state of a reply, written once by `Store::finish_message`.
#[derive(Debug, Clone, PartialEq)]
pub struct FinishMessage {
    pub content: serde_json::Value,
    pub text: String,
    /// Anything but `Streaming`.
    pub status: MessageStatus,
    pub stop_reason: Option<String>,
    pub usage: Option<Usage>,
    pub error: Option<String>,
}

/// A search of the whole history. `text` is what the user typed: it is never
/// parsed as FTS5 syntax (every term is quoted and the last one is a prefix).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchQuery {
    pub text: String,
    /// Only messages written by (or in a conversation using) this model.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub model: Option<String>,
    /// Messages created at or after this time.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<Timestamp>,
    /// Messages created before this time.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<Timestamp>,
    #[serde(default)]
    pub pinned_only: bool,
    #[serde(default)]
    pub include_archived: bool,
    /// Hits to return; clamped to 1..=200.
    pub limit: u32,
}

impl SearchQuery {
    /// A plain search of live, unarchived conversations.
    pub fn text(text: impl Into<String>, limit: u32) -> Self {
        Self {
            text: text.into(),
            limit,
            ..Self::default()
        }
    }
}

/// One message that matched a search, best first.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct SearchHit {
    pub conversation_id: ConversationId,
    pub conversation_title: String,
    pub message_id: MessageId,
    pub role: Role,
    /// Untrusted plain text around the match. Matched terms are wrapped in
    /// U+0002 ... U+0003 (`SNIPPET_START`/`SNIPPET_END`): escape the text
    /// first, then turn the markers into `<mark>` and `</mark>`.
    pub snippet: String,
    /// FTS5 bm25: lower (more negative) is a better match.
    pub rank: f64,
    pub created_at: Timestamp,
    /// Set when the match is in an attachment's extracted text rather than
    /// in the message itself.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_id: Option<AttachmentId>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_name: Option<String>,
}

/// A file attached to a message. The bytes are fetched separately
/// (`Store::attachment_bytes`) because they can be large.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Attachment {
    pub id: AttachmentId,
    pub message_id: MessageId,
    /// The file name as the user gave it.
    pub name: String,
    pub media_type: String,
    /// Hex SHA-256 of the bytes; equal files share one stored copy.
    pub sha256: String,
    pub size: i64,
    /// Text extracted for search (PDF text, a text file's contents...).
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub extracted_text: Option<String>,
    /// What the file was read as, in the chat layer's words (see
    /// `chat::attachments`); opaque to the store. `None` before version 5.
    #[ts(optional, type = "unknown")]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub details: Option<serde_json::Value>,
    pub created_at: Timestamp,
}

/// A file to store with a new message (`Store::append_message_with_files`).
#[derive(Debug, Clone, PartialEq)]
pub struct NewAttachment {
    pub name: String,
    pub media_type: String,
    pub bytes: Vec<u8>,
    pub extracted_text: Option<String>,
    pub details: Option<serde_json::Value>,
}

/// Token use of one model on one UTC day.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct UsageRecord {
    /// `YYYY-MM-DD`, UTC.
    pub day: String,
    pub model: String,
    /// Replies counted.
    pub messages: i64,
    pub input_tokens: i64,
    pub output_tokens: i64,
    pub cache_creation_input_tokens: i64,
    pub cache_read_input_tokens: i64,
    /// USD for the replies whose price was known; `None` when none was.
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub cost_usd: Option<f64>,
    /// Replies whose price was not known, so `cost_usd` is a lower bound
    /// when this is not zero.
    pub unpriced_messages: i64,
}
