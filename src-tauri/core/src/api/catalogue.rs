//! The model catalogue the app's picker and `megallm models` show: one
//! policy for both. The service's list, narrowed to what `/v1/messages`
//! serves; the built-in list, marked as such and with a warning, when the
//! list cannot be had or names nothing usable; an error, never a fallback,
//! when the key is rejected (a fallback would hide a broken set-up).

use serde::Serialize;
use tokio::sync::Mutex;
use ts_rs::TS;

use super::client::Client;
use super::error::{ApiError, ApiErrorKind};
use super::models::{ModelInfo, Pricing, seed_models};
use crate::error::AppError;

/// Where a catalogue's models come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum CatalogueSource {
    /// Fetched from the service just now.
    Live,
    /// The service's list fetched earlier in this run.
    Cached,
    /// The models shipped with the app: the service's list was not had.
    Builtin,
}

#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct ModelCatalogue {
    pub models: Vec<ModelInfo>,
    pub source: CatalogueSource,
    /// Why the built-in list is shown; the UI's notice, the CLI's stderr.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub warning: Option<String>,
}

/// Which models a catalogue keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Scope {
    /// Those `/v1/messages` serves (the picker).
    #[default]
    MessagesApi,
    /// Every chat model the service names (`megallm models --all`).
    All,
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum CatalogueError {
    /// 401 or 403 on the list: the key (or its plan) is the problem.
    #[error("the service rejected the key: {0}")]
    KeyRejected(ApiError),
}

impl CatalogueError {
    pub fn to_app_error(&self) -> AppError {
        match self {
            CatalogueError::KeyRejected(e) => e.to_app_error(),
        }
    }
}

const NOTHING_USABLE: &str =
    "The service listed no model this app can use; showing the built-in list.";

impl ModelCatalogue {
    /// The shipped models, marked, with the reason they are shown.
    pub fn builtin(warning: impl Into<String>) -> Self {
        Self {
            models: seed_models(),
            source: CatalogueSource::Builtin,
            warning: Some(warning.into()),
        }
    }

    /// The policy applied to a list the service gave. An empty result is
    /// never reported as the service's: the built-in list is, with a warning.
    pub fn from_list(list: Vec<ModelInfo>, scope: Scope) -> Self {
        let models: Vec<ModelInfo> = list
            .into_iter()
            .filter(|m| scope == Scope::All || m.messages_api)
            .collect();
        if models.is_empty() {
            return Self::builtin(NOTHING_USABLE);
        }
        Self {
            models,
            source: CatalogueSource::Live,
            warning: None,
        }
    }

    /// The prices the service published, by model id, for usage records.
    pub fn prices(&self) -> Vec<(String, Pricing)> {
        self.models
            .iter()
            .filter_map(|m| m.pricing.clone().map(|p| (m.id.clone(), p)))
            .collect()
    }
}

fn key_rejected(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Service {
            kind: ApiErrorKind::Authentication | ApiErrorKind::Permission,
            ..
        }
    )
}

/// Asks the service and applies the policy. Only a rejected key is an
/// error; an unreachable or failing service gives the built-in list.
pub async fn fetch(client: &Client, scope: Scope) -> Result<ModelCatalogue, CatalogueError> {
    match client.list_models().await {
        Ok(list) => Ok(ModelCatalogue::from_list(list, scope)),
        Err(e) if key_rejected(&e) => Err(CatalogueError::KeyRejected(e)),
        Err(e) => {
            tracing::warn!(error = %e, "model list unavailable; using the built-in list");
            Ok(ModelCatalogue::builtin(format!(
                "Could not list the service's models, so the built-in list is shown. {}",
                e.to_app_error().message
            )))
        }
    }
}

/// The service's catalogue kept for a run, so the picker does not ask the
/// service each time it opens. Only a live list is kept: after a fallback
/// or an error the next call asks again.
#[derive(Debug, Default)]
pub struct CatalogueCache {
    kept: Mutex<Option<(Scope, ModelCatalogue)>>,
}

impl CatalogueCache {
    pub fn new() -> Self {
        Self::default()
    }

    /// The kept catalogue (marked `cached`) unless `refresh`, else a fresh one.
    pub async fn get(
        &self,
        client: &Client,
        scope: Scope,
        refresh: bool,
    ) -> Result<ModelCatalogue, CatalogueError> {
        // Held across the fetch: callers arriving meanwhile wait for its
        // answer instead of asking the service again.
        let mut kept = self.kept.lock().await;
        if !refresh
            && let Some((kept_scope, catalogue)) = kept.as_ref()
            && *kept_scope == scope
        {
            return Ok(ModelCatalogue {
                source: CatalogueSource::Cached,
                ..catalogue.clone()
            });
        }
        let fresh = fetch(client, scope).await.inspect_err(|_| *kept = None)?;
        if fresh.source == CatalogueSource::Live {
            *kept = Some((scope, fresh.clone()));
        }
        Ok(fresh)
    }

    /// The base URL or key changed: the kept list may not be theirs.
    pub async fn clear(&self) {
        *self.kept.lock().await = None;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model(id: &str, messages_api: bool) -> ModelInfo {
        let mut m = seed_models().remove(0);
        id.clone_into(&mut m.id);
        m.messages_api = messages_api;
        m
    }

    #[test]
    fn scope_narrows_and_an_empty_result_falls_back() {
        let list = vec![model("claude-x", true), model("gpt-x", false)];
        let picker = ModelCatalogue::from_list(list.clone(), Scope::MessagesApi);
        assert_eq!(picker.source, CatalogueSource::Live);
        assert_eq!(picker.models.len(), 1);
        assert_eq!(ModelCatalogue::from_list(list, Scope::All).models.len(), 2);
        let none = ModelCatalogue::from_list(vec![model("gpt-x", false)], Scope::MessagesApi);
        assert_eq!(none.source, CatalogueSource::Builtin);
        assert_eq!(none.warning.as_deref(), Some(NOTHING_USABLE));
        assert_eq!(none.models, seed_models());
    }
}
