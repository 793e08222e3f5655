"""Receipts Telegram did not accept: kept until delivered, or until delivery is impossible."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_sql_time, from_sql_time_or_none, to_sql_time

PENDING, SENT, UNDELIVERABLE = "pending", "sent", "undeliverable"


@dataclass(frozen=True)
class Receipt:
    """The receipt of one stored report whose first delivery failed."""

    report_number: int
    chat_id: int
    text: str
    state: str
    attempts: int
    last_error: str | None
    next_at: datetime | None
    created_at: datetime

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Receipt:
        """Builds a receipt from a row of `receipts`."""
        return cls(
            report_number=row["report_id"],
            chat_id=row["chat_id"],
            text=row["text"],
            state=row["state"],
            attempts=row["attempts"],
            last_error=row["last_error"],
            next_at=from_sql_time_or_none(row["next_at"]),
            created_at=from_sql_time(row["created_at"]),
        )


class ReceiptRepo:
    """Reads and writes `receipts`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def failed(
        self,
        number: int,
        chat_id: int,
        text: str,
        error: str,
        now: datetime,
        retry_at: datetime | None,
    ) -> None:
        """Records a failed first delivery: to retry at `retry_at`, or never (None)."""
        state = PENDING if retry_at is not None else UNDELIVERABLE
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO receipts (report_id, chat_id, text, state, last_error, next_at,
                                      created_at, done_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (report_id) DO NOTHING
                """,
                (
                    number,
                    chat_id,
                    text,
                    state,
                    error,
                    to_sql_time(retry_at) if retry_at else None,
                    to_sql_time(now),
                    None if retry_at else to_sql_time(now),
                ),
            )

    async def due(self, now: datetime, limit: int = 100) -> list[Receipt]:
        """Pending receipts whose next attempt is due, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM receipts WHERE state = 'pending' AND next_at <= ? "
            "ORDER BY next_at, report_id LIMIT ?",
            (to_sql_time(now), limit),
        )
        return [Receipt.from_row(row) for row in rows]

    async def get(self, number: int) -> Receipt | None:
        """The receipt record of report #number, if its first delivery failed."""
        row = await self._db.fetchone("SELECT * FROM receipts WHERE report_id = ?", (number,))
        return Receipt.from_row(row) if row else None

    async def attempted(
        self, number: int, now: datetime, *, error: str | None, retry_at: datetime | None
    ) -> None:
        """Records one more attempt: delivered (no error), to retry, or undeliverable."""
        if error is None:
            state, done = SENT, to_sql_time(now)
        elif retry_at is None:
            state, done = UNDELIVERABLE, to_sql_time(now)
        else:
            state, done = PENDING, None
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                UPDATE receipts SET state = ?, attempts = attempts + 1,
                    last_error = coalesce(?, last_error), next_at = ?, done_at = ?
                WHERE report_id = ? AND state = 'pending'
                """,
                (state, error, to_sql_time(retry_at) if retry_at else None, done, number),
            )
