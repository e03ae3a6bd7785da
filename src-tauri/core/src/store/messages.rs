//! Messages: append-only rows linked by `parent_id` into a tree. The path
//! from a root to a leaf is a branch; the conversation remembers which leaf
//! the user is on. Only a reply still streaming is ever updated in place
//! (a cut-off reply that the user continues streams again, in place).

use std::collections::{HashMap, HashSet};

use rusqlite::{Connection, OptionalExtension, Row, params};

use crate::api::types::Usage;

use super::conversations::ensure_live;
use super::error::{Result, StoreError};
use super::search::strip_markers;
use super::types::{
    ConversationId, FinishMessage, MessageId, MessageStatus, NewMessage, Role, StoredMessage,
    Timestamp,
};
use super::{Store, owner, usage};

const MAX_PAGE: usize = 1000;

const COLUMNS: &str = "id, conversation_id, parent_id, role, content, text, model, status,
    stop_reason, input_tokens, output_tokens, cache_creation_input_tokens,
    cache_read_input_tokens, error, created_at, first_token_at, finished_at";

pub(crate) const GET_SQL: &str =
    "SELECT id, conversation_id, parent_id, role, content, text, model, status,
    stop_reason, input_tokens, output_tokens, cache_creation_input_tokens,
    cache_read_input_tokens, error, created_at, first_token_at, finished_at
 FROM messages WHERE id = ?1";

/// Served by the partial index `messages_streaming`: start-up cost does not
/// depend on how many messages exist.
pub(crate) const RECOVER_SQL: &str = "SELECT id, owner FROM messages WHERE status = 'streaming'";

const INTERRUPT_SQL: &str =
    "UPDATE messages SET status = 'interrupted', owner = NULL, finished_at = coalesce(finished_at, ?2)
 WHERE id = ?1 AND status = 'streaming'";

pub(crate) fn role_str(r: Role) -> &'static str {
    match r {
        Role::User => "user",
        Role::Assistant => "assistant",
    }
}

pub(crate) fn status_str(s: MessageStatus) -> &'static str {
    match s {
        MessageStatus::Complete => "complete",
        MessageStatus::Streaming => "streaming",
        MessageStatus::Interrupted => "interrupted",
        MessageStatus::Error => "error",
    }
}

fn parse_role(s: &str) -> Result<Role> {
    match s {
        "user" => Ok(Role::User),
        "assistant" => Ok(Role::Assistant),
        other => Err(StoreError::corrupt("message role", other)),
    }
}

fn parse_status(s: &str) -> Result<MessageStatus> {
    match s {
        "complete" => Ok(MessageStatus::Complete),
        "streaming" => Ok(MessageStatus::Streaming),
        "interrupted" => Ok(MessageStatus::Interrupted),
        "error" => Ok(MessageStatus::Error),
        other => Err(StoreError::corrupt("message status", other)),
    }
}

fn tokens_out(v: Option<i64>) -> u64 {
    v.and_then(|v| u64::try_from(v).ok()).unwrap_or(0)
}

pub(crate) fn tokens_in(v: u64) -> i64 {
    i64::try_from(v).unwrap_or(i64::MAX)
}

/// The row's raw columns; JSON and enums are parsed outside rusqlite's
/// closure so their errors keep their own type.
struct RawMessage {
    id: MessageId,
    conversation_id: ConversationId,
    parent_id: Option<MessageId>,
    role: String,
    content: String,
    text: String,
    model: Option<String>,
    status: String,
    stop_reason: Option<String>,
    tokens: [Option<i64>; 4],
    error: Option<String>,
    created_at: Timestamp,
    first_token_at: Option<Timestamp>,
    finished_at: Option<Timestamp>,
}

fn raw_from_row(r: &Row<'_>) -> rusqlite::Result<RawMessage> {
    Ok(RawMessage {
        id: r.get(0)?,
        conversation_id: r.get(1)?,
        parent_id: r.get(2)?,
        role: r.get(3)?,
        content: r.get(4)?,
        text: r.get(5)?,
        model: r.get(6)?,
        status: r.get(7)?,
        stop_reason: r.get(8)?,
        tokens: [r.get(9)?, r.get(10)?, r.get(11)?, r.get(12)?],
        error: r.get(13)?,
        created_at: r.get(14)?,
        first_token_at: r.get(15)?,
        finished_at: r.get(16)?,
    })
}

