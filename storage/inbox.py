"""The update inbox: updates are stored durably before Telegram is told they arrived."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from storage.batch import GroupCommit
from storage.db import Database, to_sql_time


class InboxRepo:
    """Reads and writes `inbox`."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._done = GroupCommit[tuple[int, datetime], None](self._mark_done_batch)

    async def store(self, updates: Sequence[tuple[int, str]], now: datetime) -> set[int]:
        """Records fetched updates (id, JSON) in one transaction; known ids stay as they are.

        Returns the ids among them that were handled before (Telegram is delivering them again).
        """
        stamp = to_sql_time(now)
        ids = [update_id for update_id, _ in updates]
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT OR IGNORE INTO inbox (update_id, payload, received_at) VALUES (?, ?, ?)",
                [(update_id, payload, stamp) for update_id, payload in updates],
            )
            marks = ", ".join("?" * len(ids))
            done = await conn.execute_fetchall(
                f"SELECT update_id FROM inbox WHERE update_id IN ({marks}) "  # noqa: S608
                "AND done_at IS NOT NULL",
                ids,
            )
        return {int(row[0]) for row in done}

    async def mark_done(self, update_id: int, now: datetime) -> None:
        """Records that an update was handled (updates finishing together share one commit)."""
        await self._done.submit((update_id, now))

    async def _mark_done_batch(self, done: Sequence[tuple[int, datetime]]) -> list[None]:
        async with self._db.transaction() as conn:
            await conn.executemany(
                "UPDATE inbox SET done_at = ? WHERE update_id = ? AND done_at IS NULL",
                [(to_sql_time(now), update_id) for update_id, now in done],
            )
        return [None] * len(done)

    async def pending(self) -> list[str]:
        """JSON of updates received but not handled (a crash or kill came in between)."""
        rows = await self._db.fetchall(
            "SELECT payload FROM inbox WHERE done_at IS NULL ORDER BY update_id"
        )
        return [str(row["payload"]) for row in rows]

    async def pending_count(self) -> int:
        """How many updates were received but not handled yet."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL")
        return int(row[0]) if row else 0

    async def prune(self, before: datetime) -> int:
        """Forgets handled updates received before `before`; returns how many."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM inbox WHERE done_at IS NOT NULL AND received_at < ?",
                (to_sql_time(before),),
            )
            return cursor.rowcount
