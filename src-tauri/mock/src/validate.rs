//! Request validation, as strict as the real API: every rejection is a 400
//! `invalid_request_error` whose message names the offending field, so the
//! app's error handling is exercised with realistic messages.

use serde_json::{Map, Value};

use crate::error::ApiError;
use crate::tokens;

/// What the reply script needs from a valid request.
#[derive(Debug, Clone)]
pub struct MessageRequest {
    pub model: String,
    /// Always `Some` for `/v1/messages`; `count_tokens` does not take it.
    pub max_tokens: Option<u64>,
    pub stream: bool,
    pub stop_sequences: Vec<String>,
    pub thinking: bool,
    pub first_tool: Option<String>,
    pub last_user_text: String,
    /// The text of a final assistant message: the reply continues from it.
    pub prefill: Option<String>,
    pub input_tokens: u64,
}

const BLOCK_TYPES: &[&str] = &[
    "text",
    "image",
    "document",
    "tool_use",
    "tool_result",
    "thinking",
    "redacted_thinking",
    "search_result",
    "server_tool_use",
    "web_search_tool_result",
];

pub enum Endpoint {
    Messages,
    CountTokens,
}

pub fn parse_body(bytes: &[u8]) -> Result<Value, ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::invalid(format!("request body: not valid JSON ({e})")))?;
    if !value.is_object() {
        return Err(ApiError::invalid(
            "request body: Input should be a JSON object",
        ));
    }
    Ok(value)
}

pub fn message_request(body: &Value, endpoint: Endpoint) -> Result<MessageRequest, ApiError> {
    let Some(obj) = body.as_object() else {
        return Err(ApiError::invalid(
            "request body: Input should be a JSON object",
        ));
    };
    let model = match obj.get("model") {
        None | Some(Value::Null) => return Err(required("model")),
        Some(Value::String(s)) if !s.is_empty() => s.clone(),
        Some(_) => {
            return Err(ApiError::invalid(
                "model: Input should be a non-empty string",
            ));
        }
    };
    let max_tokens = match endpoint {
        Endpoint::CountTokens => None,
        Endpoint::Messages => Some(match obj.get("max_tokens") {
            None | Some(Value::Null) => return Err(required("max_tokens")),
            Some(v) => match v.as_i64() {
                Some(n) if n >= 1 => n as u64,
                Some(_) => {
                    return Err(ApiError::invalid(
                        "max_tokens: Input should be greater than or equal to 1",
                    ));
                }
                None => {
                    return Err(ApiError::invalid(
                        "max_tokens: Input should be a valid integer",
                    ));
                }
            },
        }),
    };

    let messages = match obj.get("messages") {
        None | Some(Value::Null) => return Err(required("messages")),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(ApiError::invalid("messages: Input should be a valid list")),
    };
    if messages.is_empty() {
        return Err(ApiError::invalid(
            "messages: at least one message is required",
        ));
    }
    let mut chars = 0usize;
    for (i, message) in messages.iter().enumerate() {
        chars += check_message(i, message)?;
    }
    if messages[0].get("role").and_then(Value::as_str) != Some("user") {
        return Err(ApiError::invalid(
            "messages.0.role: first message must use the \"user\" role",
        ));
    }
    chars += check_system(obj.get("system"))?;

    unit_interval(obj, "temperature")?;
    unit_interval(obj, "top_p")?;
    if let Some(v) = present(obj, "top_k")
        && v.as_u64().is_none()
    {
        return Err(ApiError::invalid(
            "top_k: Input should be a non-negative integer",
        ));
    }
    let stream = match present(obj, "stream") {
        None => false,
        Some(Value::Bool(b)) => *b,
        Some(_) => return Err(ApiError::invalid("stream: Input should be a valid boolean")),
    };
    let stop_sequences = match present(obj, "stop_sequences") {
        None => Vec::new(),
        Some(Value::Array(list)) => list
            .iter()
            .enumerate()
            .map(|(i, s)| {
                s.as_str().map(str::to_owned).ok_or_else(|| {
                    ApiError::invalid(format!(
                        "stop_sequences.{i}: Input should be a valid string"
                    ))
                })
            })
            .collect::<Result<_, _>>()?,
        Some(_) => {
            return Err(ApiError::invalid(
                "stop_sequences: Input should be a valid list",
            ));
        }
    };
    let thinking = check_thinking(obj, max_tokens)?;
    let first_tool = check_tools(obj)?;
    check_tool_choice(obj)?;
    let prefill = prefill_text(messages);
    if prefill
        .as_deref()
        .is_some_and(|p| p.trim_end().len() != p.len())
    {
        return Err(ApiError::invalid(
            "messages: final assistant content cannot end with trailing whitespace",
        ));
    }

    Ok(MessageRequest {
        model,
        max_tokens,
        stream,
        stop_sequences,
        thinking,
        first_tool,
        last_user_text: last_user_text(body).unwrap_or_default(),
        prefill,
        input_tokens: tokens::estimate(chars),
    })
}

