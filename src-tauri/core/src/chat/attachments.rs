//! Files on their way to the model: read once, stored with the message that
//! carries them, and sent before that message's text on every later turn of
//! its branch, always from the stored copy, so the bytes the model reads stay
//! equal across turns and the prompt cache keeps hitting.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::{LazyLock, Mutex};

use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use tokio_util::sync::CancellationToken;

use crate::api::error::ApiErrorKind;
use crate::api::types::{
    CacheControl, ContentBlock, DocumentBlock, Extra, ImageBlock, KnownBlock, Message,
    MessageContent, MessagesRequest, Source,
};
use crate::api::{ApiError, Client, MessageStream};
use crate::documents::{Document, DocumentKind};
use crate::store::types::{Attachment, AttachmentId, MessageId, NewAttachment};
use crate::store::{Store, StoreError, strip_markers};

/// A file read and ready to send with a message.
#[derive(Debug, Clone, PartialEq)]
pub struct PreparedFile {
    /// The original file's bytes (kept for everything but images, which are
    /// stored as sent).
    pub original: Vec<u8>,
    pub document: Document,
    /// Send a PDF as itself (a base64 `document` block the model reads
    /// pages of, images included) instead of its text; opt-in per file.
    pub send_original: bool,
}

impl PreparedFile {
    pub fn new(original: Vec<u8>, mut document: Document) -> Self {
        // The store keeps search's highlight markers out of stored text;
        // dropping them here too makes the first send equal the stored copy.
        if let Some(text) = &mut document.text
            && let Cow::Owned(clean) = strip_markers(text)
        {
            *text = clean;
        }
        Self {
            original,
            document,
            send_original: false,
        }
    }

    /// Opts a PDF in or out of being sent as itself.
    pub fn set_send_original(&mut self, on: bool) -> Result<(), TrimError> {
        if on && self.document.kind != DocumentKind::Pdf {
            return Err(TrimError::NotPdf);
        }
        self.send_original = on;
        Ok(())
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
            send_original: self.send_original,
            page_of: None,
            page_images: u32::try_from(d.page_images.len()).unwrap_or(u32::MAX),
        }
    }

    /// Keeps only pages `first..=last` of a PDF (by its `[Page N]`
    /// markers), so a long document can be cut to what the question needs.
    pub fn keep_pages(&mut self, first: u32, last: u32) -> Result<(), TrimError> {
        let pages = self.document.pages.ok_or(TrimError::NotPaged)?;
        if first == 0 || first > last || last > pages {
            return Err(TrimError::PageRange { pages });
        }
        let text = self.document.text.as_deref().unwrap_or_default();
        let start = page_start(text, first).unwrap_or(0);
        let end = page_start(text, last + 1).unwrap_or(text.len());
        let kept = text[start..end].trim_end().to_owned();
        self.cut(
            kept,
            format!("Only pages {first}\u{2013}{last} of {pages} are included."),
        );
        Ok(())
    }

    /// Cuts the text to about `max_tokens` ([`estimate_tokens`]), at a line
    /// break where there is one, and says so.
    pub fn keep_tokens(&mut self, max_tokens: u32) -> Result<(), TrimError> {
        let text = self.document.text.as_deref().ok_or(TrimError::NoText)?;
        let max_bytes = (max_tokens as usize).saturating_mul(4);
        if text.len() <= max_bytes {
            return Ok(());
        }
        let mut cut = max_bytes;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        if let Some(line) = text[..cut].rfind('\n').filter(|&l| l > cut / 2) {
            cut = line;
        }
        let kept = text[..cut].trim_end().to_owned();
        self.cut(
            kept,
            format!("Cut to about {max_tokens} tokens to fit the context window."),
        );
        Ok(())
    }

    fn cut(&mut self, text: String, note: String) {
        self.document.text = Some(text);
        self.document.truncated = true;
        self.document.notes.push(note);
    }

    /// The rows the store keeps: the file, then each page of a PDF drawn
    /// as an image (a scan), marked with its page so chips leave it out.
    pub(crate) fn to_new_attachments(&self) -> Vec<NewAttachment> {
        let mut rows = vec![self.to_new_attachment()];
        for p in &self.document.page_images {
            let details = Details {
                kind: DocumentKind::Image,
                pages: None,
                sheets: None,
                bytes: p.image.data.len() as u64,
                tokens: image_tokens(p.image.width, p.image.height),
                truncated: false,
                notes: Vec::new(),
                send_original: false,
                page_of: Some(p.page),
                page_images: 0,
            };
            rows.push(NewAttachment {
                name: format!("{} (page {})", self.document.name, p.page),
                media_type: p.image.media_type.clone(),
                bytes: p.image.data.clone(),
                extracted_text: None,
                details: serde_json::to_value(details).ok(),
            });
        }
        rows
    }

    /// The row the store keeps: an image as it is sent (resized, upright),
    /// any other file as it came, with the text the model reads (which is
    /// also what search finds it by).
    fn to_new_attachment(&self) -> NewAttachment {
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

    /// The blocks the model reads for this file: its text (or itself),
    /// then the pages that had to be drawn, as images.
    fn blocks(&self) -> Vec<ContentBlock> {
        if self.send_original {
            return vec![pdf_block(&self.document.name, &self.original)];
        }
        let mut out = vec![match &self.document.image {
            Some(img) => image_block(&img.media_type, &img.data),
            None => document_block(
                &self.document.name,
                self.document.text.as_deref().unwrap_or_default(),
                &self.document.notes,
                self.document.truncated,
            ),
        }];
        out.extend(
            self.document
                .page_images
                .iter()
                .map(|p| image_block(&p.image.media_type, &p.image.data)),
        );
        out
    }
}

