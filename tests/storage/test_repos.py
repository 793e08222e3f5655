import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from domain.enums import Level, MemberState, Role
from domain.members import RosterRow
from domain.reports import NewReport
from storage.audit import AuditRepo
from storage.db import Database
from storage.members import MemberRepo
from storage.reports import ReportRepo
from storage.slots import SlotRepo

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


async def enlist(db: Database, user_id: int, role: Role = Role.CAMAT) -> None:
    await MemberRepo(db).save(RosterRow(user_id, role, "Bengalon", "Budi"), NOW, None)


async def test_save_adds_then_updates_and_audits(db: Database) -> None:
    members = MemberRepo(db)
    added, was_added = await members.save(RosterRow(7, Role.CAMAT, "Bengalon", "Budi"), NOW, 1)
    assert was_added
    assert added.state is MemberState.ACTIVE
    later = NOW + timedelta(hours=1)
    updated, was_added = await members.save(
        RosterRow(7, Role.KAPOLSEK, "Busang", "AKP Budi", "0812"), later, 1
    )
    assert not was_added
    assert (updated.role, updated.kecamatan, updated.name, updated.phone) == (
        Role.KAPOLSEK, "Busang", "AKP Budi", "0812",
    )  # fmt: skip
    assert (updated.created_at, updated.updated_at) == (NOW, later)
    assert await members.get(8) is None
    assert [m.user_id for m in await members.active()] == [7]
    log = await AuditRepo(db).recent()
    assert [(e.action, e.actor_id, e.target_id) for e in log] == [("update", 1, 7), ("add", 1, 7)]


async def test_field_roles_need_a_kecamatan_and_others_none(db: Database) -> None:
    members = MemberRepo(db)
    with pytest.raises(sqlite3.IntegrityError):
        await members.save(RosterRow(7, Role.CAMAT, None, "Budi"), NOW, 1)
    with pytest.raises(sqlite3.IntegrityError):
        await members.save(RosterRow(7, Role.KOORDINATOR, "Bengalon", "Budi"), NOW, 1)
    coordinator, _ = await members.save(RosterRow(8, Role.KOORDINATOR, None, "Kasat"), NOW, 1)
    assert coordinator.kecamatan is None
    assert await AuditRepo(db).recent() != []


async def test_request_decide_and_activation(db: Database) -> None:
    members = MemberRepo(db)
    entry = RosterRow(7, Role.DANRAMIL, "Telen", "Kapten Joko", "0812")
    pending = await members.request(entry, NOW)
    assert pending is not None
    assert pending.state is MemberState.PENDING
    assert await members.request(entry, NOW) is None, "no duplicate request"
    rejected = await members.decide(7, False, 1, NOW)
    assert rejected is not None
    assert rejected.state is MemberState.REJECTED
    assert await members.decide(7, True, 2, NOW) is None, "the first decision wins"
    again = await members.request(entry, NOW)  # a rejected user may apply again
    assert again is not None
    approved = await members.decide(7, True, 2, NOW)
    assert approved is not None
    assert (approved.state, approved.decided_by) == (MemberState.ACTIVE, 2)
    assert await members.request(entry, NOW) is None, "an active member cannot re-apply"
    off = await members.set_active(7, False, 1, NOW)
    assert off is not None
    assert off.state is MemberState.INACTIVE
    assert await members.set_active(99, True, 1, NOW) is None
    actions = [e.action for e in await AuditRepo(db).recent()]
    assert actions == ["deactivate", "approve", "request", "reject", "request"]


async def test_import_is_all_or_nothing(db: Database) -> None:
    members = MemberRepo(db)
    await enlist(db, 7)
    rows = [RosterRow(7, Role.KAPOLSEK, "Busang", "A"), RosterRow(8, Role.CAMAT, "Telen", "B")]
    assert await members.import_roster(rows, NOW, 1) == (1, 1)
    broken = [RosterRow(9, Role.CAMAT, "Telen", "C"), RosterRow(10, Role.CAMAT, None, "D")]
    with pytest.raises(sqlite3.IntegrityError):
        await members.import_roster(broken, NOW, 1)
    assert await members.get(9) is None, "the valid row was rolled back too"


async def test_directory_shows_last_report(db: Database) -> None:
    await enlist(db, 7)
    await enlist(db, 8)
    await MemberRepo(db).save(RosterRow(9, Role.KOORDINATOR, None, "Zed"), NOW, None)
    await ReportRepo(db).add(new_report(1, officer=8))
    entries = await MemberRepo(db).directory()
    assert [(e.member.user_id, e.last_report_at) for e in entries] == [
        (7, None), (8, NOW), (9, None),
    ]  # fmt: skip
    assert [e.member.user_id for e in await MemberRepo(db).directory("Telen")] == []


async def test_report_numbers_and_redelivery(db: Database) -> None:
    await enlist(db, 7)
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


async def test_an_officers_recent_reports_up_to_a_number(db: Database) -> None:
    """/riwayat's pages: the officer's own reports, newest first, numbered up to the newest one
    the first page showed."""
    await enlist(db, 7)
    await enlist(db, 8)
    reports = ReportRepo(db)
    for message_id in range(1, 6):
        await reports.add(new_report(message_id, officer=7 if message_id != 3 else 8))
    newest = await reports.recent_by_officer(7, 10)
    assert [r.number for r in newest] == [5, 4, 2, 1]
    assert [r.number for r in await reports.recent_by_officer(7, 2)] == [5, 4]
    assert [r.number for r in await reports.recent_by_officer(7, 10, up_to=4)] == [4, 2, 1]
    assert await reports.recent_by_officer(8, 10, up_to=2) == []


