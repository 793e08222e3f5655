"""Members: everyone the bot knows (field officers, koordinator, admins) and their state."""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import datetime

import aiosqlite

from domain.enums import MemberState, Role
from domain.members import Member, MemberEntry, RosterRow
from storage.audit import record
from storage.db import Database, from_sql_time, from_sql_time_or_none, to_sql_time

# Lookups kept in memory: every member, and then some strangers.
CACHE_LIMIT = 20_000


def member_from_row(row: sqlite3.Row) -> Member:
    """Builds a member from a row of `members`."""
    return Member(
        user_id=row["user_id"],
        role=Role(row["role"]),
        kecamatan=row["kecamatan"],
        name=row["name"],
        phone=row["phone"],
        state=MemberState(row["state"]),
        created_at=from_sql_time(row["created_at"]),
        updated_at=from_sql_time(row["updated_at"]),
        decided_by=row["decided_by"],
        decided_at=from_sql_time_or_none(row["decided_at"]),
        blocked_at=from_sql_time_or_none(row["blocked_at"]),
        # Absent from databases older than migration 0013 (read while upgrading); `in` on a Row
        # looks at its values, hence keys().
        service_number=row["service_number"] if "service_number" in row.keys() else None,  # noqa: SIM118
    )


class MemberRepo:
    """Reads and writes `members`, recording every change in the audit log.

    Every update looks its sender up, so lookups are cached in memory. All changes to `members`
    go through this class, which forgets the cache after each one; the bot is its only writer.
    """

    def __init__(self, db: Database) -> None:
        self._db = db
        self._cache: dict[int, Member | None] = {}
        self._generation = 0  # bumped by every change, so a lookup racing it is not cached

    async def get(self, user_id: int) -> Member | None:
        """Returns the member with this Telegram user id, if any."""
        if user_id in self._cache:
            return self._cache[user_id]
        generation = self._generation
        row = await self._db.fetchone("SELECT * FROM members WHERE user_id = ?", (user_id,))
        member = member_from_row(row) if row else None
        if generation == self._generation:
            if len(self._cache) >= CACHE_LIMIT:
                self._cache.clear()  # strangers writing to the bot must not grow it unbounded
            self._cache[user_id] = member
        return member

    @asynccontextmanager
    async def _change(self) -> AsyncIterator[aiosqlite.Connection]:
        """A write transaction on `members`, after which the lookup cache is forgotten."""
        try:
            async with self._db.transaction() as conn:
                yield conn
        finally:
            self._cache.clear()
            self._generation += 1

    async def save(
        self, entry: RosterRow, now: datetime, actor_id: int | None
    ) -> tuple[Member, bool]:
        """Adds or updates an active member (admin action); returns (member, added)."""
        async with self._change() as conn:
            member, added = await _upsert_active(conn, entry, now)
            await record(
                conn,
                now,
                actor_id,
                "add" if added else "update",
                entry.user_id,
                f"{entry.role.value} {entry.kecamatan or '-'} {entry.name}",
            )
        return member, added

    async def import_roster(
        self, rows: Sequence[RosterRow], now: datetime, actor_id: int | None
    ) -> tuple[int, int]:
        """Adds or updates every row in one transaction (all or nothing); returns counts."""
        added = updated = 0
        async with self._change() as conn:
            for entry in rows:
                _, was_added = await _upsert_active(conn, entry, now)
                added += was_added
                updated += not was_added
            await record(conn, now, actor_id, "import", None, f"{added} added, {updated} updated")
        return added, updated

    async def request(self, entry: RosterRow, now: datetime) -> Member | None:
        """Files a pending registration; None unless the user is new or was rejected.

        A deactivated member stays deactivated: only an admin's /aktifkan brings them back.
        """
        stamp = to_sql_time(now)
        async with self._change() as conn:
            async with conn.execute(
                """
                INSERT INTO members (user_id, role, kecamatan, name, phone, service_number,
                                     state, created_at, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, 'pending', ?, ?)
                ON CONFLICT (user_id) DO UPDATE SET
                    role = excluded.role, kecamatan = excluded.kecamatan, name = excluded.name,
                    phone = excluded.phone, service_number = excluded.service_number,
                    state = 'pending', updated_at = excluded.updated_at,
                    decided_by = NULL, decided_at = NULL
                WHERE members.state = 'rejected'
                RETURNING *
                """,
                (
                    entry.user_id,
                    entry.role.value,
                    entry.kecamatan,
                    entry.name,
                    entry.phone,
                    entry.service_number,
                    stamp,
                    stamp,
                ),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await record(
                    conn,
                    now,
                    entry.user_id,
                    "request",
                    entry.user_id,
                    f"{entry.role.value} {entry.kecamatan or '-'} {entry.name}",
                )
        return member_from_row(row) if row else None

    async def decide(
        self, user_id: int, approve: bool, admin_id: int, now: datetime
    ) -> Member | None:
        """Approves or rejects a pending request; None when it is not pending (any more)."""
        state = MemberState.ACTIVE if approve else MemberState.REJECTED
        stamp = to_sql_time(now)
        async with self._change() as conn:
            async with conn.execute(
                """
                UPDATE members SET state = ?, decided_by = ?, decided_at = ?, updated_at = ?
                WHERE user_id = ? AND state = 'pending'
                RETURNING *
                """,
                (state.value, admin_id, stamp, stamp, user_id),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await record(conn, now, admin_id, "approve" if approve else "reject", user_id)
        return member_from_row(row) if row else None

    async def set_active(
        self, user_id: int, active: bool, admin_id: int, now: datetime
    ) -> Member | None:
        """Activates or deactivates an approved member; None when there is no such member."""
        new, old = ("active", "inactive") if active else ("inactive", "active")
        async with self._change() as conn:
            async with conn.execute(
                """
                UPDATE members SET state = ?, updated_at = ?
                WHERE user_id = ? AND state IN (?, ?)
                RETURNING *
                """,
                (new, to_sql_time(now), user_id, new, old),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await record(conn, now, admin_id, "activate" if active else "deactivate", user_id)
        return member_from_row(row) if row else None

    async def set_blocked(self, user_id: int, now: datetime | None) -> None:
        """Marks (or, with None, unmarks) a member who blocked the bot."""
        async with self._change() as conn:
            await conn.execute(
                "UPDATE members SET blocked_at = ? WHERE user_id = ?",
                (to_sql_time(now) if now else None, user_id),
            )

    async def pending_untold(self) -> list[Member]:
        """Pending registrations no admin has a notice of (the telling was interrupted)."""
        rows = await self._db.fetchall(
            "SELECT * FROM members m WHERE state = 'pending' AND NOT EXISTS "
            "(SELECT 1 FROM admin_notices n WHERE n.subject_id = m.user_id) ORDER BY created_at"
        )
        return [member_from_row(row) for row in rows]

    async def holders(self, role: Role, kecamatan: str, besides: int) -> list[Member]:
        """Active or pending members other than `besides` with this jabatan in this kecamatan
        (an admin deciding a registration is warned of them)."""
        rows = await self._db.fetchall(
            "SELECT * FROM members WHERE role = ? AND kecamatan = ? AND user_id != ? "
            "AND state IN ('active', 'pending') ORDER BY state, created_at",
            (role.value, kecamatan, besides),
        )
        return [member_from_row(row) for row in rows]

    async def active(self) -> list[Member]:
        """All active members ordered by kecamatan, role and name."""
        rows = await self._db.fetchall(
            "SELECT * FROM members WHERE state = 'active' ORDER BY kecamatan, role, name"
        )
        return [member_from_row(row) for row in rows]

    async def directory(self, kecamatan: str | None = None) -> list[MemberEntry]:
        """Everyone registered (optionally of one kecamatan) with their last report time."""
        where, params = ("WHERE m.kecamatan = ?", (kecamatan,)) if kecamatan else ("", ())
        rows = await self._db.fetchall(
            f"""
            SELECT m.*, (SELECT MAX(r.created_at) FROM reports r WHERE r.officer_id = m.user_id)
                   AS last_report_at
            FROM members m {where}
            ORDER BY m.kecamatan IS NULL, m.kecamatan, m.role, m.name, m.user_id
            """,  # noqa: S608 - `where` is one of two constants
            params,
        )
        return [
            MemberEntry(
                member_from_row(row),
                from_sql_time_or_none(row["last_report_at"]),
            )
            for row in rows
        ]


async def _upsert_active(
    conn: aiosqlite.Connection, entry: RosterRow, now: datetime
) -> tuple[Member, bool]:
    stamp = to_sql_time(now)
    async with conn.execute("SELECT 1 FROM members WHERE user_id = ?", (entry.user_id,)) as cur:
        existed = await cur.fetchone() is not None
    async with conn.execute(
        """
        INSERT INTO members (user_id, role, kecamatan, name, phone, state, created_at, updated_at)
        VALUES (?, ?, ?, ?, ?, 'active', ?, ?)
        ON CONFLICT (user_id) DO UPDATE SET
            role = excluded.role, kecamatan = excluded.kecamatan, name = excluded.name,
            phone = coalesce(excluded.phone, members.phone), state = 'active',
            updated_at = excluded.updated_at
        RETURNING *
        """,
        (entry.user_id, entry.role.value, entry.kecamatan, entry.name, entry.phone, stamp, stamp),
    ) as cursor:
        row = await cursor.fetchone()
    if row is None:  # pragma: no cover - RETURNING always yields the written row
        raise RuntimeError("upsert returned no row")
    return member_from_row(row), not existed
