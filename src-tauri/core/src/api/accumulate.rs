//! Folds stream events into the final message, as the official SDKs'
//! `get_final_message()` does.
//!
//! Every delta costs O(its own size): text is appended, tool input JSON is
//! collected as a string and parsed once at `content_block_stop`.

use serde_json::Value;

use super::types::{
    ContentBlock, ContentDelta, ErrorDetail, KnownBlock, MessageResponse, StreamEvent,
};

/// Why a stream could not be folded into a message.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum AccumulateError {
    #[error("the stream sent {0} before message_start")]
    BeforeStart(&'static str),
    #[error("the stream sent a delta for content block {0}, which does not exist")]
    NoSuchBlock(usize),
    #[error("the tool input for block {index} is not valid JSON: {reason}")]
    ToolInput { index: usize, reason: String },
    #[error("the service reported an error mid-stream")]
    ErrorEvent(ErrorDetail),
}

#[derive(Debug, Default)]
pub struct Accumulator {
    message: Option<MessageResponse>,
    /// Tool input JSON still arriving, per block index.
    partial_json: Vec<(usize, String)>,
    stopped: bool,
}

impl Accumulator {
    pub fn new() -> Self {
        Self::default()
    }

    /// Applies one event.
    pub fn apply(&mut self, event: &StreamEvent) -> Result<(), AccumulateError> {
        match event {
            StreamEvent::MessageStart { message } => {
                self.message = Some(message.clone());
            }
            StreamEvent::ContentBlockStart {
                index,
                content_block,
            } => {
                if self.message.is_none() {
                    return Err(AccumulateError::BeforeStart("content_block_start"));
                }
                let mut block = content_block.clone();
                if let ContentBlock::Known(KnownBlock::ToolUse(t)) = &mut block {
                    // The start carries `{}`; the real input follows as JSON text.
                    t.input = Value::Object(Default::default());
                    self.partial_json.push((*index, String::new()));
                }
                let msg = self.message_mut("content_block_start")?;
                // Blocks arrive in order; a repeated index replaces, never misplaces.
                if *index < msg.content.len() {
                    msg.content[*index] = block;
                } else {
                    msg.content.push(block);
                }
            }
            StreamEvent::ContentBlockDelta { index, delta } => self.apply_delta(*index, delta)?,
            StreamEvent::ContentBlockStop { index } => self.stop_block(*index)?,
            StreamEvent::MessageDelta { delta, usage } => {
                let msg = self.message_mut("message_delta")?;
                msg.stop_reason.clone_from(&delta.stop_reason);
                msg.stop_sequence.clone_from(&delta.stop_sequence);
                if let Some(u) = usage {
                    msg.usage.merge(u);
                }
            }
            StreamEvent::MessageStop => self.stopped = true,
            StreamEvent::Error { error } => return Err(AccumulateError::ErrorEvent(error.clone())),
            StreamEvent::Ping | StreamEvent::Unknown => {}
        }
        Ok(())
    }

    fn message_mut(&mut self, what: &'static str) -> Result<&mut MessageResponse, AccumulateError> {
        self.message
            .as_mut()
            .ok_or(AccumulateError::BeforeStart(what))
    }

    fn apply_delta(&mut self, index: usize, delta: &ContentDelta) -> Result<(), AccumulateError> {
        if let ContentDelta::InputJsonDelta { partial_json } = delta {
            return match self.partial_json.iter_mut().find(|(i, _)| *i == index) {
                Some((_, buf)) => {
                    buf.push_str(partial_json);
                    Ok(())
                }
                None => Err(AccumulateError::NoSuchBlock(index)),
            };
        }
        let msg = self.message_mut("content_block_delta")?;
        let block = msg
            .content
            .get_mut(index)
            .ok_or(AccumulateError::NoSuchBlock(index))?;
        match (block, delta) {
            (ContentBlock::Known(KnownBlock::Text(t)), ContentDelta::TextDelta { text }) => {
                t.text.push_str(text);
            }
            (
                ContentBlock::Known(KnownBlock::Text(t)),
                ContentDelta::CitationsDelta { citation },
            ) => {
                t.citations
                    .get_or_insert_with(Vec::new)
                    .push(citation.clone());
            }
            (
                ContentBlock::Known(KnownBlock::Thinking(t)),
                ContentDelta::ThinkingDelta { thinking },
            ) => t.thinking.push_str(thinking),
            (
                ContentBlock::Known(KnownBlock::Thinking(t)),
                ContentDelta::SignatureDelta { signature },
            ) => signature.clone_into(&mut t.signature),
            // A delta that does not fit its block, or one we do not know, is
            // ignored as the SDKs ignore unknown deltas.
            _ => {}
        }
        Ok(())
    }

