use megallm_core::api::ApiKey;
use megallm_core::chat::{PRESETS_KEY, Preset, PresetLibrary};
use megallm_core::secrets::KeyStatus;
use megallm_core::settings::Settings;
use megallm_core::{AppError, ErrorCode, config};
use tauri::State;
use tauri_plugin_store::StoreExt;

use crate::state::AppState;

type SettingsFile = std::sync::Arc<tauri_plugin_store::Store<tauri::Wry>>;

/// The settings file in the data folder, where `megallm` reads it too.
fn settings_file(app: &tauri::AppHandle, state: &AppState) -> Result<SettingsFile, AppError> {
    app.store(state.data_dir.join(config::SETTINGS_FILE))
        .map_err(|e| {
            AppError::new(
                ErrorCode::Storage,
                format!("Could not open the settings file: {e}"),
            )
        })
}

fn save_file(file: &SettingsFile) -> Result<(), AppError> {
    file.save().map_err(|e| {
        AppError::new(
            ErrorCode::Storage,
            format!("Could not save the settings: {e}"),
        )
    })
}

/// Built-in presets first (as edited), then the user's.
#[tauri::command]
pub async fn list_presets(state: State<'_, AppState>) -> Result<Vec<Preset>, AppError> {
    let lib = state.presets.lock().map_err(|_| AppError::internal())?;
    Ok(lib.list())
}

/// Adds or replaces a preset (an empty id adds one); returns the list.
#[tauri::command]
pub async fn save_preset(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    preset: Preset,
) -> Result<Vec<Preset>, AppError> {
    change_presets(&app, &state, |lib| lib.save(preset).map(|_| ()))
}

/// Deletes the user's preset, or resets an edited built-in; returns the list.
#[tauri::command]
pub async fn delete_preset(
    app: tauri::AppHandle,
    state: State<'_, AppState>,
    id: String,
) -> Result<Vec<Preset>, AppError> {
    change_presets(&app, &state, |lib| {
        lib.delete(&id);
        Ok(())
    })
}

/// Applies `f` to a copy of the library, saves it, and only then makes it
/// the app's: a failed save changes nothing.
fn change_presets(
    app: &tauri::AppHandle,
    state: &AppState,
    f: impl FnOnce(&mut PresetLibrary) -> Result<(), AppError>,
) -> Result<Vec<Preset>, AppError> {
    let mut lib = state
        .presets
        .lock()
        .map_err(|_| AppError::internal())?
        .clone();
    f(&mut lib)?;
    let file = settings_file(app, state)?;
    file.set(PRESETS_KEY, lib.to_value());
    save_file(&file)?;
    let list = lib.list();
    *state.presets.lock().map_err(|_| AppError::internal())? = lib;
    Ok(list)
}

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
    let file = settings_file(&app, &state)?;
    for (k, v) in settings.to_map() {
        file.set(k, v);
    }
    // Optional fields cleared in the form must not linger in the file.
    for k in ["max_tokens", "temperature", "top_p", "top_k"] {
        if !settings.to_map().contains_key(k) {
            file.delete(k);
        }
    }
    save_file(&file)?;
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
