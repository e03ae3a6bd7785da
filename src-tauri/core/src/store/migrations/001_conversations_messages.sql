-- Version 1: conversations and their messages.
-- Shipped migrations are never edited: change the schema with a new file.

CREATE TABLE conversations (
    id              INTEGER PRIMARY KEY,
    title           TEXT    NOT NULL,
    model           TEXT    NOT NULL,
    system_prompt   TEXT,
    -- SamplingSettings as JSON: new knobs need no migration.
    sampling        TEXT    NOT NULL DEFAULT '{}' CHECK (json_valid(sampling)),
    created_at      INTEGER NOT NULL,
    -- Last activity (a message appended); orders the list.
    updated_at      INTEGER NOT NULL,
    pinned          INTEGER NOT NULL DEFAULT 0 CHECK (pinned IN (0, 1)),
    archived        INTEGER NOT NULL DEFAULT 0 CHECK (archived IN (0, 1)),
    -- Soft delete, so "undo" works; purged later.
    deleted_at      INTEGER,
    -- The active branch's newest message. No FOREIGN KEY: messages already
    -- reference conversations, and a cycle of cascades would make purging a
    -- conversation fight itself. The store only ever writes ids it checked.
    current_leaf_id INTEGER,
    -- Kept by a trigger so the list never counts rows.
    message_count   INTEGER NOT NULL DEFAULT 0
);

-- The list: pinned first, newest activity first, keyset-paged on
-- (pinned, updated_at, id). Partial, so deleted rows cost nothing, and
-- covering (title, model, created_at, message_count ride along, and
-- deleted_at, always NULL here, so the WHERE needs no table row), so a page
-- reads a few index pages and no table rows: the first page costs the same
-- on a big history as on a small one.
CREATE INDEX conversations_list
    ON conversations (archived, pinned DESC, updated_at DESC, id DESC,
                      title, model, created_at, message_count, deleted_at)
    WHERE deleted_at IS NULL;

CREATE INDEX conversations_deleted
    ON conversations (deleted_at)
    WHERE deleted_at IS NOT NULL;

-- Append-only: an edit or a regenerated reply is a new row under the same
-- parent (a branch). Only a reply still streaming is updated in place.
-- Column order matters: the small columns that search filters and the list
-- read come first, the large text and content last, so reading them never
-- walks a long row's overflow pages.
CREATE TABLE messages (
    id                          INTEGER PRIMARY KEY,
    conversation_id             INTEGER NOT NULL REFERENCES conversations (id) ON DELETE CASCADE,
    parent_id                   INTEGER REFERENCES messages (id) ON DELETE CASCADE,
    role                        TEXT    NOT NULL CHECK (role IN ('user', 'assistant')),
    status                      TEXT    NOT NULL
        CHECK (status IN ('complete', 'streaming', 'interrupted', 'error')),
    model                       TEXT,
    created_at                  INTEGER NOT NULL,
    finished_at                 INTEGER,
    stop_reason                 TEXT,
    input_tokens                INTEGER,
    output_tokens               INTEGER,
    cache_creation_input_tokens INTEGER,
    cache_read_input_tokens     INTEGER,
    error                       TEXT,
    -- Plain text of the content: search, previews, titles.
    text                        TEXT    NOT NULL,
    -- Content blocks in the Messages API's JSON shape.
    content                     TEXT    NOT NULL CHECK (json_valid(content))
);

CREATE INDEX messages_conversation ON messages (conversation_id, id);
CREATE INDEX messages_parent ON messages (parent_id) WHERE parent_id IS NOT NULL;
-- Start-up recovery finds replies cut off by a crash without a scan.
CREATE INDEX messages_streaming ON messages (status) WHERE status = 'streaming';

CREATE TRIGGER messages_count_insert AFTER INSERT ON messages
BEGIN
    UPDATE conversations SET message_count = message_count + 1 WHERE id = new.conversation_id;
END;
