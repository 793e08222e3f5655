"""Logistics in storage: confirmations once, withdrawals as history, deadlines, kendala links
and claimed announcements."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.logistics import load_plan
from bot.regions import load_region
from domain.enums import Level, Role
from domain.logistics import ConfirmOutcome, NewConfirmation, StageState, TpsCount
from domain.members import RosterRow
from domain.reports import NewReport
from storage.audit import AuditRepo
from storage.db import Database
from storage.logistics import LogisticsRepo
from storage.members import MemberRepo
from storage.reports import ReportRepo

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)
REGION = load_region()
PLAN = load_plan(None, REGION, ZoneInfo("Asia/Makassar"))


def new(officer: int, message: int, stage: str = "gudang_ppk", **extra: object) -> NewConfirmation:
    return NewConfirmation(
        kecamatan="Telen",
        stage=stage,
        officer_id=officer,
        officer_name=f"Petugas {officer}",
        role=Role.CAMAT,
        at=NOW + timedelta(minutes=message),
        source=(officer, message),
        **extra,  # type: ignore[arg-type]
    )


async def test_a_confirmation_is_stored_once(db: Database) -> None:
    repo = LogisticsRepo(db)
    first, outcome = await repo.confirm(new(1, 10, count=TpsCount(12, 14), photo=("f", "u")))
    assert outcome is ConfirmOutcome.STORED
    assert (first.count, first.photo_file_id, first.standing) == (TpsCount(12, 14), "f", True)
    again, outcome = await repo.confirm(new(1, 10))
    assert (again, outcome) == (first, ConfirmOutcome.REPLAYED)
    same_officer, outcome = await repo.confirm(new(1, 11))
    assert (same_officer, outcome) == (first, ConfirmOutcome.ALREADY)
    other, outcome = await repo.confirm(new(2, 12))
    assert outcome is ConfirmOutcome.STORED
    assert other.id != first.id
    assert len(await repo.confirmations()) == 2
    assert [e.action for e in await AuditRepo(db).recent()] == ["logistics confirm"] * 2


async def test_withdrawn_confirmations_stay_as_history(db: Database) -> None:
    repo = LogisticsRepo(db)
    await repo.confirm(new(1, 10))
    await repo.confirm(new(2, 11))
    mine = await repo.withdraw("Telen", "gudang_ppk", 2, 2, "Agus", "salah tekan", NOW)
    assert [(c.officer_id, c.withdraw_reason) for c in mine] == [(2, "salah tekan")]
    assert await repo.withdraw("Telen", "gudang_ppk", 2, 2, "Agus", "lagi", NOW) == []
    _, outcome = await repo.confirm(new(2, 12))
    assert outcome is ConfirmOutcome.STORED, "withdrawn: the officer may confirm again"
    everyone = await repo.withdraw("Telen", "gudang_ppk", None, 1001, "Admin", "foto salah", NOW)
    assert sorted(c.officer_id for c in everyone) == [1, 2]
    history = await repo.confirmations("Telen")
    assert len(history) == 3
    assert all(not c.standing for c in history)
    board = await repo.board(PLAN, REGION, NOW)
    telen = board.chain("Telen")
    assert telen is not None
    assert telen.stages[0].state is StageState.WAITING
    actions = [e.action for e in await AuditRepo(db).recent()]
    assert actions.count("logistics withdraw") == 3


async def test_deadlines_are_planned_overridden_and_cleared(db: Database) -> None:
    repo = LogisticsRepo(db)
    due = NOW + timedelta(hours=8)
    await repo.set_deadline("distribusi", REGION.kecamatan, due, 1001, NOW, "semua")
    await repo.set_deadline("distribusi", ["Telen"], None, 1001, NOW, "Telen hapus")
    planned = await repo.planned()
    assert planned[("distribusi", "Busang")] == due
    assert planned[("distribusi", "Telen")] is None
    board = await repo.board(PLAN, REGION, NOW)
    states = {c.kecamatan: c.stages[1].state for c in board.chains}
    assert states["Busang"] is StageState.DUE
    assert states["Telen"] is StageState.WAITING
    assert [e.detail for e in await AuditRepo(db).recent()] == ["Telen hapus", "semua"]


async def test_a_kendala_counts_once_its_report_is_stored(db: Database) -> None:
    repo = LogisticsRepo(db)
    await MemberRepo(db).save(RosterRow(7, Role.CAMAT, "Telen", "Budi"), NOW, None)
    await repo.link_kendala((7, 50), "Telen", "distribusi", 7, NOW)
    await repo.link_kendala((7, 50), "Telen", "distribusi", 7, NOW)  # a replay
    await repo.link_kendala((7, 51), "Telen", "gudang_ppk", 7, NOW)  # its report never came
    assert await repo.kendala() == []
    report, _ = await ReportRepo(db).add(
        NewReport(
            7, "Telen", Role.CAMAT, Level.RAWAN, "truk tertahan", NOW, 7, 50, category="logistik"
        )
    )
    [kendala] = await repo.kendala()
    assert (kendala.report, kendala.stage, kendala.level, kendala.is_open) == (
        report.number,
        "distribusi",
        Level.RAWAN,
        True,
    )
    assert [e.action for e in await AuditRepo(db).recent()].count("logistics kendala") == 2


async def test_a_lateness_is_claimed_once(db: Database) -> None:
    repo = LogisticsRepo(db)
    due = NOW - timedelta(minutes=1)
    late = [("Telen", "gudang_ppk", due), ("Busang", "gudang_ppk", due)]
    number = await repo.claim_announcement(late, ["satu", "dua"], NOW)
    assert number is not None
    assert await repo.announced() == set(late)
    assert await repo.claim_announcement(late[:1], ["lagi"], NOW) is None
    [pending] = await repo.unsent()
    assert (pending.id, pending.parts, pending.parts_sent) == (number, ["satu", "dua"], 0)
    await repo.part_sent(number, 1)
    [pending] = await repo.unsent()
    assert pending.parts_sent == 1
    await repo.mark_sent(number, NOW)
    assert await repo.unsent() == []
    later = NOW + timedelta(hours=1)
    assert await repo.claim_announcement([("Telen", "gudang_ppk", later)], ["baru"], NOW) == 2


async def test_kendala_are_read_without_walking_every_report(db: Database) -> None:
    from storage.logistics import KENDALA
    from storage.queries import QueryRepo

    plan = await QueryRepo(db).explain(f"{KENDALA} ORDER BY r.created_at, r.id")
    assert plan[0].startswith("SCAN k"), plan
    assert not any(step.startswith("SCAN r") for step in plan), plan