/// Why a file could not be cut as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TrimError {
    #[error("Only a PDF can be cut by pages.")]
    NotPaged,
    #[error("Pick pages between 1 and {pages}.")]
    PageRange { pages: u32 },
    #[error("An image cannot be cut; remove it instead.")]
    NoText,
    #[error("Only a PDF can be sent as the original file.")]
    NotPdf,
}

impl From<TrimError> for crate::error::AppError {
    fn from(e: TrimError) -> Self {
        Self::new(crate::error::ErrorCode::InvalidInput, e.to_string())
    }
}

/// Where page `n`'s `[Page n]` marker starts.
fn page_start(text: &str, n: u32) -> Option<usize> {
    let marker = format!("[Page {n}]");
    let mut from = 0;
    while let Some(at) = text[from..].find(&marker) {
        let at = from + at;
        if at == 0 || text[..at].ends_with('\n') {
            return Some(at);
        }
        from = at + marker.len();
    }
    None
}

/// The blocks for files sent without being stored (`megallm ask --no-save`),
/// the last one marked for the prompt cache.
pub fn file_blocks(files: &[PreparedFile]) -> Vec<ContentBlock> {
    let mut blocks: Vec<ContentBlock> = files.iter().flat_map(PreparedFile::blocks).collect();
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
    /// A PDF sent as itself rather than as its text.
    pub send_original: bool,
    /// An encrypted PDF waiting for its password (`unlock_attachment`);
    /// it cannot be sent until then.
    pub needs_password: bool,
    /// Pages of a PDF sent as pictures (scans, text that does not read).
    pub page_images: u32,
}

/// The chip of an encrypted PDF held until the user gives its password.
pub fn locked_summary(name: &str, bytes: u64) -> AttachmentSummary {
    AttachmentSummary {
        id: None,
        name: name.to_owned(),
        kind: DocumentKind::Pdf,
        pages: None,
        sheets: None,
        bytes,
        tokens: 0,
        truncated: false,
        notes: vec!["It is protected by a password.".to_owned()],
        send_original: false,
        needs_password: true,
        page_images: 0,
    }
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
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    send_original: bool,
    /// A page of the PDF before it, drawn as an image: sent, not a chip.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    page_of: Option<u32>,
    /// How many of this PDF's pages went as images.
    #[serde(default, skip_serializing_if = "is_zero")]
    page_images: u32,
}

