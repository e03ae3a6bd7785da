//! The event stream itself: order, headers, pings and unknown events,
//! pacing, and the server noticing a client that went away.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use futures_util::StreamExt;
use megallm_mock::MockConfig;

#[tokio::test]
async fn headers_and_event_order() {
    let server = server().await;
    let (headers, sse) = stream(&server, &stream_request("[[long:200]]")).await;
    assert_eq!(headers["content-type"], "text/event-stream; charset=utf-8");
    assert_eq!(headers["cache-control"], "no-cache");
    assert!(headers.contains_key("request-id"));
    assert!(headers.contains_key("anthropic-ratelimit-tokens-reset"));

    let ev = events(&sse);
    let names: Vec<&str> = ev
        .iter()
        .map(|(n, _)| *n)
        .filter(|n| *n != "mock_future_event")
        .collect();
    assert_eq!(names[..3], ["message_start", "content_block_start", "ping"]);
    assert_eq!(
        names[names.len() - 3..],
        ["content_block_stop", "message_delta", "message_stop"]
    );
    assert!(
        names[3..names.len() - 3]
            .iter()
            .all(|n| *n == "content_block_delta")
    );

    let start = &ev[0].1["message"];
    assert_eq!(start["content"], serde_json::json!([]));
    assert!(start["stop_reason"].is_null());
    assert_eq!(start["usage"]["output_tokens"], 1);
    assert!(start["usage"]["input_tokens"].as_u64().unwrap() >= 1);

    let deltas = names
        .iter()
        .filter(|n| **n == "content_block_delta")
        .count();
    let (_, message_delta) = ev.iter().find(|(n, _)| *n == "message_delta").unwrap();
    assert_eq!(message_delta["delta"]["stop_reason"], "end_turn");
    assert_eq!(
        message_delta["usage"]["output_tokens"], deltas as u64,
        "one token a delta"
    );

    // Clients must cope with both of these; the mock makes sure they appear.
    let unknown = ev.iter().filter(|(n, _)| *n == "mock_future_event").count();
    assert_eq!(unknown, deltas / 25);
    let comments = sse
        .iter()
        .filter(|e| matches!(e, Sse::Comment(c) if c == "keep-alive"))
        .count();
    assert!(comments >= 1, "a keep-alive comment");
}

#[tokio::test]
async fn paced_by_config_header_and_marker() {
    // "Echo: a b c d e f g h i" is 10 deltas: 9 gaps of 1/20 s.
    let prompt = "a b c d e f g h i";
    let fast = server().await;

    let paced = server_with(MockConfig {
        api_key: Some(KEY.into()),
        tokens_per_sec: 20.0,
        ..MockConfig::default()
    })
    .await;
    let t = Instant::now();
    stream(&paced, &stream_request(prompt)).await;
    assert!(
        t.elapsed() >= Duration::from_millis(450),
        "config pace: {:?}",
        t.elapsed()
    );

    let t = Instant::now();
    let resp = post(&fast, &stream_request(prompt))
        .header("x-mock-tokens-per-sec", "20")
        .send()
        .await
        .unwrap();
    resp.text().await.unwrap();
    assert!(
        t.elapsed() >= Duration::from_millis(450),
        "header pace: {:?}",
        t.elapsed()
    );

    let t = Instant::now();
    stream(&fast, &stream_request("[[rate:20]] a b c d e f g h")).await;
    assert!(
        t.elapsed() >= Duration::from_millis(450),
        "marker pace: {:?}",
        t.elapsed()
    );

    // The marker overrides a slow config too: at the config's 1 token/s
    // these 100 tokens would take over 90 s, so even a loaded machine
    // finishes far inside the bound only when the marker wins.
    let crawl = server_with(MockConfig {
        api_key: Some(KEY.into()),
        tokens_per_sec: 1.0,
        ..MockConfig::default()
    })
    .await;
    let t = Instant::now();
    stream(&crawl, &stream_request("[[rate:0]] [[long:100]]")).await;
    assert!(
        t.elapsed() < Duration::from_secs(45),
        "rate 0 is unpaced: {:?}",
        t.elapsed()
    );
}

type BodyStream =
    std::pin::Pin<Box<dyn futures_util::Stream<Item = reqwest::Result<bytes::Bytes>> + Send>>;

