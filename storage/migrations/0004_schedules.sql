-- Scheduled posts (digests, reminders) are recorded per slot with their rendered parts, so a
-- digest interrupted by a crash resumes where it stopped instead of starting again, and a slot
-- too old to post is marked skipped once.
CREATE TABLE schedule_slots (
    slot        TEXT    PRIMARY KEY,
    kind        TEXT    NOT NULL CHECK (kind IN ('digest', 'reminder')),
    chat_id     INTEGER,
    state       TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'skipped')),
    parts       TEXT    NOT NULL DEFAULT '[]',
    parts_sent  INTEGER NOT NULL DEFAULT 0,
    claimed_at  TEXT    NOT NULL,
    sent_at     TEXT
) STRICT;

INSERT INTO schedule_slots (slot, kind, chat_id, state, claimed_at, sent_at)
SELECT 'digest ' || slot, 'digest', chat_id, state, claimed_at, sent_at FROM digest_slots;

DROP TABLE digest_slots;

-- Officers reminded in a reminder slot (a resumed slot skips them).
CREATE TABLE reminders_sent (
    slot    TEXT    NOT NULL,
    user_id INTEGER NOT NULL,
    PRIMARY KEY (slot, user_id)
) STRICT;

-- Set when Telegram says the member blocked the bot; cleared when they write again.
ALTER TABLE members ADD COLUMN blocked_at TEXT;
