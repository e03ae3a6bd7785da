//! The `megallm` binary run as a script would run it, against a local
//! server, with a fresh data folder and nothing else from the environment.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::process::{Output, Stdio};

use megallm_mock::{MockConfig, MockServer};

pub const KEY: &str = "cli-test-key";

pub struct Env {
    pub mock: MockServer,
    pub data: tempfile::TempDir,
}

pub async fn env() -> Env {
    env_with(MockConfig::default()).await
}

/// A server that accepts only [`KEY`], configured otherwise as given.
pub async fn env_with(config: MockConfig) -> Env {
    let mock = MockServer::start(MockConfig {
        api_key: Some(KEY.into()),
        ..config
    })
    .await
    .unwrap();
    Env {
        mock,
        data: tempfile::tempdir().unwrap(),
    }
}

impl Env {
    pub fn cmd(&self, args: &[&str]) -> tokio::process::Command {
        let mut c = tokio::process::Command::new(env!("CARGO_BIN_EXE_megallm"));
        c.args(args)
            .env_clear()
            .env("MEGALLM_API_KEY", KEY)
            .env("MEGALLM_BASE_URL", self.mock.base_url())
            .env("MEGALLM_DATA_DIR", self.data.path())
            .stdin(Stdio::null());
        c
    }

    pub async fn run(&self, args: &[&str]) -> Output {
        self.cmd(args).output().await.unwrap()
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8(o.stdout.clone()).unwrap()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8(o.stderr.clone()).unwrap()
}

/// The body of the last `/v1/messages` request the server received.
pub fn last_messages_body(mock: &MockServer) -> serde_json::Value {
    mock.requests()
        .into_iter()
        .rfind(|r| r.path == "/v1/messages")
        .expect("a /v1/messages request")
        .body
        .expect("a JSON body")
}
