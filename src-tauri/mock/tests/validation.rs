//! Auth, required headers and request validation: each rejection has the
//! right status, error type and a message naming the field.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use megallm_mock::MockConfig;
use serde_json::{Value, json};

async fn rejected(body: Value) -> (u16, String) {
    let server = server().await;
    let (status, body) = json_of(post(&server, &body).send().await.unwrap()).await;
    let kind = if status == 404 {
        "not_found_error"
    } else {
        "invalid_request_error"
    };
    (status, error_message(&body, kind))
}

async fn assert_400(body: Value, field: &str) {
    let (status, message) = rejected(body.clone()).await;
    assert_eq!(status, 400, "{body}");
    assert!(
        message.contains(field),
        "message {message:?} should name {field} (request {body})"
    );
}

#[tokio::test]
async fn missing_or_wrong_key_is_401() {
    let server = server().await;
    let url = format!("{}/v1/messages", server.base_url());
    for key in [None, Some("wrong"), Some("")] {
        let mut req = client()
            .post(&url)
            .header("anthropic-version", "2023-06-01")
            .json(&request("hi"));
        if let Some(k) = key {
            req = req.header("x-api-key", k);
        }
        let resp = req.send().await.unwrap();
        let request_id = resp.headers()["request-id"].to_str().unwrap().to_owned();
        let (status, body) = json_of(resp).await;
        assert_eq!(status, 401, "key {key:?}");
        assert_eq!(
            error_message(&body, "authentication_error"),
            "invalid x-api-key"
        );
        assert_eq!(
            body["request_id"],
            request_id.as_str(),
            "body and header agree"
        );
    }
    // Models need the key too.
    let resp = client()
        .get(format!("{}/v1/models", server.base_url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 401);
}

#[tokio::test]
async fn bearer_token_is_accepted_and_any_key_without_config() {
    let server = server().await;
    let resp = client()
        .post(format!("{}/v1/messages", server.base_url()))
        .header("authorization", format!("Bearer {KEY}"))
        .header("anthropic-version", "2023-06-01")
        .json(&request("hi"))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);

    let open = server_with(MockConfig::default()).await;
    let resp = client()
        .get(format!("{}/models", open.base_url()))
        .header("authorization", "Bearer sk-mega-anything")
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 200);
}

#[tokio::test]
async fn anthropic_version_is_required() {
    let server = server().await;
    for path in ["/v1/messages", "/v1/messages/count_tokens"] {
        let resp = client()
            .post(format!("{}{path}", server.base_url()))
            .header("x-api-key", KEY)
            .json(&request("hi"))
            .send()
            .await
            .unwrap();
        let (status, body) = json_of(resp).await;
        assert_eq!(status, 400);
        assert_eq!(
            error_message(&body, "invalid_request_error"),
            "anthropic-version: header is required"
        );
    }
}

#[tokio::test]
async fn body_must_be_json() {
    let server = server().await;
    let resp = post(&server, &json!(null))
        .body("{not json")
        .header("content-type", "application/json")
        .send()
        .await
        .unwrap();
    let (status, body) = json_of(resp).await;
    assert_eq!(status, 400);
    assert!(error_message(&body, "invalid_request_error").contains("JSON"));
}

#[tokio::test]
async fn required_fields() {
    assert_400(
        json!({"max_tokens": 10, "messages": [{"role": "user", "content": "x"}]}),
        "model: Field required",
    )
    .await;
    assert_400(
        json!({"model": MODEL, "messages": [{"role": "user", "content": "x"}]}),
        "max_tokens: Field required",
    )
    .await;
    assert_400(
        json!({"model": MODEL, "max_tokens": 10}),
        "messages: Field required",
    )
    .await;
    assert_400(
        json!({"model": MODEL, "max_tokens": 10, "messages": []}),
        "messages",
    )
    .await;
}

#[tokio::test]
async fn numeric_ranges() {
    let with = |field: &str, v: Value| {
        let mut r = request("x");
        r[field] = v;
        r
    };
    assert_400(with("max_tokens", json!(0)), "max_tokens").await;
    assert_400(with("max_tokens", json!("ten")), "max_tokens").await;
    assert_400(with("max_tokens", json!(1_000_000)), "max_tokens").await;
    assert_400(with("temperature", json!(1.5)), "temperature").await;
    assert_400(with("temperature", json!(-0.1)), "temperature").await;
    assert_400(with("top_p", json!(2)), "top_p").await;
    // In range is fine.
    let server = server().await;
    let mut ok = with("temperature", json!(1));
    ok["top_p"] = json!(0.0);
    assert_eq!(post(&server, &ok).send().await.unwrap().status(), 200);
}

#[tokio::test]
async fn roles_and_order() {
    let msgs = |m: Value| json!({"model": MODEL, "max_tokens": 10, "messages": m});
    assert_400(
        msgs(json!([{"role": "system", "content": "x"}])),
        "messages.0.role",
    )
    .await;
    assert_400(
        msgs(json!([{"role": "user", "content": "x"}, {"role": "robot", "content": "y"}])),
        "messages.1.role",
    )
    .await;
    assert_400(
        msgs(json!([{"role": "assistant", "content": "x"}])),
        "first message",
    )
    .await;
    assert_400(msgs(json!([{"role": "user"}])), "messages.0.content").await;
    assert_400(
        msgs(json!([{"role": "user", "content": [{"type": "hologram"}]}])),
        "messages.0.content.0.type",
    )
    .await;
}

