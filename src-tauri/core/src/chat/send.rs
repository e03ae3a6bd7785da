//! One turn: the user's message is committed before anything is sent, the
//! reply is streamed into a message row that is checkpointed as it grows, and
//! whatever happens the row ends complete, interrupted or failed with every
//! byte that arrived.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::Duration;

use serde::Deserialize;
use serde_json::{Value, json};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::attachments::{
    PreparedFile, file_blocks_by_message, has_originals, stream_with_document_fallback,
    stream_with_pdf_fallback,
};
use super::render::{message_view, message_view_in};
use super::request::build_request;
use super::view::{MessageView, StreamUpdate, TurnResult};
use crate::api::types::{ContentBlock, ContentDelta, MessageResponse, StreamEvent};
use crate::api::{ApiError, Client};
use crate::error::{AppError, ErrorCode};
use crate::markdown::StreamRenderer;
use crate::store::types::{
    Conversation, ConversationId, ConversationSettings, MessageId, MessageStatus, NewAttachment,
    Role, SamplingSettings, StoredMessage,
};
use crate::store::{
    FinishMessage, NewConversation, NewMessage, SharedStore, Store, StoreError, now_ms,
    title_from_first_exchange,
};

#[derive(Debug, Clone)]
pub struct SendOptions {
    /// None starts a new conversation.
    pub conversation_id: Option<ConversationId>,
    pub text: String,
    /// The model for a new conversation, or to switch an existing one to.
    pub model: String,
    /// A new conversation's system prompt; for an existing one, `Some`
    /// replaces its prompt from this message on (a one-click analysis).
    pub system_prompt: Option<String>,
    pub sampling: SamplingSettings,
    /// Files stored with the user's message and sent before its text.
    pub attachments: Vec<PreparedFile>,
    /// A new message (the default), or another go at an existing reply.
    pub mode: SendMode,
    /// How often rendered deltas go to the UI: about once a frame.
    pub flush_interval: Duration,
    /// How often the growing reply is written to disk.
    pub checkpoint_interval: Duration,
    pub checkpoint_bytes: usize,
}

impl SendOptions {
    pub fn new(
        conversation_id: Option<ConversationId>,
        text: impl Into<String>,
        model: impl Into<String>,
    ) -> Self {
        Self {
            conversation_id,
            text: text.into(),
            model: model.into(),
            system_prompt: None,
            sampling: SamplingSettings::default(),
            attachments: Vec::new(),
            mode: SendMode::NewMessage,
            flush_interval: Duration::from_millis(16),
            checkpoint_interval: Duration::from_millis(500),
            checkpoint_bytes: 4096,
        }
    }
}

/// How a turn ended.
#[derive(Debug)]
pub struct TurnOutcome {
    pub conversation_id: ConversationId,
    /// The conversation's title after the turn.
    pub title: String,
    /// The reply as stored.
    pub assistant: MessageView,
    /// The complete message when the reply finished.
    pub response: Option<MessageResponse>,
    /// Why it did not finish.
    pub error: Option<ApiError>,
}

impl TurnOutcome {
    /// What the app's send command returns.
    pub fn result(&self) -> TurnResult {
        TurnResult {
            conversation_id: self.conversation_id,
            title: self.title.clone(),
            message: self.assistant.clone(),
            error: self.error.as_ref().map(ApiError::to_app_error),
        }
    }
}

fn content_text(content: &[ContentBlock]) -> String {
    let mut text = String::new();
    for t in content.iter().filter_map(ContentBlock::as_text) {
        if !text.is_empty() {
            text.push_str("\n\n");
        }
        text.push_str(t);
    }
    text
}

/// What a turn answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SendMode {
    /// The user's new message (`SendOptions::text`).
    #[default]
    NewMessage,
    /// A new reply to the same question as this assistant message; the old
    /// reply stays as another branch.
    Regenerate(MessageId),
    /// Carries on a cut-off reply in place: what arrived is sent back as the
    /// start of the reply (an assistant prefill) and the rest is appended.
    Continue(MessageId),
    /// The user's message `id` again with `SendOptions::text` (and its
    /// files), as a new version beside it, answered afresh; the original
    /// and everything under it stay as another branch.
    Edit(MessageId),
}

