//! A conversation turn end to end: store the user's message, stream the
//! reply, show it as it grows, keep it safe on disk, finish or fail cleanly.
//! Independent of Tauri: the app and the tests drive it with any sink.

mod render;
mod request;
mod send;
pub mod view;

pub use crate::store::SharedStore;
pub use render::{message_view, render_content};
pub use request::build_request;
pub use send::{RetryMode, SendMode, SendOptions, TurnOutcome, send_message};
pub use view::{ConversationView, MessageView, StreamUpdate, TurnResult};
