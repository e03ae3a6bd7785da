//! MegaLLM Desktop's core: everything that does not need a window.
//!
//! The Tauri shell (`src-tauri/src`) and the `megallm` command line are thin
//! layers over this crate; it must never depend on Tauri, GTK or WebKit so that
//! it builds and is tested on a machine without a display.

pub mod api;
pub mod chat;
pub mod config;
pub mod documents;
pub mod error;
pub mod highlight;
pub mod markdown;
pub mod secrets;
pub mod settings;
pub mod store;

pub use error::{AppError, ErrorCode};
