use megallm_core::chat::{
    ConversationView, SAMPLING_LIMITS, SamplingLimits, checked_conversation_settings,
    conversation_view,
};
use megallm_core::store::types::{Conversation, ConversationId, ConversationSettings, MessageId};
use megallm_core::store::{
    ConversationPage, ExportFormat, ListCursor, ListQuery, SearchHit, SearchQuery, Store,
    StoreError, now_ms,
};
use megallm_core::{AppError, ErrorCode, config};
use std::io::Write as _;
use std::path::{Path, PathBuf};

use tauri::State;
use tauri::ipc::Channel;

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
    state
        .store()
        .await?
        .read(move |s| s.list_conversations(&query))
        .await
}

#[tauri::command]
pub async fn open_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
    before: Option<MessageId>,
    limit: u32,
) -> Result<ConversationView, AppError> {
    let limit = limit.clamp(1, MAX_PAGE);
    state
        .store()
        .await?
        .read(move |s| conversation_view(s, id, before, limit))
        .await
}

/// Shows another version of a message: the branch through `message_id`
/// becomes the active one (down to its newest reply), and the conversation's
/// newest page on that branch is returned.
#[tauri::command]
pub async fn select_branch(
    state: State<'_, AppState>,
    message_id: MessageId,
    limit: u32,
) -> Result<ConversationView, AppError> {
    change_branch(&state, message_id, limit, move |s| {
        s.select_branch(message_id).map(drop)
    })
    .await
}

/// Deletes a message with the replies below it (see
/// `Store::delete_message`) and returns the conversation's newest page on
/// the branch it is left on.
#[tauri::command]
pub async fn delete_message(
    state: State<'_, AppState>,
    message_id: MessageId,
    limit: u32,
) -> Result<ConversationView, AppError> {
    change_branch(&state, message_id, limit, move |s| {
        s.delete_message(message_id).map(drop)
    })
    .await
}

/// Runs `change` on message `message_id`'s conversation, in one store write,
/// and returns that conversation's newest page on the branch it leaves.
async fn change_branch(
    state: &AppState,
    message_id: MessageId,
    limit: u32,
    change: impl FnOnce(&mut Store) -> Result<(), StoreError> + Send + 'static,
) -> Result<ConversationView, AppError> {
    let limit = limit.clamp(1, MAX_PAGE);
    state
        .store()
        .await?
        .write(move |s| {
            let conversation = s.get_message(message_id)?.conversation_id;
            change(s)?;
            conversation_view(s, conversation, None, limit)
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
    state.store().await?.read(move |s| s.search(&query)).await
}

#[tauri::command]
pub async fn rename_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
    title: String,
) -> Result<(), AppError> {
    state
        .store()
        .await?
        .write(move |s| s.rename_conversation(id, &title))
        .await
}

#[tauri::command]
pub async fn set_pinned(
    state: State<'_, AppState>,
    id: ConversationId,
    pinned: bool,
) -> Result<(), AppError> {
    state
        .store()
        .await?
        .write(move |s| s.set_pinned(id, pinned))
        .await
}

/// Archived conversations leave the main list but stay searchable.
#[tauri::command]
pub async fn set_archived(
    state: State<'_, AppState>,
    id: ConversationId,
    archived: bool,
) -> Result<(), AppError> {
    state
        .store()
        .await?
        .write(move |s| s.set_archived(id, archived))
        .await
}

#[tauri::command]
pub async fn delete_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
) -> Result<(), AppError> {
    state
        .store()
        .await?
        .write(move |s| s.delete_conversation(id))
        .await
}

#[tauri::command]
pub async fn restore_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
) -> Result<(), AppError> {
    state
        .store()
        .await?
        .write(move |s| s.restore_conversation(id))
        .await
}

/// Writes a conversation to the Downloads folder (never over an existing
/// file); returns the file's path.
#[tauri::command]
pub async fn export_conversation(
    state: State<'_, AppState>,
    id: ConversationId,
    format: ExportFormat,
) -> Result<String, AppError> {
    let (title, body) = state
        .store()
        .await?
        .read(move |s| {
            Ok((
                s.get_conversation(id)?.title,
                s.export_conversation_as(id, format)?,
            ))
        })
        .await?;
    let name = format!("{}.{}", config::file_stem(&title, id), format.extension());
    let (file, path) = claim_export_file(name).await?;
    let written = path.clone();
    tokio::task::spawn_blocking(move || write_all(file, body.as_bytes()))
        .await
        .map_err(|_| interrupted())?
        .map_err(|e| export_failed(&written, e))?;
    Ok(path.display().to_string())
}

