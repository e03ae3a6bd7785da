//! Scripted replies, streamed and not: the same message either way,
//! truncation by stop sequences and max_tokens, tool calls, thinking.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use serde_json::{Value, json};

async fn create(server: &megallm_mock::MockServer, body: &Value) -> Value {
    let (status, reply) = json_of(post(server, body).send().await.unwrap()).await;
    assert_eq!(status, 200, "{reply}");
    reply
}

/// Streams `body` and checks the accumulated message equals the
/// non-streamed one (ids aside); returns the non-streamed message.
async fn both_ways(server: &megallm_mock::MockServer, body: &Value) -> Value {
    let plain = create(server, body).await;
    let mut streamed_body = body.clone();
    streamed_body["stream"] = json!(true);
    let (_, sse) = stream(server, &streamed_body).await;
    let streamed = accumulate(&sse);
    for field in [
        "type",
        "role",
        "model",
        "stop_reason",
        "stop_sequence",
        "usage",
    ] {
        assert_eq!(streamed[field], plain[field], "{field}");
    }
    let strip_ids = |m: &Value| {
        let mut c = m["content"].clone();
        for block in c.as_array_mut().unwrap() {
            if block["type"] == "tool_use" {
                block["id"] = Value::Null;
            }
        }
        c
    };
    assert_eq!(strip_ids(&streamed), strip_ids(&plain));
    assert!(streamed["id"].as_str().unwrap().starts_with("msg_mock_"));
    plain
}

#[tokio::test]
async fn echo() {
    let server = server().await;
    let reply = both_ways(&server, &request("Hello there")).await;
    assert_eq!(reply["type"], "message");
    assert_eq!(reply["role"], "assistant");
    assert_eq!(reply["model"], MODEL);
    assert_eq!(
        reply["content"],
        json!([{"type": "text", "text": "Echo: Hello there"}])
    );
    assert_eq!(reply["stop_reason"], "end_turn");
    assert_eq!(reply["stop_sequence"], Value::Null);
    // "Echo:", " Hello", " there"
    assert_eq!(
        reply["usage"],
        json!({"input_tokens": 3, "cache_creation_input_tokens": 0, "cache_read_input_tokens": 0, "output_tokens": 3})
    );
}

#[tokio::test]
async fn echo_uses_the_last_user_message_and_keeps_markers() {
    let server = server().await;
    let body = json!({"model": MODEL, "max_tokens": 100, "messages": [
        {"role": "user", "content": "first"},
        {"role": "assistant", "content": "Echo: first"},
        {"role": "user", "content": [{"type": "text", "text": "second [[rate:1000]]"}]},
    ]});
    let reply = create(&server, &body).await;
    assert_eq!(reply["content"][0]["text"], "Echo: second [[rate:1000]]");
}

#[tokio::test]
async fn markdown_is_intact_utf8_both_ways() {
    let server = server().await;
    let reply = both_ways(&server, &request("[[markdown]]")).await;
    let text = reply["content"][0]["text"].as_str().unwrap();
    assert!((2000..4000).contains(&text.len()), "{}", text.len());
    for needle in [
        "# ",
        "| Model |",
        "```rust",
        "```python",
        "> ",
        "**",
        "Привет, мир!",
        "🚀",
    ] {
        assert!(text.contains(needle), "{needle}");
    }
}

#[tokio::test]
async fn non_ascii_deltas_are_whole_characters() {
    let server = server().await;
    let prompt = "Привет🚀мирмирмир ёлка 日本語日本語日本語";
    let (_, sse) = stream(&server, &stream_request(prompt)).await;
    let pieces: Vec<&str> = events(&sse)
        .into_iter()
        .filter(|(n, d)| *n == "content_block_delta" && d["delta"]["type"] == "text_delta")
        .map(|(_, d)| d["delta"]["text"].as_str().unwrap())
        .collect();
    assert!(pieces.len() > 5, "long words are split: {pieces:?}");
    assert_eq!(pieces.concat(), format!("Echo: {prompt}"));
}

#[tokio::test]
async fn long_reply_has_n_words_and_paragraphs() {
    let server = server().await;
    let reply = create(&server, &request("[[long:150]]")).await;
    let text = reply["content"][0]["text"].as_str().unwrap();
    assert_eq!(text.split_whitespace().count(), 150);
    assert_eq!(text.matches("\n\n").count(), 2);
    assert_eq!(
        create(&server, &request("[[long:150]]")).await["content"],
        reply["content"],
        "deterministic"
    );
}

