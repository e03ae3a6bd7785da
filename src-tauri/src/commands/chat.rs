use megallm_core::AppError;
use megallm_core::chat::{
    RetryMode, SendMode, SendOptions, StreamUpdate, TurnResult, send_message as core_send,
};
use megallm_core::store::types::{ConversationId, MessageId};
use tauri::State;
use tauri::ipc::Channel;
use tokio_util::sync::CancellationToken;

use crate::state::AppState;

/// Sends a message, with the drafts `attachments` (ids from
/// `extract_attachment`) before its text and, when given, a system prompt
/// for the conversation from now on (a preset), and streams the reply over
/// `on_event`. Resolves when the reply ends, with the reply as stored and
/// the conversation's title; rejects if the user's message could not be
/// stored (the UI then gives the text and the files back to the composer)
/// or the reply could not be saved at its end.
#[tauri::command]
pub async fn send_message(
    state: State<'_, AppState>,
    conversation_id: Option<ConversationId>,
    text: String,
    model: Option<String>,
    attachments: Option<Vec<String>>,
    system_prompt: Option<String>,
    on_event: Channel<StreamUpdate>,
) -> Result<TurnResult, AppError> {
    let draft_ids = attachments.unwrap_or_default();
    let settings = state.settings();
    let mut opts = SendOptions::new(
        conversation_id,
        text,
        model.unwrap_or_else(|| settings.default_model.clone()),
    );
    // A new conversation starts from the sampling defaults in settings.
    opts.sampling = settings.sampling_defaults();
    opts.attachments = state.drafts.get_all(&draft_ids)?;
    opts.system_prompt = system_prompt;
    let result = stream_turn(&state, opts, on_event).await;
    // Once the message is stored its files are in the history; a send
    // refused before that keeps them for another try.
    if result.is_ok() {
        state.drafts.discard(&draft_ids);
    }
    result
}

/// Another go at the reply `message_id`: a fresh reply beside it
/// (regenerate) or the rest of a cut-off one (continue), streamed like a
/// new message.
#[tauri::command]
pub async fn retry_reply(
    state: State<'_, AppState>,
    conversation_id: ConversationId,
    message_id: MessageId,
    mode: RetryMode,
    model: Option<String>,
    on_event: Channel<StreamUpdate>,
) -> Result<TurnResult, AppError> {
    let model = model.unwrap_or_else(|| state.settings().default_model);
    let mut opts = SendOptions::new(Some(conversation_id), "", model);
    opts.mode = SendMode::retry(mode, message_id);
    stream_turn(&state, opts, on_event).await
}

/// Sends `text` as a new version of the user's message `message_id` (its
/// files go with it) and streams the answer; the original and what followed
/// it stay as another branch.
#[tauri::command]
pub async fn edit_message(
    state: State<'_, AppState>,
    conversation_id: ConversationId,
    message_id: MessageId,
    text: String,
    model: Option<String>,
    on_event: Channel<StreamUpdate>,
) -> Result<TurnResult, AppError> {
    let model = model.unwrap_or_else(|| state.settings().default_model);
    let mut opts = SendOptions::new(Some(conversation_id), text, model);
    opts.mode = SendMode::Edit(message_id);
    stream_turn(&state, opts, on_event).await
}

/// Runs one turn, registering its reply so `stop_stream` can cancel it.
async fn stream_turn(
    state: &AppState,
    opts: SendOptions,
    on_event: Channel<StreamUpdate>,
) -> Result<TurnResult, AppError> {
    let store = state.store().await?;
    let client = state.client().await?;
    let cancel = CancellationToken::new();
    let streams = state.streams.clone();
    let mut registered: Option<MessageId> = None;
    let token = cancel.clone();
    let outcome = core_send(&store, &client, opts, cancel, |update| {
        if let StreamUpdate::Started {
            assistant_message_id,
            ..
        } = &update
        {
            if let Ok(mut map) = streams.lock() {
                map.insert(*assistant_message_id, token.clone());
            }
            registered = Some(*assistant_message_id);
        }
        // The window may be gone; the reply is still stored.
        let _ = on_event.send(update);
    })
    .await;
    if let Some(id) = registered
        && let Ok(mut map) = state.streams.lock()
    {
        map.remove(&id);
    }
    outcome.map(|o| o.result())
}

/// Stops a reply in progress; what arrived is kept.
#[tauri::command]
pub async fn stop_stream(
    state: State<'_, AppState>,
    assistant_message_id: MessageId,
) -> Result<(), AppError> {
    if let Ok(map) = state.streams.lock()
        && let Some(token) = map.get(&assistant_message_id)
    {
        token.cancel();
    }
    Ok(())
}
