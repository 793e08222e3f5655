"""Streaming reads for exports and charts, on a separate read-only connection.

Exports run in a worker thread (the event loop keeps serving officers); in WAL mode a reader
never blocks the writer, and rows are fetched in batches so memory stays flat.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

BATCH = 1000


def open_reader(path: Path) -> sqlite3.Connection:
    """A read-only connection to the database at `path`."""
    conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
    conn.row_factory = sqlite3.Row
    conn.execute("PRAGMA busy_timeout = 5000")
    return conn


def report_rows(conn: sqlite3.Connection, start: str, end: str) -> Iterator[sqlite3.Row]:
    """Reports created in [start, end) (UTC SQL times) with officer name, corrections, photos."""
    cursor = conn.execute(
        """
        SELECT r.*, m.name AS officer_name,
               (SELECT group_concat(c.text, ' | ') FROM corrections c
                WHERE c.report_id = r.id) AS corrections,
               (SELECT COUNT(*) FROM report_photos p WHERE p.report_id = r.id) AS photo_count
        FROM reports r LEFT JOIN members m ON m.user_id = r.officer_id
        WHERE r.created_at >= ? AND r.created_at < ?
        ORDER BY r.id
        """,
        (start, end),
    )
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def member_rows(conn: sqlite3.Connection, *, active_only: bool) -> Iterator[sqlite3.Row]:
    """Registry entries (every one, or only active members) with report count and last report."""
    where = "WHERE m.state = 'active'" if active_only else ""
    cursor = conn.execute(
        f"""
        SELECT m.*, COUNT(r.id) AS reports, MAX(r.created_at) AS last_report_at
        FROM members m LEFT JOIN reports r ON r.officer_id = m.user_id
        {where}
        GROUP BY m.user_id
        ORDER BY m.kecamatan IS NULL, m.kecamatan, m.role, m.name
        """  # noqa: S608 - a constant clause
    )
    while batch := cursor.fetchmany(BATCH):
        yield from batch


def daily_levels(
    conn: sqlite3.Connection, start: str, end: str, utc_offset_seconds: int
) -> list[tuple[str, str, int, int]]:
    """(local day, kecamatan, level, count) per day, kecamatan and level.

    Local days are computed with a fixed UTC offset, exact for zones without daylight saving
    (all of Indonesia's).
    """
    rows = conn.execute(
        """
        SELECT date(created_at, ? || ' seconds') AS day, kecamatan, level, COUNT(*) AS n
        FROM reports WHERE created_at >= ? AND created_at < ?
        GROUP BY day, kecamatan, level
        ORDER BY day, kecamatan, level
        """,
        (f"{utc_offset_seconds:+d}", start, end),
    ).fetchall()
    return [(row["day"], row["kecamatan"], row["level"], row["n"]) for row in rows]
