//! What a send will cost before it is made: the tokens of the system
//! prompt, the branch so far, the files and the draft, against the model's
//! context window, and the price from the model list. The service counts
//! where it answers `count_tokens`; elsewhere a stated local estimate is
//! used and the UI says so.

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::Serialize;
use ts_rs::TS;

use super::attachments::{PreparedFile, file_blocks, file_blocks_by_message, text_tokens};
use super::request::{DEFAULT_MAX_TOKENS, base_request, build_request};
use crate::api::Client;
use crate::api::models::{ModelInfo, SEED_CONTEXT_WINDOW};
use crate::api::types::{
    ContentBlock, KnownBlock, Message, MessageContent, MessagesRequest, Role, SystemPrompt,
};
use crate::store::types::{ConversationId, SamplingSettings};
use crate::store::{Store, StoreError};

/// The gauge before a send.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SendBudget {
    /// Tokens the request will put in the context window.
    #[ts(type = "number")]
    pub input_tokens: u64,
    /// `true` when the service counted them; `false` for the local estimate
    /// ([`estimate_request`]).
    pub counted: bool,
    #[ts(type = "number")]
    pub context_window: u64,
    /// The reply's budget, which must fit in the window too.
    pub max_tokens: u32,
    /// `input_tokens + max_tokens <= context_window`.
    pub fits: bool,
    /// What the input costs in USD, when the model list gives a price.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_cost_usd: Option<f64>,
    /// What the longest possible reply would add.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_output_cost_usd: Option<f64>,
}

/// The request a send of `text` with `files` would make: the branch that
/// ends at the conversation's current message (nothing for a new one), then
/// the new message, files first. `system_prompt` is one the send would set
/// (a one-click analysis, a new chat's preset), which replaces the
/// conversation's.
pub fn draft_request(
    store: &Store,
    conversation_id: Option<ConversationId>,
    text: &str,
    files: &[PreparedFile],
    model: &str,
    defaults: &SamplingSettings,
    system_prompt: Option<&str>,
) -> Result<MessagesRequest, StoreError> {
    let mut req = match conversation_id {
        Some(id) => {
            let mut conversation = store.get_conversation(id)?;
            conversation.model = model.to_owned();
            let branch = match store.current_leaf(id)? {
                Some(leaf) => store.branch_messages(leaf)?,
                None => Vec::new(),
            };
            let ids: Vec<_> = branch.iter().map(|m| m.id).collect();
            let stored =
                file_blocks_by_message(store, &store.attachments_for_messages(&ids)?, true)?;
            build_request(&conversation, &branch, &stored)
        }
        None => base_request(model, None, defaults, Vec::new()),
    };
    if let Some(prompt) = system_prompt.filter(|p| !p.trim().is_empty()) {
        req.system = Some(SystemPrompt::Text(prompt.to_owned()));
    }
    let mut blocks = file_blocks(files);
    if !text.trim().is_empty() {
        blocks.push(ContentBlock::text(text));
    }
    if !blocks.is_empty() {
        req.messages.push(Message {
            role: Role::User,
            content: MessageContent::Blocks(blocks),
        });
    }
    Ok(req)
}

/// The local estimate: [`text_tokens`] for every text, document and tool
/// payload, width x height / 750 for every image, and a few tokens of
/// framing per message.
pub fn estimate_request(req: &MessagesRequest) -> u64 {
    const PER_MESSAGE: u64 = 4;
    let system = match &req.system {
        Some(SystemPrompt::Text(t)) => u64::from(text_tokens(t)),
        Some(other) => serde_json::to_string(other).map_or(0, |s| u64::from(text_tokens(&s))),
        None => 0,
    };
    let messages: u64 = req
        .messages
        .iter()
        .map(|m| {
            PER_MESSAGE
                + match &m.content {
                    MessageContent::Text(t) => u64::from(text_tokens(t)),
                    MessageContent::Blocks(blocks) => blocks.iter().map(block_tokens).sum(),
                }
        })
        .sum();
    system + messages
}

fn block_tokens(block: &ContentBlock) -> u64 {
    match block {
        ContentBlock::Known(KnownBlock::Text(t)) => u64::from(text_tokens(&t.text)),
        ContentBlock::Known(KnownBlock::Document(d)) => {
            let data = d.source.data.as_deref().unwrap_or_default();
            let title = d.title.as_deref().unwrap_or_default();
            u64::from(text_tokens(data)) + u64::from(text_tokens(title))
        }
        ContentBlock::Known(KnownBlock::Image(i)) => i
            .source
            .data
            .as_deref()
            .and_then(|b64| BASE64.decode(b64).ok())
            .map_or(0, |bytes| {
                let (w, h) = super::attachments::image_size(&bytes);
                (u64::from(w) * u64::from(h)).div_ceil(750)
            }),
        other => serde_json::to_string(other).map_or(0, |s| u64::from(text_tokens(&s))),
    }
}

/// Counts `req` with the service, or estimates it when the service does
/// not count (or cannot be reached: the gauge must not fail a send), and
/// weighs it against `model`'s window and price.
pub async fn send_budget(
    client: &Client,
    req: &MessagesRequest,
    model: Option<&ModelInfo>,
) -> SendBudget {
    let (input_tokens, counted) = match client.count_tokens(req).await {
        Ok(Some(n)) => (n, true),
        Ok(None) | Err(_) => (estimate_request(req), false),
    };
    weigh(input_tokens, counted, req.max_tokens, model)
}

/// The gauge for `input_tokens` and a reply of up to `max_tokens`.
pub fn weigh(
    input_tokens: u64,
    counted: bool,
    max_tokens: u32,
    model: Option<&ModelInfo>,
) -> SendBudget {
    let context_window = model
        .and_then(|m| m.context_window)
        .unwrap_or(SEED_CONTEXT_WINDOW);
    let max_tokens = if max_tokens == 0 {
        DEFAULT_MAX_TOKENS
    } else {
        max_tokens
    };
    let price = model.and_then(|m| m.pricing.as_ref());
    SendBudget {
        input_tokens,
        counted,
        context_window,
        max_tokens,
        fits: input_tokens + u64::from(max_tokens) <= context_window,
        input_cost_usd: price.map(|p| input_tokens as f64 * p.input_per_million / 1e6),
        max_output_cost_usd: price.map(|p| f64::from(max_tokens) * p.output_per_million / 1e6),
    }
}
