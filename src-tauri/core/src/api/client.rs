//! The HTTP client for an Anthropic-compatible Messages API.

use std::fmt;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;
use futures_util::{Stream, StreamExt};
use reqwest::Method;
use reqwest::header::{HeaderMap, HeaderValue};
use serde::Serialize;
use serde_json::Value;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio_util::sync::CancellationToken;

use super::decoder::StreamDecoder;
use super::error::{ApiError, TimeoutPhase};
use super::models::{ModelInfo, parse_model_page};
use super::ratelimit::RateLimits;
use super::retry::{RetryPolicy, server_delay, should_retry};
use super::types::{MessageResponse, MessagesRequest, StreamEvent};

pub const ANTHROPIC_VERSION: &str = "2023-06-01";
pub const DEFAULT_BASE_URL: &str = "https://ai.megallm.io";
/// Models per page when listing (Anthropic allows up to 1000).
const MODEL_PAGE: u32 = 100;

/// An API key. Its `Debug` and `Display` never show it, so it cannot leak
/// into logs or error messages by accident.
#[derive(Clone, PartialEq, Eq)]
pub struct ApiKey(String);

impl ApiKey {
    pub fn new(key: impl Into<String>) -> Option<Self> {
        let key = key.into().trim().to_owned();
        (!key.is_empty()).then_some(Self(key))
    }

    /// The secret itself: only for the request header and the keychain.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("ApiKey(<redacted>)")
    }
}

#[derive(Debug, Clone)]
pub struct ClientConfig {
    pub base_url: String,
    pub api_key: ApiKey,
    pub retry: RetryPolicy,
    pub connect_timeout: Duration,
    /// Longest silence tolerated while waiting for headers or between stream
    /// chunks. The service sends `ping`s, so silence means a stall.
    pub idle_timeout: Duration,
    /// Longest wait for a whole non-streamed reply.
    pub request_timeout: Duration,
    /// Requests in flight at once (the tier's concurrency limit).
    pub max_concurrent: usize,
}

impl ClientConfig {
    pub fn new(base_url: impl Into<String>, api_key: ApiKey) -> Self {
        Self {
            base_url: base_url.into(),
            api_key,
            retry: RetryPolicy::default(),
            connect_timeout: Duration::from_secs(5),
            idle_timeout: Duration::from_secs(90),
            request_timeout: Duration::from_secs(600),
            max_concurrent: 10,
        }
    }
}

/// Normalizes a base URL: http(s) only, no embedded credentials, no
/// trailing `/` or `/v1` (users paste either).
pub fn normalize_base_url(raw: &str) -> Result<String, ApiError> {
    let url = reqwest::Url::parse(raw.trim()).map_err(|e| {
        ApiError::Config(format!(
            "The base URL \u{201c}{raw}\u{201d} is not a valid URL ({e})."
        ))
    })?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(ApiError::Config(
            "The base URL must start with https:// (or http:// for a local server).".into(),
        ));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(ApiError::Config(
            "The base URL must not contain a user name or password; put the key in settings."
                .into(),
        ));
    }
    let mut s = url.as_str().trim_end_matches('/').to_owned();
    if let Some(stripped) = s.strip_suffix("/v1") {
        s = stripped.to_owned();
    }
    Ok(s)
}

#[derive(Clone)]
pub struct Client {
    http: reqwest::Client,
    base_url: String,
    config: Arc<ClientConfig>,
    limiter: Arc<Semaphore>,
    rate_limits: Arc<Mutex<Option<RateLimits>>>,
}

impl fmt::Debug for Client {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Client")
            .field("base_url", &self.base_url)
            .finish_non_exhaustive()
    }
}

type ByteStream = Pin<Box<dyn Stream<Item = reqwest::Result<Bytes>> + Send>>;

