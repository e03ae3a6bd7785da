//! Full-text search over message text and attachments' extracted text
//! (FTS5, kept in sync by triggers; see migrations 002 and 003).
//!
//! What the user types is never handed to FTS5 as syntax: each word is
//! quoted, so `"`, `*`, `NEAR(`, `AND` and friends are just text and cannot
//! make a query fail. Words must all match (AND); the last is a prefix, so
//! results follow typing.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use rusqlite::params;

use super::Store;
use super::error::Result;
use super::messages::role_str;
use super::types::{MessageId, Role, SearchHit, SearchQuery};

/// Opens a highlighted match in [`SearchHit::snippet`] (STX). Not HTML: the
/// snippet is untrusted text the UI escapes before turning markers into tags.
pub const SNIPPET_START: char = '\u{2}';
/// Closes a highlighted match (ETX).
pub const SNIPPET_END: char = '\u{3}';

/// Words looked at; more only slow the query without narrowing it usefully.
const MAX_TERMS: usize = 16;
const MAX_HITS: u32 = 200;
/// Tokens of context in a snippet.
const SNIPPET_TOKENS: i32 = 16;

/// Stored plain text never contains the marker characters, so every marker
/// in a snippet is one search put there.
pub(crate) fn strip_markers(s: &str) -> Cow<'_, str> {
    if s.contains([SNIPPET_START, SNIPPET_END]) {
        Cow::Owned(s.replace([SNIPPET_START, SNIPPET_END], ""))
    } else {
        Cow::Borrowed(s)
    }
}

/// The FTS5 query for what the user typed, or `None` when it holds no word.
/// Every term becomes a quoted string (quotes doubled), so no input is FTS5
/// syntax; the last term of two or more characters gets `*` (prefix). One
/// letter stays exact: a one-letter prefix matches most of the index.
pub fn fts_query(input: &str) -> Option<String> {
    let terms: Vec<&str> = input
        .split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .take(MAX_TERMS)
        .collect();
    let last = terms.len().checked_sub(1)?;
    let mut q = String::new();
    for (i, t) in terms.iter().enumerate() {
        if i > 0 {
            q.push(' ');
        }
        q.push('"');
        q.push_str(&t.replace('"', "\"\""));
        q.push('"');
        if i == last && t.chars().filter(|c| c.is_alphanumeric()).count() >= 2 {
            q.push('*');
        }
    }
    Some(q)
}

/// Matches considered for ranking, newest first (the default of
/// [`Store::set_search_window`]). bm25 runs only for these, so a word found in
/// half the history costs the same as a rare one; beyond the window, older
/// matches of a very common query are not ranked.
pub const SEARCH_WINDOW: u32 = 2000;

// Stage 1, per index: the newest matches with their bm25 and nothing else.
// FTS5 hands rowids back newest first without sorting (ORDER BY rowid DESC is
// native to the index) and the LIMIT stops it after the window. No joins: on
// a history larger than memory a row lookup per match was most of the time.
pub(crate) const MESSAGE_CANDIDATES_SQL: &str = "SELECT rowid, bm25(message_fts) FROM message_fts
 WHERE message_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2";
pub(crate) const ATTACHMENT_CANDIDATES_SQL: &str =
    "SELECT rowid, bm25(attachment_fts) FROM attachment_fts
 WHERE attachment_fts MATCH ?1 ORDER BY rowid DESC LIMIT ?2";

// Stage 2, best candidate first, until enough pass: is it in a live
// conversation and does it pass the filters.
const FILTERS: &str = "c.deleted_at IS NULL
   AND (?2 OR c.archived = 0)
   AND (NOT ?3 OR c.pinned = 1)
   AND (?4 IS NULL OR coalesce(m.model, c.model) = ?4)
   AND (?5 IS NULL OR m.created_at >= ?5)
   AND (?6 IS NULL OR m.created_at < ?6)";

fn message_check_sql() -> String {
    format!(
        "SELECT m.id, m.conversation_id, c.title, m.role, m.created_at
         FROM messages m JOIN conversations c ON c.id = m.conversation_id
         WHERE m.id = ?1 AND {FILTERS}"
    )
}

fn attachment_check_sql() -> String {
    format!(
        "SELECT m.id, m.conversation_id, c.title, m.role, m.created_at
         FROM message_attachments a
         JOIN messages m ON m.id = a.message_id
         JOIN conversations c ON c.id = m.conversation_id
         WHERE a.id = ?1 AND {FILTERS}"
    )
}

