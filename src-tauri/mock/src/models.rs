//! The model catalogue, in Anthropic's paged shape or MegaLLM's flat one.

use serde::Deserialize;
use serde_json::{Value, json};

use crate::error::ApiError;
use crate::{ModelsList, ModelsShape};

pub struct Model {
    pub id: &'static str,
    pub display_name: &'static str,
    pub created_at: &'static str,
    pub max_tokens: u64,
    pub owned_by: &'static str,
    /// `chat` or `embedding` (MegaLLM lists both).
    pub kind: &'static str,
    /// Listed in the Anthropic shape too (MegaLLM's shape lists every model).
    pub anthropic: bool,
    pub price_in: f64,
    pub price_out: f64,
    pub vision: bool,
}

/// The window every seed model has, unless the config lists a smaller one.
pub const CONTEXT: u64 = 200_000;

/// Newest first, as Anthropic lists them.
pub const MODELS: &[Model] = &[
    Model {
        id: "claude-opus-4-1-20250805",
        display_name: "Claude Opus 4.1",
        created_at: "2025-08-05T00:00:00Z",
        max_tokens: 32_000,
        owned_by: "anthropic",
        kind: "chat",
        anthropic: true,
        price_in: 15.0,
        price_out: 75.0,
        vision: true,
    },
    Model {
        id: "claude-sonnet-4",
        display_name: "Claude Sonnet 4",
        created_at: "2025-05-14T00:00:00Z",
        max_tokens: 64_000,
        owned_by: "anthropic",
        kind: "chat",
        anthropic: true,
        price_in: 3.0,
        price_out: 15.0,
        vision: true,
    },
    Model {
        id: "claude-3.7-sonnet",
        display_name: "Claude 3.7 Sonnet",
        created_at: "2025-02-24T00:00:00Z",
        max_tokens: 64_000,
        owned_by: "anthropic",
        kind: "chat",
        anthropic: true,
        price_in: 3.0,
        price_out: 15.0,
        vision: true,
    },
    Model {
        id: "claude-3.5-sonnet",
        display_name: "Claude 3.5 Sonnet",
        created_at: "2024-10-22T00:00:00Z",
        max_tokens: 8_192,
        owned_by: "anthropic",
        kind: "chat",
        anthropic: true,
        price_in: 3.0,
        price_out: 15.0,
        vision: true,
    },
    Model {
        id: "gpt-4o",
        display_name: "GPT-4o",
        created_at: "2024-05-13T00:00:00Z",
        max_tokens: 16_384,
        owned_by: "OpenAI",
        kind: "chat",
        anthropic: false,
        price_in: 2.5,
        price_out: 10.0,
        vision: true,
    },
    Model {
        id: "text-embedding-3-small",
        display_name: "Text Embedding 3 Small",
        created_at: "2024-01-25T00:00:00Z",
        max_tokens: 0,
        owned_by: "openai",
        kind: "embedding",
        anthropic: false,
        price_in: 0.02,
        price_out: 0.0,
        vision: false,
    },
];

/// What another Anthropic-compatible service might list: not one `claude-*`
/// name, so a client must not take the list for MegaLLM's mixed one.
pub const OTHER_MODELS: &[Model] = &[
    Model {
        id: "llama-3.3-70b",
        display_name: "Llama 3.3 70B",
        created_at: "2024-12-06T00:00:00Z",
        max_tokens: 8_192,
        owned_by: "meta",
        kind: "chat",
        anthropic: true,
        price_in: 0.6,
        price_out: 0.6,
        vision: false,
    },
    Model {
        id: "qwen-2.5-coder-32b",
        display_name: "Qwen 2.5 Coder 32B",
        created_at: "2024-11-12T00:00:00Z",
        max_tokens: 8_192,
        owned_by: "alibaba",
        kind: "chat",
        anthropic: true,
        price_in: 0.8,
        price_out: 0.8,
        vision: false,
    },
];

/// Which models the list names and which ones the server answers for.
#[derive(Debug, Clone, Copy)]
pub struct Catalogue {
    pub shape: ModelsShape,
    pub list: ModelsList,
    /// The context window every chat model is listed with.
    pub context: u64,
}