impl RawMessage {
    fn parse(self) -> Result<StoredMessage> {
        let [input, output, cache_creation, cache_read] = self.tokens;
        let usage = (input.is_some() || output.is_some()).then(|| Usage {
            input_tokens: tokens_out(input),
            output_tokens: tokens_out(output),
            cache_creation_input_tokens: cache_creation.and_then(|v| u64::try_from(v).ok()),
            cache_read_input_tokens: cache_read.and_then(|v| u64::try_from(v).ok()),
        });
        Ok(StoredMessage {
            id: self.id,
            conversation_id: self.conversation_id,
            parent_id: self.parent_id,
            role: parse_role(&self.role)?,
            content: serde_json::from_str(&self.content)
                .map_err(|e| StoreError::corrupt("message content", e))?,
            text: self.text,
            model: self.model,
            status: parse_status(&self.status)?,
            stop_reason: self.stop_reason,
            usage,
            error: self.error,
            created_at: self.created_at,
            first_token_at: self.first_token_at,
            finished_at: self.finished_at,
        })
    }
}

pub(crate) fn get_opt(conn: &Connection, id: MessageId) -> Result<Option<StoredMessage>> {
    conn.prepare_cached(GET_SQL)?
        .query_row([id], raw_from_row)
        .optional()?
        .map(RawMessage::parse)
        .transpose()
}

pub(crate) fn get(conn: &Connection, id: MessageId) -> Result<StoredMessage> {
    get_opt(conn, id)?.ok_or(StoreError::NotFound("message"))
}

/// Every message of a conversation, oldest first, with its time to first
/// token (export).
pub(crate) fn all_in_conversation(
    conn: &Connection,
    conversation_id: ConversationId,
) -> Result<Vec<(StoredMessage, Option<Timestamp>)>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages WHERE conversation_id = ?1 ORDER BY id"
    ))?;
    let raws = stmt
        .query_map([conversation_id], raw_from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    raws.into_iter()
        .map(|r| {
            let first = r.first_token_at;
            Ok((r.parse()?, first))
        })
        .collect()
}

/// A message row with every field given: appends and imports.
/// `owner` is stamped on a streaming row (see [`owner`]).
pub(crate) fn insert(
    conn: &Connection,
    m: &StoredMessage,
    owner: Option<&str>,
) -> Result<MessageId> {
    let u = m.usage.as_ref();
    conn.prepare_cached(
        "INSERT INTO messages (conversation_id, parent_id, role, content, text, model, status,
            stop_reason, input_tokens, output_tokens, cache_creation_input_tokens,
            cache_read_input_tokens, error, created_at, first_token_at, finished_at, owner)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17)",
    )?
    .execute(params![
        m.conversation_id,
        m.parent_id,
        role_str(m.role),
        serde_json::to_string(&m.content)?,
        strip_markers(&m.text),
        m.model,
        status_str(m.status),
        m.stop_reason,
        u.map(|u| tokens_in(u.input_tokens)),
        u.map(|u| tokens_in(u.output_tokens)),
        u.and_then(|u| u.cache_creation_input_tokens).map(tokens_in),
        u.and_then(|u| u.cache_read_input_tokens).map(tokens_in),
        m.error,
        m.created_at,
        m.first_token_at,
        m.finished_at,
        owner.filter(|_| m.status == MessageStatus::Streaming),
    ])?;
    Ok(conn.last_insert_rowid())
}

/// A parent must be a message of the same conversation.
fn check_parent(
    conn: &Connection,
    conversation_id: ConversationId,
    parent: MessageId,
) -> Result<()> {
    let owner: Option<ConversationId> = conn
        .prepare_cached("SELECT conversation_id FROM messages WHERE id = ?1")?
        .query_row([parent], |r| r.get(0))
        .optional()?;
    match owner {
        Some(c) if c == conversation_id => Ok(()),
        Some(_) => Err(StoreError::invalid(format!(
            "Message {parent} belongs to another conversation"
        ))),
        None => Err(StoreError::NotFound("message")),
    }
}

pub(crate) fn set_leaf(
    conn: &Connection,
    conversation_id: ConversationId,
    leaf: MessageId,
) -> Result<()> {
    conn.prepare_cached("UPDATE conversations SET current_leaf_id = ?2 WHERE id = ?1")?
        .execute([conversation_id, leaf])?;
    Ok(())
}

