-- Exactly once, even when Telegram or the disk fails.

-- An urgent report is claimed (durably) before its alert is posted: when the database cannot
-- record the claim, nothing is posted and the escalation backs off.
ALTER TABLE reports ADD COLUMN escalation_claimed_at TEXT;

-- Receipts Telegram did not accept for a stored report: retried until it does, or until it gives
-- an answer that will never change (blocked bot, unknown chat), which is recorded.
CREATE TABLE receipts (
    report_id  INTEGER PRIMARY KEY REFERENCES reports (id),
    chat_id    INTEGER NOT NULL,
    text       TEXT    NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('pending', 'sent', 'undeliverable')),
    attempts   INTEGER NOT NULL DEFAULT 1,
    last_error TEXT,
    next_at    TEXT,
    created_at TEXT    NOT NULL,
    done_at    TEXT
) STRICT;

CREATE INDEX receipts_due ON receipts (next_at) WHERE state = 'pending';

-- A correction is stored once per Telegram message, however often that message is handled, and
-- its notice to the group is recorded, so a replay after a crash posts a missing notice.
ALTER TABLE corrections ADD COLUMN source_chat_id INTEGER;
ALTER TABLE corrections ADD COLUMN source_message_id INTEGER;
ALTER TABLE corrections ADD COLUMN group_notified_at TEXT;
CREATE UNIQUE INDEX corrections_source ON corrections (source_chat_id, source_message_id)
    WHERE source_message_id IS NOT NULL;
