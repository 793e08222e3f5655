-- Updates fetched from Telegram, written before Telegram is told they were received (the next
-- getUpdates offset), so an update is never lost between the two: at start-up, updates not yet
-- handled are handled again; updates already handled are skipped when Telegram repeats them.
CREATE TABLE inbox (
    update_id   INTEGER PRIMARY KEY,
    payload     TEXT    NOT NULL,
    received_at TEXT    NOT NULL,
    done_at     TEXT
) STRICT;

CREATE INDEX inbox_pending ON inbox (update_id) WHERE done_at IS NULL;