fn required(field: &str) -> ApiError {
    ApiError::invalid(format!("{field}: Field required"))
}

/// A field that is there and not `null` (the SDKs send neither for "unset").
fn present<'a>(obj: &'a Map<String, Value>, field: &str) -> Option<&'a Value> {
    obj.get(field).filter(|v| !v.is_null())
}

fn unit_interval(obj: &Map<String, Value>, field: &str) -> Result<(), ApiError> {
    let Some(v) = present(obj, field) else {
        return Ok(());
    };
    match v.as_f64() {
        None => Err(ApiError::invalid(format!(
            "{field}: Input should be a valid number"
        ))),
        Some(x) if x < 0.0 => Err(ApiError::invalid(format!(
            "{field}: Input should be greater than or equal to 0"
        ))),
        Some(x) if x > 1.0 => Err(ApiError::invalid(format!(
            "{field}: Input should be less than or equal to 1"
        ))),
        Some(_) => Ok(()),
    }
}

/// Returns the number of text characters the message contributes to the
/// input-token estimate.
fn check_message(i: usize, message: &Value) -> Result<usize, ApiError> {
    let Some(m) = message.as_object() else {
        return Err(ApiError::invalid(format!(
            "messages.{i}: Input should be a valid object"
        )));
    };
    match m.get("role").and_then(Value::as_str) {
        Some("user" | "assistant") => {}
        Some(other) => {
            return Err(ApiError::invalid(format!(
                "messages.{i}.role: Input should be 'user' or 'assistant' (got '{other}')"
            )));
        }
        None => return Err(required(&format!("messages.{i}.role"))),
    }
    match m.get("content") {
        None | Some(Value::Null) => Err(required(&format!("messages.{i}.content"))),
        Some(Value::String(s)) => Ok(s.chars().count()),
        Some(Value::Array(blocks)) => {
            let mut chars = 0;
            for (j, block) in blocks.iter().enumerate() {
                chars += check_block(&format!("messages.{i}.content.{j}"), block)?;
            }
            Ok(chars)
        }
        Some(_) => Err(ApiError::invalid(format!(
            "messages.{i}.content: Input should be a valid string or a list of content blocks"
        ))),
    }
}

/// An image counts as this many characters: ~1,500 mock tokens, what the
/// API charges for an image at its 1.15-megapixel limit.
const IMAGE_CHARS: usize = 6000;

/// A text document's source is read like text (the API checks its shape);
/// other sources (base64 PDF, URL) count as an image-sized page.
fn document_chars(at: &str, source: &Value) -> Result<usize, ApiError> {
    if source.get("type").and_then(Value::as_str) != Some("text") {
        return Ok(IMAGE_CHARS);
    }
    if source.get("media_type").and_then(Value::as_str) != Some("text/plain") {
        return Err(ApiError::invalid(format!(
            "{at}.source.media_type: Input should be 'text/plain'"
        )));
    }
    match source.get("data") {
        Some(Value::String(s)) => Ok(s.chars().count()),
        _ => Err(ApiError::invalid(format!(
            "{at}.source.data: Input should be a valid string"
        ))),
    }
}

