//! `megallm extract FILE...`: what the model would receive from each file,
//! read by the same worker process as `ask --file` and the app.

use std::fmt::Write as _;
use std::path::PathBuf;

use clap::Args;
use megallm_core::ErrorCode;
use megallm_core::documents::Document;

use crate::{Failure, files};

#[derive(Args)]
pub struct ExtractArgs {
    /// The files to read.
    #[arg(required = true)]
    files: Vec<PathBuf>,
    /// Print a JSON array with one document per file, in order.
    #[arg(long)]
    json: bool,
}

pub async fn run(args: ExtractArgs) -> Result<(), Failure> {
    // Every file is read before anything is printed: a bad one leaves
    // stdout empty, as with `--json` elsewhere.
    let read = files::read_files(&args.files).await?;
    let docs: Vec<&Document> = read.iter().map(|f| &f.document).collect();
    let out = if args.json {
        let mut json = serde_json::to_string_pretty(&docs)
            .map_err(|e| Failure::new(ErrorCode::Internal, e.to_string()))?;
        json.push('\n');
        json
    } else {
        let several = docs.len() > 1;
        let mut out = String::new();
        for (i, doc) in docs.iter().enumerate() {
            if several {
                // `head`'s separator, so several files stay apart.
                let gap = if i == 0 { "" } else { "\n" };
                let _ = writeln!(out, "{gap}==> {} <==", doc.name);
            }
            out.push_str(&as_text(doc));
        }
        out
    };
    print!("{out}");
    Ok(())
}

/// The text, or a line describing the image, then the notes.
fn as_text(doc: &Document) -> String {
    let mut out = String::new();
    if let Some(image) = &doc.image {
        let kb = (image.data.len() as u64).div_ceil(1024);
        let _ = writeln!(
            out,
            "{} {}x{}, {kb} KB",
            image.media_type, image.width, image.height
        );
    }
    if let Some(text) = &doc.text {
        out.push_str(text);
        if !text.ends_with('\n') {
            out.push('\n');
        }
    }
    for note in &doc.notes {
        let _ = writeln!(out, "note: {note}");
    }
    out
}
