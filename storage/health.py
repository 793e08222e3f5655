"""The heartbeat: when the bot last showed it was alive, and when it last heard from Telegram."""

from __future__ import annotations

from datetime import datetime

from storage.db import Database, to_sql_time


class HealthRepo:
    """Writes the one row of `health` (read by `python3 tasks.py status`)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def started(self, pid: int, mode: str, now: datetime) -> None:
        """Records a new run: alive now, no poll yet, not stopped."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR REPLACE INTO health (id, pid, mode, started_at, heartbeat_at) "
                "VALUES (1, ?, ?, ?, ?)",
                (pid, mode, to_sql_time(now), to_sql_time(now)),
            )

    async def beat(self, now: datetime, last_poll: datetime | None) -> None:
        """Records that the bot is alive, and its last successful getUpdates if there was one."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE health SET heartbeat_at = ?, last_poll_at = coalesce(?, last_poll_at) "
                "WHERE id = 1",
                (to_sql_time(now), to_sql_time(last_poll) if last_poll else None),
            )

    async def stopped(self, now: datetime) -> None:
        """Records a clean stop (a stop signal was handled)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE health SET heartbeat_at = ?, stopped_at = ? WHERE id = 1",
                (to_sql_time(now), to_sql_time(now)),
            )
