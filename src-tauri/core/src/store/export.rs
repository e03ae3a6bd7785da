//! Export to Markdown (to read) and JSON (lossless, to import again).
//!
//! The JSON document is versioned (`format`, `version`). Message ids in it
//! are local to the document (1, 2, ... in the order the messages were
//! written), so exporting an imported conversation gives the same document
//! back. File bytes are base64 in one `blobs` map keyed by SHA-256, so a file
//! attached many times is written once.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Write as _;
use std::io::Write;

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use ts_rs::TS;

use crate::api::types::Usage;

use super::Store;
use super::attachments::{self, sha256_hex};
use super::conversations;
use super::error::{Result, StoreError};
use super::messages;
use super::types::{
    Attachment, ConversationId, MessageId, MessageStatus, Role, SamplingSettings, StoredMessage,
    Timestamp,
};

pub const CONVERSATION_FORMAT: &str = "megallm-conversation";
pub const HISTORY_FORMAT: &str = "megallm-history";
/// Bumped only for changes an older reader would misread; new optional
/// fields do not bump it.
pub const EXPORT_VERSION: u32 = 1;

#[derive(Debug, Serialize, Deserialize)]
struct ConversationDoc {
    format: String,
    version: u32,
    exported_at: Timestamp,
    #[serde(flatten)]
    body: ConversationBody,
    #[serde(default)]
    blobs: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct HistoryDoc {
    format: String,
    version: u32,
    exported_at: Timestamp,
    conversations: Vec<ConversationBody>,
    #[serde(default)]
    blobs: BTreeMap<String, String>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ConversationBody {
    conversation: ConversationRecord,
    messages: Vec<MessageRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ConversationRecord {
    title: String,
    model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    system_prompt: Option<String>,
    #[serde(default)]
    sampling: SamplingSettings,
    #[serde(default)]
    pinned: bool,
    #[serde(default)]
    archived: bool,
    created_at: Timestamp,
    updated_at: Timestamp,
    /// Document-local id of the active branch's leaf.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    current_leaf: Option<i64>,
}

#[derive(Debug, Serialize, Deserialize)]
struct MessageRecord {
    id: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    parent_id: Option<i64>,
    role: Role,
    content: Value,
    text: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    model: Option<String>,
    status: MessageStatus,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    stop_reason: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    usage: Option<Usage>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    error: Option<String>,
    created_at: Timestamp,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    first_token_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    finished_at: Option<Timestamp>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    attachments: Vec<AttachmentRecord>,
}

#[derive(Debug, Serialize, Deserialize)]
struct AttachmentRecord {
    name: String,
    media_type: String,
    sha256: String,
    size: i64,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    extracted_text: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    details: Option<serde_json::Value>,
    created_at: Timestamp,
}

/// A conversation as a document body, adding the hashes of its files to
/// `files` (their bytes are written once per document, see [`blobs_of`]).
fn conversation_body(
    conn: &Connection,
    id: ConversationId,
    files: &mut BTreeSet<String>,
) -> Result<ConversationBody> {
    let c = conversations::get(conn, id)?;
    let stored = messages::all_in_conversation(conn, id)?;
    let mut by_message: HashMap<MessageId, Vec<Attachment>> = HashMap::new();
    for a in attachments::for_conversation(conn, id)? {
        by_message.entry(a.message_id).or_default().push(a);
    }
    let local: HashMap<MessageId, i64> = stored
        .iter()
        .zip(1..)
        .map(|((m, _), n)| (m.id, n))
        .collect();
    let mut records = Vec::with_capacity(stored.len());
    for (m, first_token_at) in stored {
        let mut atts = Vec::new();
        for a in by_message.remove(&m.id).unwrap_or_default() {
            files.insert(a.sha256.clone());
            atts.push(AttachmentRecord {
                name: a.name,
                media_type: a.media_type,
                sha256: a.sha256,
                size: a.size,
                extracted_text: a.extracted_text,
                details: a.details,
                created_at: a.created_at,
            });
        }
        records.push(MessageRecord {
            id: local.get(&m.id).copied().unwrap_or_default(),
            parent_id: m.parent_id.and_then(|p| local.get(&p).copied()),
            role: m.role,
            content: m.content,
            text: m.text,
            model: m.model,
            status: m.status,
            stop_reason: m.stop_reason,
            usage: m.usage,
            error: m.error,
            created_at: m.created_at,
            first_token_at,
            finished_at: m.finished_at,
            attachments: atts,
        });
    }
    Ok(ConversationBody {
        conversation: ConversationRecord {
            title: c.title,
            model: c.model,
            system_prompt: c.system_prompt,
            sampling: c.sampling,
            pinned: c.pinned,
            archived: c.archived,
            created_at: c.created_at,
            updated_at: c.updated_at,
            current_leaf: c.current_leaf_id.and_then(|l| local.get(&l).copied()),
        },
        messages: records,
    })
}

/// The `blobs` map of a document: each file's bytes, base64, by hash.
fn blobs_of(conn: &Connection, files: &BTreeSet<String>) -> Result<BTreeMap<String, String>> {
    files
        .iter()
        .map(|sha| Ok((sha.clone(), BASE64.encode(attachments::blob(conn, sha)?))))
        .collect()
}

fn check_header(format: &str, version: u32, expected: &str) -> Result<()> {
    if format != expected {
        return Err(StoreError::Import(format!(
            "it is a \"{format}\" document, not \"{expected}\""
        )));
    }
    if version > EXPORT_VERSION {
        return Err(StoreError::Import(format!(
            "it was written by a newer MegaLLM Desktop (format version {version}); update the app"
        )));
    }
    if version == 0 {
        return Err(StoreError::Import("its format version is 0".into()));
    }
    Ok(())
}

/// Decodes and checks every file against its hash before anything is written.
fn decode_blobs(blobs: &BTreeMap<String, String>) -> Result<HashMap<String, Vec<u8>>> {
    blobs
        .iter()
        .map(|(sha, b64)| {
            let bytes = BASE64
                .decode(b64)
                .map_err(|e| StoreError::Import(format!("file {sha} is not valid base64: {e}")))?;
            if sha256_hex(&bytes) != *sha {
                return Err(StoreError::Import(format!(
                    "file {sha} does not match its SHA-256 (damaged export)"
                )));
            }
            Ok((sha.clone(), bytes))
        })
        .collect()
}

/// Inserts one conversation with new ids; parents always go in before their
/// children whatever the order in the document.
fn import_body(
    conn: &Connection,
    body: &ConversationBody,
    blobs: &HashMap<String, Vec<u8>>,
) -> Result<ConversationId> {
    let c = &body.conversation;
    let conv_id = conversations::insert(
        conn,
        &c.title,
        &c.model,
        c.system_prompt.as_deref(),
        &c.sampling,
        c.pinned,
        c.archived,
        c.created_at,
        c.updated_at,
    )?;
    let mut index: HashMap<i64, usize> = HashMap::with_capacity(body.messages.len());
    for (i, m) in body.messages.iter().enumerate() {
        if index.insert(m.id, i).is_some() {
            return Err(StoreError::Import(format!(
                "message id {} appears twice",
                m.id
            )));
        }
    }
    let mut new_ids: HashMap<i64, MessageId> = HashMap::with_capacity(body.messages.len());
    for start in 0..body.messages.len() {
        // The not-yet-inserted ancestors of `start`, nearest last.
        let mut pending = vec![start];
        while let Some(&i) = pending.last() {
            let m = &body.messages[i];
            if new_ids.contains_key(&m.id) {
                pending.pop();
                continue;
            }
            let parent = match m.parent_id {
                None => None,
                Some(p) => match new_ids.get(&p) {
                    Some(&id) => Some(id),
                    None => {
                        let &pi = index.get(&p).ok_or_else(|| {
                            StoreError::Import(format!("message {} has a missing parent {p}", m.id))
                        })?;
                        if pending.contains(&pi) {
                            return Err(StoreError::Import(format!(
                                "messages {} and {p} are each other's ancestors",
                                m.id
                            )));
                        }
                        pending.push(pi);
                        continue;
                    }
                },
            };
            let id = messages::insert(
                conn,
                &StoredMessage {
                    id: 0,
                    conversation_id: conv_id,
                    parent_id: parent,
                    role: m.role,
                    content: m.content.clone(),
                    text: m.text.clone(),
                    model: m.model.clone(),
                    // A reply that was arriving when exported will never finish.
                    status: match m.status {
                        MessageStatus::Streaming => MessageStatus::Interrupted,
                        s => s,
                    },
                    stop_reason: m.stop_reason.clone(),
                    usage: m.usage.clone(),
                    error: m.error.clone(),
                    created_at: m.created_at,
                    first_token_at: m.first_token_at,
                    finished_at: m.finished_at,
                },
                None,
            )?;
            for a in &m.attachments {
                let bytes = blobs.get(a.sha256.as_str()).ok_or_else(|| {
                    StoreError::Import(format!("the file of attachment \"{}\" is missing", a.name))
                })?;
                attachments::insert(
                    conn,
                    id,
                    attachments::FileRow {
                        name: &a.name,
                        media_type: &a.media_type,
                        bytes,
                        extracted_text: a.extracted_text.as_deref(),
                        details: a.details.as_ref(),
                    },
                    a.created_at,
                )?;
            }
            new_ids.insert(m.id, id);
            pending.pop();
        }
    }
    let leaf = c
        .current_leaf
        .and_then(|l| new_ids.get(&l).copied())
        .or_else(|| new_ids.values().max().copied());
    if let Some(leaf) = leaf {
        messages::set_leaf(conn, conv_id, leaf)?;
    }
    Ok(conv_id)
}

fn human_size(bytes: i64) -> String {
    match bytes {
        b if b < 1024 => format!("{b} B"),
        b if b < 1024 * 1024 => format!("{:.1} KB", b as f64 / 1024.0),
        b => format!("{:.1} MB", b as f64 / (1024.0 * 1024.0)),
    }
}

/// `YYYY-MM-DD HH:MM` UTC, by SQLite so no date crate is needed.
fn format_time(conn: &Connection, at: Timestamp) -> Result<String> {
    Ok(conn
        .prepare_cached("SELECT strftime('%Y-%m-%d %H:%M', ?1 / 1000, 'unixepoch')")?
        .query_row([at], |r| r.get::<_, Option<String>>(0))?
        .unwrap_or_default())
}

fn parse_doc<T: for<'de> Deserialize<'de>>(doc: &Value) -> Result<T> {
    T::deserialize(doc).map_err(|e| StoreError::Import(format!("it is not a valid export ({e})")))
}

fn header_of(doc: &Value) -> Result<(String, u32)> {
    let format = doc
        .get("format")
        .and_then(Value::as_str)
        .ok_or_else(|| StoreError::Import("it has no \"format\" field".into()))?;
    let version = doc
        .get("version")
        .and_then(Value::as_u64)
        .and_then(|v| u32::try_from(v).ok())
        .ok_or_else(|| StoreError::Import("it has no valid \"version\" field".into()))?;
    Ok((format.to_owned(), version))
}

/// The kinds of file a conversation exports to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export)]
pub enum ExportFormat {
    /// Readable; only the active branch.
    Markdown,
    /// Lossless; imports back as the same conversation.
    Json,
}

impl ExportFormat {
    /// The file name extension, without the dot.
    pub fn extension(self) -> &'static str {
        match self {
            ExportFormat::Markdown => "md",
            ExportFormat::Json => "json",
        }
    }
}

impl Store {
    /// The active branch as Markdown for reading: title, model, then each
    /// message under a role heading with its attachments listed.
    pub fn export_conversation_markdown(&self, id: ConversationId) -> Result<String> {
        let c = conversations::get(&self.conn, id)?;
        let branch = match c.current_leaf_id {
            Some(leaf) => self.branch_messages(leaf)?,
            None => Vec::new(),
        };
        let total: i64 = self
            .conn
            .prepare_cached("SELECT message_count FROM conversations WHERE id = ?1")?
            .query_row([id], |r| r.get(0))?;
        let mut md = String::new();
        let _ = writeln!(md, "# {}\n", c.title);
        let _ = writeln!(md, "- **Model:** {}", c.model);
        let _ = writeln!(
            md,
            "- **Created:** {} UTC",
            format_time(&self.conn, c.created_at)?
        );
        let other = total - branch.len() as i64;
        if other > 0 {
            let _ = writeln!(
                md,
                "- **Branch:** the active one; {other} more message(s) on other branches are kept in the JSON export"
            );
        }
        if let Some(sp) = c.system_prompt.as_deref().filter(|s| !s.trim().is_empty()) {
            md.push_str("\n**System prompt:**\n\n");
            for line in sp.lines() {
                let _ = writeln!(md, "> {line}");
            }
        }
        for m in &branch {
            md.push_str("\n---\n\n");
            let role = match m.role {
                Role::User => "User".to_owned(),
                Role::Assistant => match &m.model {
                    Some(model) => format!("Assistant · {model}"),
                    None => "Assistant".to_owned(),
                },
            };
            let _ = writeln!(
                md,
                "## {role} · {} UTC\n",
                format_time(&self.conn, m.created_at)?
            );
            md.push_str(m.text.trim_end());
            md.push('\n');
            let atts = attachments::for_message(&self.conn, m.id)?;
            if !atts.is_empty() {
                md.push_str("\n**Attachments:**\n\n");
                for a in atts {
                    let _ = writeln!(
                        md,
                        "- {} ({}, {})",
                        a.name,
                        a.media_type,
                        human_size(a.size)
                    );
                }
            }
            match m.status {
                MessageStatus::Interrupted => md.push_str("\n*The reply was interrupted.*\n"),
                MessageStatus::Error => {
                    let _ = writeln!(md, "\n*Error: {}*", m.error.as_deref().unwrap_or("unknown"));
                }
                MessageStatus::Streaming => md.push_str("\n*The reply was still arriving.*\n"),
                MessageStatus::Complete => {}
            }
        }
        Ok(md)
    }

    /// The whole conversation, every branch and file included, as a
    /// `megallm-conversation` document.
    pub fn export_conversation_json(&self, id: ConversationId) -> Result<Value> {
        let mut files = BTreeSet::new();
        let body = conversation_body(&self.conn, id, &mut files)?;
        let doc = ConversationDoc {
            format: CONVERSATION_FORMAT.into(),
            version: EXPORT_VERSION,
            exported_at: self.now(),
            body,
            blobs: blobs_of(&self.conn, &files)?,
        };
        Ok(serde_json::to_value(doc)?)
    }

    /// Adds the conversation in `doc` as a new one (new ids, same content,
    /// branches, files, timestamps, pin and archive state). Nothing is written
    /// unless all of it is valid. Usage records are not replayed, so importing
    /// twice does not double the totals.
    pub fn import_conversation_json(&mut self, doc: &Value) -> Result<ConversationId> {
        let (format, _) = header_of(doc)?;
        check_header(&format, EXPORT_VERSION, CONVERSATION_FORMAT)?;
        let plan = ImportPlan::new(doc)?;
        let ids = self.import_part(&plan, 0..plan.bodies.len())?;
        ids.into_iter()
            .next()
            .ok_or_else(|| StoreError::Import("it holds no conversation".into()))
    }

    /// Writes the conversations `range` of a checked import, in one
    /// transaction. Returns their new ids in document order.
    pub fn import_part(
        &mut self,
        plan: &ImportPlan,
        range: std::ops::Range<usize>,
    ) -> Result<Vec<ConversationId>> {
        let bodies = plan.bodies.get(range).unwrap_or_default();
        self.write(|tx, _| {
            bodies
                .iter()
                .map(|body| import_body(tx, body, &plan.blobs))
                .collect()
        })
    }

    /// Removes conversations written by an import that then failed, rows and
    /// all (not to the trash: the user never had them).
    pub fn forget_imported(&mut self, ids: &[ConversationId]) -> Result<()> {
        self.write(|tx, _| {
            for &id in ids {
                conversations::erase(tx, id)?;
            }
            attachments::delete_orphan_blobs(tx)?;
            Ok(())
        })
    }

    /// The text of a conversation's export file in `format`: Markdown, or
    /// the lossless JSON document pretty-printed.
    pub fn export_conversation_as(
        &self,
        id: ConversationId,
        format: ExportFormat,
    ) -> Result<String> {
        match format {
            ExportFormat::Markdown => self.export_conversation_markdown(id),
            ExportFormat::Json => Ok(serde_json::to_string_pretty(
                &self.export_conversation_json(id)?,
            )?),
        }
    }

    /// Writes a whole-history export (`megallm-history`, compact JSON) to
    /// `out`, one conversation at a time: memory use is one conversation's,
    /// whatever the size of the history. The conversations are read in one
    /// read transaction, so the file is one consistent snapshot; on a reader
    /// connection this never holds up the writer (WAL). Returns how many
    /// conversations were written.
    pub fn export_all_to(&self, out: &mut dyn Write) -> Result<usize> {
        self.conn.execute_batch("BEGIN DEFERRED")?;
        let written = self.export_all_in_snapshot(out);
        // Nothing was written to the database: ending the read cannot lose data.
        let _ = self.conn.execute_batch("ROLLBACK");
        written
    }

    fn export_all_in_snapshot(&self, out: &mut dyn Write) -> Result<usize> {
        let ids = self
            .conn
            .prepare("SELECT id FROM conversations WHERE deleted_at IS NULL ORDER BY id")?
            .query_map([], |r| r.get::<_, ConversationId>(0))?
            .collect::<rusqlite::Result<Vec<_>>>()?;
        let header = serde_json::json!({
            "format": HISTORY_FORMAT,
            "version": EXPORT_VERSION,
            "exported_at": self.now(),
        });
        // The header object without its closing brace, then the arrays.
        let header = serde_json::to_string(&header)?;
        let open = header.strip_suffix('}').unwrap_or(&header);
        write!(out, "{open},\"conversations\":[")?;
        let mut files = BTreeSet::new();
        for (i, id) in ids.iter().enumerate() {
            out.write_all(if i == 0 { b"\n" } else { b",\n" })?;
            let body = conversation_body(&self.conn, *id, &mut files)?;
            serde_json::to_writer(&mut *out, &body)?;
        }
        out.write_all(b"\n],\"blobs\":{")?;
        for (i, sha) in files.iter().enumerate() {
            if i > 0 {
                out.write_all(b",")?;
            }
            let b64 = BASE64.encode(attachments::blob(&self.conn, sha)?);
            write!(out, "\n\"{sha}\":\"{b64}\"")?;
        }
        out.write_all(b"\n}}\n")?;
        out.flush()?;
        Ok(ids.len())
    }

    /// The text of a whole-history export file, in memory (tests, small
    /// histories); the app streams it to the file with [`Store::export_all_to`].
    pub fn export_all_text(&self) -> Result<String> {
        let mut out = Vec::new();
        self.export_all_to(&mut out)?;
        String::from_utf8(out).map_err(|e| StoreError::corrupt("export text", e))
    }

    /// Imports either kind of export file: one conversation or the whole
    /// history. Returns the new ids in document order.
    pub fn import_json(&mut self, doc: &Value) -> Result<Vec<ConversationId>> {
        let (format, _) = header_of(doc)?;
        if format == HISTORY_FORMAT {
            self.import_all_json(doc)
        } else {
            self.import_conversation_json(doc).map(|id| vec![id])
        }
    }

    /// Every conversation that is not deleted (archived ones included) as a
    /// `megallm-history` document.
    pub fn export_all_json(&self) -> Result<Value> {
        serde_json::from_str(&self.export_all_text()?).map_err(|e| StoreError::corrupt("export", e))
    }

    /// Adds every conversation of a `megallm-history` document, all or none,
    /// in one transaction (the app imports in batches through
    /// [`super::SharedStore::import`]). Returns the new ids in document order.
    pub fn import_all_json(&mut self, doc: &Value) -> Result<Vec<ConversationId>> {
        let (format, _) = header_of(doc)?;
        check_header(&format, EXPORT_VERSION, HISTORY_FORMAT)?;
        let plan = ImportPlan::new(doc)?;
        self.batch(|s| s.import_part(&plan, 0..plan.bodies.len()))
    }
}

/// An import document, parsed and checked through and through before a row
/// is written: header, every message tree and every file against its hash.
pub struct ImportPlan {
    bodies: Vec<ConversationBody>,
    blobs: HashMap<String, Vec<u8>>,
}

impl ImportPlan {
    /// Either kind of export document.
    pub fn new(doc: &Value) -> Result<Self> {
        let (format, version) = header_of(doc)?;
        let (bodies, blobs) = if format == HISTORY_FORMAT {
            check_header(&format, version, HISTORY_FORMAT)?;
            let doc: HistoryDoc = parse_doc(doc)?;
            (doc.conversations, doc.blobs)
        } else {
            check_header(&format, version, CONVERSATION_FORMAT)?;
            let doc: ConversationDoc = parse_doc(doc)?;
            (vec![doc.body], doc.blobs)
        };
        let blobs = decode_blobs(&blobs)?;
        for body in &bodies {
            check_body(body, &blobs)?;
        }
        Ok(Self { bodies, blobs })
    }

    /// How many conversations the document holds.
    pub fn len(&self) -> usize {
        self.bodies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }

    /// Consecutive ranges of conversations of about `messages` messages each
    /// (a longer conversation is a batch of its own).
    pub fn batches(&self, messages: usize) -> Vec<std::ops::Range<usize>> {
        let mut out = Vec::new();
        let (mut start, mut size) = (0, 0);
        for (i, body) in self.bodies.iter().enumerate() {
            if size > 0 && size + body.messages.len() > messages {
                out.push(start..i);
                (start, size) = (i, 0);
            }
            size += body.messages.len();
        }
        if start < self.bodies.len() {
            out.push(start..self.bodies.len());
        }
        out
    }
}

/// The checks `import_body` makes as it writes, made before anything is
/// written: unique ids, parents present, no cycles, every file present.
fn check_body(body: &ConversationBody, blobs: &HashMap<String, Vec<u8>>) -> Result<()> {
    let mut parent_of: HashMap<i64, Option<i64>> = HashMap::with_capacity(body.messages.len());
    for m in &body.messages {
        if parent_of.insert(m.id, m.parent_id).is_some() {
            return Err(StoreError::Import(format!(
                "message id {} appears twice",
                m.id
            )));
        }
        if let Some(a) = m
            .attachments
            .iter()
            .find(|a| !blobs.contains_key(&a.sha256))
        {
            return Err(StoreError::Import(format!(
                "the file of attachment \"{}\" is missing",
                a.name
            )));
        }
    }
    for m in &body.messages {
        let (mut at, mut steps) = (m.parent_id, 0);
        while let Some(p) = at {
            steps += 1;
            if steps > body.messages.len() {
                return Err(StoreError::Import(format!(
                    "messages {} and {p} are each other's ancestors",
                    m.id
                )));
            }
            at = *parent_of.get(&p).ok_or_else(|| {
                StoreError::Import(format!("message {} has a missing parent {p}", m.id))
            })?;
        }
    }
    Ok(())
}
