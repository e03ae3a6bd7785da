//! The API key at rest: in the OS keychain, or, where no keychain service is
//! running (a bare window manager, a headless box), in a file only this user
//! can read, and the user is told which.

use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use crate::api::ApiKey;
use crate::error::{AppError, ErrorCode};

/// Where the key in use comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum KeyBackend {
    Keychain,
    File,
    Environment,
    None,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct KeyStatus {
    pub present: bool,
    pub backend: KeyBackend,
    /// Plain-text notice for the settings screen, e.g. that no keychain is
    /// available and where the key is kept instead.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notice: Option<String>,
}

pub const KEY_FILE: &str = "api-key";
const ACCOUNT: &str = "api-key";

pub struct KeyStore {
    service: String,
    file: PathBuf,
}

enum Keychain {
    Found(String),
    Empty,
    Unavailable(String),
}

fn storage_error(what: &str, e: impl std::fmt::Display) -> AppError {
    AppError::new(
        ErrorCode::Storage,
        format!("Could not {what} the API key: {e}"),
    )
}

impl KeyStore {
    /// `service` names the keychain entry (the app identifier); the fallback
    /// file lives in `data_dir`.
    pub fn new(service: impl Into<String>, data_dir: &Path) -> Self {
        Self {
            service: service.into(),
            file: data_dir.join(KEY_FILE),
        }
    }

    pub fn file_path(&self) -> &Path {
        &self.file
    }

    fn entry(&self) -> Result<keyring::Entry, String> {
        keyring::Entry::new(&self.service, ACCOUNT).map_err(|e| e.to_string())
    }

    fn keychain_get(&self) -> Keychain {
        match self.entry().and_then(|e| {
            e.get_password().map_err(|e| match e {
                keyring::Error::NoEntry => String::new(),
                other => other.to_string(),
            })
        }) {
            Ok(k) => Keychain::Found(k),
            Err(e) if e.is_empty() => Keychain::Empty,
            Err(e) => Keychain::Unavailable(e),
        }
    }

    fn read_file(&self) -> Result<Option<ApiKey>, AppError> {
        match std::fs::read_to_string(&self.file) {
            Ok(s) => Ok(ApiKey::new(s)),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
            Err(e) => Err(storage_error("read", e)),
        }
    }

    /// The stored key and where it was found.
    pub fn load(&self) -> Result<Option<(ApiKey, KeyBackend)>, AppError> {
        match self.keychain_get() {
            Keychain::Found(k) => Ok(ApiKey::new(k).map(|k| (k, KeyBackend::Keychain))),
            // A key saved while the keychain was down is still honoured.
            Keychain::Empty => Ok(self.read_file()?.map(|k| (k, KeyBackend::File))),
            Keychain::Unavailable(reason) => {
                tracing::debug!(%reason, "keychain unavailable; reading the fallback file");
                Ok(self.read_file()?.map(|k| (k, KeyBackend::File)))
            }
        }
    }

    /// Saves the key in the keychain, or in the fallback file when there is
    /// no keychain; returns where it went.
    pub fn save(&self, key: &ApiKey) -> Result<KeyBackend, AppError> {
        let stored = self
            .entry()
            .and_then(|e| e.set_password(key.expose()).map_err(|e| e.to_string()));
        match stored {
            Ok(()) => {
                // Never leave a second copy behind in a plain file.
                self.remove_file()?;
                Ok(KeyBackend::Keychain)
            }
            Err(reason) => {
                tracing::warn!(%reason, "no keychain; keeping the API key in a private file");
                self.write_file(key)?;
                Ok(KeyBackend::File)
            }
        }
    }

    pub fn delete(&self) -> Result<(), AppError> {
        if let Ok(e) = self.entry() {
            match e.delete_credential() {
                Ok(()) | Err(keyring::Error::NoEntry) => {}
                Err(e) => tracing::warn!(error = %e, "could not delete the keychain entry"),
            }
        }
        self.remove_file()
    }

