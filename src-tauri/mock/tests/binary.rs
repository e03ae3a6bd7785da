//! The `megallm-mock` binary: the first stdout line, flags, clean exit on
//! SIGTERM.

#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::client;

const BIN: &str = env!("CARGO_BIN_EXE_megallm-mock");

/// Kills the server if a test fails half-way, so no process outlives it.
struct Server(Child);

impl Drop for Server {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

fn spawn(args: &[&str]) -> (Server, String) {
    let mut child = Server(
        Command::new(BIN)
            .args(args)
            .stdout(Stdio::piped())
            .spawn()
            .unwrap(),
    );
    let mut line = String::new();
    BufReader::new(child.0.stdout.take().unwrap())
        .read_line(&mut line)
        .unwrap();
    let url = line
        .trim_end()
        .strip_prefix("listening on ")
        .unwrap_or_else(|| panic!("first line: {line:?}"));
    assert!(
        url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"),
        "{url}"
    );
    (child, url.to_owned())
}

#[tokio::test]
async fn serves_with_flags_and_exits_cleanly_on_sigterm() {
    let (child, url) = spawn(&[
        "--port",
        "0",
        "--api-key",
        "only-this",
        "--models-shape",
        "megallm",
        "--tokens-per-sec",
        "0",
    ]);

    let wrong = client()
        .get(format!("{url}/v1/models"))
        .header("x-api-key", "other")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let list: serde_json::Value = client()
        .get(format!("{url}/v1/models"))
        .header("x-api-key", "only-this")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(list["object"], "list", "megallm shape");

    terminate_cleanly(child, "TERM");
}

/// Sends the signal and expects a zero exit, not death by the signal.
fn terminate_cleanly(mut server: Server, signal: &str) {
    let child = &mut server.0;
    let status = Command::new("kill")
        .args([&format!("-{signal}"), &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let deadline = Instant::now() + Duration::from_secs(10);
    let exit = loop {
        if let Some(exit) = child.try_wait().unwrap() {
            break exit;
        }
        assert!(Instant::now() < deadline, "still running after SIG{signal}");
        std::thread::sleep(Duration::from_millis(20));
    };
    assert!(exit.success(), "SIG{signal}: {exit:?}");
}

#[test]
fn signals_right_after_the_first_line_still_exit_cleanly() {
    // A supervisor may stop the server the moment it learned the port: the
    // handlers must already be in place when the line is printed.
    for signal in ["TERM", "INT", "TERM", "INT"] {
        let (child, _) = spawn(&["--port", "0"]);
        terminate_cleanly(child, signal);
    }
}

#[test]
fn rejects_bad_flags() {
    let out = Command::new(BIN)
        .args(["--models-shape", "openai"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(out.stdout.is_empty());
}
