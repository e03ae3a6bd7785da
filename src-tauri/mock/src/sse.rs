//! Server-sent events exactly as Anthropic writes them, paced, with the
//! mid-stream faults, and with a body that notices when the client leaves.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::Body;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::Response;
use bytes::Bytes;
use futures_util::Stream;
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio_util::sync::CancellationToken;

use crate::fault::{Fault, Kind};
use crate::log::{DisconnectGuard, RequestLog};
use crate::script::{Block, Reply};

/// Every 25th delta is followed by an event type no client knows about, and
/// a comment line half-way between: clients must ignore both.
const ODDITY_EVERY: u32 = 25;
const KEEP_ALIVE: &[u8] = b": keep-alive\n\n";

pub fn event(name: &str, data: &Value) -> Bytes {
    Bytes::from(format!("event: {name}\ndata: {data}\n\n"))
}

type Chunk = Result<Bytes, io::Error>;

/// The response body: chunks from a producer task, plus the guard that
/// records a disconnect when hyper drops the body early.
struct GuardedBody {
    rx: mpsc::Receiver<Chunk>,
    guard: DisconnectGuard,
    /// A cut waiting one poll, see `poll_next`.
    cut: Option<io::Error>,
}

impl Stream for GuardedBody {
    type Item = Chunk;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Chunk>> {
        let this = &mut *self;
        if let Some(e) = this.cut.take() {
            // A deliberate cut (the `drop` fault), not the client leaving.
            this.guard.finish();
            return Poll::Ready(Some(Err(e)));
        }
        match this.rx.poll_recv(cx) {
            Poll::Ready(None) => {
                this.guard.finish();
                Poll::Ready(None)
            }
            Poll::Ready(Some(Err(e))) => {
                // Hyper flushes what it buffered only when the body is
                // pending; erroring straight away would lose the deltas that
                // should reach the client before the cut. So: pending once.
                this.cut = Some(e);
                cx.waker().wake_by_ref();
                Poll::Pending
            }
            other => other,
        }
    }
}

/// Where a body's producer reports to and what stops it.
#[derive(Clone)]
pub struct BodyContext {
    pub log: Arc<RequestLog>,
    pub seq: u64,
    pub shutdown: CancellationToken,
}

/// A streamed body fed by `produce`, which gets a `Writer`.
fn spawn_body<F, Fut>(
    ctx: &BodyContext,
    delay: Option<Duration>,
    fault: Option<Fault>,
    produce: F,
) -> Body
where
    F: FnOnce(Writer) -> Fut + Send + 'static,
    Fut: Future<Output = Result<(), Stop>> + Send + 'static,
{
    // A small buffer: the pace is set by the producer, and back-pressure
    // keeps a slow client from making the mock buffer a whole reply.
    let (tx, rx) = mpsc::channel(16);
    let writer = Writer {
        tx,
        shutdown: ctx.shutdown.clone(),
        delay,
        deltas: 0,
        fault,
        parts: Parts {
            log: ctx.log.clone(),
            seq: ctx.seq,
            recent: String::new(),
            last: 0,
        },
    };
    tokio::spawn(async move {
        // Stop only means "the body is over"; there is nobody to report to.
        let _ = produce(writer).await;
    });
    Body::from_stream(GuardedBody {
        rx,
        guard: DisconnectGuard::new(ctx.log.clone(), ctx.seq),
        cut: None,
    })
}

/// The reply as an Anthropic event stream.
pub fn stream_response(
    reply: Reply,
    delay: Option<Duration>,
    fault: Option<Fault>,
    ctx: &BodyContext,
) -> Response {
    let fault_for_headers = fault.clone();
    let body = spawn_body(ctx, delay, fault, move |mut w| async move {
        w.reply(&reply).await
    });
    let mut resp = Response::new(body);
    let headers = resp.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/event-stream; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
    if let Some(f) = fault_for_headers {
        f.add_headers(&mut resp);
    }
    resp
}

