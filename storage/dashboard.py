"""The live dashboard's storage: sign-in links and sign-ins, and the reads that tell the
dashboard when something changed.

A sign-in link is a secret sent privately by /dasbor: usable once, for a few minutes. Using it
creates a sign-in (a browser session, or a Mini App's token). Only the SHA-256 of each secret is
stored. A trigger (migration 0018) ends every sign-in of a member who is deactivated or is no
longer a koordinator or admin, in the transaction that changed them.
"""

from __future__ import annotations

import hashlib
import sqlite3
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

import aiosqlite

from domain.reports import Report
from storage.audit import record
from storage.db import Database, from_sql_time, to_sql_time
from storage.incidents import OPEN
from storage.reports import report_from_row

# The audit log's word for a completed sign-in (its detail says how: link or Mini App).
SIGNIN_ACTION = "dashboard_signin"
SIGNOUT_ACTION = "dashboard_signout"


class SigninKind(StrEnum):
    """What a stored secret is."""

    LINK = "link"  # the one-time link /dasbor sends
    SESSION = "session"  # a browser's cookie
    MINIAPP = "miniapp"  # the token a Mini App keeps in sessionStorage


@dataclass(frozen=True)
class Signin:
    """A valid sign-in: whose, what kind, and until when."""

    user_id: int
    kind: SigninKind
    created_at: datetime
    expires_at: datetime


@dataclass(frozen=True)
class LatestReport:
    """A recent report and the name of its officer (None if they left the registry)."""

    report: Report
    officer_name: str | None


def secret_hash(secret: str) -> str:
    """What is stored for a secret: its SHA-256, hex."""
    return hashlib.sha256(secret.encode()).hexdigest()


def _signin(row: sqlite3.Row) -> Signin:
    return Signin(
        row["user_id"],
        SigninKind(row["kind"]),
        from_sql_time(row["created_at"]),
        from_sql_time(row["expires_at"]),
    )


# Everything the dashboard shows changes only with a new row in one of these tables (reports,
# corrections, incident steps, registry changes including sign-ins, arahan), each MAX(id) read
# from the end of its primary key, or with a copy of a recent arahan taken or confirmed (the
# arahan's own count of tally changes, migration 0017, summed over the last day's arahan).
CHANGE_MARK = """
SELECT (SELECT COALESCE(MAX(id), 0) FROM reports),
       (SELECT COALESCE(MAX(id), 0) FROM corrections),
       (SELECT COALESCE(MAX(id), 0) FROM incident_events),
       (SELECT COALESCE(MAX(id), 0) FROM audit_log),
       (SELECT COALESCE(MAX(id), 0) FROM arahan),
       (SELECT TOTAL(tally_changes) FROM arahan WHERE created_at >= ?)
"""


class DashboardRepo:
    """Reads and writes `dashboard_signins`; the dashboard's own reads."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add_link(
        self, user_id: int, secret: str, now: datetime, valid_for: timedelta
    ) -> None:
        """Stores a one-time sign-in link (and forgets every expired secret)."""
        stamp = to_sql_time(now)
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM dashboard_signins WHERE expires_at <= ?", (stamp,))
            await conn.execute(
                "INSERT INTO dashboard_signins (token_hash, kind, user_id, created_at, "
                "expires_at) VALUES (?, 'link', ?, ?, ?)",
                (secret_hash(secret), user_id, stamp, to_sql_time(now + valid_for)),
            )

    async def redeem_link(
        self, link: str, session: str, now: datetime, lasts: timedelta
    ) -> Signin | None:
        """Uses a link once: a session `session` for its member, recorded in the audit log.
        None when the link is unknown, used already or expired."""
        stamp = to_sql_time(now)
        async with self._db.transaction() as conn:
            async with conn.execute(
                "UPDATE dashboard_signins SET used_at = ? WHERE token_hash = ? AND kind = 'link' "
                "AND used_at IS NULL AND expires_at > ? RETURNING user_id",
                (stamp, secret_hash(link), stamp),
            ) as cursor:
                row = await cursor.fetchone()
            if row is None:
                return None
            user_id = int(row[0])
            signin = await self._add(conn, SigninKind.SESSION, user_id, session, now, lasts)
            await record(conn, now, user_id, SIGNIN_ACTION, user_id, "tautan")
        return signin

    async def add_miniapp(
        self, user_id: int, secret: str, now: datetime, lasts: timedelta
    ) -> Signin:
        """Signs a Mini App in (its initData was verified), recorded in the audit log."""
        async with self._db.transaction() as conn:
            signin = await self._add(conn, SigninKind.MINIAPP, user_id, secret, now, lasts)
            await record(conn, now, user_id, SIGNIN_ACTION, user_id, "mini app")
        return signin

    @staticmethod
    async def _add(
        conn: aiosqlite.Connection,
        kind: SigninKind,
        user_id: int,
        secret: str,
        now: datetime,
        lasts: timedelta,
    ) -> Signin:
        created, expires = to_sql_time(now), to_sql_time(now + lasts)
        await conn.execute(
            "INSERT INTO dashboard_signins (token_hash, kind, user_id, created_at, expires_at) "
            "VALUES (?, ?, ?, ?, ?)",
            (secret_hash(secret), kind.value, user_id, created, expires),
        )
        return Signin(user_id, kind, from_sql_time(created), from_sql_time(expires))

    async def signin(self, secret: str, now: datetime) -> Signin | None:
        """The sign-in (session or Mini App) a secret stands for, unless it expired."""
        row = await self._db.fetchone(
            "SELECT * FROM dashboard_signins WHERE token_hash = ? AND kind != 'link' "
            "AND expires_at > ?",
            (secret_hash(secret), to_sql_time(now)),
        )
        return _signin(row) if row else None

    async def end(self, secret: str, now: datetime) -> None:
        """Ends one sign-in (signing out), recorded in the audit log."""
        async with self._db.transaction() as conn:
            async with conn.execute(
                "DELETE FROM dashboard_signins WHERE token_hash = ? AND kind != 'link' "
                "RETURNING user_id",
                (secret_hash(secret),),
            ) as cursor:
                row = await cursor.fetchone()
            if row is not None:
                await record(conn, now, int(row[0]), SIGNOUT_ACTION, int(row[0]))

    async def end_all(self, user_id: int) -> None:
        """Ends every sign-in and link of a person (who may no longer see the dashboard)."""
        async with self._db.transaction() as conn:
            await conn.execute("DELETE FROM dashboard_signins WHERE user_id = ?", (user_id,))

    async def change_mark(self, since: datetime) -> tuple[int, ...]:
        """A value that changes whenever anything the dashboard shows may have changed (arahan
        count from `since`)."""
        row = await self._db.fetchone(CHANGE_MARK, (to_sql_time(since),))
        return tuple(int(value) for value in row) if row else ()

    async def open_counts(self) -> dict[str, int]:
        """How many incidents are open in each kecamatan (from the partial index)."""
        rows = await self._db.fetchall(
            f"SELECT kecamatan, COUNT(*) AS n FROM incidents WHERE {OPEN} GROUP BY kecamatan"  # noqa: S608
        )
        return {row["kecamatan"]: int(row["n"]) for row in rows}

    async def latest_reports(self, limit: int) -> list[LatestReport]:
        """The newest reports, newest first, with their officers' names."""
        rows = await self._db.fetchall(
            "SELECT r.*, m.name AS officer_name FROM reports r "
            "LEFT JOIN members m ON m.user_id = r.officer_id ORDER BY r.id DESC LIMIT ?",
            (limit,),
        )
        return [LatestReport(report_from_row(row), row["officer_name"]) for row in rows]