/// Another go at a reply, as the UI asks for it (see [`SendMode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, ts_rs::TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum RetryMode {
    Regenerate,
    Continue,
}

impl SendMode {
    /// The mode for another go at reply `id`.
    pub fn retry(mode: RetryMode, id: MessageId) -> Self {
        match mode {
            RetryMode::Regenerate => SendMode::Regenerate(id),
            RetryMode::Continue => SendMode::Continue(id),
        }
    }
}

/// Everything a turn needs once its rows are stored.
struct Prepared {
    /// The question being answered (already stored) and its context.
    question: Question,
    assistant_id: MessageId,
    /// The text a continued reply already has.
    prefix: String,
    /// The message whose place the reply takes in the view.
    replaces: Option<MessageId>,
}

/// Sends the user's text (or regenerates or continues a reply, see
/// [`SendMode`]) and streams the reply into `sink`.
///
/// Errors before the user's message is stored (no such conversation, a
/// broken database) are returned as `Err` and nothing is kept, so the UI can
/// give the text back to the composer. From `Started` on, every failure is
/// reported through the sink as `Failed` and in the outcome.
pub async fn send_message(
    store: &SharedStore,
    client: &Client,
    opts: SendOptions,
    cancel: CancellationToken,
    mut sink: impl FnMut(StreamUpdate) + Send,
) -> Result<TurnOutcome, AppError> {
    let prepared = match opts.mode {
        SendMode::NewMessage => prepare_new(store, &opts).await?,
        SendMode::Regenerate(id) => prepare_regenerate(store, &opts, id).await?,
        SendMode::Continue(id) => prepare_continue(store, &opts, id).await?,
        SendMode::Edit(id) => prepare_edit(store, &opts, id).await?,
    };
    let Prepared {
        question:
            Question {
                conversation,
                user,
                user_view,
                branch,
                files,
                files_as_text,
            },
        assistant_id,
        prefix,
        replaces,
    } = prepared;

    sink(StreamUpdate::Started {
        conversation_id: conversation.id,
        user_message: user_view,
        assistant_message_id: assistant_id,
        replaces,
    });

    let request = build_request(&conversation, &branch, &files);
    let turn = Turn {
        store,
        assistant_id,
        model: conversation.model.clone(),
        created_at: now_ms(),
        opts: &opts,
        prefix,
    };
    // Told before the wait, so a reply beyond the limit shows as queued
    // rather than silent; another send can take the last slot between this
    // look and the request, and then the wait goes unannounced.
    let queued = client.is_saturated();
    if queued {
        sink(StreamUpdate::Queued {
            limit: u32::try_from(client.max_concurrent()).unwrap_or(u32::MAX),
        });
    }
    let opened = match files_as_text {
        Some(as_text) => {
            let as_text = build_request(&conversation, &branch, &as_text);
            stream_with_pdf_fallback(client, request, as_text, cancel).await
        }
        None => stream_with_document_fallback(client, request, cancel).await,
    };
    let (partial, error) = match opened {
        Ok(mut stream) => {
            if queued {
                sink(StreamUpdate::Streaming);
            }
            turn.pump(&mut stream, &mut sink).await
        }
        Err(e) => (None, Some(e)),
    };
    turn.finish(conversation.id, &user, partial, error, &mut sink)
        .await
}