async def test_report_needs_a_known_officer(db: Database) -> None:
    with pytest.raises(sqlite3.IntegrityError):
        await ReportRepo(db).add(new_report(1, officer=99))
    assert await ReportRepo(db).count() == 0


async def test_group_counts_cover_a_half_open_period(db: Database) -> None:
    await enlist(db, 7)
    await enlist(db, 8, Role.KAPOLSEK)
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


async def test_slot_claimed_once_with_progress(db: Database) -> None:
    slots = SlotRepo(db)
    key = "digest 2024-11-27 07:00"
    assert await slots.claim(key, "digest", -100, ["a", "b", "c"], NOW)
    assert not await slots.claim(key, "digest", -100, ["x"], NOW)
    await slots.part_sent(key, 2)
    await slots.part_sent(key, 1)  # never goes back
    record = await slots.get(key)
    assert record is not None
    assert (record.state, record.parts, record.parts_sent) == ("sending", ["a", "b", "c"], 2)
    assert [r.slot for r in await slots.unfinished("digest")] == [key]
    await slots.mark(key, "sent", NOW + timedelta(seconds=3))
    record = await slots.get(key)
    assert record is not None
    assert (record.state, record.sent_at) == ("sent", NOW + timedelta(seconds=3))
    assert await slots.unfinished("digest") == []
    await slots.mark("digest 2024-11-26 07:00", "skipped", NOW)
    skipped = await slots.get("digest 2024-11-26 07:00")
    assert skipped is not None
    assert (skipped.kind, skipped.state) == ("digest", "skipped")


async def test_reminded_officers_are_remembered(db: Database) -> None:
    slots = SlotRepo(db)
    await slots.add_reminded("reminder 2024-11-27 16:00", 7)
    await slots.add_reminded("reminder 2024-11-27 16:00", 7)
    assert await slots.reminded("reminder 2024-11-27 16:00") == {7}


async def test_member_lookups_are_cached_until_a_change(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = MemberRepo(db)
    await members.save(RosterRow(7, Role.CAMAT, "Bengalon", "Budi"), NOW, None)
    assert (await members.get(7)) is not None
    queries: list[str] = []
    fetchone = db.fetchone

    async def counting(sql: str, params: tuple[object, ...] = ()) -> object:
        queries.append(sql)
        return await fetchone(sql, params)

    monkeypatch.setattr(db, "fetchone", counting)
    assert (await members.get(7)) == (await members.get(7))
    assert (await members.get(8)) is None
    assert (await members.get(8)) is None
    assert len(queries) == 1, "7 was looked up before; 8 is looked up once, absent or not"
    await members.set_active(7, False, 1, NOW)
    member = await members.get(7)
    assert member is not None
    assert member.state is MemberState.INACTIVE


async def test_a_lookup_racing_a_change_is_not_cached(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    members = MemberRepo(db)
    await members.save(RosterRow(7, Role.CAMAT, "Bengalon", "Budi"), NOW, None)
    fetchone = db.fetchone

    async def racing(sql: str, params: tuple[object, ...] = ()) -> object:
        row = await fetchone(sql, params)  # the old state is read ...
        await members.set_active(7, False, 1, NOW)  # ... and changed before it returns
        return row

    monkeypatch.setattr(db, "fetchone", racing)
    raced = await members.get(7)
    assert raced is not None
    assert raced.state is MemberState.ACTIVE
    monkeypatch.undo()
    member = await members.get(7)
    assert member is not None
    assert member.state is MemberState.INACTIVE


async def test_a_dialog_does_not_replace_a_form_being_filled_in(db: Database) -> None:
    from storage.drafts import Draft, DraftRepo

    drafts = DraftRepo(db)
    now = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)
    form = Draft(7, "lapor", "photos", {"nonce": "ab12", "text": "truk dihadang"})
    await drafts.put(form, now)
    dialog = Draft(7, "perkembangan", "text", {"incident": 3})
    busy = await drafts.put_unless_busy(dialog, now, replaces={"perkembangan"})
    assert busy is not None
    assert (busy.flow, busy.data) == ("lapor", form.data)
    stored = await drafts.get(7)
    assert stored is not None
    assert stored.data == form.data, "kept"
    await drafts.put(Draft(7, "perkembangan", "text", {"incident": 2}), now)
    assert await drafts.put_unless_busy(dialog, now, replaces={"perkembangan"}) is None
    stored = await drafts.get(7)
    assert stored is not None
    assert stored.data == {"incident": 3}, "another incident's dialog is replaced"
    assert await drafts.put_unless_busy(Draft(8, "perkembangan", "text"), now, ()) is None


async def test_a_new_form_replaces_any_dialog_but_a_form_of_its_kind(db: Database) -> None:
    from storage.drafts import Draft, DraftRepo

    drafts = DraftRepo(db)
    now = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)
    await drafts.put(Draft(7, "perkembangan", "text", {"incident": 3}), now)
    form = Draft(7, "lapor", "level", {"nonce": "ab12", "text": ""})
    assert await drafts.put_unless_open(form, now, keeps={"lapor"}) is None
    newer = Draft(7, "lapor", "level", {"nonce": "cd34", "text": ""})
    kept = await drafts.put_unless_open(newer, now, keeps={"lapor"})
    assert kept is not None
    assert kept.data == form.data
    stored = await drafts.get(7)
    assert stored is not None
    assert stored.data == form.data, "the open form is kept"