/// Reads SSE bytes until `n` content deltas arrived; returns the stream.
async fn read_deltas(resp: reqwest::Response, n: usize) -> BodyStream {
    let mut body: BodyStream = Box::pin(resp.bytes_stream());
    let mut text = String::new();
    while text.matches("event: content_block_delta").count() < n {
        let chunk = body.next().await.expect("stream ended early").unwrap();
        text.push_str(std::str::from_utf8(&chunk).unwrap());
    }
    body
}

/// The record only gets a disconnect while the reply is still being sent
/// (see `completed_stream_is_not_a_disconnect`), so seeing one at all proves
/// the server noticed before the end: no wall-clock bound is needed.
async fn assert_disconnect_seen(server: &megallm_mock::MockServer) {
    let seen = eventually(Duration::from_secs(30), || {
        server
            .requests()
            .last()
            .is_some_and(|r| r.disconnected_at_ms.is_some())
    })
    .await;
    assert!(
        seen,
        "the server never saw the client go: {:?}",
        server.requests().last()
    );
    let r = server.requests().pop().unwrap();
    assert!(r.disconnected_at_ms.unwrap() > r.received_at_ms);
    // The same record over HTTP.
    let over_http = log(server).await.pop().unwrap();
    let (a, b) = (
        over_http.disconnected_at_ms.unwrap(),
        r.disconnected_at_ms.unwrap(),
    );
    assert!((a - b).abs() < 1e-6, "{a} vs {b}"); // JSON float round trip
}

#[tokio::test]
async fn disconnect_is_recorded_while_streaming() {
    let server = server_with(MockConfig {
        api_key: Some(KEY.into()),
        tokens_per_sec: 50.0,
        ..MockConfig::default()
    })
    .await;
    let resp = post(&server, &stream_request("[[long:500]]"))
        .send()
        .await
        .unwrap();
    let body = read_deltas(resp, 3).await;
    assert!(
        server.requests()[0].disconnected_at_ms.is_none(),
        "still streaming"
    );
    drop(body);
    assert_disconnect_seen(&server).await;
}

#[tokio::test]
async fn disconnect_is_recorded_while_stalled() {
    let server = server().await;
    let resp = post(&server, &stream_request("[[fault:stall after=2]] a b c"))
        .send()
        .await
        .unwrap();
    let body = read_deltas(resp, 2).await;
    drop(body);
    assert_disconnect_seen(&server).await;
}

#[tokio::test]
async fn completed_stream_is_not_a_disconnect() {
    let server = server().await;
    stream(&server, &stream_request("[[long:60]]")).await;
    let r = server.requests().pop().unwrap();
    assert_eq!(r.status, 200);
    assert_eq!(r.disconnected_at_ms, None);
}

#[tokio::test]
async fn request_log_redacts_and_resets() {
    let server = server().await;
    post(&server, &request("logged")).send().await.unwrap();
    let records = log(&server).await;
    assert_eq!(records.len(), 1, "the log does not log itself");
    let r = &records[0];
    assert_eq!(
        (r.method.as_str(), r.path.as_str(), r.status),
        ("POST", "/v1/messages", 200)
    );
    assert_eq!(r.headers["x-api-key"], "REDACTED");
    assert_eq!(r.headers["anthropic-version"], "2023-06-01");
    assert_eq!(r.body.as_ref().unwrap()["messages"][0]["content"], "logged");
    assert!(r.received_at_ms >= 0.0);

    let resp = client()
        .post(format!("{}/_mock/reset", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    assert!(log(&server).await.is_empty());
    post(&server, &request("again")).send().await.unwrap();
    let after = server.requests();
    assert_eq!(after.len(), 1);
    assert!(after[0].seq > r.seq, "sequence numbers keep counting");
}

#[tokio::test]
async fn shutdown_ends_a_stalled_stream() {
    let server = server().await;
    let resp = post(&server, &stream_request("[[fault:stall]]"))
        .send()
        .await
        .unwrap();
    let mut body = read_deltas(resp, 5).await;
    // A shutdown that waited for the stalled stream would never return.
    let done = tokio::time::timeout(Duration::from_secs(30), server.shutdown()).await;
    assert!(done.is_ok(), "shutdown waited for the stalled stream");
    // The client sees the body end rather than hang.
    let rest = tokio::time::timeout(Duration::from_secs(3), async {
        while body.next().await.is_some() {}
    })
    .await;
    assert!(rest.is_ok());
}