/// A new user message and an empty streaming reply below it, each in its
/// own transaction: the user's is durable before the request goes out; the
/// assistant's row exists so a crash mid-reply leaves a visible, interrupted
/// message.
async fn prepare_new(store: &SharedStore, opts: &SendOptions) -> Result<Prepared, AppError> {
    // Files alone are a message too: the model reads them and answers.
    if opts.text.trim().is_empty() && opts.attachments.is_empty() {
        return Err(AppError::new(
            ErrorCode::InvalidRequest,
            "Type a message first.",
        ));
    }
    let text = opts.text.clone();
    let names: Vec<&str> = opts.attachments.iter().map(PreparedFile::name).collect();
    let first_title = title_from_first_exchange(&text, &names.join(", "));
    let model = opts.model.clone();
    let system_prompt = opts.system_prompt.clone();
    let sampling = opts.sampling.clone();
    let conversation_id = opts.conversation_id;
    let user_content = user_content(&text);
    let files: Vec<_> = opts
        .attachments
        .iter()
        .flat_map(PreparedFile::to_new_attachments)
        .collect();
    store
        .write(move |s| {
            let conversation_id = match conversation_id {
                Some(id) => {
                    if let Some(prompt) = system_prompt {
                        let c = s.get_conversation(id)?;
                        s.update_conversation_settings(
                            id,
                            &ConversationSettings {
                                model: c.model,
                                system_prompt: Some(prompt),
                                sampling: c.sampling,
                            },
                        )?;
                    }
                    id
                }
                None => s.create_conversation(&NewConversation {
                    title: first_title,
                    model: model.clone(),
                    system_prompt,
                    sampling,
                })?,
            };
            let parent_id = s.current_leaf(conversation_id)?;
            let user_id = s.append_message_with_files(
                &NewMessage {
                    conversation_id,
                    parent_id,
                    role: Role::User,
                    content: user_content,
                    text: text.clone(),
                    model: None,
                    status: MessageStatus::Complete,
                },
                &files,
            )?;
            fresh_reply(s, conversation_id, user_id, model, None)
        })
        .await
}

/// A user message's content: its text as one block, or none when the
/// message is its files alone.
fn user_content(text: &str) -> Value {
    if text.trim().is_empty() {
        json!([])
    } else {
        json!([{"type": "text", "text": text}])
    }
}

/// An empty streaming reply under the user message `user_id`, and what the
/// request is built from.
fn fresh_reply(
    s: &mut Store,
    conversation_id: ConversationId,
    user_id: MessageId,
    model: String,
    replaces: Option<MessageId>,
) -> Result<Prepared, StoreError> {
    let assistant_id = append_reply(s, conversation_id, user_id, &model)?;
    Ok(Prepared {
        question: question(s, conversation_id, user_id, model)?,
        assistant_id,
        prefix: String::new(),
        replaces,
    })
}

/// A new, empty reply beside the assistant message `id`.
async fn prepare_regenerate(
    store: &SharedStore,
    opts: &SendOptions,
    id: MessageId,
) -> Result<Prepared, AppError> {
    let model = opts.model.clone();
    store
        .write(move |s| {
            let old = s.get_message(id)?;
            let user_id = match (old.role, old.parent_id) {
                (Role::Assistant, Some(parent)) => parent,
                _ => return Err(StoreError::invalid("Only a reply can be regenerated")),
            };
            fresh_reply(s, old.conversation_id, user_id, model, Some(id))
        })
        .await
}

/// A new version of the user's message `id` (same parent, the new text,
/// the same files) and an empty reply under it.
async fn prepare_edit(
    store: &SharedStore,
    opts: &SendOptions,
    id: MessageId,
) -> Result<Prepared, AppError> {
    let model = opts.model.clone();
    let text = opts.text.clone();
    store
        .write(move |s| {
            let old = s.get_message(id)?;
            if old.role != Role::User {
                return Err(StoreError::invalid("Only your own messages can be edited"));
            }
            // The files go with the new version: the same stored bytes
            // (kept once, by hash) under new rows.
            let mut files = Vec::new();
            for a in s.attachments_for(id)? {
                files.push(NewAttachment {
                    bytes: s.attachment_bytes(a.id)?,
                    name: a.name,
                    media_type: a.media_type,
                    extracted_text: a.extracted_text,
                    details: a.details,
                });
            }
            if text.trim().is_empty() && files.is_empty() {
                return Err(StoreError::invalid("Type a message first."));
            }
            let user_id = s.append_message_with_files(
                &NewMessage {
                    conversation_id: old.conversation_id,
                    parent_id: old.parent_id,
                    role: Role::User,
                    content: user_content(&text),
                    text: text.clone(),
                    model: None,
                    status: MessageStatus::Complete,
                },
                &files,
            )?;
            fresh_reply(s, old.conversation_id, user_id, model, Some(id))
        })
        .await
}

