-- The vulnerability map (issue 23), imported by admins with /kerawanan impor. Each import is a
-- new version holding the whole map: the newest is in force, the older ones are its history.
CREATE TABLE kerawanan_maps (
    version     INTEGER PRIMARY KEY,
    imported_by INTEGER,
    imported_at TEXT    NOT NULL,
    file_name   TEXT    NOT NULL DEFAULT ''
) STRICT;

-- Per kecamatan: its mapped level (1 rendah, 2 sedang, 3 tinggi) and its factors (a JSON list
-- of short words), in the file's order (`position`).
CREATE TABLE kerawanan_kecamatan (
    version   INTEGER NOT NULL REFERENCES kerawanan_maps (version),
    position  INTEGER NOT NULL,
    kecamatan TEXT    NOT NULL,
    level     INTEGER NOT NULL CHECK (level IN (1, 2, 3)),
    factors   TEXT    NOT NULL DEFAULT '[]',
    PRIMARY KEY (version, kecamatan)
) STRICT;

-- The vulnerable TPS: numbered per desa, so a TPS is its kecamatan, desa and number.
CREATE TABLE kerawanan_tps (
    version   INTEGER NOT NULL REFERENCES kerawanan_maps (version),
    position  INTEGER NOT NULL,
    kecamatan TEXT    NOT NULL,
    tps       INTEGER NOT NULL,
    desa      TEXT    NOT NULL,
    reason    TEXT    NOT NULL,
    PRIMARY KEY (version, position)
) STRICT;

-- The second reminder to the officers of `tinggi` kecamatan who have not reported, one per
-- reminder round (`slot`: the first round's key in schedule_slots, "reminder 2024-11-27 16:00"),
-- claimed before anything is sent, so it happens at most once across restarts.
CREATE TABLE kerawanan_rounds (
    slot       TEXT PRIMARY KEY,
    state      TEXT NOT NULL CHECK (state IN ('sending', 'sent', 'skipped')),
    claimed_at TEXT NOT NULL,
    sent_at    TEXT
) STRICT;

-- Who was sent what in a second round: the officers reminded again, and the admins told which
-- `tinggi` kecamatan are still silent. Each is claimed before its message is sent.
CREATE TABLE kerawanan_reminded (
    slot    TEXT    NOT NULL,
    kind    TEXT    NOT NULL CHECK (kind IN ('officer', 'admin')),
    user_id INTEGER NOT NULL,
    PRIMARY KEY (slot, kind, user_id)
) STRICT;
