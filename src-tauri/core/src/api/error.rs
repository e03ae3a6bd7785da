//! Typed errors of the Messages API and how a person reads them.

use std::time::Duration;

use super::types::{ErrorDetail, MessageResponse};
use crate::error::{AppError, ErrorCode};

/// The API's error types. Mapped from the HTTP status first (the one thing
/// every compatible server gets right), then from the body's `type`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ApiErrorKind {
    InvalidRequest,
    Authentication,
    Billing,
    Permission,
    NotFound,
    Conflict,
    RequestTooLarge,
    RateLimit,
    Api,
    Timeout,
    Overloaded,
    /// A type this version does not know, kept verbatim.
    Other(String),
}

impl ApiErrorKind {
    pub fn from_status(status: u16) -> Option<Self> {
        Some(match status {
            400 => Self::InvalidRequest,
            401 => Self::Authentication,
            402 => Self::Billing,
            403 => Self::Permission,
            404 => Self::NotFound,
            409 => Self::Conflict,
            413 => Self::RequestTooLarge,
            429 => Self::RateLimit,
            504 | 408 => Self::Timeout,
            529 => Self::Overloaded,
            500..=599 => Self::Api,
            _ => return None,
        })
    }

    pub fn from_type(kind: &str) -> Self {
        match kind {
            "invalid_request_error" => Self::InvalidRequest,
            "authentication_error" => Self::Authentication,
            "billing_error" => Self::Billing,
            "permission_error" => Self::Permission,
            "not_found_error" => Self::NotFound,
            "conflict_error" => Self::Conflict,
            "request_too_large" => Self::RequestTooLarge,
            "rate_limit_error" => Self::RateLimit,
            "api_error" => Self::Api,
            "timeout_error" => Self::Timeout,
            "overloaded_error" => Self::Overloaded,
            other => Self::Other(other.to_owned()),
        }
    }