fn check_block(at: &str, block: &Value) -> Result<usize, ApiError> {
    let Some(b) = block.as_object() else {
        return Err(ApiError::invalid(format!(
            "{at}: Input should be a valid object"
        )));
    };
    let kind = match b.get("type").and_then(Value::as_str) {
        Some(k) if BLOCK_TYPES.contains(&k) => k,
        Some(k) => {
            return Err(ApiError::invalid(format!(
                "{at}.type: Input tag '{k}' does not match any of the expected tags: {}",
                BLOCK_TYPES.join(", ")
            )));
        }
        None => return Err(required(&format!("{at}.type"))),
    };
    let need = |field: &str| -> Result<&Value, ApiError> {
        b.get(field)
            .filter(|v| !v.is_null())
            .ok_or_else(|| required(&format!("{at}.{field}")))
    };
    match kind {
        "text" => match need("text")? {
            Value::String(s) => Ok(s.chars().count()),
            _ => Err(ApiError::invalid(format!(
                "{at}.text: Input should be a valid string"
            ))),
        },
        "image" => {
            need("source")?;
            // About what the API charges for an image at its size limit.
            Ok(IMAGE_CHARS)
        }
        "document" => document_chars(at, need("source")?),
        "tool_use" => {
            need("id")?;
            need("name")?;
            need("input")?;
            Ok(0)
        }
        "tool_result" => {
            need("tool_use_id")?;
            Ok(tool_result_text(b).chars().count())
        }
        "thinking" => {
            need("thinking")?;
            need("signature")?;
            Ok(0)
        }
        "redacted_thinking" => {
            need("data")?;
            Ok(0)
        }
        _ => Ok(0),
    }
}

fn check_system(system: Option<&Value>) -> Result<usize, ApiError> {
    match system {
        None | Some(Value::Null) => Ok(0),
        Some(Value::String(s)) => Ok(s.chars().count()),
        Some(Value::Array(blocks)) => {
            let mut chars = 0;
            for (i, block) in blocks.iter().enumerate() {
                if block.get("type").and_then(Value::as_str) != Some("text") {
                    return Err(ApiError::invalid(format!(
                        "system.{i}.type: system blocks must be of type 'text'"
                    )));
                }
                chars += check_block(&format!("system.{i}"), block)?;
            }
            Ok(chars)
        }
        Some(_) => Err(ApiError::invalid(
            "system: Input should be a valid string or a list of text blocks",
        )),
    }
}

fn check_thinking(obj: &Map<String, Value>, max_tokens: Option<u64>) -> Result<bool, ApiError> {
    let Some(t) = present(obj, "thinking") else {
        return Ok(false);
    };
    match t.get("type").and_then(Value::as_str) {
        Some("disabled") => Ok(false),
        Some("enabled") => {
            let budget = match t.get("budget_tokens") {
                None | Some(Value::Null) => return Err(required("thinking.enabled.budget_tokens")),
                Some(v) => v.as_i64().ok_or_else(|| {
                    ApiError::invalid(
                        "thinking.enabled.budget_tokens: Input should be a valid integer",
                    )
                })?,
            };
            if budget < 1024 {
                return Err(ApiError::invalid(
                    "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024",
                ));
            }
            if let Some(max) = max_tokens
                && budget as u64 >= max
            {
                return Err(ApiError::invalid(
                    "max_tokens: `max_tokens` must be greater than `thinking.budget_tokens`",
                ));
            }
            Ok(true)
        }
        _ => Err(ApiError::invalid(
            "thinking.type: Input should be 'enabled' or 'disabled'",
        )),
    }
}