    fn stop_block(&mut self, index: usize) -> Result<(), AccumulateError> {
        let Some(pos) = self.partial_json.iter().position(|(i, _)| *i == index) else {
            return Ok(());
        };
        let (_, json) = self.partial_json.swap_remove(pos);
        let input = if json.trim().is_empty() {
            Value::Object(Default::default())
        } else {
            serde_json::from_str(&json).map_err(|e| AccumulateError::ToolInput {
                index,
                reason: e.to_string(),
            })?
        };
        let msg = self.message_mut("content_block_stop")?;
        if let Some(ContentBlock::Known(KnownBlock::ToolUse(t))) = msg.content.get_mut(index) {
            t.input = input;
        }
        Ok(())
    }

    /// `message_stop` has arrived.
    pub fn is_complete(&self) -> bool {
        self.stopped
    }

    /// The message so far (None before `message_start`).
    pub fn message(&self) -> Option<&MessageResponse> {
        self.message.as_ref()
    }

    pub fn into_message(self) -> Option<MessageResponse> {
        self.message
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::api::sse::SseParser;
    use serde_json::json;

    pub(crate) fn events(transcript: &str) -> Vec<StreamEvent> {
        let mut p = SseParser::new();
        let mut out = Vec::new();
        p.feed(transcript.as_bytes(), &mut out).unwrap();
        p.finish(&mut out);
        out.iter()
            .map(|e| serde_json::from_str(&e.data).unwrap())
            .collect()
    }

    const TOOL_AND_THINKING: &str = r#"event: message_start
data: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","model":"claude-sonnet-4","content":[],"stop_reason":null,"stop_sequence":null,"usage":{"input_tokens":25,"output_tokens":1,"cache_read_input_tokens":7}}}

event: content_block_start
data: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me "}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"think."}}

event: content_block_delta
data: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"c2lnbmF0dXJl"}}

event: content_block_stop
data: {"type":"content_block_stop","index":0}

event: content_block_start
data: {"type":"content_block_start","index":1,"content_block":{"type":"text","text":""}}

event: ping
data: {"type":"ping"}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Checking "}}

event: some_future_event
data: {"type":"some_future_event","x":1}

event: content_block_delta
data: {"type":"content_block_delta","index":1,"delta":{"type":"text_delta","text":"Paris."}}

event: content_block_stop
data: {"type":"content_block_stop","index":1}

event: content_block_start
data: {"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":""}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"{\"location\": \"Par"}}

event: content_block_delta
data: {"type":"content_block_delta","index":2,"delta":{"type":"input_json_delta","partial_json":"is\", \"unit\": \"c\"}"}}

event: content_block_stop
data: {"type":"content_block_stop","index":2}

event: message_delta
data: {"type":"message_delta","delta":{"stop_reason":"tool_use","stop_sequence":null},"usage":{"output_tokens":89}}

event: message_stop
data: {"type":"message_stop"}

"#;

    #[test]
    fn folds_thinking_text_and_tool_use() {
        let mut acc = Accumulator::new();
        for e in events(TOOL_AND_THINKING) {
            acc.apply(&e).unwrap();
        }
        assert!(acc.is_complete());
        let msg = acc.into_message().unwrap();
        assert_eq!(
            serde_json::to_value(&msg.content).unwrap(),
            json!([
                {"type": "thinking", "thinking": "Let me think.", "signature": "c2lnbmF0dXJl"},
                {"type": "text", "text": "Checking Paris."},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather",
                 "input": {"location": "Paris", "unit": "c"}}
            ])
        );
        assert_eq!(msg.stop_reason.as_deref(), Some("tool_use"));
        assert_eq!(msg.usage.input_tokens, 25);
        assert_eq!(msg.usage.output_tokens, 89);
        assert_eq!(msg.usage.cache_read_input_tokens, Some(7));
    }

    #[test]
    fn stream_without_stop_is_incomplete_but_keeps_content() {
        let cut = TOOL_AND_THINKING
            .split(
                "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":2",
            )
            .next()
            .unwrap();
        let mut acc = Accumulator::new();
        for e in events(cut) {
            acc.apply(&e).unwrap();
        }
        assert!(!acc.is_complete());
        assert_eq!(acc.message().unwrap().text(), "Checking Paris.");
    }

    #[test]
    fn error_event_is_an_error() {
        let mut acc = Accumulator::new();
        let e: StreamEvent = serde_json::from_str(
            r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#,
        )
        .unwrap();
        let err = acc.apply(&e).unwrap_err();
        assert!(
            matches!(err, AccumulateError::ErrorEvent(d) if d.kind.as_deref() == Some("overloaded_error"))
        );
    }

    #[test]
    fn bad_tool_json_is_reported() {
        let mut acc = Accumulator::new();
        let t = TOOL_AND_THINKING.replace(r#"is\", \"unit\": \"c\"}"#, r#"is"#);
        let mut err = None;
        for e in events(&t) {
            if let Err(e) = acc.apply(&e) {
                err = Some(e);
                break;
            }
        }
        assert!(matches!(
            err,
            Some(AccumulateError::ToolInput { index: 2, .. })
        ));
    }
}
