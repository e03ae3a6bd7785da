use megallm_core::api::ApiKey;
use megallm_core::secrets::KeyStatus;
use megallm_core::settings::Settings;
use megallm_core::{AppError, ErrorCode, config};
use tauri::State;
use tauri_plugin_store::StoreExt;

use crate::state::AppState;

#[tauri::command]
pub async fn get_settings(state: State<'_, AppState>) -> Result<Settings, AppError> {
    Ok(state.settings())
}

/// Validates, saves to the settings file, and applies at once.
#[tauri::command]
pub async fn save_settings(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    settings: Settings,
) -> Result<Settings, AppError> {
    let settings = settings.validated()?;
    let file = app
        .store(state.data_dir.join(config::SETTINGS_FILE))
        .map_err(|e| {
            AppError::new(
                ErrorCode::Storage,
                format!("Could not open the settings file: {e}"),
            )
        })?;
    for (k, v) in settings.to_map() {
        file.set(k, v);
    }
    // Optional fields cleared in the form must not linger in the file.
    for k in ["max_tokens", "temperature", "top_p", "top_k"] {
        if !settings.to_map().contains_key(k) {
            file.delete(k);
        }
    }
    file.save().map_err(|e| {
        AppError::new(
            ErrorCode::Storage,
            format!("Could not save the settings: {e}"),
        )
    })?;
    if let Ok(mut s) = state.settings.write() {
        *s = settings.clone();
    }
    state.invalidate_client().await;
    Ok(settings)
}

#[tauri::command]
pub async fn key_status(state: State<'_, AppState>) -> Result<KeyStatus, AppError> {
    Ok(state
        .keys
        .status(config::api_key_from_env().is_some())
        .await)
}

#[tauri::command]
pub async fn set_api_key(state: State<'_, AppState>, key: String) -> Result<KeyStatus, AppError> {
    let key = ApiKey::new(key)
        .ok_or_else(|| AppError::new(ErrorCode::Config, "The API key is empty."))?;
    state.keys.save(key).await?;
    state.invalidate_client().await;
    Ok(state
        .keys
        .status(config::api_key_from_env().is_some())
        .await)
}

#[tauri::command]
pub async fn delete_api_key(state: State<'_, AppState>) -> Result<KeyStatus, AppError> {
    state.keys.delete().await?;
    state.invalidate_client().await;
    Ok(state
        .keys
        .status(config::api_key_from_env().is_some())
        .await)
}
