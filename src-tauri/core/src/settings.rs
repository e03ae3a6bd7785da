//! The user's settings: what they hold and what values are allowed. The app
//! keeps them in its settings file (tauri-plugin-store, one top-level JSON
//! key per field) and the CLI reads the same file. The API key is never here.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use ts_rs::TS;

use crate::api::DEFAULT_BASE_URL;
use crate::api::client::normalize_base_url;
use crate::api::models::DEFAULT_MODEL;
use crate::error::{AppError, ErrorCode};
use crate::store::types::SamplingSettings;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Theme {
    #[default]
    System,
    Light,
    Dark,
}

/// The language of the window. `System` follows the system locale (the UI
/// picks the first of the system's languages it has, else English).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum Language {
    #[default]
    System,
    En,
    Ru,
}

/// Requests in flight at once on MegaLLM's Basic tier (Pro allows 40).
pub const BASIC_TIER_CONCURRENCY: u32 = 10;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[serde(default)]
#[ts(export)]
pub struct Settings {
    pub base_url: String,
    pub default_model: String,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top_k: Option<u32>,
    pub theme: Theme,
    pub max_concurrent: u32,
    pub language: Language,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            base_url: DEFAULT_BASE_URL.to_owned(),
            default_model: DEFAULT_MODEL.to_owned(),
            max_tokens: None,
            temperature: None,
            top_p: None,
            top_k: None,
            theme: Theme::System,
            max_concurrent: BASIC_TIER_CONCURRENCY,
            language: Language::System,
        }
    }
}

fn invalid(msg: &str) -> AppError {
    AppError::new(ErrorCode::Config, msg)
}

impl Settings {
    /// The sampling a new conversation starts from.
    pub fn sampling_defaults(&self) -> SamplingSettings {
        SamplingSettings {
            max_tokens: self.max_tokens,
            temperature: self.temperature,
            top_p: self.top_p,
            top_k: self.top_k,
            stop_sequences: Vec::new(),
        }
    }

    /// Reads settings from the store's top-level keys; anything missing,
    /// malformed or out of range (a hand-edited file) falls back to its
    /// default rather than failing start-up. The same [`Settings::validated`]
    /// that guards saving decides, so the app and the CLI agree.
    pub fn from_map(map: &Map<String, Value>) -> Self {
        let valid = |m: Map<String, Value>| {
            serde_json::from_value::<Settings>(Value::Object(m))
                .ok()
                .and_then(|s| s.validated().ok())
        };
        if let Some(ok) = valid(map.clone()) {
            return ok;
        }
        // Each key that is of the wrong type or invalid on its own (beside
        // the defaults) is dropped; the others are kept.
        let mut good = Settings::default().to_map();
        for (key, value) in map {
            let mut trial = Settings::default().to_map();
            trial.insert(key.clone(), value.clone());
            if valid(trial).is_some() {
                good.insert(key.clone(), value.clone());
            } else {
                tracing::warn!(setting = %key, "ignoring an invalid stored setting");
            }
        }
        valid(good).unwrap_or_default()
    }

    /// The settings file at `path` (the app's `settings.json`), as
    /// [`Settings::from_map`] reads it; defaults when it is missing or not
    /// JSON. How the CLI sees what the app saved.
    pub fn load(path: &std::path::Path) -> Self {
        let map = std::fs::read_to_string(path)
            .ok()
            .and_then(|text| serde_json::from_str::<Map<String, Value>>(&text).ok())
            .unwrap_or_default();
        Self::from_map(&map)
    }

    /// Checks and normalizes what the user entered.
    pub fn validated(mut self) -> Result<Self, AppError> {
        self.base_url = normalize_base_url(&self.base_url).map_err(|e| e.to_app_error())?;
        if self.default_model.trim().is_empty() {
            return Err(invalid("Pick a default model."));
        }
        // The same limits as a conversation's sampling panel.
        crate::chat::check_sampling(&self.sampling_defaults(), None)
            .map_err(|e| invalid(&e.message))?;
        if !(1..=100).contains(&self.max_concurrent) {
            return Err(invalid(
                "Concurrent requests must be between 1 and 100 (Basic tier: 10, Pro: 40).",
            ));
        }
        Ok(self)
    }

