//! Rate-limit headers, kept for the UI. Only what the server sent is shown:
//! nothing is guessed.

use reqwest::header::HeaderMap;
use serde::Serialize;
use ts_rs::TS;

/// One limit (requests, tokens, input or output tokens).
#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct Limit {
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u64>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub remaining: Option<u64>,
    /// RFC 3339 time (Anthropic) or unix seconds (MegaLLM), as sent.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reset: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct RateLimits {
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub requests: Option<Limit>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Limit>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub input_tokens: Option<Limit>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub output_tokens: Option<Limit>,
}

impl RateLimits {
    /// Reads `anthropic-ratelimit-*` (and MegaLLM's `x-ratelimit-reset`);
    /// None when the response carried none of them.
    pub fn from_headers(headers: &HeaderMap) -> Option<Self> {
        let get = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
        let limit = |what: &str| {
            let p = format!("anthropic-ratelimit-{what}");
            let l = Limit {
                limit: get(&format!("{p}-limit")).and_then(|v| v.parse().ok()),
                remaining: get(&format!("{p}-remaining")).and_then(|v| v.parse().ok()),
                reset: get(&format!("{p}-reset")).map(str::to_owned),
            };
            (l != Limit::default()).then_some(l)
        };
        let mut r = RateLimits {
            requests: limit("requests"),
            tokens: limit("tokens"),
            input_tokens: limit("input-tokens"),
            output_tokens: limit("output-tokens"),
        };
        if r.requests.is_none()
            && let Some(reset) = get("x-ratelimit-reset")
        {
            r.requests = Some(Limit {
                reset: Some(reset.to_owned()),
                ..Limit::default()
            });
        }
        (r != RateLimits::default()).then_some(r)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reqwest::header::HeaderValue;

    #[test]
    fn reads_what_is_there_only() {
        let mut h = HeaderMap::new();
        assert_eq!(RateLimits::from_headers(&h), None);
        h.insert(
            "anthropic-ratelimit-requests-limit",
            HeaderValue::from_static("50"),
        );
        h.insert(
            "anthropic-ratelimit-requests-remaining",
            HeaderValue::from_static("49"),
        );
        h.insert(
            "anthropic-ratelimit-tokens-reset",
            HeaderValue::from_static("2026-01-01T00:00:00Z"),
        );
        let r = RateLimits::from_headers(&h).unwrap();
        assert_eq!(r.requests.as_ref().unwrap().limit, Some(50));
        assert_eq!(r.requests.as_ref().unwrap().remaining, Some(49));
        assert_eq!(
            r.tokens.unwrap().reset.as_deref(),
            Some("2026-01-01T00:00:00Z")
        );
        assert_eq!(r.input_tokens, None);
    }
}
