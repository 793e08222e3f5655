-- The running bot's heartbeat, one row, rewritten every 30 seconds. `python3 tasks.py status`
-- reads it (read-only) to tell whether the bot is alive, polls Telegram, or was stopped.
CREATE TABLE health (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    pid          INTEGER NOT NULL,
    mode         TEXT    NOT NULL CHECK (mode IN ('polling', 'webhook')),
    started_at   TEXT    NOT NULL,
    heartbeat_at TEXT    NOT NULL,
    last_poll_at TEXT,
    stopped_at   TEXT
) STRICT;
