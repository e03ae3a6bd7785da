//! Where the CLI finds the service: flags, then the environment, then the
//! app's own settings, then the default.

use megallm_core::api::{ApiKey, DEFAULT_BASE_URL};
use megallm_core::{AppError, ErrorCode, config};

use crate::Failure;

pub fn base_url(flag: Option<String>) -> String {
    flag.or_else(config::base_url_from_env)
        .or_else(|| config::stored_setting("base_url"))
        .unwrap_or_else(|| DEFAULT_BASE_URL.to_owned())
}

pub fn api_key() -> Result<ApiKey, Failure> {
    config::api_key_from_env().ok_or_else(|| {
        AppError::new(
            ErrorCode::Auth,
            "No API key: set MEGALLM_API_KEY (or ANTHROPIC_API_KEY).",
        )
        .into()
    })
}