/// The cut-off reply `id`, streaming again. Only its text is carried on:
/// a half-received thinking or tool block cannot be sent back, and the API
/// refuses a prefill that ends in whitespace.
async fn prepare_continue(
    store: &SharedStore,
    opts: &SendOptions,
    id: MessageId,
) -> Result<Prepared, AppError> {
    let model = opts.model.clone();
    store
        .write(move |s| {
            let old = s.get_message(id)?;
            let prefix = old.text.trim_end().to_owned();
            let content = if prefix.is_empty() {
                json!([])
            } else {
                json!([{"type": "text", "text": prefix}])
            };
            let resumed = s.resume_message(id, &content, &prefix)?;
            // The reply so far closes the request: the model picks up from it.
            Ok(Prepared {
                question: question(s, resumed.conversation_id, id, model)?,
                assistant_id: id,
                prefix,
                replaces: Some(id),
            })
        })
        .await
}

fn append_reply(
    s: &mut Store,
    conversation_id: ConversationId,
    user_id: MessageId,
    model: &str,
) -> Result<MessageId, StoreError> {
    s.append_message(&NewMessage {
        conversation_id,
        parent_id: Some(user_id),
        role: Role::Assistant,
        content: json!([]),
        text: String::new(),
        model: Some(model.to_owned()),
        status: MessageStatus::Streaming,
    })
}

/// What a reply answers: the conversation (answered by the turn's model),
/// the branch that ends at the request's last message, the question on it
/// (its last user message) and the stored files of the branch's messages.
struct Question {
    conversation: Conversation,
    user: StoredMessage,
    /// The question as the view shows it: its files and versions.
    user_view: MessageView,
    branch: Vec<StoredMessage>,
    files: HashMap<MessageId, Vec<ContentBlock>>,
    /// The same files all as text, when some PDF goes as itself: what is
    /// sent instead if the service refuses it.
    files_as_text: Option<HashMap<MessageId, Vec<ContentBlock>>>,
}

fn question(
    s: &Store,
    conversation_id: ConversationId,
    leaf: MessageId,
    model: String,
) -> Result<Question, StoreError> {
    let mut conversation = s.get_conversation(conversation_id)?;
    conversation.model = model;
    let branch = s.branch_messages(leaf)?;
    let user = branch
        .iter()
        .rfind(|m| m.role == Role::User)
        .cloned()
        .ok_or(StoreError::NotFound("message"))?;
    let ids: Vec<MessageId> = branch.iter().map(|m| m.id).collect();
    // One query for the branch's files; the all-text variant is built only
    // when some PDF goes as itself.
    let mut stored = s.attachments_for_messages(&ids)?;
    let files = file_blocks_by_message(s, &stored, true)?;
    let files_as_text = if has_originals(&stored) {
        Some(file_blocks_by_message(s, &stored, false)?)
    } else {
        None
    };
    let user_files = stored.remove(&user.id).unwrap_or_default();
    let user_view = message_view_in(s, &user, &user_files)?;
    Ok(Question {
        conversation,
        user,
        user_view,
        branch,
        files,
        files_as_text,
    })
}

struct Turn<'a> {
    store: &'a SharedStore,
    assistant_id: MessageId,
    model: String,
    created_at: i64,
    opts: &'a SendOptions,
    /// What a continued reply already said; the stream's text follows it.
    prefix: String,
}

