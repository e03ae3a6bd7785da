use std::io::{Read, Write};
use std::path::PathBuf;

use clap::Args;
use megallm_core::api::models::DEFAULT_MODEL;
use megallm_core::api::types::{
    ContentBlock, ContentDelta, Message, MessageContent, MessagesRequest, Role, StreamEvent,
    SystemPrompt,
};
use megallm_core::api::{Client, ClientConfig, MessageStream};
use megallm_core::chat::{SendOptions, StreamUpdate, file_blocks, send_message};
use megallm_core::store::types::SamplingSettings;
use megallm_core::store::{SharedStore, Store};
use megallm_core::{ErrorCode, config};
use tokio_util::sync::CancellationToken;

use crate::{Failure, files, settings};

#[derive(Args)]
pub struct AskArgs {
    #[arg(long)]
    base_url: Option<String>,
    /// The model (default: the conversation's with --conversation, else
    /// claude-sonnet-4).
    #[arg(long)]
    model: Option<String>,
    #[arg(long)]
    system: Option<String>,
    #[arg(long, default_value_t = 4096)]
    max_tokens: u32,
    #[arg(long)]
    temperature: Option<f64>,
    #[arg(long)]
    top_p: Option<f64>,
    #[arg(long)]
    top_k: Option<u32>,
    /// A stop sequence (repeatable).
    #[arg(long = "stop")]
    stop: Vec<String>,
    /// A file to send with the prompt (repeatable): text, code, PDF or image.
    #[arg(long = "file")]
    files: Vec<PathBuf>,
    /// Print only the final message, as the API's JSON.
    #[arg(long)]
    json: bool,
    /// Do not store the exchange in the app's history.
    #[arg(long, conflicts_with = "conversation")]
    no_save: bool,
    /// Continue the stored conversation ID (as `megallm history list`
    /// shows it): the question follows its active branch, which the model
    /// receives as context, and the reply is stored there.
    #[arg(long, value_name = "ID")]
    conversation: Option<i64>,
    /// The prompt; `-` reads it from stdin.
    prompt: String,
}

fn prompt_text(p: &str) -> Result<String, Failure> {
    if p != "-" {
        return Ok(p.to_owned());
    }
    let mut s = String::new();
    std::io::stdin().read_to_string(&mut s).map_err(|e| {
        Failure::new(
            ErrorCode::InvalidInput,
            format!("could not read stdin: {e}"),
        )
    })?;
    Ok(s)
}

pub async fn run(args: AskArgs) -> Result<(), Failure> {
    let text = prompt_text(&args.prompt)?;
    let attachments = files::prepare_all(&args.files)?;
    let client = Client::new(ClientConfig::new(
        settings::base_url(args.base_url.clone()),
        settings::api_key()?,
    ))?;
    let sampling = SamplingSettings {
        max_tokens: Some(args.max_tokens),
        temperature: args.temperature,
        top_p: args.top_p,
        top_k: args.top_k,
        stop_sequences: args.stop.clone(),
    };
    let message = if args.no_save {
        let mut content: Vec<ContentBlock> = file_blocks(&attachments);
        content.push(ContentBlock::text(text));
        let mut req = MessagesRequest::new(
            args.model
                .clone()
                .unwrap_or_else(|| DEFAULT_MODEL.to_owned()),
            args.max_tokens,
            vec![Message {
                role: Role::User,
                content: MessageContent::Blocks(content),
            }],
        );
        req.system = args.system.clone().map(SystemPrompt::Text);
        req.temperature = sampling.temperature;
        req.top_p = sampling.top_p;
        req.top_k = sampling.top_k;
        req.stop_sequences = sampling.stop_sequences;
        let stream = client
            .stream_message(&req, CancellationToken::new())
            .await?;
        print_stream(stream, args.json).await?
    } else {
        let path = config::history_path()?;
        let store = Store::open(&path).map_err(megallm_core::AppError::from)?;
        let store = SharedStore::new(store);
        let model = match (&args.model, args.conversation) {
            (Some(m), _) => m.clone(),
            (None, Some(id)) => {
                store
                    .read(move |s| Ok(s.get_conversation(id)?.model))
                    .await?
            }
            (None, None) => DEFAULT_MODEL.to_owned(),
        };
        let mut opts = SendOptions::new(args.conversation, text, model);
        opts.system_prompt = args.system.clone();
        opts.sampling = sampling;
        opts.attachments = attachments;
        let json = args.json;
        let mut out = std::io::stdout();
        let outcome = send_message(&store, &client, opts, CancellationToken::new(), |u| {
            if let StreamUpdate::Delta { text, .. } = &u
                && !json
            {
                let _ = out.write_all(text.as_bytes());
                let _ = out.flush();
            }
        })
        .await?;
        if let Some(e) = outcome.error {
            if !json {
                println!();
            }
            return Err(e.into());
        }
        outcome
            .response
            .ok_or_else(|| Failure::new(ErrorCode::Internal, "no reply"))?
    };
    if args.json {
        let out = serde_json::to_string_pretty(&message)
            .map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
        println!("{out}");
    } else {
        println!();
    }
    Ok(())
}

async fn print_stream(
    mut stream: MessageStream,
    json: bool,
) -> Result<megallm_core::api::types::MessageResponse, Failure> {
    let mut out = std::io::stdout();
    while let Some(event) = stream.next_event().await {
        if let StreamEvent::ContentBlockDelta {
            delta: ContentDelta::TextDelta { text },
            ..
        } = event?
            && !json
        {
            let _ = out.write_all(text.as_bytes());
            let _ = out.flush();
        }
    }
    stream
        .snapshot()
        .cloned()
        .ok_or_else(|| Failure::new(ErrorCode::Network, "the reply ended before it began"))
}
