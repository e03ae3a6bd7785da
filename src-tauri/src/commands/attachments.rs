//! Files attached in the composer: read off the main thread, held on the
//! backend as drafts until sent, previewed exactly as the model gets them.

use megallm_core::chat::{
    AttachmentDraft, AttachmentPreview, PreparedFile, SendBudget, Trim, draft_request, send_budget,
    stored_preview,
};
use megallm_core::documents::DocumentError;
use megallm_core::store::types::{AttachmentId, ConversationId};
use megallm_core::{AppError, ErrorCode};
use tauri::State;
use tauri::ipc::{InvokeBody, Request};

use crate::state::AppState;

/// The file's name travels percent-encoded in this header; its bytes are
/// the raw request body, so a large file is not inflated into JSON.
const NAME_HEADER: &str = "x-file-name";

fn file_name(request: &Request<'_>) -> String {
    request
        .headers()
        .get(NAME_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(|v| {
            percent_encoding::percent_decode_str(v)
                .decode_utf8_lossy()
                .into_owned()
        })
        .filter(|n| !n.trim().is_empty())
        .unwrap_or_else(|| "file".to_owned())
}

/// Reads one file into a draft. Rejects with a message that names the
/// file and says what to do (encrypted, damaged, too large...).
#[tauri::command]
pub async fn extract_attachment(
    state: State<'_, AppState>,
    request: Request<'_>,
) -> Result<AttachmentDraft, AppError> {
    let name = file_name(&request);
    let InvokeBody::Raw(bytes) = request.body() else {
        return Err(AppError::new(
            ErrorCode::InvalidInput,
            format!("“{name}” arrived without its contents. Attach it again."),
        ));
    };
    let bytes = bytes.clone();
    match state.extractor.extract(&name, bytes.clone(), None).await {
        Ok(document) => state.drafts.put(PreparedFile::new(bytes, document)),
        // Held for its password: the chip asks for it (`unlock_attachment`).
        Err(DocumentError::Encrypted { .. }) => state.drafts.put_locked(&name, bytes),
        Err(e) => Err(e.into()),
    }
}

/// Reads an encrypted PDF draft with the password the user typed. A wrong
/// password is said as such and the draft stays locked for another try.
#[tauri::command]
pub async fn unlock_attachment(
    state: State<'_, AppState>,
    draft_id: String,
    password: String,
) -> Result<AttachmentDraft, AppError> {
    let (name, bytes) = state.drafts.locked(&draft_id)?;
    let document = state
        .extractor
        .extract(&name, bytes.clone(), Some(&password))
        .await?;
    state
        .drafts
        .unlocked(&draft_id, PreparedFile::new(bytes, document))
}

#[tauri::command]
pub async fn discard_attachment(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<(), AppError> {
    state.drafts.discard(&[draft_id]);
    Ok(())
}

#[tauri::command]
pub async fn preview_draft(
    state: State<'_, AppState>,
    draft_id: String,
) -> Result<AttachmentPreview, AppError> {
    state.drafts.preview(&draft_id)
}

#[tauri::command]
pub async fn preview_attachment(
    state: State<'_, AppState>,
    attachment_id: AttachmentId,
) -> Result<AttachmentPreview, AppError> {
    state
        .store()
        .await?
        .read(move |s| stored_preview(s, attachment_id))
        .await
}

/// The gauge before a send: the tokens the message with its drafts (and
/// the system prompt it would set) would take (counted by the service where it can, else estimated) against the
/// model's window, and the price from the model list.
#[tauri::command]
pub async fn estimate_send(
    state: State<'_, AppState>,
    conversation_id: Option<ConversationId>,
    text: String,
    model: Option<String>,
    attachments: Option<Vec<String>>,
    system_prompt: Option<String>,
) -> Result<SendBudget, AppError> {
    let settings = state.settings();
    let model = model.unwrap_or_else(|| settings.default_model.clone());
    let files = state.drafts.get_all(&attachments.unwrap_or_default())?;
    let defaults = settings.sampling_defaults();
    let store = state.store().await?;
    let req = {
        let model = model.clone();
        store
            .read(move |s| {
                draft_request(
                    s,
                    conversation_id,
                    &text,
                    &files,
                    &model,
                    &defaults,
                    system_prompt.as_deref(),
                )
            })
            .await?
    };
    let client = state.client().await?;
    let info = state.model_info(&model).await;
    Ok(send_budget(&client, &req, info.as_ref()).await)
}

/// Cuts a draft to chosen pages or to a number of tokens, when the send
/// would not fit; the chip then says what was left out.
#[tauri::command]
pub async fn trim_attachment(
    state: State<'_, AppState>,
    draft_id: String,
    trim: Trim,
) -> Result<AttachmentDraft, AppError> {
    state.drafts.trim(&draft_id, trim)
}

/// Sends a PDF draft as itself (the model reads its pages, images
/// included) or as its text; if the service refuses PDFs, its text goes
/// instead, automatically.
#[tauri::command]
pub async fn set_send_original(
    state: State<'_, AppState>,
    draft_id: String,
    on: bool,
) -> Result<AttachmentDraft, AppError> {
    state.drafts.set_send_original(&draft_id, on)
}
