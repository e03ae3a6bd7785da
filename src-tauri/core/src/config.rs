//! Where the app keeps its files and how it finds the service, shared by the
//! app and the `megallm` command line so both use the same history.

use std::path::{Path, PathBuf};

use crate::api::ApiKey;
use crate::error::{AppError, ErrorCode};

/// Tauri's bundle identifier; the app-data folder is named after it.
pub const APP_IDENTIFIER: &str = "io.megallm.desktop";

/// The history database's file name inside the data folder.
pub const HISTORY_FILE: &str = "history.db";

/// The data folder: `MEGALLM_DATA_DIR` if set (tests, portable installs),
/// else the platform's app-data folder, the same one Tauri's
/// `app_data_dir()` returns (`~/.local/share/io.megallm.desktop` on Linux).
pub fn data_dir() -> Result<PathBuf, AppError> {
    if let Some(dir) = std::env::var_os("MEGALLM_DATA_DIR").filter(|d| !d.is_empty()) {
        return Ok(PathBuf::from(dir));
    }
    dirs::data_dir()
        .map(|d| d.join(APP_IDENTIFIER))
        .ok_or_else(|| {
            AppError::new(
                ErrorCode::Config,
                "Could not find a folder for app data. Set MEGALLM_DATA_DIR to a writable folder.",
            )
        })
}

pub fn history_path() -> Result<PathBuf, AppError> {
    Ok(data_dir()?.join(HISTORY_FILE))
}

/// `MEGALLM_BASE_URL`, if set.
pub fn base_url_from_env() -> Option<String> {
    std::env::var("MEGALLM_BASE_URL")
        .ok()
        .filter(|s| !s.trim().is_empty())
}

/// `MEGALLM_API_KEY`, else `ANTHROPIC_API_KEY` (so existing setups keep working).
pub fn api_key_from_env() -> Option<ApiKey> {
    ["MEGALLM_API_KEY", "ANTHROPIC_API_KEY"]
        .iter()
        .find_map(|name| std::env::var(name).ok().and_then(ApiKey::new))
}

/// What the UI needs to know about the app's setup.
#[derive(Debug, Clone, PartialEq, serde::Serialize, ts_rs::TS)]
#[ts(export)]
pub struct AppInfo {
    pub version: String,
    pub base_url: String,
    pub has_api_key: bool,
    pub data_dir: String,
    pub default_model: String,
    /// How the history was opened, when the user must be told (moved aside
    /// because it was damaged, or read-only because a newer app wrote it).
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub history_notice: Option<crate::store::HistoryNotice>,
    /// The system's preferred languages as BCP 47 tags, most preferred
    /// first (the webview's own list ignores the session's locale).
    pub system_languages: Vec<String>,
}

/// The app's settings file (written by the app's settings store, plain JSON
/// in the data folder); the CLI reads it so both use the same service.
pub const SETTINGS_FILE: &str = "settings.json";

/// Where exports are written: the user's Downloads folder, else `exports/`
/// in the data folder.
pub fn export_dir() -> Result<PathBuf, AppError> {
    match dirs::download_dir() {
        Some(d) => Ok(d),
        None => Ok(data_dir()?.join("exports")),
    }
}

/// A file name from a title: letters, digits, spaces, `-` and `_` kept,
/// anything a file system or shell could trip on dropped.
pub fn file_stem(title: &str, id: i64) -> String {
    let cleaned: String = title
        .chars()
        .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
        .take(60)
        .collect();
    let cleaned = cleaned.split_whitespace().collect::<Vec<_>>().join("-");
    if cleaned.is_empty() {
        format!("conversation-{id}")
    } else {
        format!("{cleaned}-{id}")
    }
}

