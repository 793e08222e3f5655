"""Officers: who may report, for which kecamatan and in which role."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from bot.domain import OfficerState, Role
from storage.db import Database, from_sql_time, to_sql_time


@dataclass(frozen=True)
class Officer:
    """A registered field officer."""

    user_id: int
    role: Role
    kecamatan: str
    name: str
    state: OfficerState
    created_at: datetime
    updated_at: datetime

    @property
    def is_active(self) -> bool:
        """Whether the officer may report."""
        return self.state is OfficerState.ACTIVE

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Officer:
        """Builds an officer from a row of `officers`."""
        return cls(
            user_id=row["user_id"],
            role=Role(row["role"]),
            kecamatan=row["kecamatan"],
            name=row["name"],
            state=OfficerState(row["state"]),
            created_at=from_sql_time(row["created_at"]),
            updated_at=from_sql_time(row["updated_at"]),
        )


class OfficerRepo:
    """Reads and writes `officers`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def upsert(
        self, user_id: int, role: Role, kecamatan: str, name: str, now: datetime
    ) -> tuple[Officer, bool]:
        """Adds an active officer, or updates the one with this id; returns (officer, added)."""
        stamp = to_sql_time(now)
        async with self._db.transaction() as conn:
            async with conn.execute(
                "SELECT 1 FROM officers WHERE user_id = ?", (user_id,)
            ) as cursor:
                existed = await cursor.fetchone() is not None
            async with conn.execute(
                """
                INSERT INTO officers
                    (user_id, role, kecamatan, name, state, created_at, updated_at)
                VALUES (?, ?, ?, ?, 'active', ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET
                    role = excluded.role, kecamatan = excluded.kecamatan, name = excluded.name,
                    state = 'active', updated_at = excluded.updated_at
                RETURNING *
                """,
                (user_id, role.value, kecamatan, name, stamp, stamp),
            ) as cursor:
                row = await cursor.fetchone()
        if row is None:  # pragma: no cover - RETURNING always yields the written row
            raise RuntimeError("upsert returned no row")
        return Officer.from_row(row), not existed

    async def get(self, user_id: int) -> Officer | None:
        """Returns the officer with this Telegram user id, if registered."""
        row = await self._db.fetchone("SELECT * FROM officers WHERE user_id = ?", (user_id,))
        return Officer.from_row(row) if row else None

    async def list_active(self) -> list[Officer]:
        """Returns all active officers ordered by kecamatan, role and name."""
        rows = await self._db.fetchall(
            "SELECT * FROM officers WHERE state = 'active' ORDER BY kecamatan, role, name"
        )
        return [Officer.from_row(row) for row in rows]
