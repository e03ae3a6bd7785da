use clap::Args;
use megallm_core::api::models::seed_models;
use megallm_core::api::{Client, ClientConfig};

use megallm_core::ErrorCode;

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

pub async fn run(args: ModelsArgs) -> Result<(), Failure> {
    let client = Client::new(ClientConfig::new(
        settings::base_url(args.base_url),
        settings::api_key()?,
    ))?;
    let models = match client.list_models().await {
        Ok(list) => list
            .into_iter()
            .filter(|m| args.all || m.messages_api)
            .collect(),
        Err(e) => {
            eprintln!(
                "warning: could not list models ({}); showing the built-in list",
                e.to_app_error().message
            );
            seed_models()
        }
    };
    if args.json {
        let out = serde_json::to_string_pretty(&models)
            .map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
        println!("{out}");
    } else {
        for m in &models {
            let ctx = m
                .context_window
                .map(|c| format!("{}K", c / 1000))
                .unwrap_or_default();
            println!("{}\t{}\t{}", m.id, m.display_name, ctx);
        }
    }
    Ok(())
}
