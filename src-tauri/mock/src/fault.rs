//! Fault injection: `x-mock-fault: SPEC` or `[[fault:SPEC]]`, where SPEC is
//! a kind plus `key=value` options (`429 times=1 retry_after=0`).

use std::collections::HashMap;
use std::sync::Mutex;

use axum::http::{HeaderName, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::error::{ApiError, json_response};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Unauthorized,
    Forbidden,
    RateLimited,
    ServerError,
    Overloaded,
    BadGatewayHtml,
    /// HTTP 200, some deltas, then an `error` event.
    ErrorEvent,
    /// Some deltas, then the connection is cut.
    Drop,
    /// Some deltas, then silence until the client gives up.
    Stall,
    /// HTTP 200 with the whole reply as one JSON body, even when the
    /// request asked for a stream (a service that ignores `stream: true`).
    NoStream,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    pub kind: Kind,
    pub times: Option<u32>,
    pub retry_after: Option<String>,
    pub retry_after_ms: Option<u64>,
    pub should_retry: Option<bool>,
    pub megallm_shape: bool,
    /// Deltas sent before a mid-stream fault.
    pub after: u32,
    /// `times` counts every request with this spec (`scope=spec`), not
    /// each distinct body: a continued reply asks with a longer body.
    pub any_body: bool,
}

impl Fault {
    pub fn parse(spec: &str) -> Result<Fault, String> {
        let mut words = spec.split_whitespace();
        let kind = match words.next() {
            Some("401") => Kind::Unauthorized,
            Some("403") => Kind::Forbidden,
            Some("429") => Kind::RateLimited,
            Some("500") => Kind::ServerError,
            Some("529") => Kind::Overloaded,
            Some("502html") => Kind::BadGatewayHtml,
            Some("error-event") => Kind::ErrorEvent,
            Some("drop") => Kind::Drop,
            Some("stall") => Kind::Stall,
            Some("no-stream") => Kind::NoStream,
            Some(other) => return Err(format!("unknown fault kind '{other}'")),
            None => return Err("empty fault spec".to_owned()),
        };
        let mut fault = Fault {
            kind,
            times: None,
            retry_after: None,
            retry_after_ms: None,
            should_retry: None,
            megallm_shape: false,
            after: 5,
            any_body: false,
        };
        for option in words {
            let (key, value) = option
                .split_once('=')
                .ok_or_else(|| format!("option '{option}' is not key=value"))?;
            let bad = || format!("bad value for {key}: '{value}'");
            match key {
                "times" => fault.times = Some(value.parse().map_err(|_| bad())?),
                "retry_after" => fault.retry_after = Some(value.to_owned()),
                "retry_after_ms" => fault.retry_after_ms = Some(value.parse().map_err(|_| bad())?),
                "should_retry" => fault.should_retry = Some(value.parse().map_err(|_| bad())?),
                "shape" => match value {
                    "megallm" => fault.megallm_shape = true,
                    "anthropic" => fault.megallm_shape = false,
                    _ => return Err(bad()),
                },
                "after" => fault.after = value.parse().map_err(|_| bad())?,
                "scope" => match value {
                    "spec" => fault.any_body = true,
                    "body" => fault.any_body = false,
                    _ => return Err(bad()),
                },
                _ => return Err(format!("unknown fault option '{key}'")),
            }
        }
        Ok(fault)
    }

    /// Faults that happen inside a 200 response rather than instead of it.
    pub fn is_mid_stream(&self) -> bool {
        matches!(
            self.kind,
            Kind::ErrorEvent | Kind::Drop | Kind::Stall | Kind::NoStream
        )
    }

    fn status_and_error(&self) -> (StatusCode, &'static str, &'static str, &'static str) {
        match self.kind {
            Kind::Unauthorized => (
                StatusCode::UNAUTHORIZED,
                "authentication_error",
                "invalid x-api-key",
                "invalid_api_key",
            ),
            Kind::Forbidden => (
                StatusCode::FORBIDDEN,
                "permission_error",
                "Your API key does not have permission to use the specified resource.",
                "permission_denied",
            ),
            Kind::RateLimited => (
                StatusCode::TOO_MANY_REQUESTS,
                "rate_limit_error",
                "Number of requests has exceeded your rate limit. Please try again later.",
                "rate_limit_exceeded",
            ),
            Kind::ServerError | Kind::BadGatewayHtml => (
                StatusCode::INTERNAL_SERVER_ERROR,
                "api_error",
                "Internal server error",
                "internal_error",
            ),
            // A mid-stream fault on a non-streamed request also lands here.
            Kind::Overloaded | Kind::ErrorEvent | Kind::Drop | Kind::Stall | Kind::NoStream => (
                overloaded_status(),
                "overloaded_error",
                "Overloaded",
                "overloaded",
            ),
        }
    }

