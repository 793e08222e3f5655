"""Bot API connections: a queue in front of a few, and Telegram's JSON kept for the inbox."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from telegram.request import HTTPXRequest

from bot.transport import QueuedRequest, UpdatesRequest
from emulator import FakeTelegram
from tests.conftest import Enlist
from tests.harness import Posko


async def test_requests_beyond_the_connections_wait_their_turn(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    in_flight = peak = 0

    async def fake_request(self: HTTPXRequest, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return 200, b"{}"

    monkeypatch.setattr(HTTPXRequest, "do_request", fake_request)
    request = QueuedRequest(connections=2)
    answers = await asyncio.gather(*(request.do_request("u", "POST") for _ in range(7)))
    assert answers == [(200, b"{}")] * 7
    assert peak == 2


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
