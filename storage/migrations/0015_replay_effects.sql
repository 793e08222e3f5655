-- What must still happen after a commit (review of issues 16 and 20): an update handled again
-- after a crash (its inbox row not marked done) does those steps again, but only the ones not
-- recorded as done, so at most the one message in flight at the crash is repeated.

-- The message a perkembangan was posted as under its group alert (NULL: not posted yet, or
-- never to be: an incident without an alert).
ALTER TABLE incident_events ADD COLUMN posted_message_id INTEGER;

-- When the reporting officer was told who took up their urgent report ("✅ Diterima").
-- Acknowledgements before this migration were told at the time.
ALTER TABLE reports ADD COLUMN ack_told_at TEXT;
UPDATE reports SET ack_told_at = acked_at WHERE acked_at IS NOT NULL;
