-- Version 4: who is writing a streaming reply, and a search index that a
-- stream does not churn.

-- The process streaming into this row (see store/owner.rs), so that start-up
-- recovery interrupts only replies whose writer is gone, not one that the
-- CLI or another window is still writing. NULL for rows written before.
ALTER TABLE messages ADD COLUMN owner TEXT;

-- Before: every checkpoint re-indexed the whole reply (a delete and an
-- insert of all its text), so the index work per checkpoint grew with the
-- reply. Now a reply is out of the index while it streams and goes in once
-- when it ends (complete, interrupted, failed or recovered).
-- Invariant: the index holds exactly the text of every row that is not
-- 'streaming'.
DROP TRIGGER messages_fts_insert;
DROP TRIGGER messages_fts_delete;
DROP TRIGGER messages_fts_update;

-- The old triggers indexed streaming rows too: take them out.
INSERT INTO message_fts (message_fts, rowid, text)
    SELECT 'delete', id, text FROM messages WHERE status = 'streaming';

CREATE TRIGGER messages_fts_insert AFTER INSERT ON messages
WHEN new.status <> 'streaming'
BEGIN
    INSERT INTO message_fts (rowid, text) VALUES (new.id, new.text);
END;

CREATE TRIGGER messages_fts_delete AFTER DELETE ON messages
WHEN old.status <> 'streaming'
BEGIN
    INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- An indexed row whose text changes, or that starts streaming again (a
-- continued reply), leaves the index...
CREATE TRIGGER messages_fts_unindex AFTER UPDATE OF text, status ON messages
WHEN old.status <> 'streaming' AND (old.text IS NOT new.text OR new.status = 'streaming')
BEGIN
    INSERT INTO message_fts (message_fts, rowid, text) VALUES ('delete', old.id, old.text);
END;

-- ...and a row that is not streaming (any more) goes in with its new text.
CREATE TRIGGER messages_fts_index AFTER UPDATE OF text, status ON messages
WHEN new.status <> 'streaming' AND (old.text IS NOT new.text OR old.status = 'streaming')
BEGIN
    INSERT INTO message_fts (rowid, text) VALUES (new.id, new.text);
END;
