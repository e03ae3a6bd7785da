//! The Messages client against the local Anthropic-compatible server: real
//! HTTP, real SSE, every fault the server can inject.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use megallm_core::ErrorCode;
use megallm_core::api::error::TimeoutPhase;
use megallm_core::api::retry::RetryPolicy;
use megallm_core::api::types::{
    ContentBlock, KnownBlock, Message, MessagesRequest, StreamEvent, Tool,
};
use megallm_core::api::{ApiError, ApiErrorKind, ApiKey, Client, ClientConfig};
use megallm_mock::{MockConfig, MockServer, RequestRecord};
use serde_json::json;
use tokio_util::sync::CancellationToken;

const KEY: &str = "client-test-key";

async fn server(tokens_per_sec: f64) -> MockServer {
    MockServer::start(MockConfig {
        api_key: Some(KEY.into()),
        tokens_per_sec,
        ..MockConfig::default()
    })
    .await
    .unwrap()
}

fn config(mock: &MockServer) -> ClientConfig {
    let mut c = ClientConfig::new(mock.base_url(), ApiKey::new(KEY).unwrap());
    // Short waits keep the suite fast; the policy's shape is what is tested.
    c.retry = RetryPolicy {
        max_retries: 2,
        initial_delay: Duration::from_millis(20),
        max_delay: Duration::from_millis(100),
    };
    c
}

fn client(mock: &MockServer) -> Client {
    Client::new(config(mock)).unwrap()
}

fn ask(text: &str) -> MessagesRequest {
    MessagesRequest::new("claude-sonnet-4", 1024, vec![Message::user(text)])
}

fn attempts(mock: &MockServer) -> Vec<RequestRecord> {
    mock.requests()
        .into_iter()
        .filter(|r| r.path == "/v1/messages")
        .collect()
}

#[tokio::test]
async fn streamed_echo_equals_non_streamed() {
    let mock = server(0.0).await;
    let c = client(&mock);
    let streamed = c
        .stream_message(&ask("hello, мир"), CancellationToken::new())
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    let plain = c.create_message(&ask("hello, мир")).await.unwrap();
    assert_eq!(streamed.text(), "Echo: hello, мир");
    assert_eq!(streamed.content, plain.content);
    assert_eq!(streamed.stop_reason.as_deref(), Some("end_turn"));
    assert_eq!(streamed.stop_reason, plain.stop_reason);
    assert_eq!(streamed.usage, plain.usage);
    assert!(streamed.usage.output_tokens > 0 && streamed.usage.input_tokens > 0);
    // The headers the service requires were sent, and the key only as x-api-key.
    let first = &attempts(&mock)[0];
    assert_eq!(
        first.headers.get("anthropic-version").map(String::as_str),
        Some("2023-06-01")
    );
    assert!(!first.headers.contains_key("authorization"));
    assert!(c.rate_limits().is_some(), "rate-limit headers kept");
}

#[tokio::test]
async fn tool_use_and_thinking_accumulate() {
    let mock = server(0.0).await;
    let c = client(&mock);
    let mut req = ask("weather? [[tool]]");
    req.tools.push(Tool {
        name: "get_weather".into(),
        description: Some("Weather".into()),
        input_schema: json!({"type": "object", "properties": {"location": {"type": "string"}}}),
        cache_control: None,
        extra: Default::default(),
    });
    let msg = c
        .stream_message(&req, CancellationToken::new())
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    assert_eq!(msg.stop_reason.as_deref(), Some("tool_use"));
    let tool = msg
        .content
        .iter()
        .find_map(|b| match b {
            ContentBlock::Known(KnownBlock::ToolUse(t)) => Some(t),
            _ => None,
        })
        .expect("a tool_use block");
    assert_eq!(tool.name, "get_weather");
    assert_eq!(
        tool.input,
        json!({"location": "Paris, France", "unit": "celsius"})
    );

    let msg = c
        .stream_message(&ask("think [[thinking]]"), CancellationToken::new())
        .await
        .unwrap()
        .final_message()
        .await
        .unwrap();
    match &msg.content[0] {
        ContentBlock::Known(KnownBlock::Thinking(t)) => {
            assert!(!t.thinking.is_empty() && !t.signature.is_empty());
        }
        other => panic!("expected thinking first, got {other:?}"),
    }
    assert!(!msg.text().is_empty());
}

#[tokio::test]
async fn pings_and_unknown_events_are_ignored() {
    let mock = server(0.0).await;
    let c = client(&mock);
    let mut stream = c
        .stream_message(&ask("[[long:200]]"), CancellationToken::new())
        .await
        .unwrap();
    let mut pings = 0;
    while let Some(e) = stream.next_event().await {
        if matches!(e.unwrap(), StreamEvent::Ping) {
            pings += 1;
        }
    }
    assert!(pings >= 1);
    assert!(stream.is_complete());
    assert!(stream.snapshot().unwrap().text().split_whitespace().count() >= 150);
}

