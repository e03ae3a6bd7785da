-- Version 5: what an attached file was read as.

-- JSON written by the chat layer (kind, pages or sheets, truncation notes,
-- the token estimate), so a chip shows the same facts after a restart as
-- before the send. NULL for files attached by earlier versions.
ALTER TABLE message_attachments ADD COLUMN details TEXT;
