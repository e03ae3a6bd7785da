//! `megallm`: ask, list models and read the history from a terminal or a
//! script, with the app's core and the app's history database.
//!
//! Exit codes: 0 success; 1 API, network or storage error (the app's
//! snake_case error code and a message on stderr, nothing on stdout with
//! `--json`); 2 usage error.

mod ask;
mod files;
mod history;
mod models;
mod settings;

use std::process::ExitCode;

use clap::{Parser, Subcommand};
use megallm_core::ErrorCode;

#[derive(Parser)]
#[command(
    name = "megallm",
    version,
    about = "Chat with Claude models through MegaLLM's Anthropic-compatible API"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Ask a question; the reply streams to stdout.
    Ask(ask::AskArgs),
    /// List the models the service offers.
    Models(models::ModelsArgs),
    /// Browse, search and export the app's history.
    #[command(subcommand)]
    History(history::HistoryCommand),
}

/// A failure as the CLI reports it: the same code the app's UI gets
/// (`auth`, `rate_limit`, ...) and a sentence that says what to do.
pub struct Failure {
    pub code: ErrorCode,
    pub message: String,
}

impl Failure {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Failure {
            code,
            message: message.into(),
        }
    }
}

impl From<megallm_core::AppError> for Failure {
    fn from(e: megallm_core::AppError) -> Self {
        Failure::new(e.code, e.message)
    }
}

impl From<megallm_core::documents::DocumentError> for Failure {
    fn from(e: megallm_core::documents::DocumentError) -> Self {
        e.to_app_error().into()
    }
}

impl From<megallm_core::api::ApiError> for Failure {
    fn from(e: megallm_core::api::ApiError) -> Self {
        e.to_app_error().into()
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => {
            eprintln!("error: internal: could not start: {e}");
            return ExitCode::from(1);
        }
    };
    let result = runtime.block_on(async {
        match cli.command {
            Command::Ask(args) => ask::run(args).await,
            Command::Models(args) => models::run(args).await,
            Command::History(cmd) => history::run(cmd).await,
        }
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(f) => {
            eprintln!("error: {}: {}", f.code.as_str(), f.message);
            ExitCode::from(1)
        }
    }
}
