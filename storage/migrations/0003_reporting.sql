-- Guided reports carry a category, photos and a location; urgent ones are acknowledged by a
-- koordinator or admin, and re-paged while nobody has.
ALTER TABLE reports ADD COLUMN latitude REAL;
ALTER TABLE reports ADD COLUMN longitude REAL;
-- Where the escalation was posted, so it can be edited when acknowledged.
ALTER TABLE reports ADD COLUMN escalation_chat_id INTEGER;
ALTER TABLE reports ADD COLUMN escalation_message_id INTEGER;
ALTER TABLE reports ADD COLUMN acked_by INTEGER;
ALTER TABLE reports ADD COLUMN acked_by_name TEXT;
ALTER TABLE reports ADD COLUMN acked_at TEXT;
-- Seconds from the report to its acknowledgement.
ALTER TABLE reports ADD COLUMN ack_seconds INTEGER;
ALTER TABLE reports ADD COLUMN repage_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE reports ADD COLUMN next_repage_at TEXT;

CREATE INDEX reports_due_repage ON reports (next_repage_at) WHERE next_repage_at IS NOT NULL;
CREATE INDEX reports_unacknowledged ON reports (id)
    WHERE escalated_at IS NOT NULL AND acked_at IS NULL;

CREATE TABLE report_photos (
    report_id      INTEGER NOT NULL REFERENCES reports (id),
    position       INTEGER NOT NULL,
    file_id        TEXT    NOT NULL,
    file_unique_id TEXT    NOT NULL,
    PRIMARY KEY (report_id, position)
) STRICT;

-- Corrections (/ralat) appended to a report; the original text never changes.
CREATE TABLE corrections (
    id         INTEGER PRIMARY KEY,
    report_id  INTEGER NOT NULL REFERENCES reports (id),
    officer_id INTEGER NOT NULL REFERENCES members (user_id),
    text       TEXT    NOT NULL,
    created_at TEXT    NOT NULL
) STRICT;

CREATE INDEX corrections_by_report ON corrections (report_id, id);
