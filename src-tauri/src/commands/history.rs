use megallm_core::chat::{ConversationView, message_view, with_store};
use megallm_core::store::types::{ConversationId, MessageId};
use megallm_core::store::{ConversationPage, ListCursor, ListQuery, SearchHit, SearchQuery};
use megallm_core::{AppError, ErrorCode};
use tauri::State;

use crate::state::AppState;

/// Longest page the UI may ask for; keeps one call cheap whatever it asks.
const MAX_PAGE: u32 = 200;

#[tauri::command]
pub async fn list_conversations(
    state: State<'_, AppState>,
    archived: bool,
    cursor: Option<ListCursor>,
    limit: u32,
) -> Result<ConversationPage, AppError> {
    let query = ListQuery {
        archived,
        cursor,
        limit: limit.clamp(1, MAX_PAGE),
    };
    with_store(&state.store()?, move |s| s.list_conversations(&query)).await
}

#[tauri::command]
pub async fn open_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
    before: Option<MessageId>,
    limit: u32,
) -> Result<ConversationView, AppError> {
    let limit = limit.clamp(1, MAX_PAGE);
    with_store(&state.store()?, move |s| {
        let conversation = s.get_conversation(id)?;
        let (messages, has_more) = s.open_page(id, before, limit)?;
        Ok(ConversationView {
            conversation,
            messages: messages.iter().map(message_view).collect(),
            has_more,
        })
    })
    .await
}

#[tauri::command]
pub async fn search_history(
    state: State<'_, AppState>,
    query: String,
    limit: u32,
) -> Result<Vec<SearchHit>, AppError> {
    let q = SearchQuery::text(query, limit.clamp(1, MAX_PAGE));
    with_store(&state.store()?, move |s| s.search(&q)).await
}

#[tauri::command]
pub async fn rename_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
    title: String,
) -> Result<(), AppError> {
    with_store(&state.store()?, move |s| s.rename_conversation(id, &title)).await
}

#[tauri::command]
pub async fn set_pinned(
    state: State<'_, AppState>,
    id: ConversationId,
    pinned: bool,
) -> Result<(), AppError> {
    with_store(&state.store()?, move |s| s.set_pinned(id, pinned)).await
}

#[tauri::command]
pub async fn delete_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
) -> Result<(), AppError> {
    with_store(&state.store()?, move |s| s.delete_conversation(id)).await
}

#[tauri::command]
pub async fn restore_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
) -> Result<(), AppError> {
    with_store(&state.store()?, move |s| s.restore_conversation(id)).await
}

#[derive(Debug, Clone, Copy, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportFormat {
    Markdown,
    Json,
}

/// Writes a conversation to the Downloads folder; returns the file's path.
#[tauri::command]
pub async fn export_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
    format: ExportFormat,
) -> Result<String, AppError> {
    let (title, body) = with_store(&state.store()?, move |s| {
        let title = s.get_conversation(id)?.title;
        let body = match format {
            ExportFormat::Markdown => s.export_conversation_markdown(id)?,
            ExportFormat::Json => serde_json::to_string_pretty(&s.export_conversation_json(id)?)
                .map_err(|e| megallm_core::store::StoreError::Invalid(e.to_string()))?,
        };
        Ok((title, body))
    })
    .await?;
    let dir = megallm_core::config::export_dir()?;
    let ext = match format {
        ExportFormat::Markdown => "md",
        ExportFormat::Json => "json",
    };
    let path = dir.join(format!(
        "{}.{ext}",
        megallm_core::config::file_stem(&title, id)
    ));
    tokio::fs::create_dir_all(&dir)
        .await
        .and(tokio::fs::write(&path, body).await)
        .map_err(|e| {
            AppError::new(
                ErrorCode::Storage,
                format!("Could not write {}: {e}", path.display()),
            )
        })?;
    Ok(path.display().to_string())
}

/// Imports a conversation exported as JSON (the text of the file the user
/// picked); returns the new conversation's id.
#[tauri::command]
pub async fn import_conversation(
    state: State<'_, AppState>,
    json: String,
) -> Result<ConversationId, AppError> {
    let doc: serde_json::Value = serde_json::from_str(&json).map_err(|e| {
        AppError::new(
            ErrorCode::InvalidRequest,
            format!("That file is not a MegaLLM conversation export ({e})."),
        )
    })?;
    with_store(&state.store()?, move |s| s.import_conversation_json(&doc)).await
}
