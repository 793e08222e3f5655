"""Reminders: Segera every 15 minutes, 3 times, then (15 minutes later) the list; rounds and the
list survive a restart and failures; rounds missed while down do not come in a burst; officers
deactivated since are not reminded."""

from __future__ import annotations

from datetime import timedelta

from bot import texts
from emulator import FakeTelegram, FakeUser, SentMessage
from tests.conftest import Enlist
from tests.handlers.arahan.test_delivery import send_arahan
from tests.handlers.arahan.test_presses import toast
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko


def reminders(user: FakeUser) -> list[str]:
    return [m.text for m in reminders_messages(user)]


def reminders_messages(user: FakeUser) -> list[SentMessage]:
    return [m for m in user.messages if m.text.startswith("⏰ Pengingat Arahan")]


def final_lists(user: FakeUser) -> list[str]:
    return [t for t in user.texts() if t.startswith("⚠️ Arahan #1 — sudah diingatkan")]


async def run_due(posko: Posko) -> None:
    await posko.run_job("arahan 1")
    await posko.settle()


async def test_segera_reminds_every_15_minutes_three_times_then_lists(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    kasat = await add_coordinator(posko, fake)
    slow = await enlist(2001, "camat", "Telen", "Lambat")
    quick = await enlist(2002, "camat", "Busang", "Cepat")
    await kasat.send("/arahan camat | Kirim data DPT hari ini")
    preview = kasat.last_message()
    await kasat.press("Urgensi: Biasa", preview)
    await kasat.press("⏱ Batas: 1 jam", preview)  # 2 jam
    await kasat.press("⏱ Batas: 2 jam", preview)  # back to 15 menit
    await kasat.press("✅ Kirim", preview)
    assert posko.services.now().strftime("%H.%M") == "10.00"

    clock.advance(minutes=15)  # 10.15: the deadline
    await run_due(posko)
    assert reminders(slow) == [
        "⏰ Pengingat Arahan #1 (1/3)\nBapak/Ibu belum menekan ✅ Dipahami untuk arahan dari "
        "Kasat Intelkam (batas 10.15 WITA). Mohon dibaca, lalu tekan ✅ Dipahami."
    ]
    assert len(reminders(quick)) == 1
    await quick.press("✅ Dipahami", quick.messages[0])
    clock.advance(minutes=14)  # 10.29: not yet
    await run_due(posko)
    assert len(reminders(slow)) == 1
    clock.advance(minutes=1)  # 10.30
    await run_due(posko)
    assert [len(reminders(slow)), len(reminders(quick))] == [2, 1], "the confirmed are spared"
    assert reminders(slow)[1].startswith("⏰ Pengingat Arahan #1 (2/3)")
    before = len(kasat.messages)
    await posko.restart()  # the next round's job is planned again from the database
    await posko.run_job("arahan catch up")
    clock.advance(minutes=15)  # 10.45
    await run_due(posko)
    assert reminders(slow)[2].startswith("⏰ Pengingat Arahan #1 (3/3)")
    assert kasat.texts()[before:] == [], "the list waits 15 minutes after the last reminder"
    clock.advance(minutes=14)  # 10.59
    await run_due(posko)
    assert kasat.texts()[before:] == []
    clock.advance(minutes=1)  # 11.00
    await run_due(posko)
    [listing] = kasat.texts()[before:]
    assert listing.startswith(
        "⚠️ Arahan #1 — sudah diingatkan 3 kali, 1 petugas belum menekan Dipahami\n"
    )
    assert "Telen\nCamat: Lambat" in listing
    assert admin.texts()[-1] == listing
    clock.advance(hours=1)
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert len(reminders(slow)) == 3, "three times, no more"
    queue = posko.app.job_queue
    assert queue is not None
    assert queue.get_jobs_by_name("arahan 1") == ()


async def test_nobody_is_reminded_when_everyone_confirmed(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    await officer.press("✅ Dipahami", officer.messages[0])
    clock.advance(hours=1)
    await run_due(posko)
    assert reminders(officer) == []
    assert admin.messages == [], "no list: nobody left"
    arahan = await posko.services.arahan.get(1)
    assert arahan is not None
    assert (arahan.reminders_done, arahan.next_reminder_at) == (1, None)


async def test_a_round_due_while_the_bot_was_down_runs_at_start_up(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    await posko.stop()
    clock.advance(hours=2)
    await posko.start()
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert len(reminders(officer)) == 1
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert len(reminders(officer)) == 1


async def test_an_interrupted_reminder_round_is_finished_by_the_catch_up(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    kasat = await add_coordinator(posko, fake)
    officers = [await enlist(2001 + i, "camat", kec, f"C{i}")
                for i, kec in enumerate(("Telen", "Busang", "Kaubun"))]  # fmt: skip
    await send_arahan(kasat, "camat | Siaga")
    clock.advance(hours=1)
    repo = posko.services.arahan
    # As if the bot died after claiming the round and reminding one officer.
    assert await repo.claim_reminder_round(1, 0, 1, clock() + timedelta(minutes=15))
    assert await repo.claim_reminder(1, officers[0].id, 1)
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert [len(reminders(o)) for o in officers] == [0, 1, 1], "claimed means never repeated"
    clock.advance(minutes=15)
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert kasat.texts()[-1].startswith("⚠️ Arahan #1 — sudah diingatkan sekali, 3 petugas")


async def test_the_list_after_the_last_reminder_is_sent_once_across_restarts(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    clock.advance(hours=1)  # 11.00: the deadline, the only reminder of a Biasa arahan
    await run_due(posko)
    assert len(reminders(officer)) == 1
    await posko.restart()  # the list's job is planned again from the database
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert final_lists(kasat) == []
    clock.advance(minutes=15)  # 11.15
    await run_due(posko)
    assert (len(final_lists(kasat)), len(final_lists(admin))) == (1, 1)
    for _ in range(2):
        await posko.restart()
        await posko.run_job("arahan catch up")
        await posko.settle()
        clock.advance(minutes=1)
    assert (len(final_lists(kasat)), len(final_lists(admin))) == (1, 1), "exactly once"
    arahan = await posko.services.arahan.get(1)
    assert arahan is not None
    assert (arahan.next_reminder_at, arahan.final_list_at is not None) == (None, True)


async def test_the_final_list_is_not_lost_when_its_send_fails(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    """The list used to be claimed before it was sent, and a failed send lost it for good: it
    is recorded per chat once Telegram took it, and the catch-up sends what is missing."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    posko.without_retries()
    clock.advance(hours=1)
    await run_due(posko)
    assert len(reminders(officer)) == 1
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=kasat.id)
    clock.advance(minutes=15)
    await run_due(posko)
    assert (len(final_lists(kasat)), len(final_lists(admin))) == (0, 1)
    for _ in range(3):  # three catch-ups later
        clock.advance(minutes=1)
        await posko.run_job("arahan catch up")
        await posko.settle()
    assert (len(final_lists(kasat)), len(final_lists(admin))) == (1, 1), "each once"


async def test_nobody_is_listed_when_all_confirm_after_the_last_reminder(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    clock.advance(hours=1)
    await run_due(posko)
    await officer.press("✅ Dipahami", reminders_messages(officer)[0])
    clock.advance(minutes=15)
    await run_due(posko)
    assert (final_lists(kasat), admin.messages) == ([], [])


async def test_deactivated_officers_are_not_reminded_and_are_marked_in_the_list(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    """A deactivated officer cannot press ✅ Dipahami (the gate refuses): no reminder asks them
    to, and the list says why they have not confirmed."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    active = await enlist(2002, "camat", "Busang", "Eko")
    await send_arahan(kasat, "camat | Siaga")
    await posko.services.members.set_active(officer.id, False, admin.id, posko.clock())
    clock.advance(hours=1)
    await run_due(posko)
    assert (reminders(officer), len(reminders(active))) == ([], 1)
    update = await officer.press("✅ Dipahami", officer.messages[0])
    assert toast(fake, update) == texts.CALLBACK_REFUSED
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert reminders(officer) == []
    clock.advance(minutes=15)
    await run_due(posko)
    [listing] = final_lists(kasat)
    assert "Camat: Dedi (nonaktif, tidak diingatkan)" in listing
    assert "Busang\nCamat: Eko" in listing


async def test_rounds_missed_during_downtime_do_not_come_in_a_burst(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    """Segera is 'every 15 minutes, 3 times'. After 2 hours down, the three missed rounds used
    to run one catch-up (1 minute) apart; only the latest is run, and the list follows it."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await kasat.send("/arahan camat telen | Kirim data DPT")
    preview = kasat.last_message()
    await kasat.press("Urgensi: Biasa", preview)
    await kasat.press("✅ Kirim", preview)
    await posko.stop()
    clock.advance(hours=2)  # 12.00: rounds of 11.00, 11.15 and 11.30 were missed
    await posko.start()
    for _ in range(4):
        await posko.run_job("arahan catch up")
        await posko.settle()
        clock.advance(minutes=1)
    [reminder] = reminders(officer)
    assert reminder.startswith("⏰ Pengingat Arahan #1 (3/3)")
    assert final_lists(kasat) == [], "the list waits for the reminder"
    clock.advance(minutes=11)  # 12.15
    await run_due(posko)
    [listing] = final_lists(kasat)
    assert listing.startswith("⚠️ Arahan #1 — sudah diingatkan sekali, 1 petugas"), "truthful"
