//! What a file is, from its first bytes; zip containers from their entries.

use super::DocumentError;
use super::zipped::Container;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sniffed {
    Pdf,
    Image,
    Zip,
    /// An OLE compound file: legacy Office, or an encrypted OOXML file.
    Compound,
    /// A known binary format this version does not read.
    Other(&'static str),
    /// Anything else: tried as text.
    Text,
}

pub(crate) fn sniff(bytes: &[u8]) -> Sniffed {
    let starts = |magic: &[u8]| bytes.starts_with(magic);
    if starts(b"\x89PNG\r\n\x1a\n")
        || starts(b"\xff\xd8\xff")
        || starts(b"GIF87a")
        || starts(b"GIF89a")
        || (starts(b"RIFF") && bytes.get(8..12) == Some(b"WEBP"))
        // Not sent as they are: converted to PNG or JPEG on the way.
        || starts(b"II*\0")
        || starts(b"MM\0*")
        || is_bmp(bytes)
    {
        return Sniffed::Image;
    }
    // PDF readers accept the header anywhere in the first kilobyte.
    if find(bytes.get(..1024).unwrap_or(bytes), b"%PDF-").is_some() {
        return Sniffed::Pdf;
    }
    if starts(b"PK\x03\x04") || starts(b"PK\x05\x06") {
        return Sniffed::Zip;
    }
    if starts(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1") {
        return Sniffed::Compound;
    }
    if bytes.get(4..8) == Some(b"ftyp") {
        return Sniffed::Other(match bytes.get(8..12) {
            Some(b"heic" | b"heix" | b"mif1" | b"msf1") => "a HEIC image",
            Some(b"avif") => "an AVIF image",
            _ => "a video or audio file",
        });
    }
    const OTHERS: [(&[u8], &str); 7] = [
        (b"\x7fELF", "a program"),
        (b"MZ", "a Windows program"),
        (b"\x1f\x8b", "a gzip archive"),
        (b"7z\xbc\xaf\x27\x1c", "a 7-Zip archive"),
        (b"Rar!\x1a\x07", "a RAR archive"),
        (b"SQLite format 3\0", "an SQLite database"),
        (b"ID3", "an audio file"),
    ];
    for (magic, what) in OTHERS {
        if starts(magic) {
            return Sniffed::Other(what);
        }
    }
    Sniffed::Text
}

/// "BM" alone starts plenty of text files, so the header must hold up too:
/// reserved bytes zero and a known info-header size.
fn is_bmp(bytes: &[u8]) -> bool {
    let info_size = bytes
        .get(14..18)
        .and_then(|b| b.try_into().ok())
        .map(u32::from_le_bytes);
    bytes.starts_with(b"BM")
        && bytes.get(6..10) == Some(&[0, 0, 0, 0])
        && matches!(info_size, Some(12 | 40 | 52 | 56 | 64 | 108 | 124))
}

pub(crate) fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Which office format a zip container is, by the parts it holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum OfficeKind {
    Docx,
    Xlsx,
    Odt,
    Ods,
}

pub(crate) fn zip_kind(name: &str, bytes: &[u8]) -> Result<OfficeKind, DocumentError> {
    let mut zip = Container::open(name, bytes)?;
    let unsupported = |what: String| DocumentError::Unsupported {
        name: name.to_owned(),
        what,
    };
    if zip.has("word/document.xml") {
        return Ok(OfficeKind::Docx);
    }
    if zip.has("xl/workbook.xml") {
        return Ok(OfficeKind::Xlsx);
    }
    if zip.has("ppt/presentation.xml") {
        return Err(unsupported("a PowerPoint presentation".to_owned()));
    }
    if zip.has("mimetype") && zip.has("content.xml") {
        // A password-protected ODF file keeps its parts encrypted and says
        // so in the manifest.
        let manifest = zip.read_text("META-INF/manifest.xml")?.unwrap_or_default();
        if manifest.contains("encryption-data") {
            return Err(DocumentError::Encrypted {
                name: name.to_owned(),
            });
        }
        let mime = zip.read_text("mimetype")?.unwrap_or_default();
        let mime = mime.trim();
        if mime.starts_with("application/vnd.oasis.opendocument.text") {
            return Ok(OfficeKind::Odt);
        }
        if mime.starts_with("application/vnd.oasis.opendocument.spreadsheet") {
            return Ok(OfficeKind::Ods);
        }
        let what = mime
            .strip_prefix("application/vnd.oasis.opendocument.")
            .map(|k| format!("an OpenDocument {k}"))
            .unwrap_or_else(|| "a zip archive".to_owned());
        return Err(unsupported(what));
    }
    Err(unsupported("a zip archive".to_owned()))
}

/// A compound file holding an `EncryptedPackage` stream is an encrypted
/// DOCX/XLSX (Office saves password-protected files so); others are the
/// pre-2007 formats.
pub(crate) fn compound(name: &str, bytes: &[u8]) -> DocumentError {
    let marker: Vec<u8> = "EncryptedPackage"
        .encode_utf16()
        .flat_map(u16::to_le_bytes)
        .collect();
    if find(bytes, &marker).is_some() {
        DocumentError::Encrypted {
            name: name.to_owned(),
        }
    } else {
        DocumentError::Unsupported {
            name: name.to_owned(),
            what: "a legacy Office file (.doc, .xls or .ppt)".to_owned(),
        }
    }
}
