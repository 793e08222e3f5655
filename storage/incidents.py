"""Incidents and their timelines (`incidents`, `incident_events`, `reports.incident`)."""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from domain.enums import ESCALATES_FROM, NOTABLE_FROM, Level
from domain.incidents import (
    EventKind,
    Incident,
    IncidentBrief,
    IncidentEvent,
    IncidentState,
    NewUpdate,
)
from storage.db import Database, from_sql_time, from_sql_time_or_none, to_sql_time

OPEN = "state != 'selesai'"  # matches the partial index incidents_open
# /status and the digest read this: a few rows of the partial index, whatever the report count.
WORST_OPEN = (
    f"SELECT kecamatan, MAX(level) AS worst FROM incidents WHERE {OPEN} GROUP BY kecamatan"  # noqa: S608
)
# Incident.last_activity in SQL: the latest of opening, perkembangan, reopening and chase.
ACTIVITY = (
    "max(opened_at, coalesce(last_update_at, opened_at), coalesce(reopened_at, opened_at), "
    "coalesce(chased_at, opened_at))"
)
# A chase question's states: being sent (or to send again after a crash or a Telegram failure),
# delivered, refused for good by Telegram (blocked bot, unknown chat), or no longer needed.
SENDING, SENT, FAILED, VOID = "sending", "sent", "failed", "void"


def incident_from_row(row: sqlite3.Row) -> Incident:
    """Builds an incident from a row of `incidents`."""
    return Incident(
        number=row["number"],
        kecamatan=row["kecamatan"],
        level=Level(row["level"]),
        category=row["category"],
        officer_id=row["officer_id"],
        state=IncidentState(row["state"]),
        opened_at=from_sql_time(row["opened_at"]),
        updated_at=from_sql_time(row["updated_at"]),
        last_update=row["last_update"],
        last_update_at=from_sql_time_or_none(row["last_update_at"]),
        taken_by=row["taken_by"],
        taken_by_name=row["taken_by_name"],
        taken_at=from_sql_time_or_none(row["taken_at"]),
        closed_by=row["closed_by"],
        closed_by_name=row["closed_by_name"],
        closed_at=from_sql_time_or_none(row["closed_at"]),
        closing_note=row["closing_note"],
        reopened_by=row["reopened_by"],
        reopened_at=from_sql_time_or_none(row["reopened_at"]),
        chased_at=from_sql_time_or_none(row["chased_at"]),
    )


@dataclass(frozen=True)
class Chase:
    """One "is it still going on?" question about a stale incident, to one person.

    `period` is the incident's last activity when it was found stale: one question per person
    and period, however often the sweep runs or the bot restarts.
    """

    incident: int
    period: datetime
    user_id: int
    state: str
    claimed_at: datetime
    sent_at: datetime | None = None
    message_id: int | None = None
    error: str | None = None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Chase:
        """Builds a chase from a row of `incident_chases`."""
        return cls(
            incident=row["incident"],
            period=from_sql_time(row["period"]),
            user_id=row["user_id"],
            state=row["state"],
            claimed_at=from_sql_time(row["claimed_at"]),
            sent_at=from_sql_time_or_none(row["sent_at"]),
            message_id=row["message_id"],
            error=row["error"],
        )


def event_from_row(row: sqlite3.Row) -> IncidentEvent:
    """Builds a timeline step from a row of `incident_events`."""
    return IncidentEvent(
        incident=row["incident"],
        kind=EventKind(row["kind"]),
        at=from_sql_time(row["at"]),
        actor_id=row["actor_id"],
        actor_name=row["actor_name"],
        report=row["report"],
        level=Level(row["level"]) if row["level"] is not None else None,
        text=row["text"],
        posted_message_id=row["posted_message_id"],
    )


async def open_for_reports(conn: aiosqlite.Connection, numbers: Sequence[int]) -> None:
    """Opens an incident for each new Waspada+ report among `numbers`, inside the caller's
    transaction (the report and its incident are committed together, or neither is)."""
    if not numbers:
        return
    marks = ",".join("?" * len(numbers))
    where = f"id IN ({marks}) AND level >= ? AND incident IS NULL"
    params = (*numbers, int(NOTABLE_FROM))
    await conn.execute(
        "INSERT INTO incidents (number, kecamatan, level, category, officer_id, state, "  # noqa: S608
        "opened_at, updated_at) SELECT id, kecamatan, level, category, officer_id, 'baru', "
        f"created_at, created_at FROM reports WHERE {where}",
        params,
    )
    await conn.execute(
        "INSERT INTO incident_events (incident, kind, actor_id, at, report, level) "  # noqa: S608
        f"SELECT id, 'report', officer_id, created_at, id, level FROM reports WHERE {where}",
        params,
    )
    await conn.execute(f"UPDATE reports SET incident = id WHERE {where}", params)  # noqa: S608


