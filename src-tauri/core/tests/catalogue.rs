//! The model catalogue against the local server over HTTP: which lists are
//! narrowed, when the built-in list stands in (marked, with a warning), when
//! it must not (a rejected key), and the run's cache.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::time::Duration;

use megallm_core::ErrorCode;
use megallm_core::api::catalogue::{
    CatalogueCache, CatalogueError, CatalogueSource, ModelCatalogue, Scope, fetch,
};
use megallm_core::api::models::seed_models;
use megallm_core::api::retry::RetryPolicy;
use megallm_core::api::{ApiKey, Client, ClientConfig};
use megallm_mock::{MockConfig, MockServer, ModelsList, ModelsShape};

const KEY: &str = "catalogue-test-key";

async fn mock(config: MockConfig) -> MockServer {
    MockServer::start(MockConfig {
        api_key: Some(KEY.into()),
        ..config
    })
    .await
    .unwrap()
}

fn client_for(base_url: &str, key: &str) -> Client {
    let mut c = ClientConfig::new(base_url, ApiKey::new(key).unwrap());
    // Retries of a failing list are the client's business, tested there.
    c.retry = RetryPolicy {
        max_retries: 1,
        initial_delay: Duration::from_millis(1),
        max_delay: Duration::from_millis(1),
    };
    Client::new(c).unwrap()
}

fn client(mock: &MockServer) -> Client {
    client_for(&mock.base_url(), KEY)
}

fn ids(c: &ModelCatalogue) -> Vec<&str> {
    c.models.iter().map(|m| m.id.as_str()).collect()
}

fn assert_builtin(c: &ModelCatalogue) {
    assert_eq!(c.source, CatalogueSource::Builtin);
    assert_eq!(c.models, seed_models());
    assert!(
        c.warning
            .as_deref()
            .is_some_and(|w| w.contains("built-in list")),
        "{c:?}"
    );
}

fn list_requests(mock: &MockServer) -> usize {
    mock.requests()
        .iter()
        .filter(|r| r.path.ends_with("/models"))
        .count()
}

#[tokio::test]
async fn megallm_mixed_list_keeps_only_claude_unless_all() {
    let m = mock(MockConfig {
        models_shape: ModelsShape::MegaLlm,
        ..MockConfig::default()
    })
    .await;
    let picker = fetch(&client(&m), Scope::MessagesApi).await.unwrap();
    assert_eq!(picker.source, CatalogueSource::Live);
    assert_eq!(picker.warning, None);
    let mut got = ids(&picker);
    got.sort_unstable();
    assert_eq!(
        got,
        [
            "claude-3.5-sonnet",
            "claude-3.7-sonnet",
            "claude-opus-4-1-20250805",
            "claude-sonnet-4"
        ]
    );
    assert!(
        picker
            .prices()
            .iter()
            .any(|(id, p)| id == "claude-sonnet-4" && p.output_per_million == 15.0)
    );
    let all = fetch(&client(&m), Scope::All).await.unwrap();
    assert!(ids(&all).contains(&"gpt-4o"));
    assert!(
        !ids(&all).contains(&"text-embedding-3-small"),
        "embeddings cannot chat"
    );
}

#[tokio::test]
async fn anthropic_shaped_list_of_other_models_is_kept_whole() {
    let m = mock(MockConfig {
        models_list: ModelsList::Other,
        ..MockConfig::default()
    })
    .await;
    let c = fetch(&client(&m), Scope::MessagesApi).await.unwrap();
    assert_eq!(c.source, CatalogueSource::Live);
    assert_eq!(ids(&c), ["llama-3.3-70b", "qwen-2.5-coder-32b"]);
    assert!(c.models.iter().all(|m| m.messages_api));
}

#[tokio::test]
async fn an_empty_list_is_never_success() {
    for shape in [ModelsShape::Anthropic, ModelsShape::MegaLlm] {
        let m = mock(MockConfig {
            models_shape: shape,
            models_list: ModelsList::Empty,
            ..MockConfig::default()
        })
        .await;
        assert_builtin(&fetch(&client(&m), Scope::MessagesApi).await.unwrap());
    }
}

#[tokio::test]
async fn a_rejected_key_is_an_error_not_a_fallback() {
    let m = mock(MockConfig::default()).await;
    let err = fetch(&client_for(&m.base_url(), "wrong-key"), Scope::MessagesApi)
        .await
        .unwrap_err();
    assert!(matches!(err, CatalogueError::KeyRejected(_)), "{err:?}");
    assert_eq!(err.to_app_error().code, ErrorCode::Auth);

    let forbidden = mock(MockConfig {
        models_fault: Some("403".into()),
        ..MockConfig::default()
    })
    .await;
    let err = fetch(&client(&forbidden), Scope::MessagesApi)
        .await
        .unwrap_err();
    assert_eq!(err.to_app_error().code, ErrorCode::Permission);
}

#[tokio::test]
async fn a_failing_or_unreachable_service_gives_the_marked_builtin_list() {
    let failing = mock(MockConfig {
        models_fault: Some("500".into()),
        ..MockConfig::default()
    })
    .await;
    let c = fetch(&client(&failing), Scope::MessagesApi).await.unwrap();
    assert_builtin(&c);
    assert!(list_requests(&failing) >= 1, "the service was asked");

    let dead = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", dead.local_addr().unwrap());
    drop(dead);
    assert_builtin(
        &fetch(&client_for(&url, KEY), Scope::MessagesApi)
            .await
            .unwrap(),
    );
}

#[tokio::test]
async fn the_cache_keeps_a_live_list_only() {
    let m = mock(MockConfig::default()).await;
    let c = client(&m);
    let cache = CatalogueCache::new();
    let first = cache.get(&c, Scope::MessagesApi, false).await.unwrap();
    assert_eq!(first.source, CatalogueSource::Live);
    let again = cache.get(&c, Scope::MessagesApi, false).await.unwrap();
    assert_eq!(again.source, CatalogueSource::Cached);
    assert_eq!(again.models, first.models);
    assert_eq!(list_requests(&m), 1, "answered from the cache");
    let refreshed = cache.get(&c, Scope::MessagesApi, true).await.unwrap();
    assert_eq!(refreshed.source, CatalogueSource::Live);
    assert_eq!(list_requests(&m), 2);
    cache.clear().await;
    assert_eq!(
        cache
            .get(&c, Scope::MessagesApi, false)
            .await
            .unwrap()
            .source,
        CatalogueSource::Live
    );

    // A fallback is not kept: the next call asks the service again.
    let failing = mock(MockConfig {
        models_fault: Some("500".into()),
        ..MockConfig::default()
    })
    .await;
    let fc = client(&failing);
    let cache = CatalogueCache::new();
    assert_builtin(&cache.get(&fc, Scope::MessagesApi, false).await.unwrap());
    let asked = list_requests(&failing);
    assert_builtin(&cache.get(&fc, Scope::MessagesApi, false).await.unwrap());
    assert!(list_requests(&failing) > asked);
}