    /// The wire name, e.g. `rate_limit_error`.
    pub fn as_type(&self) -> &str {
        match self {
            Self::InvalidRequest => "invalid_request_error",
            Self::Authentication => "authentication_error",
            Self::Billing => "billing_error",
            Self::Permission => "permission_error",
            Self::NotFound => "not_found_error",
            Self::Conflict => "conflict_error",
            Self::RequestTooLarge => "request_too_large",
            Self::RateLimit => "rate_limit_error",
            Self::Api => "api_error",
            Self::Timeout => "timeout_error",
            Self::Overloaded => "overloaded_error",
            Self::Other(s) => s,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeoutPhase {
    Connect,
    /// No bytes arrived for too long (a stalled stream or slow response).
    Idle,
}

/// Everything that can go wrong talking to the service.
#[derive(Debug, Clone, thiserror::Error)]
pub enum ApiError {
    /// The service answered with an error status or an `error` event.
    #[error("{} ({}): {message}", kind.as_type(), status.map(|s| s.to_string()).unwrap_or_else(|| "mid-stream".into()))]
    Service {
        kind: ApiErrorKind,
        /// None for an `error` event inside a 200 stream.
        status: Option<u16>,
        /// The service's message, untrusted plain text (shortened).
        message: String,
        request_id: Option<String>,
        retry_after: Option<Duration>,
        /// What arrived before a mid-stream error.
        partial: Option<Box<MessageResponse>>,
    },
    #[error("timed out ({phase:?})")]
    Timeout {
        phase: TimeoutPhase,
        partial: Option<Box<MessageResponse>>,
    },
    #[error("connection failed: {message}")]
    Connection {
        message: String,
        partial: Option<Box<MessageResponse>>,
    },
    /// The service sent something that is not the protocol.
    #[error("could not understand the reply: {message}")]
    Decode {
        message: String,
        partial: Option<Box<MessageResponse>>,
    },
    /// The stream ended before `message_stop`.
    #[error("the reply stopped before it was complete")]
    Incomplete {
        partial: Option<Box<MessageResponse>>,
    },
    /// A streaming request was answered with one complete body (JSON, not
    /// `text/event-stream`): the service ignored `stream: true`.
    #[error("the service sent a whole {content_type} body instead of an event stream")]
    NotStreamed { content_type: String },
    #[error("stopped")]
    Cancelled {
        partial: Option<Box<MessageResponse>>,
    },
    #[error("{0}")]
    Config(String),
}

/// Longest server-supplied error text we keep: enough for any real message,
/// not enough for a proxy's whole HTML page.
const MAX_SERVER_TEXT: usize = 300;

impl ApiError {
    /// Builds the error for an HTTP error response from its status, headers
    /// and body, accepting Anthropic's shape, MegaLLM's shape, or anything
    /// else (an HTML page from a proxy becomes a short plain-text excerpt).
    pub fn from_response(
        status: u16,
        body: &[u8],
        request_id: Option<String>,
        retry_after: Option<Duration>,
    ) -> Self {
        #[derive(serde::Deserialize)]
        struct Body {
            error: ErrorDetail,
        }
        let parsed = serde_json::from_slice::<Body>(body).ok();
        let kind = ApiErrorKind::from_status(status)
            .or_else(|| {
                parsed
                    .as_ref()
                    .and_then(|b| b.error.kind.as_deref())
                    .map(ApiErrorKind::from_type)
            })
            .unwrap_or(ApiErrorKind::Other(format!("http_{status}")));
        let message = match parsed.and_then(|b| b.error.message) {
            Some(m) => shorten(&m),
            None => plain_excerpt(body),
        };
        ApiError::Service {
            kind,
            status: Some(status),
            message,
            request_id,
            retry_after,
            partial: None,
        }
    }

    /// An `error` event received inside a stream.
    pub fn from_event(detail: &ErrorDetail, partial: Option<Box<MessageResponse>>) -> Self {
        ApiError::Service {
            kind: ApiErrorKind::from_type(detail.kind.as_deref().unwrap_or("api_error")),
            status: None,
            message: shorten(detail.message.as_deref().unwrap_or("")),
            request_id: None,
            retry_after: None,
            partial,
        }
    }

    /// What arrived before the failure, if anything.
    pub fn partial(&self) -> Option<&MessageResponse> {
        match self {
            ApiError::Service { partial, .. }
            | ApiError::Timeout { partial, .. }
            | ApiError::Connection { partial, .. }
            | ApiError::Decode { partial, .. }
            | ApiError::Incomplete { partial }
            | ApiError::Cancelled { partial } => partial.as_deref(),
            ApiError::Config(_) | ApiError::NotStreamed { .. } => None,
        }
    }

    pub(crate) fn with_partial(mut self, msg: Option<MessageResponse>) -> Self {
        let boxed = msg.map(Box::new);
        match &mut self {
            ApiError::Service { partial, .. }
            | ApiError::Timeout { partial, .. }
            | ApiError::Connection { partial, .. }
            | ApiError::Decode { partial, .. }
            | ApiError::Incomplete { partial }
            | ApiError::Cancelled { partial } => *partial = boxed,
            ApiError::Config(_) | ApiError::NotStreamed { .. } => {}
        }
        self
    }

    /// The error as the user reads it: what happened and what to do.
    pub fn to_app_error(&self) -> AppError {
        let (code, message) = match self {
            ApiError::Service {
                kind,
                message,
                retry_after,
                ..
            } => service_message(kind, message, *retry_after),
            ApiError::Timeout { phase, .. } => (
                ErrorCode::Timeout,
                match phase {
                    TimeoutPhase::Connect => "The service did not answer in time. Check your connection and the base URL, then try again.".to_owned(),
                    TimeoutPhase::Idle => "The service stopped sending the reply. What arrived is kept; try again or continue.".to_owned(),
                },
            ),
            ApiError::Connection { message, .. } => (
                ErrorCode::Network,
                format!("Could not reach the service ({message}). Check your connection and the base URL, then try again."),
            ),
            ApiError::Decode { message, .. } => (
                ErrorCode::Protocol,
                format!("The service sent a reply this app could not read ({message}). Check that the base URL points to an Anthropic-compatible API."),
            ),
            ApiError::Incomplete { .. } => (
                ErrorCode::Network,
                "The connection closed before the reply was complete. What arrived is kept; try again or continue.".to_owned(),
            ),
            // Protocol, like any reply the app cannot read: the fix is the
            // same (another base URL), only the sentence is more precise.
            ApiError::NotStreamed { content_type } => (
                ErrorCode::Protocol,
                format!("The service sent the whole reply at once ({content_type}) instead of streaming it: it ignored `stream: true`, so it is not Anthropic-compatible for streaming. Check that the base URL points to an Anthropic-compatible API."),
            ),
            ApiError::Cancelled { .. } => (ErrorCode::Cancelled, "Stopped.".to_owned()),
            ApiError::Config(m) => (ErrorCode::Config, m.clone()),
        };
        let mut e = AppError::new(code, message);
        if let ApiError::Service {
            request_id,
            retry_after,
            ..
        } = self
        {
            e.request_id.clone_from(request_id);
            e.retry_after_secs = retry_after.map(|d| d.as_secs_f64());
        }
        e
    }
}

fn service_message(
    kind: &ApiErrorKind,
    server: &str,
    retry_after: Option<Duration>,
) -> (ErrorCode, String) {
    let said = if server.is_empty() {
        String::new()
    } else {
        format!(" The service said: \u{201c}{server}\u{201d}")
    };
    let wait = match retry_after {
        Some(d) => format!(
            "Wait {} seconds, then try again.",
            d.as_secs_f64().ceil().max(1.0)
        ),
        None => "Wait a moment, then try again.".to_owned(),
    };
    match kind {
        ApiErrorKind::Authentication => (
            ErrorCode::Auth,
            format!("The API key was rejected. Check the key in settings.{said}"),
        ),
        ApiErrorKind::Permission => (
            ErrorCode::Permission,
            format!(
                "This key may not use this model or feature. Pick another model or check your plan.{said}"
            ),
        ),
        ApiErrorKind::Billing => (
            ErrorCode::Billing,
            format!("The account has no credit left. Top it up, then try again.{said}"),
        ),
        ApiErrorKind::NotFound => (
            ErrorCode::NotFound,
            format!(
                "The model or endpoint was not found. Pick another model or check the base URL.{said}"
            ),
        ),
        ApiErrorKind::RequestTooLarge => (
            ErrorCode::TooLarge,
            format!(
                "The request is too large. Remove attachments or shorten the conversation.{said}"
            ),
        ),
        ApiErrorKind::InvalidRequest => {
            let lower = server.to_lowercase();
            let hint = if lower.contains("too long") || lower.contains("context") {
                "The conversation is too long for this model. Start a new chat or remove attachments."
            } else {
                "The service rejected the request. Check the model and sampling settings."
            };
            (ErrorCode::InvalidRequest, format!("{hint}{said}"))
        }
        ApiErrorKind::Conflict => (
            ErrorCode::Server,
            format!("The service hit a conflict. {wait}{said}"),
        ),
        ApiErrorKind::RateLimit => (
            ErrorCode::RateLimit,
            format!("Rate limit reached for your tier. {wait}{said}"),
        ),
        ApiErrorKind::Overloaded => (
            ErrorCode::Overloaded,
            format!("The service is overloaded. {wait}{said}"),
        ),
        ApiErrorKind::Timeout => (
            ErrorCode::Timeout,
            format!("The service timed out. {wait}{said}"),
        ),
        ApiErrorKind::Api | ApiErrorKind::Other(_) => (
            ErrorCode::Server,
            format!("The service had an internal error. {wait}{said}"),
        ),
    }
}

/// Trims server text to a sentence-sized, single-line excerpt.
fn shorten(s: &str) -> String {
    let collapsed: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
    match collapsed.char_indices().nth(MAX_SERVER_TEXT) {
        Some((i, _)) => format!("{}\u{2026}", &collapsed[..i]),
        None => collapsed,
    }
}

/// A non-JSON body (a proxy's HTML page, plain text): tags and scripts
/// dropped, what text remains shortened. The result is shown as text only.
fn plain_excerpt(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let mut out = String::with_capacity(text.len().min(4096));
    let mut in_tag = false;
    let lower = text.to_ascii_lowercase();
    // Skip <script>/<style> bodies wholesale: their text is not a message.
    let mut skip_until: Option<usize> = None;
    for (i, c) in text.char_indices() {
        if let Some(end) = skip_until {
            if i < end {
                continue;
            }
            skip_until = None;
        }
        match c {
            '<' => {
                for tag in ["<script", "<style"] {
                    if lower[i..].starts_with(tag) {
                        let close = format!("</{}", &tag[1..]);
                        skip_until = lower[i..].find(&close).map(|p| i + p);
                        if skip_until.is_none() {
                            skip_until = Some(text.len());
                        }
                    }
                }
                in_tag = true;
            }
            '>' if in_tag => {
                in_tag = false;
                out.push(' ');
            }
            _ if !in_tag => out.push(c),
            _ => {}
        }
        if out.len() > MAX_SERVER_TEXT * 4 {
            break;
        }
    }
    shorten(&out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn service(e: &ApiError) -> (&ApiErrorKind, &str) {
        match e {
            ApiError::Service { kind, message, .. } => (kind, message),
            other => panic!("not a service error: {other:?}"),
        }
    }

    #[test]
    fn anthropic_shape() {
        let e = ApiError::from_response(
            400,
            br#"{"type":"error","error":{"type":"invalid_request_error","message":"max_tokens: Field required"}}"#,
            Some("req_1".into()),
            None,
        );
        assert_eq!(
            service(&e),
            (&ApiErrorKind::InvalidRequest, "max_tokens: Field required")
        );
        assert_eq!(e.to_app_error().request_id.as_deref(), Some("req_1"));
    }

    #[test]
    fn megallm_shape_with_401_is_authentication() {
        let e = ApiError::from_response(
            401,
            br#"{"error":{"message":"Invalid authentication credentials","type":"invalid_request_error","code":"invalid_api_key"}}"#,
            None,
            None,
        );
        assert_eq!(service(&e).0, &ApiErrorKind::Authentication);
        let app = e.to_app_error();
        assert_eq!(app.code, ErrorCode::Auth);
        assert!(app.message.contains("Check the key"));
    }

    #[test]
    fn unknown_status_uses_body_type() {
        let e = ApiError::from_response(
            418,
            br#"{"type":"error","error":{"type":"overloaded_error","message":"x"}}"#,
            None,
            None,
        );
        assert_eq!(service(&e).0, &ApiErrorKind::Overloaded);
    }

    #[test]
    fn html_from_a_proxy_becomes_a_short_plain_excerpt() {
        let page = format!(
            "<html><head><style>body{{color:red}}</style><script>alert(1)</script></head>\
             <body><h1>502 Bad Gateway</h1><p>nginx</p>{}</body></html>",
            "x".repeat(5000)
        );
        let e = ApiError::from_response(502, page.as_bytes(), None, None);
        let (kind, msg) = service(&e);
        assert_eq!(kind, &ApiErrorKind::Api);
        assert!(msg.starts_with("502 Bad Gateway nginx"), "{msg}");
        assert!(!msg.contains('<') && !msg.contains("alert") && !msg.contains("color"));
        assert!(msg.chars().count() <= MAX_SERVER_TEXT + 1);
    }

    #[test]
    fn rate_limit_says_how_long_to_wait() {
        let e = ApiError::from_response(
            429,
            br#"{"type":"error","error":{"type":"rate_limit_error","message":"slow down"}}"#,
            None,
            Some(Duration::from_secs(7)),
        );
        let app = e.to_app_error();
        assert_eq!(app.code, ErrorCode::RateLimit);
        assert_eq!(app.retry_after_secs, Some(7.0));
        assert!(app.message.contains("Wait 7 seconds"), "{}", app.message);
    }
}
