//! The model catalogue: parsed from `GET /v1/models` in either shape the
//! service is known to use, with the seed list as the fallback. Models are
//! data, never an enum: the service adds and renames them.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

/// A model as the UI shows it. Every field the service may omit is optional.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct ModelInfo {
    pub id: String,
    pub display_name: String,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub context_window: Option<u64>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_output_tokens: Option<u64>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owned_by: Option<String>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vision: Option<bool>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tools: Option<bool>,
    #[ts(optional)]
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pricing: Option<Pricing>,
    /// Reachable through `/v1/messages`: every model of an Anthropic-shaped
    /// list, the Claude ones of MegaLLM's mixed list. Others are hidden from
    /// the picker unless the user asks to see all.
    pub messages_api: bool,
}

/// USD per million tokens.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Pricing {
    pub input_per_million: f64,
    pub output_per_million: f64,
}

/// The models shipped with the app, used when the list cannot be fetched.
pub const SEED_MODELS: [(&str, &str); 4] = [
    ("claude-opus-4-1-20250805", "Claude Opus 4.1"),
    ("claude-3.5-sonnet", "Claude 3.5 Sonnet"),
    ("claude-3.7-sonnet", "Claude 3.7 Sonnet"),
    ("claude-sonnet-4", "Claude Sonnet 4"),
];
pub const SEED_CONTEXT_WINDOW: u64 = 200_000;
pub const DEFAULT_MODEL: &str = "claude-sonnet-4";

pub fn seed_models() -> Vec<ModelInfo> {
    SEED_MODELS
        .iter()
        .map(|(id, name)| ModelInfo {
            id: (*id).to_owned(),
            display_name: (*name).to_owned(),
            context_window: Some(SEED_CONTEXT_WINDOW),
            max_output_tokens: None,
            created_at: None,
            owned_by: Some("anthropic".into()),
            vision: Some(true),
            tools: Some(true),
            pricing: None,
            messages_api: true,
        })
        .collect()
}

/// One page of a model list and where the next one starts.
#[derive(Debug, Default)]
pub struct ModelPage {
    pub models: Vec<ModelInfo>,
    /// `after_id` for the next page (Anthropic's shape with `has_more`).
    pub next_after: Option<String>,
}

/// Parses either shape; unknown fields are ignored, every field optional.
pub fn parse_model_page(body: &Value) -> Option<ModelPage> {
    let data = body.get("data")?.as_array()?;
    let mut models = Vec::with_capacity(data.len());
    for entry in data {
        if let Some(m) = parse_entry(entry) {
            models.push(m);
        }
    }
    let has_more = body
        .get("has_more")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let next_after = if has_more {
        body.get("last_id")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| models.last().map(|m| m.id.clone()))
    } else {
        None
    };
    Some(ModelPage { models, next_after })
}

