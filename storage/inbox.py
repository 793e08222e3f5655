"""The update inbox: updates are stored durably before Telegram is told they arrived."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.db import Database, to_sql_time


class InboxRepo:
    """Reads and writes `inbox`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def store(self, updates: Sequence[tuple[int, str]], now: datetime) -> None:
        """Records fetched updates (id, JSON) in one transaction; known ids stay as they are."""
        stamp = to_sql_time(now)
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                [(update_id, payload, stamp) for update_id, payload in updates],
            )

    async def is_done(self, update_id: int) -> bool:
        """Whether this update was handled before (e.g. Telegram is delivering it again)."""
        row = await self._db.fetchone(
            "SELECT done_at IS NOT NULL FROM inbox WHERE update_id = ?", (update_id,)
        )
        return bool(row[0]) if row else False

    async def mark_done(self, update_id: int, now: datetime) -> None:
        """Records that an update was handled."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL",
                (to_sql_time(now), update_id),
            )

    async def pending(self) -> list[str]:
        """JSON of updates received but not handled (a crash or kill came in between)."""
        rows = await self._db.fetchall(
            "SELECT payload FROM inbox WHERE done_at IS NULL ORDER BY update_id"
        )
        return [str(row["payload"]) for row in rows]

    async def prune(self, before: datetime) -> int:
        """Forgets handled updates received before `before`; returns how many."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < ?",
                (to_sql_time(before),),
            )
            return cursor.rowcount
