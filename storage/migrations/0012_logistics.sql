-- Election logistics (issue 20): the stages of the logistics chain each kecamatan's officers
-- confirm, the deadlines admins plan, the kendala reports linked to a stage, and the
-- announcements of stages that became late (each lateness is posted once).
-- Stages are named by the stable key of the logistics file (LOGISTICS_FILE), not by position.
CREATE TABLE logistics_confirmations (
    id                INTEGER PRIMARY KEY,
    kecamatan         TEXT    NOT NULL,
    stage             TEXT    NOT NULL,
    officer_id        INTEGER NOT NULL,
    officer_name      TEXT    NOT NULL,
    role              TEXT    NOT NULL,
    confirmed_at      TEXT    NOT NULL,
    done_count        INTEGER CHECK (done_count > 0),
    total_count       INTEGER CHECK (total_count > 0),
    photo_file_id     TEXT,
    photo_unique_id   TEXT,
    -- The Telegram message (or the button's message) it came from: stored once, however
    -- often that update is handled.
    source_chat_id    INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    withdrawn_at      TEXT,
    withdrawn_by      INTEGER,
    withdrawn_by_name TEXT,
    withdraw_reason   TEXT,
    UNIQUE (source_chat_id, source_message_id)
) STRICT;
-- One standing confirmation per officer and stage; withdrawn ones stay as history.
CREATE UNIQUE INDEX logistics_confirmations_standing
    ON logistics_confirmations (kecamatan, stage, officer_id) WHERE withdrawn_at IS NULL;

-- Deadlines set with /logistik rencana; they win over the file's. NULL: cleared ("hapus").
CREATE TABLE logistics_deadlines (
    kecamatan TEXT    NOT NULL,
    stage     TEXT    NOT NULL,
    due_at    TEXT,
    set_by    INTEGER,
    set_at    TEXT    NOT NULL,
    PRIMARY KEY (kecamatan, stage)
) STRICT;

-- A "⚠️ Ada kendala" is a Logistik report (and the incident it opens, numbered by it) about a
-- stage. The link is written before the report, keyed by the Telegram message both come from,
-- so it needs no transaction of its own with the report: a link whose report was never stored
-- joins nothing, and a replayed message writes neither twice.
CREATE TABLE logistics_kendala (
    source_chat_id    INTEGER NOT NULL,
    source_message_id INTEGER NOT NULL,
    kecamatan         TEXT    NOT NULL,
    stage             TEXT    NOT NULL,
    officer_id        INTEGER NOT NULL,
    linked_at         TEXT    NOT NULL,
    PRIMARY KEY (source_chat_id, source_message_id)
) STRICT;
CREATE INDEX logistics_kendala_by_stage ON logistics_kendala (kecamatan, stage);

-- Late stages are claimed into an announcement, with its rendered parts, before it is posted;
-- each delivered part is recorded, so an interrupted one resumes and none is posted twice.
CREATE TABLE logistics_announcements (
    id         INTEGER PRIMARY KEY,
    parts      TEXT    NOT NULL,
    parts_sent INTEGER NOT NULL DEFAULT 0,
    claimed_at TEXT    NOT NULL,
    sent_at    TEXT
) STRICT;
CREATE TABLE logistics_late (
    kecamatan    TEXT    NOT NULL,
    stage        TEXT    NOT NULL,
    due_at       TEXT    NOT NULL,
    announcement INTEGER NOT NULL REFERENCES logistics_announcements (id),
    PRIMARY KEY (kecamatan, stage, due_at)
) STRICT;
