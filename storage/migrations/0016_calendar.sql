-- The election calendar (issue 19) as admins changed it with /tahapan, or with /jadwal while a
-- stage is in force. Each change stores the whole calendar again, in the calendar file's JSON,
-- as a new version: the newest is in force; with none, the calendar file is (CALENDAR_FILE or
-- the bundled Pilkada 2024 calendar). The versions are the calendar's history.
CREATE TABLE calendar_versions (
    version    INTEGER PRIMARY KEY,
    calendar   TEXT    NOT NULL,
    change     TEXT    NOT NULL,
    changed_by INTEGER,
    changed_at TEXT    NOT NULL
) STRICT;

-- A change an admin asked for, waiting for their "✅ Simpan" or "❌ Batal". It records the
-- calendar it was made against: once that is no longer the one in force, the change is stale
-- and saving it is refused (it would undo someone else's change).
CREATE TABLE calendar_proposals (
    id         INTEGER PRIMARY KEY,
    actor_id   INTEGER NOT NULL,
    base       TEXT    NOT NULL,
    calendar   TEXT    NOT NULL,
    change     TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    decision   TEXT    CHECK (decision IN ('saved', 'cancelled', 'stale')),
    decided_at TEXT
) STRICT;
