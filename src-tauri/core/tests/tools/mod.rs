//! What the document tests made by real tools share: running a tool, a
//! scratch folder, LibreOffice conversions. The tools come from `deps_test`
//! in scripts/lib/deps.sh, which scripts/test.sh runs, so a missing one
//! fails the test by name instead of skipping it: a skip would pass on a
//! broken set-up.

#![allow(dead_code, clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Runs `program` with `stdin` and returns its standard output.
pub fn run(program: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{program}` ({e}): the fixtures need it; \
                 scripts/test.sh installs it (deps_test in scripts/lib/deps.sh)"
            )
        });
    // Fed from a thread: a tool that writes before it has read everything
    // would otherwise block on a full pipe while we block writing to it.
    let mut input = child.stdin.take().expect("stdin was piped");
    let stdin = stdin.to_vec();
    let feeder = std::thread::spawn(move || input.write_all(&stdin));
    let out = child.wait_with_output().expect("wait for the tool");
    feeder
        .join()
        .expect("feeder thread")
        .expect("write to the tool");
    assert!(
        out.status.success(),
        "`{program} {}` failed: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// A scratch directory for one test's files, removed when dropped.
pub struct Scratch(tempfile::TempDir);

impl Scratch {
    pub fn new() -> Self {
        Self(tempfile::tempdir().expect("temp dir"))
    }

    pub fn path(&self, file: &str) -> PathBuf {
        self.0.path().join(file)
    }

    pub fn write(&self, file: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(file);
        std::fs::write(&path, bytes).expect("write fixture");
        path
    }

    pub fn read(&self, file: &str) -> Vec<u8> {
        std::fs::read(self.path(file)).unwrap_or_else(|e| panic!("read {file}: {e}"))
    }
}

pub fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

/// `source` (a flat ODF file) saved by LibreOffice as `format` (`pdf`,
/// `docx`, `xlsx`..., with a filter and its options after a colon), with a
/// profile of its own so parallel tests do not fight over one.
pub fn libreoffice(scratch: &Scratch, file: &str, source: &str, format: &str) -> Vec<u8> {
    let ext = format.split(':').next().unwrap_or(format);
    let input = scratch.write(file, source.as_bytes());
    let profile = format!(
        "-env:UserInstallation=file://{}",
        path_str(&scratch.path(&format!("lo-{ext}")))
    );
    let outdir = scratch.path(&format!("lo-out-{ext}"));
    run(
        "soffice",
        &[
            &profile,
            "--headless",
            "--convert-to",
            format,
            "--outdir",
            path_str(&outdir),
            path_str(&input),
        ],
        b"",
    );
    let output = outdir.join(Path::new(file).with_extension(ext));
    std::fs::read(&output)
        .unwrap_or_else(|e| panic!("LibreOffice wrote no {}: {e}", output.display()))
}

/// Lower-case words (letters and digits): Markdown marks, punctuation and
/// line breaks do not count when texts are compared.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// The share of `oracle`'s words found in `ours`, counted with
/// multiplicity: a word the oracle has three times must be there three
/// times.
pub fn recall(ours: &[String], oracle: &[String]) -> f64 {
    if oracle.is_empty() {
        return 1.0;
    }
    let mut have = std::collections::HashMap::<&str, usize>::new();
    for w in ours {
        *have.entry(w).or_default() += 1;
    }
    let found = oracle
        .iter()
        .filter(|w| match have.get_mut(w.as_str()) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .count();
    found as f64 / oracle.len() as f64
}
