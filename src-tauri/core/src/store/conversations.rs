//! Conversations: create, settings, list, pin, archive, soft delete.

use rusqlite::{Connection, OptionalExtension, Row, params};

use super::error::{Result, StoreError};
use super::types::{
    Conversation, ConversationId, ConversationPage, ConversationSettings, ConversationSummary,
    ListCursor, ListQuery, NewConversation, SamplingSettings, Timestamp,
};
use super::{Store, title};

const MAX_PAGE: u32 = 500;

pub(crate) const GET_SQL: &str =
    "SELECT id, title, model, system_prompt, sampling, pinned, archived,
        created_at, updated_at, current_leaf_id
 FROM conversations WHERE id = ?1 AND deleted_at IS NULL";

// Both read the `conversations_list` index in order and stop after the page:
// the `deleted_at IS NULL` term is what lets the planner use the partial
// index, and the row-value comparison is a range on it, not a filter.
pub(crate) const LIST_FIRST_SQL: &str =
    "SELECT id, title, model, pinned, archived, created_at, updated_at, message_count
 FROM conversations
 WHERE deleted_at IS NULL AND archived = ?1
 ORDER BY pinned DESC, updated_at DESC, id DESC
 LIMIT ?2";

pub(crate) const LIST_AFTER_SQL: &str =
    "SELECT id, title, model, pinned, archived, created_at, updated_at, message_count
 FROM conversations
 WHERE deleted_at IS NULL AND archived = ?1 AND (pinned, updated_at, id) < (?3, ?4, ?5)
 ORDER BY pinned DESC, updated_at DESC, id DESC
 LIMIT ?2";

fn conversation_from_row(r: &Row<'_>) -> rusqlite::Result<(Conversation, String)> {
    Ok((
        Conversation {
            id: r.get(0)?,
            title: r.get(1)?,
            model: r.get(2)?,
            system_prompt: r.get(3)?,
            sampling: SamplingSettings::default(),
            pinned: r.get(5)?,
            archived: r.get(6)?,
            created_at: r.get(7)?,
            updated_at: r.get(8)?,
            current_leaf_id: r.get(9)?,
        },
        r.get(4)?,
    ))
}

fn summary_from_row(r: &Row<'_>) -> rusqlite::Result<ConversationSummary> {
    Ok(ConversationSummary {
        id: r.get(0)?,
        title: r.get(1)?,
        model: r.get(2)?,
        pinned: r.get(3)?,
        archived: r.get(4)?,
        created_at: r.get(5)?,
        updated_at: r.get(6)?,
        message_count: r.get(7)?,
    })
}

pub(crate) fn get(conn: &Connection, id: ConversationId) -> Result<Conversation> {
    let row = conn
        .prepare_cached(GET_SQL)?
        .query_row([id], conversation_from_row)
        .optional()?;
    let (mut c, sampling) = row.ok_or(StoreError::NotFound("conversation"))?;
    c.sampling =
        serde_json::from_str(&sampling).map_err(|e| StoreError::corrupt("sampling setting", e))?;
    Ok(c)
}

/// Fails with `NotFound` unless the conversation exists and is not deleted.
/// Deletes a conversation's row with its messages, files' links and search
/// entries. The messages' links to their parents go first: otherwise each
/// deleted message cascades to its reply, one trigger level per message,
/// and a branch longer than SQLite's trigger depth (1,000) fails to delete.
pub(crate) fn erase(conn: &Connection, id: ConversationId) -> Result<()> {
    conn.prepare_cached(
        "UPDATE messages SET parent_id = NULL WHERE conversation_id = ?1 AND parent_id IS NOT NULL",
    )?
    .execute([id])?;
    conn.prepare_cached("DELETE FROM conversations WHERE id = ?1")?
        .execute([id])?;
    Ok(())
}

pub(crate) fn ensure_live(conn: &Connection, id: ConversationId) -> Result<()> {
    let live = conn
        .prepare_cached("SELECT 1 FROM conversations WHERE id = ?1 AND deleted_at IS NULL")?
        .exists([id])?;
    if live {
        Ok(())
    } else {
        Err(StoreError::NotFound("conversation"))
    }
}

fn model_name(model: &str) -> Result<String> {
    let m = model.trim();
    if m.is_empty() {
        return Err(StoreError::invalid("A conversation needs a model"));
    }
    Ok(m.to_owned())
}

pub(crate) fn sampling_json(s: &SamplingSettings) -> Result<String> {
    serde_json::to_string(s).map_err(|e| StoreError::invalid(format!("Bad sampling settings: {e}")))
}

