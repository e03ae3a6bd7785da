//! Stored messages to what the UI shows.

use serde_json::Value;

use super::attachments::stored_summary;
use super::view::{ConversationView, MessageView};
use crate::api::types::{ContentBlock, KnownBlock};
use crate::markdown::{escape, render, render_highlighted};
use crate::store::types::{Attachment, ConversationId, MessageId, Role, StoredMessage};
use crate::store::{Store, StoreError};

/// Renders content blocks to sanitized HTML. A user's own text is shown as
/// typed (escaped, not markdown); the model's text is markdown.
pub fn render_content(role: Role, content: &Value) -> String {
    let blocks: Vec<ContentBlock> = match content {
        Value::String(s) => vec![ContentBlock::text(s.clone())],
        other => serde_json::from_value(other.clone()).unwrap_or_default(),
    };
    let mut html = String::new();
    for block in &blocks {
        match block {
            ContentBlock::Known(KnownBlock::Text(t)) => match role {
                Role::User => {
                    html.push_str("<p class=\"plain\">");
                    html.push_str(&escape(&t.text));
                    html.push_str("</p>");
                }
                Role::Assistant => html.push_str(&render_highlighted(&t.text)),
            },
            ContentBlock::Known(KnownBlock::Thinking(t)) => {
                html.push_str("<details class=\"thinking\"><summary>Thinking</summary>");
                html.push_str(&render(&t.thinking));
                html.push_str("</details>");
            }
            ContentBlock::Known(KnownBlock::RedactedThinking(_)) => {
                html.push_str("<details class=\"thinking\"><summary>Thinking (redacted by the service)</summary></details>");
            }
            ContentBlock::Known(KnownBlock::ToolUse(t)) => {
                let input = serde_json::to_string_pretty(&t.input).unwrap_or_default();
                html.push_str("<div class=\"tool-use\"><div class=\"tool-name\">Tool call: ");
                html.push_str(&escape(&t.name));
                html.push_str("</div><pre><code class=\"language-json\">");
                html.push_str(&escape(&input));
                html.push_str("</code></pre></div>");
            }
            // Attachments and tool results are shown by their own views;
            // blocks of unknown types are kept in the store but not shown.
            _ => {}
        }
    }
    html
}

/// A stored message as the UI shows it, with the chips of its files.
pub fn message_view(m: &StoredMessage, files: &[Attachment]) -> MessageView {
    MessageView {
        id: m.id,
        parent_id: m.parent_id,
        role: m.role,
        status: m.status,
        html: render_content(m.role, &m.content),
        text: m.text.clone(),
        model: m.model.clone(),
        stop_reason: m.stop_reason.clone(),
        usage: m.usage.clone(),
        error: m.error.clone(),
        attachments: files.iter().filter_map(stored_summary).collect(),
        created_at: m.created_at,
        first_token_at: m.first_token_at,
        finished_at: m.finished_at,
        cost_usd: None,
        versions: Vec::new(),
    }
}

/// [`message_view`] with what the store knows besides the row: the reply's
/// cost and the message's `versions` (see `Store::versions_of`).
fn stored_view(
    store: &Store,
    m: &StoredMessage,
    files: &[Attachment],
    versions: Vec<MessageId>,
) -> MessageView {
    MessageView {
        cost_usd: store.cost_of(m),
        versions,
        ..message_view(m, files)
    }
}

/// One message as [`conversation_view`] shows it.
pub fn message_view_in(
    store: &Store,
    m: &StoredMessage,
    files: &[Attachment],
) -> Result<MessageView, StoreError> {
    let versions = store
        .versions_of(&[m.id])?
        .remove(&m.id)
        .unwrap_or_default();
    Ok(stored_view(store, m, files, versions))
}

/// A page of conversation `id` (see `Store::open_page`) ready to show.
pub fn conversation_view(
    store: &Store,
    id: ConversationId,
    before: Option<MessageId>,
    limit: u32,
) -> Result<ConversationView, StoreError> {
    let conversation = store.get_conversation(id)?;
    let (messages, has_more) = store.open_page(id, before, limit)?;
    let ids: Vec<MessageId> = messages.iter().map(|m| m.id).collect();
    let mut files = store.attachments_for_messages(&ids)?;
    let mut versions = store.versions_of(&ids)?;
    Ok(ConversationView {
        conversation,
        messages: messages
            .iter()
            .map(|m| {
                let files = files.remove(&m.id).unwrap_or_default();
                stored_view(store, m, &files, versions.remove(&m.id).unwrap_or_default())
            })
            .collect(),
        has_more,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn user_text_is_escaped_not_markdown() {
        let html = render_content(
            Role::User,
            &json!([{"type": "text", "text": "<b>*hi*</b>"}]),
        );
        assert_eq!(html, "<p class=\"plain\">&lt;b&gt;*hi*&lt;/b&gt;</p>");
    }

    #[test]
    fn assistant_blocks_render() {
        let html = render_content(
            Role::Assistant,
            &json!([
                {"type": "thinking", "thinking": "hmm", "signature": "s"},
                {"type": "text", "text": "**yes**"},
                {"type": "tool_use", "id": "t1", "name": "get<weather>", "input": {"q": "<x>"}},
                {"type": "future_block", "x": 1}
            ]),
        );
        assert!(html.contains("<details class=\"thinking\">"));
        assert!(html.contains("<strong>yes</strong>"));
        assert!(html.contains("Tool call: get&lt;weather&gt;"));
        assert!(html.contains("&lt;x&gt;"));
    }
}
