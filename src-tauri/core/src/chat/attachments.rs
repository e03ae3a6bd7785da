//! Files on their way to the model: read once, stored with the message that
//! carries them, and sent before that message's text on every later turn of
//! its branch, always from the stored copy, so the bytes the model reads stay
//! equal across turns and the prompt cache keeps hitting.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::api::types::{
    CacheControl, ContentBlock, DocumentBlock, Extra, ImageBlock, KnownBlock, Message,
    MessageContent, Source,
};
use crate::documents::{Document, DocumentKind};
use crate::store::types::{Attachment, AttachmentId, MessageId, NewAttachment};
use crate::store::{SNIPPET_END, SNIPPET_START, Store, StoreError};

/// A file read and ready to send with a message.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedFile {
    /// The original file's bytes (kept for everything but images, which are
    /// stored as sent).
    pub original: Vec<u8>,
    pub document: Document,
}

impl PreparedFile {
    pub fn new(original: Vec<u8>, mut document: Document) -> Self {
        // The store keeps search's highlight markers out of stored text;
        // dropping them here too makes the first send equal the stored copy.
        if let Some(text) = &mut document.text
            && text.contains([SNIPPET_START, SNIPPET_END])
        {
            *text = text.replace([SNIPPET_START, SNIPPET_END], "");
        }
        Self { original, document }
    }

    pub fn name(&self) -> &str {
        &self.document.name
    }

    /// The chip's facts before the file is sent.
    pub fn summary(&self) -> AttachmentSummary {
        self.details().summary(None, &self.document.name)
    }

    /// Exactly what the model will receive.
    pub fn preview(&self) -> AttachmentPreview {
        let name = self.document.name.clone();
        match &self.document.image {
            Some(img) => AttachmentPreview::Image {
                name,
                media_type: img.media_type.clone(),
                data: BASE64.encode(&img.data),
                width: img.width,
                height: img.height,
            },
            None => AttachmentPreview::Text {
                name,
                text: self.document.text.clone().unwrap_or_default(),
            },
        }
    }

    fn details(&self) -> Details {
        let d = &self.document;
        Details {
            kind: d.kind.clone(),
            pages: d.pages,
            sheets: d.sheets,
            bytes: self.original.len() as u64,
            tokens: estimate_tokens(d),
            truncated: d.truncated,
            notes: d.notes.clone(),
        }
    }

    /// The row the store keeps: an image as it is sent (resized, upright),
    /// any other file as it came, with the text the model reads (which is
    /// also what search finds it by).
    pub(crate) fn to_new_attachment(&self) -> NewAttachment {
        let details = serde_json::to_value(self.details()).ok();
        match &self.document.image {
            Some(img) => NewAttachment {
                name: self.document.name.clone(),
                media_type: img.media_type.clone(),
                bytes: img.data.clone(),
                extracted_text: None,
                details,
            },
            None => NewAttachment {
                name: self.document.name.clone(),
                media_type: media_type_of(&self.document.kind).to_owned(),
                bytes: self.original.clone(),
                extracted_text: self.document.text.clone(),
                details,
            },
        }
    }

    /// The block the model reads for this file.
    fn block(&self) -> ContentBlock {
        match &self.document.image {
            Some(img) => image_block(&img.media_type, &img.data),
            None => document_block(
                &self.document.name,
                self.document.text.as_deref().unwrap_or_default(),
                &self.document.notes,
                self.document.truncated,
            ),
        }
    }
}

/// The blocks for files sent without being stored (`megallm ask --no-save`),
/// the last one marked for the prompt cache.
pub fn file_blocks(files: &[PreparedFile]) -> Vec<ContentBlock> {
    let mut blocks: Vec<ContentBlock> = files.iter().map(PreparedFile::block).collect();
    if let Some(last) = blocks.last_mut() {
        mark_for_cache(last);
    }
    blocks
}