fn valid_tool_name(name: &str) -> bool {
    (1..=64).contains(&name.len())
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// Returns the first tool's name (the `[[tool]]` reply calls it).
fn check_tools(obj: &Map<String, Value>) -> Result<Option<String>, ApiError> {
    let tools = match present(obj, "tools") {
        None => return Ok(None),
        Some(Value::Array(list)) => list,
        Some(_) => return Err(ApiError::invalid("tools: Input should be a valid list")),
    };
    let mut first = None;
    for (i, tool) in tools.iter().enumerate() {
        let name = tool.get("name").and_then(Value::as_str);
        let Some(name) = name else {
            return Err(required(&format!("tools.{i}.name")));
        };
        if !valid_tool_name(name) {
            return Err(ApiError::invalid(format!(
                "tools.{i}.name: String should match pattern '^[a-zA-Z0-9_-]{{1,64}}$'"
            )));
        }
        // Server tools (`"type": "web_search_20250305"` and friends) have no schema.
        let custom = matches!(
            tool.get("type").and_then(Value::as_str),
            None | Some("custom")
        );
        if custom {
            match tool.get("input_schema") {
                Some(Value::Object(_)) => {}
                None | Some(Value::Null) => {
                    return Err(required(&format!("tools.{i}.input_schema")));
                }
                Some(_) => {
                    return Err(ApiError::invalid(format!(
                        "tools.{i}.input_schema: Input should be a valid object"
                    )));
                }
            }
        }
        if first.is_none() {
            first = Some(name.to_owned());
        }
    }
    Ok(first)
}

fn check_tool_choice(obj: &Map<String, Value>) -> Result<(), ApiError> {
    let Some(choice) = present(obj, "tool_choice") else {
        return Ok(());
    };
    match choice.get("type").and_then(Value::as_str) {
        Some("auto" | "any" | "none") => Ok(()),
        Some("tool") => match choice.get("name").and_then(Value::as_str) {
            Some(_) => Ok(()),
            None => Err(required("tool_choice.tool.name")),
        },
        _ => Err(ApiError::invalid(
            "tool_choice.type: Input should be 'auto', 'any', 'none' or 'tool'",
        )),
    }
}

fn tool_result_text(block: &Map<String, Value>) -> String {
    match block.get("content") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Array(parts)) => parts
            .iter()
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join("\n"),
        _ => String::new(),
    }
}

/// The text blocks of the last message when it is the assistant's (a
/// prefill the reply continues), joined.
fn prefill_text(messages: &[Value]) -> Option<String> {
    let last = messages.last()?;
    if last.get("role").and_then(Value::as_str) != Some("assistant") {
        return None;
    }
    match last.get("content")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(blocks) => Some(
            blocks
                .iter()
                .filter(|b| b.get("type").and_then(Value::as_str) == Some("text"))
                .filter_map(|b| b.get("text").and_then(Value::as_str))
                .collect(),
        ),
        _ => None,
    }
}

/// The text of the last user message, leniently (also used to find fault
/// markers before validation). Text blocks win; a turn that only returns
/// tool results falls back to their text so the reply still says something.
pub fn last_user_text(body: &Value) -> Option<String> {
    let messages = body.get("messages")?.as_array()?;
    let last = messages
        .iter()
        .rev()
        .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))?;
    match last.get("content")? {
        Value::String(s) => Some(s.clone()),
        Value::Array(blocks) => {
            let of_type = |kind: &str| -> Vec<String> {
                blocks
                    .iter()
                    .filter(|b| b.get("type").and_then(Value::as_str) == Some(kind))
                    .filter_map(|b| match kind {
                        "text" => b.get("text").and_then(Value::as_str).map(str::to_owned),
                        _ => b.as_object().map(tool_result_text),
                    })
                    .collect()
            };
            let texts = of_type("text");
            let texts = if texts.is_empty() {
                of_type("tool_result")
            } else {
                texts
            };
            Some(texts.join("\n"))
        }
        _ => None,
    }
}

/// Every content block of the request's messages, with where it is.
fn blocks(body: &Value) -> impl Iterator<Item = (usize, usize, &Value)> {
    body.get("messages")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .enumerate()
        .filter_map(|(i, m)| Some((i, m.get("content")?.as_array()?)))
        .flat_map(|(i, list)| list.iter().enumerate().map(move |(j, b)| (i, j, b)))
}

fn is_type(b: &Value, kind: &str) -> bool {
    b.get("type").and_then(Value::as_str) == Some(kind)
}

/// Where the first block of type `kind` is (`messages.I.content.J`), if any.
pub fn find_block(body: &Value, kind: &str) -> Option<String> {
    blocks(body)
        .find(|(_, _, b)| is_type(b, kind))
        .map(|(i, j, _)| format!("messages.{i}.content.{j}"))
}

/// Whether any message carries a PDF as a base64 `document` source.
pub fn has_pdf_document(body: &Value) -> bool {
    blocks(body).any(|(_, _, b)| {
        is_type(b, "document")
            && b.pointer("/source/media_type").and_then(Value::as_str) == Some("application/pdf")
    })
}