#[tokio::test]
async fn tool_call() {
    let server = server().await;
    let mut body = request("What's the weather? [[tool]]");
    body["tools"] = json!([{"name": "lookup_weather", "input_schema": {"type": "object"}}]);
    let reply = both_ways(&server, &body).await;
    assert_eq!(reply["stop_reason"], "tool_use");
    assert_eq!(
        reply["content"][0],
        json!({"type": "text", "text": "Let me look that up."})
    );
    let tool = &reply["content"][1];
    assert_eq!(tool["type"], "tool_use");
    assert_eq!(tool["name"], "lookup_weather", "the request's first tool");
    assert_eq!(
        tool["input"],
        json!({"location": "Paris, France", "unit": "celsius"})
    );
    assert!(tool["id"].as_str().unwrap().starts_with("toolu_mock_"));

    // Without tools the call is to get_weather; the input streams in pieces,
    // the first one empty as Anthropic sends it.
    let (_, sse) = stream(&server, &stream_request("[[tool]]")).await;
    let pieces: Vec<&str> = events(&sse)
        .into_iter()
        .filter(|(n, d)| *n == "content_block_delta" && d["delta"]["type"] == "input_json_delta")
        .map(|(_, d)| d["delta"]["partial_json"].as_str().unwrap())
        .collect();
    assert_eq!(pieces[0], "");
    assert!(pieces.len() > 3, "{pieces:?}");
    assert_eq!(accumulate(&sse)["content"][1]["name"], "get_weather");
}

#[tokio::test]
async fn thinking_block() {
    let server = server().await;
    let reply = both_ways(&server, &request("Think first [[thinking]]")).await;
    let thinking = &reply["content"][0];
    assert_eq!(thinking["type"], "thinking");
    assert!(thinking["thinking"].as_str().unwrap().len() > 20);
    assert!(thinking["signature"].as_str().unwrap().len() > 20);
    assert_eq!(reply["content"][1]["type"], "text");

    // The signature arrives once, right before the thinking block stops.
    let (_, sse) = stream(&server, &stream_request("Think first [[thinking]]")).await;
    let ev = events(&sse);
    let stop = ev
        .iter()
        .position(|(n, d)| *n == "content_block_stop" && d["index"] == 0)
        .unwrap();
    assert_eq!(ev[stop - 1].1["delta"]["type"], "signature_delta");
    let signatures = ev
        .iter()
        .filter(|(_, d)| d["delta"]["type"] == "signature_delta")
        .count();
    assert_eq!(signatures, 1);
}

#[tokio::test]
async fn stop_sequences_truncate() {
    let server = server().await;
    let mut body = request("one two STOP three END four");
    body["stop_sequences"] = json!(["END", "STOP"]);
    let reply = both_ways(&server, &body).await;
    assert_eq!(reply["content"][0]["text"], "Echo: one two ");
    assert_eq!(reply["stop_reason"], "stop_sequence");
    assert_eq!(
        reply["stop_sequence"], "STOP",
        "the earliest one in the text"
    );
}

#[tokio::test]
async fn max_tokens_truncates() {
    let server = server().await;
    let mut body = request("[[long:100]]");
    body["max_tokens"] = json!(10);
    let reply = both_ways(&server, &body).await;
    assert_eq!(reply["stop_reason"], "max_tokens");
    assert_eq!(reply["stop_sequence"], Value::Null);
    assert_eq!(reply["usage"]["output_tokens"], 10);
    let text = reply["content"][0]["text"].as_str().unwrap();
    assert_eq!(text.split_whitespace().count(), 10);

    // Exactly enough tokens is a natural end.
    let mut exact = request("a b");
    exact["max_tokens"] = json!(3);
    assert_eq!(create(&server, &exact).await["stop_reason"], "end_turn");

    // A tool call that does not fit is left out.
    let mut tool = request("[[tool]]");
    tool["max_tokens"] = json!(6);
    let reply = both_ways(&server, &tool).await;
    assert_eq!(reply["stop_reason"], "max_tokens");
    assert_eq!(reply["content"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_prefilled_reply_continues_where_the_prefill_ends() {
    let server = server().await;
    let whole = create(&server, &request("[[long:40]]")).await;
    let whole_text = whole["content"][0]["text"].as_str().unwrap().to_owned();
    // Cut inside the text, then trim: the API refuses a prefill that ends
    // with whitespace, so that is what a client sends.
    let prefill = whole_text[..whole_text.len() / 2].trim_end().to_owned();
    let mut body = request("[[long:40]]");
    body["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "assistant", "content": prefill}));
    let rest = both_ways(&server, &body).await;
    let rest_text = rest["content"][0]["text"].as_str().unwrap();
    assert!(!rest_text.is_empty());
    assert_eq!(format!("{prefill}{rest_text}"), whole_text);
    assert_eq!(rest["stop_reason"], "end_turn");
}

#[tokio::test]
async fn a_prefill_ending_in_whitespace_is_refused() {
    let server = server().await;
    let mut body = request("Hello");
    body["messages"]
        .as_array_mut()
        .unwrap()
        .push(json!({"role": "assistant", "content": [{"type": "text", "text": "Echo: \n"}]}));
    let (status, reply) = json_of(post(&server, &body).send().await.unwrap()).await;
    assert_eq!(status, 400);
    assert!(
        error_message(&reply, "invalid_request_error").contains("trailing whitespace"),
        "{reply}"
    );
}
