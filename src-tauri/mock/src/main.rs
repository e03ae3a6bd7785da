//! `megallm-mock`: the mock server as a process, for the SDK conformance
//! suite and the demo. Prints `listening on URL` first, then serves until
//! SIGINT/SIGTERM.

use std::io::Write;
use std::net::{IpAddr, SocketAddr};
use std::process::ExitCode;

use clap::{Parser, ValueEnum};
use megallm_mock::{MockConfig, MockServer, ModelsList, ModelsShape};

#[derive(Debug, Clone, Copy, ValueEnum)]
enum Shape {
    Anthropic,
    Megallm,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
enum List {
    Seeds,
    Other,
    Empty,
}

#[derive(Debug, Parser)]
#[command(
    name = "megallm-mock",
    version,
    about = "A local Anthropic-compatible server for tests and demos"
)]
struct Args {
    #[arg(long, default_value = "127.0.0.1")]
    host: IpAddr,
    /// 0 picks a free port.
    #[arg(long, default_value_t = 0)]
    port: u16,
    /// Accept only this key (default: any non-empty key).
    #[arg(long)]
    api_key: Option<String>,
    /// Streaming pace; 0 = as fast as possible.
    #[arg(long, default_value_t = 0.0)]
    tokens_per_sec: f64,
    #[arg(long, value_enum, default_value = "anthropic")]
    models_shape: Shape,
    /// Which models the list names: the seeds, only non-claude ones, or none.
    #[arg(long, value_enum, default_value = "seeds")]
    models_list: List,
    /// A fault SPEC every model-list request gets, e.g. `401` or `500`.
    #[arg(long)]
    models_fault: Option<String>,
    /// Reject `document` content blocks with a 400, as a text-and-images-only
    /// proxy does.
    #[arg(long)]
    no_document_blocks: bool,
    /// Reject PDFs sent as base64 document blocks with a 400.
    #[arg(long)]
    no_pdf_blocks: bool,
    /// The context window the model list gives every chat model.
    #[arg(long, default_value_t = 200_000, value_parser = clap::value_parser!(u64).range(1..))]
    context_window: u64,
}

#[tokio::main]
async fn main() -> ExitCode {
    let args = Args::parse();
    tracing_subscriber::fmt()
        .with_writer(std::io::stderr)
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn")),
        )
        .init();
    if !(args.tokens_per_sec.is_finite() && args.tokens_per_sec >= 0.0) {
        eprintln!("megallm-mock: --tokens-per-sec must be a number >= 0");
        return ExitCode::from(2);
    }
    let config = MockConfig {
        api_key: args.api_key,
        tokens_per_sec: args.tokens_per_sec,
        models_shape: match args.models_shape {
            Shape::Anthropic => ModelsShape::Anthropic,
            Shape::Megallm => ModelsShape::MegaLlm,
        },
        models_list: match args.models_list {
            List::Seeds => ModelsList::Seeds,
            List::Other => ModelsList::Other,
            List::Empty => ModelsList::Empty,
        },
        models_fault: args.models_fault,
        no_document_blocks: args.no_document_blocks,
        no_pdf_blocks: args.no_pdf_blocks,
        context_window: args.context_window,
    };
    let signalled = match shutdown_signal() {
        Ok(f) => f,
        Err(e) => {
            eprintln!("megallm-mock: cannot install signal handlers: {e}");
            return ExitCode::FAILURE;
        }
    };
    let server = match MockServer::start_on(SocketAddr::new(args.host, args.port), config).await {
        Ok(s) => s,
        Err(e) => {
            eprintln!(
                "megallm-mock: cannot listen on {}:{}: {e}",
                args.host, args.port
            );
            return ExitCode::FAILURE;
        }
    };
    // Whoever started us reads this line to learn the port.
    let mut out = std::io::stdout().lock();
    if writeln!(out, "listening on {}", server.base_url())
        .and_then(|()| out.flush())
        .is_err()
    {
        return ExitCode::FAILURE;
    }
    drop(out);

    signalled.await;
    server.shutdown().await;
    ExitCode::SUCCESS
}

/// Installs the SIGINT/SIGTERM handlers at once (before the `listening`
/// line goes out, so a supervisor that signals right after reading it
/// still gets a clean exit) and returns a future that resolves on either.
#[cfg(unix)]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    use tokio::signal::unix::{SignalKind, signal};
    let mut term = signal(SignalKind::terminate())?;
    let mut int = signal(SignalKind::interrupt())?;
    Ok(async move {
        tokio::select! {
            _ = term.recv() => {}
            _ = int.recv() => {}
        }
    })
}

#[cfg(not(unix))]
fn shutdown_signal() -> std::io::Result<impl Future<Output = ()>> {
    Ok(async {
        let _ = tokio::signal::ctrl_c().await;
    })
}
