"""Read-side queries for admins and koordinator: listings, search, status, saved views."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.enums import FIELD_ROLES, Role
from domain.reports import Report
from storage.db import Database, to_sql_time
from storage.reports import report_from_row

# Highlight markers FTS5 puts around matches; control characters never typed by users, so the
# caller can escape the text and then turn them into tags.
MARK_START, MARK_END = "\x02", "\x03"
_WORD = re.compile(r"\w+", re.UNICODE)


def fts_query(text: str) -> str | None:
    """A safe FTS5 query for what a user typed: every word, as a literal prefix, all required.

    Quotes, asterisks, NEAR, AND/OR/NOT, parentheses and column filters typed by users are just
    words or punctuation here, never FTS syntax. Returns None when no word is left.
    """
    words = _WORD.findall(text)
    if not words:
        return None
    return " ".join(f'"{word}"*' for word in words[:20])


@dataclass(frozen=True)
class SearchHit:
    """A report matching a search, with a highlighted snippet (markers, not yet escaped)."""

    report: Report
    snippet: str


@dataclass(frozen=True)
class FieldOfficer:
    """An active field officer, as the digest and /belum list them."""

    user_id: int
    name: str
    role: Role
    kecamatan: str


@dataclass(frozen=True)
class View:
    """A saved paginated query."""

    id: int
    kind: str
    params: dict[str, Any]
    max_report: int


class QueryRepo:
    """Read-only queries over reports (plus the `views` bookkeeping)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def latest_number(self) -> int:
        """The newest report number (0 when there are none)."""
        row = await self._db.fetchone("SELECT COALESCE(MAX(id), 0) FROM reports")
        return int(row[0]) if row else 0

    async def field_officers(self) -> list[FieldOfficer]:
        """Active Camat, Kapolsek and Danramil, ordered by kecamatan, role and name.

        Only the four columns the digest needs: at thousands of officers, building full
        `Member` rows (with their timestamps) took most of a digest's time.
        """
        marks = ", ".join("?" * len(FIELD_ROLES))
        rows = await self._db.fetchall(
            "SELECT user_id, name, role, kecamatan FROM members "  # noqa: S608 - placeholders
            f"WHERE state = 'active' AND role IN ({marks}) ORDER BY kecamatan, role, name",
            tuple(role.value for role in FIELD_ROLES),
        )
        return [
            FieldOfficer(row["user_id"], row["name"], Role(row["role"]), row["kecamatan"])
            for row in rows
        ]

    async def save_view(
        self, kind: str, params: dict[str, Any], max_report: int, now: datetime
    ) -> View:
        """Stores a paginated query and returns it with its id."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "INSERT INTO views (kind, params, max_report, created_at) VALUES (?, ?, ?, ?)",
                (kind, json.dumps(params), max_report, to_sql_time(now)),
            )
            view_id = cursor.lastrowid
        return View(int(view_id or 0), kind, params, max_report)

    async def prune_views(self, before: datetime) -> int:
        """Forgets paginated queries saved before `before`; returns how many."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                "DELETE FROM views WHERE created_at < ?", (to_sql_time(before),)
            )
            return cursor.rowcount

    async def view(self, view_id: int) -> View | None:
        """A saved query, if it exists."""
        row = await self._db.fetchone("SELECT * FROM views WHERE id = ?", (view_id,))
        if row is None:
            return None
        return View(row["id"], row["kind"], json.loads(row["params"]), row["max_report"])

    async def listing(
        self,
        max_report: int,
        kecamatan: str | None,
        start: datetime | None,
        end: datetime | None,
        offset: int,
        limit: int,
    ) -> tuple[list[Report], int]:
        """Reports up to #max_report, optionally of one kecamatan and period, newest first."""
        where = ["id <= ?"]
        params: list[Any] = [max_report]
        if kecamatan is not None:
            where.append("kecamatan = ?")
            params.append(kecamatan)
        if start is not None and end is not None:
            where += ["created_at >= ?", "created_at < ?"]
            params += [to_sql_time(start), to_sql_time(end)]
        clause = " AND ".join(where)
        rows = await self._db.fetchall(
            f"SELECT * FROM reports WHERE {clause} ORDER BY id DESC LIMIT ? OFFSET ?",  # noqa: S608
            (*params, limit, offset),
        )
        total = await self._db.fetchone(
            f"SELECT COUNT(*) FROM reports WHERE {clause}",  # noqa: S608
            tuple(params),
        )
        return [report_from_row(row) for row in rows], int(total[0]) if total else 0

    async def search(
        self, query: str, max_report: int, offset: int, limit: int
    ) -> tuple[list[SearchHit], int]:
        """Reports up to #max_report whose text or corrections match an `fts_query`, newest first.

        The index has one row per report (rowid = report number), so the page is read in rowid
        order straight from the index and the count never touches the reports.
        """
        rows = await self._db.fetchall(
            f"""
            SELECT r.*, snippet(search_index, 0, '{MARK_START}', '{MARK_END}', '…', 16) AS snip
            FROM search_index JOIN reports r ON r.id = search_index.rowid
            WHERE search_index MATCH ? AND search_index.rowid <= ?
            ORDER BY search_index.rowid DESC LIMIT ? OFFSET ?
            """,  # noqa: S608 - the markers are constants
            (query, max_report, limit, offset),
        )
        total = await self._db.fetchone(
            "SELECT COUNT(*) FROM search_index WHERE search_index MATCH ? AND rowid <= ?",
            (query, max_report),
        )
        hits = [SearchHit(report_from_row(row), row["snip"] or "") for row in rows]
        return hits, int(total[0]) if total else 0

    async def explain(self, sql: str, params: tuple[Any, ...] = ()) -> list[str]:
        """EXPLAIN QUERY PLAN details (for tests that guard index use)."""
        rows = await self._db.fetchall(f"EXPLAIN QUERY PLAN {sql}", params)
        return [str(row["detail"]) for row in rows]
