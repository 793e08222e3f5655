"""Incidents in storage: migration 0010 of existing reports, and the state changes."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

from domain.enums import Level, Role
from domain.incidents import EventKind, IncidentState, NewUpdate
from domain.members import RosterRow
from domain.reports import NewReport
from storage.db import Database, load_migrations, to_sql_time
from storage.incidents import IncidentRepo, open_for_reports
from storage.members import MemberRepo
from storage.reports import ReportRepo

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)


async def test_migration_opens_recent_and_unacknowledged_and_closes_the_rest(
    db_path: Path,
) -> None:
    old = await Database.open_at_version(db_path, 9)
    real_now = datetime.now(UTC)  # the migration runs at the real time
    ago = {"old": to_sql_time(real_now - timedelta(days=3)),
           "recent": to_sql_time(real_now - timedelta(hours=2))}  # fmt: skip
    await MemberRepo(old).save(RosterRow(7, Role.KAPOLSEK, "Muara Wahau", "Agus"), NOW, None)
    rows = [  # (level, age, acknowledged)
        (Level.RAWAN, "old", False),  # 1: open, Baru
        (Level.RAWAN, "recent", True),  # 2: open, Ditangani
        (Level.WASPADA, "recent", False),  # 3: open, Baru
        (Level.WASPADA, "old", False),  # 4: resolved
        (Level.DARURAT, "old", True),  # 5: resolved
        (Level.AMAN, "recent", False),  # 6: no incident
    ]
    async with old.transaction() as conn:
        for index, (level, age, acked) in enumerate(rows, 1):
            await conn.execute(
                "INSERT INTO reports (officer_id, kecamatan, role, level, text, created_at, "
                "source_chat_id, source_message_id, acked_by, acked_by_name, acked_at) "
                "VALUES (7, 'Muara Wahau', 'kapolsek', ?, 'x', ?, 7, ?, ?, ?, ?)",
                (int(level), ago[age], index, *((9, "Kasat", ago[age]) if acked else (None,) * 3)),
            )
    await old.close()
    db = await Database.open(db_path)
    try:
        assert await db.schema_version() == len(load_migrations())
        repo = IncidentRepo(db)
        found = {n: await repo.get(n) for n in range(1, 7)}
        states = {n: i.state if i else None for n, i in found.items()}
        assert states == {
            1: IncidentState.BARU,
            2: IncidentState.DITANGANI,
            3: IncidentState.BARU,
            4: IncidentState.SELESAI,
            5: IncidentState.SELESAI,
            6: None,
        }
        second, fourth = found[2], found[4]
        assert second is not None
        assert (second.taken_by, second.taken_by_name) == (9, "Kasat")
        assert fourth is not None
        assert fourth.closing_note == "ditutup saat pembaruan sistem"
        links = await db.fetchall("SELECT id, incident FROM reports ORDER BY id")
        assert [tuple(r) for r in links] == [(1, 1), (2, 2), (3, 3), (4, 4), (5, 5), (6, None)]
        assert [e.kind for e in await repo.events(5)] == [
            EventKind.REPORT, EventKind.TAKE_UP, EventKind.CLOSE]  # fmt: skip
        assert await repo.worst_open() == {"Muara Wahau": Level.RAWAN}
        assert await db.fetchall("PRAGMA foreign_key_check") == []
    finally:
        await db.close()


async def _report(db: Database, level: Level, message: int, kecamatan: str = "Telen") -> int:
    await MemberRepo(db).save(RosterRow(7, Role.CAMAT, kecamatan, "Budi"), NOW, None)
    new = NewReport(7, kecamatan, Role.CAMAT, level, "ada kejadian", NOW, 7, message)
    report, _ = await ReportRepo(db).add(new)
    return report.number


async def test_a_waspada_report_opens_an_incident_and_aman_does_not(db: Database) -> None:
    waspada = await _report(db, Level.WASPADA, 1)
    aman = await _report(db, Level.AMAN, 2)
    reports = ReportRepo(db)
    first, second = await reports.get(waspada), await reports.get(aman)
    assert first is not None
    assert first.incident == waspada
    assert second is not None
    assert second.incident is None
    repo = IncidentRepo(db)
    incident = await repo.of_report(waspada)
    assert incident is not None
    assert (incident.number, incident.state, incident.level) == (
        waspada, IncidentState.BARU, Level.WASPADA)  # fmt: skip
    assert await repo.of_report(aman) is None


async def test_reports_filed_together_each_open_their_own_incident(db: Database) -> None:
    await MemberRepo(db).save(RosterRow(7, Role.CAMAT, "Telen", "Budi"), NOW, None)
    reports = ReportRepo(db)
    news = [NewReport(7, "Telen", Role.CAMAT, level, "t", NOW, 7, i)
            for i, level in enumerate((Level.RAWAN, Level.AMAN, Level.WASPADA), 1)]  # fmt: skip
    outcomes = await reports._add_many(news)
    assert [r.incident for r, _ in outcomes] == [1, None, 3]
    again = await reports._add_many(news)  # stored before: nothing opens twice
    assert [created for _, created in again] == [False, False, False]
    assert len(await db.fetchall("SELECT * FROM incidents")) == 2


async def test_states_and_timeline(db: Database) -> None:
    number = await _report(db, Level.WASPADA, 1)
    repo = IncidentRepo(db)
    later = NOW + timedelta(minutes=5)
    changed = await repo.add_update(NewUpdate(number, 9, "Kasat", later, "massa bertambah",
                                              Level.RAWAN))  # fmt: skip
    assert changed is not None
    before, after, stored = changed
    assert stored
    assert (before.level, after.level, after.last_update) == (
        Level.WASPADA, Level.RAWAN, "massa bertambah")  # fmt: skip
    taken = await repo.take_up(number, 9, "Kasat", later)
    assert taken is not None
    assert taken.state is IncidentState.DITANGANI
    assert await repo.take_up(number, 10, "Lain", later) is None, "taken up once"
    closing = await repo.close(number, 7, "Budi", later, "sudah aman", source=(7, 70))
    assert closing is not None
    closed, stored = closing
    assert stored
    assert (closed.state, closed.closing_note) == (IncidentState.SELESAI, "sudah aman")
    assert await repo.close(number, 7, "Budi", later, "lagi") is None
    assert await repo.add_update(NewUpdate(number, 7, "Budi", later, "x")) is None
    assert await repo.worst_open() == {}
    reopening = await repo.reopen(number, 9, "Kasat", later, source=(9, 90))
    assert reopening is not None
    reopened, stored = reopening
    assert stored
    assert reopened.state is IncidentState.DITANGANI
    assert reopened.closing_note is None
    assert await repo.worst_open() == {"Telen": Level.RAWAN}
    # The same messages again (handled again after a crash): stored once, nothing changes.
    assert await repo.close(number, 7, "Budi", later, "sudah aman", source=(7, 70)) == (
        reopened, False)  # fmt: skip
    assert await repo.reopen(number, 9, "Kasat", later, source=(9, 90)) == (reopened, False)
    kinds = [e.kind for e in await repo.events(number)]
    assert kinds == [EventKind.REPORT, EventKind.UPDATE, EventKind.TAKE_UP, EventKind.CLOSE,
                     EventKind.REOPEN]  # fmt: skip
    report = await ReportRepo(db).get(number)
    assert report is not None
    assert report.level is Level.WASPADA, "the report never changes"


async def test_open_page_is_worst_then_oldest(db: Database) -> None:
    for message, level in enumerate((Level.WASPADA, Level.DARURAT, Level.RAWAN, Level.DARURAT)):
        await _report(db, level, message + 1)
    repo = IncidentRepo(db)
    await repo.close(4, 7, "Budi", NOW, "selesai")
    page, total = await repo.open_page(None, 0, 2)
    assert ([i.number for i in page], total) == ([2, 3], 3)
    page, total = await repo.open_page("Bengalon", 0, 10)
    assert (page, total) == ([], 0)


async def test_the_worst_open_level_is_read_from_the_open_index(db: Database) -> None:
    from storage.incidents import WORST_OPEN
    from storage.queries import QueryRepo

    plan = await QueryRepo(db).explain(WORST_OPEN)
    assert any("incidents_open" in step for step in plan), plan


async def test_migration_0011_records_acknowledgements_as_take_ups(db_path: Path) -> None:
    old = await Database.open_at_version(db_path, 10)
    await MemberRepo(old).save(RosterRow(7, Role.KAPOLSEK, "Telen", "Agus"), NOW, None)
    at = to_sql_time(NOW)
    async with old.transaction() as conn:
        for message in (1, 2, 3):
            await conn.execute(
                "INSERT INTO reports (officer_id, kecamatan, role, level, text, created_at, "
                "source_chat_id, source_message_id, escalated_at) "
                "VALUES (7, 'Telen', 'kapolsek', 2, 'x', ?, 7, ?, ?)",
                (at, message, at),
            )
    async with old.transaction() as conn:
        await open_for_reports(conn, [1, 2, 3])
    later = to_sql_time(NOW + timedelta(minutes=5))
    # What the two separate writes of version 10 could leave: an acknowledgement without the
    # take-up, on a resolved incident (1) and on an open one (2); 3 was never acknowledged.
    async with old.transaction() as conn:
        await conn.execute(
            "UPDATE incidents SET state = 'selesai', closed_at = ?, closing_note = 'selesai' "
            "WHERE number = 1",
            (later,),
        )
        await conn.execute(
            "UPDATE reports SET acked_by = 9, acked_by_name = 'Kasat', acked_at = ? "
            "WHERE id IN (1, 2)",
            (later,),
        )
    await old.close()

    db = await Database.open(db_path)
    try:
        repo = IncidentRepo(db)
        first, second, third = [await repo.get(n) for n in (1, 2, 3)]
        assert first is not None
        assert second is not None
        assert third is not None
        assert (first.state, first.taken_by, first.taken_by_name) == (
            IncidentState.SELESAI, 9, "Kasat")  # fmt: skip
        assert (second.state, second.taken_by) == (IncidentState.DITANGANI, 9)
        assert (third.state, third.taken_by) == (IncidentState.BARU, None)
        assert [e.kind for e in await repo.events(1)].count(EventKind.TAKE_UP) == 1
        reopened = await repo.reopen(1, 9, "Kasat", NOW + timedelta(hours=1))
        assert reopened is not None
        assert reopened[0].state is IncidentState.DITANGANI, "acknowledged: not Baru again"
    finally:
        await db.close()


async def test_an_acknowledgement_takes_the_incident_up_in_the_same_transaction(
    db: Database,
) -> None:
    number = await _report(db, Level.RAWAN, 1)
    reports, repo = ReportRepo(db), IncidentRepo(db)
    await reports.mark_escalated(number, NOW, -100, 5, None)
    await repo.close(number, 7, "Budi", NOW, "salah kirim")
    assert await reports.acknowledge(number, 9, "Kasat", NOW) is None, "resolved: refused"
    report = await reports.get(number)
    assert report is not None
    assert report.acked_at is None
    await repo.reopen(number, 9, "Kasat", NOW)
    acked = await reports.acknowledge(number, 9, "Kasat", NOW)
    assert acked is not None
    incident = await repo.get(number)
    assert incident is not None
    assert (incident.state, incident.taken_by, incident.taken_at) == (
        IncidentState.DITANGANI, 9, NOW)  # fmt: skip


async def test_a_chase_is_claimed_once_per_period(db: Database) -> None:
    number = await _report(db, Level.WASPADA, 1)
    repo = IncidentRepo(db)
    assert await repo.stale(NOW - timedelta(seconds=1), 10) == []
    [stale] = await repo.stale(NOW, 10)
    later = NOW + timedelta(hours=6)
    claimed = await repo.claim_chase(stale, [7], later)
    assert claimed is not None
    assert [(c.incident, c.period, c.user_id, c.state) for c in claimed] == [
        (number, NOW, 7, "sending")]  # fmt: skip
    assert await repo.claim_chase(stale, [7], later) is None, "the same period: once"
    assert await repo.stale(later - timedelta(seconds=1), 10) == [], "the chase is activity"
    again = await repo.add_chase_recipients(number, NOW, [7, 8], later)
    assert [c.user_id for c in again] == [8], "7 was asked in that period already"
    [chased] = await repo.stale(later, 10)
    assert chased.last_activity == later