#[tokio::test]
async fn authentication_error_is_not_retried() {
    let mock = server(0.0).await;
    let mut cfg = config(&mock);
    cfg.api_key = ApiKey::new("wrong-key").unwrap();
    let err = Client::new(cfg)
        .unwrap()
        .create_message(&ask("hi"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Service {
                kind: ApiErrorKind::Authentication,
                status: Some(401),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(attempts(&mock).len(), 1);
    let app = err.to_app_error();
    assert!(
        !app.message.contains("wrong-key"),
        "the key never appears in messages"
    );
}

#[tokio::test]
async fn overloaded_is_retried_then_succeeds() {
    let mock = server(0.0).await;
    let msg = client(&mock)
        .create_message(&ask("hi [[fault:529 times=2]]"))
        .await
        .unwrap();
    assert!(msg.text().starts_with("Echo:"));
    assert_eq!(attempts(&mock).len(), 3, "two failures, then success");
}

#[tokio::test]
async fn retries_give_up_with_the_last_error() {
    let mock = server(0.0).await;
    for (fault, kind) in [
        ("529", ApiErrorKind::Overloaded),
        ("500", ApiErrorKind::Api),
    ] {
        let err = client(&mock)
            .create_message(&ask(&format!("[[fault:{fault}]]")))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, ApiError::Service { kind: k, .. } if *k == kind),
            "{fault}: {err:?}"
        );
    }
    assert_eq!(attempts(&mock).len(), 6, "1 try + 2 retries each");
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let mock = server(0.0).await;
    let started = Instant::now();
    client(&mock)
        .create_message(&ask("[[fault:429 times=1 retry_after_ms=400]]"))
        .await
        .unwrap();
    let a = attempts(&mock);
    assert_eq!(a.len(), 2);
    let gap = a[1].received_at_ms - a[0].received_at_ms;
    assert!(gap >= 390.0, "waited {gap} ms, server asked 400");
    assert!(started.elapsed() >= Duration::from_millis(400));
}

#[tokio::test]
async fn should_retry_false_stops_retries() {
    let mock = server(0.0).await;
    let err = client(&mock)
        .create_message(&ask("[[fault:529 should_retry=false]]"))
        .await
        .unwrap_err();
    assert!(matches!(
        err,
        ApiError::Service {
            kind: ApiErrorKind::Overloaded,
            ..
        }
    ));
    assert_eq!(attempts(&mock).len(), 1);
}

#[tokio::test]
async fn rate_limit_error_says_how_long_to_wait() {
    let mock = server(0.0).await;
    let mut cfg = config(&mock);
    cfg.retry.max_retries = 0;
    let err = Client::new(cfg)
        .unwrap()
        .create_message(&ask("[[fault:429 retry_after=7]]"))
        .await
        .unwrap_err();
    let app = err.to_app_error();
    assert_eq!(app.retry_after_secs, Some(7.0));
    assert!(app.message.contains("Wait 7 seconds"), "{}", app.message);
}

#[tokio::test]
async fn proxy_html_becomes_plain_text() {
    let mock = server(0.0).await;
    let mut cfg = config(&mock);
    cfg.retry.max_retries = 0;
    let err = Client::new(cfg)
        .unwrap()
        .create_message(&ask("[[fault:502html]]"))
        .await
        .unwrap_err();
    let ApiError::Service {
        message, status, ..
    } = &err
    else {
        panic!("{err:?}")
    };
    assert_eq!(*status, Some(502));
    assert!(!message.contains('<'), "{message}");
    assert!(message.len() <= 400);
}

#[tokio::test]
async fn error_event_mid_stream_keeps_partial_and_is_not_retried() {
    let mock = server(0.0).await;
    let stream = client(&mock)
        .stream_message(
            &ask("[[long:50]] [[fault:error-event after=5]]"),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let err = stream.final_message().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Service {
                kind: ApiErrorKind::Overloaded,
                status: None,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(
        !err.partial().unwrap().text().is_empty(),
        "partial text kept"
    );
    assert_eq!(
        attempts(&mock).len(),
        1,
        "a started stream is never retried"
    );
}

#[tokio::test]
async fn dropped_connection_keeps_partial() {
    let mock = server(0.0).await;
    let stream = client(&mock)
        .stream_message(
            &ask("[[long:50]] [[fault:drop after=5]]"),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let err = stream.final_message().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Connection { .. } | ApiError::Incomplete { .. }
        ),
        "{err:?}"
    );
    assert!(!err.partial().unwrap().text().is_empty());
}

#[tokio::test]
async fn a_whole_json_body_for_a_stream_is_its_own_error() {
    let mock = server(0.0).await;
    let Err(err) = client(&mock)
        .stream_message(&ask("hi [[fault:no-stream]]"), CancellationToken::new())
        .await
    else {
        panic!("a whole JSON body was taken for a stream");
    };
    assert!(
        matches!(&err, ApiError::NotStreamed { content_type } if content_type == "application/json"),
        "{err:?}"
    );
    let shown = err.to_app_error();
    assert_eq!(shown.code, ErrorCode::Protocol);
    assert!(shown.message.contains("stream: true"), "{}", shown.message);
    assert!(!shown.message.contains("connection closed"));
    assert_eq!(attempts(&mock).len(), 1, "not retried");
}

#[tokio::test]
async fn stalled_stream_times_out_with_partial() {
    let mock = server(0.0).await;
    let mut cfg = config(&mock);
    cfg.idle_timeout = Duration::from_millis(300);
    let stream = Client::new(cfg)
        .unwrap()
        .stream_message(
            &ask("[[long:50]] [[fault:stall after=5]]"),
            CancellationToken::new(),
        )
        .await
        .unwrap();
    let err = stream.final_message().await.unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Timeout {
                phase: TimeoutPhase::Idle,
                ..
            }
        ),
        "{err:?}"
    );
    assert!(!err.partial().unwrap().text().is_empty());
}

