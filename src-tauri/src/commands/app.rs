use megallm_core::api::models::{ModelInfo, seed_models};
use megallm_core::api::ratelimit::RateLimits;
use megallm_core::config::AppInfo;
use megallm_core::{AppError, ErrorCode};
use tauri::State;
use tauri_plugin_opener::OpenerExt;

use crate::state::AppState;

#[tauri::command]
pub async fn app_info(state: State<'_, AppState>) -> Result<AppInfo, AppError> {
    // Opening the history first makes its notice (moved aside, read-only)
    // part of the answer; a history that cannot open is reported by the
    // commands that need it, not here.
    let _ = state.store().await;
    Ok(AppInfo {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        base_url: state.base_url(),
        has_api_key: state.api_key().await.is_some(),
        data_dir: state.data_dir.display().to_string(),
        default_model: state.settings().default_model,
        history_notice: state.history_notice.lock().ok().and_then(|n| n.clone()),
    })
}

/// The models the picker offers: the service's live list (Claude models
/// only), cached for the run and fetched again when `refresh` is set or the
/// settings change; the seed list when it cannot be had.
#[tauri::command]
pub async fn list_models(
    state: State<'_, AppState>,
    refresh: Option<bool>,
) -> Result<Vec<ModelInfo>, AppError> {
    let mut cache = state.models.lock().await;
    if refresh != Some(true)
        && let Some(models) = cache.as_ref()
    {
        return Ok(models.clone());
    }
    let live = match state.client().await {
        Ok(client) => client.list_models().await.map_err(|e| e.to_app_error()),
        Err(e) => Err(e),
    };
    let models = match live {
        Ok(list) => {
            // Usage records are priced from what the service publishes.
            let prices: Vec<_> = list
                .iter()
                .filter_map(|m| m.pricing.clone().map(|p| (m.id.clone(), p)))
                .collect();
            if !prices.is_empty()
                && let Ok(store) = state.store().await
            {
                store
                    .write(move |s| {
                        s.set_pricing(prices);
                        Ok(())
                    })
                    .await?;
            }
            let claude: Vec<ModelInfo> = list.into_iter().filter(|m| m.messages_api).collect();
            if claude.is_empty() {
                seed_models()
            } else {
                claude
            }
        }
        Err(e) => {
            tracing::warn!(error = %e, "model list unavailable; using the seed list");
            // Not cached: the next call tries the service again.
            return Ok(seed_models());
        }
    };
    *cache = Some(models.clone());
    Ok(models)
}

/// Opens a link from a message in the system browser. Only web and mail
/// links: model output must not be able to launch local programs.
#[tauri::command]
pub async fn open_link(app: tauri::AppHandle, url: String) -> Result<(), AppError> {
    let lower = url.trim().to_ascii_lowercase();
    if !(lower.starts_with("https://")
        || lower.starts_with("http://")
        || lower.starts_with("mailto:"))
    {
        return Err(AppError::new(
            ErrorCode::InvalidRequest,
            "Only web and e-mail links can be opened.",
        ));
    }
    app.opener()
        .open_url(url.trim(), None::<&str>)
        .map_err(|e| {
            AppError::new(
                ErrorCode::Internal,
                format!("Could not open the browser: {e}"),
            )
        })
}

/// The rate-limit headers of the latest response that carried any; nothing
/// when the service sends none (shown as nothing rather than a guess).
#[tauri::command]
pub async fn rate_limits(state: State<'_, AppState>) -> Result<Option<RateLimits>, AppError> {
    Ok(state.client().await.ok().and_then(|c| c.rate_limits()))
}
