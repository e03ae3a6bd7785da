//! Zip containers (DOCX, XLSX, ODT, ODS) opened with limits on everything
//! read from them, so a crafted archive cannot make us unpack gigabytes.

use std::io::{Cursor, Read};

use zip::ZipArchive;

use super::DocumentError;

/// More entries than any real office document has (a large XLSX has a few
/// hundred).
pub const MAX_ZIP_ENTRIES: usize = 10_000;
/// The most all entries may unpack to together, as the archive declares it.
pub const MAX_UNZIPPED_BYTES: u64 = 512 * 1024 * 1024;
/// The most one XML part is read to; a larger part is refused.
pub const MAX_ENTRY_BYTES: u64 = 128 * 1024 * 1024;
/// Office XML compresses 5-30x; deflate's ceiling is about 1,030x. Entries
/// over [`RATIO_CHECK_FROM`] that claim more than this are refused.
pub const MAX_COMPRESSION_RATIO: u64 = 100;
pub const RATIO_CHECK_FROM: u64 = 8 * 1024 * 1024;

pub(crate) struct Container<'a> {
    name: &'a str,
    archive: ZipArchive<Cursor<&'a [u8]>>,
}

impl<'a> Container<'a> {
    /// Opens the archive and checks its directory against the limits before
    /// anything is unpacked.
    pub(crate) fn open(name: &'a str, bytes: &'a [u8]) -> Result<Self, DocumentError> {
        let archive = ZipArchive::new(Cursor::new(bytes)).map_err(|e| DocumentError::Corrupt {
            name: name.to_owned(),
            detail: format!("not a readable zip container ({e})"),
        })?;
        let c = Self { name, archive };
        c.check_limits()?;
        Ok(c)
    }

    fn bomb(&self, detail: String) -> DocumentError {
        DocumentError::ZipBomb {
            name: self.name.to_owned(),
            detail,
        }
    }

    fn check_limits(&self) -> Result<(), DocumentError> {
        let count = self.archive.len();
        if count > MAX_ZIP_ENTRIES {
            return Err(self.bomb(format!("{count} entries (the limit is {MAX_ZIP_ENTRIES})")));
        }
        let mut total: u64 = 0;
        for i in 0..count {
            let Ok(entry) = self.archive.by_index_data(i) else {
                continue;
            };
            if entry.encrypted() {
                return Err(DocumentError::Encrypted {
                    name: self.name.to_owned(),
                });
            }
            let size = entry.size();
            total = total.saturating_add(size);
            let packed = entry.compressed_size().max(1);
            if size > RATIO_CHECK_FROM && size / packed > MAX_COMPRESSION_RATIO {
                return Err(self.bomb(format!(
                    "an entry unpacks {}x ({size} bytes from {packed})",
                    size / packed
                )));
            }
        }
        if total > MAX_UNZIPPED_BYTES {
            return Err(self.bomb(format!(
                "it unpacks to {total} bytes (the limit is {MAX_UNZIPPED_BYTES})"
            )));
        }
        Ok(())
    }

    /// Entry names, in archive order.
    pub(crate) fn names(&self) -> Vec<String> {
        self.archive
            .file_names()
            .filter_map(Result::ok)
            .map(|n| n.into_owned())
            .collect()
    }

    pub(crate) fn has(&self, entry: &str) -> bool {
        self.archive.index_for_name(entry).is_some()
    }

    /// One entry's bytes, or `None` when it is absent. Reading stops at
    /// [`MAX_ENTRY_BYTES`] whatever size the directory claims.
    pub(crate) fn read(&mut self, entry: &str) -> Result<Option<Vec<u8>>, DocumentError> {
        let name = self.name;
        let Some(index) = self.archive.index_for_name(entry) else {
            return Ok(None);
        };
        let corrupt = |e: &dyn std::fmt::Display| DocumentError::Corrupt {
            name: name.to_owned(),
            detail: format!("its part {entry} cannot be read ({e})"),
        };
        let file = self.archive.by_index(index).map_err(|e| corrupt(&e))?;
        let mut out = Vec::new();
        file.take(MAX_ENTRY_BYTES + 1)
            .read_to_end(&mut out)
            .map_err(|e| corrupt(&e))?;
        if out.len() as u64 > MAX_ENTRY_BYTES {
            return Err(self.bomb(format!(
                "its part {entry} unpacks to more than {MAX_ENTRY_BYTES} bytes"
            )));
        }
        Ok(Some(out))
    }

    /// An entry as text (XML parts are UTF-8); invalid bytes are replaced.
    pub(crate) fn read_text(&mut self, entry: &str) -> Result<Option<String>, DocumentError> {
        Ok(self
            .read(entry)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    }

    /// A part the format cannot do without; its absence makes the file
    /// [`DocumentError::Corrupt`].
    pub(crate) fn read_required(&mut self, entry: &str) -> Result<String, DocumentError> {
        self.read_text(entry)?
            .ok_or_else(|| DocumentError::Corrupt {
                name: self.name.to_owned(),
                detail: format!("it has no {entry}"),
            })
    }
}
