//! The command surface the UI calls: one module per area, one list here.
//! Each command adapts its arguments, calls the core, and returns an
//! `AppError` (`{code, message}`) the UI can act on.

mod app;
mod attachments;
mod chat;
mod history;
mod settings;

pub fn handler() -> impl Fn(tauri::ipc::Invoke) -> bool + Send + Sync + 'static {
    tauri::generate_handler![
        app::app_info,
        app::list_models,
        app::rate_limits,
        app::usage_report,
        app::open_link,
        attachments::extract_attachment,
        attachments::discard_attachment,
        attachments::preview_draft,
        attachments::preview_attachment,
        attachments::estimate_send,
        attachments::trim_attachment,
        attachments::set_send_original,
        attachments::unlock_attachment,
        chat::send_message,
        chat::retry_reply,
        chat::edit_message,
        chat::stop_stream,
        history::list_conversations,
        history::open_conversation,
        history::select_branch,
        history::delete_message,
        history::sampling_limits,
        history::update_conversation_settings,
        history::search_history,
        history::rename_conversation,
        history::set_pinned,
        history::set_archived,
        history::delete_conversation,
        history::restore_conversation,
        history::export_conversation,
        history::export_history,
        history::import_history,
        history::watch_history,
        settings::list_presets,
        settings::save_preset,
        settings::delete_preset,
        settings::get_settings,
        settings::save_settings,
        settings::key_status,
        settings::set_api_key,
        settings::delete_api_key,
    ]
}
