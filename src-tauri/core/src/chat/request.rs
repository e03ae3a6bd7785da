//! Building the next API request from a conversation's branch.

use std::collections::HashMap;

use serde_json::Value;

use super::attachments::mark_last_file_for_cache;

use crate::api::types::{
    ContentBlock, Message, MessageContent, MessagesRequest, Role as ApiRole, SystemPrompt,
};
use crate::store::types::{Conversation, MessageId, Role, SamplingSettings, StoredMessage};

/// Default reply budget when neither the conversation nor the settings set one.
pub const DEFAULT_MAX_TOKENS: u32 = 4096;

/// The request for the reply to the last message of `branch` (root first).
/// A message's stored files (`files`, by message) go before its own blocks,
/// so the question follows the documents it is about, and the last file of
/// the request is marked for the prompt cache. Messages with nothing to send
/// (a failed reply that produced no text) are left out: the API rejects
/// empty content.
pub fn build_request(
    conversation: &Conversation,
    branch: &[StoredMessage],
    files: &HashMap<MessageId, Vec<ContentBlock>>,
) -> MessagesRequest {
    let mut messages: Vec<Message> = branch
        .iter()
        .filter_map(|m| {
            let own: Vec<ContentBlock> = match &m.content {
                Value::String(s) => vec![ContentBlock::text(s.clone())],
                other => serde_json::from_value(other.clone()).unwrap_or_default(),
            };
            let blocks: Vec<ContentBlock> = files
                .get(&m.id)
                .into_iter()
                .flatten()
                .cloned()
                .chain(own)
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
    mark_last_file_for_cache(&mut messages);
    base_request(
        &conversation.model,
        conversation.system_prompt.as_deref(),
        &conversation.sampling,
        messages,
    )
}

/// A request for `model` with a system prompt and sampling settings.
pub(crate) fn base_request(
    model: &str,
    system_prompt: Option<&str>,
    s: &SamplingSettings,
    messages: Vec<Message>,
) -> MessagesRequest {
    let mut req = MessagesRequest::new(
        model.to_owned(),
        s.max_tokens.unwrap_or(DEFAULT_MAX_TOKENS),
        messages,
    );
    req.system = system_prompt
        .filter(|p| !p.trim().is_empty())
        .map(|p| SystemPrompt::Text(p.to_owned()));
    req.temperature = s.temperature;
    req.top_p = s.top_p;
    req.top_k = s.top_k;
    req.stop_sequences.clone_from(&s.stop_sequences);
    req
}
