//! Opening the database file: settings every connection needs, refusing a
//! newer schema, backing up before an upgrade, then migrating.

use std::fs;
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::Connection;

use super::error::{Result, StoreError};
use super::migrations::{SCHEMA_VERSION, migrate_to, user_version};

/// Long enough to ride out another process's write (the CLI while the app
/// runs), short enough that a stuck lock surfaces as an error.
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);

pub(crate) fn open_file(path: &Path) -> Result<Connection> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        fs::create_dir_all(parent).map_err(|source| StoreError::CreateDir {
            path: parent.to_owned(),
            source,
        })?;
    }
    // The header says the version without SQLite opening the file, which in
    // WAL mode creates -wal and -shm files beside a newer app's database for
    // as long as the connection is open (left behind if we crashed then).
    if let Some(found) = header_user_version(path).filter(|v| *v > SCHEMA_VERSION) {
        return Err(StoreError::NewerSchema {
            found,
            supported: SCHEMA_VERSION,
        });
    }
    let mut conn = Connection::open(path)?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    // Checked before anything writes: a newer app's database must stay
    // byte-for-byte as it was, even the journal mode in its header.
    let version = user_version(&conn)?;
    if version > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: version,
            supported: SCHEMA_VERSION,
        });
    }
    if version > 0 && version < SCHEMA_VERSION {
        backup(&conn, &backup_path(path, version))?;
    }
    migrate_beside_others(&mut conn)?;
    Ok(conn)
}

/// Configures and migrates to the current schema when another process may be doing the
/// same (the app and `megallm` started together on a new or older history).
/// Each version is its own transaction, and the version is read before it,
/// so the process that loses the race for a step fails it ("table already
/// exists") or is refused the lock at once (SQLite does not wait where
/// waiting could deadlock); it then carries on from wherever the winner has
/// got to. A failure with no progress by anyone, or busy for longer than
/// [`BUSY_TIMEOUT`], is a real one.
fn migrate_beside_others(conn: &mut Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + BUSY_TIMEOUT;
    loop {
        let before = user_version(conn)?;
        let Err(e) = configure(conn).and_then(|()| migrate_to(conn, SCHEMA_VERSION)) else {
            return Ok(());
        };
        let now = user_version(conn)?;
        if now == SCHEMA_VERSION {
            return configure(conn);
        }
        if now > before {
            continue;
        }
        if e.is_busy() && std::time::Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
            continue;
        }
        return Err(e);
    }
}

/// `user_version` from the database header (big-endian at offset 60), or
/// `None` when the file is missing, short or not SQLite. The WAL may hold a
/// newer value; the check through SQLite that follows covers that case.
fn header_user_version(path: &Path) -> Option<usize> {
    use std::io::Read;
    let mut header = [0u8; 100];
    fs::File::open(path).ok()?.read_exact(&mut header).ok()?;
    if &header[..16] != b"SQLite format 3\0" {
        return None;
    }
    let v = u32::from_be_bytes([header[60], header[61], header[62], header[63]]);
    usize::try_from(v).ok()
}

/// A second connection to a history the writer has opened (and migrated):
/// reads only, enforced by SQLite (`query_only`).
pub(crate) fn open_reader(path: &Path) -> Result<Connection> {
    let conn = Connection::open(path)?;
    let version = user_version(&conn)?;
    if version != SCHEMA_VERSION {
        return Err(StoreError::invalid(format!(
            "the history is at schema version {version}, not {SCHEMA_VERSION}; restart the app"
        )));
    }
    tune(&conn)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

/// A history written by a newer app, opened to read only: no migration, no
/// change of journal mode, and SQLite refuses every write, so the schema the
/// newer app wrote is never downgraded or touched.
pub(crate) fn open_read_only(path: &Path) -> Result<Connection> {
    use rusqlite::OpenFlags;
    let conn = Connection::open_with_flags(
        path,
        OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
    )?;
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.pragma_update(None, "query_only", true)?;
    Ok(conn)
}

pub(crate) fn open_memory() -> Result<Connection> {
    let mut conn = Connection::open_in_memory()?;
    migrate_beside_others(&mut conn)?;
    Ok(conn)
}

/// Settings that live on the connection, not in the file, so every
/// connection sets them. WAL lets readers (the CLI) run beside the writer and
/// makes a commit one append; with WAL, `synchronous=NORMAL` can lose the
/// last commits on power loss but never corrupts, and costs no fsync per
/// message.
fn configure(conn: &Connection) -> Result<()> {
    // In-memory databases answer "memory"; that is fine.
    let _mode: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
    tune(conn)
}

/// What readers need too. Reads go through a memory map and a 16 MiB page
/// cache: search touches a few thousand rows scattered over the file, and a
/// read() per page was most of its time.
fn tune(conn: &Connection) -> Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    conn.execute_batch(
        "PRAGMA synchronous = NORMAL;
         PRAGMA foreign_keys = ON;
         PRAGMA cache_size = -16384;
         PRAGMA mmap_size = 268435456;",
    )?;
    Ok(())
}