/// Writes every conversation (archived ones included) as one JSON file to
/// the Downloads folder; returns the file's path. The file is written from
/// a reader connection one conversation at a time, so neither memory nor
/// a streaming reply's checkpoints depend on the size of the history.
#[tauri::command]
pub async fn export_history(state: State<'_, AppState>) -> Result<String, AppError> {
    let store = state.store().await?;
    let name = config::history_export_name(now_ms() / 1000);
    let (file, path) = claim_export_file(name).await?;
    let written = path.clone();
    store
        .read(move |s| {
            let mut out = std::io::BufWriter::new(file);
            s.export_all_to(&mut out)?;
            let file = out.into_inner().map_err(|e| e.into_error())?;
            file.sync_all()?;
            Ok(())
        })
        .await
        .inspect_err(|_| remove_partial(&written))?;
    Ok(path.display().to_string())
}

fn interrupted() -> AppError {
    AppError::new(
        ErrorCode::Internal,
        "The export was interrupted. Try again.",
    )
}

/// A new file in the export folder under `name`, or `name (2)`...
async fn claim_export_file(name: String) -> Result<(std::fs::File, PathBuf), AppError> {
    tokio::task::spawn_blocking(move || {
        let dir = config::export_dir()?;
        config::create_unique(&dir, &name).map_err(|e| {
            let message = format!(
                "Could not create a file in {}: {e}. Check that the folder exists and has free space.",
                dir.display()
            );
            megallm_core::store::StoreError::from(e)
                .to_app_error()
                .with_message(message)
        })
    })
    .await
    .map_err(|_| interrupted())?
}

fn write_all(mut file: std::fs::File, bytes: &[u8]) -> std::io::Result<()> {
    file.write_all(bytes)?;
    file.sync_all()
}

/// A half-written export is removed: a file under an export's name is
/// always whole.
fn remove_partial(path: &Path) {
    let _ = std::fs::remove_file(path);
}

fn export_failed(path: &Path, e: std::io::Error) -> AppError {
    remove_partial(path);
    megallm_core::store::StoreError::from(e).to_app_error()
}

/// Imports an export file (the text of the file the user picked): one
/// conversation or a whole history, in batches so a big import never holds
/// up a streaming reply. Returns the new conversations' ids.
#[tauri::command]
pub async fn import_history(
    state: State<'_, AppState>,
    json: String,
) -> Result<Vec<ConversationId>, AppError> {
    let store = state.store().await?;
    let doc: serde_json::Value = tokio::task::spawn_blocking(move || serde_json::from_str(&json))
        .await
        .map_err(|_| interrupted())?
        .map_err(|e| {
            AppError::new(
                ErrorCode::ImportFormat,
                format!("That file is not a MegaLLM export ({e}). Choose a file exported by MegaLLM Desktop."),
            )
        })?;
    store.import(doc).await
}

/// How often the history is checked for writes by other processes.
const WATCH_INTERVAL: std::time::Duration = std::time::Duration::from_secs(1);

/// Tells the UI (a unit message on `on_change`) whenever another process,
/// such as `megallm ask`, has written to the history, so a conversation it
/// adds shows up in the list. SQLite's `data_version` changes only for
/// other connections' commits: the app's own writes never trigger it.
#[tauri::command]
pub async fn watch_history(
    state: State<'_, AppState>,
    on_change: Channel<()>,
) -> Result<(), AppError> {
    let store = state.store().await?;
    let mut last = store.write(|s| s.data_version()).await?;
    tauri::async_runtime::spawn(async move {
        loop {
            tokio::time::sleep(WATCH_INTERVAL).await;
            match store.write(|s| s.data_version()).await {
                Ok(v) if v != last => {
                    last = v;
                    // The window was closed or reloaded: stop watching.
                    if on_change.send(()).is_err() {
                        break;
                    }
                }
                Ok(_) => {}
                Err(e) => tracing::debug!(error = %e, "history watch"),
            }
        }
    });
    Ok(())
}

/// The limits the sampling controls show and enforce.
#[tauri::command]
pub async fn sampling_limits() -> Result<SamplingLimits, AppError> {
    Ok(SAMPLING_LIMITS)
}

/// Saves a conversation's model, system prompt and sampling (checked
/// against the limits and the model's reply ceiling); they apply from the
/// next message on. Returns the conversation as stored.
#[tauri::command]
pub async fn update_conversation_settings(
    state: State<'_, AppState>,
    id: ConversationId,
    settings: ConversationSettings,
) -> Result<Conversation, AppError> {
    let model = state.model_info(&settings.model).await;
    let settings = checked_conversation_settings(settings, model.as_ref())?;
    state
        .store()
        .await?
        .write(move |s| {
            s.update_conversation_settings(id, &settings)?;
            s.get_conversation(id)
        })
        .await
}
