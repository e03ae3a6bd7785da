//! Attached files. Bytes live once per distinct content in
//! `attachment_blobs`, keyed by SHA-256, away from the messages table and
//! the search index; `message_attachments` links them to messages with the
//! name the user gave and the text extracted for search.

use std::collections::HashMap;

use rusqlite::{Connection, OptionalExtension, Row, params};
use sha2::{Digest, Sha256};

use super::Store;
use super::error::{Result, StoreError};
use super::search::strip_markers;
use super::types::{
    Attachment, AttachmentId, ConversationId, MessageId, NewAttachment, NewMessage, Timestamp,
};

const COLUMNS: &str = "a.id, a.message_id, a.name, a.media_type, a.sha256, b.size, a.extracted_text, \
     a.details, a.created_at";

pub fn sha256_hex(bytes: &[u8]) -> String {
    Sha256::digest(bytes)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn from_row(r: &Row<'_>) -> rusqlite::Result<Attachment> {
    Ok(Attachment {
        id: r.get(0)?,
        message_id: r.get(1)?,
        name: r.get(2)?,
        media_type: r.get(3)?,
        sha256: r.get(4)?,
        size: r.get(5)?,
        extracted_text: r.get(6)?,
        details: r
            .get::<_, Option<String>>(7)?
            .and_then(|d| serde_json::from_str(&d).ok()),
        created_at: r.get(8)?,
    })
}

/// A file as `insert` takes it.
pub(crate) struct FileRow<'a> {
    pub name: &'a str,
    pub media_type: &'a str,
    pub bytes: &'a [u8],
    pub extracted_text: Option<&'a str>,
    pub details: Option<&'a serde_json::Value>,
}

impl<'a> From<&'a NewAttachment> for FileRow<'a> {
    fn from(a: &'a NewAttachment) -> Self {
        FileRow {
            name: &a.name,
            media_type: &a.media_type,
            bytes: &a.bytes,
            extracted_text: a.extracted_text.as_deref(),
            details: a.details.as_ref(),
        }
    }
}

/// Stores the bytes unless an equal file is already stored, then links them.
pub(crate) fn insert(
    conn: &Connection,
    message_id: MessageId,
    file: FileRow<'_>,
    created_at: Timestamp,
) -> Result<AttachmentId> {
    let FileRow {
        name,
        media_type,
        bytes,
        extracted_text,
        details,
    } = file;
    let sha = sha256_hex(bytes);
    let size =
        i64::try_from(bytes.len()).map_err(|_| StoreError::invalid("The file is too large"))?;
    conn.prepare_cached(
        "INSERT INTO attachment_blobs (sha256, size, bytes, created_at) VALUES (?1, ?2, ?3, ?4)
         ON CONFLICT (sha256) DO NOTHING",
    )?
    .execute(params![sha, size, bytes, created_at])?;
    let name = match name.trim() {
        "" => "attachment",
        n => n,
    };
    let media_type = match media_type.trim() {
        "" => "application/octet-stream",
        t => t,
    };
    conn.prepare_cached(
        "INSERT INTO message_attachments
             (message_id, sha256, name, media_type, extracted_text, details, created_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![
        message_id,
        sha,
        name,
        media_type,
        extracted_text.map(strip_markers),
        details.map(serde_json::Value::to_string),
        created_at
    ])?;
    Ok(conn.last_insert_rowid())
}

pub(crate) fn for_message(conn: &Connection, message_id: MessageId) -> Result<Vec<Attachment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM message_attachments a JOIN attachment_blobs b ON b.sha256 = a.sha256
         WHERE a.message_id = ?1 ORDER BY a.id"
    ))?;
    let rows = stmt
        .query_map([message_id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

/// Every attachment of a conversation's messages (export), by id.
pub(crate) fn for_conversation(conn: &Connection, id: ConversationId) -> Result<Vec<Attachment>> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {COLUMNS} FROM messages m
         JOIN message_attachments a ON a.message_id = m.id
         JOIN attachment_blobs b ON b.sha256 = a.sha256
         WHERE m.conversation_id = ?1 ORDER BY a.id"
    ))?;
    let rows = stmt
        .query_map([id], from_row)?
        .collect::<rusqlite::Result<Vec<_>>>()?;
    Ok(rows)
}