#[tokio::test]
async fn thinking_budget() {
    let thinking = |budget: i64, max: i64| {
        let mut r = request("x");
        r["max_tokens"] = json!(max);
        r["thinking"] = json!({"type": "enabled", "budget_tokens": budget});
        r
    };
    assert_400(thinking(1000, 4000), "budget_tokens").await;
    assert_400(thinking(2048, 2048), "max_tokens").await;
    let server = server().await;
    let (status, body) = json_of(post(&server, &thinking(1024, 4000)).send().await.unwrap()).await;
    assert_eq!(status, 200);
    assert_eq!(
        body["content"][0]["type"], "thinking",
        "thinking enabled by the request gives a thinking block"
    );
}

#[tokio::test]
async fn tool_definitions() {
    let tools = |t: Value| {
        let mut r = request("x");
        r["tools"] = t;
        r
    };
    let schema = json!({"type": "object"});
    assert_400(
        tools(json!([{"name": "bad name!", "input_schema": schema}])),
        "tools.0.name",
    )
    .await;
    assert_400(
        tools(json!([{"name": "x".repeat(65), "input_schema": schema}])),
        "tools.0.name",
    )
    .await;
    assert_400(
        tools(json!([{"name": "ok", "input_schema": schema}, {"name": "no_schema"}])),
        "tools.1.input_schema",
    )
    .await;
}

#[tokio::test]
async fn unknown_model_is_404() {
    let mut r = request("x");
    r["model"] = json!("claude-imaginary-9");
    let (status, message) = rejected(r).await;
    assert_eq!(status, 404);
    assert_eq!(message, "model: claude-imaginary-9");
}

#[tokio::test]
async fn every_content_block_kind_is_accepted() {
    let server = server().await;
    let body = json!({
        "model": MODEL,
        "max_tokens": 100,
        "system": [{"type": "text", "text": "Be brief.", "cache_control": {"type": "ephemeral"}}],
        "tools": [{"name": "get_weather", "description": "Weather", "input_schema": {"type": "object"}}],
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "Look", "cache_control": {"type": "ephemeral", "ttl": "5m"}},
                {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "iVBORw0KGgo="}},
                {"type": "document", "source": {"type": "base64", "media_type": "application/pdf", "data": "JVBERi0="}},
            ]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "hmm", "signature": "sig"},
                {"type": "redacted_thinking", "data": "opaque"},
                {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"location": "Paris"}},
            ]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "18°C", "is_error": false},
                {"type": "text", "text": "and now?"},
            ]},
        ],
    });
    let (status, reply) = json_of(post(&server, &body).send().await.unwrap()).await;
    assert_eq!(status, 200, "{reply}");
    assert_eq!(reply["content"][0]["text"], "Echo: and now?");
}

#[tokio::test]
async fn responses_carry_request_id_and_rate_limit_headers() {
    let server = server().await;
    let resp = post(&server, &request("hi")).send().await.unwrap();
    let h = resp.headers();
    assert!(h["request-id"].to_str().unwrap().starts_with("req_mock_"));
    for name in [
        "anthropic-ratelimit-requests-limit",
        "anthropic-ratelimit-requests-remaining",
        "anthropic-ratelimit-tokens-limit",
        "anthropic-ratelimit-tokens-remaining",
    ] {
        assert!(h[name].to_str().unwrap().parse::<u64>().is_ok(), "{name}");
    }
    let reset = h["anthropic-ratelimit-requests-reset"].to_str().unwrap();
    assert!(
        reset.len() == 20 && reset.ends_with('Z') && &reset[10..11] == "T",
        "{reset}"
    );
    // Error responses carry them as well.
    let bad = post(&server, &json!({"model": MODEL}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    assert!(bad.headers().contains_key("request-id"));
    assert!(
        bad.headers()
            .contains_key("anthropic-ratelimit-requests-limit")
    );
}

#[tokio::test]
async fn count_tokens_matches_usage() {
    let server = server().await;
    let mut body = request("twelve chars");
    body["system"] = json!("You are terse."); // 14 chars: (12 + 14) / 4 -> 7
    let (_, reply) = json_of(post(&server, &body).send().await.unwrap()).await;
    assert_eq!(reply["usage"]["input_tokens"], 7);

    let no_max = json!({"model": MODEL, "system": "You are terse.", "messages": [{"role": "user", "content": "twelve chars"}]});
    let resp = client()
        .post(format!("{}/v1/messages/count_tokens", server.base_url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .json(&no_max)
        .send()
        .await
        .unwrap();
    let (status, counted) = json_of(resp).await;
    assert_eq!(status, 200);
    assert_eq!(counted, json!({"input_tokens": 7}));

    let resp = client()
        .post(format!("{}/v1/messages/count_tokens", server.base_url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .json(&json!({"model": MODEL, "messages": []}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status(), 400);
}

#[tokio::test]
async fn unknown_routes_are_anthropic_404s() {
    let server = server().await;
    let (status, body) = json_of(
        client()
            .get(format!("{}/v1/nothing", server.base_url()))
            .send()
            .await
            .unwrap(),
    )
    .await;
    assert_eq!(status, 404);
    error_message(&body, "not_found_error");
}
