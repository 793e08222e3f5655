"""Arahan in storage: recipients recorded with the arahan, confirmations, claims, answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.regions import load_region
from domain.arahan import Audience, DeliveryState, RecipientStatus, Tally, Urgency
from domain.enums import Role
from domain.members import RosterRow
from storage.arahan import ArahanRepo, Attachment, NewArahan, NoRecipients
from storage.audit import AuditRepo
from storage.db import Database
from storage.drafts import Draft, DraftRepo
from storage.members import MemberRepo

NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)
REGION = load_region()
KOORDINATOR = 500


async def seed(db: Database) -> None:
    members = MemberRepo(db)
    rows = [
        RosterRow(1, Role.DANRAMIL, "Bengalon", "Ani"),
        RosterRow(2, Role.DANRAMIL, "Batu Ampar", "Budi"),
        RosterRow(3, Role.DANRAMIL, "Busang", "Cici"),
        RosterRow(4, Role.CAMAT, "Bengalon", "Dedi"),
        RosterRow(5, Role.DANRAMIL, "Telen", "Eko"),
        RosterRow(6, Role.DANRAMIL, "Kaubun", "Fajar"),  # deactivated below
        RosterRow(KOORDINATOR, Role.KOORDINATOR, None, "Kasat"),
    ]
    await members.import_roster(rows, NOW, None)
    await members.set_active(6, False, KOORDINATOR, NOW)


def new(audience: Audience, **changes: object) -> NewArahan:
    fields: dict[str, object] = {
        "sender_id": KOORDINATOR,
        "sender_name": "Kasat",
        "sender_role": Role.KOORDINATOR,
        "audience": audience,
        "text": "Siaga di gudang PPK malam ini",
        "urgency": Urgency.BIASA,
        "deadline_minutes": 30,
        "copy_group": False,
        **changes,
    }
    return NewArahan(**fields)  # type: ignore[arg-type]


THREE = Audience.of({Role.DANRAMIL}, {"Bengalon", "Batu Ampar", "Busang"}, REGION)


async def test_recipients_are_recorded_with_the_arahan_and_audited(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    assert await repo.count_audience(THREE) == 3
    assert await repo.count_audience(Audience()) == 5, "active field officers only"
    assert await repo.count_audience(Audience((Role.DANRAMIL,))) == 4
    arahan = await repo.create(new(THREE, attachment=Attachment("document", "f1", "se.pdf")), NOW)
    assert arahan is not None
    assert (arahan.number, arahan.recipients, arahan.sending) == (1, 3, True)
    assert arahan.deadline_at == NOW + timedelta(minutes=30)
    assert arahan.next_reminder_at == arahan.deadline_at
    assert arahan.attachment == Attachment("document", "f1", "se.pdf")
    assert arahan.audience == THREE
    people = await repo.recipients(1)
    assert sorted(p.user_id for p in people) == [1, 2, 3]
    assert {p.state for p in people} == {DeliveryState.PENDING}
    assert await repo.tally(1) == Tally(total=3, waiting=3)
    [entry] = await AuditRepo(db).recent(1)
    assert (entry.actor_id, entry.action, entry.target_id) == (KOORDINATOR, "arahan", 1)
    assert entry.detail == (
        "#1 to 3 (danramil Batu Ampar, Bengalon, Busang): Siaga di gudang PPK malam ini"
    )


async def test_a_sasaran_nobody_matches_creates_nothing(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    with pytest.raises(NoRecipients):
        await repo.create(new(Audience.of({Role.KAPOLSEK}, {"Telen"}, REGION)), NOW)
    assert await repo.recent() == []
    assert [e.action for e in await AuditRepo(db).recent()] == ["deactivate", "import"]


async def test_the_form_ends_with_the_arahan_so_a_second_press_sends_nothing(
    db: Database,
) -> None:
    await seed(db)
    repo, drafts = ArahanRepo(db), DraftRepo(db)
    await drafts.put(Draft(KOORDINATOR, "arahan", "preview", {}), NOW)
    assert await repo.create(new(THREE), NOW, draft=(KOORDINATOR, "arahan")) is not None
    assert await drafts.get(KOORDINATOR) is None
    assert await repo.create(new(THREE), NOW, draft=(KOORDINATOR, "arahan")) is None
    assert len(await repo.recent()) == 1


async def test_delivery_confirmation_and_lateness(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE), NOW)
    assert await repo.delivered(1, 1, 11, NOW)
    assert not await repo.delivered(1, 1, 12, NOW), "recorded once"
    await repo.delivered(1, 2, 21, NOW)
    await repo.unreachable(1, 3, "Forbidden: bot was blocked by the user", NOW)
    assert await repo.finish(1, NOW)
    assert (await repo.tally(1)) == Tally(total=3, unreachable=1)
    on_time, changed = await repo.confirm(1, 1, NOW + timedelta(minutes=30))
    assert changed
    assert on_time is not None
    assert (on_time.status, on_time.confirmed_at) == (
        RecipientStatus.DIPAHAMI,
        NOW + timedelta(minutes=30),
    )
    again, changed = await repo.confirm(1, 1, NOW + timedelta(minutes=40))
    assert not changed
    assert again is not None
    assert again.confirmed_at == NOW + timedelta(minutes=30), "the first press counts"
    late, changed = await repo.confirm(1, 2, NOW + timedelta(minutes=31))
    assert changed
    assert late is not None
    assert late.status is RecipientStatus.TERLAMBAT
    assert await repo.confirm(1, 3, NOW) == (await repo.recipient(1, 3), False), "no copy"
    assert await repo.confirm(1, 4, NOW) == (None, False), "not a recipient"
    assert await repo.tally(1) == Tally(total=3, unreachable=1, confirmed=2, late=1)
    [left] = await repo.unconfirmed(1)
    assert (left.name, left.status) == ("Cici", RecipientStatus.TIDAK_TERKIRIM)


async def test_a_pending_copy_cannot_be_confirmed_and_finish_waits_for_it(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE), NOW)
    assert await repo.confirm(1, 1, NOW) == (await repo.recipient(1, 1), False)
    await repo.delivered(1, 1, 11, NOW)
    assert await repo.attempt_failed(1, 2, "TimedOut") == 1
    assert not await repo.finish(1, NOW)
    assert await repo.sending() == [1]
    assert [p.user_id for p in await repo.pending(1)] == [2, 3]


async def test_reminder_rounds_and_each_reminder_are_claimed_once(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE, urgency=Urgency.SEGERA), NOW)
    for user_id in (1, 2, 3):
        await repo.delivered(1, user_id, 10 + user_id, NOW)
    await repo.confirm(1, 1, NOW)
    deadline = NOW + timedelta(minutes=30)
    assert await repo.due_reminders(deadline - timedelta(seconds=1)) == []
    [due] = await repo.due_reminders(deadline)
    assert due.reminders_done == 0
    nxt = deadline + timedelta(minutes=15)
    assert await repo.claim_reminder_round(1, 0, nxt)
    assert not await repo.claim_reminder_round(1, 0, nxt), "a round is claimed once"
    assert await repo.upcoming_reminders() == [(1, nxt)]
    assert [r.user_id for r in await repo.to_remind(1, 1)] == [2, 3]
    assert await repo.claim_reminder(1, 2, 1)
    assert not await repo.claim_reminder(1, 2, 1)
    assert [r.user_id for r in await repo.to_remind(1, 1)] == [3]
    assert [r.user_id for r in await repo.to_remind(1, 2)] == [2, 3]
    assert await repo.claim_final_list(1, NOW)
    assert not await repo.claim_final_list(1, NOW)


async def test_an_answer_is_stored_once_per_message(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE), NOW)
    answer, stored = await repo.add_answer(1, 2, "Siap, laksanakan", NOW, (2, 77))
    assert stored
    again, stored = await repo.add_answer(1, 2, "Siap, laksanakan", NOW, (2, 77))
    assert (again, stored) == (answer, False)
    await repo.answer_relayed(answer.id, group=False)
    relayed, _ = await repo.add_answer(1, 2, "x", NOW, (2, 77))
    assert (relayed.sender_relayed, relayed.group_relayed) == (True, False)
    assert await repo.answer_count(1) == 1


async def test_the_digest_lists_those_short_of_full_confirmation(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(Audience.of({Role.CAMAT}, {"Bengalon"}, REGION)), NOW)
    await repo.create(new(THREE), NOW + timedelta(minutes=1))
    await repo.delivered(1, 4, 40, NOW)
    await repo.confirm(1, 4, NOW)
    [short] = await repo.short_of_confirmation(NOW, NOW + timedelta(hours=1))
    assert (short.number, short.tally) == (2, Tally(total=3, waiting=3))
    assert (
        await repo.short_of_confirmation(NOW + timedelta(minutes=2), NOW + timedelta(hours=1))
        == []
    )
