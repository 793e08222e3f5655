"""Reminders: Segera every 15 minutes, 3 times, then the list; rounds survive a restart."""

from __future__ import annotations

from emulator import FakeTelegram, FakeUser
from tests.conftest import Enlist
from tests.handlers.arahan.test_delivery import send_arahan
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko


def reminders(user: FakeUser) -> list[str]:
    return [m.text for m in user.messages if m.text.startswith("⏰ Pengingat Arahan")]


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
    assert await repo.claim_reminder_round(1, 0, None)
    assert await repo.claim_reminder(1, officers[0].id, 1)
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert [len(reminders(o)) for o in officers] == [0, 1, 1], "claimed means never repeated"
    assert kasat.texts()[-1].startswith("⚠️ Arahan #1 — sudah diingatkan sekali, 3 petugas")
