"""Arahan in storage: recipients recorded with the arahan, confirmations, claims, answers."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot.regions import load_region
from domain.arahan import Audience, DeliveryState, RecipientStatus, Tally, Urgency
from domain.enums import Role
from domain.members import RosterRow
from storage.arahan import ArahanRepo, Attachment, NewArahan, NoRecipients
from storage.audit import AuditRepo
from storage.db import Database, to_sql_time
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
    assert await repo.confirm(1, 4, NOW) == (None, False), "not a recipient"
    assert await repo.tally(1) == Tally(total=3, unreachable=1, confirmed=2, late=1)
    [left] = await repo.unconfirmed(1)
    assert (left.name, left.status, left.active) == ("Cici", RecipientStatus.TIDAK_TERKIRIM, True)
    # A press on a copy recorded unreachable proves it arrived.
    arrived, changed = await repo.confirm(1, 3, NOW, message_id=31)
    assert changed
    assert arrived is not None
    assert (arrived.state, arrived.message_id) == (DeliveryState.DELIVERED, 31)
    assert arrived.error is None
    assert await repo.tally(1) == Tally(total=3, confirmed=3, late=1)
    assert await repo.unconfirmed(1) == []


async def test_the_tally_counts_its_changes_and_what_the_sender_was_shown(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE), NOW)

    async def counts() -> tuple[int, int]:
        arahan = await repo.get(1)
        assert arahan is not None
        return arahan.tally_changes, arahan.tally_shown

    await repo.set_tally_message(1, KOORDINATOR, 9, 0)
    assert await counts() == (0, 0)
    await repo.delivered(1, 1, 11, NOW)
    await repo.unreachable(1, 2, "Forbidden", NOW)
    await repo.attempt_failed(1, 3, "TimedOut")  # not shown in the tally
    await repo.claim_reminder_round(1, 0, 1, None)
    await repo.claim_reminder(1, 1, 1)  # nor this
    assert await counts() == (2, 0)
    assert await repo.stale_tallies(NOW) == [1]
    assert await repo.stale_tallies(NOW + timedelta(seconds=1)) == [], "older arahan left"
    await repo.tally_edited(1, 2)
    await repo.confirm(1, 1, NOW)
    assert await counts() == (3, 2)
    await repo.tally_edited(1, 1)  # a slower, older edit finishing late changes nothing
    assert await counts() == (3, 2)
    await repo.tally_edited(1, 3)
    assert await repo.stale_tallies(NOW) == []


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
    assert await repo.claim_reminder_round(1, 0, 1, nxt)
    assert not await repo.claim_reminder_round(1, 0, 1, nxt), "a round is claimed once"
    assert await repo.upcoming_reminders() == [(1, nxt)]
    assert [r.user_id for r in await repo.to_remind(1, 1)] == [2, 3]
    assert await repo.claim_reminder(1, 2, 1)
    assert not await repo.claim_reminder(1, 2, 1)
    assert [r.user_id for r in await repo.to_remind(1, 1)] == [3]
    assert [r.user_id for r in await repo.to_remind(1, 2)] == [2, 3]
    assert await repo.reminders_left(NOW) == [1], "3 not reminded in round 1 yet"
    # Missed rounds are skipped: round 3 straight after round 1, counted as one more sent.
    listed = deadline + timedelta(minutes=60)
    assert await repo.claim_reminder_round(1, 1, 3, listed)
    arahan = await repo.get(1)
    assert arahan is not None
    assert (arahan.reminders_done, arahan.reminders_sent) == (3, 2)
    assert [r.user_id for r in await repo.to_remind(1, 3)] == [2, 3]


async def test_deactivated_officers_are_not_reminded(db: Database) -> None:
    await seed(db)
    repo, members = ArahanRepo(db), MemberRepo(db)
    await repo.create(new(THREE), NOW)
    for user_id in (1, 2, 3):
        await repo.delivered(1, user_id, 10 + user_id, NOW)
    await members.set_active(2, False, KOORDINATOR, NOW)
    assert await repo.claim_reminder_round(1, 0, 1, None)
    assert [r.user_id for r in await repo.to_remind(1, 1)] == [1, 3]
    assert not await repo.claim_reminder(1, 2, 1)
    assert await repo.claim_reminder(1, 1, 1)
    assert await repo.reminders_left(NOW) == [1]
    assert await repo.claim_reminder(1, 3, 1)
    assert await repo.reminders_left(NOW) == [], "nobody active left to remind"
    people = {p.name: p.active for p in await repo.unconfirmed(1)}
    assert people == {"Ani": True, "Budi": False, "Cici": True}


async def test_the_final_list_is_recorded_per_chat_and_ended_once(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE), NOW)
    assert await repo.final_list_chats(1) == set()
    await repo.final_list_sent(1, KOORDINATOR, NOW)
    await repo.final_list_sent(1, 42, NOW, "Forbidden: bot was blocked by the user")
    await repo.final_list_sent(1, KOORDINATOR, NOW)  # a repeat after a crash
    assert await repo.final_list_chats(1) == {KOORDINATOR, 42}
    assert await repo.final_list_done(1, NOW)
    assert not await repo.final_list_done(1, NOW)
    arahan = await repo.get(1)
    assert arahan is not None
    assert (arahan.final_list_at, arahan.next_reminder_at) == (NOW, None)


async def test_an_answer_is_stored_once_per_message(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE), NOW)
    answer, stored = await repo.add_answer(1, 2, "Siap, laksanakan", NOW, (2, 77), 3)
    assert stored
    assert answer is not None
    again, stored = await repo.add_answer(1, 2, "Siap, laksanakan", NOW, (2, 77), 3)
    assert (again, stored) == (answer, False)
    await repo.answer_relayed(answer.id, group=False)
    relayed, _ = await repo.add_answer(1, 2, "x", NOW, (2, 77), 3)
    assert relayed is not None
    assert (relayed.sender_relayed, relayed.group_relayed) == (True, False)
    assert await repo.answer_count(1) == 1


async def test_answers_are_capped_per_recipient(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE), NOW)
    for message_id in (1, 2):
        kept, _ = await repo.add_answer(1, 2, "jawaban", NOW, (2, message_id), 2)
        assert kept is not None
    assert await repo.add_answer(1, 2, "ketiga", NOW, (2, 3), 2) == (None, False)
    other, _ = await repo.add_answer(1, 3, "lain", NOW, (3, 1), 2)
    assert other is not None, "the cap is per recipient"
    replayed, stored = await repo.add_answer(1, 2, "jawaban", NOW, (2, 1), 2)
    assert (replayed is not None, stored) == (True, False), "a replay is not refused"
    assert (await repo.answers_by(1, 2), await repo.answers_by(1, 3)) == (2, 1)


async def test_answers_not_relayed_are_listed_for_a_few_attempts(db: Database) -> None:
    await seed(db)
    repo = ArahanRepo(db)
    await repo.create(new(THREE), NOW)
    answer, _ = await repo.add_answer(1, 2, "jawaban", NOW, (2, 1), 3)
    assert answer is not None
    assert [a.id for a in await repo.unrelayed_answers(NOW, 2)] == [answer.id]
    assert await repo.unrelayed_answers(NOW + timedelta(seconds=1), 2) == [], "older arahan"
    await repo.relay_failed(answer.id)
    await repo.relay_failed(answer.id)
    assert await repo.unrelayed_answers(NOW, 2) == [], "given up"
    assert [a.id for a in await repo.unrelayed_answers(NOW, 3)] == [answer.id]
    await repo.answer_relayed(answer.id, group=False)
    assert await repo.unrelayed_answers(NOW, 3) == [], "not copied to the group: done"


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


async def test_migration_0017_plans_the_list_of_a_recent_arahan_whose_last_round_ran(
    db_path: Path,
) -> None:
    old = await Database.open_at_version(db_path, 16)
    await seed(old)
    now = datetime.now(UTC).replace(microsecond=0)
    rows = [  # (created, reminders done, final list at)
        (now - timedelta(hours=2), 1, None),  # the list never started: planned now
        (now - timedelta(days=2), 1, None),  # too old to be worth sending
        (now - timedelta(hours=2), 1, now),  # sent
        (now - timedelta(hours=2), 0, None),  # its round is still to come
    ]
    async with old.transaction() as conn:
        for created, done, listed in rows:
            await conn.execute(
                "INSERT INTO arahan (sender_id, sender_name, sender_role, audience, text, "
                "urgency, deadline_minutes, copy_group, created_at, deadline_at, state, "
                "reminders_done, final_list_at, next_reminder_at) "
                "VALUES (?, 'Kasat', 'koordinator', ?, 'x', 'biasa', 30, 0, ?, ?, 'sent', ?, ?, "
                "CASE WHEN ? = 0 THEN ? END)",
                (
                    KOORDINATOR,
                    THREE.to_json(),
                    to_sql_time(created),
                    to_sql_time(created + timedelta(minutes=30)),
                    done,
                    to_sql_time(listed) if listed else None,
                    done,
                    to_sql_time(created + timedelta(minutes=30)),
                ),
            )
    await old.close()

    db = await Database.open(db_path)
    try:
        repo = ArahanRepo(db)
        found = [await repo.get(n) for n in (1, 2, 3, 4)]
        assert all(a is not None for a in found)
        planned = [a.next_reminder_at if a else None for a in found]
        deadline = to_sql_time(now - timedelta(minutes=90))
        assert [to_sql_time(p) if p else None for p in planned] == [
            deadline, None, None, deadline,
        ]  # fmt: skip
        assert [a.reminders_sent if a else None for a in found] == [1, 1, 1, 0]
        assert [a.tally_changes if a else None for a in found] == [0, 0, 0, 0]
    finally:
        await db.close()
