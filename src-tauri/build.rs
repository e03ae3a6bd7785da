// Declaring the app's commands makes Tauri generate an `allow-<name>`
// permission for each, and then only those listed in `capabilities/` can be
// called from the webview: a command added here is unreachable until granted.
const COMMANDS: &[&str] = &[
    "app_info",
    "list_models",
    "rate_limits",
    "usage_report",
    "open_link",
    "extract_attachment",
    "discard_attachment",
    "preview_draft",
    "preview_attachment",
    "estimate_send",
    "trim_attachment",
    "set_send_original",
    "unlock_attachment",
    "send_message",
    "retry_reply",
    "edit_message",
    "stop_stream",
    "list_conversations",
    "open_conversation",
    "select_branch",
    "delete_message",
    "sampling_limits",
    "update_conversation_settings",
    "search_history",
    "rename_conversation",
    "set_pinned",
    "set_archived",
    "delete_conversation",
    "restore_conversation",
    "export_conversation",
    "export_history",
    "import_history",
    "watch_history",
    "list_presets",
    "save_preset",
    "delete_preset",
    "get_settings",
    "save_settings",
    "key_status",
    "set_api_key",
    "delete_api_key",
];

fn main() {
    let attrs = tauri_build::Attributes::new()
        .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS));
    if let Err(e) = tauri_build::try_build(attrs) {
        // A build script reports failure by panicking; say what to fix.
        panic!("tauri build step failed: {e:#}. Did `npm --prefix ui run build` create ui/dist?");
    }
}
