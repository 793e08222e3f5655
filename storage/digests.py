"""Digest slots: the durable record that a scheduled digest was (being) posted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_sql_time, to_sql_time


@dataclass(frozen=True)
class DigestSlot:
    """One scheduled digest occurrence, keyed by its local date and time."""

    slot: str
    chat_id: int
    state: str
    claimed_at: datetime
    sent_at: datetime | None


class DigestRepo:
    """Reads and writes `digest_slots`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(self, slot: str, chat_id: int, now: datetime) -> bool:
        """Claims a slot for posting; False when it was already claimed or sent."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                """
                INSERT INTO digest_slots (slot, chat_id, state, claimed_at)
                VALUES (?, ?, 'sending', ?)
                ON CONFLICT (slot) DO NOTHING
                RETURNING slot
                """,
                (slot, chat_id, to_sql_time(now)),
            ) as cursor,
        ):
            return await cursor.fetchone() is not None

    async def mark_sent(self, slot: str, now: datetime) -> None:
        """Records that every part of the slot's digest was delivered."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE digest_slots SET state = 'sent', sent_at = ? WHERE slot = ?",
                (to_sql_time(now), slot),
            )

    async def release(self, slot: str) -> None:
        """Gives up a claim whose posting failed, so the slot can be posted later."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "DELETE FROM digest_slots WHERE slot = ? AND state = 'sending'", (slot,)
            )

    async def get(self, slot: str) -> DigestSlot | None:
        """Returns the record of a slot, if it was ever claimed."""
        row = await self._db.fetchone("SELECT * FROM digest_slots WHERE slot = ?", (slot,))
        if row is None:
            return None
        return DigestSlot(
            slot=row["slot"],
            chat_id=row["chat_id"],
            state=row["state"],
            claimed_at=from_sql_time(row["claimed_at"]),
            sent_at=from_sql_time(row["sent_at"]) if row["sent_at"] else None,
        )