/// A non-streamed JSON response broken by `drop` (half the body, then the
/// connection is cut) or `stall` (headers, then nothing).
pub fn broken_json(full: &Value, fault: Fault, ctx: &BodyContext) -> Response {
    let text = full.to_string();
    let half = Bytes::copy_from_slice(&text.as_bytes()[..text.len() / 2]);
    let kind = fault.kind;
    let body = spawn_body(ctx, None, Some(fault.clone()), move |mut w| async move {
        if kind == Kind::Drop {
            w.send(half).await?;
        }
        Err(w.trigger().await)
    });
    let mut resp = Response::new(body);
    *resp.status_mut() = StatusCode::OK;
    resp.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("application/json"),
    );
    fault.add_headers(&mut resp);
    resp
}

/// The body is over (client gone, server shutting down, or a fault ended it).
pub struct Stop;

struct Writer {
    tx: mpsc::Sender<Chunk>,
    shutdown: CancellationToken,
    delay: Option<Duration>,
    deltas: u32,
    fault: Option<Fault>,
    parts: Parts,
}

/// Notes when each "Part k." of the text was written (see
/// `RequestRecord::parts_written_ms`), from the last few characters sent.
struct Parts {
    log: Arc<RequestLog>,
    seq: u64,
    recent: String,
    last: u64,
}

impl Parts {
    fn written(&mut self, text: &str) {
        self.recent.push_str(text);
        if self.recent.len() > 64 {
            let cut = self.recent.len() - 32;
            let at = (cut..self.recent.len())
                .find(|i| self.recent.is_char_boundary(*i))
                .unwrap_or(self.recent.len());
            self.recent.drain(..at);
        }
        let Some(at) = self.recent.rfind("Part ") else {
            return;
        };
        let rest = &self.recent[at + 5..];
        let digits = rest.trim_end().strip_suffix('.').unwrap_or("");
        if let Ok(k) = digits.parse::<u64>()
            && k > self.last
        {
            self.last = k;
            self.log.mark_part(self.seq, k);
        }
    }
}

impl Writer {
    async fn send(&mut self, bytes: Bytes) -> Result<(), Stop> {
        tokio::select! {
            sent = self.tx.send(Ok(bytes)) => sent.map_err(|_| Stop),
            () = self.shutdown.cancelled() => Err(Stop),
        }
    }

    async fn event(&mut self, name: &str, data: Value) -> Result<(), Stop> {
        self.send(event(name, &data)).await
    }

    /// Waits, but not past the client leaving or the server stopping.
    async fn pause(&self, d: Duration) -> Result<(), Stop> {
        tokio::select! {
            () = tokio::time::sleep(d) => Ok(()),
            () = self.tx.closed() => Err(Stop),
            () = self.shutdown.cancelled() => Err(Stop),
        }
    }

