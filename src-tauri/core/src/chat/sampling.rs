//! The limits of the sampling controls, in one place: the settings form,
//! the per-conversation panel and the requests all take them from here.

use serde::Serialize;
use ts_rs::TS;

use crate::api::models::ModelInfo;
use crate::error::{AppError, ErrorCode};
use crate::store::types::{ConversationSettings, SamplingSettings};

/// What the API accepts, as the UI shows it.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct SamplingLimits {
    pub temperature_min: f64,
    pub temperature_max: f64,
    pub top_p_min: f64,
    pub top_p_max: f64,
    pub top_k_min: u32,
    /// The reply budget's ceiling when the model list gives none.
    pub max_tokens_fallback: u32,
    pub max_stop_sequences: usize,
    pub max_stop_sequence_chars: usize,
    pub max_system_prompt_bytes: usize,
}

pub const SAMPLING_LIMITS: SamplingLimits = SamplingLimits {
    temperature_min: 0.0,
    temperature_max: 1.0,
    top_p_min: 0.0,
    top_p_max: 1.0,
    top_k_min: 1,
    // Claude Sonnet 4's output ceiling, the largest of the seed models'.
    max_tokens_fallback: 64_000,
    max_stop_sequences: 16,
    max_stop_sequence_chars: 200,
    // Far beyond any prompt a person writes, well inside a context window.
    max_system_prompt_bytes: 200_000,
};

fn invalid(message: impl Into<String>) -> AppError {
    AppError::new(ErrorCode::InvalidInput, message)
}

/// The reply budget's ceiling for `model`.
pub fn max_tokens_limit(model: Option<&ModelInfo>) -> u32 {
    model
        .and_then(|m| m.max_output_tokens)
        .and_then(|n| u32::try_from(n).ok())
        .unwrap_or(SAMPLING_LIMITS.max_tokens_fallback)
}

/// Checks sampling choices against [`SAMPLING_LIMITS`] and `model`'s reply
/// ceiling, with a message that says what to change.
pub fn check_sampling(s: &SamplingSettings, model: Option<&ModelInfo>) -> Result<(), AppError> {
    let l = &SAMPLING_LIMITS;
    if let Some(t) = s.temperature
        && !(l.temperature_min..=l.temperature_max).contains(&t)
    {
        return Err(invalid(format!(
            "Temperature must be between {} and {}.",
            l.temperature_min, l.temperature_max
        )));
    }
    if let Some(p) = s.top_p
        && !(l.top_p_min..=l.top_p_max).contains(&p)
    {
        return Err(invalid(format!(
            "Top-p must be between {} and {}.",
            l.top_p_min, l.top_p_max
        )));
    }
    if s.top_k.is_some_and(|k| k < l.top_k_min) {
        return Err(invalid(format!("Top-k must be at least {}.", l.top_k_min)));
    }
    let ceiling = max_tokens_limit(model);
    if let Some(n) = s.max_tokens
        && !(1..=ceiling).contains(&n)
    {
        return Err(invalid(format!(
            "Max tokens must be between 1 and {ceiling} for this model."
        )));
    }
    if s.stop_sequences.len() > l.max_stop_sequences {
        return Err(invalid(format!(
            "Use at most {} stop sequences.",
            l.max_stop_sequences
        )));
    }
    if s.stop_sequences.iter().any(|q| q.is_empty()) {
        return Err(invalid("A stop sequence cannot be empty."));
    }
    if s.stop_sequences
        .iter()
        .any(|q| q.chars().count() > l.max_stop_sequence_chars)
    {
        return Err(invalid(format!(
            "A stop sequence can be at most {} characters.",
            l.max_stop_sequence_chars
        )));
    }
    Ok(())
}

/// A conversation's model, system prompt and sampling as the panel saves
/// them: checked, the prompt trimmed (an empty one is none).
pub fn checked_conversation_settings(
    mut c: ConversationSettings,
    model: Option<&ModelInfo>,
) -> Result<ConversationSettings, AppError> {
    if c.model.trim().is_empty() {
        return Err(invalid("Pick a model."));
    }
    check_sampling(&c.sampling, model)?;
    c.system_prompt = c
        .system_prompt
        .map(|p| p.trim().to_owned())
        .filter(|p| !p.is_empty());
    if c.system_prompt
        .as_ref()
        .is_some_and(|p| p.len() > SAMPLING_LIMITS.max_system_prompt_bytes)
    {
        return Err(invalid("The system prompt is too long (at most 200 KB)."));
    }
    Ok(c)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn with(f: impl FnOnce(&mut SamplingSettings)) -> Result<(), AppError> {
        let mut s = SamplingSettings::default();
        f(&mut s);
        check_sampling(&s, None)
    }

    #[test]
    fn each_limit_is_enforced_with_its_message() {
        assert!(with(|_| {}).is_ok());
        assert!(with(|s| s.temperature = Some(1.0)).is_ok());
        let msg = |r: Result<(), AppError>| r.err().map(|e| e.message).unwrap_or_default();
        assert_eq!(
            msg(with(|s| s.temperature = Some(1.01))),
            "Temperature must be between 0 and 1."
        );
        assert_eq!(
            msg(with(|s| s.top_p = Some(-0.1))),
            "Top-p must be between 0 and 1."
        );
        assert_eq!(
            msg(with(|s| s.top_k = Some(0))),
            "Top-k must be at least 1."
        );
        assert_eq!(
            msg(with(|s| s.max_tokens = Some(64_001))),
            "Max tokens must be between 1 and 64000 for this model."
        );
        assert_eq!(
            msg(with(|s| s.stop_sequences = vec![String::new()])),
            "A stop sequence cannot be empty."
        );
        assert!(with(|s| s.stop_sequences = vec!["x".into(); 17]).is_err());
    }

    #[test]
    fn the_models_own_ceiling_wins() {
        let mut m = crate::api::models::seed_models().remove(0);
        m.max_output_tokens = Some(8192);
        let s = SamplingSettings {
            max_tokens: Some(8193),
            ..SamplingSettings::default()
        };
        assert!(check_sampling(&s, Some(&m)).is_err());
        m.max_output_tokens = Some(32_000);
        assert!(check_sampling(&s, Some(&m)).is_ok());
    }

    #[test]
    fn an_empty_system_prompt_is_none() {
        let c = ConversationSettings {
            model: "claude-sonnet-4".into(),
            system_prompt: Some("  \n".into()),
            sampling: SamplingSettings::default(),
        };
        assert_eq!(
            checked_conversation_settings(c, None)
                .ok()
                .and_then(|c| c.system_prompt),
            None
        );
    }
}
