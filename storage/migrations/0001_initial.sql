-- Officers: field officers (Forkopimcam) known to the bot, keyed by Telegram user id.
CREATE TABLE officers (
    user_id     INTEGER PRIMARY KEY,
    role        TEXT    NOT NULL CHECK (role IN ('camat', 'kapolsek', 'danramil')),
    kecamatan   TEXT    NOT NULL,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    state       TEXT    NOT NULL DEFAULT 'active'
                        CHECK (state IN ('active', 'pending', 'inactive')),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL
) STRICT;

-- Reports: the id is the public report number (#N). Times are UTC, 'YYYY-MM-DD HH:MM:SS'.
-- (source_chat_id, source_message_id) identifies the Telegram message a report came from, so a
-- redelivered update is stored once.
CREATE TABLE reports (
    id                INTEGER PRIMARY KEY,
    officer_id        INTEGER NOT NULL REFERENCES officers (user_id),
    kecamatan         TEXT    NOT NULL,
    role              TEXT    NOT NULL,
    level             INTEGER NOT NULL CHECK (level BETWEEN 0 AND 3),
    category          TEXT,
    text              TEXT    NOT NULL DEFAULT '',
    created_at        TEXT    NOT NULL,
    update_id         INTEGER,
    source_chat_id    INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    UNIQUE (source_chat_id, source_message_id)
) STRICT;

-- Digest queries read a time range; the covering columns spare a lookup per row.
CREATE INDEX reports_by_time ON reports (created_at, kecamatan, role, level);
CREATE INDEX reports_by_officer ON reports (officer_id, created_at);

-- One row per scheduled digest slot ('YYYY-MM-DD HH:MM[:SS]' local time): a slot is claimed
-- before it is posted and never posted again once sent.
CREATE TABLE digest_slots (
    slot        TEXT    PRIMARY KEY,
    chat_id     INTEGER NOT NULL,
    state       TEXT    NOT NULL CHECK (state IN ('sending', 'sent')),
    claimed_at  TEXT    NOT NULL,
    sent_at     TEXT
) STRICT;
