//! Fault injection: every kind, by header and by marker, its options, and
//! `times=N` followed by normal service.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use megallm_mock::MockServer;
use serde_json::{Value, json};

async fn faulted(server: &MockServer, spec: &str) -> reqwest::Response {
    post(server, &request("hi"))
        .header("x-mock-fault", spec)
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn http_kinds_have_status_type_and_message() {
    let server = server().await;
    let cases = [
        ("401", 401, "authentication_error"),
        ("403", 403, "permission_error"),
        ("429", 429, "rate_limit_error"),
        ("500", 500, "api_error"),
        ("529", 529, "overloaded_error"),
    ];
    for (spec, status, kind) in cases {
        let resp = faulted(&server, spec).await;
        assert_eq!(resp.headers()["content-type"], "application/json", "{spec}");
        let request_id = resp.headers()["request-id"].to_str().unwrap().to_owned();
        let (got, body) = json_of(resp).await;
        assert_eq!(got, status, "{spec}");
        let message = error_message(&body, kind);
        assert!(!message.is_empty());
        assert_eq!(body["request_id"], request_id.as_str());
        if spec == "529" {
            assert_eq!(message, "Overloaded");
        }
    }
}

#[tokio::test]
async fn rate_limit_headers() {
    let server = server().await;
    let resp = faulted(&server, "429").await;
    assert_eq!(resp.headers()["retry-after"], "1", "default");
    assert!(!resp.headers().contains_key("retry-after-ms"));
    assert_eq!(
        resp.headers()["anthropic-ratelimit-requests-remaining"],
        "0"
    );

    let resp = faulted(
        &server,
        "429 retry_after=7 retry_after_ms=250 should_retry=false",
    )
    .await;
    assert_eq!(resp.headers()["retry-after"], "7");
    assert_eq!(resp.headers()["retry-after-ms"], "250");
    assert_eq!(resp.headers()["x-should-retry"], "false");

    let resp = faulted(&server, "500 should_retry=true").await;
    assert_eq!(resp.status(), 500);
    assert_eq!(resp.headers()["x-should-retry"], "true");
    assert!(!resp.headers().contains_key("retry-after"));
}

#[tokio::test]
async fn megallm_error_shape() {
    let server = server().await;
    let (status, body) = json_of(faulted(&server, "401 shape=megallm").await).await;
    assert_eq!(status, 401);
    assert_eq!(
        body,
        json!({"error": {"message": "Invalid authentication credentials", "type": "invalid_request_error", "code": "invalid_api_key"}})
    );
    let (status, body) = json_of(faulted(&server, "429 shape=megallm").await).await;
    assert_eq!(status, 429);
    assert_eq!(body["error"]["type"], "rate_limit_error");
    assert!(body["error"]["code"].is_string() && body.get("type").is_none());
}

#[tokio::test]
async fn bad_gateway_is_an_html_page() {
    let server = server().await;
    let resp = faulted(&server, "502html").await;
    assert_eq!(resp.status(), 502);
    assert_eq!(resp.headers()["content-type"], "text/html");
    let text = resp.text().await.unwrap();
    assert!(
        text.starts_with("<html>") && text.contains("502 Bad Gateway"),
        "{text}"
    );
}

#[tokio::test]
async fn marker_selects_a_fault_and_times_limits_it() {
    let server = server().await;
    let body = request("Hello [[fault:429 times=2 retry_after=0]]");
    for attempt in 1..=2 {
        let resp = post(&server, &body).send().await.unwrap();
        assert_eq!(resp.status(), 429, "attempt {attempt}");
        assert_eq!(resp.headers()["retry-after"], "0");
    }
    let (status, reply) = json_of(post(&server, &body).send().await.unwrap()).await;
    assert_eq!(status, 200, "the third try succeeds");
    assert_eq!(
        reply["content"][0]["text"],
        "Echo: Hello [[fault:429 times=2 retry_after=0]]"
    );

    // Another body is another request: it gets its own two faults.
    let other = request("Other [[fault:429 times=2 retry_after=0]]");
    assert_eq!(post(&server, &other).send().await.unwrap().status(), 429);

    // A reset forgets the counts.
    client()
        .post(format!("{}/_mock/reset", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(post(&server, &body).send().await.unwrap().status(), 429);

    let statuses: Vec<u16> = server.requests().iter().map(|r| r.status).collect();
    assert_eq!(statuses, [429], "the log was reset too");
}

#[tokio::test]
async fn header_fault_with_times_then_success() {
    let server = server().await;
    assert_eq!(faulted(&server, "529 times=1").await.status(), 529);
    assert_eq!(faulted(&server, "529 times=1").await.status(), 200);
    assert_eq!(
        faulted(&server, "529").await.status(),
        529,
        "without times: always"
    );
    assert_eq!(faulted(&server, "529").await.status(), 529);
}

#[tokio::test]
async fn times_counts_each_body_unless_scoped_to_the_spec() {
    let server = server().await;
    let ask = |extra: &str| request(&format!("[[fault:500 times=1{extra}]] hi"));
    let first = ask("");
    let mut longer = first.clone();
    longer["max_tokens"] = 99.into();
    assert_eq!(post(&server, &first).send().await.unwrap().status(), 500);
    assert_eq!(
        post(&server, &longer).send().await.unwrap().status(),
        500,
        "another body is another request"
    );
    let (a, mut b) = (ask(" scope=spec"), ask(" scope=spec"));
    b["max_tokens"] = 99.into();
    assert_eq!(post(&server, &a).send().await.unwrap().status(), 500);
    assert_eq!(
        post(&server, &b).send().await.unwrap().status(),
        200,
        "scope=spec: once in all"
    );
}

#[tokio::test]
async fn bad_specs_are_rejected_clearly() {
    let server = server().await;
    let (status, body) = json_of(faulted(&server, "418").await).await;
    assert_eq!(status, 400);
    assert!(error_message(&body, "invalid_request_error").contains("x-mock-fault"));
    let (status, body) = json_of(
        post(&server, &request("[[fault:500 tmes=1]]"))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 400);
    assert!(error_message(&body, "invalid_request_error").contains("tmes"));
}

#[tokio::test]
async fn models_endpoint_takes_header_faults() {
    let server = server().await;
    let resp = client()
        .get(format!("{}/v1/models", server.base_url()))
        .header("x-api-key", KEY)
        .header("x-mock-fault", "500")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 500);
}

fn delta_count(text: &str) -> usize {
    text.matches("event: content_block_delta").count()
}

#[tokio::test]
async fn error_event_after_some_deltas() {
    let server = server().await;
    let resp = post(
        &server,
        &stream_request("[[fault:error-event after=3]] [[long:50]]"),
    )
    .send()
    .await
    .unwrap();
    assert_eq!(resp.status(), 200);
    let text = resp.text().await.unwrap();
    let sse = parse_sse(&text);
    let names: Vec<&str> = sse.iter().filter_map(Sse::name).collect();
    assert_eq!(delta_count(&text), 3);
    assert_eq!(names.last(), Some(&"error"));
    assert!(!names.contains(&"message_stop") && !names.contains(&"message_delta"));
    let (_, error) = events(&sse).pop().unwrap();
    assert_eq!(
        error,
        &json!({"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
    );
    assert_eq!(
        server.requests()[0].disconnected_at_ms,
        None,
        "the server ended it"
    );

    // A reply shorter than `after` still ends in the error, not in success.
    let text = post(&server, &stream_request("[[fault:error-event]]"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.ends_with("event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"));
    assert!(!text.contains("message_stop"));
}

#[tokio::test]
async fn drop_cuts_the_connection_after_some_deltas() {
    let server = server().await;
    let resp = post(&server, &stream_request("[[long:50]]"))
        .header("x-mock-fault", "drop after=4")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let mut body = resp.bytes_stream();
    let mut text = String::new();
    let mut failed = false;
    while let Some(chunk) = body.next().await {
        match chunk {
            Ok(bytes) => text.push_str(std::str::from_utf8(&bytes).unwrap()),
            Err(_) => {
                failed = true;
                break;
            }
        }
    }
    assert!(failed, "the body must end in an error, not cleanly: {text}");
    assert_eq!(delta_count(&text), 4, "the deltas before the cut arrived");
    assert!(!text.contains("message_stop"));
}

#[tokio::test]
async fn stall_keeps_the_connection_open() {
    let server = server().await;
    let resp = post(
        &server,
        &stream_request("[[fault:stall after=2]] [[long:50]]"),
    )
    .send()
    .await
    .unwrap();
    let mut body = resp.bytes_stream();
    let mut text = String::new();
    while delta_count(&text) < 2 {
        text.push_str(std::str::from_utf8(&body.next().await.unwrap().unwrap()).unwrap());
    }
    // Nothing more comes: waiting is the point of this test.
    let more = tokio::time::timeout(Duration::from_millis(300), body.next()).await;
    assert!(more.is_err(), "a stalled stream sends nothing: {more:?}");
    assert_eq!(server.requests()[0].disconnected_at_ms, None);
}

#[tokio::test]
async fn stream_faults_on_plain_requests() {
    let server = server().await;
    // error-event has no stream to go into: it becomes an overloaded error.
    let (status, body) = json_of(faulted(&server, "error-event").await).await;
    assert_eq!(status, 529);
    error_message(&body, "overloaded_error");

    // drop: a 200 whose JSON body is cut off.
    let resp = faulted(&server, "drop").await;
    assert_eq!(resp.status(), 200);
    assert!(resp.bytes().await.is_err());
}

#[tokio::test]
async fn a_retry_sequence_is_visible_in_the_log() {
    let server = server().await;
    let body = request("[[fault:500 times=1]] retry me");
    assert_eq!(post(&server, &body).send().await.unwrap().status(), 500);
    assert_eq!(post(&server, &body).send().await.unwrap().status(), 200);
    let log = log(&server).await;
    let statuses: Vec<u16> = log.iter().map(|r| r.status).collect();
    assert_eq!(statuses, [500, 200]);
    assert_eq!(log[0].body, log[1].body);
    let _: &Value = log[0].body.as_ref().unwrap();
}

#[tokio::test]
async fn no_stream_answers_a_stream_request_with_one_json_body() {
    let server = server().await;
    let resp = post(&server, &stream_request("hi [[fault:no-stream]]"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
    let content_type = resp.headers()["content-type"].to_str().unwrap().to_owned();
    assert!(
        content_type.starts_with("application/json"),
        "{content_type}"
    );
    let (_, message) = json_of(resp).await;
    assert_eq!(message["type"], "message");
    assert_eq!(
        message["content"][0]["text"],
        "Echo: hi [[fault:no-stream]]"
    );
}