class IncidentRepo:
    """Reads and moves incidents through their states; every step is also an event."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, number: int) -> Incident | None:
        """Incident #number, if it exists."""
        row = await self._db.fetchone("SELECT * FROM incidents WHERE number = ?", (number,))
        return incident_from_row(row) if row else None

    async def of_report(self, report_number: int) -> Incident | None:
        """The incident report #report_number belongs to, if any."""
        row = await self._db.fetchone(
            "SELECT i.* FROM reports r JOIN incidents i ON i.number = r.incident WHERE r.id = ?",
            (report_number,),
        )
        return incident_from_row(row) if row else None

    async def worst_open(self) -> dict[str, Level]:
        """The worst level among each kecamatan's open incidents (read from a small index)."""
        rows = await self._db.fetchall(WORST_OPEN)
        return {row["kecamatan"]: Level(row["worst"]) for row in rows}

    async def open_page(
        self, kecamatan: str | None, offset: int, limit: int
    ) -> tuple[list[Incident], int]:
        """Open incidents (optionally of one kecamatan), worst then oldest first; and the total."""
        where, params = OPEN, tuple[str, ...]()
        if kecamatan is not None:
            where, params = f"{OPEN} AND kecamatan = ?", (kecamatan,)
        rows = await self._db.fetchall(
            f"SELECT * FROM incidents WHERE {where} "  # noqa: S608
            "ORDER BY level DESC, opened_at, number LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        total = await self._db.fetchone(
            f"SELECT COUNT(*) FROM incidents WHERE {where}",  # noqa: S608
            params,
        )
        return [incident_from_row(row) for row in rows], int(total[0]) if total else 0

    async def open_briefs(self, limit: int) -> tuple[list[IncidentBrief], int]:
        """Open incidents worst then oldest first, each with its latest update or else its
        report's text; and how many are open."""
        rows = await self._db.fetchall(
            f"SELECT i.*, COALESCE(i.last_update, r.text) AS about FROM incidents i "  # noqa: S608
            f"JOIN reports r ON r.id = i.number WHERE i.{OPEN} "
            "ORDER BY i.level DESC, i.opened_at, i.number LIMIT ?",
            (limit,),
        )
        total = await self._db.fetchone(f"SELECT COUNT(*) FROM incidents WHERE {OPEN}")  # noqa: S608
        return [_brief(row) for row in rows], int(total[0]) if total else 0

    async def resolved_briefs(
        self, start: datetime, end: datetime, limit: int
    ) -> tuple[list[IncidentBrief], int]:
        """Incidents a person resolved from `start` to `end` (exclusive), newest first, with
        their report's text; and how many. Those closed by the upgrade (nobody) are left out."""
        where = "i.closed_by IS NOT NULL AND i.closed_at >= ? AND i.closed_at < ?"
        params = (to_sql_time(start), to_sql_time(end))
        rows = await self._db.fetchall(
            "SELECT i.*, r.text AS about FROM incidents i JOIN reports r ON r.id = i.number "  # noqa: S608
            f"WHERE i.state = 'selesai' AND {where} ORDER BY i.closed_at DESC, i.number LIMIT ?",
            (*params, limit),
        )
        total = await self._db.fetchone(
            f"SELECT COUNT(*) FROM incidents i WHERE i.state = 'selesai' AND {where}",  # noqa: S608
            params,
        )
        return [_brief(row) for row in rows], int(total[0]) if total else 0

    async def events(self, number: int) -> list[IncidentEvent]:
        """The timeline of incident #number, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM incident_events WHERE incident = ? ORDER BY at, id", (number,)
        )
        return [event_from_row(row) for row in rows]

    async def raised_unposted(self, since: datetime) -> list[int]:
        """Open incidents raised to Rawan/Darurat since `since` whose alert was never posted."""
        rows = await self._db.fetchall(
            f"SELECT i.number FROM incidents i JOIN reports r ON r.id = i.number "  # noqa: S608
            f"WHERE i.{OPEN} AND i.level >= ? AND r.escalated_at IS NULL AND i.updated_at >= ? "
            "ORDER BY i.number",
            (int(ESCALATES_FROM), to_sql_time(since)),
        )
        return [int(row[0]) for row in rows]

    async def add_update(self, update: NewUpdate) -> tuple[Incident, Incident, bool] | None:
        """Stores a perkembangan of an open incident (and its new level, if any); returns the
        incident before and after and whether it was stored now (False: its message was stored
        before, e.g. handled again after a crash), or None when the incident is not open."""
        at = to_sql_time(update.at)
        level = int(update.level) if update.level is not None else None
        async with self._db.transaction() as conn:
            before = await _fetch(conn, update.incident)
            if before is not None and await _stored(conn, update.source):
                return before, before, False
            if before is None or not before.is_open:
                return None
            after = await _change(
                conn,
                "UPDATE incidents SET level = COALESCE(?, level), last_update = ?, "
                "last_update_at = ?, updated_at = ? WHERE number = ? RETURNING *",
                (level, update.text, at, at, update.incident),
            )
            if after is None:  # pragma: no cover - read in the same transaction
                return None
            await _event(conn, update.incident, EventKind.UPDATE, update.actor_id,
                         update.actor_name, at, level=level, text=update.text,
                         source=update.source)  # fmt: skip
        return before, after, True

    async def take_up(
        self, number: int, actor_id: int, name: str, at: datetime
    ) -> Incident | None:
        """Baru -> Ditangani; None when it is not Baru (taken up already, or closed)."""
        async with self._db.transaction() as conn:
            return await take_up_in(conn, number, actor_id, name, to_sql_time(at))

    async def close(
        self,
        number: int,
        actor_id: int,
        name: str,
        at: datetime,
        note: str,
        source: tuple[int, int] | None = None,
    ) -> tuple[Incident, bool] | None:
        """Resolves an open incident with a closing note; returns it and whether it was closed
        now (False: `source`, the (chat id, message id) it came in, was stored before, e.g. the
        message handled again after a crash: nothing changes, even if it was reopened since),
        or None when it is not open."""
        when = to_sql_time(at)
        async with self._db.transaction() as conn:
            current = await _fetch(conn, number)
            if current is not None and await _stored(conn, source):
                return current, False
            after = await _change(
                conn,
                f"UPDATE incidents SET state = 'selesai', closed_by = ?, closed_by_name = ?, "  # noqa: S608
                f"closed_at = ?, closing_note = ?, updated_at = ? WHERE number = ? AND {OPEN} "
                "RETURNING *",
                (actor_id, name, when, note, when, number),
            )
            if after is None:
                return None
            await _event(conn, number, EventKind.CLOSE, actor_id, name, when, text=note,
                         source=source)  # fmt: skip
            # No more re-pages, in the same transaction: a replay must not find them due.
            await conn.execute(
                "UPDATE reports SET next_repage_at = NULL WHERE incident = ?", (number,)
            )
        return after, True

    async def reopen(
        self,
        number: int,
        actor_id: int,
        name: str,
        at: datetime,
        source: tuple[int, int] | None = None,
    ) -> tuple[Incident, bool] | None:
        """Selesai -> Ditangani (or Baru when nobody took it up); returns it and whether it was
        reopened now (False: `source` was stored before, as for `close`), or None when it is
        open."""
        when = to_sql_time(at)
        async with self._db.transaction() as conn:
            current = await _fetch(conn, number)
            if current is not None and await _stored(conn, source):
                return current, False
            after = await _change(
                conn,
                "UPDATE incidents SET state = CASE WHEN taken_at IS NULL THEN 'baru' "
                "ELSE 'ditangani' END, closed_by = NULL, closed_by_name = NULL, "
                "closed_at = NULL, closing_note = NULL, reopened_by = ?, reopened_at = ?, "
                "updated_at = ? WHERE number = ? AND state = 'selesai' RETURNING *",
                (actor_id, when, when, number),
            )
            if after is None:
                return None
            await _event(conn, number, EventKind.REOPEN, actor_id, name, when, source=source)
        return after, True

    async def event_of(self, source: tuple[int, int]) -> IncidentEvent | None:
        """The step stored from the Telegram message `source` (chat id, message id), if any."""
        row = await self._db.fetchone(
            "SELECT * FROM incident_events WHERE source_chat_id = ? AND source_message_id = ?",
            source,
        )
        return event_from_row(row) if row else None

    async def mark_posted(self, source: tuple[int, int], message_id: int) -> None:
        """Records the group message the perkembangan from `source` was posted as."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE incident_events SET posted_message_id = ? "
                "WHERE source_chat_id = ? AND source_message_id = ?",
                (message_id, *source),
            )

    # --- stale incidents: "is it still going on?" ---------------------------------------------

    async def stale(self, before: datetime, limit: int) -> list[Incident]:
        """Open incidents nothing was heard of since `before`, the longest silent first."""
        rows = await self._db.fetchall(
            f"SELECT * FROM incidents WHERE {OPEN} AND {ACTIVITY} <= ? "  # noqa: S608
            f"ORDER BY {ACTIVITY}, number LIMIT ?",
            (to_sql_time(before), limit),
        )
        return [incident_from_row(row) for row in rows]

    async def claim_chase(
        self, incident: Incident, recipients: Sequence[int], now: datetime
    ) -> list[Chase] | None:
        """Records, before anything is sent, that the stale `incident` (as read) is being
        chased, and who is asked; None when it changed since it was read (updated, closed,
        chased by another run). Its last activity becomes `now`: the next chase, if it stays
        silent, is one whole stale period later."""
        period = to_sql_time(incident.last_activity)
        when = to_sql_time(now)
        async with self._db.transaction() as conn:
            changed = await _change(
                conn,
                f"UPDATE incidents SET chased_at = ? WHERE number = ? AND {OPEN} "  # noqa: S608
                f"AND {ACTIVITY} = ? RETURNING *",
                (when, incident.number, period),
            )
            if changed is None:
                return None
            return await _add_chases(conn, incident.number, period, recipients, when)

    async def add_chase_recipients(
        self, number: int, period: datetime, recipients: Sequence[int], now: datetime
    ) -> list[Chase]:
        """Adds people to ask in a chase already claimed (when its first recipient cannot be
        reached); those asked in that period before are left out."""
        async with self._db.transaction() as conn:
            return await _add_chases(
                conn, number, to_sql_time(period), recipients, to_sql_time(now)
            )

    async def chases_sending(self) -> list[Chase]:
        """Chase questions claimed but not known to be delivered (a crash, a Telegram failure)."""
        rows = await self._db.fetchall(
            f"SELECT * FROM incident_chases WHERE state = '{SENDING}' "  # noqa: S608
            "ORDER BY claimed_at, incident, user_id"
        )
        return [Chase.from_row(row) for row in rows]

    async def chases(self, number: int) -> list[Chase]:
        """Every chase question about incident #number, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM incident_chases WHERE incident = ? ORDER BY claimed_at, user_id",
            (number,),
        )
        return [Chase.from_row(row) for row in rows]

    async def chase_finished(
        self,
        chase: Chase,
        state: str,
        now: datetime,
        *,
        message_id: int | None = None,
        error: str | None = None,
    ) -> None:
        """Records how a chase question ended: sent, failed for good, or no longer needed."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE incident_chases SET state = ?, sent_at = ?, message_id = ?, error = ? "
                "WHERE incident = ? AND period = ? AND user_id = ? AND state = ?",
                (
                    state,
                    to_sql_time(now) if state == SENT else None,
                    message_id,
                    error,
                    chase.incident,
                    to_sql_time(chase.period),
                    chase.user_id,
                    SENDING,
                ),
            )


