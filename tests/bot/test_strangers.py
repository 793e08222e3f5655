"""Strangers cannot slow the officers down: capped backlog, one answer a minute, own lane."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

from telegram import Update

from bot import texts
from bot.ordering import PerSenderUpdateProcessor
from bot.throttle import FORM_BURST, FORM_REFILL, AnswerThrottle
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from tests.bot.test_ordering import update
from tests.conftest import Enlist
from tests.harness import DEFAULT_NOW, FakeClock, Posko

FLOOD = 3000


async def test_a_stranger_flood_does_not_hold_up_an_officers_receipt(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    stranger = fake.add_user(6001, "Asing")
    flood = [await stranger.send(f"pesan {i}", wait=False) for i in range(FLOOD // 2)]
    started = time.monotonic()
    await officer.send("/lapor waspada massa berkumpul", wait=False)
    flood += [await stranger.send(f"pesan {i}", wait=False) for i in range(FLOOD // 2, FLOOD)]
    await fake.wait_until(lambda: bool(officer.messages), timeout=30)
    receipt_after = time.monotonic() - started
    still_queued = len(fake.pending_updates)
    assert "Laporan #1 tercatat" in officer.last_message().text
    assert receipt_after < 15, f"the officer's receipt took {receipt_after:.1f} s"
    assert len(stranger.messages) <= 1, "the stranger is not answered message by message"
    # Every stranger update is confirmed to Telegram and recorded as handled, dropped or not.
    last = flood[-1]["update_id"]
    await fake.wait_confirmed(last, timeout=60)
    await posko.settle()
    inbox = posko.services.db
    open_rows = await inbox.fetchone("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL")
    assert open_rows is not None
    assert open_rows[0] == 0
    sent = [m.params["text"] for m in stranger.messages]
    assert sent == [texts.PLAIN_TEXT_HINT], "one answer for the whole minute"
    assert await posko.services.reports.count() == 1
    print(
        f"\nstranger flood of {FLOOD}: officer's receipt after {receipt_after:.2f} s, "
        f"{still_queued} stranger updates not yet fetched then"
    )


async def test_a_stranger_is_answered_once_a_minute_but_a_registration_form_never_waits(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    stranger = fake.add_user(6001, "Asing")
    for text in ("halo", "/lapor aman", "/start", "halo lagi"):
        await stranger.send(text)
    assert len(stranger.messages) == 1, "one answer within the minute"
    await stranger.send("/daftar")  # the way in is never held back
    await stranger.press("Camat")
    await stranger.press("Busang")
    await stranger.send("Budi Santoso")
    await stranger.send("Lewati")  # no NRP/NIP
    await stranger.send("Lewati")  # no phone
    await stranger.press("✅ Kirim")
    assert "sudah dikirim" in stranger.last_message().text
    assert len(stranger.messages) == 7, "the hint, then the form's six messages"
    await stranger.send("/lapor aman")  # now pending, still within the minute of "halo"
    assert len(stranger.messages) == 7
    clock.advance(minutes=1)
    await stranger.send("/lapor aman")
    assert stranger.last_message().text == texts.PENDING_WAIT
    await stranger.send("/lapor aman")
    assert len(stranger.messages) == 8
    assert len(posko.services.runtime.stranger_answers) == 1


async def test_members_are_never_held_back(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    for _ in range(3):
        await officer.send("halo")
    assert len(officer.messages) == 3


def processor_with_registry(members: set[int]) -> tuple[PerSenderUpdateProcessor, list[int]]:
    processor = PerSenderUpdateProcessor(
        max_running=4, max_strangers_running=1, stranger_backlog=3, strangers_backlog=5
    )
    dropped: list[int] = []

    async def is_member(user_id: int) -> bool:
        return user_id in members

    async def on_drop(update: Update) -> None:
        dropped.append(update.update_id)

    processor.attach(is_member, on_drop)
    return processor, dropped


async def test_a_strangers_backlog_is_capped_a_members_never() -> None:
    processor, dropped = processor_with_registry({7})
    handled: list[int] = []

    async def handle(update_id: int) -> None:
        await asyncio.sleep(0.001)
        handled.append(update_id)

    jobs = [(update(i, 8), handle(i)) for i in range(1, 21)]  # a stranger's 20
    jobs += [(update(i, 7), handle(i)) for i in range(21, 41)]  # an officer's 20
    await asyncio.gather(*(processor.process_update(u, job) for u, job in jobs))
    assert [i for i in handled if i <= 20] == [1, 2, 3], "the stranger's first three, in order"
    assert dropped == list(range(4, 21)), "the rest dropped and reported"
    assert [i for i in handled if i > 20] == list(range(21, 41)), "every member update, in order"
    assert processor.dropped == 17
    assert processor._tails == {}
    assert processor._backlog == {}
    assert processor._verdicts == {}


async def test_strangers_together_are_capped_and_run_beside_the_officers() -> None:
    processor, dropped = processor_with_registry({7})
    release = asyncio.Event()
    finished: list[str] = []

    async def stuck(name: str) -> None:
        await release.wait()
        finished.append(name)

    async def quick(name: str) -> None:
        finished.append(name)

    strangers = [
        asyncio.create_task(processor.process_update(update(i, 100 + i), stuck(f"s{i}")))
        for i in range(1, 9)  # eight strangers, one message each; their lane has one slot
    ]
    await asyncio.sleep(0.01)
    await processor.process_update(update(50, 7), quick("officer"))
    assert finished == ["officer"], "the officer does not wait for the strangers' lane"
    assert dropped == [6, 7, 8], "past five strangers' updates in all, the rest are dropped"
    release.set()
    await asyncio.gather(*strangers)
    assert sorted(finished) == sorted(["officer", "s1", "s2", "s3", "s4", "s5"])


async def test_the_registry_unreadable_means_nobody_is_dropped() -> None:
    processor = PerSenderUpdateProcessor(stranger_backlog=1)
    dropped: list[int] = []

    async def broken(user_id: int) -> bool:
        raise OSError("disk gone")

    async def on_drop(update: Update) -> None:
        dropped.append(update.update_id)

    processor.attach(broken, on_drop)
    handled: list[int] = []

    async def handle(update_id: int) -> None:
        handled.append(update_id)

    await asyncio.gather(*(processor.process_update(update(i, 9), handle(i)) for i in range(5)))
    assert handled == [0, 1, 2, 3, 4]
    assert dropped == []


def test_the_answer_throttle_forgets_quiet_senders() -> None:
    throttle = AnswerThrottle()
    start = DEFAULT_NOW
    assert all(throttle.allow(sender, start) for sender in range(5000))
    assert not throttle.allow(42, start + timedelta(seconds=59))
    assert throttle.allow(42, start + timedelta(seconds=60))
    assert len(throttle) == 1, "senders quiet for a minute are forgotten"


async def test_an_open_registration_form_is_no_way_around_the_throttle(
    posko: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    stranger = fake.add_user(6002, "Asing")
    for _ in range(3 * FORM_BURST):
        await stranger.send("/daftar")
    assert len(stranger.messages) == FORM_BURST, "a burst for the form's steps, then nothing"
    clock.advance(seconds=FORM_REFILL.total_seconds())
    await stranger.send("/daftar")
    assert len(stranger.messages) == FORM_BURST + 1, "one more after a few seconds"


async def test_a_request_nobody_was_told_of_reaches_the_admins(
    posko: Posko, fake: FakeTelegram, admin: FakeUser
) -> None:
    fake.add_user(6003, "Asing")
    # Filed, but the telling was interrupted (a stop while Telegram hung): no admin notice.
    await posko.services.members.request(
        RosterRow(6003, Role.CAMAT, "Busang", "Budi Santoso"), posko.clock()
    )
    assert admin.messages == []
    await posko.run_job("untold requests")
    [notice] = admin.messages
    assert "Budi Santoso" in notice.text
    assert notice.button_texts() == [texts.APPROVE_BUTTON, texts.REJECT_BUTTON]
    await posko.run_job("untold requests")
    assert len(admin.messages) == 1, "told once"