impl Catalogue {
    fn listed(self) -> impl Iterator<Item = &'static Model> {
        let models = match self.list {
            ModelsList::Seeds => MODELS,
            ModelsList::Other => OTHER_MODELS,
            ModelsList::Empty => &[],
        };
        models
            .iter()
            .filter(move |m| m.anthropic || self.shape == ModelsShape::MegaLlm)
    }

    /// A model `/v1/messages` answers for: any listed chat model.
    pub fn find_chat(self, id: &str) -> Option<&'static Model> {
        self.listed().find(|m| m.id == id && m.kind == "chat")
    }
}

fn anthropic_entry(m: &Model, context: u64) -> Value {
    json!({
        "type": "model",
        "id": m.id,
        "display_name": m.display_name,
        "created_at": m.created_at,
        "max_input_tokens": context,
        "max_tokens": m.max_tokens,
    })
}

fn megallm_entry(m: &Model, context: u64) -> Value {
    let mut entry = json!({
        "id": m.id,
        "object": "model",
        "type": m.kind,
        "created_at": m.created_at,
        "owned_by": m.owned_by,
        "display_name": m.display_name,
        "capabilities": {
            "supports_function_calling": m.kind == "chat",
            "supports_vision": m.vision,
            "supports_streaming": m.kind == "chat",
            "supports_structured_output": false,
        },
        "pricing": {
            "input_tokens_cost_per_million": m.price_in,
            "output_tokens_cost_per_million": m.price_out,
            "currency": "USD",
        },
        "context_length": if m.kind == "chat" { context } else { 8_191 },
    });
    if m.kind == "chat" {
        entry["max_output_tokens"] = json!(m.max_tokens);
    }
    entry
}

#[derive(Debug, Default, Deserialize)]
pub struct Paging {
    pub limit: Option<String>,
    pub after_id: Option<String>,
    pub before_id: Option<String>,
}

pub fn list(catalogue: Catalogue, paging: &Paging) -> Result<Value, ApiError> {
    match catalogue.shape {
        ModelsShape::MegaLlm => Ok(
            json!({"object": "list", "data": catalogue.listed().map(|m| megallm_entry(m, catalogue.context)).collect::<Vec<_>>()}),
        ),
        ModelsShape::Anthropic => anthropic_page(catalogue, paging),
    }
}

fn anthropic_page(catalogue: Catalogue, paging: &Paging) -> Result<Value, ApiError> {
    let limit = match &paging.limit {
        None => 20,
        Some(raw) => match raw.parse::<usize>() {
            Ok(n) if (1..=1000).contains(&n) => n,
            _ => {
                return Err(ApiError::invalid(
                    "limit: Input should be an integer between 1 and 1000",
                ));
            }
        },
    };
    let all: Vec<&Model> = catalogue.listed().collect();
    let position = |field: &str, id: &str| {
        all.iter()
            .position(|m| m.id == id)
            .ok_or_else(|| ApiError::invalid(format!("{field}: unknown model ID '{id}'")))
    };
    let (page, has_more) = match (&paging.after_id, &paging.before_id) {
        (Some(_), Some(_)) => {
            return Err(ApiError::invalid(
                "after_id, before_id: only one of them may be given",
            ));
        }
        (Some(after), None) => {
            let start = position("after_id", after)? + 1;
            let end = (start + limit).min(all.len());
            (&all[start..end], end < all.len())
        }
        // Paging backwards: the `limit` models just before the cursor;
        // `has_more` then says whether there are earlier ones still.
        (None, Some(before)) => {
            let end = position("before_id", before)?;
            let start = end.saturating_sub(limit);
            (&all[start..end], start > 0)
        }
        (None, None) => {
            let end = limit.min(all.len());
            (&all[..end], end < all.len())
        }
    };
    Ok(json!({
        "data": page.iter().map(|m| anthropic_entry(m, catalogue.context)).collect::<Vec<_>>(),
        "has_more": has_more,
        "first_id": page.first().map(|m| m.id),
        "last_id": page.last().map(|m| m.id),
    }))
}

pub fn get(catalogue: Catalogue, id: &str) -> Result<Value, ApiError> {
    catalogue
        .listed()
        .find(|m| m.id == id)
        .map(|m| match catalogue.shape {
            ModelsShape::Anthropic => anthropic_entry(m, catalogue.context),
            ModelsShape::MegaLlm => megallm_entry(m, catalogue.context),
        })
        .ok_or_else(|| ApiError::not_found(format!("model: {id}")))
}
