//! `--file PATH`: files read the way the app reads them, all before any
//! request, so a bad file fails the command without a word sent.

use std::path::Path;

use megallm_core::ErrorCode;
use megallm_core::chat::PreparedFile;
use megallm_core::documents;

use crate::Failure;

/// Reads and extracts each file; the first bad one is the failure, named.
pub fn prepare_all(paths: &[impl AsRef<Path>]) -> Result<Vec<PreparedFile>, Failure> {
    paths.iter().map(|p| prepare(p.as_ref())).collect()
}

fn prepare(path: &Path) -> Result<PreparedFile, Failure> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| path.display().to_string());
    let bytes = std::fs::read(path)
        .map_err(|e| Failure::new(ErrorCode::InvalidInput, format!("{}: {e}", path.display())))?;
    let document = documents::extract(&name, &bytes)?;
    Ok(PreparedFile::new(bytes, document))
}
