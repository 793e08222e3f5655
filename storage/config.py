"""Settings changed from inside the bot, and the admin notices of registration requests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from storage.audit import record
from storage.db import Database, to_sql_time

COORDINATION_CHAT = "coordination_chat_id"
DIGEST_TIMES = "digest_times"
REMINDER_TIMES = "reminder_times"
FIRST_STARTED_AT = "first_started_at"
# Digest slots before the last schedule change are never caught up (they did not exist).
DIGESTS_CHANGED_AT = "digest_times_changed_at"
# The command menus as last published to every member (see bot.menus.publish_menus).
MENUS_PUBLISHED = "menus_published"


class ConfigRepo:
    """Reads and writes `bot_settings` and `admin_notices`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, key: str) -> str | None:
        """The stored value of a setting, if it was ever set in the bot."""
        row = await self._db.fetchone("SELECT value FROM bot_settings WHERE key = ?", (key,))
        return str(row["value"]) if row else None

    async def set(
        self,
        key: str,
        value: str,
        now: datetime,
        actor_id: int | None,
        *,
        audit: bool = True,
        bookkeeping: Mapping[str, str] | None = None,
    ) -> None:
        """Stores a setting and (unless it is bookkeeping) records who changed it.

        `bookkeeping` settings that go with the change are stored in the same transaction.
        """
        values = [(key, value), *(bookkeeping or {}).items()]
        async with self._db.transaction() as conn:
            await conn.executemany(
                """
                INSERT INTO bot_settings (key, value, updated_at, updated_by) VALUES (?, ?, ?, ?)
                ON CONFLICT (key) DO UPDATE SET value = excluded.value,
                    updated_at = excluded.updated_at, updated_by = excluded.updated_by
                """,
                [(k, v, to_sql_time(now), actor_id) for k, v in values],
            )
            if audit:
                await record(conn, now, actor_id, f"set {key}", None, value)

    async def add_notice(self, subject_id: int, chat_id: int, message_id: int) -> None:
        """Remembers a message sent to an admin about `subject_id`."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "INSERT OR IGNORE INTO admin_notices (subject_id, chat_id, message_id) "
                "VALUES (?, ?, ?)",
                (subject_id, chat_id, message_id),
            )

    async def has_notices(self, subject_id: int) -> bool:
        """Whether any admin was told about `subject_id` (and the notice not yet decided)."""
        row = await self._db.fetchone(
            "SELECT 1 FROM admin_notices WHERE subject_id = ? LIMIT 1", (subject_id,)
        )
        return row is not None

    async def take_notices(self, subject_id: int) -> list[tuple[int, int]]:
        """Returns and forgets the (chat_id, message_id) of the notices about `subject_id`."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                "DELETE FROM admin_notices WHERE subject_id = ? RETURNING chat_id, message_id",
                (subject_id,),
            ) as cursor,
        ):
            rows = await cursor.fetchall()
        return [(int(row[0]), int(row[1])) for row in rows]
