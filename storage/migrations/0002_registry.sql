-- The registry holds everyone the bot knows: field officers (camat, kapolsek, danramil, bound to
-- a kecamatan), koordinator and admins (no kecamatan). Registration requests are 'pending' until
-- an admin decides. The table is rebuilt because SQLite cannot change CHECK constraints; renaming
-- first makes reports.officer_id reference the new name.
ALTER TABLE officers RENAME TO members;

CREATE TABLE members_new (
    user_id     INTEGER PRIMARY KEY,
    role        TEXT    NOT NULL
                        CHECK (role IN ('camat', 'kapolsek', 'danramil', 'koordinator', 'admin')),
    kecamatan   TEXT,
    name        TEXT    NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
    phone       TEXT,
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'active', 'inactive', 'rejected')),
    created_at  TEXT    NOT NULL,
    updated_at  TEXT    NOT NULL,
    decided_by  INTEGER,
    decided_at  TEXT,
    CHECK ((role IN ('camat', 'kapolsek', 'danramil')) = (kecamatan IS NOT NULL))
) STRICT;

INSERT INTO members_new (user_id, role, kecamatan, name, state, created_at, updated_at)
SELECT user_id, role, kecamatan, name, state, created_at, updated_at FROM members;

DROP TABLE members;
ALTER TABLE members_new RENAME TO members;

CREATE INDEX members_by_kecamatan ON members (kecamatan, role);

-- When an urgent report was posted to the coordination group (NULL: not yet), so a redelivered
-- update or a retry posts it exactly when it has not been posted.
ALTER TABLE reports ADD COLUMN escalated_at TEXT;

-- Who did what to the registry and configuration, and when.
CREATE TABLE audit_log (
    id        INTEGER PRIMARY KEY,
    at        TEXT    NOT NULL,
    actor_id  INTEGER,
    action    TEXT    NOT NULL,
    target_id INTEGER,
    detail    TEXT    NOT NULL DEFAULT ''
) STRICT;

-- Settings changed from inside the bot (they take precedence over the environment).
CREATE TABLE bot_settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    updated_by INTEGER
) STRICT;

-- Multi-step dialogs (e.g. /daftar), kept on disk so a restart does not lose a user's progress.
CREATE TABLE drafts (
    user_id    INTEGER PRIMARY KEY,
    flow       TEXT    NOT NULL,
    step       TEXT    NOT NULL,
    data       TEXT    NOT NULL DEFAULT '{}',
    updated_at TEXT    NOT NULL
) STRICT;

-- The copies of a registration request sent to each admin, so every copy can be updated once one
-- admin has decided.
CREATE TABLE admin_notices (
    subject_id INTEGER NOT NULL,
    chat_id    INTEGER NOT NULL,
    message_id INTEGER NOT NULL,
    PRIMARY KEY (subject_id, chat_id, message_id)
) STRICT;
