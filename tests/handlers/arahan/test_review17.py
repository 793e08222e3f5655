"""Review of issue 17: regression tests for defects found in the arahan feature.

Each test states what the issue (or the README) promises and fails on main as merged.
"""

from __future__ import annotations

import asyncio

from bot import texts
from emulator import FakeTelegram
from handlers.arahan.runtime import runtime_of
from tests.conftest import Enlist
from tests.handlers.arahan.test_delivery import send_arahan
from tests.handlers.arahan.test_presses import toast
from tests.handlers.arahan.test_reminders import reminders, run_due
from tests.handlers.arahan.test_story import tally_line, tally_of
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko


async def test_the_tally_is_not_left_stale_by_a_stop_within_its_coalescing_window(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """'Tally edits coalesced without losing the final state': a stop (SIGTERM) while the
    coalesced edit waits for its slot must not leave the sender's tally stale for ever."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    tally = tally_of(kasat)
    assert tally_line(tally) == "📊 Dipahami 0/1 · belum 1"
    state = runtime_of(posko.app.bot_data)
    state.tally_every = 60.0  # the next edit waits for its slot
    state.tallies[1].last = asyncio.get_running_loop().time()
    await officer.press("✅ Dipahami", officer.messages[0], wait=False)
    repo = posko.services.arahan
    for _ in range(200):
        row = await repo.recipient(1, officer.id)
        if row is not None and row.confirmed_at is not None:
            break
        await asyncio.sleep(0.02)
    await posko.restart()  # the waiting edit is cancelled by the stop (bot.runner: at once)
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert tally_line(tally) == "📊 Dipahami 1/1 · belum 0", tally.text


async def test_tanggapi_does_not_replace_a_half_filled_lapor_form(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """Like ➕ Perkembangan (put_unless_busy), 💬 Tanggapi must not throw away an open /lapor
    form; otherwise the officer's report text is relayed to the sender as an 'answer'."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Laporkan situasi")
    copy = officer.messages[0]
    await officer.send("/lapor")
    await officer.press("🟠 Rawan")
    await officer.press("Kamtibmas")
    await officer.press("💬 Tanggapi", copy)
    draft = await posko.services.drafts.get(officer.id)
    assert draft is not None
    assert draft.flow == "lapor", "the half-filled report was discarded"
    await officer.send("Massa memblokade jalan di depan PPK")
    assert not any("Massa memblokade" in t for t in kasat.texts()), "report sent as an answer"


async def test_the_final_list_is_not_lost_when_its_send_fails(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    """'After the last reminder the sender and the admins get the list': the list is claimed
    before it is sent and `tell` swallows failures, so one failed send loses it for good."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=kasat.id)
    clock.advance(hours=1)
    await run_due(posko)
    assert len(reminders(officer)) == 1
    for _ in range(3):  # three catch-ups later
        clock.advance(minutes=1)
        await posko.run_job("arahan catch up")
        await posko.settle()
    lists = [t for t in kasat.texts() if t.startswith("⚠️ Arahan #1 — sudah diingatkan")]
    assert len(lists) == 1, "the sender never gets the list of who has not confirmed"


async def test_deactivated_officers_are_not_reminded(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: object
) -> None:
    """A deactivated officer cannot press ✅ Dipahami (the gate refuses), yet is reminded."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    await posko.services.members.set_active(officer.id, False, 1, posko.clock())
    clock.advance(hours=1)
    await run_due(posko)
    if reminders(officer):
        update = await officer.press("✅ Dipahami", officer.last_message())
        assert toast(fake, update) != texts.CALLBACK_REFUSED, "reminded to press a dead button"
    assert reminders(officer) == []


async def test_rounds_missed_during_downtime_do_not_burst(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    """Segera is 'every 15 minutes, 3 times'. After 2 hours down, the three missed rounds are
    run one catch-up (1 minute) apart: three reminders in about three minutes."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await kasat.send("/arahan camat telen | Kirim data DPT")
    preview = kasat.last_message()
    await kasat.press("Urgensi: Biasa", preview)
    await kasat.press("✅ Kirim", preview)
    await posko.stop()
    clock.advance(hours=2)
    await posko.start()
    for _ in range(4):
        await posko.run_job("arahan catch up")
        await posko.settle()
        clock.advance(minutes=1)
    assert len(reminders(officer)) <= 1, reminders(officer)


async def test_an_officer_whose_copy_was_recorded_unreachable_can_still_confirm(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """A press proves the copy arrived (e.g. it was recorded 'tidak terkirim' after attempts
    whose answers were lost); refusing it keeps the sender's tally wrong."""
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Telen", "Dedi")
    await send_arahan(kasat, "camat telen | Siaga")
    async with posko.services.db.transaction() as conn:
        await conn.execute("UPDATE arahan_recipients SET state = 'unreachable'")
    await officer.press("✅ Dipahami", officer.messages[0])
    row = await posko.services.arahan.recipient(1, officer.id)
    assert row is not None
    assert row.confirmed_at is not None