// The fallback when filters reject most of a full window (a common word
// with a narrow date range, say): the window then counts only messages that
// pass the filters, at the price of joining every match it reads.
pub(crate) const MESSAGE_HITS_SQL: &str =
    "SELECT id, rank, conversation_id, title, role, created_at, NULL FROM (
     SELECT m.id, bm25(message_fts) AS rank, m.conversation_id, c.title, m.role, m.created_at
     FROM message_fts
     JOIN messages m ON m.id = message_fts.rowid
     JOIN conversations c ON c.id = m.conversation_id
     WHERE message_fts MATCH ?1
       AND c.deleted_at IS NULL
       AND (?2 OR c.archived = 0)
       AND (NOT ?3 OR c.pinned = 1)
       AND (?4 IS NULL OR coalesce(m.model, c.model) = ?4)
       AND (?5 IS NULL OR m.created_at >= ?5)
       AND (?6 IS NULL OR m.created_at < ?6)
     ORDER BY message_fts.rowid DESC
     LIMIT ?7
 ) ORDER BY rank LIMIT ?8";

pub(crate) const ATTACHMENT_HITS_SQL: &str =
    "SELECT id, rank, conversation_id, title, role, created_at, attachment_id FROM (
     SELECT m.id, bm25(attachment_fts) AS rank, m.conversation_id, c.title, m.role, m.created_at,
            a.id AS attachment_id
     FROM attachment_fts
     JOIN message_attachments a ON a.id = attachment_fts.rowid
     JOIN messages m ON m.id = a.message_id
     JOIN conversations c ON c.id = m.conversation_id
     WHERE attachment_fts MATCH ?1
       AND c.deleted_at IS NULL
       AND (?2 OR c.archived = 0)
       AND (NOT ?3 OR c.pinned = 1)
       AND (?4 IS NULL OR coalesce(m.model, c.model) = ?4)
       AND (?5 IS NULL OR m.created_at >= ?5)
       AND (?6 IS NULL OR m.created_at < ?6)
     ORDER BY attachment_fts.rowid DESC
     LIMIT ?7
 ) ORDER BY rank LIMIT ?8";

fn parse_role(s: &str) -> Role {
    if s == role_str(Role::User) {
        Role::User
    } else {
        Role::Assistant
    }
}

// Snippets only for the hits shown, all in one statement: FTS5 sets up the
// query (for a prefix, merging every matching term) once, walks the rowid
// range of the hits, and `snippet()` runs only for rows the IN keeps. The
// unary `+` keeps that IN a filter rather than one index lookup per id,
// each of which would set the query up again.
const MESSAGE_SNIPPETS_SQL: &str = "SELECT rowid, snippet(message_fts, 0, ?2, ?3, '…', ?4)
 FROM message_fts
 WHERE message_fts MATCH ?1 AND rowid BETWEEN ?5 AND ?6
   AND +rowid IN (SELECT value FROM json_each(?7))";
const ATTACHMENT_SNIPPETS_SQL: &str =
    "SELECT attachment_fts.rowid, snippet(attachment_fts, 0, ?2, ?3, '…', ?4), a.name
 FROM attachment_fts JOIN message_attachments a ON a.id = attachment_fts.rowid
 WHERE attachment_fts MATCH ?1 AND attachment_fts.rowid BETWEEN ?5 AND ?6
   AND +attachment_fts.rowid IN (SELECT value FROM json_each(?7))";

impl Store {
    /// How many of the newest matches search ranks (default
    /// [`SEARCH_WINDOW`]): larger ranks more of a common word's older matches,
    /// smaller answers faster on a slow disk.
    pub fn set_search_window(&mut self, matches: u32) {
        self.search_window = matches.max(1);
    }

    /// The fallback of [`Store::search`]: filters applied before the window.
    fn search_filtered_window(
        &self,
        fts: &str,
        q: &SearchQuery,
        limit: usize,
    ) -> Result<Vec<SearchHit>> {
        let mut hits = Vec::new();
        for sql in [MESSAGE_HITS_SQL, ATTACHMENT_HITS_SQL] {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let mut rows = stmt.query(params![
                fts,
                q.include_archived,
                q.pinned_only,
                q.model,
                q.from,
                q.to,
                self.search_window,
                limit as i64
            ])?;
            while let Some(r) = rows.next()? {
                let role: String = r.get(4)?;
                hits.push(SearchHit {
                    conversation_id: r.get(2)?,
                    conversation_title: r.get(3)?,
                    message_id: r.get(0)?,
                    role: parse_role(&role),
                    snippet: String::new(),
                    rank: r.get(1)?,
                    created_at: r.get(5)?,
                    attachment_id: r.get(6)?,
                    attachment_name: None,
                });
            }
        }
        hits.sort_by(|a, b| a.rank.total_cmp(&b.rank));
        let mut seen: HashSet<MessageId> = HashSet::new();
        hits.retain(|h| seen.insert(h.message_id));
        hits.truncate(limit);
        Ok(hits)
    }