    /// The error response that replaces the reply (for the HTTP kinds).
    pub fn http_response(&self, request_id: &str) -> Response {
        let mut resp = if self.kind == Kind::BadGatewayHtml {
            let mut r = (StatusCode::BAD_GATEWAY, BAD_GATEWAY_PAGE).into_response();
            r.headers_mut()
                .insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html"));
            r
        } else {
            let (status, kind, message, code) = self.status_and_error();
            if self.megallm_shape {
                // MegaLLM's spec calls a bad key an invalid_request_error (under 401).
                let kind = if self.kind == Kind::Unauthorized {
                    "invalid_request_error"
                } else {
                    kind
                };
                let message = if self.kind == Kind::Unauthorized {
                    "Invalid authentication credentials"
                } else {
                    message
                };
                json_response(
                    status,
                    &json!({"error": {"message": message, "type": kind, "code": code}}),
                )
            } else {
                ApiError::new(status, kind, message).respond(request_id)
            }
        };
        if self.kind == Kind::RateLimited && self.retry_after.is_none() {
            insert(&mut resp, "retry-after", "1");
        }
        self.add_headers(&mut resp);
        resp
    }

    /// `retry-after*` and `x-should-retry`, on whatever response the fault shapes.
    pub fn add_headers(&self, resp: &mut Response) {
        if let Some(s) = &self.retry_after {
            insert(resp, "retry-after", s);
        }
        if let Some(ms) = self.retry_after_ms {
            insert(resp, "retry-after-ms", &ms.to_string());
        }
        if let Some(b) = self.should_retry {
            insert(resp, "x-should-retry", if b { "true" } else { "false" });
        }
        if self.kind == Kind::RateLimited {
            insert(resp, "anthropic-ratelimit-requests-remaining", "0");
        }
    }
}

fn overloaded_status() -> StatusCode {
    StatusCode::from_u16(529).unwrap_or(StatusCode::SERVICE_UNAVAILABLE)
}

fn insert(resp: &mut Response, name: &'static str, value: &str) {
    if let Ok(v) = HeaderValue::from_str(value) {
        resp.headers_mut().insert(HeaderName::from_static(name), v);
    }
}

const BAD_GATEWAY_PAGE: &str = "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n\
<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n";

/// How often each (spec, body) pair has already been faulted, for `times=N`.
/// Retries repeat the exact body, so the pair identifies "the same request".
#[derive(Debug, Default)]
pub struct Counters(Mutex<HashMap<(String, Vec<u8>), u32>>);

impl Counters {
    /// Whether this request gets the fault; counts it if so.
    pub fn take(&self, spec: &str, body: &[u8], times: Option<u32>) -> bool {
        let Some(times) = times else { return true };
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let count = map
            .entry((spec.trim().to_owned(), body.to_vec()))
            .or_insert(0);
        if *count < times {
            *count += 1;
            true
        } else {
            false
        }
    }

    pub fn clear(&self) {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_options() {
        let f = Fault::parse(
            "429 times=1 retry_after=0 retry_after_ms=250 should_retry=false shape=megallm",
        )
        .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(f.kind, Kind::RateLimited);
        assert_eq!(f.times, Some(1));
        assert_eq!(f.retry_after.as_deref(), Some("0"));
        assert_eq!(f.retry_after_ms, Some(250));
        assert_eq!(f.should_retry, Some(false));
        assert!(f.megallm_shape);
        assert!(Fault::parse("418").is_err());
        assert!(Fault::parse("drop after").is_err());
        assert!(Fault::parse("drop colour=red").is_err());
    }

    #[test]
    fn times_counts_per_spec_and_body() {
        let c = Counters::default();
        assert!(c.take("500 times=2", b"a", Some(2)));
        assert!(c.take("500 times=2", b"a", Some(2)));
        assert!(!c.take("500 times=2", b"a", Some(2)));
        assert!(c.take("500 times=2", b"b", Some(2)));
        c.clear();
        assert!(c.take("500 times=2", b"a", Some(2)));
    }
}
