//! A client for Anthropic's Messages API, as MegaLLM and other compatible
//! services speak it: wire types, SSE, accumulation, errors, retries, models and the
//! catalogue built from them.

pub mod accumulate;
pub mod catalogue;
pub mod client;
pub mod decoder;
pub mod error;
pub mod models;
pub mod ratelimit;
pub mod retry;
pub mod sse;
pub mod types;

pub use client::{ApiKey, Client, ClientConfig, DEFAULT_BASE_URL, MessageStream};
pub use error::{ApiError, ApiErrorKind};
