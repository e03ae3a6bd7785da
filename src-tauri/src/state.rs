//! What the app holds while it runs.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use megallm_core::api::models::ModelInfo;
use megallm_core::api::{ApiKey, Client, ClientConfig};
use megallm_core::chat::SharedStore;
use megallm_core::secrets::KeyStore;
use megallm_core::settings::Settings;
use megallm_core::store::types::MessageId;
use megallm_core::store::{Store, now_ms};
use megallm_core::{AppError, ErrorCode, config};
use tokio_util::sync::CancellationToken;

pub struct AppState {
    /// The history, or why it could not be opened (shown to the user; the
    /// window still opens).
    pub store: Result<SharedStore, AppError>,
    pub data_dir: PathBuf,
    pub settings: RwLock<Settings>,
    pub keys: KeyStore,
    /// Replies in progress, by assistant message id, so Stop can reach them.
    pub streams: Arc<Mutex<HashMap<MessageId, CancellationToken>>>,
    pub models: tokio::sync::Mutex<Option<Vec<ModelInfo>>>,
    /// Built on first use; dropped whenever the settings or key change.
    client: Mutex<Option<Client>>,
}

const PURGE_AFTER_MS: i64 = 30 * 24 * 60 * 60 * 1000;

fn internal() -> AppError {
    AppError::new(
        ErrorCode::Internal,
        "The app hit an internal error. Restart it.",
    )
}

impl AppState {
    pub fn init(data_dir: PathBuf, settings: Settings) -> Self {
        let store = (|| {
            let mut store = Store::open(&data_dir.join(config::HISTORY_FILE))?;
            // Replies cut off by a crash or kill become "interrupted" with
            // whatever was checkpointed.
            let recovered = store.recover_interrupted()?;
            if recovered > 0 {
                tracing::info!(recovered, "marked interrupted replies");
            }
            // Deleting is undoable for a month, then the rows really go.
            let month_ago = now_ms() - PURGE_AFTER_MS;
            let purged = store.purge_deleted(month_ago)?;
            if purged > 0 {
                tracing::info!(purged, "purged conversations deleted over 30 days ago");
            }
            Ok::<_, megallm_core::store::StoreError>(Arc::new(Mutex::new(store)))
        })()
        .map_err(AppError::from);
        if let Err(e) = &store {
            tracing::error!(error = %e, "history unavailable");
        }
        Self {
            store,
            keys: KeyStore::new(config::APP_IDENTIFIER, &data_dir),
            data_dir,
            settings: RwLock::new(settings),
            streams: Arc::default(),
            models: tokio::sync::Mutex::new(None),
            client: Mutex::new(None),
        }
    }

    pub fn store(&self) -> Result<SharedStore, AppError> {
        self.store.clone()
    }

    pub fn settings(&self) -> Settings {
        self.settings.read().map(|s| s.clone()).unwrap_or_default()
    }

    /// `MEGALLM_BASE_URL` wins over the saved setting, so tests and demos
    /// never touch a user's configuration.
    pub fn base_url(&self) -> String {
        config::base_url_from_env().unwrap_or_else(|| self.settings().base_url)
    }

    /// The key in use: the environment's, else the stored one.
    pub fn api_key(&self) -> Option<ApiKey> {
        config::api_key_from_env().or_else(|| match self.keys.load() {
            Ok(found) => found.map(|(k, _)| k),
            Err(e) => {
                tracing::warn!(error = %e, "could not read the stored key");
                None
            }
        })
    }

    /// Settings or key changed: the next request builds a fresh client and
    /// the model list is fetched again.
    pub async fn invalidate_client(&self) {
        if let Ok(mut c) = self.client.lock() {
            *c = None;
        }
        *self.models.lock().await = None;
    }

    /// The API client, built on first use from the current settings.
    pub fn client(&self) -> Result<Client, AppError> {
        let mut guard = self.client.lock().map_err(|_| internal())?;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let key = self.api_key().ok_or_else(|| {
            AppError::new(
                ErrorCode::Auth,
                "No API key is set. Open Settings and add your MegaLLM API key.",
            )
        })?;
        let mut cfg = ClientConfig::new(self.base_url(), key);
        cfg.max_concurrent = self.settings().max_concurrent as usize;
        let client = Client::new(cfg).map_err(|e| e.to_app_error())?;
        *guard = Some(client.clone());
        Ok(client)
    }
}
