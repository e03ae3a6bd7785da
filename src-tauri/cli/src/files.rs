//! `--file PATH` and `extract`: files read the way the app reads them, by
//! the extraction worker, all before any request, so a bad file fails the
//! command without a word sent.

use std::path::{Path, PathBuf};

use megallm_core::ErrorCode;
use megallm_core::chat::PreparedFile;
use megallm_core::documents::{Worker, check_size};

use crate::Failure;

fn failure(path: &Path, what: impl std::fmt::Display) -> Failure {
    Failure::new(
        ErrorCode::InvalidInput,
        format!("{}: {what}", path.display()),
    )
}

/// Reads and extracts every file, in order, through worker processes; the
/// first failure (in argument order) is the one reported.
pub async fn read_files(paths: &[PathBuf]) -> Result<Vec<PreparedFile>, Failure> {
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
    let mut results: Vec<Option<Result<PreparedFile, Failure>>> =
        paths.iter().map(|_| None).collect();
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

async fn read_one(worker: &Worker, path: &Path) -> Result<PreparedFile, Failure> {
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
    Ok(PreparedFile::new(bytes, document))
}
