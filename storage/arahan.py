"""Arahan, their recipients and answers (`arahan`, `arahan_recipients`, `arahan_answers`).

Every recipient is recorded with the arahan, in the transaction that creates it, before anything
is sent; each copy is marked delivered once Telegram took it. Confirmations, reminder rounds and
relays are claimed here, so a press, a job or a replay after a crash changes a row once.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from domain.arahan import (
    ArahanShort,
    Audience,
    DeliveryState,
    RecipientStatus,
    Tally,
    Unconfirmed,
    Urgency,
    is_late,
    recipient_status,
    reminder_due,
)
from domain.enums import FIELD_ROLES, Role
from storage.audit import record
from storage.db import Database, from_sql_time, from_sql_time_or_none, to_sql_time

# Active field officers in an audience; parameters: roles (JSON list), kecamatan (JSON list),
# each twice (an empty list means every one).
_AUDIENCE = """
    state = 'active' AND role IN ({field})
    AND (json_array_length(?) = 0 OR role IN (SELECT value FROM json_each(?)))
    AND (json_array_length(?) = 0 OR kecamatan IN (SELECT value FROM json_each(?)))
""".format(field=", ".join(f"'{r.value}'" for r in FIELD_ROLES))  # noqa: S608 - constants
_TALLY = """
    SELECT arahan, COUNT(*) AS total,
           COALESCE(SUM(state = 'pending'), 0) AS waiting,
           COALESCE(SUM(state = 'unreachable'), 0) AS unreachable,
           COALESCE(SUM(confirmed_at IS NOT NULL), 0) AS confirmed,
           COALESCE(SUM(late), 0) AS late
    FROM arahan_recipients
