//! One version for everything that ships: the workspace's `Cargo.toml`.
//! `megallm --version` (clap's, from CARGO_PKG_VERSION), the app's
//! `app_info` (CARGO_PKG_VERSION of the root package) and the `.deb`
//! (Tauri takes the Cargo package's version when `tauri.conf.json` names
//! none) must all say what `[workspace.package] version` says.

#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read(rel: &str) -> String {
    let path = repo_root().join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The lines of one `[section]` of a TOML file, up to the next header.
fn section<'a>(toml: &'a str, header: &str) -> Vec<&'a str> {
    toml.lines()
        .map(str::trim)
        .skip_while(|l| *l != header)
        .skip(1)
        .take_while(|l| !l.starts_with('['))
        .collect()
}

/// `[workspace.package] version` of the root `Cargo.toml`, read now rather
/// than compiled in, so the test follows a bump without being edited.
fn workspace_version() -> String {
    let toml = read("Cargo.toml");
    let line = section(&toml, "[workspace.package]")
        .into_iter()
        .find(|l| l.starts_with("version") && l.contains('='))
        .expect("[workspace.package] has a version");
    let value = line.split_once('=').unwrap().1.trim();
    value.trim_matches('"').to_owned()
}

#[test]
fn cli_version_is_the_workspace_version() {
    let out = Command::new(env!("CARGO_BIN_EXE_megallm"))
        .arg("--version")
        .env_clear()
        .output()
        .unwrap();
    assert!(out.status.success(), "{out:?}");
    let printed = String::from_utf8(out.stdout).unwrap();
    assert_eq!(printed.trim(), format!("megallm {}", workspace_version()));
}

#[test]
fn app_and_cli_take_their_version_from_the_workspace() {
    // Both packages inherit the version, so CARGO_PKG_VERSION (what
    // `app_info` reports and clap prints) is the workspace's in each.
    let root = read("Cargo.toml");
    let cli = read("src-tauri/cli/Cargo.toml");
    for (name, toml) in [("the app (root Cargo.toml)", &root), ("the CLI", &cli)] {
        let package = section(toml, "[package]");
        assert!(
            package.contains(&"version.workspace = true"),
            "{name} must inherit its version: `version.workspace = true`"
        );
    }
    assert!(
        read("src-tauri/src/commands/app.rs").contains(r#"env!("CARGO_PKG_VERSION")"#),
        "app_info reports CARGO_PKG_VERSION"
    );
    assert_eq!(env!("CARGO_PKG_VERSION"), workspace_version());
}

#[test]
fn tauri_config_does_not_restate_the_version() {
    // With no `version` there, the bundle (the .deb's name and control
    // file) and the app's package info use the Cargo package's version.
    let conf: serde_json::Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    assert!(
        conf.get("version").is_none(),
        "tauri.conf.json must not name a version; the workspace Cargo.toml does"
    );
}
