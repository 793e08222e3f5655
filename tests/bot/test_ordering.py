"""Concurrent update handling: different senders side by side, one sender strictly in order."""

from __future__ import annotations

import asyncio

import pytest
from telegram import Chat, Message, Update, User

from bot.ordering import PerSenderUpdateProcessor, ordering_key
from domain.reports import NewReport, Report
from emulator import FakeTelegram
from tests.conftest import Enlist
from tests.harness import Posko


def update(update_id: int, user_id: int | None, chat_id: int = 1) -> Update:
    user = User(user_id, "U", is_bot=False) if user_id is not None else None
    chat = Chat(chat_id, Chat.PRIVATE if user_id else Chat.CHANNEL)
    message = Message(update_id, None, chat, from_user=user, text="x")  # type: ignore[arg-type]
    return Update(update_id, message=message)


def test_the_key_is_the_sender_then_the_chat() -> None:
    assert ordering_key(update(1, 42, chat_id=-5)) == ("user", 42)
    assert ordering_key(update(2, None, chat_id=-100)) == ("chat", -100)
    assert ordering_key(object()) is None


async def test_one_senders_updates_wait_for_each_other_others_do_not() -> None:
    processor = PerSenderUpdateProcessor(max_running=16)
    log: list[str] = []

    async def handle(name: str, delay: float) -> None:
        log.append(f"start {name}")
        await asyncio.sleep(delay)
        log.append(f"end {name}")

    jobs = [
        (update(1, 7), handle("a1", 0.05)),
        (update(2, 8), handle("b1", 0.0)),
        (update(3, 7), handle("a2", 0.0)),
        (update(4, 7), handle("a3", 0.0)),
    ]
    await asyncio.gather(*(processor.process_update(u, job) for u, job in jobs))
    assert log.index("end b1") < log.index("end a1"), "another sender is not held up"
    assert (
        log.index("end a1") < log.index("start a2") < log.index("end a2") < log.index("start a3")
    ), "one sender's updates run one at a time, in order"
    assert processor._tails == {}, "nothing is kept once the senders are done"


async def test_a_failing_update_does_not_block_the_senders_next_one() -> None:
    processor = PerSenderUpdateProcessor()

    async def fail() -> None:
        raise RuntimeError("boom")

    async def ok() -> str:
        return "ok"

    results = await asyncio.gather(
        processor.process_update(update(1, 7), fail()),
        processor.process_update(update(2, 7), ok()),
        return_exceptions=True,
    )
    assert isinstance(results[0], RuntimeError)
    assert results[1] is None


async def test_an_officers_burst_is_receipted_in_order(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    officers = [await enlist(2001 + i, kecamatan="Bengalon") for i in range(5)]
    sent = [
        (officer, await officer.send(f"/lapor waspada kejadian {n}", wait=False))
        for n in range(6)
        for officer in officers
    ]
    await fake.wait_until(lambda: sum(len(o.messages) for o in officers) == len(sent))
    numbers: set[int] = set()
    for officer in officers:
        replied = [m.params["reply_parameters"]["message_id"] for m in officer.messages]
        mine = [u["message"]["message_id"] for o, u in sent if o is officer]
        assert replied == mine, "each officer's receipts come in the order of their messages"
        own = [int(m.text.split("#")[1].split()[0]) for m in officer.messages]
        assert own == sorted(own), "and their reports are numbered in that order"
        numbers.update(own)
    assert numbers == set(range(1, len(sent) + 1)), "every report stored once"
    assert await posko.services.reports.count() == len(sent)


async def test_a_slow_update_is_not_overtaken_by_the_same_officers_next(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await enlist(2001)
    reports = posko.services.reports
    add = reports.add

    async def slow_first(new: NewReport) -> tuple[Report, bool]:
        if new.text == "satu":
            await asyncio.sleep(0.2)
        return await add(new)

    monkeypatch.setattr(reports, "add", slow_first)
    await officer.send("/lapor waspada satu", wait=False)
    await officer.send("/lapor waspada dua", wait=False)
    await fake.wait_until(lambda: len(officer.messages) == 2)
    assert [m.text.splitlines()[0][:20] for m in officer.messages] == [
        "✅ Laporan #1 tercata",
        "✅ Laporan #2 tercata",
    ]
    first = await reports.get(1)
    assert first is not None
    assert first.text == "satu"


async def test_a_flood_from_one_sender_does_not_hold_up_the_others() -> None:
    processor = PerSenderUpdateProcessor(max_running=4)
    finished: list[str] = []

    async def handle(name: str) -> None:
        await asyncio.sleep(0.01)
        finished.append(name)

    flood = [processor.process_update(update(i, 7), handle(f"flood {i}")) for i in range(50)]
    other = processor.process_update(update(99, 8), handle("officer"))
    await asyncio.gather(*flood, other)
    assert finished.index("officer") < 5, "the other officer is not queued behind the flood"
    assert [n for n in finished if n != "officer"] == [f"flood {i}" for i in range(50)]
