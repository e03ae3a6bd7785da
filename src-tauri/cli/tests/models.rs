//! `megallm models`: the core's catalogue as a script sees it. A rejected
//! key fails; a failing service gives the marked built-in list, with the
//! warning on stderr only, so stdout stays parseable.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::{env, env_with, stderr, stdout};
use megallm_core::api::models::SEED_MODELS;
use megallm_mock::{MockConfig, ModelsList, ModelsShape};
use serde_json::Value;

/// The built-in list, in the core's order.
fn seeds() -> Vec<String> {
    SEED_MODELS.iter().map(|(id, _)| (*id).to_owned()).collect()
}

fn ids(out: &std::process::Output) -> Vec<String> {
    let models: Vec<Value> = serde_json::from_str(&stdout(out)).unwrap();
    models
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn lists_the_service_models() {
    let e = env().await;
    let out = e.run(&["models", "--json"]).await;
    assert!(out.status.success(), "{out:?}");
    let models: Vec<Value> = serde_json::from_str(&stdout(&out)).unwrap();
    assert_eq!(models.len(), 4);
    assert!(models.iter().all(|m| m["context_window"] == 200000));
    assert!(stderr(&out).is_empty(), "{}", stderr(&out));
}

#[tokio::test]
async fn megallm_mixed_list_is_narrowed_unless_all() {
    let e = env_with(MockConfig {
        models_shape: ModelsShape::MegaLlm,
        ..MockConfig::default()
    })
    .await;
    let out = e.run(&["models", "--json"]).await;
    assert!(out.status.success(), "{out:?}");
    assert!(!ids(&out).contains(&"gpt-4o".to_owned()));
    let all = e.run(&["models", "--json", "--all"]).await;
    assert!(ids(&all).contains(&"gpt-4o".to_owned()));
}

#[tokio::test]
async fn an_anthropic_shaped_list_of_other_models_is_listed_whole() {
    let e = env_with(MockConfig {
        models_list: ModelsList::Other,
        ..MockConfig::default()
    })
    .await;
    let out = e.run(&["models", "--json"]).await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(ids(&out), ["llama-3.3-70b", "qwen-2.5-coder-32b"]);
    assert!(stderr(&out).is_empty());
}

#[tokio::test]
async fn a_rejected_key_exits_1_with_the_auth_code() {
    let e = env().await;
    for args in [&["models"][..], &["models", "--json"]] {
        let out = e
            .cmd(args)
            .env("MEGALLM_API_KEY", "not-the-key")
            .output()
            .await
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{args:?}: {out:?}");
        assert!(out.stdout.is_empty(), "no fallback list on stdout");
        let err = stderr(&out);
        assert!(err.starts_with("error: auth: "), "{err}");
        assert!(err.contains("rejected"), "{err}");
    }
    let forbidden = env_with(MockConfig {
        models_fault: Some("403".into()),
        ..MockConfig::default()
    })
    .await;
    let out = forbidden.run(&["models", "--json"]).await;
    assert_eq!(out.status.code(), Some(1));
    assert!(
        stderr(&out).starts_with("error: permission: "),
        "{}",
        stderr(&out)
    );
}

#[tokio::test]
async fn a_failing_service_gives_the_builtin_list_and_a_warning() {
    let e = env_with(MockConfig {
        models_fault: Some("500".into()),
        ..MockConfig::default()
    })
    .await;
    let out = e.run(&["models", "--json"]).await;
    assert_eq!(out.status.code(), Some(0), "{out:?}");
    assert_eq!(ids(&out), seeds());
    let err = stderr(&out);
    assert!(
        err.starts_with("warning: ") && err.contains("built-in list"),
        "{err}"
    );
    let plain = e.run(&["models"]).await;
    assert_eq!(plain.status.code(), Some(0));
    assert!(stdout(&plain).starts_with("claude-opus-4-1-20250805\t"));
    assert!(
        !stdout(&plain).contains("warning"),
        "the warning stays on stderr"
    );
}

#[tokio::test]
async fn an_unreachable_service_gives_the_builtin_list_and_a_warning() {
    let e = env().await;
    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    let out = e.run(&["models", "--json", "--base-url", &url]).await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(ids(&out), seeds());
    assert!(stderr(&out).contains("built-in list"));
}

#[tokio::test]
async fn an_empty_list_is_not_success() {
    let e = env_with(MockConfig {
        models_list: ModelsList::Empty,
        ..MockConfig::default()
    })
    .await;
    let out = e.run(&["models", "--json"]).await;
    assert!(out.status.success(), "{out:?}");
    assert_eq!(ids(&out), seeds());
    assert!(stderr(&out).contains("listed no model"), "{}", stderr(&out));
}
