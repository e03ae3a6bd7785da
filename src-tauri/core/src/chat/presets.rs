//! System-prompt presets: the service's own use cases built in, plus the
//! user's. A preset is a system prompt and, for the one-click analyses
//! offered when a file is attached, the question that goes with it.
//!
//! Built-ins can be edited (the edit is saved under the same id and wins)
//! and reset (deleting the edit brings the original back); the user's own
//! are added, edited and deleted. The library is one JSON value, saved by
//! the app in its settings file and readable by the CLI.

use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::error::{AppError, ErrorCode};

/// When the composer offers a preset as a one-click analysis.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum PresetOffer {
    /// Only in the system-prompt picker.
    Never,
    /// When any file is attached.
    AnyFile,
    /// When a source-code file is attached.
    CodeFile,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export)]
pub struct Preset {
    pub id: String,
    pub name: String,
    pub system_prompt: String,
    /// The question a one-click analysis sends; empty for a plain preset.
    #[serde(default)]
    pub prompt: String,
    pub offer: PresetOffer,
    /// Shipped with the app (resetting restores it).
    #[serde(default)]
    pub builtin: bool,
}

/// The settings file's key that holds the library.
pub const PRESETS_KEY: &str = "presets";

/// The longest name and prompt a preset takes.
pub const MAX_PRESET_NAME: usize = 80;
pub const MAX_PRESET_TEXT: usize = 20_000;

/// The service's use cases (its documentation's examples), word for word.
pub fn builtin_presets() -> Vec<Preset> {
    vec![
        Preset {
            id: "document-analyst".into(),
            name: "Document analyst".into(),
            system_prompt: "You are a document analysis expert.".into(),
            prompt: "Analyze this document: main topics, key insights, summary.".into(),
            offer: PresetOffer::AnyFile,
            builtin: true,
        },
        Preset {
            id: "code-reviewer".into(),
            name: "Code reviewer".into(),
            system_prompt: "You are an expert code reviewer.".into(),
            prompt: "Review this code: bugs, performance, best practices, security.".into(),
            offer: PresetOffer::CodeFile,
            builtin: true,
        },
    ]
}

/// The user's presets and edits of built-ins, as saved.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct PresetLibrary {
    saved: Vec<Preset>,
}

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, message)
}

impl PresetLibrary {
    /// Reads the saved value; entries that do not parse are dropped (a
    /// hand-edited file must not cost the user the rest).
    pub fn from_value(value: Option<&Value>) -> Self {
        let saved = value
            .and_then(Value::as_array)
            .map(|items| {
                items
                    .iter()
                    .filter_map(|v| serde_json::from_value::<Preset>(v.clone()).ok())
                    .filter_map(|p| p.checked().ok())
                    .collect()
            })
            .unwrap_or_default();
        Self { saved }
    }

    pub fn to_value(&self) -> Value {
        serde_json::to_value(&self.saved).unwrap_or(Value::Array(Vec::new()))
    }

    /// Built-ins first (as edited), then the user's in the order added.
    pub fn list(&self) -> Vec<Preset> {
        let mut out: Vec<Preset> = builtin_presets()
            .into_iter()
            .map(|b| {
                self.saved
                    .iter()
                    .find(|p| p.id == b.id)
                    .cloned()
                    .map(|mut edited| {
                        edited.builtin = true;
                        edited
                    })
                    .unwrap_or(b)
            })
            .collect();
        let builtin_ids: Vec<String> = out.iter().map(|p| p.id.clone()).collect();
        out.extend(
            self.saved
                .iter()
                .filter(|p| !builtin_ids.contains(&p.id))
                .cloned(),
        );
        out
    }

    /// Adds a preset (an empty id gets a new one) or replaces the one with
    /// its id; returns it as saved.
    pub fn save(&mut self, preset: Preset) -> Result<Preset, AppError> {
        let mut preset = preset.checked()?;
        let is_builtin = builtin_presets().iter().any(|b| b.id == preset.id);
        preset.builtin = is_builtin;
        if preset.id.is_empty() {
            preset.id = self.new_id();
        }
        match self.saved.iter_mut().find(|p| p.id == preset.id) {
            Some(slot) => *slot = preset.clone(),
            None => self.saved.push(preset.clone()),
        }
        Ok(preset)
    }

