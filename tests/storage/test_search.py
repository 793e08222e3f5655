"""Full-text search has one row per report: its text and corrections (migration 0007)."""

from datetime import UTC, datetime
from pathlib import Path

from domain.enums import Level, Role
from domain.members import RosterRow
from domain.reports import NewReport
from storage.db import Database
from storage.members import MemberRepo
from storage.queries import MARK_END, MARK_START, QueryRepo, fts_query
from storage.reports import ReportRepo

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)


async def file_reports(db: Database, texts: list[str], first_message: int = 1) -> list[int]:
    await MemberRepo(db).save(RosterRow(7, Role.CAMAT, "Bengalon", "Budi"), NOW, None)
    numbers = []
    for index, text in enumerate(texts):
        level = Level.WASPADA if text else Level.AMAN
        new = NewReport(7, "Bengalon", Role.CAMAT, level, text, NOW, 7, first_message + index)
        report, _ = await ReportRepo(db).add(new)
        numbers.append(report.number)
    return numbers


async def file_old_reports(db: Database, texts: list[str]) -> list[int]:
    """Reports written by an older schema (today's ReportRepo also opens incidents)."""
    await MemberRepo(db).save(RosterRow(7, Role.CAMAT, "Bengalon", "Budi"), NOW, None)
    async with db.transaction() as conn:
        for index, text in enumerate(texts, 1):
            await conn.execute(
                "INSERT INTO reports (officer_id, kecamatan, role, level, text, created_at, "
                "source_chat_id, source_message_id) VALUES (7, 'Bengalon', 'camat', ?, ?, "
                "'2024-11-27 02:00:00', 7, ?)",
                (1 if text else 0, text, index),
            )
    rows = await db.fetchall("SELECT id FROM reports ORDER BY id")
    return [row[0] for row in rows]


async def found(db: Database, words: str, max_report: int = 10**6) -> tuple[list[int], int]:
    query = fts_query(words)
    assert query is not None
    hits, total = await QueryRepo(db).search(query, max_report, 0, 10)
    return [hit.report.number for hit in hits], total


async def test_a_report_is_one_hit_however_many_texts_match(db: Database) -> None:
    first, _, third = await file_reports(db, ["Blokade jalan", "", "Isu hoaks"])
    reports = ReportRepo(db)
    await reports.add_correction(first, 7, "blokade sudah dibuka", NOW)
    await reports.add_correction(first, 7, "blokade dibuka penuh", NOW)
    assert await found(db, "blokade") == ([first], 1)
    assert await found(db, "dibuka penuh") == ([first], 1)
    assert await found(db, "jalan dibuka") == ([first], 1)  # text and correction together
    assert await found(db, "hoaks") == ([third], 1)


async def test_a_correction_of_a_nihil_report_is_searchable(db: Database) -> None:
    _, nihil = await file_reports(db, ["Kampanye damai", ""])
    await ReportRepo(db).add_correction(nihil, 7, "ternyata ada kerumunan", NOW)
    assert await found(db, "kerumunan") == ([nihil], 1)


async def test_newest_first_up_to_the_frozen_number(db: Database) -> None:
    numbers = await file_reports(db, ["banjir desa", "banjir jalan", "banjir pasar"])
    await ReportRepo(db).add_correction(numbers[0], 7, "banjir surut", NOW)
    assert await found(db, "banjir") == (numbers[::-1], 3)
    assert await found(db, "banjir", max_report=numbers[1]) == (numbers[1::-1], 2)


async def test_the_snippet_marks_the_match(db: Database) -> None:
    number, *_ = await file_reports(db, ["Pemilih antre panjang di TPS 3"])
    query = fts_query("antre")
    assert query is not None
    hits, _ = await QueryRepo(db).search(query, number, 0, 10)
    assert f"{MARK_START}antre{MARK_END}" in hits[0].snippet


async def test_upgrade_keeps_texts_and_corrections_searchable(db_path: Path) -> None:
    old = await Database.open_at_version(db_path, 6)
    first, nihil = await file_old_reports(old, ["Blokade jalan", ""])
    async with old.transaction() as conn:  # the schema of version 6 had no source columns
        await conn.executemany(
            "INSERT INTO corrections (report_id, officer_id, text, created_at) "
            "VALUES (?, 7, ?, '2024-11-27 02:00:00')",
            [(first, "blokade dibuka"), (nihil, "ada kerumunan")],
        )
    await old.close()
    db = await Database.open(db_path)
    try:
        assert await found(db, "blokade") == ([first], 1)
        assert await found(db, "dibuka") == ([first], 1)
        assert await found(db, "kerumunan") == ([nihil], 1)
        later, *_ = await file_reports(db, ["blokade baru"], first_message=3)
        assert await found(db, "blokade") == ([later, first], 2)
    finally:
        await db.close()
