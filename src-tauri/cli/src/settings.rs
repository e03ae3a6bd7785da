//! Where the CLI finds the service: flags, then the environment, then the
//! app's own settings, then the default.

use megallm_core::api::{ApiKey, DEFAULT_BASE_URL};
use megallm_core::secrets::KeyStore;
use megallm_core::settings::Settings;
use megallm_core::{AppError, ErrorCode, config};

use crate::Failure;

pub fn base_url(flag: Option<String>) -> String {
    flag.or_else(config::base_url_from_env).unwrap_or_else(|| {
        // Read and checked as the app reads them; a bad stored value is
        // the default, as it is in the app.
        match config::data_dir() {
            Ok(dir) => Settings::load(&dir.join(config::SETTINGS_FILE)).base_url,
            Err(_) => DEFAULT_BASE_URL.to_owned(),
        }
    })
}

/// `MEGALLM_API_KEY`, else `ANTHROPIC_API_KEY`, else the key the app stored
/// (keychain, or its private fallback file).
pub fn api_key() -> Result<ApiKey, Failure> {
    if let Some(key) = config::api_key_from_env() {
        return Ok(key);
    }
    let stored = KeyStore::new(config::APP_IDENTIFIER, &config::data_dir()?).load()?;
    stored.map(|(key, _)| key).ok_or_else(|| {
        AppError::new(
            ErrorCode::Auth,
            "No API key: set MEGALLM_API_KEY (or ANTHROPIC_API_KEY), or add one in the app's settings.",
        )
        .into()
    })
}