    fn remove_file(&self) -> Result<(), AppError> {
        match std::fs::remove_file(&self.file) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(storage_error("remove", e)),
        }
    }

    /// Written to a temporary file created with mode 0600 and renamed into
    /// place, so the key is never readable by others, even for a moment.
    fn write_file(&self, key: &ApiKey) -> Result<(), AppError> {
        use std::io::Write;
        if let Some(dir) = self.file.parent() {
            std::fs::create_dir_all(dir).map_err(|e| storage_error("save", e))?;
        }
        let tmp = self.file.with_extension("tmp");
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create(true).truncate(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        let mut f = options.open(&tmp).map_err(|e| storage_error("save", e))?;
        f.write_all(key.expose().as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(|e| storage_error("save", e))?;
        std::fs::rename(&tmp, &self.file).map_err(|e| storage_error("save", e))
    }

    /// What the settings screen says about the key in use; `env_key` wins
    /// when set, as the app uses it.
    pub fn status(&self, env_key: bool) -> KeyStatus {
        if env_key {
            return environment_status();
        }
        describe(Some(self.load()), &self.file)
    }
}

fn environment_status() -> KeyStatus {
    KeyStatus {
        present: true,
        backend: KeyBackend::Environment,
        notice: None,
    }
}

/// What the settings screen says of the keychain's answer; `None` when it
/// has not answered in time.
fn describe(loaded: Option<Loaded>, file: &Path) -> KeyStatus {
    let none = |notice| KeyStatus {
        present: false,
        backend: KeyBackend::None,
        notice,
    };
    match loaded {
        Some(Ok(Some((_, KeyBackend::File)))) => KeyStatus {
            present: true,
            backend: KeyBackend::File,
            notice: Some(format!(
                "No keychain service is running, so the key is kept in {}, readable only by you.",
                file.display()
            )),
        },
        Some(Ok(Some((_, backend)))) => KeyStatus {
            present: true,
            backend,
            notice: None,
        },
        Some(Ok(None)) => none(None),
        Some(Err(e)) => none(Some(e.message)),
        None => none(Some(not_answering().message)),
    }
}

/// How long a caller waits for the keychain before going on without it. A
/// locked or hung keyring (D-Bus calls that never return) must not hold up a
/// command, let alone the window.
pub const KEYCHAIN_WAIT: std::time::Duration = std::time::Duration::from_secs(3);

/// What the key store does, so the cache can be tested with one that hangs.
pub trait KeyVault: Send + Sync + 'static {
    fn load(&self) -> Result<Option<(ApiKey, KeyBackend)>, AppError>;
    fn save(&self, key: &ApiKey) -> Result<KeyBackend, AppError>;
    fn delete(&self) -> Result<(), AppError>;
    /// The fallback file, named in the status notice.
    fn file_path(&self) -> &Path;
}

impl KeyVault for KeyStore {
    fn load(&self) -> Result<Option<(ApiKey, KeyBackend)>, AppError> {
        KeyStore::load(self)
    }
    fn save(&self, key: &ApiKey) -> Result<KeyBackend, AppError> {
        KeyStore::save(self, key)
    }
    fn delete(&self) -> Result<(), AppError> {
        KeyStore::delete(self)
    }
    fn file_path(&self) -> &Path {
        KeyStore::file_path(self)
    }
}

type Loaded = Result<Option<(ApiKey, KeyBackend)>, AppError>;

/// The stored key, read from the keychain once (on a blocking thread) and
/// kept for the run: commands ask the cache, never the keychain, so a slow
/// keyring costs one look-up, not one per command, and a hung one costs
/// each caller at most [`KEYCHAIN_WAIT`].
pub struct KeyCache {
    vault: std::sync::Arc<dyn KeyVault>,
    loaded: tokio::sync::watch::Sender<Option<Loaded>>,
    started: std::sync::atomic::AtomicBool,
    wait: std::time::Duration,
}

fn not_answering() -> AppError {
    AppError::new(
        ErrorCode::Config,
        "The system keychain is not answering (it may be locked or stuck). Unlock it or restart its service, then try again; MEGALLM_API_KEY in the environment also works.",
    )
}

impl KeyCache {
    pub fn new(vault: impl KeyVault) -> Self {
        Self {
            vault: std::sync::Arc::new(vault),
            loaded: tokio::sync::watch::channel(None).0,
            started: std::sync::atomic::AtomicBool::new(false),
            wait: KEYCHAIN_WAIT,
        }
    }

    /// The same with another wait than [`KEYCHAIN_WAIT`] (tests).
    pub fn with_wait(mut self, wait: std::time::Duration) -> Self {
        self.wait = wait;
        self
    }

    /// Starts the one keychain read, if it has not started. Call it early
    /// (at start-up) so the answer is there when first needed.
    pub fn start(&self) {
        use std::sync::atomic::Ordering;
        if self.started.swap(true, Ordering::SeqCst) {
            return;
        }
        let vault = std::sync::Arc::clone(&self.vault);
        let tx = self.loaded.clone();
        tokio::task::spawn_blocking(move || {
            let loaded = vault.load();
            tx.send_replace(Some(loaded));
        });
    }

