"""Election logistics: confirmations, deadlines, kendala links and late announcements."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

import aiosqlite

from domain.enums import Level, Role
from domain.incidents import IncidentState
from domain.logistics import (
    Board,
    Confirmation,
    ConfirmOutcome,
    Kendala,
    LogisticsPlan,
    NewConfirmation,
    TpsCount,
    build_board,
)
from domain.regions import Region
from storage.audit import record
from storage.db import Database, from_sql_time, from_sql_time_or_none, to_sql_time

StageKey = tuple[str, str]  # (stage key, kecamatan)
LateKey = tuple[str, str, datetime]  # (kecamatan, stage key, deadline)


def confirmation_from_row(row: sqlite3.Row) -> Confirmation:
    """Builds a confirmation from a row of `logistics_confirmations`."""
    done, total = row["done_count"], row["total_count"]
    return Confirmation(
        id=row["id"],
        kecamatan=row["kecamatan"],
        stage=row["stage"],
        officer_id=row["officer_id"],
        officer_name=row["officer_name"],
        role=Role(row["role"]),
        at=from_sql_time(row["confirmed_at"]),
        count=TpsCount(done, total) if done is not None else None,
        photo_file_id=row["photo_file_id"],
        withdrawn_at=from_sql_time_or_none(row["withdrawn_at"]),
        withdrawn_by=row["withdrawn_by"],
        withdrawn_by_name=row["withdrawn_by_name"],
        withdraw_reason=row["withdraw_reason"],
    )


@dataclass(frozen=True)
class Announcement:
    """A claimed announcement of late stages and how far its posting got."""

    id: int
    parts: list[str]
    parts_sent: int


# Every kendala with its report and incident. CROSS JOIN keeps the few kendala as the outer loop:
# a plain JOIN lets SQLite walk every report in time order to spare a sort (400 ms at 1,000,000).
KENDALA = (
    "SELECT r.id AS report, k.kecamatan, k.stage, r.created_at, "
    "COALESCE(i.level, r.level) AS level, i.state FROM logistics_kendala k "
    "CROSS JOIN reports r ON r.source_chat_id = k.source_chat_id "
    "AND r.source_message_id = k.source_message_id "
    "LEFT JOIN incidents i ON i.number = r.incident"
)


class LogisticsRepo:
    """Reads and writes the `logistics_*` tables; every change is also written to the audit log."""

    def __init__(self, db: Database) -> None:
        self._db = db

    # --- deadlines ----------------------------------------------------------------------------

    async def planned(self) -> dict[StageKey, datetime | None]:
        """Deadlines set by admins (None: cleared), by (stage key, kecamatan)."""
        rows = await self._db.fetchall("SELECT * FROM logistics_deadlines")
        return {
            (row["stage"], row["kecamatan"]): from_sql_time_or_none(row["due_at"]) for row in rows
        }

    async def set_deadline(
        self,
        stage: str,
        kecamatan: Sequence[str],
        due: datetime | None,
        actor_id: int | None,
        now: datetime,
        detail: str,
    ) -> None:
        """Plans (or clears, with None) the deadline of a stage in the given kecamatan, in one
        transaction with its audit entry."""
        when = to_sql_time(now)
        due_text = to_sql_time(due) if due is not None else None
        async with self._db.transaction() as conn:
            await conn.executemany(
                "INSERT INTO logistics_deadlines (kecamatan, stage, due_at, set_by, set_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT (kecamatan, stage) DO UPDATE SET "
                "due_at = excluded.due_at, set_by = excluded.set_by, set_at = excluded.set_at",
                [(name, stage, due_text, actor_id, when) for name in kecamatan],
            )
            await record(conn, now, actor_id, "logistics plan", None, detail)

    # --- confirmations ------------------------------------------------------------------------

    async def confirmations(self, kecamatan: str | None = None) -> list[Confirmation]:
        """Every confirmation (withdrawn ones too), optionally of one kecamatan, oldest first."""
        where, params = ("WHERE kecamatan = ?", (kecamatan,)) if kecamatan else ("", ())
        rows = await self._db.fetchall(
            f"SELECT * FROM logistics_confirmations {where} ORDER BY confirmed_at, id",  # noqa: S608
            params,
        )
        return [confirmation_from_row(row) for row in rows]

    async def confirm(self, new: NewConfirmation) -> tuple[Confirmation, ConfirmOutcome]:
        """Stores an officer's confirmation; returns it and what happened.

        The same message again (a replayed update) returns what it stored; an officer whose
        confirmation of that stage still stands gets that one back (no duplicate).
        """
        async with self._db.transaction() as conn:
            replayed = await _one(
                conn,
                "SELECT * FROM logistics_confirmations "
                "WHERE source_chat_id = ? AND source_message_id = ?",
                new.source,
            )
            if replayed is not None:
                return replayed, ConfirmOutcome.REPLAYED
            standing = await _one(
                conn,
                "SELECT * FROM logistics_confirmations WHERE kecamatan = ? AND stage = ? "
                "AND officer_id = ? AND withdrawn_at IS NULL",
                (new.kecamatan, new.stage, new.officer_id),
            )
            if standing is not None:
                return standing, ConfirmOutcome.ALREADY
            count, photo = new.count, new.photo
            stored = await _one(
                conn,
                "INSERT INTO logistics_confirmations (kecamatan, stage, officer_id, "
                "officer_name, role, confirmed_at, done_count, total_count, photo_file_id, "
                "photo_unique_id, source_chat_id, source_message_id) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING *",
                (
                    new.kecamatan,
                    new.stage,
                    new.officer_id,
                    new.officer_name,
                    new.role.value,
                    to_sql_time(new.at),
                    count.done if count else None,
                    count.total if count else None,
                    photo[0] if photo else None,
                    photo[1] if photo else None,
                    *new.source,
                ),
            )
            if stored is None:  # pragma: no cover - RETURNING always yields the row
                raise RuntimeError("confirmation not stored")
            await record(
                conn, new.at, new.officer_id, "logistics confirm", new.officer_id,
                f"{new.kecamatan} {new.stage} #{stored.id}",
            )  # fmt: skip
        return stored, ConfirmOutcome.STORED

    async def withdraw(
        self,
        kecamatan: str,
        stage: str,
        officer_id: int | None,
        actor_id: int,
        actor_name: str,
        reason: str,
        now: datetime,
    ) -> list[Confirmation]:
        """Withdraws the standing confirmations of a stage (only `officer_id`'s when given),
        keeping them as history; returns those withdrawn now."""
        where = "kecamatan = ? AND stage = ? AND withdrawn_at IS NULL"
        params: tuple[object, ...] = (kecamatan, stage)
        if officer_id is not None:
            where, params = f"{where} AND officer_id = ?", (*params, officer_id)
        async with self._db.transaction() as conn:
            rows = await conn.execute_fetchall(
                "UPDATE logistics_confirmations SET withdrawn_at = ?, withdrawn_by = ?, "  # noqa: S608
                f"withdrawn_by_name = ?, withdraw_reason = ? WHERE {where} RETURNING *",
                (to_sql_time(now), actor_id, actor_name, reason, *params),
            )
            withdrawn = sorted((confirmation_from_row(r) for r in rows), key=lambda c: c.id)
            for confirmation in withdrawn:
                await record(
                    conn, now, actor_id, "logistics withdraw", confirmation.officer_id,
                    f"{kecamatan} {stage} #{confirmation.id}: {reason}",
                )  # fmt: skip
        return withdrawn

    # --- kendala ------------------------------------------------------------------------------

    async def link_kendala(
        self,
        source: tuple[int, int],
        kecamatan: str,
        stage: str,
        officer_id: int,
        now: datetime,
    ) -> None:
        """Records that the report to be filed from message `source` (chat id, message id) is a
        kendala of a stage; written before the report, once however often it is handled."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO logistics_kendala (source_chat_id, source_message_id, kecamatan, "
                "stage, officer_id, linked_at) VALUES (?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (source_chat_id, source_message_id) DO NOTHING",
                (*source, kecamatan, stage, officer_id, to_sql_time(now)),
            )
            if cursor.rowcount == 1:
                await record(conn, now, officer_id, "logistics kendala", officer_id,
                             f"{kecamatan} {stage} message {source[0]}/{source[1]}")  # fmt: skip

    async def kendala(self, kecamatan: str | None = None) -> list[Kendala]:
        """Every kendala whose report is stored, with the level and state of its incident,
        oldest first."""
        where, params = ("WHERE k.kecamatan = ?", (kecamatan,)) if kecamatan else ("", ())
        rows = await self._db.fetchall(f"{KENDALA} {where} ORDER BY r.created_at, r.id", params)
        return [
            Kendala(
                report=row["report"],
                kecamatan=row["kecamatan"],
                stage=row["stage"],
                level=Level(row["level"]),
                is_open=row["state"] is not None and row["state"] != IncidentState.SELESAI,
                at=from_sql_time(row["created_at"]),
            )
            for row in rows
        ]

    # --- the board ----------------------------------------------------------------------------

    async def board(
        self, plan: LogisticsPlan, region: Region, now: datetime, kecamatan: str | None = None
    ) -> Board:
        """Every kecamatan's chain (or only that of `kecamatan`) as it stands at `now`."""
        names: Iterable[str] = (kecamatan,) if kecamatan else region.kecamatan
        return build_board(
            plan,
            tuple(names),
            await self.planned(),
            await self.confirmations(kecamatan),
            await self.kendala(kecamatan),
            now,
        )

    # --- late announcements -------------------------------------------------------------------

    async def announced(self) -> set[LateKey]:
        """Every lateness already claimed by an announcement."""
        rows = await self._db.fetchall("SELECT kecamatan, stage, due_at FROM logistics_late")
        return {(row[0], row[1], from_sql_time(row[2])) for row in rows}

    async def claim_announcement(
        self, late: Sequence[LateKey], parts: list[str], now: datetime
    ) -> int | None:
        """Claims these latenesses for one announcement with its rendered parts, before it is
        posted; None (nothing claimed) when any of them was claimed meanwhile."""
        try:
            async with self._db.transaction() as conn:
                row = await _row(
                    conn,
                    "INSERT INTO logistics_announcements (parts, claimed_at) VALUES (?, ?) "
                    "RETURNING id",
                    (json.dumps(parts), to_sql_time(now)),
                )
                number = int(row[0])
                await conn.executemany(
                    "INSERT INTO logistics_late (kecamatan, stage, due_at, announcement) "
                    "VALUES (?, ?, ?, ?)",
                    [(kec, stage, to_sql_time(due), number) for kec, stage, due in late],
                )
        except sqlite3.IntegrityError:
            return None
        return number

    async def unsent(self) -> list[Announcement]:
        """Claimed announcements not posted completely, oldest first."""
        rows = await self._db.fetchall(
            "SELECT * FROM logistics_announcements WHERE sent_at IS NULL ORDER BY id"
        )
        return [
            Announcement(row["id"], json.loads(row["parts"]), row["parts_sent"]) for row in rows
        ]

    async def part_sent(self, announcement: int, count: int) -> None:
        """Records that the first `count` parts are delivered."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE logistics_announcements SET parts_sent = max(parts_sent, ?) WHERE id = ?",
                (count, announcement),
            )

    async def mark_sent(self, announcement: int, now: datetime) -> None:
        """Records that the announcement is posted completely."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE logistics_announcements SET sent_at = ? WHERE id = ?",
                (to_sql_time(now), announcement),
            )


async def _row(conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]) -> sqlite3.Row:
    rows = list(await conn.execute_fetchall(sql, params))
    if not rows:  # pragma: no cover - callers use RETURNING
        raise RuntimeError("no row returned")
    row: sqlite3.Row = rows[0]
    return row


async def _one(
    conn: aiosqlite.Connection, sql: str, params: tuple[object, ...]
) -> Confirmation | None:
    rows = list(await conn.execute_fetchall(sql, params))
    return confirmation_from_row(rows[0]) if rows else None
