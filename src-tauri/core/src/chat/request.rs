//! Building the next API request from a conversation's branch.

use serde_json::Value;

use crate::api::types::{
    ContentBlock, Message, MessageContent, MessagesRequest, Role as ApiRole, SystemPrompt,
};
use crate::store::types::{Conversation, Role, StoredMessage};

/// Default reply budget when neither the conversation nor the settings set one.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The request for the reply to the last message of `branch` (root first).
/// Messages with nothing to send (a failed reply that produced no text) are
/// left out: the API rejects empty content.
pub fn build_request(conversation: &Conversation, branch: &[StoredMessage]) -> MessagesRequest {
    let messages = branch
        .iter()
        .filter_map(|m| {
            let blocks: Vec<ContentBlock> = match &m.content {
                Value::String(s) => vec![ContentBlock::text(s.clone())],
                other => serde_json::from_value(other.clone()).unwrap_or_default(),
            };
            let blocks: Vec<ContentBlock> = blocks
                .into_iter()
                .filter(|b| b.as_text().is_none_or(|t| !t.is_empty()))
                .collect();
            (!blocks.is_empty()).then(|| Message {
                role: match m.role {
                    Role::User => ApiRole::User,
                    Role::Assistant => ApiRole::Assistant,
                },
                content: MessageContent::Blocks(blocks),
            })
        })
        .collect();
    let s = &conversation.sampling;
    let mut req = MessagesRequest::new(
        conversation.model.clone(),
        s.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        messages,
    );
    req.system = conversation
        .system_prompt
        .as_ref()
        .filter(|p| !p.trim().is_empty())
        .map(|p| SystemPrompt::Text(p.clone()));
    req.temperature = s.temperature;
    req.top_p = s.top_p;
    req.top_k = s.top_k;
    req.stop_sequences.clone_from(&s.stop_sequences);
    req
}