"""
# An error text is kept short: it is for the sender's list and the export, not a log.
_ERROR_LIMIT = 200


class NoRecipients(Exception):
    """Nobody active matches the sasaran any more: nothing was created."""


@dataclass(frozen=True)
class Attachment:
    """A photo or document sent before the text (Telegram's file id, kept to send it again)."""

    kind: str  # "photo" or "document"
    file_id: str
    name: str | None = None


@dataclass(frozen=True)
class NewArahan:
    """An arahan as its sender confirmed it in the preview."""

    sender_id: int
    sender_name: str
    sender_role: Role
    audience: Audience
    text: str
    urgency: Urgency
    deadline_minutes: int
    copy_group: bool
    attachment: Attachment | None = None


@dataclass(frozen=True)
class Arahan:
    """A stored arahan and how far its delivery, reminders and copies got."""

    number: int
    sender_id: int
    sender_name: str
    sender_role: Role
    audience: Audience
    text: str
    attachment: Attachment | None
    urgency: Urgency
    deadline_minutes: int
    copy_group: bool
    recipients: int
    created_at: datetime
    deadline_at: datetime
    sending: bool
    delivered_at: datetime | None
    tally_chat_id: int | None
    tally_message_id: int | None
    group_chat_id: int | None
    group_message_id: int | None
    group_file_posted: bool
    reminders_done: int
    reminders_sent: int
    next_reminder_at: datetime | None
    final_list_at: datetime | None
    tally_changes: int
    tally_shown: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Arahan:
        """Builds an arahan from a row of `arahan`."""
        attachment = (
            Attachment(row["attachment_kind"], row["attachment_id"], row["attachment_name"])
            if row["attachment_kind"]
            else None
        )
        return cls(
            number=row["id"],
            sender_id=row["sender_id"],
            sender_name=row["sender_name"],
            sender_role=Role(row["sender_role"]),
            audience=Audience.from_json(row["audience"]),
            text=row["text"],
            attachment=attachment,
            urgency=Urgency(row["urgency"]),
            deadline_minutes=row["deadline_minutes"],
            copy_group=bool(row["copy_group"]),
            recipients=row["recipients"],
            created_at=from_sql_time(row["created_at"]),
            deadline_at=from_sql_time(row["deadline_at"]),
            sending=row["state"] == "sending",
            delivered_at=from_sql_time_or_none(row["delivered_at"]),
            tally_chat_id=row["tally_chat_id"],
            tally_message_id=row["tally_message_id"],
            group_chat_id=row["group_chat_id"],
            group_message_id=row["group_message_id"],
            group_file_posted=bool(row["group_file_posted"]),
            reminders_done=row["reminders_done"],
            reminders_sent=row["reminders_sent"],
            next_reminder_at=from_sql_time_or_none(row["next_reminder_at"]),
            final_list_at=from_sql_time_or_none(row["final_list_at"]),
            tally_changes=row["tally_changes"],
            tally_shown=row["tally_shown"],
        )


@dataclass(frozen=True)
class Recipient:
    """One recipient of an arahan: their copy and their confirmation."""

    arahan: int
    user_id: int
    name: str
    role: Role
    kecamatan: str
    state: DeliveryState
    attempts: int
    error: str | None
    file_message_id: int | None
    message_id: int | None
    delivered_at: datetime | None
    confirmed_at: datetime | None
    late: bool
    reminded: int

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Recipient:
        """Builds a recipient from a row of `arahan_recipients`."""
        return cls(
            arahan=row["arahan"],
            user_id=row["user_id"],
            name=row["name"],
            role=Role(row["role"]),
            kecamatan=row["kecamatan"],
            state=DeliveryState(row["state"]),
            attempts=row["attempts"],
            error=row["error"],
            file_message_id=row["file_message_id"],
            message_id=row["message_id"],
            delivered_at=from_sql_time_or_none(row["delivered_at"]),
            confirmed_at=from_sql_time_or_none(row["confirmed_at"]),
            late=bool(row["late"]),
            reminded=row["reminded"],
        )

    @property
    def status(self) -> RecipientStatus:
        """What the sender sees for this recipient."""
        return recipient_status(self.state, self.confirmed_at is not None, self.late)


@dataclass(frozen=True)
class Answer:
    """A recipient's answer ("💬 Tanggapi") and whether it was relayed yet."""

    id: int
    arahan: int
    user_id: int
    text: str
    at: datetime
    sender_relayed: bool
    group_relayed: bool

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Answer:
        """Builds an answer from a row of `arahan_answers`."""
        return cls(
            id=row["id"],
            arahan=row["arahan"],
            user_id=row["user_id"],
            text=row["text"],
            at=from_sql_time(row["at"]),
            sender_relayed=bool(row["sender_relayed"]),
            group_relayed=bool(row["group_relayed"]),
        )


def _audience_params(audience: Audience) -> tuple[str, str, str, str]:
    roles = json.dumps([r.value for r in audience.roles])
    places = json.dumps(list(audience.kecamatan))
    return roles, roles, places, places


def _tally(row: sqlite3.Row | None) -> Tally:
    if row is None or not row["total"]:
        return Tally(0)
    return Tally(row["total"], row["waiting"], row["unreachable"], row["confirmed"], row["late"])


class ArahanRepo:
    """Reads and writes the arahan tables."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- creating -------------------------------------------------------------------------

    async def count_audience(self, audience: Audience) -> int:
        """How many active field officers the sasaran reaches now."""
        row = await self._db.fetchone(
            f"SELECT COUNT(*) AS n FROM members WHERE {_AUDIENCE}",  # noqa: S608 - constant
            _audience_params(audience),
        )
        return int(row["n"]) if row else 0

    async def create(
        self, new: NewArahan, now: datetime, *, draft: tuple[int, str] | None = None
    ) -> Arahan | None:
        """Stores an arahan with every recipient, and its audit entry, in one transaction.

        With `draft` (user id, flow), the sender's form is ended in the same transaction, and
        None is returned when it was already gone: a second press of "Kirim" sends nothing.
        Raises NoRecipients when no active officer matches any more.
        """
        deadline = now + timedelta(minutes=new.deadline_minutes)
        attachment = new.attachment
        async with self._db.transaction() as conn:
            if draft is not None:
                cursor = await conn.execute(
                    "DELETE FROM drafts WHERE user_id = ? AND flow = ?", draft
                )
                if cursor.rowcount != 1:
                    return None
            async with conn.execute(
                """
                INSERT INTO arahan (sender_id, sender_name, sender_role, audience, text,
                    attachment_kind, attachment_id, attachment_name, urgency, deadline_minutes,
                    copy_group, created_at, deadline_at, state, next_reminder_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'sending', ?)
                RETURNING id
                """,
                (
                    new.sender_id,
                    new.sender_name,
                    new.sender_role.value,
                    new.audience.to_json(),
                    new.text,
                    attachment.kind if attachment else None,
                    attachment.file_id if attachment else None,
                    attachment.name if attachment else None,
                    new.urgency.value,
                    new.deadline_minutes,
                    int(new.copy_group),
                    to_sql_time(now),
                    to_sql_time(deadline),
                    to_sql_time(reminder_due(deadline, new.urgency, 0) or deadline),
                ),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:  # pragma: no cover - RETURNING always yields the row
                raise RuntimeError("insert returned no row")
            number = int(row["id"])
            cursor = await conn.execute(
                f"""
                INSERT INTO arahan_recipients (arahan, user_id, name, role, kecamatan, state)
                SELECT ?, user_id, name, role, kecamatan, 'pending' FROM members
                WHERE {_AUDIENCE}
                """,  # noqa: S608 - constant
                (number, *_audience_params(new.audience)),
            )
            count = cursor.rowcount
            if count < 1:
                raise NoRecipients
            async with conn.execute(
                "UPDATE arahan SET recipients = ? WHERE id = ? RETURNING *", (count, number)
            ) as cursor:
                stored = await cursor.fetchone()
            first_words = " ".join(new.text.split()[:12])
            await record(
                conn,
                now,
                new.sender_id,
                "arahan",
                number,
                f"#{number} to {count} ({new.audience.as_args()}): {first_words}",
            )
        if stored is None:  # pragma: no cover - the row was just written
            raise RuntimeError("arahan vanished")
        return Arahan.from_row(stored)

    # --- reading --------------------------------------------------------------------------

    async def get(self, number: int) -> Arahan | None:
        """The arahan #number, if any."""
        row = await self._db.fetchone("SELECT * FROM arahan WHERE id = ?", (number,))
        return Arahan.from_row(row) if row else None

    async def recent(self, limit: int = 10) -> list[Arahan]:
        """The newest arahan first."""
        rows = await self._db.fetchall("SELECT * FROM arahan ORDER BY id DESC LIMIT ?", (limit,))
        return [Arahan.from_row(row) for row in rows]

    async def tally(self, number: int) -> Tally:
        """The counts of one arahan's recipients."""
        return _tally(await self._db.fetchone(f"{_TALLY} WHERE arahan = ?", (number,)))

    async def tallies(self, numbers: Sequence[int]) -> dict[int, Tally]:
        """The counts of several arahan."""
        if not numbers:
            return {}
        rows = await self._db.fetchall(
            f"{_TALLY} WHERE arahan IN (SELECT value FROM json_each(?)) GROUP BY arahan",  # noqa: S608
            (json.dumps(list(numbers)),),
        )
        found = {int(row["arahan"]): _tally(row) for row in rows}
        return {n: found.get(n, Tally(0)) for n in numbers}

    async def recipient(self, number: int, user_id: int) -> Recipient | None:
        """One recipient's row, if that user is a recipient of arahan #number."""
        row = await self._db.fetchone(
            "SELECT * FROM arahan_recipients WHERE arahan = ? AND user_id = ?", (number, user_id)
        )
        return Recipient.from_row(row) if row else None

    async def recipients(self, number: int) -> list[Recipient]:
        """Every recipient of arahan #number."""
        rows = await self._db.fetchall(
            "SELECT * FROM arahan_recipients WHERE arahan = ? ORDER BY kecamatan, role, name",
            (number,),
        )
        return [Recipient.from_row(row) for row in rows]

    async def unconfirmed(self, number: int) -> list[Unconfirmed]:
        """Who has not confirmed arahan #number: not yet delivered, belum, tidak terkirim;
        those deactivated since (who can no longer confirm) are marked."""
        rows = await self._db.fetchall(
            """
            SELECT r.name, r.role, r.kecamatan, r.state,
                   COALESCE(m.state = 'active', 0) AS active
            FROM arahan_recipients r LEFT JOIN members m ON m.user_id = r.user_id
            WHERE r.arahan = ? AND r.confirmed_at IS NULL
            """,
            (number,),
        )
        return [
            Unconfirmed(
                row["name"],
                Role(row["role"]),
                row["kecamatan"],
                recipient_status(DeliveryState(row["state"]), False, False),
                active=bool(row["active"]),
            )
            for row in rows
        ]

    # --- delivering -----------------------------------------------------------------------

    async def sending(self) -> list[int]:
        """Arahan whose delivery is not finished (interrupted, or under way)."""
        rows = await self._db.fetchall("SELECT id FROM arahan WHERE state = 'sending' ORDER BY id")
        return [int(row["id"]) for row in rows]

    async def pending(self, number: int) -> list[Recipient]:
        """Recipients whose copy Telegram has not taken yet."""
        rows = await self._db.fetchall(
            "SELECT * FROM arahan_recipients WHERE arahan = ? AND state = 'pending' "
            "ORDER BY kecamatan, role, user_id",
            (number,),
        )
        return [Recipient.from_row(row) for row in rows]

    async def file_sent(self, number: int, user_id: int, message_id: int) -> None:
        """Records that the attachment reached this recipient (the text follows)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE arahan_recipients SET file_message_id = ? "
                "WHERE arahan = ? AND user_id = ?",
                (message_id, number, user_id),
            )

    async def delivered(self, number: int, user_id: int, message_id: int, now: datetime) -> bool:
        """Records that Telegram took this recipient's copy; False if it was recorded before."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                UPDATE arahan_recipients SET state = 'delivered', message_id = ?,
                    delivered_at = ?, attempts = attempts + 1,
                    -- a copy that arrives after a reminder round is not reminded for it
                    reminded = (SELECT reminders_done FROM arahan WHERE id = ?)
                WHERE arahan = ? AND user_id = ? AND state = 'pending'
                """,
                (message_id, to_sql_time(now), number, number, user_id),
            )
            return cursor.rowcount == 1

    async def unreachable(self, number: int, user_id: int, error: str, now: datetime) -> None:
        """Records an answer that will never change (blocked, never opened, unknown chat)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                UPDATE arahan_recipients SET state = 'unreachable', error = ?,
                    delivered_at = ?, attempts = attempts + 1
                WHERE arahan = ? AND user_id = ? AND state = 'pending'
                """,
                (error[:_ERROR_LIMIT], to_sql_time(now), number, user_id),
            )

    async def attempt_failed(self, number: int, user_id: int, error: str) -> int:
        """Records a failed attempt to retry later; returns the attempts so far."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                """
                UPDATE arahan_recipients SET attempts = attempts + 1, error = ?
                WHERE arahan = ? AND user_id = ? AND state = 'pending'
                RETURNING attempts
                """,
                (error[:_ERROR_LIMIT], number, user_id),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        return int(row["attempts"]) if row else 0

    async def finish(self, number: int, now: datetime) -> bool:
        """Marks the delivery finished once no copy is pending; False while some are."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                UPDATE arahan SET state = 'sent', delivered_at = ?
                WHERE id = ? AND state = 'sending' AND NOT EXISTS (
                    SELECT 1 FROM arahan_recipients WHERE arahan = ? AND state = 'pending')
                """,
                (to_sql_time(now), number, number),
            )
            return cursor.rowcount == 1

    async def set_tally_message(
        self, number: int, chat_id: int, message_id: int, shown: int
    ) -> None:
        """Records the sender's live copy, showing the tally as of change `shown`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE arahan SET tally_chat_id = ?, tally_message_id = ?, "
                "tally_shown = MAX(tally_shown, ?) WHERE id = ?",
                (chat_id, message_id, shown, number),
            )

    async def tally_edited(self, number: int, shown: int) -> None:
        """Records that the sender's copy now shows the tally as of change `shown` (counted in
        `tally_changes`, read before the tally was)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE arahan SET tally_shown = MAX(tally_shown, ?) WHERE id = ?",
                (shown, number),
            )

    async def stale_tallies(self, since: datetime) -> list[int]:
        """Arahan sent since `since` whose sender's copy shows fewer changes than there were."""
        rows = await self._db.fetchall(
            "SELECT id FROM arahan WHERE created_at >= ? AND tally_changes > tally_shown "
            "AND tally_message_id IS NOT NULL ORDER BY id",
            (to_sql_time(since),),
        )
        return [int(row["id"]) for row in rows]

    async def group_file_done(self, number: int) -> None:
        """Records that the attachment was posted to the group (its text follows)."""
        async with self._db.transaction() as conn:
            await conn.execute("UPDATE arahan SET group_file_posted = 1 WHERE id = ?", (number,))

    async def set_group_message(self, number: int, chat_id: int, message_id: int) -> None:
        """Records the copy in the coordination group."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE arahan SET group_chat_id = ?, group_message_id = ? WHERE id = ?",
                (chat_id, message_id, number),
            )

    # --- confirming -----------------------------------------------------------------------

    async def confirm(
        self, number: int, user_id: int, now: datetime, message_id: int | None = None
    ) -> tuple[Recipient | None, bool]:
        """Records a recipient's "Dipahami" (late after the deadline); (row, whether it was
        recorded now). Only a copy that arrived can be confirmed, once: a press on a copy
        recorded unreachable (answers of Telegram lost, or the officer unblocked the bot)
        proves it arrived, so it is marked delivered too, with `message_id`, the copy pressed."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT deadline_at FROM arahan WHERE id = ?", (number,)
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None, False
            late = is_late(now, from_sql_time(row["deadline_at"]))
            async with conn.execute(
                """
                UPDATE arahan_recipients SET confirmed_at = ?, late = ?, state = 'delivered',
                    message_id = COALESCE(message_id, ?),
                    delivered_at = CASE state WHEN 'unreachable' THEN ? ELSE delivered_at END,
                    error = CASE state WHEN 'unreachable' THEN NULL ELSE error END
                WHERE arahan = ? AND user_id = ? AND state IN ('delivered', 'unreachable')
                    AND confirmed_at IS NULL
                RETURNING *
                """,
                (to_sql_time(now), int(late), message_id, to_sql_time(now), number, user_id),
            ) as cursor:
                changed = await cursor.fetchone()
            if changed is not None:
                return Recipient.from_row(changed), True
            async with conn.execute(
                "SELECT * FROM arahan_recipients WHERE arahan = ? AND user_id = ?",
                (number, user_id),
            ) as cursor:
                current = await cursor.fetchone()
        return (Recipient.from_row(current) if current else None), False

    # --- reminding ------------------------------------------------------------------------

    async def due_reminders(self, now: datetime) -> list[Arahan]:
        """Arahan whose next reminder round is due."""
        rows = await self._db.fetchall(
            "SELECT * FROM arahan WHERE next_reminder_at IS NOT NULL AND next_reminder_at <= ? "
            "ORDER BY next_reminder_at, id",
            (to_sql_time(now),),
        )
        return [Arahan.from_row(row) for row in rows]

    async def upcoming_reminders(self) -> list[tuple[int, datetime]]:
        """(number, when) of every reminder round still to come."""
        rows = await self._db.fetchall(
            "SELECT id, next_reminder_at FROM arahan WHERE next_reminder_at IS NOT NULL "
            "ORDER BY next_reminder_at"
        )
        return [(int(row["id"]), from_sql_time(row["next_reminder_at"])) for row in rows]

    async def claim_reminder_round(
        self, number: int, done: int, round_: int, next_at: datetime | None
    ) -> bool:
        """Claims reminder round `round_` after round `done` (rounds in between, missed while
        the bot was down, are skipped) and plans what follows at `next_at` (the next round, or
        the list after the last); False if another claimed a round since."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE arahan SET reminders_done = ?, reminders_sent = reminders_sent + 1, "
                "next_reminder_at = ? WHERE id = ? AND reminders_done = ?",
                (round_, to_sql_time(next_at) if next_at else None, number, done),
            )
            return cursor.rowcount == 1

    async def to_remind(self, number: int, round_: int) -> list[Recipient]:
        """Delivered recipients, still active officers, who have not confirmed and were not
        reminded in this round (a deactivated officer can no longer press ✅ Dipahami)."""
        rows = await self._db.fetchall(
            """
            SELECT r.* FROM arahan_recipients r JOIN members m ON m.user_id = r.user_id
            WHERE r.arahan = ? AND r.state = 'delivered' AND r.confirmed_at IS NULL
                AND r.reminded < ? AND m.state = 'active'
            ORDER BY r.kecamatan, r.role, r.user_id
            """,
            (number, round_),
        )
        return [Recipient.from_row(row) for row in rows]

    async def claim_reminder(self, number: int, user_id: int, round_: int) -> bool:
        """Claims one recipient's reminder of a round before it is sent (never sent twice)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                UPDATE arahan_recipients SET reminded = ?
                WHERE arahan = ? AND user_id = ? AND reminded < ? AND confirmed_at IS NULL
                    AND EXISTS (SELECT 1 FROM members m
                                WHERE m.user_id = arahan_recipients.user_id
                                    AND m.state = 'active')
                """,
                (round_, number, user_id, round_),
            )
            return cursor.rowcount == 1

    async def final_list_chats(self, number: int) -> set[int]:
        """Chats that have the list of non-confirmers of arahan #number (or refused it)."""
        rows = await self._db.fetchall(
            "SELECT chat_id FROM arahan_final_lists WHERE arahan = ?", (number,)
        )
        return {int(row["chat_id"]) for row in rows}

    async def final_list_sent(
        self, number: int, chat_id: int, now: datetime, error: str | None = None
    ) -> None:
        """Records that Telegram took the list for `chat_id` (or, with `error`, refused it for
        good); recorded after sending, so a crash in between repeats it rather than lose it."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT INTO arahan_final_lists (arahan, chat_id, at, error) VALUES (?, ?, ?, ?) "
                "ON CONFLICT (arahan, chat_id) DO NOTHING",
                (number, chat_id, to_sql_time(now), error[:_ERROR_LIMIT] if error else None),
            )

    async def final_list_done(self, number: int, now: datetime) -> bool:
        """Ends the follow-up of arahan #number: its list went to every chat, or was not needed
        (everyone confirmed); False if it was ended before."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "UPDATE arahan SET final_list_at = ?, next_reminder_at = NULL "
                "WHERE id = ? AND final_list_at IS NULL",
                (to_sql_time(now), number),
            )
            return cursor.rowcount == 1

    async def reminders_left(self, since: datetime) -> list[int]:
        """Arahan sent since `since` whose last claimed reminder round was interrupted: someone
        delivered, unconfirmed and still active was not reminded in it."""
        rows = await self._db.fetchall(
            """
            SELECT a.id FROM arahan a
            WHERE a.reminders_done > 0 AND a.created_at >= ? AND EXISTS (
                SELECT 1 FROM arahan_recipients r JOIN members m ON m.user_id = r.user_id
                WHERE r.arahan = a.id AND r.state = 'delivered' AND r.confirmed_at IS NULL
                    AND r.reminded < a.reminders_done AND m.state = 'active')
            ORDER BY a.id
            """,
            (to_sql_time(since),),
        )
        return [int(row["id"]) for row in rows]

    # --- answers --------------------------------------------------------------------------

    async def add_answer(
        self,
        number: int,
        user_id: int,
        text: str,
        now: datetime,
        source: tuple[int, int],
        limit: int,
    ) -> tuple[Answer | None, bool]:
        """Stores an answer once per Telegram message, at most `limit` per recipient;
        (answer, whether stored now), or (None, False) when the recipient has `limit` already.
        A message stored before (a replay after a crash) is returned, whatever the count."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT * FROM arahan_answers WHERE source_chat_id = ? AND source_message_id = ?",
                source,
            ) as cursor:
                existing = await cursor.fetchone()
            if existing is not None:
                return Answer.from_row(existing), False
            async with conn.execute(
                """
                INSERT INTO arahan_answers (arahan, user_id, text, at, source_chat_id,
                                            source_message_id)
                SELECT ?, ?, ?, ?, ?, ?
                WHERE (SELECT COUNT(*) FROM arahan_answers
                       WHERE arahan = ? AND user_id = ?) < ?
                RETURNING *
                """,
                (number, user_id, text, to_sql_time(now), *source, number, user_id, limit),
            ) as cursor:
                row = await cursor.fetchone()
        return (Answer.from_row(row), True) if row is not None else (None, False)

    async def answers_by(self, number: int, user_id: int) -> int:
        """How many answers this recipient gave to arahan #number."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM arahan_answers WHERE arahan = ? AND user_id = ?",
            (number, user_id),
        )
        return int(row["n"]) if row else 0

    async def unrelayed_answers(self, since: datetime, attempts: int) -> list[Answer]:
        """Answers to arahan sent since `since` that the sender, or the group under its copy,
        has not got yet, tried fewer than `attempts` times by the catch-up."""
        rows = await self._db.fetchall(
            """
            SELECT w.* FROM arahan a JOIN arahan_answers w ON w.arahan = a.id
            WHERE a.created_at >= ? AND w.relay_attempts < ? AND (
                w.sender_relayed = 0
                OR (w.group_relayed = 0 AND a.copy_group = 1
                    AND a.group_message_id IS NOT NULL))
            ORDER BY w.id
            """,
            (to_sql_time(since), attempts),
        )
        return [Answer.from_row(row) for row in rows]

    async def relay_failed(self, answer_id: int) -> None:
        """Counts a retry of an answer's relay that did not get it everywhere."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE arahan_answers SET relay_attempts = relay_attempts + 1 WHERE id = ?",
                (answer_id,),
            )

    async def answer_relayed(self, answer_id: int, *, group: bool) -> None:
        """Records that an answer reached the sender (or, with `group`, the group)."""
        column = "group_relayed" if group else "sender_relayed"
        async with self._db.transaction() as conn:
            await conn.execute(
                f"UPDATE arahan_answers SET {column} = 1 WHERE id = ?",  # noqa: S608 - constant
                (answer_id,),
            )

    async def answer_count(self, number: int) -> int:
        """How many answers arahan #number received."""
        row = await self._db.fetchone(
            "SELECT COUNT(*) AS n FROM arahan_answers WHERE arahan = ?", (number,)
        )
        return int(row["n"]) if row else 0

    # --- the digest -----------------------------------------------------------------------

    async def short_of_confirmation(self, since: datetime, until: datetime) -> list[ArahanShort]:
        """Arahan sent in [since, until) that not every recipient has confirmed, oldest first."""
        rows = await self._db.fetchall(
            f"""
            WITH counts AS ({_TALLY} GROUP BY arahan)
            SELECT a.id, a.created_at, a.audience, c.total, c.waiting, c.unreachable,
                   c.confirmed, c.late
            FROM arahan a JOIN counts c ON c.arahan = a.id
            WHERE a.created_at >= ? AND a.created_at < ? AND c.confirmed < c.total
            ORDER BY a.id
            """,  # noqa: S608 - constant
            (to_sql_time(since), to_sql_time(until)),
        )
        return [
            ArahanShort(
                row["id"],
                from_sql_time(row["created_at"]),
                Audience.from_json(row["audience"]),
                _tally(row),
            )
            for row in rows
        ]


