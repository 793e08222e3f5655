-- Arahan (issue 17): instructions from the Forkopimda to the officers, with confirmations.

-- One arahan; its id is the number shown ("Arahan #7"). The sasaran is stored as JSON
-- ({"roles": [...], "kecamatan": [...]}, empty lists meaning all) with the text shown for it.
CREATE TABLE arahan (
    id                INTEGER PRIMARY KEY,
    sender_id         INTEGER NOT NULL,
    sender_name       TEXT    NOT NULL,
    sender_role       TEXT    NOT NULL,
    audience          TEXT    NOT NULL,
    text              TEXT    NOT NULL,
    attachment_kind   TEXT    CHECK (attachment_kind IN ('photo', 'document')),
    attachment_id     TEXT,
    attachment_name   TEXT,
    urgency           TEXT    NOT NULL CHECK (urgency IN ('biasa', 'segera')),
    deadline_minutes  INTEGER NOT NULL CHECK (deadline_minutes > 0),
    copy_group        INTEGER NOT NULL CHECK (copy_group IN (0, 1)),
    recipients        INTEGER NOT NULL DEFAULT 0,
    created_at        TEXT    NOT NULL,
    deadline_at       TEXT    NOT NULL,
    -- 'sending' until every recipient was delivered to or found unreachable.
    state             TEXT    NOT NULL CHECK (state IN ('sending', 'sent')),
    delivered_at      TEXT,
    -- The sender's own copy, edited as the live tally.
    tally_chat_id     INTEGER,
    tally_message_id  INTEGER,
    -- The copy in the coordination group (when copy_group), recorded once Telegram took it.
    group_chat_id     INTEGER,
    group_message_id  INTEGER,
    group_file_posted INTEGER NOT NULL DEFAULT 0,
    -- Reminder rounds done, and when the next one is due (NULL: none left).
    reminders_done    INTEGER NOT NULL DEFAULT 0,
    next_reminder_at  TEXT,
    -- The list of non-confirmers sent to the sender and the admins after the last reminder.
    final_list_at     TEXT
) STRICT;

CREATE INDEX arahan_sending ON arahan (id) WHERE state = 'sending';
CREATE INDEX arahan_reminders ON arahan (next_reminder_at) WHERE next_reminder_at IS NOT NULL;
CREATE INDEX arahan_by_time ON arahan (created_at);

-- Each recipient, recorded with the arahan before anything is sent. 'pending' until Telegram
-- took the copy ('delivered', with its message id) or gave an answer that will never change
-- ('unreachable': blocked the bot, never opened it). Name, jabatan and kecamatan are kept as
-- they were at sending time.
CREATE TABLE arahan_recipients (
    arahan          INTEGER NOT NULL REFERENCES arahan (id),
    user_id         INTEGER NOT NULL,
    name            TEXT    NOT NULL,
    role            TEXT    NOT NULL,
    kecamatan       TEXT    NOT NULL,
    state           TEXT    NOT NULL CHECK (state IN ('pending', 'delivered', 'unreachable')),
    attempts        INTEGER NOT NULL DEFAULT 0,
    error           TEXT,
    file_message_id INTEGER,
    message_id      INTEGER,
    delivered_at    TEXT,
    confirmed_at    TEXT,
    late            INTEGER NOT NULL DEFAULT 0 CHECK (late IN (0, 1)),
    -- Reminder rounds this recipient was reminded in (claimed before each reminder is sent).
    reminded        INTEGER NOT NULL DEFAULT 0,
    PRIMARY KEY (arahan, user_id)
) STRICT, WITHOUT ROWID;

CREATE INDEX arahan_recipients_pending ON arahan_recipients (arahan, kecamatan, role, user_id)
    WHERE state = 'pending';

-- Answers ("💬 Tanggapi"): stored once per Telegram message; each relay recorded when done.
CREATE TABLE arahan_answers (
    id                INTEGER PRIMARY KEY,
    arahan            INTEGER NOT NULL REFERENCES arahan (id),
    user_id           INTEGER NOT NULL,
    text              TEXT    NOT NULL,
    at                TEXT    NOT NULL,
    source_chat_id    INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    sender_relayed    INTEGER NOT NULL DEFAULT 0,
    group_relayed     INTEGER NOT NULL DEFAULT 0,
    UNIQUE (source_chat_id, source_message_id)
) STRICT;

CREATE INDEX arahan_answers_by_arahan ON arahan_answers (arahan, id);