    /// The settings as the store's top-level keys.
    pub fn to_map(&self) -> Map<String, Value> {
        match serde_json::to_value(self) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn round_trips_and_defaults_missing_keys() {
        let s = Settings {
            temperature: Some(0.5),
            theme: Theme::Dark,
            ..Settings::default()
        };
        assert_eq!(Settings::from_map(&s.to_map()), s);
        let partial: Map<String, Value> =
            serde_json::from_str(r#"{"base_url":"http://127.0.0.1:9"}"#).unwrap();
        let read = Settings::from_map(&partial);
        assert_eq!(read.base_url, "http://127.0.0.1:9");
        assert_eq!(read.max_concurrent, BASIC_TIER_CONCURRENCY);
        let broken: Map<String, Value> =
            serde_json::from_str(r#"{"base_url":"https://x","theme":42}"#).unwrap();
        assert_eq!(Settings::from_map(&broken).base_url, "https://x");
        let mixed: Map<String, Value> =
            serde_json::from_str(r#"{"language":"ru","theme":42,"max_concurrent":"many"}"#)
                .unwrap();
        let read = Settings::from_map(&mixed);
        assert_eq!(
            read.language,
            Language::Ru,
            "a good key survives a bad neighbour"
        );
        assert_eq!(read.theme, Theme::System);
        assert_eq!(read.max_concurrent, BASIC_TIER_CONCURRENCY);
        let unknown: Map<String, Value> = serde_json::from_str(r#"{"language":"tlh"}"#).unwrap();
        assert_eq!(Settings::from_map(&unknown).language, Language::System);
    }

    #[test]
    fn a_hand_edited_file_keeps_its_valid_fields_only() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("settings.json");
        std::fs::write(
            &path,
            r#"{"base_url":"http://127.0.0.1:9/v1/","temperature":7,"top_p":0.5,"max_concurrent":0}"#,
        )
        .unwrap();
        let s = Settings::load(&path);
        assert_eq!(s.base_url, "http://127.0.0.1:9", "normalized as on save");
        assert_eq!(s.temperature, None, "out of range: the default");
        assert_eq!(s.top_p, Some(0.5));
        assert_eq!(s.max_concurrent, BASIC_TIER_CONCURRENCY);
        std::fs::write(&path, r#"{"base_url":"ftp://nope"}"#).unwrap();
        assert_eq!(Settings::load(&path).base_url, DEFAULT_BASE_URL);
        std::fs::write(&path, "not json").unwrap();
        assert_eq!(Settings::load(&path), Settings::default());
        assert_eq!(
            Settings::load(&dir.path().join("missing")),
            Settings::default()
        );
    }

    #[test]
    fn validation() {
        let ok = Settings {
            base_url: "https://ai.megallm.io/v1/".into(),
            ..Settings::default()
        }
        .validated()
        .unwrap();
        assert_eq!(ok.base_url, "https://ai.megallm.io");
        for bad in [
            Settings {
                base_url: "ftp://x".into(),
                ..Settings::default()
            },
            Settings {
                base_url: "https://user:pw@x".into(),
                ..Settings::default()
            },
            Settings {
                temperature: Some(1.5),
                ..Settings::default()
            },
            Settings {
                top_p: Some(-0.1),
                ..Settings::default()
            },
            Settings {
                max_tokens: Some(0),
                ..Settings::default()
            },
            Settings {
                max_concurrent: 0,
                ..Settings::default()
            },
        ] {
            assert_eq!(bad.validated().unwrap_err().code, ErrorCode::Config);
        }
    }
}