/// What a chip shows, before sending (a draft) and on a sent message.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export)]
pub struct AttachmentSummary {
    /// The stored attachment; absent for a draft not sent yet.
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<AttachmentId>,
    /// Plain text, never HTML.
    pub name: String,
    pub kind: DocumentKind,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pages: Option<u32>,
    #[ts(optional)]
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sheets: Option<u32>,
    /// The original file's size.
    pub bytes: u64,
    /// Estimated tokens the model reads for it ([`estimate_tokens`]).
    pub tokens: u32,
    pub truncated: bool,
    pub notes: Vec<String>,
}

/// What the model receives for one file, for the preview.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[serde(tag = "type", rename_all = "snake_case")]
#[ts(export)]
pub enum AttachmentPreview {
    Text {
        name: String,
        text: String,
    },
    Image {
        name: String,
        media_type: String,
        /// Base64 of the image as sent.
        data: String,
        width: u32,
        height: u32,
    },
}

/// The chip's facts, stored with the attachment (`details`), so a reopened
/// conversation shows what it showed before sending.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Details {
    kind: DocumentKind,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pages: Option<u32>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    sheets: Option<u32>,
    bytes: u64,
    tokens: u32,
    #[serde(default)]
    truncated: bool,
    #[serde(default)]
    notes: Vec<String>,
}

impl Details {
    fn summary(self, id: Option<AttachmentId>, name: &str) -> AttachmentSummary {
        AttachmentSummary {
            id,
            name: name.to_owned(),
            kind: self.kind,
            pages: self.pages,
            sheets: self.sheets,
            bytes: self.bytes,
            tokens: self.tokens,
            truncated: self.truncated,
            notes: self.notes,
        }
    }

    /// A stored attachment's details; files attached before version 5
    /// carry none and are described from their row.
    fn of(a: &Attachment) -> Details {
        a.details
            .as_ref()
            .and_then(|d| serde_json::from_value(d.clone()).ok())
            .unwrap_or_else(|| {
                let image = a.media_type.starts_with("image/");
                Details {
                    kind: if image {
                        DocumentKind::Image
                    } else {
                        DocumentKind::Text
                    },
                    pages: None,
                    sheets: None,
                    bytes: u64::try_from(a.size).unwrap_or_default(),
                    tokens: a.extracted_text.as_deref().map_or(0, text_tokens),
                    truncated: false,
                    notes: Vec::new(),
                }
            })
    }
}

/// A sent message's chip.
pub fn stored_summary(a: &Attachment) -> AttachmentSummary {
    Details::of(a).summary(Some(a.id), &a.name)
}

/// What the model received for stored attachment `id`.
pub fn stored_preview(store: &Store, id: AttachmentId) -> Result<AttachmentPreview, StoreError> {
    let a = store.get_attachment(id)?;
    if a.media_type.starts_with("image/") {
        let bytes = store.attachment_bytes(id)?;
        let (width, height) = image_size(&bytes);
        return Ok(AttachmentPreview::Image {
            name: a.name,
            media_type: a.media_type,
            data: BASE64.encode(bytes),
            width,
            height,
        });
    }
    Ok(AttachmentPreview::Text {
        name: a.name,
        text: a.extracted_text.unwrap_or_default(),
    })
}

/// Width and height from the image's header (0 when it cannot be read: the
/// preview still shows the image).
pub(crate) fn image_size(bytes: &[u8]) -> (u32, u32) {
    ::image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .ok()
        .and_then(|r| r.into_dimensions().ok())
        .unwrap_or((0, 0))
}

/// The stated local estimate, used where the service does not count: one
/// token per four bytes of UTF-8 (about four characters of English, two of
/// Russian, matching Claude's tokenizer on both within ~20%), and an image
/// costs width x height / 750 as the API documents.
pub fn estimate_tokens(doc: &Document) -> u32 {
    match (&doc.image, &doc.text) {
        (Some(img), _) => (u64::from(img.width) * u64::from(img.height))
            .div_ceil(750)
            .try_into()
            .unwrap_or(u32::MAX),
        (None, Some(text)) => text_tokens(text),
        (None, None) => 0,
    }
}

