-- The live dashboard (issue 21): one-time sign-in links and the sign-ins they become.
-- Only the SHA-256 of each secret is stored: a copy of the database (a backup, /cadangan)
-- signs nobody in.
CREATE TABLE dashboard_signins (
    token_hash TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('link', 'session', 'miniapp')),
    user_id INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT
) WITHOUT ROWID;

CREATE INDEX dashboard_signins_by_user ON dashboard_signins (user_id);

-- A sign-in belongs to an active koordinator or admin: deactivating (or demoting) someone ends
-- theirs in the same transaction, whichever code path changed the member, and a later
-- reactivation does not bring them back.
CREATE TRIGGER dashboard_signins_end AFTER UPDATE OF state, role ON members
WHEN new.state != 'active' OR new.role NOT IN ('koordinator', 'admin')
BEGIN
    DELETE FROM dashboard_signins WHERE user_id = new.user_id;
END;
