//! `--file PATH`: files become content blocks the way the API takes them.

use std::path::Path;

use base64::Engine;
use megallm_core::api::types::{
    ContentBlock, DocumentBlock, Extra, ImageBlock, KnownBlock, Source,
};

use megallm_core::ErrorCode;

use crate::Failure;

fn failure(path: &Path, what: impl std::fmt::Display) -> Failure {
    Failure::new(
        ErrorCode::InvalidInput,
        format!("{}: {what}", path.display()),
    )
}

/// Images and PDFs go as base64 blocks; anything else must be UTF-8 text
/// and goes as a plain-text document titled with the file's name.
pub fn block_for(path: &Path) -> Result<ContentBlock, Failure> {
    let bytes = std::fs::read(path).map_err(|e| failure(path, e))?;
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or("")
        .to_ascii_lowercase();
    let name = path.file_name().and_then(|n| n.to_str()).map(str::to_owned);
    let b64 = || base64::engine::general_purpose::STANDARD.encode(&bytes);
    let image = |media: &str| {
        ContentBlock::Known(KnownBlock::Image(ImageBlock {
            source: Source::base64(media, b64()),
            cache_control: None,
            extra: Extra::new(),
        }))
    };
    Ok(match ext.as_str() {
        "png" => image("image/png"),
        "jpg" | "jpeg" => image("image/jpeg"),
        "gif" => image("image/gif"),
        "webp" => image("image/webp"),
        "pdf" => document(Source::base64("application/pdf", b64()), name),
        _ => {
            let text = String::from_utf8(bytes.clone())
                .map_err(|_| failure(path, "not a text file, image or PDF"))?;
            document(Source::plain_text(text), name)
        }
    })
}

fn document(source: Source, title: Option<String>) -> ContentBlock {
    ContentBlock::Known(KnownBlock::Document(DocumentBlock {
        source,
        title,
        context: None,
        citations: None,
        cache_control: None,
        extra: Extra::new(),
    }))
}
