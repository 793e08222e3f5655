-- Issue 18: nothing an officer sends is thrown away.

-- Voice notes, videos and round videos kept with a report, by Telegram file id (photos stay in
-- report_photos). They are posted with the group alert and shown by /lihat.
CREATE TABLE report_media (
    report_id      INTEGER NOT NULL REFERENCES reports (id),
    position       INTEGER NOT NULL,
    kind           TEXT    NOT NULL CHECK (kind IN ('voice', 'video', 'video_note')),
    file_id        TEXT    NOT NULL,
    file_unique_id TEXT    NOT NULL,
    duration       INTEGER,
    PRIMARY KEY (report_id, position)
) STRICT;

-- The items of an album (Telegram delivers one message per photo or video, sharing a
-- media_group_id, and only one carries the caption) held until the album is complete, so an
-- album captioned /lapor becomes one report with all its items. Kept in the database, not in
-- memory: an item whose update is marked handled must survive a restart.
CREATE TABLE album_items (
    chat_id        INTEGER NOT NULL,
    message_id     INTEGER NOT NULL,
    media_group_id TEXT    NOT NULL,
    user_id        INTEGER NOT NULL,
    update_id      INTEGER,
    kind           TEXT    NOT NULL CHECK (kind IN ('photo', 'voice', 'video', 'video_note')),
    file_id        TEXT    NOT NULL,
    file_unique_id TEXT    NOT NULL,
    duration       INTEGER,
    caption        TEXT,
    received_at    TEXT    NOT NULL,
    PRIMARY KEY (chat_id, message_id)
) STRICT;

CREATE INDEX album_items_by_group ON album_items (chat_id, media_group_id);

-- NRP (Polri, TNI) or NIP (civil servants), given at registration; optional.
ALTER TABLE members ADD COLUMN service_number TEXT;
