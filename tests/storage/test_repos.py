import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from bot.domain import Level, OfficerState, Role
from storage.db import Database
from storage.digests import DigestRepo
from storage.officers import OfficerRepo
from storage.reports import NewReport, ReportRepo

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)


def new_report(message_id: int, *, officer: int = 7, level: Level = Level.AMAN,
               at: datetime = NOW, kecamatan: str = "Bengalon",
               role: Role = Role.CAMAT) -> NewReport:  # fmt: skip
    return NewReport(
        officer_id=officer,
        kecamatan=kecamatan,
        role=role,
        level=level,
        text="" if level is Level.AMAN else "teks",
        created_at=at,
        source_chat_id=officer,
        source_message_id=message_id,
        update_id=message_id + 100,
    )


async def test_officer_upsert_adds_then_updates(db: Database) -> None:
    officers = OfficerRepo(db)
    added, was_added = await officers.upsert(7, Role.CAMAT, "Bengalon", "Budi", NOW)
    assert was_added
    assert added.state is OfficerState.ACTIVE
    later = NOW + timedelta(hours=1)
    updated, was_added = await officers.upsert(7, Role.KAPOLSEK, "Busang", "AKP Budi", later)
    assert not was_added
    assert (updated.role, updated.kecamatan, updated.name) == (Role.KAPOLSEK, "Busang", "AKP Budi")
    assert updated.created_at == NOW
    assert updated.updated_at == later
    assert await officers.get(8) is None
    assert [o.user_id for o in await officers.list_active()] == [7]


async def test_report_numbers_and_redelivery(db: Database) -> None:
    await OfficerRepo(db).upsert(7, Role.CAMAT, "Bengalon", "Budi", NOW)
    reports = ReportRepo(db)
    first, created = await reports.add(new_report(1))
    assert created
    assert first.number == 1
    assert first.is_nihil
    second, created = await reports.add(new_report(2, level=Level.RAWAN))
    assert (second.number, created, second.level, second.text) == (2, True, Level.RAWAN, "teks")
    again, created = await reports.add(new_report(1))
    assert not created
    assert again == first
    assert await reports.count() == 2
    assert await reports.get(2) == second


async def test_report_needs_a_known_officer(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await ReportRepo(db).add(new_report(1, officer=99))
    assert await ReportRepo(db).count() == 0


async def test_group_counts_cover_a_half_open_period(db: Database) -> None:
    officers = OfficerRepo(db)
    await officers.upsert(7, Role.CAMAT, "Bengalon", "Budi", NOW)
    await officers.upsert(8, Role.KAPOLSEK, "Bengalon", "Agus", NOW)
    reports = ReportRepo(db)
    await reports.add(new_report(1, at=NOW - timedelta(seconds=1)))  # before the period
    await reports.add(new_report(2, at=NOW))
    await reports.add(new_report(3, at=NOW + timedelta(minutes=5), level=Level.WASPADA))
    await reports.add(new_report(4, officer=8, role=Role.KAPOLSEK, level=Level.WASPADA,
                                 at=NOW + timedelta(minutes=6)))  # fmt: skip
    await reports.add(new_report(5, at=NOW + timedelta(hours=1)))  # at the end: excluded
    counts = await reports.group_counts(NOW, NOW + timedelta(hours=1))
    summary = sorted((c.role.value, c.level.name, c.count, c.last_number) for c in counts)
    assert summary == [
        ("camat", "AMAN", 1, 2),
        ("camat", "WASPADA", 1, 3),
        ("kapolsek", "WASPADA", 1, 4),
    ]


async def test_digest_slot_claimed_once(db: Database) -> None:
    slots = DigestRepo(db)
    assert await slots.claim("2024-11-27 07:00", -100, NOW)
    assert not await slots.claim("2024-11-27 07:00", -100, NOW)
    await slots.release("2024-11-27 07:00")
    assert await slots.get("2024-11-27 07:00") is None
    assert await slots.claim("2024-11-27 07:00", -100, NOW)
    await slots.mark_sent("2024-11-27 07:00", NOW + timedelta(seconds=3))
    await slots.release("2024-11-27 07:00")  # a sent slot is never released
    slot = await slots.get("2024-11-27 07:00")
    assert slot is not None
    assert (slot.state, slot.sent_at) == ("sent", NOW + timedelta(seconds=3))
    assert not await slots.claim("2024-11-27 07:00", -100, NOW)
