//! The schema's history. Each file under `migrations/` is one version,
//! embedded at build time and applied in its own transaction; the version
//! number is SQLite's `user_version`. A shipped file is never edited: a change
//! is a new file, and `tests/store_migrations.rs` upgrades a populated
//! database from every earlier version.

use std::sync::LazyLock;

use rusqlite::Connection;
use rusqlite_migration::{M, Migrations};

use super::error::{Result, StoreError};

/// The SQL of each version, oldest first. Append only.
const MIGRATIONS: &[(&str, &str)] = &[
    (
        "001_conversations_messages",
        include_str!("migrations/001_conversations_messages.sql"),
    ),
    (
        "002_message_search",
        include_str!("migrations/002_message_search.sql"),
    ),
    (
        "003_attachments_usage",
        include_str!("migrations/003_attachments_usage.sql"),
    ),
    (
        "004_stream_owner",
        include_str!("migrations/004_stream_owner.sql"),
    ),
    (
        "005_attachment_details",
        include_str!("migrations/005_attachment_details.sql"),
    ),
    (
        "006_search_prefix_4",
        include_str!("migrations/006_search_prefix_4.sql"),
    ),
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

static ALL: LazyLock<Migrations<'static>> = LazyLock::new(|| {
    Migrations::new(
        MIGRATIONS
            .iter()
            .map(|(_, sql)| M::up(sql).foreign_key_check())
            .collect(),
    )
});

/// The names of the migrations, oldest first (version `i + 1` is `names()[i]`).
pub fn names() -> impl Iterator<Item = &'static str> {
    MIGRATIONS.iter().map(|(name, _)| *name)
}

/// The database's schema version (`PRAGMA user_version`); 0 for a new file.
pub fn user_version(conn: &Connection) -> Result<usize> {
    let v: i64 = conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
    usize::try_from(v).map_err(|_| StoreError::corrupt("schema version", v))
}

/// Brings a database up to `target`, one version per transaction, so a
/// failure leaves it at the last version that fully applied. Public so tests
/// and tools can build a database as an older app left it; the app itself
/// goes through `Store::open`, which backs up first.
pub fn migrate_to(conn: &mut Connection, target: usize) -> Result<()> {
    let current = user_version(conn)?;
    if current > SCHEMA_VERSION {
        return Err(StoreError::NewerSchema {
            found: current,
            supported: SCHEMA_VERSION,
        });
    }
    if target > SCHEMA_VERSION {
        return Err(StoreError::invalid(format!(
            "schema version {target} does not exist (latest is {SCHEMA_VERSION})"
        )));
    }
    for v in current..target {
        ALL.to_version(conn, v + 1)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn migrations_are_valid_and_numbered_in_order() {
        assert!(ALL.validate().is_ok());
        for (i, name) in names().enumerate() {
            assert!(
                name.starts_with(&format!("{:03}_", i + 1)),
                "migration {name} is out of order"
            );
        }
    }
}
