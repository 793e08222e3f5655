"""Reports: situation reports filed by officers, numbered by their row id."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.domain import Level, Role
from storage.db import Database, from_sql_time, to_sql_time


@dataclass(frozen=True)
class NewReport:
    """A report about to be stored, with the Telegram message it came from."""

    officer_id: int
    kecamatan: str
    role: Role
    level: Level
    text: str
    created_at: datetime
    source_chat_id: int
    source_message_id: int
    update_id: int | None = None
    category: str | None = None


@dataclass(frozen=True)
class Report:
    """A stored report; `number` is what officers and readers see as #N."""

    number: int
    officer_id: int
    kecamatan: str
    role: Role
    level: Level
    category: str | None
    text: str
    created_at: datetime
    source_chat_id: int
    source_message_id: int
    update_id: int | None
    escalated_at: datetime | None = None

    @property
    def is_nihil(self) -> bool:
        """Whether this is an "Aman, nothing happened" report."""
        return self.level is Level.AMAN and not self.text

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Report:
        """Builds a report from a row of `reports`."""
        return cls(
            number=row["id"],
            officer_id=row["officer_id"],
            kecamatan=row["kecamatan"],
            role=Role(row["role"]),
            level=Level(row["level"]),
            category=row["category"],
            text=row["text"],
            created_at=from_sql_time(row["created_at"]),
            source_chat_id=row["source_chat_id"],
            source_message_id=row["source_message_id"],
            update_id=row["update_id"],
            escalated_at=from_sql_time(row["escalated_at"]) if row["escalated_at"] else None,
        )


@dataclass(frozen=True)
class GroupCount:
    """Reports of one kecamatan, role and level within a period."""

    kecamatan: str
    role: Role
    level: Level
    count: int
    last_number: int


class ReportRepo:
    """Reads and writes `reports`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, new: NewReport) -> tuple[Report, bool]:
        """Stores and commits a report; returns (report, created).

        A report from a message that was already stored (a redelivered update) is not stored
        again: the existing report is returned with `created=False`.
        """
        async with self._db.transaction() as conn:
            async with conn.execute(
                """
                INSERT INTO reports (officer_id, kecamatan, role, level, category, text,
                                     created_at, update_id, source_chat_id, source_message_id)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (source_chat_id, source_message_id) DO NOTHING
                RETURNING *
                """,
                (
                    new.officer_id,
                    new.kecamatan,
                    new.role.value,
                    int(new.level),
                    new.category,
                    new.text,
                    to_sql_time(new.created_at),
                    new.update_id,
                    new.source_chat_id,
                    new.source_message_id,
                ),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                return Report.from_row(row), True
            async with conn.execute(
                "SELECT * FROM reports WHERE source_chat_id = ? AND source_message_id = ?",
                (new.source_chat_id, new.source_message_id),
            ) as cursor:
                existing = await cursor.fetchone()
        if existing is None:  # pragma: no cover - the conflict implies the row exists
            raise RuntimeError("report conflict without an existing row")
        return Report.from_row(existing), False

    async def mark_escalated(self, number: int, now: datetime) -> None:
        """Records that report #number was posted to the coordination group."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE reports SET escalated_at = ? WHERE id = ? AND escalated_at IS NULL",
                (to_sql_time(now), number),
            )

    async def get(self, number: int) -> Report | None:
        """Returns report #number, if it exists."""
        row = await self._db.fetchone("SELECT * FROM reports WHERE id = ?", (number,))
        return Report.from_row(row) if row else None

    async def count(self) -> int:
        """Returns the number of stored reports."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM reports")
        return int(row[0]) if row else 0

    async def group_counts(self, start: datetime, end: datetime) -> list[GroupCount]:
        """Counts reports created in [start, end) per kecamatan, role and level."""
        rows = await self._db.fetchall(
            """
            SELECT kecamatan, role, level, COUNT(*) AS n, MAX(id) AS last_id
            FROM reports
            WHERE created_at >= ? AND created_at < ?
            GROUP BY kecamatan, role, level
            """,
            (to_sql_time(start), to_sql_time(end)),
        )
        return [
            GroupCount(
                kecamatan=row["kecamatan"],
                role=Role(row["role"]),
                level=Level(row["level"]),
                count=row["n"],
                last_number=row["last_id"],
            )
            for row in rows
        ]
