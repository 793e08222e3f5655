"""The election calendar as admins changed it: its versions, and the changes awaiting a ✅."""

from __future__ import annotations

import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from storage.audit import record
from storage.db import Database, from_sql_time, from_sql_time_or_none, to_sql_time


@dataclass(frozen=True)
class CalendarVersion:
    """One stored calendar (the file's JSON), who changed it, when, and what changed."""

    version: int
    calendar: str
    change: str
    changed_by: int | None
    changed_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CalendarVersion:
        """Builds a version from its row."""
        return cls(
            version=row["version"],
            calendar=row["calendar"],
            change=row["change"],
            changed_by=row["changed_by"],
            changed_at=from_sql_time(row["changed_at"]),
        )


@dataclass(frozen=True)
class CalendarProposal:
    """A change waiting for its admin's decision: the calendar it was made against (`base`)
    and the calendar it would make."""

    id: int
    actor_id: int
    base: str
    calendar: str
    change: str
    created_at: datetime
    decision: str | None
    decided_at: datetime | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> CalendarProposal:
        """Builds a proposal from its row."""
        return cls(
            id=row["id"],
            actor_id=row["actor_id"],
            base=row["base"],
            calendar=row["calendar"],
            change=row["change"],
            created_at=from_sql_time(row["created_at"]),
            decision=row["decision"],
            decided_at=from_sql_time_or_none(row["decided_at"]),
        )


class CalendarRepo:
    """Reads and writes `calendar_versions` and `calendar_proposals`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def latest(self) -> CalendarVersion | None:
        """The calendar in force, if admins ever changed it."""
        row = await self._db.fetchone(
            "SELECT * FROM calendar_versions ORDER BY version DESC LIMIT 1"
        )
        return CalendarVersion.from_row(row) if row is not None else None

    async def versions(self) -> list[CalendarVersion]:
        """Every stored version, oldest first."""
        rows = await self._db.fetchall("SELECT * FROM calendar_versions ORDER BY version")
        return [CalendarVersion.from_row(row) for row in rows]

    async def propose(
        self, actor_id: int, base: str, calendar: str, change: str, now: datetime
    ) -> int:
        """Stores a change awaiting its admin's decision; returns its id."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                """
                INSERT INTO calendar_proposals (actor_id, base, calendar, change, created_at)
                VALUES (?, ?, ?, ?, ?) RETURNING id
                """,
                (actor_id, base, calendar, change, to_sql_time(now)),
            ) as cursor,
        ):
            row = await cursor.fetchone()
        if row is None:  # pragma: no cover - RETURNING always gives the row
            raise sqlite3.DatabaseError("proposal not stored")
        return int(row[0])

    async def proposal(self, proposal_id: int) -> CalendarProposal | None:
        """A stored proposal, decided or not."""
        row = await self._db.fetchone(
            "SELECT * FROM calendar_proposals WHERE id = ?", (proposal_id,)
        )
        return CalendarProposal.from_row(row) if row is not None else None

    async def decide(self, proposal_id: int, decision: str, now: datetime) -> bool:
        """Records 'cancelled' or 'stale' for an undecided proposal; False if already decided."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                """
                UPDATE calendar_proposals SET decision = ?, decided_at = ?
                WHERE id = ? AND decision IS NULL RETURNING id
                """,
                (decision, to_sql_time(now), proposal_id),
            ) as cursor,
        ):
            return await cursor.fetchone() is not None

    async def adopt(
        self,
        calendar: str,
        change: str,
        actor_id: int | None,
        now: datetime,
        *,
        proposal_id: int | None = None,
        bookkeeping: Mapping[str, str] | None = None,
    ) -> int | None:
        """Stores `calendar` as the new version in force, with its audit entry and the
        `bookkeeping` settings that go with it, in one transaction; returns its number.

        With `proposal_id`, the proposal is marked saved in the same transaction, and nothing
        is stored (None) when it was decided already (a second press of its button).
        """
        async with self._db.transaction() as conn:
            if proposal_id is not None:
                async with conn.execute(
                    """
                    UPDATE calendar_proposals SET decision = 'saved', decided_at = ?
                    WHERE id = ? AND decision IS NULL RETURNING id
                    """,
                    (to_sql_time(now), proposal_id),
                ) as cursor:
                    if await cursor.fetchone() is None:
                        return None
            async with conn.execute(
                """
                INSERT INTO calendar_versions (calendar, change, changed_by, changed_at)
                VALUES (?, ?, ?, ?) RETURNING version
                """,
                (calendar, change, actor_id, to_sql_time(now)),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:  # pragma: no cover - RETURNING always gives the row
                raise sqlite3.DatabaseError("calendar version not stored")
            await conn.executemany(
                """
                INSERT INTO bot_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """,
                [(k, v, to_sql_time(now), actor_id) for k, v in (bookkeeping or {}).items()],
            )
            await record(conn, now, actor_id, "calendar", int(row[0]), change)
            return int(row[0])