fn is_zero(n: &u32) -> bool {
    *n == 0
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
            send_original: self.send_original,
            needs_password: false,
            page_images: self.page_images,
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
                    send_original: false,
                    page_of: None,
                    page_images: 0,
                }
            })
    }
}

/// A sent message's chip; `None` for a drawn page of a PDF, which is part
/// of its PDF's chip.
pub fn stored_summary(a: &Attachment) -> Option<AttachmentSummary> {
    let d = Details::of(a);
    d.page_of.is_none().then(|| d.summary(Some(a.id), &a.name))
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
    let own = match (&doc.image, &doc.text) {
        (Some(img), _) => image_tokens(img.width, img.height),
        (None, Some(text)) => text_tokens(text),
        (None, None) => 0,
    };
    doc.page_images.iter().fold(own, |sum, p| {
        sum.saturating_add(image_tokens(p.image.width, p.image.height))
    })
}

fn image_tokens(width: u32, height: u32) -> u32 {
    (u64::from(width) * u64::from(height))
        .div_ceil(750)
        .try_into()
        .unwrap_or(u32::MAX)
}

pub(crate) fn text_tokens(text: &str) -> u32 {
    u32::try_from(text.len().div_ceil(4)).unwrap_or(u32::MAX)
}

const PDF: &str = "application/pdf";