/// Moves a damaged history (and its -wal and -shm files) aside to
/// `<file>.damaged-<unix seconds>` so a fresh one can start; nothing is
/// deleted. Returns where the database went.
pub(crate) fn move_aside(path: &Path, now_secs: i64) -> Result<PathBuf> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".damaged-{now_secs}"));
    let dest = path.with_file_name(name);
    let fail = |source: std::io::Error| StoreError::MoveAside {
        path: dest.clone(),
        source,
    };
    fs::rename(path, &dest).map_err(fail)?;
    for suffix in ["-wal", "-shm"] {
        let mut side = path.as_os_str().to_owned();
        side.push(suffix);
        let side = PathBuf::from(side);
        if side.exists() {
            let mut to = dest.as_os_str().to_owned();
            to.push(suffix);
            fs::rename(&side, PathBuf::from(to)).map_err(fail)?;
        }
    }
    Ok(dest)
}

/// `<file>.backup-v<version>` beside the database.
pub fn backup_path(db: &Path, version: usize) -> PathBuf {
    let mut name = db.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".backup-v{version}"));
    db.with_file_name(name)
}

/// A consistent copy written under a temporary name, flushed, then renamed,
/// so a crash mid-backup never leaves a half file under the backup's name.
/// A backup of the same version left by an earlier attempt is replaced: the
/// database is still at that version, so the new copy is as old and newer.
fn backup(conn: &Connection, dest: &Path) -> Result<()> {
    let fail = |source: Box<dyn std::error::Error + Send + Sync>| StoreError::Backup {
        path: dest.to_owned(),
        source,
    };
    // Named per process and call: the app and the CLI may back up the same
    // version at once (each then renames a whole copy into place).
    static CALLS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
    let call = CALLS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut partial = dest.as_os_str().to_owned();
    partial.push(format!(".partial-{}-{call}", std::process::id()));
    let partial = PathBuf::from(partial);
    let partial_str = partial
        .to_str()
        .ok_or_else(|| fail("the path is not valid UTF-8".into()))?;
    if partial.exists() {
        fs::remove_file(&partial).map_err(|e| fail(e.into()))?;
    }
    conn.execute("VACUUM INTO ?1", [partial_str])
        .map_err(|e| fail(e.into()))?;
    fs::File::open(&partial)
        .and_then(|f| f.sync_all())
        .map_err(|e| fail(e.into()))?;
    fs::rename(&partial, dest).map_err(|e| fail(e.into()))?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn every_connection_is_tuned() {
        let dir = tempfile::tempdir().unwrap();
        let conn = open_file(&dir.path().join("h.db")).unwrap();
        let get = |p: &str| -> i64 {
            conn.query_row(&format!("PRAGMA {p}"), [], |r| r.get(0))
                .unwrap()
        };
        let mode: String = conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(get("synchronous"), 1, "NORMAL");
        assert_eq!(get("foreign_keys"), 1);
        assert_eq!(get("busy_timeout"), 5000);
        assert_eq!(get("user_version"), SCHEMA_VERSION as i64);
    }
}