impl Client {
    pub fn new(config: ClientConfig) -> Result<Self, ApiError> {
        let base_url = normalize_base_url(&config.base_url)?;
        let http = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            // The key is a custom header that reqwest would carry across a
            // redirect to another host: never follow redirects.
            .redirect(reqwest::redirect::Policy::none())
            .user_agent(concat!("megallm-desktop/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| ApiError::Config(format!("Could not set up HTTP: {e}")))?;
        Ok(Self {
            http,
            base_url,
            limiter: Arc::new(Semaphore::new(config.max_concurrent.max(1))),
            config: Arc::new(config),
            rate_limits: Arc::new(Mutex::new(None)),
        })
    }

    pub fn base_url(&self) -> &str {
        &self.base_url
    }

    /// How many requests may be in flight at once.
    pub fn max_concurrent(&self) -> usize {
        self.config.max_concurrent.max(1)
    }

    /// Whether every concurrency slot is taken, so a request made now waits.
    pub fn is_saturated(&self) -> bool {
        self.limiter.available_permits() == 0
    }

    /// The rate-limit headers of the latest response that had any.
    pub fn rate_limits(&self) -> Option<RateLimits> {
        self.rate_limits.lock().ok().and_then(|g| g.clone())
    }

    fn headers(&self, stream: bool) -> Result<HeaderMap, ApiError> {
        let mut h = HeaderMap::new();
        let mut key = HeaderValue::from_str(self.config.api_key.expose()).map_err(|_| {
            ApiError::Config(
                "The API key contains characters that cannot be sent. Paste it again.".into(),
            )
        })?;
        key.set_sensitive(true);
        h.insert("x-api-key", key);
        h.insert(
            "anthropic-version",
            HeaderValue::from_static(ANTHROPIC_VERSION),
        );
        h.insert("content-type", HeaderValue::from_static("application/json"));
        if stream {
            h.insert("accept", HeaderValue::from_static("text/event-stream"));
        }
        Ok(h)
    }

    /// Sends a request, retrying what the policy allows, and returns a
    /// successful response together with the concurrency slot it holds.
    async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&(impl Serialize + Sync)>,
        stream: bool,
        cancel: &CancellationToken,
    ) -> Result<(reqwest::Response, OwnedSemaphorePermit), ApiError> {
        let permit = tokio::select! {
            p = self.limiter.clone().acquire_owned() => p.map_err(|_| ApiError::Config("client closed".into()))?,
            _ = cancel.cancelled() => return Err(ApiError::Cancelled { partial: None }),
        };
        let url = format!("{}{}", self.base_url, path);
        let body = match body {
            Some(b) => Some(
                serde_json::to_vec(b)
                    .map_err(|e| ApiError::Config(format!("Could not encode the request: {e}")))?,
            ),
            None => None,
        };
        let headers = self.headers(stream)?;
        let wait_for_headers = if stream {
            self.config.idle_timeout
        } else {
            self.config.request_timeout
        };
        let mut retry = 0;
        loop {
            let mut req = self
                .http
                .request(method.clone(), &url)
                .headers(headers.clone());
            if let Some(b) = &body {
                req = req.body(b.clone());
            }
            let outcome = tokio::select! {
                r = tokio::time::timeout(wait_for_headers, req.send()) => r,
                _ = cancel.cancelled() => return Err(ApiError::Cancelled { partial: None }),
            };
            let (err, delay) = match outcome {
                Err(_) => (
                    ApiError::Timeout {
                        phase: TimeoutPhase::Idle,
                        partial: None,
                    },
                    None,
                ),
                Ok(Err(e)) => {
                    let err = if e.is_timeout() {
                        ApiError::Timeout {
                            phase: TimeoutPhase::Connect,
                            partial: None,
                        }
                    } else {
                        ApiError::Connection {
                            message: describe_reqwest(&e),
                            partial: None,
                        }
                    };
                    (err, None)
                }
                Ok(Ok(resp)) => {
                    if let Some(r) = RateLimits::from_headers(resp.headers())
                        && let Ok(mut g) = self.rate_limits.lock()
                    {
                        *g = Some(r);
                    }
                    if resp.status().is_success() {
                        return Ok((resp, permit));
                    }
                    let status = resp.status().as_u16();
                    let retryable = should_retry(status, resp.headers());
                    let delay = server_delay(resp.headers());
                    let request_id = resp
                        .headers()
                        .get("request-id")
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_owned);
                    let bytes = tokio::time::timeout(self.config.idle_timeout, resp.bytes())
                        .await
                        .ok()
                        .and_then(Result::ok)
                        .unwrap_or_default();
                    let err = ApiError::from_response(status, &bytes, request_id, delay);
                    if !retryable {
                        return Err(err);
                    }
                    (err, delay)
                }
            };
            if retry >= self.config.retry.max_retries {
                return Err(err);
            }
            let wait = self.config.retry.delay(retry, delay);
            tracing::info!(retry = retry + 1, wait_ms = wait.as_millis() as u64, error = %err, "retrying request");
            tokio::select! {
                _ = tokio::time::sleep(wait) => {}
                _ = cancel.cancelled() => return Err(ApiError::Cancelled { partial: None }),
            }
            retry += 1;
        }
    }