pub(crate) fn text_tokens(text: &str) -> u32 {
    u32::try_from(text.len().div_ceil(4)).unwrap_or(u32::MAX)
}

fn media_type_of(kind: &DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Pdf => "application/pdf",
        DocumentKind::Docx => {
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        }
        DocumentKind::Odt => "application/vnd.oasis.opendocument.text",
        DocumentKind::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        DocumentKind::Ods => "application/vnd.oasis.opendocument.spreadsheet",
        DocumentKind::Csv => "text/csv",
        DocumentKind::Html => "text/html",
        DocumentKind::Text | DocumentKind::Code { .. } => "text/plain",
        DocumentKind::Image => "application/octet-stream",
    }
}

fn image_block(media_type: &str, data: &[u8]) -> ContentBlock {
    ContentBlock::Known(KnownBlock::Image(ImageBlock {
        source: Source::base64(media_type, BASE64.encode(data)),
        cache_control: None,
        extra: Extra::new(),
    }))
}

/// A text document titled with the file's name. A cut file says so in the
/// block's context, so the model does not answer as if it read all of it.
fn document_block(name: &str, text: &str, notes: &[String], truncated: bool) -> ContentBlock {
    ContentBlock::Known(KnownBlock::Document(DocumentBlock {
        source: Source::plain_text(text),
        title: Some(name.to_owned()),
        context: truncated
            .then(|| format!("Only part of this file is included. {}", notes.join(" "))),
        citations: None,
        cache_control: None,
        extra: Extra::new(),
    }))
}

/// The block a stored attachment is sent as; `None` for a file with
/// nothing the model can read (the store has no text and it is no image).
fn stored_block(store: &Store, a: &Attachment) -> Result<Option<ContentBlock>, StoreError> {
    if a.media_type.starts_with("image/") {
        return Ok(Some(image_block(
            &a.media_type,
            &store.attachment_bytes(a.id)?,
        )));
    }
    let details = Details::of(a);
    Ok(a.extracted_text
        .as_deref()
        .map(|text| document_block(&a.name, text, &details.notes, details.truncated)))
}

/// The stored files of each message of a branch, as blocks.
pub(crate) fn branch_file_blocks(
    store: &Store,
    ids: &[MessageId],
) -> Result<HashMap<MessageId, Vec<ContentBlock>>, StoreError> {
    let mut out = HashMap::new();
    for (id, atts) in store.attachments_for_messages(ids)? {
        let mut blocks = Vec::with_capacity(atts.len());
        for a in &atts {
            blocks.extend(stored_block(store, a)?);
        }
        out.insert(id, blocks);
    }
    Ok(out)
}

fn mark_for_cache(block: &mut ContentBlock) {
    match block {
        ContentBlock::Known(KnownBlock::Document(d)) => {
            d.cache_control = Some(CacheControl::ephemeral());
        }
        ContentBlock::Known(KnownBlock::Image(i)) => {
            i.cache_control = Some(CacheControl::ephemeral());
        }
        _ => {}
    }
}

/// Marks the request's last document or image block for the prompt cache:
/// everything up to it (the system prompt, earlier turns, the files) is
/// cached, and a follow-up question about the same files reads it back.
pub(crate) fn mark_last_file_for_cache(messages: &mut [Message]) {
    let last = messages
        .iter_mut()
        .rev()
        .find_map(|m| match &mut m.content {
            MessageContent::Blocks(blocks) => blocks.iter_mut().rev().find(|b| {
                matches!(
                    b,
                    ContentBlock::Known(KnownBlock::Document(_) | KnownBlock::Image(_))
                )
            }),
            MessageContent::Text(_) => None,
        });
    if let Some(block) = last {
        mark_for_cache(block);
    }
}
