//! MegaLLM Desktop's window: a thin Tauri shell over `megallm-core`.
//! Commands adapt arguments and errors; all behaviour lives in the core.

// No console window on Windows release builds.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

mod commands;
mod state;

use tauri::Manager;
use tauri_plugin_store::StoreExt;

fn main() -> std::process::ExitCode {
    // Before logging, the single-instance plugin and the window: this
    // process only reads one file for the app (docs/DOCUMENTS.md).
    if megallm_core::documents::worker::requested() {
        return megallm_core::documents::worker::serve();
    }
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_env("MEGALLM_LOG")
                .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("warn,megallm=info")),
        )
        .with_writer(std::io::stderr)
        .init();

    let data_dir = match megallm_core::config::data_dir() {
        Ok(d) => d,
        Err(e) => {
            eprintln!("MegaLLM Desktop could not start: {e}");
            std::process::exit(1);
        }
    };
    let result = tauri::Builder::default()
        // First: a second launch on the same data folder hands over to the
        // running window and exits before opening anything.
        .plugin(
            tauri_plugin_single_instance::Builder::new()
                .dbus_id(megallm_core::config::instance_id(&data_dir))
                .callback(|app, _argv, _cwd| {
                    if let Some(window) = app.get_webview_window("main") {
                        let _ = window.unminimize();
                        let _ = window.show();
                        let _ = window.set_focus();
                    }
                })
                .build(),
        )
        .plugin(tauri_plugin_opener::init())
        .plugin(tauri_plugin_store::Builder::new().build())
        .setup(move |app| {
            // An absolute path: the settings live beside the history in the
            // data folder, where `megallm` also reads them.
            let file = app.store(data_dir.join(megallm_core::config::SETTINGS_FILE))?;
            let entries: serde_json::Map<String, serde_json::Value> =
                file.entries().into_iter().collect();
            let settings = megallm_core::settings::Settings::from_map(&entries);
            let presets = megallm_core::chat::PresetLibrary::from_value(
                entries.get(megallm_core::chat::PRESETS_KEY),
            );
            app.manage(state::AppState::new(data_dir.clone(), settings, presets));
            // The keychain and the history are opened in the background:
            // a locked keyring or a busy database never holds up the window.
            let handle = app.handle().clone();
            tauri::async_runtime::spawn(async move {
                let state = handle.state::<state::AppState>();
                state.keys.start();
                let _ = state.store().await;
            });
            Ok(())
        })
        .invoke_handler(commands::handler())
        .run(tauri::generate_context!());
    if let Err(e) = result {
        eprintln!("MegaLLM Desktop could not start: {e}");
        std::process::exit(1);
    }
    std::process::ExitCode::SUCCESS
}