fn parse_entry(e: &Value) -> Option<ModelInfo> {
    let id = e.get("id")?.as_str()?.to_owned();
    // MegaLLM lists embedding models too; they cannot chat.
    if e.get("type").and_then(Value::as_str) == Some("embedding") {
        return None;
    }
    let u64_at = |keys: &[&str]| -> Option<u64> {
        keys.iter().find_map(|k| {
            let mut v = e;
            for part in k.split('.') {
                v = v.get(part)?;
            }
            v.as_u64()
        })
    };
    let bool_at = |keys: &[&str]| -> Option<bool> {
        keys.iter().find_map(|k| {
            let mut v = e;
            for part in k.split('.') {
                v = v.get(part)?;
            }
            v.as_bool()
        })
    };
    let created_at = e
        .get("created_at")
        .and_then(Value::as_str)
        .map(str::to_owned)
        .or_else(|| {
            e.get("created")
                .and_then(Value::as_i64)
                .map(|s| s.to_string())
        });
    let pricing = e.get("pricing").and_then(|p| {
        Some(Pricing {
            input_per_million: p.get("input_tokens_cost_per_million")?.as_f64()?,
            output_per_million: p.get("output_tokens_cost_per_million")?.as_f64()?,
        })
    });
    let owned_by = e.get("owned_by").and_then(Value::as_str).map(str::to_owned);
    // An entry in Anthropic's shape (`type: "model"`) comes from a list of
    // what `/v1/messages` serves, whatever the names. Only MegaLLM's mixed
    // list (`type: "chat"`, `owned_by`) names models of other APIs, and
    // there the Claude ones are those `/v1/messages` reaches.
    let anthropic_entry = e.get("type").and_then(Value::as_str) == Some("model");
    let messages_api = anthropic_entry
        || id.starts_with("claude")
        || owned_by
            .as_deref()
            .is_some_and(|o| o.eq_ignore_ascii_case("anthropic"));
    Some(ModelInfo {
        display_name: e
            .get("display_name")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .unwrap_or_else(|| id.clone()),
        context_window: u64_at(&[
            "context_length",
            "max_input_tokens",
            "context_window",
            "capabilities.max_context_length",
        ]),
        max_output_tokens: u64_at(&["max_output_tokens", "max_tokens"]),
        created_at,
        owned_by,
        vision: bool_at(&[
            "capabilities.supports_vision",
            "capabilities.vision",
            "capabilities.image_input.supported",
        ]),
        tools: bool_at(&[
            "capabilities.supports_function_calling",
            "capabilities.function_calling",
        ]),
        pricing,
        messages_api,
        id,
    })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    #[test]
    fn anthropic_shape_with_paging() {
        let page = parse_model_page(&json!({
            "data": [{"type": "model", "id": "claude-sonnet-4", "display_name": "Claude Sonnet 4",
                      "created_at": "2025-05-14T00:00:00Z", "max_input_tokens": 200000, "max_tokens": 64000}],
            "has_more": true, "first_id": "claude-sonnet-4", "last_id": "claude-sonnet-4"
        }))
        .unwrap();
        assert_eq!(page.next_after.as_deref(), Some("claude-sonnet-4"));
        let m = &page.models[0];
        assert_eq!(
            (m.context_window, m.max_output_tokens),
            (Some(200_000), Some(64_000))
        );
        assert!(m.messages_api);
    }

    #[test]
    fn megallm_shape_old_and_new() {
        let page = parse_model_page(&json!({"object": "list", "data": [
            {"id": "claude-3.7-sonnet", "object": "model", "type": "chat", "owned_by": "Anthropic",
             "capabilities": {"supports_vision": true, "supports_function_calling": true},
             "pricing": {"input_tokens_cost_per_million": 3.0, "output_tokens_cost_per_million": 15.0, "currency": "USD"},
             "context_length": 200000, "max_output_tokens": 64000},
            {"id": "gpt-4o", "created": 1715367049, "owned_by": "openai",
             "capabilities": {"vision": true, "function_calling": true, "max_context_length": 128000}},
            {"id": "text-embedding-3-small", "type": "embedding"}
        ]}))
        .unwrap();
        assert_eq!(page.next_after, None);
        assert_eq!(page.models.len(), 2, "embedding model hidden");
        let claude = &page.models[0];
        assert_eq!(claude.pricing.as_ref().unwrap().output_per_million, 15.0);
        assert_eq!(claude.tools, Some(true));
        let gpt = &page.models[1];
        assert!(!gpt.messages_api);
        assert_eq!(gpt.context_window, Some(128_000));
        assert_eq!(gpt.created_at.as_deref(), Some("1715367049"));
    }

    #[test]
    fn an_anthropic_shaped_list_is_served_whatever_the_names() {
        let page = parse_model_page(&json!({
            "data": [{"type": "model", "id": "llama-3.3-70b", "display_name": "Llama 3.3 70B"}],
            "has_more": false
        }))
        .unwrap();
        assert!(page.models[0].messages_api);
    }

    #[test]
    fn seeds_have_200k_and_names() {
        let seeds = seed_models();
        assert_eq!(seeds.len(), 4);
        assert!(seeds.iter().all(|m| m.context_window == Some(200_000)));
        assert_eq!(seeds[0].display_name, "Claude Opus 4.1");
        assert_eq!(seeds[3].display_name, "Claude Sonnet 4");
    }
}