#[tokio::test]
async fn cancelling_closes_the_connection_quickly_and_keeps_text() {
    let mock = server(100.0).await;
    let cancel = CancellationToken::new();
    let mut stream = client(&mock)
        .stream_message(&ask("[[long:500]]"), cancel.clone())
        .await
        .unwrap();
    let mut deltas = 0;
    while deltas < 5 {
        if let Some(Ok(StreamEvent::ContentBlockDelta { .. })) = stream.next_event().await {
            deltas += 1;
        }
    }
    let at = Instant::now();
    cancel.cancel();
    let err = stream.next_event().await.unwrap().unwrap_err();
    assert!(matches!(err, ApiError::Cancelled { .. }));
    assert!(
        !err.partial().unwrap().text().is_empty(),
        "what arrived is kept"
    );
    // The server notices the closed socket on its next write and records a
    // disconnect only while the reply is still going (500 tokens at 100/s
    // run 5 s), so seeing one proves the connection was dropped, not
    // finished: an ordering, not a wall-clock bound.
    while attempts(&mock)[0].disconnected_at_ms.is_none() {
        assert!(
            at.elapsed() < Duration::from_secs(30),
            "connection never closed"
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn concurrency_cap_holds_requests_back() {
    let mock = server(50.0).await;
    let mut cfg = config(&mock);
    cfg.max_concurrent = 1;
    let c = Client::new(cfg).unwrap();
    let first = c
        .stream_message(&ask("[[long:100]]"), CancellationToken::new())
        .await
        .unwrap();
    let c2 = c.clone();
    let mut second = tokio::spawn(async move { c2.create_message(&ask("second")).await });
    // While the first stream holds the only slot, the second is not sent
    // (uncapped, an echo completes in a few milliseconds).
    assert!(
        tokio::time::timeout(Duration::from_millis(300), &mut second)
            .await
            .is_err()
    );
    assert_eq!(attempts(&mock).len(), 1);
    drop(first);
    let msg = second.await.unwrap().unwrap();
    assert_eq!(msg.text(), "Echo: second");
    assert_eq!(attempts(&mock).len(), 2);
}

#[tokio::test]
async fn models_are_listed_and_count_tokens_works() {
    let mock = server(0.0).await;
    let c = client(&mock);
    let models = c.list_models().await.unwrap();
    let ids: Vec<&str> = models.iter().map(|m| m.id.as_str()).collect();
    for seed in [
        "claude-opus-4-1-20250805",
        "claude-3.5-sonnet",
        "claude-3.7-sonnet",
        "claude-sonnet-4",
    ] {
        assert!(ids.contains(&seed), "{seed} in {ids:?}");
    }
    assert!(
        c.count_tokens(&ask("count these words please"))
            .await
            .unwrap()
            .unwrap()
            > 0
    );
}

#[tokio::test]
async fn model_list_follows_pages() {
    let mock = server(0.0).await;
    let models = client(&mock).list_models_paged(1).await.unwrap();
    assert_eq!(models.len(), 4, "every page followed");
    let pages: Vec<String> = mock
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/models")
        .map(|r| r.query.unwrap_or_default())
        .collect();
    assert_eq!(pages.len(), 4, "{pages:?}");
    assert!(
        pages[1].contains(&format!("after_id={}", models[0].id)),
        "{pages:?}"
    );
}

#[tokio::test]
async fn permission_error_is_typed_and_not_retried() {
    let mock = server(0.0).await;
    let err = client(&mock)
        .create_message(&ask("[[fault:403]]"))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            ApiError::Service {
                kind: ApiErrorKind::Permission,
                status: Some(403),
                ..
            }
        ),
        "{err:?}"
    );
    assert_eq!(attempts(&mock).len(), 1);
    assert_eq!(err.to_app_error().code, megallm_core::ErrorCode::Permission);
}

#[tokio::test]
async fn unreachable_service_is_a_connection_error() {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = listener.local_addr().unwrap();
    drop(listener);
    let mut cfg = ClientConfig::new(format!("http://{addr}"), ApiKey::new("k").unwrap());
    cfg.retry = RetryPolicy {
        max_retries: 1,
        initial_delay: Duration::from_millis(10),
        max_delay: Duration::from_millis(10),
    };
    let err = Client::new(cfg)
        .unwrap()
        .create_message(&ask("hi"))
        .await
        .unwrap_err();
    assert!(matches!(err, ApiError::Connection { .. }), "{err:?}");
    assert_eq!(err.to_app_error().code, megallm_core::ErrorCode::Network);
}
