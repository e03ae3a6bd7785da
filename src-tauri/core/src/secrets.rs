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
            return KeyStatus {
                present: true,
                backend: KeyBackend::Environment,
                notice: None,
            };
        }
        match self.load() {
            Ok(Some((_, KeyBackend::File))) => KeyStatus {
                present: true,
                backend: KeyBackend::File,
                notice: Some(format!(
                    "No keychain service is running, so the key is kept in {}, readable only by you.",
                    self.file.display()
                )),
            },
            Ok(Some((_, backend))) => KeyStatus {
                present: true,
                backend,
                notice: None,
            },
            Ok(None) => KeyStatus {
                present: false,
                backend: KeyBackend::None,
                notice: None,
            },
            Err(e) => KeyStatus {
                present: false,
                backend: KeyBackend::None,
                notice: Some(e.message),
            },
        }
    }
}