# --- the export (synchronous, on the export's own read-only connection) --------------------


def export_arahan(conn: sqlite3.Connection, start: str, end: str) -> Iterator[sqlite3.Row]:
    """Arahan created in [start, end) (UTC SQL times) with their counts, oldest first."""
    cursor = conn.execute(
        f"""
        WITH counts AS ({_TALLY} GROUP BY arahan)
        SELECT a.*, c.total, c.waiting, c.unreachable, c.confirmed, c.late,
               (SELECT COUNT(*) FROM arahan_answers w WHERE w.arahan = a.id) AS answers
        FROM arahan a LEFT JOIN counts c ON c.arahan = a.id
        WHERE a.created_at >= ? AND a.created_at < ?
        ORDER BY a.id
        """,  # noqa: S608 - constant
        (start, end),
    )
    while batch := cursor.fetchmany(1000):
        yield from batch


def export_recipients(conn: sqlite3.Connection, start: str, end: str) -> Iterator[sqlite3.Row]:
    """The recipients of the arahan created in [start, end), by arahan, kecamatan and jabatan."""
    cursor = conn.execute(
        """
        SELECT r.* FROM arahan_recipients r JOIN arahan a ON a.id = r.arahan
        WHERE a.created_at >= ? AND a.created_at < ?
        ORDER BY r.arahan, r.kecamatan, r.role, r.name
        """,
        (start, end),
    )
    while batch := cursor.fetchmany(1000):
        yield from batch