    /// Deletes the user's preset, or resets an edited built-in.
    pub fn delete(&mut self, id: &str) {
        self.saved.retain(|p| p.id != id);
    }

    fn new_id(&self) -> String {
        (1..)
            .map(|n| format!("user-{n}"))
            .find(|id| !self.saved.iter().any(|p| &p.id == id))
            .unwrap_or_default()
    }
}

impl Preset {
    fn checked(mut self) -> Result<Self, AppError> {
        self.name = self.name.trim().to_owned();
        if self.name.is_empty() {
            return Err(invalid("Give the preset a name."));
        }
        if self.name.chars().count() > MAX_PRESET_NAME {
            return Err(invalid(format!(
                "A preset's name can be at most {MAX_PRESET_NAME} characters."
            )));
        }
        if self.system_prompt.trim().is_empty() {
            return Err(invalid("Write the preset's system prompt."));
        }
        if self.system_prompt.len() > MAX_PRESET_TEXT || self.prompt.len() > MAX_PRESET_TEXT {
            return Err(invalid(format!(
                "A preset's prompts can be at most {MAX_PRESET_TEXT} bytes each."
            )));
        }
        Ok(self)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn mine(name: &str) -> Preset {
        Preset {
            id: String::new(),
            name: name.into(),
            system_prompt: "You are terse.".into(),
            prompt: String::new(),
            offer: PresetOffer::Never,
            builtin: false,
        }
    }

    #[test]
    fn builtins_come_first_and_can_be_edited_and_reset() {
        let mut lib = PresetLibrary::default();
        let ids: Vec<_> = lib.list().into_iter().map(|p| p.id).collect();
        assert_eq!(ids, ["document-analyst", "code-reviewer"]);
        assert_eq!(
            lib.list()[1].system_prompt,
            "You are an expert code reviewer."
        );

        let mut edited = lib.list()[0].clone();
        edited.system_prompt = "You analyse documents in Russian.".into();
        edited.builtin = false;
        lib.save(edited).unwrap();
        let list = lib.list();
        assert_eq!(list.len(), 2, "an edit replaces, it does not add");
        assert_eq!(list[0].system_prompt, "You analyse documents in Russian.");
        assert!(list[0].builtin);

        lib.delete("document-analyst");
        assert_eq!(lib.list()[0], builtin_presets()[0], "reset");
    }

    #[test]
    fn the_users_presets_are_added_renamed_deleted_and_survive_a_round_trip() {
        let mut lib = PresetLibrary::default();
        let a = lib.save(mine("  Terse  ")).unwrap();
        let b = lib.save(mine("Second")).unwrap();
        assert_eq!(a.name, "Terse");
        assert_ne!(a.id, b.id);
        assert!(!a.builtin);
        let mut renamed = a.clone();
        renamed.name = "Short answers".into();
        lib.save(renamed).unwrap();

        let back = PresetLibrary::from_value(Some(&lib.to_value()));
        assert_eq!(back, lib);
        let names: Vec<_> = back.list().into_iter().map(|p| p.name).collect();
        assert_eq!(
            names,
            [
                "Document analyst",
                "Code reviewer",
                "Short answers",
                "Second"
            ]
        );
        lib.delete(&b.id);
        assert_eq!(lib.list().len(), 3);
        // A deleted id is not reused while another keeps its number.
        assert_eq!(lib.save(mine("Third")).unwrap().id, "user-2");
    }

    #[test]
    fn bad_presets_are_refused_and_bad_saved_entries_dropped() {
        let mut lib = PresetLibrary::default();
        assert_eq!(
            lib.save(mine(" ")).unwrap_err().message,
            "Give the preset a name."
        );
        let mut empty = mine("x");
        empty.system_prompt = "\n".into();
        assert!(lib.save(empty).is_err());
        let long = mine(&"n".repeat(MAX_PRESET_NAME + 1));
        assert!(lib.save(long).is_err());

        let saved = serde_json::json!([
            {"id": "user-1", "name": "Ok", "system_prompt": "Hi.", "offer": "never"},
            {"id": "user-2", "name": "", "system_prompt": "Hi.", "offer": "never"},
            {"nonsense": true},
            7
        ]);
        let lib = PresetLibrary::from_value(Some(&saved));
        assert_eq!(lib.list().len(), 3);
        assert_eq!(
            PresetLibrary::from_value(Some(&Value::Null)).list().len(),
            2
        );
    }
}
