//! The model list in both shapes, and Anthropic-style paging.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use megallm_mock::{MockConfig, MockServer, ModelsList, ModelsShape};
use serde_json::Value;

const SEEDS: [&str; 4] = [
    "claude-opus-4-1-20250805",
    "claude-3.5-sonnet",
    "claude-3.7-sonnet",
    "claude-sonnet-4",
];

async fn get(base: &str, path_and_query: &str) -> (u16, Value) {
    json_of(
        client()
            .get(format!("{base}{path_and_query}"))
            .header("x-api-key", KEY)
            .send()
            .await
            .unwrap(),
    )
    .await
}

fn ids(page: &Value) -> Vec<String> {
    page["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn anthropic_shape_lists_the_four_seeds() {
    let server = server().await;
    let (status, page) = get(&server.base_url(), "/v1/models").await;
    assert_eq!(status, 200);
    let mut got = ids(&page);
    got.sort();
    let mut want: Vec<String> = SEEDS.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(got, want);
    assert_eq!(page["has_more"], false);
    for m in page["data"].as_array().unwrap() {
        assert_eq!(m["type"], "model");
        assert_eq!(m["max_input_tokens"], 200_000);
        assert!(m["max_tokens"].as_u64().unwrap() >= 8192);
        assert!(!m["display_name"].as_str().unwrap().is_empty());
        assert!(m["created_at"].as_str().unwrap().ends_with('Z'));
    }
    assert_eq!(page["first_id"], page["data"][0]["id"]);
    assert_eq!(page["last_id"], page["data"][3]["id"]);
    // The alias answers the same.
    assert_eq!(get(&server.base_url(), "/models").await.1, page);
}

#[tokio::test]
async fn paging_forwards_and_backwards() {
    let server = server().await;
    let base = server.base_url();
    let (_, all) = get(&base, "/v1/models").await;
    let all = ids(&all);

    let (_, p1) = get(&base, "/v1/models?limit=2").await;
    assert_eq!(ids(&p1), all[..2]);
    assert_eq!(p1["has_more"], true);
    let after = p1["last_id"].as_str().unwrap();
    let (_, p2) = get(&base, &format!("/v1/models?limit=2&after_id={after}")).await;
    assert_eq!(ids(&p2), all[2..]);
    assert_eq!(p2["has_more"], false);

    let before = p2["first_id"].as_str().unwrap();
    let (_, back) = get(&base, &format!("/v1/models?limit=1&before_id={before}")).await;
    assert_eq!(ids(&back), all[1..2]);
    assert_eq!(back["has_more"], true, "one more before it");

    let (status, bad) = get(&base, "/v1/models?limit=0").await;
    assert_eq!(status, 400);
    error_message(&bad, "invalid_request_error");
    let (status, _) = get(&base, "/v1/models?after_id=nope").await;
    assert_eq!(status, 400);
}

#[tokio::test]
async fn single_model() {
    let server = server().await;
    let (status, m) = get(&server.base_url(), "/v1/models/claude-sonnet-4").await;
    assert_eq!(status, 200);
    assert_eq!(m["id"], "claude-sonnet-4");
    let (status, _) = get(&server.base_url(), "/v1/models/gpt-9").await;
    assert_eq!(status, 404);
}

#[tokio::test]
async fn megallm_shape() {
    let server = server_with(MockConfig {
        api_key: Some(KEY.into()),
        models_shape: ModelsShape::MegaLlm,
        ..MockConfig::default()
    })
    .await;
    let (status, list) = get(&server.base_url(), "/v1/models").await;
    assert_eq!(status, 200);
    assert_eq!(list["object"], "list");
    assert!(list.get("has_more").is_none() && list.get("first_id").is_none());
    let data = list["data"].as_array().unwrap();
    for seed in SEEDS {
        let m = data
            .iter()
            .find(|m| m["id"] == seed)
            .unwrap_or_else(|| panic!("{seed} missing"));
        assert_eq!(m["object"], "model");
        assert_eq!(m["type"], "chat");
        assert_eq!(m["context_length"], 200_000);
        assert!(m["max_output_tokens"].as_u64().is_some());
        assert_eq!(m["capabilities"]["supports_function_calling"], true);
        assert!(
            m["pricing"]["input_tokens_cost_per_million"]
                .as_f64()
                .is_some()
        );
        assert!(
            m["owned_by"]
                .as_str()
                .unwrap()
                .eq_ignore_ascii_case("anthropic")
        );
    }
    assert!(
        data.iter()
            .any(|m| m["type"] == "chat" && !m["id"].as_str().unwrap().starts_with("claude"))
    );
    assert_eq!(data.iter().filter(|m| m["type"] == "embedding").count(), 1);
    assert_eq!(data.len(), 6);
}

#[tokio::test]
async fn a_smaller_context_window_is_listed_in_both_shapes() {
    for (shape, field) in [
        (ModelsShape::Anthropic, "max_input_tokens"),
        (ModelsShape::MegaLlm, "context_length"),
    ] {
        let server = server_with(MockConfig {
            api_key: Some(KEY.into()),
            models_shape: shape,
            context_window: 3_000,
            ..MockConfig::default()
        })
        .await;
        let (_, list) = get(&server.base_url(), "/v1/models").await;
        let chat: Vec<&Value> = list["data"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m["type"] != "embedding")
            .collect();
        assert!(!chat.is_empty());
        for m in chat {
            assert_eq!(m[field], 3_000, "{shape:?}: {m}");
        }
        let (_, one) = get(&server.base_url(), "/v1/models/claude-sonnet-4").await;
        assert_eq!(one[field], 3_000, "{shape:?}: {one}");
    }
}

#[tokio::test]
async fn other_list_names_no_claude_model_and_answers_for_its_own() {
    let server = server_with(MockConfig {
        api_key: Some(KEY.into()),
        models_list: ModelsList::Other,
        ..MockConfig::default()
    })
    .await;
    let (status, page) = get(&server.base_url(), "/v1/models").await;
    assert_eq!(status, 200);
    assert_eq!(ids(&page), ["llama-3.3-70b", "qwen-2.5-coder-32b"]);
    assert!(
        page["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|m| m["type"] == "model")
    );
    let mut body = request("hi");
    body["model"] = "llama-3.3-70b".into();
    let (status, reply) = json_of(post(&server, &body).send().await.unwrap()).await;
    assert_eq!(status, 200, "{reply}");
    let (status, _) = json_of(post(&server, &request("hi")).send().await.unwrap()).await;
    assert_eq!(status, 404, "a seed model is not served by this list");
}

#[tokio::test]
async fn empty_list_in_both_shapes() {
    for shape in [ModelsShape::Anthropic, ModelsShape::MegaLlm] {
        let server = server_with(MockConfig {
            api_key: Some(KEY.into()),
            models_shape: shape,
            models_list: ModelsList::Empty,
            ..MockConfig::default()
        })
        .await;
        let (status, page) = get(&server.base_url(), "/v1/models").await;
        assert_eq!(status, 200);
        assert!(ids(&page).is_empty(), "{shape:?}: {page}");
    }
}

#[tokio::test]
async fn a_configured_models_fault_fails_every_list() {
    let server = server_with(MockConfig {
        api_key: Some(KEY.into()),
        models_fault: Some("500".into()),
        ..MockConfig::default()
    })
    .await;
    for path in ["/v1/models", "/models"] {
        let (status, body) = get(&server.base_url(), path).await;
        assert_eq!(status, 500, "{path}");
        assert_eq!(body["error"]["type"], "api_error");
    }
    // Messages are not affected.
    let (status, _) = json_of(post(&server, &request("hi")).send().await.unwrap()).await;
    assert_eq!(status, 200);
    let bad = MockServer::start(MockConfig {
        models_fault: Some("418".into()),
        ..MockConfig::default()
    })
    .await;
    assert!(bad.is_err(), "a bad spec is refused at start");
}
