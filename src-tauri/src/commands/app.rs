use megallm_core::api::catalogue::{CatalogueSource, ModelCatalogue, Scope};
use megallm_core::api::ratelimit::RateLimits;
use megallm_core::config::AppInfo;
use megallm_core::store::now_ms;
use megallm_core::store::types::UsageRecord;
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
        system_languages: sys_locale::get_locales().collect(),
    })
}

/// The models the picker offers: the core's catalogue (`api::catalogue`,
/// one policy with the CLI), kept for the run and fetched again when
/// `refresh` is set or the settings or key change. Rejects only when the
/// service rejects the key.
#[tauri::command]
pub async fn list_models(
    state: State<'_, AppState>,
    refresh: Option<bool>,
) -> Result<ModelCatalogue, AppError> {
    // No key (or no usable base URL): nothing to ask yet, and the setup
    // banner already says what to do.
    let client = match state.client().await {
        Ok(client) => client,
        Err(e) => return Ok(ModelCatalogue::builtin(e.message)),
    };
    let catalogue = state
        .catalogue
        .get(&client, Scope::MessagesApi, refresh == Some(true))
        .await
        .map_err(|e| e.to_app_error())?;
    // Usage records are priced from what the service publishes; a cached
    // list's prices were recorded when it was fetched.
    let prices = catalogue.prices();
    if catalogue.source == CatalogueSource::Live
        && !prices.is_empty()
        && let Ok(store) = state.store().await
    {
        store
            .write(move |s| {
                s.set_pricing(prices);
                Ok(())
            })
            .await?;
    }
    Ok(catalogue)
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

/// Tokens and cost by UTC day and model over the last `days` days (today
/// included), for the usage view.
#[tauri::command]
pub async fn usage_report(
    state: State<'_, AppState>,
    days: u32,
) -> Result<Vec<UsageRecord>, AppError> {
    const DAY_MS: i64 = 24 * 60 * 60 * 1000;
    let days = i64::from(days.clamp(1, 366));
    let now = now_ms();
    state
        .store()
        .await?
        .read(move |s| s.usage_by_day(now - (days - 1) * DAY_MS, now))
        .await
}

/// The rate-limit headers of the latest response that carried any; nothing
/// when the service sends none (shown as nothing rather than a guess).
#[tauri::command]
pub async fn rate_limits(state: State<'_, AppState>) -> Result<Option<RateLimits>, AppError> {
    Ok(state.client().await.ok().and_then(|c| c.rate_limits()))
}