pub(crate) fn blob(conn: &Connection, sha256: &str) -> Result<Vec<u8>> {
    conn.prepare_cached("SELECT bytes FROM attachment_blobs WHERE sha256 = ?1")?
        .query_row([sha256], |r| r.get(0))
        .optional()?
        .ok_or_else(|| StoreError::corrupt("attachment", format!("no stored file {sha256}")))
}

/// Blobs no message links to any more (after a purge).
pub(crate) fn delete_orphan_blobs(conn: &Connection) -> Result<usize> {
    Ok(conn.execute(
        "DELETE FROM attachment_blobs
         WHERE NOT EXISTS (SELECT 1 FROM message_attachments a WHERE a.sha256 = attachment_blobs.sha256)",
        [],
    )?)
}

impl Store {
    /// Attaches a file to a message. Equal bytes are stored once however
    /// many messages attach them. `extracted_text` (PDF text, a text file's
    /// contents) is what search finds the file by.
    pub fn add_attachment(
        &mut self,
        message_id: MessageId,
        name: &str,
        media_type: &str,
        bytes: &[u8],
        extracted_text: Option<&str>,
    ) -> Result<AttachmentId> {
        self.write(|tx, now| {
            // A deleted conversation takes no new files.
            let owner: Option<i64> = tx
                .prepare_cached(
                    "SELECT 1 FROM messages m JOIN conversations c ON c.id = m.conversation_id
                     WHERE m.id = ?1 AND c.deleted_at IS NULL",
                )?
                .query_row([message_id], |r| r.get(0))
                .optional()?;
            if owner.is_none() {
                return Err(StoreError::NotFound("message"));
            }
            insert(
                tx,
                message_id,
                FileRow {
                    name,
                    media_type,
                    bytes,
                    extracted_text,
                    details: None,
                },
                now,
            )
        })
    }

    /// Appends a message and stores its files in one transaction, so a
    /// message is never seen without the files it was sent with.
    pub fn append_message_with_files(
        &mut self,
        m: &NewMessage,
        files: &[NewAttachment],
    ) -> Result<MessageId> {
        self.atomically(|s| {
            let id = s.append_message(m)?;
            for f in files {
                s.write(|tx, now| insert(tx, id, f.into(), now))?;
            }
            Ok(id)
        })
    }

    /// The attachments of each of `ids` that has any, in the order they
    /// were added: one query for a page of messages.
    pub fn attachments_for_messages(
        &self,
        ids: &[MessageId],
    ) -> Result<HashMap<MessageId, Vec<Attachment>>> {
        let mut by_message: HashMap<MessageId, Vec<Attachment>> = HashMap::new();
        if ids.is_empty() {
            return Ok(by_message);
        }
        let ids = serde_json::to_string(ids).map_err(|e| StoreError::invalid(e.to_string()))?;
        let mut stmt = self.conn.prepare_cached(&format!(
            "SELECT {COLUMNS} FROM message_attachments a
             JOIN attachment_blobs b ON b.sha256 = a.sha256
             WHERE a.message_id IN (SELECT value FROM json_each(?1)) ORDER BY a.id"
        ))?;
        for a in stmt.query_map([ids], from_row)? {
            let a = a?;
            by_message.entry(a.message_id).or_default().push(a);
        }
        Ok(by_message)
    }

    /// One attachment's row (without its bytes).
    pub fn get_attachment(&self, id: AttachmentId) -> Result<Attachment> {
        self.conn
            .prepare_cached(&format!(
                "SELECT {COLUMNS} FROM message_attachments a
                 JOIN attachment_blobs b ON b.sha256 = a.sha256 WHERE a.id = ?1"
            ))?
            .query_row([id], from_row)
            .optional()?
            .ok_or(StoreError::NotFound("attachment"))
    }

    /// The attachments of a message, in the order they were added.
    pub fn attachments_for(&self, message_id: MessageId) -> Result<Vec<Attachment>> {
        for_message(&self.conn, message_id)
    }

    /// The file's bytes.
    pub fn attachment_bytes(&self, id: AttachmentId) -> Result<Vec<u8>> {
        self.conn
            .prepare_cached(
                "SELECT b.bytes FROM message_attachments a JOIN attachment_blobs b ON b.sha256 = a.sha256
                 WHERE a.id = ?1",
            )?
            .query_row([id], |r| r.get(0))
            .optional()?
            .ok_or(StoreError::NotFound("attachment"))
    }
}