    /// Messages of live conversations matching every word of `q.text`, best
    /// first (bm25), each with a snippet around the match.
    pub fn search(&self, q: &SearchQuery) -> Result<Vec<SearchHit>> {
        let Some(fts) = fts_query(&q.text) else {
            return Ok(Vec::new());
        };
        let limit = q.limit.clamp(1, MAX_HITS) as usize;
        let window = self.search_window;

        // Stage 1: ranked candidates from both indexes on one bm25 scale.
        let mut candidates: Vec<(f64, bool, i64)> = Vec::new();
        let mut window_full = false;
        for (sql, file) in [
            (MESSAGE_CANDIDATES_SQL, false),
            (ATTACHMENT_CANDIDATES_SQL, true),
        ] {
            let mut stmt = self.conn.prepare_cached(sql)?;
            let before = candidates.len();
            let rows =
                stmt.query_map(params![fts, window], |r| Ok((r.get(1)?, file, r.get(0)?)))?;
            for row in rows {
                candidates.push(row?);
            }
            window_full |= candidates.len() - before == window as usize;
        }
        candidates.sort_by(|a, b| a.0.total_cmp(&b.0));

        // Stage 2: the best that pass, each message once (by its best match,
        // in its text or in a file).
        let mut seen: HashSet<MessageId> = HashSet::new();
        let mut hits = Vec::new();
        {
            let mut check_message = self.conn.prepare_cached(&message_check_sql())?;
            let mut check_file = self.conn.prepare_cached(&attachment_check_sql())?;
            for &(rank, file, rowid) in &candidates {
                if hits.len() == limit {
                    break;
                }
                let stmt = if file {
                    &mut check_file
                } else {
                    &mut check_message
                };
                let mut rows = stmt.query(params![
                    rowid,
                    q.include_archived,
                    q.pinned_only,
                    q.model,
                    q.from,
                    q.to
                ])?;
                let Some(r) = rows.next()? else { continue };
                let message_id: MessageId = r.get(0)?;
                if !seen.insert(message_id) {
                    continue;
                }
                let role: String = r.get(3)?;
                hits.push(SearchHit {
                    conversation_id: r.get(1)?,
                    conversation_title: r.get(2)?,
                    message_id,
                    role: parse_role(&role),
                    snippet: String::new(),
                    rank,
                    created_at: r.get(4)?,
                    attachment_id: file.then_some(rowid),
                    attachment_name: None,
                });
            }
        }
        if hits.len() < limit && window_full {
            hits = self.search_filtered_window(&fts, q, limit)?;
        }

        let start = SNIPPET_START.to_string();
        let end = SNIPPET_END.to_string();
        let (in_files, in_text): (Vec<&SearchHit>, Vec<&SearchHit>) =
            hits.iter().partition(|h| h.attachment_id.is_some());
        let text_ids: Vec<i64> = in_text.iter().map(|h| h.message_id).collect();
        let file_ids: Vec<i64> = in_files.iter().filter_map(|h| h.attachment_id).collect();
        let mut snippets: HashMap<(bool, i64), (String, Option<String>)> = HashMap::new();
        for (sql, ids, file) in [
            (MESSAGE_SNIPPETS_SQL, &text_ids, false),
            (ATTACHMENT_SNIPPETS_SQL, &file_ids, true),
        ] {
            let (Some(lo), Some(hi)) = (ids.iter().min(), ids.iter().max()) else {
                continue;
            };
            let mut stmt = self.conn.prepare_cached(sql)?;
            let mut rows = stmt.query(params![
                fts,
                start,
                end,
                SNIPPET_TOKENS,
                lo,
                hi,
                serde_json::to_string(ids)?
            ])?;
            while let Some(r) = rows.next()? {
                let name = if file { r.get(2)? } else { None };
                snippets.insert((file, r.get(0)?), (r.get(1)?, name));
            }
        }
        for hit in &mut hits {
            let key = match hit.attachment_id {
                Some(a) => (true, a),
                None => (false, hit.message_id),
            };
            if let Some((snippet, name)) = snippets.remove(&key) {
                hit.snippet = snippet;
                hit.attachment_name = name;
            }
        }
        Ok(hits)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_term_is_quoted_and_the_last_is_a_prefix() {
        assert_eq!(
            fts_query("hello world").as_deref(),
            Some("\"hello\" \"world\"*")
        );
        assert_eq!(fts_query("ПРИВЕТ").as_deref(), Some("\"ПРИВЕТ\"*"));
        assert_eq!(
            fts_query("say \"hi\"").as_deref(),
            Some("\"say\" \"\"\"hi\"\"\"*")
        );
        assert_eq!(fts_query("NEAR( a").as_deref(), Some("\"NEAR(\" \"a\""));
    }

    #[test]
    fn input_without_words_is_no_query() {
        assert_eq!(fts_query(""), None);
        assert_eq!(fts_query("  \" * ( ) - "), None);
    }

    #[test]
    fn markers_are_removed_from_stored_text() {
        assert_eq!(strip_markers("a\u{2}b\u{3}c"), "abc");
        assert!(matches!(strip_markers("plain"), Cow::Borrowed(_)));
    }
}