/// Creates `name` in `dir` for writing, or, when that name is taken,
/// `stem (2).ext`, `stem (3).ext`...: an export never overwrites a file.
/// The name is claimed atomically (`create_new`), so two exports at once
/// cannot pick the same one.
pub fn create_unique(dir: &Path, name: &str) -> std::io::Result<(std::fs::File, PathBuf)> {
    std::fs::create_dir_all(dir)?;
    let (stem, ext) = match name.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => (stem, Some(ext)),
        _ => (name, None),
    };
    for n in 1..10_000u32 {
        let candidate = match (n, ext) {
            (1, _) => name.to_owned(),
            (_, Some(ext)) => format!("{stem} ({n}).{ext}"),
            (_, None) => format!("{stem} ({n})"),
        };
        let path = dir.join(candidate);
        match std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
        {
            Ok(file) => return Ok((file, path)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(e),
        }
    }
    Err(std::io::Error::new(
        std::io::ErrorKind::AlreadyExists,
        format!("every name like {name} is taken in {}", dir.display()),
    ))
}

/// The name under which one app instance runs per data folder (the D-Bus
/// name of the single-instance lock): a second launch on the same folder
/// finds the first; the demo's or a test's folder is another instance.
pub fn instance_id(data_dir: &Path) -> String {
    use sha2::Digest as _;
    let canonical = std::fs::canonicalize(data_dir).unwrap_or_else(|_| data_dir.to_owned());
    let digest = sha2::Sha256::digest(canonical.to_string_lossy().as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    // A D-Bus name element must not start with a digit.
    format!("{APP_IDENTIFIER}.h{hex}")
}

/// The UTC date `YYYY-MM-DD` of a Unix time in seconds, for file names.
pub fn utc_date(unix_secs: i64) -> String {
    // Howard Hinnant's days-to-civil: exact for every date of the
    // proleptic Gregorian calendar, no time-zone data needed.
    let z = unix_secs.div_euclid(86_400) + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

/// The file name of a whole-history export made at `unix_secs`.
pub fn history_export_name(unix_secs: i64) -> String {
    format!("megallm-history-{}.json", utc_date(unix_secs))
}

#[cfg(test)]
mod date_tests {
    use super::*;

    #[test]
    fn exports_never_overwrite() {
        let dir = tempfile::tempdir().unwrap_or_else(|e| panic!("{e}"));
        let names: Vec<String> = (0..3)
            .map(|_| {
                let (_, path) =
                    create_unique(dir.path(), "chat-1.md").unwrap_or_else(|e| panic!("{e}"));
                path.file_name()
                    .unwrap_or_default()
                    .to_string_lossy()
                    .into_owned()
            })
            .collect();
        assert_eq!(names, ["chat-1.md", "chat-1 (2).md", "chat-1 (3).md"]);
        let (_, bare) = create_unique(dir.path(), "notes").unwrap_or_else(|e| panic!("{e}"));
        assert!(bare.ends_with("notes"));
        let (_, again) = create_unique(dir.path(), "notes").unwrap_or_else(|e| panic!("{e}"));
        assert!(again.ends_with("notes (2)"));
    }

    #[test]
    fn one_instance_per_data_folder() {
        let a = instance_id(Path::new("/tmp/a"));
        assert_eq!(a, instance_id(Path::new("/tmp/a")));
        assert_ne!(a, instance_id(Path::new("/tmp/b")));
        assert!(a.starts_with("io.megallm.desktop.h"));
        assert!(
            a.split('.')
                .all(|part| !part.starts_with(|c: char| c.is_ascii_digit()))
        );
    }

    #[test]
    fn utc_dates() {
        assert_eq!(utc_date(0), "1970-01-01");
        assert_eq!(utc_date(951_782_400), "2000-02-29");
        assert_eq!(utc_date(951_868_799), "2000-02-29");
        assert_eq!(utc_date(1_796_083_200), "2026-12-01");
        assert_eq!(utc_date(-1), "1969-12-31");
        assert_eq!(
            history_export_name(1_796_083_199),
            "megallm-history-2026-11-30.json"
        );
    }
}
