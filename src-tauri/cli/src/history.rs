use clap::{Subcommand, ValueEnum};
use megallm_core::store::types::ConversationId;
use megallm_core::store::{
    ExportFormat, ListQuery, SNIPPET_END, SNIPPET_START, SearchQuery, Store, now_ms,
};
use megallm_core::{AppError, config};

use crate::Failure;

#[derive(Subcommand)]
pub enum HistoryCommand {
    /// The newest conversations, pinned first.
    List {
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
    /// Full-text search over messages and attachments.
    Search {
        query: String,
        #[arg(long, default_value_t = 20)]
        limit: u32,
        /// Only messages by (or in conversations using) this model.
        #[arg(long)]
        model: Option<String>,
        /// Only messages from the last N days.
        #[arg(long, value_name = "N")]
        since_days: Option<u32>,
        /// Only pinned conversations.
        #[arg(long)]
        pinned: bool,
        /// Archived conversations too.
        #[arg(long)]
        include_archived: bool,
    },
    /// A conversation's messages (the active branch).
    Show { id: ConversationId },
    /// A conversation as Markdown or lossless JSON.
    Export {
        id: ConversationId,
        #[arg(long, value_enum, default_value_t = Format::Md)]
        format: Format,
    },
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Md,
    Json,
}

fn open() -> Result<Store, Failure> {
    Ok(Store::open(&config::history_path()?).map_err(AppError::from)?)
}

pub async fn run(cmd: HistoryCommand) -> Result<(), Failure> {
    let store = open()?;
    let err = |e: megallm_core::store::StoreError| Failure::from(AppError::from(e));
    match cmd {
        HistoryCommand::List { limit } => {
            let page = store
                .list_conversations(&ListQuery {
                    limit,
                    ..ListQuery::default()
                })
                .map_err(err)?;
            for c in page.items {
                println!(
                    "{}\t{}\t{}\t{}",
                    c.id,
                    if c.pinned { "*" } else { " " },
                    c.model,
                    c.title
                );
            }
        }
        HistoryCommand::Search {
            query,
            limit,
            model,
            since_days,
            pinned,
            include_archived,
        } => {
            let now = now_ms();
            let q = SearchQuery {
                model,
                from: since_days.map(|d| now - i64::from(d) * 86_400_000),
                pinned_only: pinned,
                include_archived,
                ..SearchQuery::text(query, limit)
            };
            for hit in store.search(&q).map_err(err)? {
                let snippet = hit
                    .snippet
                    .replace(SNIPPET_START, "[")
                    .replace(SNIPPET_END, "]");
                println!(
                    "{}\t{}\t{}",
                    hit.conversation_id,
                    hit.conversation_title,
                    snippet.replace('\n', " ")
                );
            }
        }
        HistoryCommand::Show { id } => {
            let conversation = store.get_conversation(id).map_err(err)?;
            println!("# {}\n", conversation.title);
            let mut before = None;
            let mut pages = Vec::new();
            loop {
                let (messages, more) = store.open_page(id, before, 200).map_err(err)?;
                before = messages.first().map(|m| m.id);
                pages.push(messages);
                if !more {
                    break;
                }
            }
            for m in pages.iter().rev().flatten() {
                println!("## {:?}\n\n{}\n", m.role, m.text);
            }
        }
        HistoryCommand::Export { id, format } => match format {
            Format::Md => print!(
                "{}",
                store
                    .export_conversation_as(id, ExportFormat::Markdown)
                    .map_err(err)?
            ),
            Format::Json => println!(
                "{}",
                store
                    .export_conversation_as(id, ExportFormat::Json)
                    .map_err(err)?
            ),
        },
    }
    Ok(())
}