fn media_type_of(kind: &DocumentKind) -> &'static str {
    match kind {
        DocumentKind::Pdf => PDF,
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

/// A PDF as itself, titled with the file's name.
fn pdf_block(name: &str, bytes: &[u8]) -> ContentBlock {
    ContentBlock::Known(KnownBlock::Document(DocumentBlock {
        source: Source::base64(PDF, BASE64.encode(bytes)),
        title: Some(name.to_owned()),
        context: None,
        citations: None,
        cache_control: None,
        extra: Extra::new(),
    }))
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
/// With `originals`, a PDF the user opted in goes as itself.
fn stored_block(
    store: &Store,
    a: &Attachment,
    originals: bool,
) -> Result<Option<ContentBlock>, StoreError> {
    if a.media_type.starts_with("image/") {
        return Ok(Some(image_block(
            &a.media_type,
            &store.attachment_bytes(a.id)?,
        )));
    }
    let details = Details::of(a);
    if originals && details.send_original && a.media_type == PDF {
        return Ok(Some(pdf_block(&a.name, &store.attachment_bytes(a.id)?)));
    }
    Ok(a.extracted_text
        .as_deref()
        .map(|text| document_block(&a.name, text, &details.notes, details.truncated)))
}

/// The stored files of a branch (`Store::attachments_for_messages`), as
/// blocks by message: PDFs the user opted in as themselves when
/// `originals`, else everything as text.
pub(crate) fn file_blocks_by_message(
    store: &Store,
    files: &HashMap<MessageId, Vec<Attachment>>,
    originals: bool,
) -> Result<HashMap<MessageId, Vec<ContentBlock>>, StoreError> {
    let mut out = HashMap::with_capacity(files.len());
    for (id, atts) in files {
        let mut blocks = Vec::with_capacity(atts.len());
        for a in atts {
            blocks.extend(stored_block(store, a, originals)?);
        }
        out.insert(*id, blocks);
    }
    Ok(out)
}

/// Whether any of the files is a PDF to send as itself.
pub(crate) fn has_originals(files: &HashMap<MessageId, Vec<Attachment>>) -> bool {
    files
        .values()
        .flatten()
        .any(|a| a.media_type == PDF && Details::of(a).send_original)
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

/// Services known, this run, to refuse `document` blocks (some proxies
/// take only text and images; MegaLLM's published spec lists no document
/// block), by base URL: after the first refusal their files go as text.
static TEXT_ONLY_SERVICES: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);

/// Services known, this run, to refuse PDFs sent as themselves.
static NO_PDF_SERVICES: LazyLock<Mutex<HashSet<String>>> = LazyLock::new(Mutex::default);

/// Whether the service at `base_url` is known to refuse original PDFs.
pub(crate) fn refuses_originals(base_url: &str) -> bool {
    NO_PDF_SERVICES.lock().is_ok_and(|s| s.contains(base_url))
}

/// A 400 about the request's PDF (or its document blocks at all).
fn refuses_pdf(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Service {
            kind: ApiErrorKind::InvalidRequest,
            message,
            ..
        } if { let m = message.to_ascii_lowercase(); m.contains("pdf") || m.contains("document") }
    )
}

/// Opens the reply's stream for `request`, which sends PDFs as themselves;
/// when the service refuses them, `as_text` (the same request with every
/// file as text) is sent instead and the base URL remembered for the run.
pub(crate) async fn stream_with_pdf_fallback(
    client: &Client,
    request: MessagesRequest,
    as_text: MessagesRequest,
    cancel: CancellationToken,
) -> Result<MessageStream, ApiError> {
    if refuses_originals(client.base_url()) {
        return stream_with_document_fallback(client, as_text, cancel).await;
    }
    match stream_with_document_fallback(client, request, cancel.clone()).await {
        Err(e) if refuses_pdf(&e) => {
            tracing::info!("the service refused a PDF sent as itself; sending its text");
            if let Ok(mut s) = NO_PDF_SERVICES.lock() {
                s.insert(client.base_url().to_owned());
            }
            stream_with_document_fallback(client, as_text, cancel).await
        }
        other => other,
    }
}

/// A 400 that names the `document` block: the service does not take it.
fn refuses_documents(e: &ApiError) -> bool {
    matches!(
        e,
        ApiError::Service {
            kind: ApiErrorKind::InvalidRequest,
            message,
            ..
        } if message.contains("'document'") || message.contains("\"document\"")
    )
}

/// Rewrites every text `document` block as a text block that frames the
/// file (`<document title="...">...</document>`), keeping its cache mark.
/// Returns whether anything changed.
fn documents_as_text(req: &mut MessagesRequest) -> bool {
    let mut changed = false;
    for m in &mut req.messages {
        let MessageContent::Blocks(blocks) = &mut m.content else {
            continue;
        };
        for block in blocks.iter_mut() {
            let ContentBlock::Known(KnownBlock::Document(d)) = block else {
                continue;
            };
            if d.source.kind != "text" {
                continue;
            }
            let mut framed = format!(
                "<document title=\"{}\">\n",
                d.title.as_deref().unwrap_or("file").replace('"', "'")
            );
            if let Some(context) = &d.context {
                framed.push_str(context);
                framed.push_str("\n\n");
            }
            framed.push_str(d.source.data.as_deref().unwrap_or_default());
            framed.push_str("\n</document>");
            let mut text = ContentBlock::text(framed);
            if let (ContentBlock::Known(KnownBlock::Text(t)), Some(mark)) =
                (&mut text, d.cache_control.take())
            {
                t.cache_control = Some(mark);
            }
            *block = text;
            changed = true;
        }
    }
    changed
}

/// Opens the reply's stream; a service that refuses `document` blocks gets
/// the same request with its files as text, once, and is remembered for the
/// rest of the run.
pub async fn stream_with_document_fallback(
    client: &Client,
    mut request: MessagesRequest,
    cancel: CancellationToken,
) -> Result<MessageStream, ApiError> {
    let known = TEXT_ONLY_SERVICES
        .lock()
        .is_ok_and(|s| s.contains(client.base_url()));
    if known {
        documents_as_text(&mut request);
    }
    match client.stream_message(&request, cancel.clone()).await {
        Err(e) if !known && refuses_documents(&e) && documents_as_text(&mut request) => {
            tracing::info!("the service refused document blocks; sending files as text");
            if let Ok(mut s) = TEXT_ONLY_SERVICES.lock() {
                s.insert(client.base_url().to_owned());
            }
            client.stream_message(&request, cancel).await
        }
        other => other,
    }
}