/// The end of the branch through `id` that follows the newest child at each
/// step.
fn newest_leaf_below(conn: &Connection, id: MessageId) -> Result<MessageId> {
    let mut leaf = id;
    let mut newest_child =
        conn.prepare_cached("SELECT max(id) FROM messages WHERE parent_id = ?1")?;
    while let Some(child) = newest_child.query_row([leaf], |r| r.get::<_, Option<MessageId>>(0))? {
        leaf = child;
    }
    Ok(leaf)
}

/// The message `id` of a live conversation.
fn get_live(conn: &Connection, id: MessageId) -> Result<StoredMessage> {
    let m = get(conn, id)?;
    ensure_live(conn, m.conversation_id).map_err(|_| StoreError::NotFound("message"))?;
    Ok(m)
}

fn not_streaming(conn: &Connection, id: MessageId) -> StoreError {
    match get_opt(conn, id) {
        Ok(Some(_)) => StoreError::invalid(format!(
            "Message {id} is no longer streaming; a finished message is never rewritten"
        )),
        Ok(None) => StoreError::NotFound("message"),
        Err(e) => e,
    }
}

impl Store {
    /// Stores a message in its own committed transaction, makes it the
    /// conversation's current leaf and bumps the conversation's activity
    /// time. To edit a message or regenerate a reply, append a sibling (same
    /// `parent_id`): the old branch stays.
    pub fn append_message(&mut self, m: &NewMessage) -> Result<MessageId> {
        let owner = self.owner.clone();
        self.write(|tx, now| {
            ensure_live(tx, m.conversation_id)?;
            if let Some(p) = m.parent_id {
                check_parent(tx, m.conversation_id, p)?;
            }
            let done = m.status != MessageStatus::Streaming;
            let id = insert(
                tx,
                &StoredMessage {
                    id: 0,
                    conversation_id: m.conversation_id,
                    parent_id: m.parent_id,
                    role: m.role,
                    content: m.content.clone(),
                    text: m.text.clone(),
                    model: m.model.clone(),
                    status: m.status,
                    stop_reason: None,
                    usage: None,
                    error: None,
                    created_at: now,
                    first_token_at: None,
                    finished_at: done.then_some(now),
                },
                Some(&owner),
            )?;
            tx.prepare_cached(
                "UPDATE conversations SET updated_at = ?2, current_leaf_id = ?3 WHERE id = ?1",
            )?
            .execute([m.conversation_id, now, id])?;
            Ok(id)
        })
    }

    /// Saves a streaming reply's text so far, so a crash loses at most the
    /// text since the last checkpoint. Records the time of the first text.
    pub fn checkpoint_message(
        &mut self,
        id: MessageId,
        content: &serde_json::Value,
        text: &str,
    ) -> Result<()> {
        let content = serde_json::to_string(content)?;
        let text = strip_markers(text);
        self.write(|tx, now| {
            let n = tx
                .prepare_cached(
                    "UPDATE messages SET content = ?2, text = ?3,
                        first_token_at = coalesce(first_token_at, CASE WHEN ?3 <> '' THEN ?4 END)
                     WHERE id = ?1 AND status = 'streaming'",
                )?
                .execute(params![id, content, text, now])?;
            if n == 0 {
                return Err(not_streaming(tx, id));
            }
            Ok(())
        })
    }

