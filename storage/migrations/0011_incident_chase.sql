-- Stale incidents are chased (issue 16): an open incident nothing was heard of for
-- INCIDENT_STALE_HOURS gets its reporting officer asked whether it is still going on.

-- When it was last asked about: its last activity (opening, perkembangan, reopening, chase)
-- is the latest of these times, so a chase starts the next stale period.
ALTER TABLE incidents ADD COLUMN chased_at TEXT;

-- One question per incident, stale period and person, recorded before it is sent; a question
-- still 'sending' after a crash is sent again (at most that one message repeats).
CREATE TABLE incident_chases (
    incident   INTEGER NOT NULL REFERENCES incidents (number),
    -- the incident's last activity when it was found stale: names the stale period
    period     TEXT    NOT NULL,
    user_id    INTEGER NOT NULL,
    state      TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'failed', 'void')),
    claimed_at TEXT    NOT NULL,
    sent_at    TEXT,
    message_id INTEGER,
    error      TEXT,
    PRIMARY KEY (incident, period, user_id)
) STRICT;
CREATE INDEX incident_chases_sending ON incident_chases (claimed_at) WHERE state = 'sending';

-- Repair: a "✅ Diterima" recorded on the report without the take-up of its incident: pressed
-- after the incident was resolved, between the two writes a take-up used to be, or before
-- migration 0010, which closed old acknowledged reports without recording who took them up.
-- The acknowledgement stands, so the incident records it as its take-up: a Baru one becomes
-- Ditangani, and a resolved one, once reopened, comes back as Ditangani, not Baru.
CREATE TEMP TABLE untaken (
    number        INTEGER PRIMARY KEY,
    acked_by      INTEGER,
    acked_by_name TEXT,
    acked_at      TEXT
);
INSERT INTO untaken
SELECT i.number, r.acked_by, r.acked_by_name, r.acked_at
FROM incidents i JOIN reports r ON r.id = i.number
WHERE i.taken_at IS NULL AND r.acked_at IS NOT NULL;

INSERT INTO incident_events (incident, kind, actor_id, actor_name, at)
SELECT number, 'take_up', acked_by, acked_by_name, acked_at FROM untaken u
WHERE NOT EXISTS (SELECT 1 FROM incident_events e WHERE e.incident = u.number
                  AND e.kind = 'take_up');

UPDATE incidents SET
    taken_by = (SELECT acked_by FROM untaken u WHERE u.number = incidents.number),
    taken_by_name = (SELECT acked_by_name FROM untaken u WHERE u.number = incidents.number),
    taken_at = (SELECT acked_at FROM untaken u WHERE u.number = incidents.number),
    state = CASE WHEN state = 'baru' THEN 'ditangani' ELSE state END
WHERE number IN (SELECT number FROM untaken);
DROP TABLE temp.untaken;

-- The digest lists the incidents a person resolved since the previous digest: read from a small
-- index rather than scanning every incident ever closed (those closed by 0010 have no closer).
CREATE INDEX incidents_resolved ON incidents (closed_at) WHERE closed_by IS NOT NULL;
