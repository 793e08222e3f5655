"""Reports: situation reports filed by officers, numbered by their row id."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

import aiosqlite

from domain.enums import ESCALATES_FROM, Level, Role
from domain.incidents import opens_incident
from domain.reports import (
    Correction,
    GroupCount,
    Media,
    MediaKind,
    NewReport,
    OfficerLatest,
    Photo,
    Report,
)
from storage.batch import GroupCommit
from storage.db import Database, from_sql_time, from_sql_time_or_none, to_sql_time
from storage.incidents import open_for_reports, take_up_in


def report_from_row(row: sqlite3.Row) -> Report:
    """Builds a report from a row of `reports`."""
    return Report(
        number=row["id"],
        officer_id=row["officer_id"],
        kecamatan=row["kecamatan"],
        role=Role(row["role"]),
        level=Level(row["level"]),
        category=row["category"],
        text=row["text"],
        created_at=from_sql_time(row["created_at"]),
        source_chat_id=row["source_chat_id"],
        source_message_id=row["source_message_id"],
        update_id=row["update_id"],
        escalated_at=from_sql_time_or_none(row["escalated_at"]),
        latitude=row["latitude"],
        longitude=row["longitude"],
        escalation_chat_id=row["escalation_chat_id"],
        escalation_message_id=row["escalation_message_id"],
        acked_by=row["acked_by"],
        acked_by_name=row["acked_by_name"],
        acked_at=from_sql_time_or_none(row["acked_at"]),
        ack_seconds=row["ack_seconds"],
        repage_count=row["repage_count"],
        next_repage_at=from_sql_time_or_none(row["next_repage_at"]),
        incident=row["incident"],
        ack_told_at=from_sql_time_or_none(row["ack_told_at"]),
    )


_INSERT_REPORT = """
    INSERT INTO reports (officer_id, kecamatan, role, level, category, text, created_at,
                         update_id, source_chat_id, source_message_id, latitude, longitude)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (source_chat_id, source_message_id) DO NOTHING
