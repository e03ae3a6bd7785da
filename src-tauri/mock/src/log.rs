//! The request log behind `GET /_mock/requests` and `MockServer::requests`.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// One request as the server saw it. Secrets are redacted so a log can be
/// dumped into test output safely.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RequestRecord {
    pub seq: u64,
    pub method: String,
    pub path: String,
    /// The query string, if any (paging tests want to see it).
    pub query: Option<String>,
    /// Milliseconds since the server started.
    pub received_at_ms: f64,
    /// Lowercase header name -> value; `x-api-key` and `authorization` are `REDACTED`.
    pub headers: BTreeMap<String, String>,
    /// The body as JSON; a non-JSON body is kept as a JSON string, an empty one is `None`.
    pub body: Option<Value>,
    /// The response status (0 while the handler is still running).
    pub status: u16,
    /// For streamed bodies: when the client went away before the body ended.
    pub disconnected_at_ms: Option<f64>,
    /// The numbered parts of a `[[markdown:N]]` reply ("Part k."): k, and
    /// when the text that completes it was handed to the connection, in
    /// milliseconds since the UNIX epoch (a client's clock on the same
    /// machine can be set beside it, to time what the client adds).
    #[serde(default)]
    pub parts_written_ms: Vec<(u64, f64)>,
}

pub const REDACTED: &str = "REDACTED";

#[derive(Debug)]
pub struct RequestLog {
    started: Instant,
    next_seq: AtomicU64,
    records: Mutex<Vec<RequestRecord>>,
}

impl RequestLog {
    pub fn new() -> Arc<Self> {
        Arc::new(RequestLog {
            started: Instant::now(),
            next_seq: AtomicU64::new(1),
            records: Mutex::new(Vec::new()),
        })
    }

    /// Sequence numbers never restart, not even on reset: ids built from
    /// them (`req_mock_N`, `msg_mock_N`) stay unique for the server's life,
    /// and a stream still running across a reset cannot mark a new record.
    pub fn next_seq(&self) -> u64 {
        self.next_seq.fetch_add(1, Ordering::Relaxed)
    }

    pub fn elapsed_ms(&self) -> f64 {
        self.started.elapsed().as_secs_f64() * 1000.0
    }

    // A panic while holding the lock must not take the whole log down with it.
    fn lock(&self) -> MutexGuard<'_, Vec<RequestRecord>> {
        self.records
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    pub fn push(&self, record: RequestRecord) {
        self.lock().push(record);
    }

    fn update(&self, seq: u64, f: impl FnOnce(&mut RequestRecord)) {
        let mut records = self.lock();
        if let Some(r) = records.iter_mut().rev().find(|r| r.seq == seq) {
            f(r);
        }
    }

    pub fn set_status(&self, seq: u64, status: u16) {
        self.update(seq, |r| r.status = status);
    }

    pub fn mark_disconnected(&self, seq: u64) {
        let at = self.elapsed_ms();
        self.update(seq, |r| r.disconnected_at_ms = Some(at));
    }

    pub fn mark_part(&self, seq: u64, part: u64) {
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0.0, |d| d.as_secs_f64() * 1000.0);
        self.update(seq, |r| r.parts_written_ms.push((part, at)));
    }

    pub fn snapshot(&self) -> Vec<RequestRecord> {
        self.lock().clone()
    }

    pub fn clear(&self) {
        self.lock().clear();
    }
}

/// Lives inside a streamed response body. Hyper drops the body when the
/// client goes away, so dropping this before the body finished is exactly
/// "the client disconnected", timed as precisely as hyper notices it.
pub struct DisconnectGuard {
    log: Arc<RequestLog>,
    seq: u64,
    finished: bool,
}

impl DisconnectGuard {
    pub fn new(log: Arc<RequestLog>, seq: u64) -> Self {
        DisconnectGuard {
            log,
            seq,
            finished: false,
        }
    }

    /// The body ended on the server's terms (completed, or deliberately cut).
    pub fn finish(&mut self) {
        self.finished = true;
    }
}

impl Drop for DisconnectGuard {
    fn drop(&mut self) {
        if !self.finished {
            self.log.mark_disconnected(self.seq);
        }
    }
}
