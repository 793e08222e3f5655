"""Bot API connections: small pools with a queue in front, departures marked for the rate
limiter, and Telegram's JSON kept for the inbox."""

from __future__ import annotations

import asyncio
import json
import time
from typing import Any

import pytest
from telegram.request import HTTPXRequest, RequestData
from telegram.request._requestparameter import RequestParameter

from bot.ratelimit import Departure, sending
from bot.transport import PooledRequest, UpdatesRequest
from emulator import FakeTelegram
from tests.conftest import Enlist
from tests.harness import Posko


async def test_requests_beyond_the_connections_wait_their_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_flight = peak = 0
    pools_used: set[int] = set()

    async def fake_request(self: HTTPXRequest, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        pools_used.add(id(self))
        await asyncio.sleep(0.01)
        in_flight -= 1
        return 200, b"{}"

    monkeypatch.setattr(HTTPXRequest, "do_request", fake_request)
    request = PooledRequest(pools=3, per_pool=2)
    answers = await asyncio.gather(*(request.do_request("u", "POST") for _ in range(17)))
    assert answers == [(200, b"{}")] * 17
    assert peak == 6, "every connection of every pool, never more"
    assert len(pools_used) == 3
    assert request.in_use() == [0, 0, 0]


async def test_a_light_load_stays_on_the_first_pool(monkeypatch: pytest.MonkeyPatch) -> None:
    pools_used: list[int] = []

    async def fake_request(self: HTTPXRequest, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        pools_used.append(id(self))
        await asyncio.sleep(0.001)
        return 200, b"{}"

    monkeypatch.setattr(HTTPXRequest, "do_request", fake_request)
    request = PooledRequest(pools=8, per_pool=2)
    for _ in range(5):  # one after another, then two at a time
        await request.do_request("u", "POST")
    await asyncio.gather(*(request.do_request("u", "POST") for _ in range(2)))
    assert len(set(pools_used)) == 1, "the other pools never open a connection"


async def test_a_message_is_dated_when_its_request_has_left(fake: FakeTelegram) -> None:
    """The rate limiter counts a message from when its request left, as Telegram counts it on
    arrival: after opening the connection, and after any wait for one here."""
    users = [fake.add_user(7000 + i) for i in range(2)]
    arrived: dict[int, float] = {}

    def arrival(method: str, params: dict[str, Any]) -> None:
        arrived.setdefault(int(params["chat_id"]), time.monotonic())

    fake.observers.append(arrival)
    fake.set_latency(0.2)  # 0.1 s each way
    request = PooledRequest(pools=1, per_pool=1)
    await request.initialize()
    completed: dict[int, float] = {}

    async def send(chat_id: int) -> Departure:
        departure = Departure()
        fields = {"chat_id": chat_id, "text": "x"}
        data = RequestData([RequestParameter.from_input(k, v) for k, v in fields.items()])
        with sending(departure):
            await request.do_request(f"{fake.url}/bot{fake.token}/sendMessage", "POST", data)
        completed[chat_id] = time.monotonic()
        return departure

    try:
        first, second = await asyncio.gather(*(send(user.id) for user in users))
    finally:
        await request.shutdown()
    for user, departure in zip(users, (first, second), strict=True):
        assert departure.left is not None
        assert 0.09 <= arrived[user.id] - departure.left <= 0.15, (
            "one leg from leaving to arriving"
        )
    assert second.left is not None
    assert second.left >= completed[users[0].id], "queued for the connection: left after the first"


async def test_fetched_updates_keep_telegrams_json(monkeypatch: pytest.MonkeyPatch) -> None:
    result = [{"update_id": 9, "message": {"message_id": 1, "text": "é", "extra": [1]}}]
    payload = json.dumps({"ok": True, "result": result}).encode()

    async def fake_request(self: HTTPXRequest, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return 200, payload

    monkeypatch.setattr(HTTPXRequest, "do_request", fake_request)
    request = UpdatesRequest()
    assert await request.do_request("u", "POST") == (200, payload)
    kept = request.take_json(9)
    assert kept is not None
    assert json.loads(kept) == result[0]
    assert request.take_json(9) is None, "taken once"


async def test_the_inbox_holds_what_telegram_sent(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    update = await officer.send("/lapor aman")
    row = await posko.services.db.fetchone(
        "SELECT payload, done_at FROM inbox WHERE update_id = ?", (update["update_id"],)
    )
    assert row is not None
    assert json.loads(row["payload"]) == update
    assert row["done_at"] is not None
