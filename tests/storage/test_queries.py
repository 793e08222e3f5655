"""The read queries must use indexes, not scan the whole reports table."""

from datetime import UTC, datetime, timedelta

import pytest

from domain.enums import Level, Role
from domain.members import RosterRow
from domain.reports import NewReport
from storage.db import Database, to_sql_time
from storage.members import MemberRepo
from storage.queries import QueryRepo, fts_query
from storage.reports import ReportRepo

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)
DAY = (to_sql_time(NOW - timedelta(hours=10)), to_sql_time(NOW + timedelta(hours=14)))


def uses_index(plan: list[str]) -> bool:
    scans = [step for step in plan if step.startswith("SCAN")]
    return not any(step.split()[1] in ("reports", "r") and "USING" not in step for step in scans)


@pytest.mark.parametrize(
    ("sql", "params"),
    [
        ("SELECT kecamatan, role, level, COUNT(*), MAX(id) FROM reports WHERE created_at >= ? "
         "AND created_at < ? GROUP BY kecamatan, role, level", DAY),
        ("SELECT officer_id, level, MAX(id) FROM reports WHERE created_at >= ? AND created_at < ? "
         "GROUP BY officer_id", DAY),
        ("SELECT * FROM reports WHERE id <= ? AND kecamatan = ? ORDER BY id DESC LIMIT 10",
         (10**6, "Bengalon")),
        ("SELECT * FROM reports WHERE id <= ? AND created_at >= ? AND created_at < ? "
         "ORDER BY id DESC LIMIT 10", (10**6, *DAY)),
        ("SELECT * FROM reports WHERE created_at >= ? AND created_at < ? AND level >= 1 "
         "ORDER BY level DESC, id DESC LIMIT 25", DAY),
        ("SELECT * FROM reports WHERE escalated_at IS NOT NULL AND acked_at IS NULL ORDER BY id",
         ()),
        ("SELECT * FROM reports WHERE next_repage_at IS NOT NULL AND next_repage_at <= ? "
         "AND acked_at IS NULL", (DAY[0],)),
        ("SELECT * FROM reports WHERE officer_id = ? ORDER BY id DESC LIMIT 10", (7,)),
        ("SELECT r.* FROM search_index JOIN reports r ON r.id = search_index.rowid "
         "WHERE search_index MATCH ? AND search_index.rowid <= ? "
         "ORDER BY search_index.rowid DESC LIMIT 10", ('"blokade"*', 10**6)),
    ],
)  # fmt: skip
async def test_queries_use_indexes(db: Database, sql: str, params: tuple[object, ...]) -> None:
    plan = await QueryRepo(db).explain(sql, params)
    assert uses_index(plan), plan


async def test_search_index_follows_reports_and_corrections(db: Database) -> None:
    await MemberRepo(db).save(RosterRow(7, Role.CAMAT, "Bengalon", "Budi"), NOW, None)
    reports = ReportRepo(db)
    report, _ = await reports.add(NewReport(7, "Bengalon", Role.CAMAT, Level.RAWAN,
                                            "Blokade jalan", NOW, 7, 1))  # fmt: skip
    await reports.add_correction(report.number, 7, "Penutupan jembatan", NOW)
    queries = QueryRepo(db)
    for words, expected in (("blokade", 1), ("JEMBATAN", 1), ("jem", 1), ("gempa", 0)):
        query = fts_query(words)
        assert query is not None
        _, total = await queries.search(query, 10, 0, 10)
        assert total == expected, words
    assert fts_query('*** "" ()') is None


async def test_the_index_check_catches_a_full_scan(db: Database) -> None:
    plan = await QueryRepo(db).explain("SELECT * FROM reports WHERE text = ?", ("x",))
    assert not uses_index(plan), plan
