//! `--file PATH` and `extract`: files are read by the extraction worker
//! (the same as the app's), all of them before any request is made.

use std::path::{Path, PathBuf};

use base64::Engine;
use megallm_core::api::types::{
    ContentBlock, DocumentBlock, Extra, ImageBlock, KnownBlock, Source,
};
use megallm_core::documents::{Document, Worker, check_size};

use megallm_core::ErrorCode;

use crate::Failure;

fn failure(path: &Path, what: impl std::fmt::Display) -> Failure {
    Failure::new(
        ErrorCode::InvalidInput,
        format!("{}: {what}", path.display()),
    )
}

/// A file read: its name (as the model and the history see it), its bytes
/// as on disk, and what the model reads from it.
pub type ReadFile = (String, Vec<u8>, Document);

/// Reads and extracts every file, in order, through worker processes; the
/// first failure (in argument order) is the one reported.
pub async fn read_files(paths: &[PathBuf]) -> Result<Vec<ReadFile>, Failure> {
    if paths.is_empty() {
        return Ok(Vec::new());
    }
    let worker = Worker::for_current_exe()
        .map_err(|e| Failure::new(ErrorCode::Internal, format!("no extraction worker: {e}")))?;
    let mut tasks = tokio::task::JoinSet::new();
    for (index, path) in paths.iter().enumerate() {
        let worker = worker.clone();
        let path = path.clone();
        tasks.spawn(async move { (index, read_one(&worker, &path).await) });
    }
    let mut results: Vec<Option<Result<ReadFile, Failure>>> = paths.iter().map(|_| None).collect();
    while let Some(joined) = tasks.join_next().await {
        let (index, result) =
            joined.map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
        if let Some(slot) = results.get_mut(index) {
            *slot = Some(result);
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(Failure::new(ErrorCode::Internal, "a file was lost"))))
        .collect()
}

async fn read_one(worker: &Worker, path: &Path) -> Result<ReadFile, Failure> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    // By its size first: a 5 GB file is refused without reading it.
    let size = tokio::fs::metadata(path)
        .await
        .map_err(|e| failure(path, e))?
        .len();
    check_size(&name, size)?;
    let bytes = tokio::fs::read(path).await.map_err(|e| failure(path, e))?;
    let document = worker.extract(&name, bytes.clone()).await?;
    Ok((name, bytes, document))
}

/// What the model receives from the files: text as plain-text documents
/// titled by the file's name, images as image blocks.
// TODO(issue 12): replaced by `megallm_core::chat::file_blocks` once main
// has `PreparedFile`.
pub fn blocks(files: &[ReadFile]) -> Vec<ContentBlock> {
    files
        .iter()
        .filter_map(|(name, _, doc)| {
            if let Some(image) = &doc.image {
                let data = base64::engine::general_purpose::STANDARD.encode(&image.data);
                return Some(ContentBlock::Known(KnownBlock::Image(ImageBlock {
                    source: Source::base64(&image.media_type, data),
                    cache_control: None,
                    extra: Extra::new(),
                })));
            }
            let text = doc.text.clone()?;
            Some(ContentBlock::Known(KnownBlock::Document(DocumentBlock {
                source: Source::plain_text(text),
                title: Some(name.clone()),
                context: None,
                citations: None,
                cache_control: None,
                extra: Extra::new(),
            })))
        })
        .collect()
}