    /// `POST /v1/messages` without streaming.
    pub async fn create_message(&self, req: &MessagesRequest) -> Result<MessageResponse, ApiError> {
        let mut req = req.clone();
        req.stream = None;
        let cancel = CancellationToken::new();
        let (resp, _permit) = self
            .send(Method::POST, "/v1/messages", Some(&req), false, &cancel)
            .await?;
        let bytes = tokio::time::timeout(self.config.request_timeout, resp.bytes())
            .await
            .map_err(|_| ApiError::Timeout {
                phase: TimeoutPhase::Idle,
                partial: None,
            })?
            .map_err(|e| ApiError::Connection {
                message: describe_reqwest(&e),
                partial: None,
            })?;
        serde_json::from_slice(&bytes).map_err(|e| ApiError::Decode {
            message: e.to_string(),
            partial: None,
        })
    }

    /// `POST /v1/messages` with `stream: true`. Retries happen only before
    /// the stream starts; once events flow, a failure is returned with the
    /// partial message so nothing shown is lost.
    pub async fn stream_message(
        &self,
        req: &MessagesRequest,
        cancel: CancellationToken,
    ) -> Result<MessageStream, ApiError> {
        let mut req = req.clone();
        req.stream = Some(true);
        let (resp, permit) = self
            .send(Method::POST, "/v1/messages", Some(&req), true, &cancel)
            .await?;
        // Without this check a whole JSON reply would be fed to the SSE
        // parser, yield no event, and read as a connection cut short.
        if let Some(content_type) = whole_body_type(resp.headers()) {
            return Err(ApiError::NotStreamed { content_type });
        }
        let request_id = resp
            .headers()
            .get("request-id")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        Ok(MessageStream {
            body: Box::pin(resp.bytes_stream()),
            decoder: StreamDecoder::new(),
            cancel,
            idle_timeout: self.config.idle_timeout,
            finished: false,
            request_id,
            _permit: Some(permit),
        })
    }

