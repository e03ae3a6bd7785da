use megallm_core::chat::{ConversationView, message_view, with_store};
use megallm_core::store::types::{ConversationId, MessageId};
use megallm_core::store::{
    ConversationPage, ExportFormat, ListCursor, ListQuery, SearchHit, SearchQuery, now_ms,
};
use megallm_core::{AppError, ErrorCode, config};
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

/// Ranked hits with highlighted snippets; the query carries the filters
/// (model, dates, pinned only, archived included).
#[tauri::command]
pub async fn search_history(
    state: State<'_, AppState>,
    mut query: SearchQuery,
) -> Result<Vec<SearchHit>, AppError> {
    query.limit = query.limit.clamp(1, MAX_PAGE);
    with_store(&state.store()?, move |s| s.search(&query)).await
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

/// Archived conversations leave the main list but stay searchable.
#[tauri::command]
pub async fn set_archived(
    state: State<'_, AppState>,
    id: ConversationId,
    archived: bool,
) -> Result<(), AppError> {
    with_store(&state.store()?, move |s| s.set_archived(id, archived)).await
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

/// Writes a conversation to the Downloads folder; returns the file's path.
#[tauri::command]
pub async fn export_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
    format: ExportFormat,
) -> Result<String, AppError> {
    let (title, body) = with_store(&state.store()?, move |s| {
        Ok((
            s.get_conversation(id)?.title,
            s.export_conversation_as(id, format)?,
        ))
    })
    .await?;
    let name = format!("{}.{}", config::file_stem(&title, id), format.extension());
    write_export(&name, body).await
}

/// Writes every conversation (archived ones included) as one JSON file to
/// the Downloads folder; returns the file's path.
#[tauri::command]
pub async fn export_history(state: State<'_, AppState>) -> Result<String, AppError> {
    let body = with_store(&state.store()?, |s| s.export_all_text()).await?;
    let name = config::history_export_name(now_ms() / 1000);
    write_export(&name, body).await
}

async fn write_export(name: &str, body: String) -> Result<String, AppError> {
    let dir = config::export_dir()?;
    let path = dir.join(name);
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

/// Imports an export file (the text of the file the user picked): one
/// conversation or a whole history. Returns the new conversations' ids.
#[tauri::command]
pub async fn import_history(
    state: State<'_, AppState>,
    json: String,
) -> Result<Vec<ConversationId>, AppError> {
    let doc: serde_json::Value = serde_json::from_str(&json).map_err(|e| {
        AppError::new(
            ErrorCode::InvalidRequest,
            format!("That file is not a MegaLLM export ({e})."),
        )
    })?;
    with_store(&state.store()?, move |s| s.import_json(&doc)).await
}