    /// Writes a reply's final state, once, and adds its usage to the day's
    /// record for its model.
    pub fn finish_message(&mut self, id: MessageId, f: &FinishMessage) -> Result<()> {
        if f.status == MessageStatus::Streaming {
            return Err(StoreError::invalid(
                "A finished message cannot have the status \"streaming\"",
            ));
        }
        let content = serde_json::to_string(&f.content)?;
        let text = strip_markers(&f.text);
        // Whose tokens these are: the reply's model, else the conversation's.
        let model: Option<String> = self
            .conn
            .prepare_cached(
                "SELECT coalesce(m.model, c.model) FROM messages m
                 JOIN conversations c ON c.id = m.conversation_id WHERE m.id = ?1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?;
        let cost = match (&f.usage, &model) {
            (Some(u), Some(m)) => self.pricing.get(m).map(|p| usage::cost_usd(u, p)),
            _ => None,
        };
        self.write(|tx, now| {
            let u = f.usage.as_ref();
            let n = tx
                .prepare_cached(
                    "UPDATE messages SET content = ?2, text = ?3, status = ?4, stop_reason = ?5,
                        input_tokens = ?6, output_tokens = ?7, cache_creation_input_tokens = ?8,
                        cache_read_input_tokens = ?9, error = ?10, finished_at = ?11, owner = NULL,
                        first_token_at = coalesce(first_token_at, CASE WHEN ?3 <> '' THEN ?11 END)
                     WHERE id = ?1 AND status = 'streaming'",
                )?
                .execute(params![
                    id,
                    content,
                    text,
                    status_str(f.status),
                    f.stop_reason,
                    u.map(|u| tokens_in(u.input_tokens)),
                    u.map(|u| tokens_in(u.output_tokens)),
                    u.and_then(|u| u.cache_creation_input_tokens).map(tokens_in),
                    u.and_then(|u| u.cache_read_input_tokens).map(tokens_in),
                    f.error,
                    now,
                ])?;
            if n == 0 {
                return Err(not_streaming(tx, id));
            }
            if let (Some(u), Some(model)) = (u, &model) {
                usage::record(tx, now, model, u, cost)?;
            }
            Ok(())
        })
    }

    /// Reopens a cut-off reply (interrupted or failed) so that a
    /// continuation streams into it: its content becomes `content`/`text`
    /// (what the continuation is built on), it is `streaming` again and the
    /// active branch ends at it. Only the last message of its branch can be
    /// continued: a reply that was already answered keeps its place.
    pub fn resume_message(
        &mut self,
        id: MessageId,
        content: &serde_json::Value,
        text: &str,
    ) -> Result<StoredMessage> {
        let content_json = serde_json::to_string(content)?;
        let text = strip_markers(text);
        let owner = self.owner.clone();
        self.write(|tx, now| {
            let m = get_live(tx, id)?;
            if m.role != Role::Assistant
                || !matches!(m.status, MessageStatus::Interrupted | MessageStatus::Error)
            {
                return Err(StoreError::invalid(
                    "Only a reply that was cut off or failed can be continued",
                ));
            }
            let answered: bool = tx
                .prepare_cached("SELECT EXISTS(SELECT 1 FROM messages WHERE parent_id = ?1)")?
                .query_row([id], |r| r.get(0))?;
            if answered {
                return Err(StoreError::invalid(
                    "This reply already has an answer below it; regenerate it instead",
                ));
            }
            tx.prepare_cached(
                "UPDATE messages SET content = ?2, text = ?3, status = 'streaming', error = NULL,
                    finished_at = NULL, owner = ?4 WHERE id = ?1",
            )?
            .execute(params![id, content_json, text, owner])?;
            tx.prepare_cached("UPDATE conversations SET updated_at = ?2 WHERE id = ?1")?
                .execute([m.conversation_id, now])?;
            set_leaf(tx, m.conversation_id, id)?;
            get(tx, id)
        })
    }

    /// Marks every reply left `streaming` by a crash or kill as `interrupted`,
    /// keeping its partial text. A reply whose writer is still running (the
    /// CLI, another window) is left alone: see [`owner`]. Safe to call at any
    /// time; the app calls it at start-up. Returns how many were recovered.
    pub fn recover_interrupted(&mut self) -> Result<usize> {
        // Looked at first without the write lock, so that a start-up beside
        // another process's long write (or a lock) waits only when there is
        // something to recover.
        let dead = self
            .conn
            .prepare_cached(RECOVER_SQL)?
            .query_map([], |r| r.get::<_, Option<String>>(1))?
            .collect::<rusqlite::Result<Vec<_>>>()?
            .into_iter()
            .any(|who| !owner::is_alive(who.as_deref()));
        if !dead {
            return Ok(0);
        }
        self.write(|tx, now| {
            let streaming = tx
                .prepare_cached(RECOVER_SQL)?
                .query_map([], |r| {
                    Ok((r.get::<_, MessageId>(0)?, r.get::<_, Option<String>>(1)?))
                })?
                .collect::<rusqlite::Result<Vec<_>>>()?;
            let mut recovered = 0;
            for (id, who) in streaming {
                if !owner::is_alive(who.as_deref()) {
                    recovered += tx
                        .prepare_cached(INTERRUPT_SQL)?
                        .execute(params![id, now])?;
                }
            }
            Ok(recovered)
        })
    }

    /// The leaf of the conversation's active branch: the parent for the next
    /// message. `None` while the conversation is empty.
    pub fn current_leaf(&self, conversation_id: ConversationId) -> Result<Option<MessageId>> {
        Ok(super::conversations::get(&self.conn, conversation_id)?.current_leaf_id)
    }

    /// A message of a live conversation.
    pub fn get_message(&self, id: MessageId) -> Result<StoredMessage> {
        get_live(&self.conn, id)
    }

    /// Up to `limit` messages of the active branch, oldest first, ending at
    /// the current leaf, or, to page back, just before `before`. `has_more`
    /// says whether older messages exist. Walks only `limit` parent links, so
    /// the cost does not depend on the conversation's length.
    pub fn open_page(
        &self,
        conversation_id: ConversationId,
        before: Option<MessageId>,
        limit: u32,
    ) -> Result<(Vec<StoredMessage>, bool)> {
        let conv = super::conversations::get(&self.conn, conversation_id)?;
        let start = match before {
            Some(b) => {
                let m = get(&self.conn, b)?;
                if m.conversation_id != conversation_id {
                    return Err(StoreError::invalid(format!(
                        "Message {b} belongs to another conversation"
                    )));
                }
                m.parent_id
            }
            None => match conv.current_leaf_id {
                Some(leaf) => Some(leaf),
                // Not normally reachable (every append sets the leaf), but
                // a hand-repaired file still opens on its newest message.
                None => self
                    .conn
                    .prepare_cached("SELECT max(id) FROM messages WHERE conversation_id = ?1")?
                    .query_row([conversation_id], |r| r.get(0))?,
            },
        };
        let limit = (limit as usize).clamp(1, MAX_PAGE);
        let mut page = Vec::with_capacity(limit);
        let mut next = start;
        while let Some(id) = next {
            if page.len() == limit {
                break;
            }
            let m = get(&self.conn, id)?;
            if m.conversation_id != conversation_id {
                return Err(StoreError::corrupt(
                    "message chain",
                    format!("message {id} is linked from another conversation"),
                ));
            }
            next = m.parent_id;
            page.push(m);
        }
        page.reverse();
        Ok((page, next.is_some()))
    }

    /// The whole branch from its root to `leaf`, oldest first: what the next
    /// request to the API is built from.
    pub fn branch_messages(&self, leaf: MessageId) -> Result<Vec<StoredMessage>> {
        let last = get_live(&self.conn, leaf)?;
        let mut seen = HashSet::from([last.id]);
        let mut next = last.parent_id;
        let mut chain = vec![last];
        while let Some(id) = next {
            if !seen.insert(id) {
                return Err(StoreError::corrupt(
                    "message chain",
                    format!("cycle at {id}"),
                ));
            }
            let m = get(&self.conn, id)?;
            next = m.parent_id;
            chain.push(m);
        }
        chain.reverse();
        Ok(chain)
    }

    /// The versions of a message (itself included), oldest first: messages
    /// with the same parent, e.g. the original and its edits, or regenerated
    /// replies. The UI shows "2 / 3" and switches with [`Store::select_branch`].
    pub fn siblings(&self, id: MessageId) -> Result<Vec<MessageId>> {
        let m = get_live(&self.conn, id)?;
        let ids = match m.parent_id {
            Some(p) => self
                .conn
                .prepare_cached("SELECT id FROM messages WHERE parent_id = ?1 ORDER BY id")?
                .query_map([p], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            None => self
                .conn
                .prepare_cached(
                    "SELECT id FROM messages WHERE conversation_id = ?1 AND parent_id IS NULL ORDER BY id",
                )?
                .query_map([m.conversation_id], |r| r.get(0))?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        Ok(ids)
    }

    /// The versions of each of `ids` that has more than one (see
    /// [`Store::siblings`]), in two queries for a whole page of messages.
    pub fn versions_of(&self, ids: &[MessageId]) -> Result<HashMap<MessageId, Vec<MessageId>>> {
        let mut out = HashMap::new();
        if ids.is_empty() {
            return Ok(out);
        }
        let json = serde_json::to_string(ids).map_err(|e| StoreError::invalid(e.to_string()))?;
        // Each message's family: its parent's children (by the parent
        // index), or for a first message the conversation's roots.
        let mut stmt = self.conn.prepare_cached(
            "SELECT m.id, s.id FROM messages m JOIN messages s ON s.parent_id = m.parent_id
             WHERE m.id IN (SELECT value FROM json_each(?1))
             UNION ALL
             SELECT m.id, s.id FROM messages m
             JOIN messages s ON s.conversation_id = m.conversation_id AND s.parent_id IS NULL
             WHERE m.id IN (SELECT value FROM json_each(?1)) AND m.parent_id IS NULL
             ORDER BY 1, 2",
        )?;
        let mut rows = stmt.query([json])?;
        let mut family: HashMap<MessageId, Vec<MessageId>> = HashMap::new();
        while let Some(r) = rows.next()? {
            family.entry(r.get(0)?).or_default().push(r.get(1)?);
        }
        for (id, versions) in family {
            if versions.len() > 1 {
                out.insert(id, versions);
            }
        }
        Ok(out)
    }

    /// Deletes message `id` and every message below it (its replies, their
    /// versions, their files and search entries), as one transaction. A
    /// single message is never cut out of the middle: its replies would hang
    /// off a message they never answered. When the branch on screen went,
    /// the conversation moves to the newest remaining version of `id`, or
    /// else to `id`'s parent. Usage records stay: the tokens were spent.
    /// Returns how many messages went.
    pub fn delete_message(&mut self, id: MessageId) -> Result<usize> {
        self.write(|tx, _| {
            let m = get_live(tx, id)?;
            let subtree: Vec<(MessageId, bool)> = tx
                .prepare_cached(
                    "WITH RECURSIVE below(id) AS (
                         SELECT ?1 UNION ALL
                         SELECT m.id FROM messages m JOIN below b ON m.parent_id = b.id)
                     SELECT m.id, m.status = 'streaming' FROM below b
                     JOIN messages m ON m.id = b.id ORDER BY m.id DESC",
                )?
                .query_map([id], |r| Ok((r.get(0)?, r.get(1)?)))?
                .collect::<rusqlite::Result<_>>()?;
            if subtree.iter().any(|&(_, streaming)| streaming) {
                return Err(StoreError::invalid(
                    "A reply below this message is still streaming: stop it before deleting",
                ));
            }
            let leaf: Option<MessageId> = tx
                .prepare_cached("SELECT current_leaf_id FROM conversations WHERE id = ?1")?
                .query_row([m.conversation_id], |r| r.get(0))?;
            let leaf_goes = leaf.is_some_and(|l| subtree.iter().any(|&(s, _)| s == l));
            // Children before parents (ids grow down a branch), so no delete
            // cascades: a cascade down a long branch would recurse once per
            // message, past SQLite's trigger depth.
            let mut files = tx.prepare_cached(
                "SELECT EXISTS (SELECT 1 FROM message_attachments WHERE message_id = ?1)",
            )?;
            let mut delete = tx.prepare_cached("DELETE FROM messages WHERE id = ?1")?;
            let mut had_files = false;
            for &(sid, _) in &subtree {
                had_files |= files.query_row([sid], |r| r.get::<_, bool>(0))?;
                delete.execute([sid])?;
            }
            tx.prepare_cached(
                "UPDATE conversations SET message_count = max(message_count - ?2, 0) WHERE id = ?1",
            )?
            .execute(params![m.conversation_id, subtree.len() as i64])?;
            if leaf_goes {
                // Below the parent, the newest remaining version leads down
                // its newest branch; with none left, the parent is the leaf.
                let new_leaf = match m.parent_id {
                    Some(p) => Some(newest_leaf_below(tx, p)?),
                    None => tx
                        .prepare_cached(
                            "SELECT max(id) FROM messages
                             WHERE conversation_id = ?1 AND parent_id IS NULL",
                        )?
                        .query_row([m.conversation_id], |r| r.get::<_, Option<MessageId>>(0))?
                        .map(|root| newest_leaf_below(tx, root))
                        .transpose()?,
                };
                tx.prepare_cached("UPDATE conversations SET current_leaf_id = ?2 WHERE id = ?1")?
                    .execute(params![m.conversation_id, new_leaf])?;
            }
            if had_files {
                super::attachments::delete_orphan_blobs(tx)?;
            }
            Ok(subtree.len())
        })
    }

    /// Makes the branch through `id` the active one: the current leaf becomes
    /// the newest message below `id` (following the newest child at each
    /// step). Returns that leaf.
    pub fn select_branch(&mut self, id: MessageId) -> Result<MessageId> {
        self.write(|tx, _| {
            let m = get_live(tx, id)?;
            let leaf = newest_leaf_below(tx, m.id)?;
            set_leaf(tx, m.conversation_id, leaf)?;
            Ok(leaf)
        })
    }
}
