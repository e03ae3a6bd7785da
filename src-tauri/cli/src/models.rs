use clap::Args;
use megallm_core::ErrorCode;
use megallm_core::api::catalogue::{self, Scope};
use megallm_core::api::{Client, ClientConfig};

use crate::{Failure, settings};

#[derive(Args)]
pub struct ModelsArgs {
    #[arg(long)]
    base_url: Option<String>,
    /// Print the list as JSON.
    #[arg(long)]
    json: bool,
    /// Include models not reachable through /v1/messages.
    #[arg(long)]
    all: bool,
}

/// The core's catalogue, printed. A rejected key fails (exit 1); a service
/// that cannot give its list yields the built-in one, with the warning on
/// stderr so stdout stays the list a script reads.
pub async fn run(args: ModelsArgs) -> Result<(), Failure> {
    let client = Client::new(ClientConfig::new(
        settings::base_url(args.base_url),
        settings::api_key()?,
    ))?;
    let scope = if args.all {
        Scope::All
    } else {
        Scope::MessagesApi
    };
    let catalogue = catalogue::fetch(&client, scope)
        .await
        .map_err(|e| Failure::from(e.to_app_error()))?;
    if let Some(warning) = &catalogue.warning {
        eprintln!("warning: {warning}");
    }
    let models = &catalogue.models;
    if args.json {
        let out = serde_json::to_string_pretty(models)
            .map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
        println!("{out}");
    } else {
        for m in models {
            let ctx = m
                .context_window
                .map(|c| format!("{}K", c / 1000))
                .unwrap_or_default();
            println!("{}\t{}\t{}", m.id, m.display_name, ctx);
        }
    }
    Ok(())
}
