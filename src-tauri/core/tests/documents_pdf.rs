//! PDFs made by real tools at test time (groff, qpdf...) read by
//! `documents`. The tools come from `deps_test` in scripts/lib/deps.sh,
//! which scripts/test.sh runs, so a missing one fails the test by name
//! instead of skipping it: a skip would pass on a broken set-up.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use megallm_core::documents::{Document, DocumentError, extract, extract_with_password};

/// Runs `program` with `stdin` and returns its standard output.
fn run(program: &str, args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let mut child = Command::new(program)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "cannot run `{program}` ({e}): the PDF fixtures need it; \
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
struct Scratch(tempfile::TempDir);

impl Scratch {
    fn new() -> Self {
        Self(tempfile::tempdir().expect("temp dir"))
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.path().join(file)
    }

    fn write(&self, file: &str, bytes: &[u8]) -> PathBuf {
        let path = self.path(file);
        std::fs::write(&path, bytes).expect("write fixture");
        path
    }
}

fn path_str(path: &Path) -> &str {
    path.to_str().expect("temp paths are UTF-8")
}

fn text_of(doc: &Document) -> &str {
    doc.text.as_deref().expect("the document has text")
}

/// A one-page PDF typeset by groff's `-ms` macros and its PDF driver.
fn groff_pdf(source: &str) -> Vec<u8> {
    run("groff", &["-ms", "-Tpdf"], source.as_bytes())
}

const REPORT: &str = ".TL\nQuarterly report\n.PP\n\
    Revenue grew by twelve percent in the third quarter, driven by exports.\n";
const SENTENCE: &str = "Revenue grew by twelve percent in the third quarter";

/// `plain` encrypted by `qpdf --encrypt` with `args` (user password, owner
/// password, key length, options).
fn qpdf_encrypted(scratch: &Scratch, plain: &[u8], args: &[&str]) -> Vec<u8> {
    let input = scratch.write("plain.pdf", plain);
    let output = scratch.path("locked.pdf");
    // RC4 is what old files have; qpdf writes it only when allowed to.
    let mut all = vec!["--allow-weak-crypto", "--encrypt"];
    all.extend_from_slice(args);
    all.extend(["--", path_str(&input), path_str(&output)]);
    run("qpdf", &all, b"");
    std::fs::read(output).expect("qpdf wrote the file")
}

#[test]
fn a_user_password_is_asked_for_checked_and_used() {
    let scratch = Scratch::new();
    let plain = groff_pdf(REPORT);
    for (what, options) in [
        ("AES-256", &["256"][..]),
        ("AES-128", &["128", "--use-aes=y"][..]),
        ("RC4-128", &["128", "--use-aes=n"][..]),
        ("RC4-40", &["40"][..]),
    ] {
        let mut args = vec!["user-pw", "owner-pw"];
        args.extend_from_slice(options);
        let locked = qpdf_encrypted(&scratch, &plain, &args);

        let e = extract("locked.pdf", &locked).unwrap_err();
        assert_eq!(
            e,
            DocumentError::Encrypted {
                name: "locked.pdf".into()
            },
            "{what}"
        );

        let e = extract_with_password("locked.pdf", &locked, "guess").unwrap_err();
        assert_eq!(
            e,
            DocumentError::WrongPassword {
                name: "locked.pdf".into()
            },
            "{what}"
        );
        assert_eq!(
            e.to_app_error().message,
            "“locked.pdf” is encrypted and the password given is wrong. \
             Check the password and try again.",
        );

        for password in ["user-pw", "owner-pw"] {
            let doc = extract_with_password("locked.pdf", &locked, password)
                .unwrap_or_else(|e| panic!("{what} with {password}: {e}"));
            assert!(
                text_of(&doc).contains(SENTENCE),
                "{what}: {}",
                text_of(&doc)
            );
        }
    }
}

#[test]
fn an_owner_only_password_opens_without_asking() {
    let scratch = Scratch::new();
    let locked = qpdf_encrypted(&scratch, &groff_pdf(REPORT), &["", "owner-pw", "256"]);
    for doc in [
        extract("restricted.pdf", &locked).unwrap(),
        // A password typed needlessly does no harm.
        extract_with_password("restricted.pdf", &locked, "anything").unwrap(),
    ] {
        assert!(text_of(&doc).contains(SENTENCE), "{}", text_of(&doc));
    }
}

#[test]
fn a_password_given_for_a_plain_pdf_is_ignored() {
    let plain = groff_pdf(REPORT);
    let with = extract_with_password("plain.pdf", &plain, "unneeded").unwrap();
    assert_eq!(with, extract("plain.pdf", &plain).unwrap());
}