/// A conversation row with every field given: creation and import.
#[allow(clippy::too_many_arguments)]
pub(crate) fn insert(
    conn: &Connection,
    title: &str,
    model: &str,
    system_prompt: Option<&str>,
    sampling: &SamplingSettings,
    pinned: bool,
    archived: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
) -> Result<ConversationId> {
    let title = match title::clean_title(title) {
        t if t.is_empty() => title::DEFAULT_TITLE.to_owned(),
        t => t,
    };
    conn.prepare_cached(
        "INSERT INTO conversations
            (title, model, system_prompt, sampling, pinned, archived, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    )?
    .execute(params![
        title,
        model_name(model)?,
        system_prompt,
        sampling_json(sampling)?,
        pinned,
        archived,
        created_at,
        updated_at
    ])?;
    Ok(conn.last_insert_rowid())
}

/// Runs an UPDATE of one live conversation; `NotFound` when none matched.
fn update_one(conn: &Connection, sql: &str, params: &[&dyn rusqlite::ToSql]) -> Result<()> {
    if conn.prepare_cached(sql)?.execute(params)? == 0 {
        return Err(StoreError::NotFound("conversation"));
    }
    Ok(())
}

pub(super) const PURGE_CHECK_SQL: &str = "SELECT EXISTS(SELECT 1 FROM conversations \
     WHERE deleted_at IS NOT NULL AND deleted_at < ?1)";

impl Store {
    pub fn create_conversation(&mut self, new: &NewConversation) -> Result<ConversationId> {
        self.write(|tx, now| {
            insert(
                tx,
                &new.title,
                &new.model,
                new.system_prompt.as_deref(),
                &new.sampling,
                false,
                false,
                now,
                now,
            )
        })
    }

    /// A live (not deleted) conversation's settings.
    pub fn get_conversation(&self, id: ConversationId) -> Result<Conversation> {
        get(&self.conn, id)
    }

    /// Model, system prompt and sampling apply to the next request; the list
    /// order (last activity) does not change.
    pub fn update_conversation_settings(
        &mut self,
        id: ConversationId,
        settings: &ConversationSettings,
    ) -> Result<()> {
        let model = model_name(&settings.model)?;
        let sampling = sampling_json(&settings.sampling)?;
        self.write(|tx, _| {
            update_one(
                tx,
                "UPDATE conversations SET model = ?2, system_prompt = ?3, sampling = ?4
                 WHERE id = ?1 AND deleted_at IS NULL",
                &[&id, &model, &settings.system_prompt, &sampling],
            )
        })
    }

    /// Whitespace is collapsed and the title capped; an empty title is
    /// refused rather than silently replaced.
    pub fn rename_conversation(&mut self, id: ConversationId, title: &str) -> Result<()> {
        let title = title::clean_title(title);
        if title.is_empty() {
            return Err(StoreError::invalid("A conversation title cannot be empty"));
        }
        self.write(|tx, _| {
            update_one(
                tx,
                "UPDATE conversations SET title = ?2 WHERE id = ?1 AND deleted_at IS NULL",
                &[&id, &title],
            )
        })
    }

    pub fn set_pinned(&mut self, id: ConversationId, pinned: bool) -> Result<()> {
        self.write(|tx, _| {
            update_one(
                tx,
                "UPDATE conversations SET pinned = ?2 WHERE id = ?1 AND deleted_at IS NULL",
                &[&id, &pinned],
            )
        })
    }

    pub fn set_archived(&mut self, id: ConversationId, archived: bool) -> Result<()> {
        self.write(|tx, _| {
            update_one(
                tx,
                "UPDATE conversations SET archived = ?2 WHERE id = ?1 AND deleted_at IS NULL",
                &[&id, &archived],
            )
        })
    }

    /// Hides the conversation everywhere (list, search, open, export) until
    /// [`Store::restore_conversation`] or [`Store::purge_deleted`].
    pub fn delete_conversation(&mut self, id: ConversationId) -> Result<()> {
        self.write(|tx, now| {
            update_one(
                tx,
                "UPDATE conversations SET deleted_at = ?2 WHERE id = ?1 AND deleted_at IS NULL",
                &[&id, &now],
            )
        })
    }

    /// Undoes [`Store::delete_conversation`]; it returns to its old place.
    pub fn restore_conversation(&mut self, id: ConversationId) -> Result<()> {
        self.write(|tx, _| {
            update_one(
                tx,
                "UPDATE conversations SET deleted_at = NULL WHERE id = ?1 AND deleted_at IS NOT NULL",
                &[&id],
            )
        })
    }

    /// Erases conversations deleted before `older_than`, with their messages,
    /// attachments and search entries, and any file no message links to any
    /// more. Usage records stay. Returns how many conversations went.
    pub fn purge_deleted(&mut self, older_than: Timestamp) -> Result<usize> {
        // Checked without the write lock first: most starts have nothing to
        // purge and must not wait for another process's writer.
        let any: bool = self
            .conn
            .query_row(PURGE_CHECK_SQL, [older_than], |r| r.get(0))?;
        if !any {
            return Ok(0);
        }
        self.write(|tx, _| {
            let doomed: Vec<ConversationId> = tx
                .prepare_cached(
                    "SELECT id FROM conversations WHERE deleted_at IS NOT NULL AND deleted_at < ?1",
                )?
                .query_map([older_than], |r| r.get(0))?
                .collect::<rusqlite::Result<_>>()?;
            for &id in &doomed {
                erase(tx, id)?;
            }
            let n = doomed.len();
            if n > 0 {
                super::attachments::delete_orphan_blobs(tx)?;
            }
            Ok(n)
        })
    }

    /// One page of the list: pinned first, then by last activity, newest
    /// first; ties broken by id so paging never skips or repeats a row.
    pub fn list_conversations(&self, q: &ListQuery) -> Result<ConversationPage> {
        let limit = q.limit.clamp(1, MAX_PAGE);
        // One extra row says whether another page exists.
        let fetch = i64::from(limit) + 1;
        let mut items = match &q.cursor {
            None => self
                .conn
                .prepare_cached(LIST_FIRST_SQL)?
                .query_map(params![q.archived, fetch], summary_from_row)?
                .collect::<rusqlite::Result<Vec<_>>>()?,
            Some(c) => self
                .conn
                .prepare_cached(LIST_AFTER_SQL)?
                .query_map(
                    params![q.archived, fetch, c.pinned, c.updated_at, c.id],
                    summary_from_row,
                )?
                .collect::<rusqlite::Result<Vec<_>>>()?,
        };
        let more = items.len() > limit as usize;
        items.truncate(limit as usize);
        let next_cursor = if more {
            items.last().map(|s| ListCursor {
                pinned: s.pinned,
                updated_at: s.updated_at,
                id: s.id,
            })
        } else {
            None
        };
        Ok(ConversationPage { items, next_cursor })
    }
}