async def take_up_in(
    conn: aiosqlite.Connection, number: int, actor_id: int, name: str, when: str
) -> Incident | None:
    """Baru -> Ditangani inside the caller's transaction; None when it is not Baru."""
    after = await _change(
        conn,
        "UPDATE incidents SET state = 'ditangani', taken_by = ?, taken_by_name = ?, "
        "taken_at = ?, updated_at = ? WHERE number = ? AND state = 'baru' "
        "AND taken_at IS NULL RETURNING *",
        (actor_id, name, when, when, number),
    )
    if after is not None:
        await _event(conn, number, EventKind.TAKE_UP, actor_id, name, when)
    return after


async def _add_chases(
    conn: aiosqlite.Connection, number: int, period: str, recipients: Sequence[int], when: str
) -> list[Chase]:
    added: list[Chase] = []
    for user_id in recipients:
        rows = list(
            await conn.execute_fetchall(
                "INSERT INTO incident_chases (incident, period, user_id, state, claimed_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT DO NOTHING RETURNING *",
                (number, period, user_id, SENDING, when),
            )
        )
        added += [Chase.from_row(row) for row in rows]
    return added


async def _stored(conn: aiosqlite.Connection, source: tuple[int, int] | None) -> bool:
    """Whether a step from the Telegram message `source` is stored already."""
    if source is None:
        return False
    rows = await conn.execute_fetchall(
        "SELECT 1 FROM incident_events WHERE source_chat_id = ? AND source_message_id = ?",
        source,
    )
    return bool(list(rows))


def _brief(row: sqlite3.Row) -> IncidentBrief:
    return IncidentBrief(incident_from_row(row), row["about"] or "")


async def _fetch(conn: aiosqlite.Connection, number: int) -> Incident | None:
    rows = list(await conn.execute_fetchall("SELECT * FROM incidents WHERE number = ?", (number,)))
    return incident_from_row(rows[0]) if rows else None


async def _change(
    conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]
) -> Incident | None:
    rows = list(await conn.execute_fetchall(sql, params))
    return incident_from_row(rows[0]) if rows else None


async def _event(
    conn: aiosqlite.Connection,
    number: int,
    kind: EventKind,
    actor_id: int | None,
    name: str | None,
    at: str,
    *,
    level: int | None = None,
    text: str | None = None,
    source: tuple[int, int] | None = None,
) -> None:
    await conn.execute(
        "INSERT INTO incident_events (incident, kind, actor_id, actor_name, at, level, text, "
        "source_chat_id, source_message_id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (number, kind.value, actor_id, name, at, level, text, *(source or (None, None))),
    )