    /// Ends the body the way the fault says; always returns Stop.
    async fn trigger(&mut self) -> Stop {
        let Some(fault) = self.fault.take() else {
            return Stop;
        };
        match fault.kind {
            Kind::Drop => {
                // An Err chunk makes hyper abort the connection mid-body.
                let _ = self
                    .tx
                    .send(Err(io::Error::new(
                        io::ErrorKind::ConnectionAborted,
                        "mock fault: drop",
                    )))
                    .await;
            }
            Kind::Stall => {
                tokio::select! {
                    () = self.tx.closed() => {}
                    () = self.shutdown.cancelled() => {}
                }
            }
            _ => {
                let error = json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}});
                let _ = self.event("error", error).await;
            }
        }
        Stop
    }

    async fn fault_due(&mut self, at_end: bool) -> Result<(), Stop> {
        match &self.fault {
            Some(f) if at_end || self.deltas >= f.after => Err(self.trigger().await),
            _ => Ok(()),
        }
    }

    async fn delta(&mut self, index: usize, delta: Value) -> Result<(), Stop> {
        self.fault_due(false).await?;
        if self.deltas > 0
            && let Some(d) = self.delay
        {
            self.pause(d).await?;
        }
        self.event(
            "content_block_delta",
            json!({"type": "content_block_delta", "index": index, "delta": delta}),
        )
        .await?;
        self.deltas += 1;
        if self.deltas.is_multiple_of(ODDITY_EVERY) {
            self.event("mock_future_event", json!({"type": "mock_future_event"}))
                .await?;
        }
        if self.deltas % ODDITY_EVERY == ODDITY_EVERY / 2 {
            self.send(Bytes::from_static(KEEP_ALIVE)).await?;
        }
        Ok(())
    }

    async fn reply(&mut self, reply: &Reply) -> Result<(), Stop> {
        self.event(
            "message_start",
            json!({"type": "message_start", "message": reply.message(false)}),
        )
        .await?;
        for (index, block) in reply.blocks.iter().enumerate() {
            let start = match block {
                Block::Text { .. } => json!({"type": "text", "text": ""}),
                Block::Thinking { .. } => {
                    json!({"type": "thinking", "thinking": "", "signature": ""})
                }
                Block::ToolUse { id, name, .. } => {
                    json!({"type": "tool_use", "id": id, "name": name, "input": {}})
                }
            };
            self.event(
                "content_block_start",
                json!({"type": "content_block_start", "index": index, "content_block": start}),
            )
            .await?;
            if index == 0 {
                self.event("ping", json!({"type": "ping"})).await?;
            }
            match block {
                Block::Text { chunks } => {
                    for c in chunks {
                        self.delta(index, json!({"type": "text_delta", "text": c}))
                            .await?;
                        self.parts.written(c);
                    }
                }
                Block::Thinking { chunks, signature } => {
                    for c in chunks {
                        self.delta(index, json!({"type": "thinking_delta", "thinking": c}))
                            .await?;
                    }
                    self.delta(
                        index,
                        json!({"type": "signature_delta", "signature": signature}),
                    )
                    .await?;
                }
                Block::ToolUse { pieces, .. } => {
                    for p in pieces {
                        self.delta(
                            index,
                            json!({"type": "input_json_delta", "partial_json": p}),
                        )
                        .await?;
                    }
                }
            }
            self.event(
                "content_block_stop",
                json!({"type": "content_block_stop", "index": index}),
            )
            .await?;
        }
        self.fault_due(true).await?;
        let delta = json!({
            "type": "message_delta",
            "delta": {"stop_reason": reply.stop_reason, "stop_sequence": reply.stop_sequence},
            "usage": {"output_tokens": reply.output_tokens},
        });
        self.event("message_delta", delta).await?;
        self.event("message_stop", json!({"type": "message_stop"}))
            .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use std::collections::BTreeMap;

    use super::*;
    use crate::log::RequestRecord;

    #[test]
    fn each_part_is_timed_once_when_its_number_is_complete() {
        let log = RequestLog::new();
        log.push(RequestRecord {
            seq: 7,
            method: "POST".into(),
            path: "/v1/messages".into(),
            query: None,
            received_at_ms: 0.0,
            headers: BTreeMap::new(),
            body: None,
            status: 200,
            disconnected_at_ms: None,
            parts_written_ms: Vec::new(),
        });
        let mut parts = Parts {
            log: log.clone(),
            seq: 7,
            recent: String::new(),
            last: 0,
        };
        // As the tokens arrive: "Part 1" is not yet part 1 (it could be 12).
        for chunk in [
            "Part",
            " 1",
            "2",
            ".",
            "\n\n# A tour",
            " of",
            " Markdown…",
            "Part 13",
            ".\n\n",
            "Part 13.",
        ] {
            parts.written(chunk);
        }
        let timed: Vec<u64> = log.snapshot()[0]
            .parts_written_ms
            .iter()
            .map(|p| p.0)
            .collect();
        assert_eq!(timed, vec![12, 13]);
    }
}
