"""Schedule slots: the durable record of each scheduled digest or reminder and its progress."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_sql_time, from_sql_time_or_none, to_sql_time


@dataclass(frozen=True)
class ScheduleSlot:
    """One scheduled occurrence ("digest 2024-11-27 07:00") and how far its posting got."""

    slot: str
    kind: str
    chat_id: int | None
    state: str
    parts: list[str]
    parts_sent: int
    claimed_at: datetime
    sent_at: datetime | None


class SlotRepo:
    """Reads and writes `schedule_slots` and `reminders_sent`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def claim(
        self, slot: str, kind: str, chat_id: int | None, parts: list[str], now: datetime
    ) -> bool:
        """Records that `slot` is being posted with these parts; False if already recorded."""
        async with (
            self._db.transaction() as conn,
            conn.execute(
                """
                INSERT INTO schedule_slots (slot, kind, chat_id, state, parts, claimed_at)
                VALUES (?, ?, ?, 'sending', ?, ?)
                ON CONFLICT (slot) DO NOTHING
                RETURNING slot
                """,
                (slot, kind, chat_id, json.dumps(parts), to_sql_time(now)),
            ) as cursor,
        ):
            return await cursor.fetchone() is not None

    async def part_sent(self, slot: str, count: int) -> None:
        """Records that the first `count` parts are delivered."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE schedule_slots SET parts_sent = max(parts_sent, ?) WHERE slot = ?",
                (count, slot),
            )

    async def mark(self, slot: str, state: str, now: datetime) -> None:
        """Finishes a slot as 'sent', or records it as 'skipped' (creating it if needed)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO schedule_slots (slot, kind, state, claimed_at, sent_at)
                VALUES (?, substr(?, 1, instr(?, ' ') - 1), ?, ?, ?)
                ON CONFLICT (slot) DO UPDATE SET state = excluded.state,
                    sent_at = excluded.sent_at
                """,
                (slot, slot, slot, state, to_sql_time(now), to_sql_time(now)),
            )

    async def get(self, slot: str) -> ScheduleSlot | None:
        """The record of a slot, if it was ever claimed."""
        row = await self._db.fetchone("SELECT * FROM schedule_slots WHERE slot = ?", (slot,))
        if row is None:
            return None
        return ScheduleSlot(
            slot=row["slot"],
            kind=row["kind"],
            chat_id=row["chat_id"],
            state=row["state"],
            parts=json.loads(row["parts"]),
            parts_sent=row["parts_sent"],
            claimed_at=from_sql_time(row["claimed_at"]),
            sent_at=from_sql_time_or_none(row["sent_at"]),
        )

    async def unfinished(self, kind: str) -> list[ScheduleSlot]:
        """Slots of `kind` whose posting was interrupted."""
        rows = await self._db.fetchall(
            "SELECT slot FROM schedule_slots WHERE kind = ? AND state = 'sending' ORDER BY slot",
            (kind,),
        )
        found = [await self.get(row["slot"]) for row in rows]
        return [slot for slot in found if slot is not None]

    async def reminded(self, slot: str) -> set[int]:
        """Users already reminded in a reminder slot."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM reminders_sent WHERE slot = ?", (slot,)
        )
        return {int(row["user_id"]) for row in rows}

    async def add_reminded(self, slot: str, user_id: int) -> bool:
        """Claims the reminder of one officer in a slot; False if it was claimed already."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT OR IGNORE INTO reminders_sent (slot, user_id) VALUES (?, ?)",
                (slot, user_id),
            )
            return cursor.rowcount == 1