    /// `POST /v1/messages/count_tokens`. `None` when the service does not
    /// offer it (MegaLLM does not document it): callers estimate instead.
    pub async fn count_tokens(&self, req: &MessagesRequest) -> Result<Option<u64>, ApiError> {
        let mut body = serde_json::to_value(req).map_err(|e| ApiError::Config(e.to_string()))?;
        if let Some(o) = body.as_object_mut() {
            o.remove("max_tokens");
            o.remove("stream");
        }
        let cancel = CancellationToken::new();
        match self
            .send(
                Method::POST,
                "/v1/messages/count_tokens",
                Some(&body),
                false,
                &cancel,
            )
            .await
        {
            Ok((resp, _permit)) => {
                let v: Value = resp.json().await.map_err(|e| ApiError::Decode {
                    message: e.to_string(),
                    partial: None,
                })?;
                Ok(v.get("input_tokens").and_then(Value::as_u64))
            }
            Err(ApiError::Service {
                status: Some(404 | 405),
                ..
            }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Every model the service lists, following pages. Tries `/v1/models`,
    /// then `/models` (MegaLLM's setup tool uses that path).
    pub async fn list_models(&self) -> Result<Vec<ModelInfo>, ApiError> {
        self.list_models_paged(MODEL_PAGE).await
    }

    /// [`Self::list_models`] with a chosen page size (tests use a small one
    /// to exercise paging).
    pub async fn list_models_paged(&self, page_size: u32) -> Result<Vec<ModelInfo>, ApiError> {
        match self.list_models_at("/v1/models", page_size).await {
            Err(ApiError::Service {
                status: Some(404 | 405),
                ..
            }) => self.list_models_at("/models", page_size).await,
            other => other,
        }
    }

    async fn list_models_at(&self, path: &str, page_size: u32) -> Result<Vec<ModelInfo>, ApiError> {
        const MAX_PAGES: usize = 50;
        let cancel = CancellationToken::new();
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let mut url = format!("{path}?limit={page_size}");
            if let Some(a) = &after {
                url.push_str("&after_id=");
                url.push_str(&urlencode(a));
            }
            let (resp, _permit) = self
                .send(Method::GET, &url, None::<&Value>, false, &cancel)
                .await?;
            let body: Value = resp.json().await.map_err(|e| ApiError::Decode {
                message: e.to_string(),
                partial: None,
            })?;
            let page = parse_model_page(&body).ok_or_else(|| ApiError::Decode {
                message: "the model list has no `data` array".into(),
                partial: None,
            })?;
            all.extend(page.models);
            match page.next_after {
                Some(next) if after.as_deref() != Some(next.as_str()) => after = Some(next),
                _ => break,
            }
        }
        Ok(all)
    }
}

/// The content type of a response that is one JSON document rather than an
/// event stream. A missing or other type is left to the SSE parser, which
/// tolerates servers that label their stream loosely.
fn whole_body_type(headers: &HeaderMap) -> Option<String> {
    let value = headers.get(reqwest::header::CONTENT_TYPE)?.to_str().ok()?;
    let essence = value.split(';').next()?.trim().to_ascii_lowercase();
    (essence == "application/json" || essence.ends_with("+json")).then_some(essence)
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// reqwest's errors name the URL; ours must not carry anything but the cause.
fn describe_reqwest(e: &reqwest::Error) -> String {
    let mut msg = if e.is_connect() {
        "connection refused or host unreachable".to_owned()
    } else if e.is_body() || e.is_decode() {
        "the connection broke while reading".to_owned()
    } else {
        "request failed".to_owned()
    };
    let mut source = std::error::Error::source(e);
    let mut depth = 0;
    while let Some(s) = source {
        if depth == 2 {
            break;
        }
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
        depth += 1;
    }
    msg
}

/// A reply arriving as events. Holds its concurrency slot until dropped.
pub struct MessageStream {
    body: ByteStream,
    decoder: StreamDecoder,
    cancel: CancellationToken,
    idle_timeout: Duration,
    finished: bool,
    request_id: Option<String>,
    /// The concurrency slot, held until the stream is dropped.
    _permit: Option<OwnedSemaphorePermit>,
}

impl MessageStream {
    /// A stream over any body, e.g. a recorded transcript: the benchmark and
    /// replay tests run exactly the code a live response runs.
    pub fn from_body(
        body: impl Stream<Item = reqwest::Result<Bytes>> + Send + 'static,
        cancel: CancellationToken,
        idle_timeout: Duration,
    ) -> Self {
        Self {
            body: Box::pin(body),
            decoder: StreamDecoder::new(),
            cancel,
            idle_timeout,
            finished: false,
            request_id: None,
            _permit: None,
        }
    }

    pub fn request_id(&self) -> Option<&str> {
        self.request_id.as_deref()
    }

    /// The message as accumulated so far.
    pub fn snapshot(&self) -> Option<&MessageResponse> {
        self.decoder.message()
    }

    /// The next event, already folded into the snapshot. `None` once the
    /// message is complete. After an error it returns `None` too.
    pub async fn next_event(&mut self) -> Option<Result<StreamEvent, ApiError>> {
        if self.finished {
            return None;
        }
        let result = self.next_inner().await;
        if !matches!(result, Some(Ok(_))) {
            self.finished = true;
            // Dropping the body closes the connection at once.
            self.body = Box::pin(futures_util::stream::empty());
        }
        result
    }

    async fn next_inner(&mut self) -> Option<Result<StreamEvent, ApiError>> {
        loop {
            if let Some(result) = self.decoder.next_event() {
                return Some(result);
            }
            if self.decoder.is_complete() {
                return None;
            }
            let chunk = tokio::select! {
                biased;
                _ = self.cancel.cancelled() => {
                    return Some(Err(ApiError::Cancelled { partial: None }.with_partial(self.decoder.partial())));
                }
                c = tokio::time::timeout(self.idle_timeout, self.body.next()) => c,
            };
            let failure = match chunk {
                Err(_) => ApiError::Timeout {
                    phase: TimeoutPhase::Idle,
                    partial: None,
                },
                Ok(None) if self.decoder.end_of_input() => continue,
                Ok(None) => ApiError::Incomplete { partial: None },
                Ok(Some(Err(e))) => ApiError::Connection {
                    message: describe_reqwest(&e),
                    partial: None,
                },
                Ok(Some(Ok(bytes))) => match self.decoder.feed(&bytes) {
                    Ok(()) => continue,
                    Err(e) => return Some(Err(e)),
                },
            };
            return Some(Err(failure.with_partial(self.decoder.partial())));
        }
    }

    /// Reads to the end and returns the complete message.
    pub async fn final_message(mut self) -> Result<MessageResponse, ApiError> {
        while let Some(e) = self.next_event().await {
            e?;
        }
        let complete = self.decoder.is_complete();
        match self.decoder.into_message() {
            Some(m) if complete => Ok(m),
            partial => Err(ApiError::Incomplete {
                partial: partial.map(Box::new),
            }),
        }
    }

    /// Whether `message_stop` arrived.
    pub fn is_complete(&self) -> bool {
        self.decoder.is_complete()
    }
}
