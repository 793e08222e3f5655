"""The rate limiter counts a message no earlier than Telegram can, whatever the network does."""

from __future__ import annotations

import asyncio
import time

from bot.ratelimit import PoskoRateLimiter, RateLimits, SlidingWindow
from emulator.server import FloodLimits, _FloodControl


async def test_a_message_is_counted_from_when_its_request_completed() -> None:
    window = SlidingWindow(1, 0.3)
    starts: dict[str, float] = {}
    ends: dict[str, float] = {}

    async def send(name: str, duration: float) -> None:
        async with window.slot():
            starts[name] = time.monotonic()
            await asyncio.sleep(duration)
        ends[name] = time.monotonic()

    await asyncio.gather(send("slow", 0.1), send("next", 0.0))
    assert starts["next"] - ends["slow"] >= 0.29, "the window runs from the completion"


async def test_window_lets_the_limit_through_at_once_and_then_waits() -> None:
    window = SlidingWindow(3, 0.3)
    started = time.monotonic()
    for _ in range(3):
        async with window.slot():
            pass
    assert time.monotonic() - started < 0.1
    async with window.slot():
        assert time.monotonic() - started >= 0.29


async def test_a_late_arrival_never_lets_one_message_too_many_into_telegrams_second() -> None:
    """The first message reaches Telegram late; the fourth must not arrive within its second."""
    telegram = _FloodControl(FloodLimits(global_per_second=3))
    limiter = PoskoRateLimiter(RateLimits(overall_messages=3, overall_window=1.0))
    rejected: list[int] = []

    async def deliver(number: int) -> bool:
        await asyncio.sleep(0.05 if number == 0 else 0.0)  # on its way to Telegram
        if telegram.check(1000 + number) is not None:
            rejected.append(number)
        return True

    for number in range(4):
        await limiter.process_request(
            deliver, (number,), {}, "sendMessage", {"chat_id": 1000 + number}, None
        )
    assert rejected == []


async def test_per_chat_state_is_forgotten_once_idle() -> None:
    limiter = PoskoRateLimiter(RateLimits(group_window=0.05, overall_messages=10_000))

    async def delivered() -> bool:
        return True

    chats = [*range(1, 2001), *range(-1, -101, -1)]  # officers, and groups the bot was put in
    for chat_id in chats:
        await limiter.process_request(delivered, (), {}, "sendMessage", {"chat_id": chat_id}, None)
    await asyncio.sleep(0.06)  # every group's window has emptied
    await limiter.process_request(delivered, (), {}, "sendMessage", {"chat_id": -999}, None)
    assert len(limiter._chat_locks) == 0, "no chat lock outlives its messages"
    assert list(limiter._groups) == [-999], "only the window that still counts a message"