"""
_INSERT_PHOTO = (
    "INSERT INTO report_photos (report_id, position, file_id, file_unique_id) VALUES (?, ?, ?, ?)"
)

_INSERT_MEDIA = (
    "INSERT INTO report_media (report_id, position, kind, file_id, file_unique_id, duration) "
    "VALUES (?, ?, ?, ?, ?, ?)"
)

AddOutcome = tuple[Report, bool]


def _report_params(new: NewReport) -> tuple[object, ...]:
    return (
        new.officer_id,
        new.kecamatan,
        new.role.value,
        int(new.level),
        new.category,
        new.text,
        to_sql_time(new.created_at),
        new.update_id,
        new.source_chat_id,
        new.source_message_id,
        new.latitude,
        new.longitude,
    )


async def _new_numbers(
    conn: aiosqlite.Connection, where: str, flat: tuple[object, ...], before: Iterable[Any]
) -> list[int]:
    """Numbers of the reports a batch insert just created (not those stored before)."""
    taken = {(row[0], row[1]) for row in before}
    rows = await conn.execute_fetchall(
        f"SELECT id, source_chat_id, source_message_id FROM reports WHERE {where}",  # noqa: S608
        flat,
    )
    return [row[0] for row in rows if (row[1], row[2]) not in taken]


def _photo_params(number: int, new: NewReport) -> list[tuple[object, ...]]:
    return [(number, i, p.file_id, p.file_unique_id) for i, p in enumerate(new.photos)]


def _media_params(number: int, new: NewReport) -> list[tuple[object, ...]]:
    return [
        (number, i, m.kind.value, m.file_id, m.file_unique_id, m.duration)
        for i, m in enumerate(new.media)
    ]


class ReportRepo:
    """Reads and writes `reports`, their photos and corrections."""

    def __init__(self, db: Database) -> None:
        self._db = db
        self._adds = GroupCommit[NewReport, AddOutcome](self._add_batch)

    async def add(self, new: NewReport) -> AddOutcome:
        """Stores and commits a report with its photos and recordings; returns (report, created).

        A report from a message that was already stored (a redelivered update, a second press of
        "Kirim") is not stored again: the existing report is returned with `created=False`.
        Reports filed at the same moment by other officers share the transaction and its fsync
        (group commit); each call still returns only once its report is committed.
        """
        return await self._adds.submit(new)

    async def _add_batch(self, news: Sequence[NewReport]) -> list[AddOutcome | BaseException]:
        if len(news) > 1:
            try:
                return list(await self._add_many(news))
            except sqlite3.Error:
                pass  # one bad report must not sink the others: store each on its own below
        outcomes: list[AddOutcome | BaseException] = []
        for new in news:
            try:
                outcomes.append(await self._add_one(new))
            except Exception as exc:  # that report's own failure, whatever it is
                outcomes.append(exc)
        return outcomes

    async def _add_one(self, new: NewReport) -> AddOutcome:
        async with self._db.transaction() as conn:
            rows = await conn.execute_fetchall(_INSERT_REPORT + "RETURNING *", _report_params(new))
            for row in rows:
                if new.photos:
                    await conn.executemany(_INSERT_PHOTO, _photo_params(row["id"], new))
                if new.media:
                    await conn.executemany(_INSERT_MEDIA, _media_params(row["id"], new))
                await open_for_reports(conn, [row["id"]])
                report = report_from_row(row)
                if opens_incident(report.level):
                    report = replace(report, incident=report.number)
                return report, True
            existing = await conn.execute_fetchall(
                "SELECT * FROM reports WHERE source_chat_id = ? AND source_message_id = ?",
                (new.source_chat_id, new.source_message_id),
            )
        for row in existing:
            return report_from_row(row), False
        raise RuntimeError("report conflict without an existing row")  # pragma: no cover

    async def _add_many(self, news: Sequence[NewReport]) -> list[AddOutcome]:
        """Stores several reports in one transaction, in a handful of statements."""
        keys = [(new.source_chat_id, new.source_message_id) for new in news]
        marks = ", ".join(["(?, ?)"] * len(keys))
        where = f"(source_chat_id, source_message_id) IN (VALUES {marks})"
        flat = tuple(value for key in keys for value in key)
        async with self._db.transaction() as conn:
            before = await conn.execute_fetchall(
                f"SELECT source_chat_id, source_message_id FROM reports WHERE {where}",  # noqa: S608
                flat,
            )
            await conn.executemany(_INSERT_REPORT, [_report_params(new) for new in news])
            await open_for_reports(conn, await _new_numbers(conn, where, flat, before))
            stored = await conn.execute_fetchall(f"SELECT * FROM reports WHERE {where}", flat)  # noqa: S608
            by_key = {(row["source_chat_id"], row["source_message_id"]): row for row in stored}
            taken = {(row[0], row[1]) for row in before}
            outcomes: list[AddOutcome] = []
            photos: list[tuple[object, ...]] = []
            media: list[tuple[object, ...]] = []
            for new, key in zip(news, keys, strict=True):
                row = by_key[key]
                created = key not in taken
                taken.add(key)
                if created:
                    photos += _photo_params(row["id"], new)
                    media += _media_params(row["id"], new)
                outcomes.append((report_from_row(row), created))
            if photos:
                await conn.executemany(_INSERT_PHOTO, photos)
            if media:
                await conn.executemany(_INSERT_MEDIA, media)
        return outcomes

    async def get(self, number: int) -> Report | None:
        """Returns report #number, if it exists."""
        row = await self._db.fetchone("SELECT * FROM reports WHERE id = ?", (number,))
        return report_from_row(row) if row else None

    async def by_source(self, chat_id: int, message_id: int) -> Report | None:
        """The report filed from this Telegram message (or button message), if any."""
        row = await self._db.fetchone(
            "SELECT * FROM reports WHERE source_chat_id = ? AND source_message_id = ?",
            (chat_id, message_id),
        )
        return report_from_row(row) if row else None

    async def photos(self, number: int) -> list[Photo]:
        """The photos of report #number, in the order they were sent."""
        rows = await self._db.fetchall(
            "SELECT file_id, file_unique_id FROM report_photos WHERE report_id = ? "
            "ORDER BY position",
            (number,),
        )
        return [Photo(row["file_id"], row["file_unique_id"]) for row in rows]

    async def media(self, number: int) -> list[Media]:
        """The voice notes and videos of report #number, in the order they were sent."""
        rows = await self._db.fetchall(
            "SELECT kind, file_id, file_unique_id, duration FROM report_media "
            "WHERE report_id = ? ORDER BY position",
            (number,),
        )
        return [
            Media(MediaKind(row["kind"]), row["file_id"], row["file_unique_id"], row["duration"])
            for row in rows
        ]

    async def count(self) -> int:
        """Returns the number of stored reports."""
        row = await self._db.fetchone("SELECT COUNT(*) FROM reports")
        return int(row[0]) if row else 0

    async def mark_escalated(
        self,
        number: int,
        now: datetime,
        chat_id: int,
        message_id: int,
        next_repage_at: datetime | None,
    ) -> None:
        """Records where report #number was posted and when to re-page if nobody takes it."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                UPDATE reports SET escalated_at = ?, escalation_chat_id = ?,
                    escalation_message_id = ?, next_repage_at = ?
                WHERE id = ? AND escalated_at IS NULL
                """,
                (
                    to_sql_time(now),
                    chat_id,
                    message_id,
                    to_sql_time(next_repage_at) if next_repage_at else None,
                    number,
                ),
            )

    async def claim_escalation(self, number: int, now: datetime) -> datetime | None:
        """Records that the alert of report #number is about to be posted; returns the time of
        an earlier claim whose alert was never recorded (it may have been posted before a
        crash), or None. Raises LookupError when the alert is recorded already."""
        async with self._db.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    "SELECT escalated_at, escalation_claimed_at FROM reports WHERE id = ?",
                    (number,),
                )
            )
            if not rows or rows[0][0] is not None:
                raise LookupError(number)
            await conn.execute(
                "UPDATE reports SET escalation_claimed_at = ? WHERE id = ?",
                (to_sql_time(now), number),
            )
        earlier = rows[0][1]
        return from_sql_time_or_none(earlier)

    async def acknowledge(
        self, number: int, user_id: int, name: str, now: datetime
    ) -> Report | None:
        """Records the first acknowledgement of report #number and, in the same transaction,
        the take-up of its incident (Baru -> Ditangani); None if it was taken already, is not
        posted yet, or its incident is resolved (a late press changes nothing then)."""
        when = to_sql_time(now)
        async with self._db.transaction() as conn:
            rows = list(
                await conn.execute_fetchall(
                    """
                    UPDATE reports SET acked_by = ?, acked_by_name = ?, acked_at = ?,
                        ack_seconds = max(0, CAST(round((julianday(?) - julianday(created_at))
                                                        * 86400) AS INTEGER)),
                        next_repage_at = NULL
                    WHERE id = ? AND acked_at IS NULL AND escalated_at IS NOT NULL
                        AND NOT EXISTS (SELECT 1 FROM incidents i
                                        WHERE i.number = reports.incident
                                            AND i.state = 'selesai')
                    RETURNING *
                    """,
                    (user_id, name, when, when, number),
                )
            )
            if not rows:
                return None
            report = report_from_row(rows[0])
            if report.incident is not None:
                await take_up_in(conn, report.incident, user_id, name, when)
        return report

    async def mark_ack_told(self, number: int, now: datetime) -> None:
        """Records that the reporting officer was told who acknowledged report #number."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE reports SET ack_told_at = ? WHERE id = ? AND ack_told_at IS NULL",
                (to_sql_time(now), number),
            )

    async def unescalated(self, since: datetime) -> list[Report]:
        """Rawan/Darurat reports created since `since` that were never posted to the group (and
        whose incident is neither resolved nor lowered below Rawan by an update)."""
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE level >= ? AND escalated_at IS NULL AND created_at >= ? "
            "AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.number = reports.incident "
            "AND (i.state = 'selesai' OR i.level < ?)) ORDER BY id",
            (int(ESCALATES_FROM), to_sql_time(since), int(ESCALATES_FROM)),
        )
        return [report_from_row(row) for row in rows]

    async def due_repages(self, now: datetime) -> list[Report]:
        """Unacknowledged escalations whose re-page time has come."""
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE next_repage_at IS NOT NULL AND next_repage_at <= ? "
            "AND acked_at IS NULL AND NOT EXISTS (SELECT 1 FROM incidents i "
            "WHERE i.number = reports.incident AND (i.state = 'selesai' OR i.level < ?)) "
            "ORDER BY next_repage_at",
            (to_sql_time(now), int(ESCALATES_FROM)),
        )
        return [report_from_row(row) for row in rows]

    async def claim_repage(self, number: int, seen_count: int, next_at: datetime | None) -> bool:
        """Counts one re-page of report #number (once, even if two jobs race)."""
        async with self._db.transaction() as conn:
            cursor = await conn.execute(
                """
                UPDATE reports SET repage_count = repage_count + 1, next_repage_at = ?
                WHERE id = ? AND repage_count = ? AND acked_at IS NULL
                    AND NOT EXISTS (SELECT 1 FROM incidents i WHERE i.number = reports.incident
                                    AND (i.state = 'selesai' OR i.level < ?))
                """,
                (
                    to_sql_time(next_at) if next_at else None,
                    number,
                    seen_count,
                    int(ESCALATES_FROM),
                ),
            )
            return cursor.rowcount == 1

    async def recent_by_officer(
        self, officer_id: int, limit: int = 10, up_to: int | None = None
    ) -> list[Report]:
        """The officer's newest reports first (numbered `up_to` or lower, when given: pages
        that stay put while new reports arrive)."""
        rows = await self._db.fetchall(
            "SELECT * FROM reports WHERE officer_id = ? AND id <= ? ORDER BY id DESC LIMIT ?",
            (officer_id, up_to if up_to is not None else 2**62, limit),
        )
        return [report_from_row(row) for row in rows]

    async def add_correction(
        self,
        number: int,
        officer_id: int,
        text: str,
        now: datetime,
        source: tuple[int, int] | None = None,
    ) -> tuple[int, bool]:
        """Appends a correction to report #number; returns (correction id, group notified).

        A `source` message (chat id, message id) already stored (an update handled again after
        a crash) is not stored twice: its correction is returned with whether its group notice
        went out.
        """
        async with self._db.transaction() as conn:
            rows = await conn.execute_fetchall(
                """
                INSERT INTO corrections (report_id, officer_id, text, created_at,
                                         source_chat_id, source_message_id)
                VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT (source_chat_id, source_message_id)
                    WHERE source_message_id IS NOT NULL DO NOTHING
                RETURNING id
                """,
                (
                    number,
                    officer_id,
                    text,
                    to_sql_time(now),
                    *(source or (None, None)),
                ),
            )
            for row in rows:
                return int(row[0]), False
            existing = await conn.execute_fetchall(
                "SELECT id, group_notified_at FROM corrections "
                "WHERE source_chat_id = ? AND source_message_id = ?",
                source or (None, None),
            )
        for row in existing:
            return int(row[0]), row[1] is not None
        raise RuntimeError("correction conflict without an existing row")  # pragma: no cover

    async def correction_notified(self, correction_id: int, now: datetime) -> None:
        """Records that the group was told about a correction."""
        async with self._db.transaction() as conn:
            await conn.execute(
                "UPDATE corrections SET group_notified_at = ? WHERE id = ?",
                (to_sql_time(now), correction_id),
            )

    async def corrections(self, numbers: Sequence[int]) -> dict[int, list[Correction]]:
        """The corrections of the given reports, oldest first, keyed by report number."""
        found: dict[int, list[Correction]] = {n: [] for n in numbers}
        if not numbers:
            return found
        marks = ",".join("?" * len(numbers))
        rows = await self._db.fetchall(
            f"SELECT * FROM corrections WHERE report_id IN ({marks}) ORDER BY id",  # noqa: S608
            tuple(numbers),
        )
        for row in rows:
            found[row["report_id"]].append(
                Correction(
                    row["report_id"],
                    row["officer_id"],
                    row["text"],
                    from_sql_time(row["created_at"]),
                )
            )
        return found

    async def officer_latest(self, start: datetime, end: datetime) -> list[OfficerLatest]:
        """Each officer's newest report created in [start, end)."""
        # SQLite takes the bare columns from the row holding MAX(id).
        rows = await self._db.fetchall(
            """
            SELECT officer_id, kecamatan, role, level, MAX(id) AS last_id
            FROM reports WHERE created_at >= ? AND created_at < ?
            GROUP BY officer_id
            """,
            (to_sql_time(start), to_sql_time(end)),
        )
        return [
            OfficerLatest(
                row["officer_id"],
                row["kecamatan"],
                Role(row["role"]),
                Level(row["level"]),
                row["last_id"],
            )
            for row in rows
        ]

    async def group_counts(self, start: datetime, end: datetime) -> list[GroupCount]:
        """Counts reports created in [start, end) per kecamatan, role and level."""
        rows = await self._db.fetchall(
            """
            SELECT kecamatan, role, level, COUNT(*) AS n, MAX(id) AS last_id
            FROM reports
            WHERE created_at >= ? AND created_at < ?
            GROUP BY kecamatan, role, level
            """,
            (to_sql_time(start), to_sql_time(end)),
        )
        return [
            GroupCount(
                kecamatan=row["kecamatan"],
                role=Role(row["role"]),
                level=Level(row["level"]),
                count=row["n"],
                last_number=row["last_id"],
            )
            for row in rows
        ]
