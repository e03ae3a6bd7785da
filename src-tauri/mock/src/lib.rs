//! A local stand-in for MegaLLM's Anthropic-compatible API: real HTTP and
//! SSE (axum on hyper), deterministic scripted replies chosen by
//! `[[markers]]` in the prompt, and fault injection. Used in-process by
//! tests, as a binary by the SDK conformance suite and the demo.
//!
//! Markers in the last user message pick the reply: none echoes the prompt
//! (`Echo: ...`); `[[markdown]]` (`[[markdown:N]]`: N times over),
//! `[[long:N]]` (N words), `[[code:N]]` (a fenced block of N lines),
//! `[[line:N]]` (N words on one line), `[[tool]]`,
//! `[[thinking]]`; `[[rate:N]]` sets the streaming pace (as does the
//! `x-mock-tokens-per-sec` header). `[[fault:SPEC]]` or the `x-mock-fault`
//! header inject a fault: SPEC is `401|403|429|500|529|502html|error-event|
//! drop|stall|no-stream` plus options `times=N retry_after=S retry_after_ms=MS
//! should_retry=true|false shape=megallm after=N scope=body|spec` (`times`
//! counts each distinct body, so a client's retries count, unless
//! `scope=spec`: every request with the spec). `GET /_mock/requests`
//! returns the request log, `POST /_mock/reset` clears it and the fault
//! counters. `MockConfig::no_document_blocks` (`--no-document-blocks`)
//! refuses `document` blocks like a text-and-images-only proxy;
//! `no_pdf_blocks` (`--no-pdf-blocks`) refuses PDFs sent as themselves;
//! `context_window` (`--context-window N`) lists the models with a smaller
//! window than their 200K.

mod error;
mod fault;
mod log;
mod models;
mod script;
mod server;
mod sse;
mod time;
mod tokens;
mod validate;

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

pub use log::RequestRecord;

/// Which of the two model-list shapes `GET /v1/models` answers with.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ModelsShape {
    /// `{"data":[{"type":"model",..}],"has_more","first_id","last_id"}`, paged.
    #[default]
    Anthropic,
    /// `{"object":"list","data":[{"object":"model","type":"chat",..}]}`, with
    /// a GPT and an embedding model mixed in.
    MegaLlm,
}

/// Which models `GET /v1/models` names (and `/v1/messages` answers for).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ModelsList {
    /// The four seed models (with a GPT and an embedding model in MegaLLM's shape).
    #[default]
    Seeds,
    /// Only models not named `claude-*`, as another compatible service lists them.
    Other,
    /// No models at all.
    Empty,
}

#[derive(Debug, Clone)]
pub struct MockConfig {
    /// The only key accepted; `None` accepts any non-empty key.
    pub api_key: Option<String>,
    /// Streaming pace; 0 streams as fast as the client reads.
    pub tokens_per_sec: f64,
    pub models_shape: ModelsShape,
    pub models_list: ModelsList,
    /// A fault SPEC (`401`, `500 times=1`) for every model-list request:
    /// clients such as the CLI cannot send `x-mock-fault` themselves.
    pub models_fault: Option<String>,
    /// Refuse `document` blocks the way a proxy that only knows text and
    /// images does (MegaLLM's published spec lists no document block).
    pub no_document_blocks: bool,
    /// Refuse PDFs sent as base64 `document` blocks, as a model or proxy
    /// without PDF support does.
    pub no_pdf_blocks: bool,
    /// The context window the model list gives every chat model: a small
    /// one makes "does not fit" reachable with small files.
    pub context_window: u64,
}

impl Default for MockConfig {
    fn default() -> Self {
        MockConfig {
            api_key: None,
            tokens_per_sec: 0.0,
            models_shape: ModelsShape::Anthropic,
            models_list: ModelsList::Seeds,
            models_fault: None,
            no_document_blocks: false,
            no_pdf_blocks: false,
            context_window: models::CONTEXT,
        }
    }
}

/// A running mock server. Dropping it stops the server too.
pub struct MockServer {
    addr: SocketAddr,
    state: Arc<server::AppState>,
    task: Option<JoinHandle<()>>,
}

/// How long `shutdown` lets open connections finish before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

impl MockServer {
    /// Serves on a random port of 127.0.0.1.
    pub async fn start(config: MockConfig) -> std::io::Result<MockServer> {
        Self::start_on(SocketAddr::from(([127, 0, 0, 1], 0)), config).await
    }

    /// Fails with `InvalidInput` when `models_fault` is not a valid SPEC, so
    /// a typo is reported at start rather than as a 400 on every list.
    pub async fn start_on(addr: SocketAddr, config: MockConfig) -> std::io::Result<MockServer> {
        if let Some(spec) = &config.models_fault {
            fault::Fault::parse(spec).map_err(|e| {
                std::io::Error::new(
                    std::io::ErrorKind::InvalidInput,
                    format!("models fault: {e}"),
                )
            })?;
        }
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let shutdown = CancellationToken::new();
        let state = Arc::new(server::AppState {
            config,
            log: log::RequestLog::new(),
            faults: fault::Counters::default(),
            shutdown: shutdown.clone(),
        });
        let app = server::router(state.clone());
        let task = tokio::spawn(async move {
            let served = axum::serve(listener, app)
                .with_graceful_shutdown(async move { shutdown.cancelled().await })
                .await;
            if let Err(e) = served {
                tracing::error!("mock server stopped: {e}");
            }
        });
        Ok(MockServer {
            addr,
            state,
            task: Some(task),
        })
    }

    pub fn base_url(&self) -> String {
        format!("http://{}", self.addr)
    }

    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// Every request so far (except `/_mock/*`), oldest first.
    pub fn requests(&self) -> Vec<RequestRecord> {
        self.state.log.snapshot()
    }

    /// Stops accepting, ends open streams (stalled ones included), and
    /// waits for the server task.
    pub async fn shutdown(mut self) {
        self.state.shutdown.cancel();
        if let Some(mut task) = self.task.take()
            && tokio::time::timeout(SHUTDOWN_GRACE, &mut task)
                .await
                .is_err()
        {
            task.abort();
        }
    }
}

impl Drop for MockServer {
    fn drop(&mut self) {
        self.state.shutdown.cancel();
    }
}
