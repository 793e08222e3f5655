-- Incidents (issue 16): every Waspada+ report opens one in its kecamatan, numbered by that
-- report; later updates, the take-up, the closing and a reopening are events on its timeline.
-- Reports and corrections are never changed by any of this: only `reports.incident` links them.
CREATE TABLE incidents (
    number         INTEGER PRIMARY KEY REFERENCES reports (id),
    kecamatan      TEXT    NOT NULL,
    level          INTEGER NOT NULL CHECK (level BETWEEN 1 AND 3),
    category       TEXT,
    officer_id     INTEGER NOT NULL,
    state          TEXT    NOT NULL CHECK (state IN ('baru', 'ditangani', 'selesai')),
    opened_at      TEXT    NOT NULL,
    updated_at     TEXT    NOT NULL,
    last_update    TEXT,
    last_update_at TEXT,
    taken_by       INTEGER,
    taken_by_name  TEXT,
    taken_at       TEXT,
    closed_by      INTEGER,
    closed_by_name TEXT,
    closed_at      TEXT,
    closing_note   TEXT,
    reopened_by    INTEGER,
    reopened_at    TEXT
) STRICT;

-- /status and the digest read the worst open level per kecamatan; /insiden lists open ones.
CREATE INDEX incidents_open ON incidents (kecamatan, level, number) WHERE state != 'selesai';

CREATE TABLE incident_events (
    id         INTEGER PRIMARY KEY,
    incident   INTEGER NOT NULL REFERENCES incidents (number),
    kind       TEXT    NOT NULL CHECK (kind IN ('report', 'update', 'take_up', 'close', 'reopen')),
    actor_id   INTEGER,
    actor_name TEXT,
    at         TEXT    NOT NULL,
    report     INTEGER REFERENCES reports (id),
    level      INTEGER CHECK (level BETWEEN 1 AND 3),
    text       TEXT,
    -- The Telegram message of a perkembangan: stored once, however often it is handled.
    source_chat_id    INTEGER,
    source_message_id INTEGER
) STRICT;
CREATE INDEX incident_events_by_incident ON incident_events (incident, id);
CREATE UNIQUE INDEX incident_events_source ON incident_events (source_chat_id, source_message_id)
    WHERE source_message_id IS NOT NULL;

ALTER TABLE reports ADD COLUMN incident INTEGER REFERENCES incidents (number);
CREATE INDEX reports_by_incident ON reports (incident) WHERE incident IS NOT NULL;

-- Existing Waspada+ reports: unacknowledged Rawan/Darurat and anything of the last 24 hours
-- stay open (Ditangani when acknowledged); older ones are closed with a note.
CREATE TEMP TABLE migrating AS
SELECT r.id, r.kecamatan, r.level, r.category, r.officer_id, r.created_at,
       r.acked_by, r.acked_by_name, r.acked_at,
       CASE
           WHEN (r.level >= 2 AND r.acked_at IS NULL)
                OR r.created_at >= strftime('%Y-%m-%d %H:%M:%S', 'now', '-24 hours')
           THEN CASE WHEN r.acked_at IS NULL THEN 'baru' ELSE 'ditangani' END
           ELSE 'selesai'
       END AS state,
       strftime('%Y-%m-%d %H:%M:%S', 'now') AS now
FROM reports r WHERE r.level >= 1;

INSERT INTO incidents (number, kecamatan, level, category, officer_id, state, opened_at,
                       updated_at, taken_by, taken_by_name, taken_at, closed_at, closing_note)
SELECT id, kecamatan, level, category, officer_id, state, created_at,
       CASE WHEN state = 'selesai' THEN now ELSE created_at END,
       CASE WHEN state = 'ditangani' THEN acked_by END,
       CASE WHEN state = 'ditangani' THEN acked_by_name END,
       CASE WHEN state = 'ditangani' THEN acked_at END,
       CASE WHEN state = 'selesai' THEN now END,
       CASE WHEN state = 'selesai' THEN 'ditutup saat pembaruan sistem' END
FROM migrating;

INSERT INTO incident_events (incident, kind, actor_id, at, report, level)
SELECT id, 'report', officer_id, created_at, id, level FROM migrating;
INSERT INTO incident_events (incident, kind, actor_id, actor_name, at)
SELECT id, 'take_up', acked_by, acked_by_name, acked_at FROM migrating WHERE acked_at IS NOT NULL;
INSERT INTO incident_events (incident, kind, at, text)
SELECT id, 'close', now, 'ditutup saat pembaruan sistem' FROM migrating WHERE state = 'selesai';

UPDATE reports SET incident = id WHERE level >= 1;
DROP TABLE temp.migrating;
