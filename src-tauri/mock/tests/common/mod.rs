//! Helpers shared by the integration tests: a started server, a client with
//! the right headers, and an SSE parser independent of the server's code.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::time::{Duration, Instant};

use megallm_mock::{MockConfig, MockServer, RequestRecord};
use serde_json::{Value, json};

pub const KEY: &str = "test-key";
pub const MODEL: &str = "claude-sonnet-4";

pub async fn server() -> MockServer {
    server_with(MockConfig {
        api_key: Some(KEY.into()),
        ..MockConfig::default()
    })
    .await
}

pub async fn server_with(config: MockConfig) -> MockServer {
    MockServer::start(config).await.unwrap()
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(30))
        .build()
        .unwrap()
}

/// A `POST /v1/messages` with the usual headers.
pub fn post(server: &MockServer, body: &Value) -> reqwest::RequestBuilder {
    client()
        .post(format!("{}/v1/messages", server.base_url()))
        .header("x-api-key", KEY)
        .header("anthropic-version", "2023-06-01")
        .json(body)
}

pub fn request(prompt: &str) -> Value {
    json!({"model": MODEL, "max_tokens": 1024, "messages": [{"role": "user", "content": prompt}]})
}

pub fn stream_request(prompt: &str) -> Value {
    let mut r = request(prompt);
    r["stream"] = json!(true);
    r
}

pub async fn json_of(resp: reqwest::Response) -> (u16, Value) {
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
    let value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"));
    (status, value)
}

/// Asserts an Anthropic-shaped error of `kind` and returns its message.
pub fn error_message(body: &Value, kind: &str) -> String {
    assert_eq!(body["type"], "error", "{body}");
    assert_eq!(body["error"]["type"], kind, "{body}");
    assert!(
        body["request_id"]
            .as_str()
            .unwrap()
            .starts_with("req_mock_"),
        "{body}"
    );
    body["error"]["message"].as_str().unwrap().to_owned()
}

#[derive(Debug, Clone, PartialEq)]
pub enum Sse {
    Event { name: String, data: Value },
    Comment(String),
}

impl Sse {
    pub fn name(&self) -> Option<&str> {
        match self {
            Sse::Event { name, .. } => Some(name),
            Sse::Comment(_) => None,
        }
    }
}

/// Parses a complete SSE text: `event:`/`data:` pairs and `:` comments.
pub fn parse_sse(text: &str) -> Vec<Sse> {
    let mut out = Vec::new();
    for frame in text.split("\n\n").filter(|f| !f.is_empty()) {
        let mut name = None;
        let mut data = None;
        for line in frame.lines() {
            if let Some(c) = line.strip_prefix(':') {
                out.push(Sse::Comment(c.trim().to_owned()));
            } else if let Some(n) = line.strip_prefix("event: ") {
                name = Some(n.to_owned());
            } else if let Some(d) = line.strip_prefix("data: ") {
                data = Some(
                    serde_json::from_str::<Value>(d)
                        .unwrap_or_else(|e| panic!("bad data {d}: {e}")),
                );
            } else {
                panic!("unexpected SSE line {line:?}");
            }
        }
        if let Some(name) = name {
            let data = data.expect("event without data");
            assert_eq!(data["type"], name.as_str(), "event name matches data.type");
            out.push(Sse::Event { name, data });
        }
    }
    out
}

pub fn events(sse: &[Sse]) -> Vec<(&str, &Value)> {
    sse.iter()
        .filter_map(|e| match e {
            Sse::Event { name, data } => Some((name.as_str(), data)),
            Sse::Comment(_) => None,
        })
        .collect()
}

/// Rebuilds the final message from events, the way an SDK accumulates it.
pub fn accumulate(sse: &[Sse]) -> Value {
    let mut message = Value::Null;
    let mut json_bufs: Vec<String> = Vec::new();
    for (name, data) in events(sse) {
        match name {
            "message_start" => message = data["message"].clone(),
            "content_block_start" => {
                message["content"]
                    .as_array_mut()
                    .unwrap()
                    .push(data["content_block"].clone());
                json_bufs.push(String::new());
            }
            "content_block_delta" => {
                let i = data["index"].as_u64().unwrap() as usize;
                let block = &mut message["content"][i];
                let d = &data["delta"];
                match d["type"].as_str().unwrap() {
                    "text_delta" => append(block, "text", d["text"].as_str().unwrap()),
                    "thinking_delta" => append(block, "thinking", d["thinking"].as_str().unwrap()),
                    "signature_delta" => block["signature"] = d["signature"].clone(),
                    "input_json_delta" => {
                        json_bufs[i].push_str(d["partial_json"].as_str().unwrap())
                    }
                    other => panic!("unknown delta {other}"),
                }
            }
            "content_block_stop" => {
                let i = data["index"].as_u64().unwrap() as usize;
                if message["content"][i]["type"] == "tool_use" {
                    message["content"][i]["input"] = serde_json::from_str(&json_bufs[i]).unwrap();
                }
            }
            "message_delta" => {
                message["stop_reason"] = data["delta"]["stop_reason"].clone();
                message["stop_sequence"] = data["delta"]["stop_sequence"].clone();
                message["usage"]["output_tokens"] = data["usage"]["output_tokens"].clone();
            }
            _ => {}
        }
    }
    message
}

fn append(block: &mut Value, field: &str, piece: &str) {
    let mut s = block[field].as_str().unwrap().to_owned();
    s.push_str(piece);
    block[field] = Value::String(s);
}

/// Reads a whole streamed response as SSE.
pub async fn stream(server: &MockServer, body: &Value) -> (reqwest::header::HeaderMap, Vec<Sse>) {
    let resp = post(server, body).send().await.unwrap();
    assert_eq!(resp.status(), 200);
    let headers = resp.headers().clone();
    let text = resp.text().await.unwrap();
    (headers, parse_sse(&text))
}

pub async fn log(server: &MockServer) -> Vec<RequestRecord> {
    let resp = client()
        .get(format!("{}/_mock/requests", server.base_url()))
        .send()
        .await
        .unwrap();
    resp.json().await.unwrap()
}

/// Polls `check` until it holds or `timeout` passes; for conditions another
/// task makes true (the server noticing a disconnect), not to hide races.
pub async fn eventually<F: FnMut() -> bool>(timeout: Duration, mut check: F) -> bool {
    let deadline = Instant::now() + timeout;
    loop {
        if check() {
            return true;
        }
        if Instant::now() > deadline {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }
}