impl Turn<'_> {
    /// Reads the stream to its end, sending a rendered delta about once a
    /// frame and checkpointing to disk every half second or few KB. Returns
    /// the message as far as it got and the error that stopped it, if any.
    async fn pump(
        &self,
        stream: &mut crate::api::MessageStream,
        sink: &mut (impl FnMut(StreamUpdate) + Send),
    ) -> (Option<MessageResponse>, Option<ApiError>) {
        let mut renderer = StreamRenderer::new();
        let mut pending = String::new();
        let mut last_text_block: Option<usize> = None;
        let mut next_flush: Option<Instant> = None;
        // When a delta last went out: text after a quiet spell goes at once,
        // text in a burst waits for the interval since that one (at most one
        // flush an interval either way, without adding a frame of latency to
        // a reply that arrives slowly).
        let mut last_flush: Option<Instant> = None;
        let mut last_checkpoint = Instant::now();
        let mut unsaved_bytes = 0usize;
        // A continued reply is shown whole again, then grows.
        if !self.prefix.is_empty() {
            pending.push_str(&self.prefix);
            flush(&mut renderer, &mut pending, sink);
        }
        let error = loop {
            let event = tokio::select! {
                biased;
                e = stream.next_event() => e,
                _ = sleep_until_opt(next_flush) => {
                    flush(&mut renderer, &mut pending, sink);
                    next_flush = None;
                    last_flush = Some(Instant::now());
                    continue;
                }
            };
            match event {
                None => break None,
                Some(Err(e)) => break Some(e),
                Some(Ok(StreamEvent::ContentBlockDelta {
                    index,
                    delta: ContentDelta::TextDelta { text },
                })) => {
                    // Separate text blocks the way the final render will.
                    if last_text_block.is_some_and(|i| i != index) {
                        pending.push_str("\n\n");
                    }
                    last_text_block = Some(index);
                    pending.push_str(&text);
                    unsaved_bytes += text.len();
                    if next_flush.is_none() {
                        let now = Instant::now();
                        next_flush = Some(
                            last_flush.map_or(now, |at| (at + self.opts.flush_interval).max(now)),
                        );
                    }
                }
                Some(Ok(_)) => {}
            }
            // A stream that never pauses would starve the timer branch.
            if next_flush.is_some_and(|at| at <= Instant::now()) {
                flush(&mut renderer, &mut pending, sink);
                next_flush = None;
                last_flush = Some(Instant::now());
            }
            if unsaved_bytes > 0
                && (unsaved_bytes >= self.opts.checkpoint_bytes
                    || last_checkpoint.elapsed() >= self.opts.checkpoint_interval)
            {
                if let Some(snapshot) = stream.snapshot() {
                    self.checkpoint(snapshot).await;
                }
                unsaved_bytes = 0;
                last_checkpoint = Instant::now();
            }
        };
        flush(&mut renderer, &mut pending, sink);
        match error {
            None => (stream.snapshot().cloned(), None),
            Some(e) => {
                let partial = e.partial().cloned().or_else(|| stream.snapshot().cloned());
                (partial, Some(e))
            }
        }
    }

    /// The reply's blocks: a continued reply's prefix joined to what the
    /// stream brought. A fresh reply's blocks are borrowed as they are, so a
    /// checkpoint copies nothing it did not copy before.
    fn whole<'b>(&self, streamed: &'b [ContentBlock]) -> Cow<'b, [ContentBlock]> {
        if self.prefix.is_empty() {
            return Cow::Borrowed(streamed);
        }
        let (more, rest) = match streamed.first().and_then(ContentBlock::as_text) {
            Some(text) => (text, &streamed[1..]),
            None => ("", streamed),
        };
        let mut blocks = Vec::with_capacity(rest.len() + 1);
        blocks.push(ContentBlock::text(format!("{}{more}", self.prefix)));
        blocks.extend_from_slice(rest);
        Cow::Owned(blocks)
    }

    async fn checkpoint(&self, snapshot: &MessageResponse) {
        let blocks = self.whole(&snapshot.content);
        let content = serde_json::to_value(&blocks).unwrap_or(Value::Array(vec![]));
        let text = content_text(&blocks);
        let id = self.assistant_id;
        // A failed checkpoint must not stop the stream; the final write retries.
        if let Err(e) = self
            .store
            .write(move |s| s.checkpoint_message(id, &content, &text))
            .await
        {
            tracing::warn!(error = %e, "checkpoint failed");
        }
    }

    async fn finish(
        &self,
        conversation_id: ConversationId,
        user: &StoredMessage,
        partial: Option<MessageResponse>,
        error: Option<ApiError>,
        sink: &mut (impl FnMut(StreamUpdate) + Send),
    ) -> Result<TurnOutcome, AppError> {
        let blocks = self.whole(partial.as_ref().map_or(&[][..], |m| &m.content));
        let text = content_text(&blocks);
        let status = match &error {
            None => MessageStatus::Complete,
            Some(ApiError::Cancelled { .. }) => MessageStatus::Interrupted,
            Some(_) if !text.is_empty() => MessageStatus::Interrupted,
            Some(_) => MessageStatus::Error,
        };
        let app_error = error.as_ref().map(ApiError::to_app_error);
        let finish = FinishMessage {
            content: serde_json::to_value(&blocks).unwrap_or(Value::Array(vec![])),
            text: text.clone(),
            status,
            stop_reason: partial.as_ref().and_then(|m| m.stop_reason.clone()),
            usage: partial.as_ref().map(|m| m.usage.clone()),
            error: app_error.as_ref().map(|e| e.message.clone()),
        };
        let id = self.assistant_id;
        let unsaved = StoredMessage {
            id,
            conversation_id,
            parent_id: Some(user.id),
            role: Role::Assistant,
            content: finish.content.clone(),
            text: finish.text.clone(),
            model: Some(self.model.clone()),
            status: finish.status,
            stop_reason: finish.stop_reason.clone(),
            usage: finish.usage.clone(),
            error: finish.error.clone(),
            created_at: self.created_at,
            first_token_at: None,
            finished_at: Some(now_ms()),
        };
        // Read back what was stored: the UI shows exactly what a reload would.
        let retry = finish.clone();
        let saved = self
            .store
            .write(move |s| {
                s.finish_message(id, &finish)?;
                let stored = s.get_message(id)?;
                Ok((
                    message_view_in(s, &stored, &[])?,
                    s.get_conversation(conversation_id)?.title,
                ))
            })
            .await;
        let (view, title) = match saved {
            Ok(saved) => saved,
            Err(e) => {
                // A full disk, say: the checkpoints are on disk, the reply
                // stays on screen with what to do, and its final state is
                // written with the next write once there is room again.
                if e.code.cured_by_waiting() {
                    self.store.finish_later(id, retry);
                }
                sink(StreamUpdate::Failed {
                    error: e.clone(),
                    message: message_view(&unsaved, &[]),
                });
                return Err(e);
            }
        };
        match &app_error {
            None => sink(StreamUpdate::Finished {
                message: view.clone(),
            }),
            Some(e) => sink(StreamUpdate::Failed {
                error: e.clone(),
                message: view.clone(),
            }),
        }
        Ok(TurnOutcome {
            conversation_id,
            title,
            assistant: view,
            response: if error.is_none() { partial } else { None },
            error,
        })
    }
}

fn flush(
    renderer: &mut StreamRenderer,
    pending: &mut String,
    sink: &mut (impl FnMut(StreamUpdate) + Send),
) {
    if pending.is_empty() {
        return;
    }
    let d = renderer.push(pending);
    sink(StreamUpdate::Delta {
        append_html: d.append_html,
        tail_html: d.tail_html,
        tail_text: d.tail_text,
        text: std::mem::take(pending),
    });
}

async fn sleep_until_opt(at: Option<Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}