    /// The keychain's answer, waiting at most `wait` for it.
    async fn answer(&self, wait: std::time::Duration) -> Option<Loaded> {
        self.start();
        let mut rx = self.loaded.subscribe();
        let got = tokio::time::timeout(wait, rx.wait_for(Option::is_some)).await;
        match got {
            Ok(Ok(v)) => v.clone(),
            _ => None,
        }
    }

    /// The stored key, if one is stored and the keychain answered.
    pub async fn key(&self) -> Option<ApiKey> {
        match self.answer(self.wait).await {
            Some(Ok(found)) => found.map(|(k, _)| k),
            Some(Err(e)) => {
                tracing::warn!(error = %e, "could not read the stored key");
                None
            }
            None => None,
        }
    }

    /// What the settings screen says about the key; `env_key` wins when set,
    /// as the app uses it.
    pub async fn status(&self, env_key: bool) -> KeyStatus {
        if env_key {
            return environment_status();
        }
        describe(self.answer(self.wait).await, self.vault.file_path())
    }

    /// Saves the key (keychain, else the private file) and caches it.
    pub async fn save(&self, key: ApiKey) -> Result<KeyBackend, AppError> {
        let vault = std::sync::Arc::clone(&self.vault);
        let cached = key.clone();
        let backend = self.blocking(move || vault.save(&key)).await?;
        self.started
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.loaded.send_replace(Some(Ok(Some((cached, backend)))));
        Ok(backend)
    }

    /// Forgets the stored key, everywhere it was kept.
    pub async fn delete(&self) -> Result<(), AppError> {
        let vault = std::sync::Arc::clone(&self.vault);
        self.blocking(move || vault.delete()).await?;
        self.started
            .store(true, std::sync::atomic::Ordering::SeqCst);
        self.loaded.send_replace(Some(Ok(None)));
        Ok(())
    }

    async fn blocking<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> Result<T, AppError> + Send + 'static,
    ) -> Result<T, AppError> {
        match tokio::time::timeout(self.wait, tokio::task::spawn_blocking(f)).await {
            Ok(Ok(result)) => result,
            Ok(Err(_)) => Err(AppError::new(
                ErrorCode::Internal,
                "The keychain call was interrupted. Try again.",
            )),
            Err(_) => Err(not_answering()),
        }
    }
}

#[cfg(test)]
mod cache_tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use std::sync::Mutex;
    use std::sync::mpsc;

    /// A keychain that never answers until the test lets it, and counts reads.
    struct Stuck {
        release: Mutex<mpsc::Receiver<()>>,
        reads: std::sync::Arc<std::sync::atomic::AtomicUsize>,
        file: PathBuf,
    }

    impl KeyVault for Stuck {
        fn load(&self) -> Result<Option<(ApiKey, KeyBackend)>, AppError> {
            self.reads.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let _ = self.release.lock().unwrap().recv();
            Ok(ApiKey::new("sk-late").map(|k| (k, KeyBackend::Keychain)))
        }
        fn save(&self, _: &ApiKey) -> Result<KeyBackend, AppError> {
            let _ = self.release.lock().unwrap().recv();
            Ok(KeyBackend::Keychain)
        }
        fn delete(&self) -> Result<(), AppError> {
            Ok(())
        }
        fn file_path(&self) -> &Path {
            &self.file
        }
    }

    #[tokio::test]
    async fn a_hung_keychain_is_read_once_and_never_holds_a_caller() {
        let (tx, rx) = mpsc::channel();
        let reads = std::sync::Arc::default();
        let cache = KeyCache::new(Stuck {
            release: Mutex::new(rx),
            reads: std::sync::Arc::clone(&reads),
            file: PathBuf::from("/nowhere"),
        })
        .with_wait(std::time::Duration::from_millis(100));
        // Each wait ends by the clock, not by the keychain.
        let status = cache.status(false).await;
        assert!(!status.present);
        assert!(status.notice.unwrap().contains("not answering"));
        assert_eq!(cache.key().await, None);
        assert!(cache.save(ApiKey::new("sk-new").unwrap()).await.is_err());
        // Three callers, one keychain read.
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1);
        // The environment's key needs no keychain at all.
        assert_eq!(cache.status(true).await.backend, KeyBackend::Environment);

        // Once it answers, the answer is cached for everyone.
        tx.send(()).unwrap();
        tx.send(()).unwrap();
        let mut rx = cache.loaded.subscribe();
        rx.wait_for(Option::is_some).await.unwrap();
        drop(rx);
        assert_eq!(cache.key().await.unwrap().expose(), "sk-late");
        assert!(cache.status(false).await.present);
        assert_eq!(reads.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
