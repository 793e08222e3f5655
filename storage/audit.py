"""The audit log: who changed the registry or configuration, what, and when."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from storage.db import Database, from_sql_time, to_sql_time


@dataclass(frozen=True)
class AuditEntry:
    """One recorded action."""

    at: datetime
    actor_id: int | None
    action: str
    target_id: int | None
    detail: str


async def record(
    conn: aiosqlite.Connection,
    now: datetime,
    actor_id: int | None,
    action: str,
    target_id: int | None = None,
    detail: str = "",
) -> None:
    """Writes an audit entry inside the caller's transaction (so it commits with the change)."""
    await conn.execute(
        "INSERT INTO audit_log (at, actor_id, action, target_id, detail) VALUES (?, ?, ?, ?, ?)",
        (to_sql_time(now), actor_id, action, target_id, detail),
    )


class AuditRepo:
    """Reads `audit_log`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def recent(self, limit: int = 50) -> list[AuditEntry]:
        """The newest entries first."""
        rows = await self._db.fetchall(
            "SELECT * FROM audit_log ORDER BY id DESC LIMIT ?", (limit,)
        )
        return [
            AuditEntry(
                at=from_sql_time(row["at"]),
                actor_id=row["actor_id"],
                action=row["action"],
                target_id=row["target_id"],
                detail=row["detail"],
            )
            for row in rows
        ]
