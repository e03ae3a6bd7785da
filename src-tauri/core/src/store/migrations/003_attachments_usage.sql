-- Version 3: attachments, per-day usage, time to first token.

ALTER TABLE messages ADD COLUMN first_token_at INTEGER;

-- File bytes, stored once per distinct content however often attached, and
-- kept out of the messages table and the search index.
CREATE TABLE attachment_blobs (
    sha256     TEXT    PRIMARY KEY NOT NULL CHECK (length(sha256) = 64),
    size       INTEGER NOT NULL,
    bytes      BLOB    NOT NULL,
    created_at INTEGER NOT NULL
);

-- One row per file attached to a message.
CREATE TABLE message_attachments (
    id             INTEGER PRIMARY KEY,
    message_id     INTEGER NOT NULL REFERENCES messages (id) ON DELETE CASCADE,
    sha256         TEXT    NOT NULL REFERENCES attachment_blobs (sha256),
    name           TEXT    NOT NULL,
    media_type     TEXT    NOT NULL,
    extracted_text TEXT,
    created_at     INTEGER NOT NULL
);

CREATE INDEX message_attachments_message ON message_attachments (message_id);
-- Purging looks for blobs nobody links to any more.
CREATE INDEX message_attachments_blob ON message_attachments (sha256);

CREATE VIRTUAL TABLE attachment_fts USING fts5 (
    extracted_text,
    content = 'message_attachments',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

CREATE TRIGGER message_attachments_fts_insert AFTER INSERT ON message_attachments
BEGIN
    INSERT INTO attachment_fts (rowid, extracted_text) VALUES (new.id, new.extracted_text);
END;

CREATE TRIGGER message_attachments_fts_delete AFTER DELETE ON message_attachments
BEGIN
    INSERT INTO attachment_fts (attachment_fts, rowid, extracted_text)
        VALUES ('delete', old.id, old.extracted_text);
END;

CREATE TRIGGER message_attachments_fts_update AFTER UPDATE OF extracted_text ON message_attachments
WHEN old.extracted_text IS NOT new.extracted_text
BEGIN
    INSERT INTO attachment_fts (attachment_fts, rowid, extracted_text)
        VALUES ('delete', old.id, old.extracted_text);
    INSERT INTO attachment_fts (rowid, extracted_text) VALUES (new.id, new.extracted_text);
END;

-- Token use per model and UTC day, kept when conversations are purged.
CREATE TABLE usage_records (
    day                         TEXT    NOT NULL,  -- YYYY-MM-DD, UTC
    model                       TEXT    NOT NULL,
    messages                    INTEGER NOT NULL DEFAULT 0,
    input_tokens                INTEGER NOT NULL DEFAULT 0,
    output_tokens               INTEGER NOT NULL DEFAULT 0,
    cache_creation_input_tokens INTEGER NOT NULL DEFAULT 0,
    cache_read_input_tokens     INTEGER NOT NULL DEFAULT 0,
    -- Sum of the prices that were known; NULL when none was.
    cost_usd                    REAL,
    unpriced_messages           INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (day, model)
) WITHOUT ROWID;

-- Replies stored by earlier versions count too (their price is unknown).
INSERT INTO usage_records (
    day, model, messages, input_tokens, output_tokens,
    cache_creation_input_tokens, cache_read_input_tokens, cost_usd, unpriced_messages
)
SELECT date(coalesce(m.finished_at, m.created_at) / 1000, 'unixepoch'),
       coalesce(m.model, c.model),
       count(*),
       sum(coalesce(m.input_tokens, 0)),
       sum(coalesce(m.output_tokens, 0)),
       sum(coalesce(m.cache_creation_input_tokens, 0)),
       sum(coalesce(m.cache_read_input_tokens, 0)),
       NULL,
       count(*)
FROM messages m
JOIN conversations c ON c.id = m.conversation_id
WHERE m.input_tokens IS NOT NULL OR m.output_tokens IS NOT NULL
GROUP BY 1, 2;
