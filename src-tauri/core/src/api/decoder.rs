//! A stream's per-event work without any I/O: bytes in, typed events out,
//! each folded into the message. The HTTP stream drives it; the throughput
//! benchmark drives exactly the same code.

use std::collections::VecDeque;

use super::accumulate::{AccumulateError, Accumulator};
use super::error::ApiError;
use super::sse::{SseEvent, SseParser};
use super::types::{MessageResponse, StreamEvent};

/// Event names the protocol defines; their data must parse. Anything else
/// may carry anything and is skipped.
const KNOWN_EVENTS: [&str; 8] = [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
    "ping",
    "error",
];

#[derive(Debug, Default)]
pub struct StreamDecoder {
    parser: SseParser,
    pending: VecDeque<SseEvent>,
    scratch: Vec<SseEvent>,
    acc: Accumulator,
}

impl StreamDecoder {
    pub fn new() -> Self {
        Self {
            parser: SseParser::new(),
            ..Self::default()
        }
    }

    /// Takes bytes exactly as they arrived.
    pub fn feed(&mut self, bytes: &[u8]) -> Result<(), ApiError> {
        if let Err(e) = self.parser.feed(bytes, &mut self.scratch) {
            return Err(ApiError::Decode {
                message: e.to_string(),
                partial: None,
            }
            .with_partial(self.partial()));
        }
        self.pending.extend(self.scratch.drain(..));
        Ok(())
    }

    /// The input has ended; true if that completed one more event.
    pub fn end_of_input(&mut self) -> bool {
        self.parser.finish(&mut self.scratch);
        let more = !self.scratch.is_empty();
        self.pending.extend(self.scratch.drain(..));
        more
    }

    /// The next complete event, folded into the message; `None` when no
    /// complete event is buffered. Pings and unknown events are skipped.
    pub fn next_event(&mut self) -> Option<Result<StreamEvent, ApiError>> {
        while let Some(sse) = self.pending.pop_front() {
            let event = match serde_json::from_str::<StreamEvent>(&sse.data) {
                Ok(StreamEvent::Unknown) => continue,
                Ok(e) => e,
                Err(_) if !KNOWN_EVENTS.contains(&sse.event.as_str()) => continue,
                Err(e) => {
                    let message = format!("bad `{}` event: {e}", sse.event);
                    return Some(Err(ApiError::Decode {
                        message,
                        partial: None,
                    }
                    .with_partial(self.partial())));
                }
            };
            return Some(match self.acc.apply(&event) {
                Ok(()) => Ok(event),
                Err(AccumulateError::ErrorEvent(detail)) => {
                    Err(ApiError::from_event(&detail, self.partial().map(Box::new)))
                }
                Err(other) => Err(ApiError::Decode {
                    message: other.to_string(),
                    partial: None,
                }
                .with_partial(self.partial())),
            });
        }
        None
    }

    /// The message so far.
    pub fn message(&self) -> Option<&MessageResponse> {
        self.acc.message()
    }

    pub fn partial(&self) -> Option<MessageResponse> {
        self.acc.message().cloned()
    }

    /// `message_stop` has arrived.
    pub fn is_complete(&self) -> bool {
        self.acc.is_complete()
    }

    pub fn into_message(self) -> Option<MessageResponse> {
        self.acc.into_message()
    }
}
