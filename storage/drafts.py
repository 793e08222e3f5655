"""Drafts: the step and answers of a user's multi-step dialog, kept across restarts."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from storage.db import Database, from_sql_time, to_sql_time


@dataclass(frozen=True)
class Draft:
    """Where a user is in a dialog (`flow`), and what they answered so far."""

    user_id: int
    flow: str
    step: str
    data: dict[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None


_UPSERT = """
    INSERT INTO drafts (user_id, flow, step, data, updated_at) VALUES (?, ?, ?, ?, ?)
    ON CONFLICT (user_id) DO UPDATE SET
        flow = excluded.flow, step = excluded.step, data = excluded.data,
        updated_at = excluded.updated_at
"""


def _params(draft: Draft, now: datetime) -> tuple[object, ...]:
    return (draft.user_id, draft.flow, draft.step, json.dumps(draft.data), to_sql_time(now))


def _from_row(row: sqlite3.Row) -> Draft:
    return Draft(
        user_id=row["user_id"],
        flow=row["flow"],
        step=row["step"],
        data=json.loads(row["data"]),
        updated_at=from_sql_time(row["updated_at"]),
    )


class DraftRepo:
    """Reads and writes `drafts` (one open dialog per user)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def get(self, user_id: int) -> Draft | None:
        """The user's open dialog, if any."""
        row = await self._db.fetchone("SELECT * FROM drafts WHERE user_id = ?", (user_id,))
        return _from_row(row) if row is not None else None

    async def put(self, draft: Draft, now: datetime) -> None:
        """Stores the user's dialog, replacing any other."""
        async with self._db.transaction() as conn:
            await conn.execute(_UPSERT, _params(draft, now))

    async def put_unless_busy(
        self, draft: Draft, now: datetime, replaces: Collection[str]
    ) -> Draft | None:
        """Stores the user's dialog unless they have one open of a flow not in `replaces`
        (e.g. a half-filled /lapor form, whose answers must not be lost): returns that one, not
        stored then, or None once stored. One transaction: nothing slips in between."""
        return await self._put_unless(draft, now, lambda flow: flow not in replaces)

    async def put_unless_open(
        self, draft: Draft, now: datetime, keeps: Collection[str]
    ) -> Draft | None:
        """Stores the user's dialog unless they have one open of a flow in `keeps` (a new
        /lapor form must not wipe a half-filled one, but may replace any other dialog):
        returns that one, not stored then, or None once stored. One transaction."""
        return await self._put_unless(draft, now, lambda flow: flow in keeps)

    async def _put_unless(
        self, draft: Draft, now: datetime, busy: Callable[[str], bool]
    ) -> Draft | None:
        async with self._db.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT * FROM drafts WHERE user_id = ?", (draft.user_id,)
                )
            )
            if rows and busy(rows[0]["flow"]):
                return _from_row(rows[0])
            await conn.execute(_UPSERT, _params(draft, now))
        return None

    async def idle(self, before: datetime) -> list[Draft]:
        """Open dialogs (of any flow) last touched before `before`."""
        rows = await self._db.fetchall(
            "SELECT user_id FROM drafts WHERE updated_at < ?", (to_sql_time(before),)
        )
        found = [await self.get(row["user_id"]) for row in rows]
        return [draft for draft in found if draft is not None]

    async def delete_if_unchanged(self, draft: Draft) -> bool:
        """Discards `draft` unless the user touched it since it was read."""
        if draft.updated_at is None:
            return False
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM drafts WHERE user_id = ? AND updated_at = ?",
                (draft.user_id, to_sql_time(draft.updated_at)),
            )
            return cursor.rowcount > 0

    async def delete(self, user_id: int) -> bool:
        """Discards the user's dialog; whether there was one."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute("DELETE FROM drafts WHERE user_id = ?", (user_id,))
            return cursor.rowcount > 0
