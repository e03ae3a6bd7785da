-- Version 2: full-text search over message text.
-- External content: the text is stored once, in messages; the index holds
-- only tokens. unicode61 folds case for Cyrillic as well as Latin, and
-- remove_diacritics 2 makes "cafe" find "café". The prefix indexes keep
-- search-as-you-type fast for 2- and 3-letter prefixes.

CREATE VIRTUAL TABLE message_fts USING fts5 (
    text,
    content = 'messages',
    content_rowid = 'id',
    tokenize = 'unicode61 remove_diacritics 2',
    prefix = '2 3'
);

-- Index what earlier versions stored.
INSERT INTO message_fts (message_fts) VALUES ('rebuild');

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
BEGIN
    INSERT INTO message_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
BEGIN
    INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- Fires for streaming checkpoints and the final text of a reply.
CREATE TRIGGER messages_fts_update AFTER UPDATE OF text ON messages
WHEN old.text IS NOT new.text
BEGIN
    INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.id, old.text);
    INSERT INTO message_fts (rowid, text) VALUES (new.id, new.text);
END;
