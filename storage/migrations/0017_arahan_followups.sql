-- Review of issue 17: arahan follow-ups that must survive a restart (the sender's tally, the
-- list after the last reminder, answers whose relay failed).

-- The sender's live tally. `tally_changes` counts the changes its recipients' rows went through
-- that the tally shows (a copy delivered or found unreachable, a confirmation), kept by the
-- trigger below in the statement that makes the change; `tally_shown` is that count as of the
-- last edit of the sender's copy. Edits are coalesced in memory, so a stop can drop one: the
-- catch-up edits again every tally with changes newer than it shows. A count, not a clock time:
-- two changes in the same second (or under a test's frozen clock) still differ.
ALTER TABLE arahan ADD COLUMN tally_changes INTEGER NOT NULL DEFAULT 0;
ALTER TABLE arahan ADD COLUMN tally_shown INTEGER NOT NULL DEFAULT 0;

CREATE TRIGGER arahan_tally_change
AFTER UPDATE OF state, confirmed_at ON arahan_recipients
WHEN NEW.state IS NOT OLD.state OR NEW.confirmed_at IS NOT OLD.confirmed_at
BEGIN
    UPDATE arahan SET tally_changes = tally_changes + 1 WHERE id = NEW.arahan;
END;

-- Reminder rounds actually run: fewer than `reminders_done` when rounds missed while the bot
-- was down were skipped (only the latest is run), so the final list says how often people were
-- really reminded.
ALTER TABLE arahan ADD COLUMN reminders_sent INTEGER NOT NULL DEFAULT 0;
UPDATE arahan SET reminders_sent = reminders_done;

-- After the last round `next_reminder_at` is when the list of non-confirmers is due (15 minutes
-- later) and `final_list_at` is set once every chat has it. An arahan whose last round ran but
-- whose list was never started (a stop in between) gets it now, if it is under a day old.
UPDATE arahan SET next_reminder_at = deadline_at
WHERE final_list_at IS NULL AND next_reminder_at IS NULL
    AND reminders_done >= (CASE urgency WHEN 'segera' THEN 3 ELSE 1 END)
    AND created_at >= datetime('now', '-1 day');

-- The list of non-confirmers, per chat it goes to (the sender, each admin): recorded once
-- Telegram took it (a repeat after a crash is harmless, a miss is not), or with the error when
-- the chat refuses it for good (blocked, never started).
CREATE TABLE arahan_final_lists (
    arahan  INTEGER NOT NULL REFERENCES arahan (id),
    chat_id INTEGER NOT NULL,
    at      TEXT    NOT NULL,
    error   TEXT,
    PRIMARY KEY (arahan, chat_id)
) STRICT, WITHOUT ROWID;

-- Failed relays of answers are retried by the catch-up (for a day, a few times at most).
ALTER TABLE arahan_answers ADD COLUMN relay_attempts INTEGER NOT NULL DEFAULT 0;
