"""Incidents of a period: what /kinerja, the export's sheets and the /grafik map read."""

from contextlib import closing
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

import storage.export
from domain.enums import Level, Role
from domain.incidents import EventKind, NewUpdate
from domain.members import RosterRow
from domain.reports import NewReport
from storage.db import Database, to_sql_time
from storage.export import incident_rows, incident_timelines, open_reader
from storage.incidents import IncidentRepo
from storage.members import MemberRepo
from storage.reports import ReportRepo

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)


async def _report(db: Database, level: Level, message: int, at: datetime) -> int:
    await MemberRepo(db).save(RosterRow(7, Role.CAMAT, "Telen", "Budi"), NOW, None)
    new = NewReport(7, "Telen", Role.CAMAT, level, "ada kejadian", at, 7, message)
    report, _ = await ReportRepo(db).add(new)
    return report.number


async def test_incident_rows_are_those_opened_in_the_half_open_period(
    db: Database, db_path: Path
) -> None:
    hour = timedelta(hours=1)
    for message, at in enumerate((NOW - hour, NOW, NOW + hour - timedelta(seconds=1),
                                  NOW + hour), 1):  # fmt: skip
        await _report(db, Level.WASPADA, message, at)
    await _report(db, Level.AMAN, 9, NOW)
    with closing(open_reader(db_path)) as conn:
        rows = list(incident_rows(conn, to_sql_time(NOW), to_sql_time(NOW + hour)))
    assert [row["number"] for row in rows] == [2, 3]


async def test_export_rows_count_the_updates(db: Database, db_path: Path) -> None:
    number = await _report(db, Level.RAWAN, 1, NOW)
    repo = IncidentRepo(db)
    for minutes in (5, 10):
        later = NOW + timedelta(minutes=minutes)
        await repo.add_update(NewUpdate(number, 7, "Budi", later, f"perkembangan {minutes}"))
    await repo.take_up(number, 9, "Kasat", NOW + timedelta(minutes=12))
    with closing(open_reader(db_path)) as conn:
        rows = list(incident_rows(conn, to_sql_time(NOW), to_sql_time(NOW + timedelta(1))))
    assert [(row["number"], row["updates"]) for row in rows] == [(1, 2)]


async def test_timelines_are_of_incidents_that_may_have_been_open(db_path: Path) -> None:
    old = await Database.open_at_version(db_path, 9)
    real_now = datetime.now(UTC)  # migration 0010 runs at the real time
    three_days_ago = real_now - timedelta(days=3)
    await MemberRepo(old).save(RosterRow(7, Role.KAPOLSEK, "Telen", "Agus"), NOW, None)
    async with old.transaction() as conn:
        for index, level in enumerate((Level.WASPADA, Level.RAWAN), 1):
            await conn.execute(
                "INSERT INTO reports (officer_id, kecamatan, role, level, text, created_at, "
                "source_chat_id, source_message_id) VALUES (7, 'Telen', 'kapolsek', ?, 'x', ?, "
                "7, ?)",
                (int(level), to_sql_time(three_days_ago), index),
            )
    await old.close()
    db = await Database.open(db_path)  # 1: closed by the upgrade; 2: an unacknowledged Rawan
    try:
        day = timedelta(days=1)
        closed_soon = await _report(db, Level.WASPADA, 3, real_now - 2 * day)
        repo = IncidentRepo(db)
        await repo.take_up(closed_soon, 9, "Kasat", real_now - 2 * day + timedelta(minutes=5))
        await repo.close(closed_soon, 9, "Kasat", real_now - 2 * day + timedelta(hours=1), "ok")
        with closing(open_reader(db_path)) as conn:
            recent = list(
                incident_timelines(conn, to_sql_time(real_now - day), to_sql_time(real_now))
            )
            back_then = list(
                incident_timelines(
                    conn, to_sql_time(three_days_ago), to_sql_time(three_days_ago + day)
                )
            )
            days_two = list(
                incident_timelines(
                    conn, to_sql_time(real_now - 2 * day), to_sql_time(real_now - day)
                )
            )
    finally:
        await db.close()
    numbers = {name: [t[0].incident for _, t in found] for name, found in
               (("recent", recent), ("back_then", back_then), ("days_two", days_two))}  # fmt: skip
    assert numbers == {"recent": [2], "back_then": [1, 2], "days_two": [2, 3]}
    assert {kecamatan for kecamatan, _ in back_then} == {"Telen"}
    by_number = {t[0].incident: t for _, t in days_two}
    assert [e.kind for e in by_number[3]] == [EventKind.REPORT, EventKind.CLOSE], "no take-up"
    upgrade_close = {t[0].incident: t for _, t in back_then}[1][-1]
    assert (upgrade_close.kind, upgrade_close.actor_id) == (EventKind.CLOSE, None)


async def test_timelines_stream_whole_incidents_across_batches(
    db: Database, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    repo = IncidentRepo(db)
    for message in (1, 2, 3):
        number = await _report(db, Level.WASPADA, message, NOW)
        for minutes in range(message):
            later = NOW + timedelta(minutes=minutes + 1)
            await repo.add_update(NewUpdate(number, 7, "Budi", later, "x", Level.RAWAN))
    monkeypatch.setattr(storage.export, "BATCH", 2)
    with closing(open_reader(db_path)) as conn:
        found = list(incident_timelines(conn, to_sql_time(NOW), to_sql_time(NOW + timedelta(1))))
    assert [[e.incident for e in timeline] for _, timeline in found] == [
        [1, 1], [2, 2, 2], [3, 3, 3, 3]
    ]  # fmt: skip
