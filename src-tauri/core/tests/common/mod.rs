//! What the turn tests share: the local server, a client without retries
//! and a history file in a temporary folder.

#![allow(dead_code, clippy::unwrap_used)]

use megallm_core::api::{ApiKey, Client, ClientConfig};
use megallm_core::chat::SharedStore;
use megallm_core::store::Store;
use megallm_mock::{MockConfig, MockServer};

pub struct Setup {
    pub mock: MockServer,
    pub client: Client,
    pub store: SharedStore,
    pub dir: tempfile::TempDir,
}

pub async fn setup(tokens_per_sec: f64) -> Setup {
    setup_with(MockConfig {
        tokens_per_sec,
        ..MockConfig::default()
    })
    .await
}

/// The same against a local server configured as `config`.
pub async fn setup_with(config: MockConfig) -> Setup {
    let mock = MockServer::start(config).await.unwrap();
    let mut cfg = ClientConfig::new(mock.base_url(), ApiKey::new("k").unwrap());
    cfg.retry.max_retries = 0;
    let client = Client::new(cfg).unwrap();
    let dir = tempfile::tempdir().unwrap();
    let store = SharedStore::new(Store::open(&dir.path().join("history.db")).unwrap());
    Setup {
        mock,
        client,
        store,
        dir,
    }
}

/// The bodies of the `POST /v1/messages` the server saw, oldest first.
pub fn message_requests(s: &Setup) -> Vec<serde_json::Value> {
    s.mock
        .requests()
        .into_iter()
        .filter(|r| r.path == "/v1/messages")
        .filter_map(|r| r.body)
        .collect()
}
