//! What the app holds while it runs.
//!
//! Nothing here may make a command wait on the main thread: the history is
//! opened in the background (commands wait for it asynchronously, and a
//! history busy in another process is retried on the next call), and the
//! keychain is read once, off the main thread, with a bounded wait.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, Mutex, RwLock};

use megallm_core::api::catalogue::{CatalogueCache, Scope};
use megallm_core::api::models::ModelInfo;
use megallm_core::api::{ApiKey, Client, ClientConfig};
use megallm_core::chat::{DraftShelf, PresetLibrary};
use megallm_core::documents::{self, Document, DocumentError};
use megallm_core::secrets::{KeyCache, KeyStore};
use megallm_core::settings::Settings;
use megallm_core::store::types::MessageId;
use megallm_core::store::{HistoryNotice, SharedStore, Store};
use megallm_core::{AppError, ErrorCode, config};
use tokio_util::sync::CancellationToken;

pub struct AppState {
    history: tokio::sync::Mutex<Option<SharedStore>>,
    /// How the history was opened, when the user must be told.
    pub history_notice: Mutex<Option<HistoryNotice>>,
    pub data_dir: PathBuf,
    pub settings: RwLock<Settings>,
    pub keys: KeyCache,
    /// Replies in progress, by assistant message id, so Stop can reach them.
    pub streams: Arc<Mutex<HashMap<MessageId, CancellationToken>>>,
    /// The service's model list for this run; cleared with the client.
    pub catalogue: CatalogueCache,
    /// Built on first use; dropped whenever the settings or key change.
    client: Mutex<Option<Client>>,
    /// Files attached in the composer, not sent yet.
    pub drafts: DraftShelf,
    /// The user's system-prompt presets and edits of the built-in ones.
    pub presets: Mutex<PresetLibrary>,
    pub extractor: Extractor,
}

/// Reads attached files in a worker process of this binary (a parser that
/// aborts, loops or balloons takes only the worker down); in this process,
/// off the main thread, only if the binary cannot name itself.
pub enum Extractor {
    Worker(documents::Worker),
    InProcess,
}

impl Extractor {
    fn new() -> Self {
        match documents::Worker::for_current_exe() {
            Ok(w) => Extractor::Worker(w),
            Err(e) => {
                tracing::warn!(error = %e, "no worker process for files; reading them in-process");
                Extractor::InProcess
            }
        }
    }

    /// Reads a file; `password` for an encrypted PDF the user unlocked.
    pub async fn extract(
        &self,
        name: &str,
        bytes: Vec<u8>,
        password: Option<&str>,
    ) -> Result<Document, DocumentError> {
        match (self, password) {
            (Extractor::Worker(w), None) => w.extract(name, bytes).await,
            (Extractor::Worker(w), Some(p)) => w.extract_with_password(name, bytes, p).await,
            (Extractor::InProcess, password) => {
                let owned = name.to_owned();
                let password = password.unwrap_or_default().to_owned();
                tokio::task::spawn_blocking(move || {
                    documents::extract_with_password(&owned, &bytes, &password)
                })
                .await
                .unwrap_or_else(|_| {
                    Err(DocumentError::Crashed {
                        name: name.to_owned(),
                        detail: "the reader stopped".to_owned(),
                    })
                })
            }
        }
    }
}

impl AppState {
    pub fn new(data_dir: PathBuf, settings: Settings, presets: PresetLibrary) -> Self {
        Self {
            history: tokio::sync::Mutex::new(None),
            history_notice: Mutex::new(None),
            keys: KeyCache::new(KeyStore::new(config::APP_IDENTIFIER, &data_dir)),
            data_dir,
            settings: RwLock::new(settings),
            streams: Arc::default(),
            catalogue: CatalogueCache::new(),
            client: Mutex::new(None),
            drafts: DraftShelf::new(),
            presets: Mutex::new(presets),
            extractor: Extractor::new(),
        }
    }

    /// What the model list says about model `id` (window, price, reply
    /// ceiling); `None` without a key or when the list does not name it.
    pub async fn model_info(&self, id: &str) -> Option<ModelInfo> {
        let client = self.client().await.ok()?;
        let catalogue = self
            .catalogue
            .get(&client, Scope::MessagesApi, false)
            .await
            .ok()?;
        catalogue.models.into_iter().find(|m| m.id == id)
    }

    /// The history, opening it on first use. A failure is not kept: the
    /// next call tries again, so a history that was busy or on a full disk
    /// comes back without a restart.
    pub async fn store(&self) -> Result<SharedStore, AppError> {
        let mut slot = self.history.lock().await;
        if let Some(store) = slot.as_ref() {
            return Ok(store.clone());
        }
        let dir = self.data_dir.clone();
        let (store, notice) = tokio::task::spawn_blocking(move || {
            Store::open_for_app(&dir.join(config::HISTORY_FILE))
        })
        .await
        .map_err(|_| AppError::internal())?
        .map_err(|e| e.to_app_error())
        .inspect_err(|e| tracing::error!(error = %e, "history unavailable"))?;
        if let Ok(mut n) = self.history_notice.lock() {
            *n = notice;
        }
        let store = SharedStore::new(store);
        *slot = Some(store.clone());
        Ok(store)
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
    pub async fn api_key(&self) -> Option<ApiKey> {
        match config::api_key_from_env() {
            Some(k) => Some(k),
            None => self.keys.key().await,
        }
    }

    /// Settings or key changed: the next request builds a fresh client and
    /// the model list is fetched again.
    pub async fn invalidate_client(&self) {
        if let Ok(mut c) = self.client.lock() {
            *c = None;
        }
        self.catalogue.clear().await;
    }

    /// The API client, built on first use from the current settings.
    pub async fn client(&self) -> Result<Client, AppError> {
        if let Some(c) = self
            .client
            .lock()
            .map_err(|_| AppError::internal())?
            .as_ref()
        {
            return Ok(c.clone());
        }
        let key = self.api_key().await.ok_or_else(|| {
            AppError::new(
                ErrorCode::Auth,
                "No API key is set. Open Settings and add your MegaLLM API key.",
            )
        })?;
        let mut cfg = ClientConfig::new(self.base_url(), key);
        cfg.max_concurrent = self.settings().max_concurrent as usize;
        let client = Client::new(cfg).map_err(|e| e.to_app_error())?;
        let mut guard = self.client.lock().map_err(|_| AppError::internal())?;
        Ok(guard.get_or_insert(client).clone())
    }
}
