//! When and how long to wait before trying a request again, as the official
//! SDKs decide it.

use std::time::{Duration, SystemTime};

use reqwest::header::HeaderMap;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (the SDKs' default is 2).
    pub max_retries: u32,
    pub initial_delay: Duration,
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_retries: 2,
            initial_delay: Duration::from_millis(500),
            max_delay: Duration::from_secs(8),
        }
    }
}

/// Whether an HTTP error status is worth retrying. `x-should-retry` decides
/// when present; otherwise 408, 409, 429 and every 5xx are retried.
pub fn should_retry(status: u16, headers: &HeaderMap) -> bool {
    match headers.get("x-should-retry").and_then(|v| v.to_str().ok()) {
        Some("true") => return true,
        Some("false") => return false,
        _ => {}
    }
    matches!(status, 408 | 409 | 429) || status >= 500
}

/// The wait the server asked for: `retry-after-ms`, else `retry-after` in
/// seconds or as an HTTP date. Only honoured between 0 and 60 s, as the SDKs do.
pub fn server_delay(headers: &HeaderMap) -> Option<Duration> {
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    let asked =
        if let Some(ms) = header("retry-after-ms").and_then(|v| v.trim().parse::<f64>().ok()) {
            Some(ms / 1000.0)
        } else if let Some(v) = header("retry-after") {
            match v.trim().parse::<f64>() {
                Ok(secs) => Some(secs),
                Err(_) => httpdate::parse_http_date(v.trim()).ok().map(|at| {
                    at.duration_since(SystemTime::now())
                        .map(|d| d.as_secs_f64())
                        .unwrap_or(0.0)
                }),
            }
        } else {
            None
        };
    asked
        .filter(|s| s.is_finite() && (0.0..=60.0).contains(s))
        .map(Duration::from_secs_f64)
}

impl RetryPolicy {
    /// The wait before retry number `retry` (0-based): the server's if it gave
    /// a sane one, else `min(initial * 2^retry, max)` less up to 25 % jitter.
    pub fn delay(&self, retry: u32, server: Option<Duration>) -> Duration {
        if let Some(d) = server {
            return d;
        }
        let exp = self
            .initial_delay
            .saturating_mul(2u32.saturating_pow(retry))
            .min(self.max_delay);
        let jitter = 1.0 - rand::random::<f64>() * 0.25;
        exp.mul_f64(jitter)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use reqwest::header::HeaderValue;

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_str(v).unwrap());
        }
        h
    }

    #[test]
    fn statuses() {
        let none = HeaderMap::new();
        for s in [408, 409, 429, 500, 502, 503, 529] {
            assert!(should_retry(s, &none), "{s}");
        }
        for s in [400, 401, 403, 404, 413] {
            assert!(!should_retry(s, &none), "{s}");
        }
        assert!(!should_retry(529, &headers(&[("x-should-retry", "false")])));
        assert!(should_retry(400, &headers(&[("x-should-retry", "true")])));
    }

    #[test]
    fn server_delay_forms() {
        assert_eq!(
            server_delay(&headers(&[("retry-after-ms", "250")])),
            Some(Duration::from_millis(250))
        );
        assert_eq!(
            server_delay(&headers(&[("retry-after", "3")])),
            Some(Duration::from_secs(3))
        );
        assert_eq!(server_delay(&headers(&[("retry-after", "3600")])), None);
        let date = httpdate::fmt_http_date(SystemTime::now() + Duration::from_secs(30));
        let d = server_delay(&headers(&[("retry-after", &date)])).unwrap();
        assert!(
            d > Duration::from_secs(25) && d <= Duration::from_secs(30),
            "{d:?}"
        );
    }

    #[test]
    fn backoff_grows_is_capped_and_jittered() {
        let p = RetryPolicy::default();
        for retry in 0..8 {
            let full = Duration::from_millis(500)
                .saturating_mul(1 << retry)
                .min(Duration::from_secs(8));
            let d = p.delay(retry, None);
            assert!(d <= full && d >= full.mul_f64(0.75), "retry {retry}: {d:?}");
        }
        assert_eq!(
            p.delay(0, Some(Duration::from_secs(2))),
            Duration::from_secs(2)
        );
    }
}
