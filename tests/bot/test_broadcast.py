"""The shared broadcaster: bounded concurrency, claim before send, records, stops and faults."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from telegram.error import BadRequest, Forbidden, NetworkError, TelegramError

from bot.broadcast import IN_FLIGHT, Delivery, Outcome, blocked_the_bot, broadcast


class Recorder(Delivery[int, int]):
    """Claims, sends and records in memory; `refuse` maps a recipient to Telegram's answer."""

    def __init__(self, takes: float = 0.01) -> None:
        self.takes = takes
        self.claimed: list[int] = []
        self.sent: list[int] = []
        self.recorded: list[int] = []
        self.in_flight = self.peak = 0
        self.refuse: dict[int, TelegramError] = {}
        self.claim_fails: set[int] = set()
        self.record_fails: set[int] = set()
        self.already: set[int] = set()
        self.crash: set[int] = set()

    def who(self, recipient: int) -> object:
        return recipient

    async def claim(self, recipient: int) -> bool:
        if recipient in self.claim_fails:
            raise sqlite3.OperationalError("database is locked")
        if recipient in self.already:
            return False
        self.claimed.append(recipient)
        return True

    async def send(self, recipient: int) -> int:
        assert recipient in self.claimed, "claimed before it is sent"
        if recipient in self.crash:
            raise RuntimeError("a bug")
        self.in_flight += 1
        self.peak = max(self.peak, self.in_flight)
        try:
            await asyncio.sleep(self.takes)
        finally:
            self.in_flight -= 1
        if recipient in self.refuse:
            raise self.refuse[recipient]
        self.sent.append(recipient)
        return recipient * 10

    async def record(self, recipient: int, sent: int) -> None:
        assert sent == recipient * 10
        if recipient in self.record_fails:
            raise sqlite3.OperationalError("disk I/O error")
        self.recorded.append(recipient)


async def test_recipients_go_out_in_flight_at_a_time_each_once() -> None:
    delivery = Recorder()
    result = await broadcast(range(100), delivery)
    assert sorted(delivery.sent) == list(range(100))
    assert sorted(delivery.recorded) == list(range(100))
    assert delivery.peak == IN_FLIGHT, "as many under way as the bound, never more"
    assert result.finished
    assert result[Outcome.SENT] == 100


async def test_a_smaller_bound_is_kept() -> None:
    delivery = Recorder()
    await broadcast(range(20), delivery, in_flight=3)
    assert delivery.peak == 3


async def test_claims_and_refusals_decide_each_recipient() -> None:
    delivery = Recorder()
    delivery.already = {1}
    delivery.claim_fails = {2}
    delivery.refuse = {
        3: Forbidden("Forbidden: bot was blocked by the user"),
        4: Forbidden("Forbidden: bot can't initiate conversation with a user"),
        5: NetworkError("Bad Gateway"),
    }
    delivery.record_fails = {6}
    result = await broadcast(range(8), delivery)
    assert 1 not in delivery.sent, "claimed or done meanwhile: nothing to send"
    assert 2 not in delivery.sent, "never sent without a claim"
    assert sorted(delivery.sent) == [0, 6, 7]
    assert sorted(delivery.recorded) == [0, 7]
    assert result.finished
    assert dict(result.outcomes) == {
        Outcome.SENT: 2,
        Outcome.SKIPPED: 1,
        Outcome.UNCLAIMED: 1,
        Outcome.BLOCKED: 1,
        Outcome.FAILED: 2,
        Outcome.UNRECORDED: 1,
    }


async def test_a_stop_starts_nobody_new_and_lets_those_in_flight_finish() -> None:
    delivery = Recorder(takes=0.05)
    running = True
    task = asyncio.ensure_future(broadcast(range(100), delivery, keep_going=lambda: running))
    while len(delivery.claimed) < 20:
        await asyncio.sleep(0.001)
    running = False
    result = await task
    assert not result.finished
    assert sorted(delivery.sent) == sorted(delivery.claimed), "every claimed one was sent"
    assert sorted(delivery.recorded) == sorted(delivery.claimed), "and recorded"
    assert len(delivery.claimed) <= 20 + IN_FLIGHT


async def test_a_bug_in_one_recipient_stops_the_round_after_those_in_flight() -> None:
    delivery = Recorder(takes=0.02)
    delivery.crash = {30}
    with pytest.raises(RuntimeError, match="a bug"):
        await broadcast(range(100), delivery)
    assert sorted(delivery.recorded) == sorted(set(delivery.claimed) - {30})
    assert len(delivery.claimed) < 30 + IN_FLIGHT + 1


def test_blocked_is_told_from_never_started_and_other_refusals() -> None:
    assert blocked_the_bot(Forbidden("Forbidden: bot was blocked by the user"))
    assert not blocked_the_bot(Forbidden("Forbidden: bot can't initiate conversation"))
    assert not blocked_the_bot(BadRequest("chat not found"))


async def test_every_claimed_recipient_is_settled_whatever_happened() -> None:
    class Settling(Recorder):
        def __init__(self) -> None:
            super().__init__()
            self.settled_ones: list[int] = []

        def settled(self, recipient: int) -> None:
            self.settled_ones.append(recipient)

    delivery = Settling()
    delivery.already = {1}
    delivery.refuse = {2: NetworkError("Bad Gateway")}
    delivery.record_fails = {3}
    await broadcast(range(5), delivery)
    assert sorted(delivery.settled_ones) == [0, 2, 3, 4], "claimed ones only, each once"
