"""Bot API connections: one aiohttp session with a queue in front, departures marked for the rate
limiter, and Telegram's JSON kept for the inbox."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path
from typing import Any

import pytest
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData
from telegram.request._requestparameter import RequestParameter

from bot.ratelimit import Departure, sending
from bot.transport import AiohttpRequest, UpdatesRequest, tls_context, upload_timeout
from emulator import FakeTelegram
from tests.conftest import Enlist
from tests.harness import Posko


async def test_requests_beyond_the_connections_wait_their_turn(fake: FakeTelegram) -> None:
    """More requests than connections: the rest queue here (no pool timeout), never more
    under way than there are connections, and every one is answered."""
    user = fake.add_user(7100)
    fake.set_latency(0.05)
    request = AiohttpRequest(connections=3)
    await request.initialize()
    peak = 0

    def watch(method: str, params: dict[str, Any]) -> None:
        nonlocal peak
        peak = max(peak, request.in_use())

    fake.observers.append(watch)
    try:
        answers = await asyncio.gather(
            *(send_text(request, fake, user.id, f"pesan {i}") for i in range(17))
        )
    finally:
        await request.shutdown()
    assert [code for code, _ in answers] == [200] * 17
    assert peak == 3, "every connection in use, never more"
    assert request.in_use() == 0
    assert len(user.messages) == 17


async def test_uploads_and_failures_reach_telegram_as_ptb_expects(fake: FakeTelegram) -> None:
    """A file goes as multipart with its (non-ASCII) name; an unreachable server is a
    NetworkError and a silent one a TimedOut, as with python-telegram-bot's own transport."""
    user = fake.add_user(7101)
    request = AiohttpRequest(connect_timeout=1, read_timeout=0.3, write_timeout=1)
    await request.initialize()
    try:
        fields = {"chat_id": user.id, "caption": 'Rekap "harian"'}
        document = InputFile(b"isi,berkas\n1,2\n", filename="rekap_27 Nov é.csv")
        data = RequestData(
            [RequestParameter.from_input(k, v) for k, v in fields.items()]
            + [RequestParameter.from_input("document", document)]
        )
        url = f"{fake.url}/bot{fake.token}/sendDocument"
        code, _ = await request.do_request(url, "POST", data)
        assert code == 200
        sent = user.messages[-1]
        assert sent.params["caption"] == 'Rekap "harian"'
        assert sent.params["document"] == {
            "filename": "rekap_27 Nov é.csv",
            "content": b"isi,berkas\n1,2\n",
        }

        fake.set_latency(1.0)  # half a second before the answer: past the read timeout
        with pytest.raises(TimedOut):
            await send_text(request, fake, user.id, "lambat")
        with pytest.raises(NetworkError):  # nothing listens there
            await request.do_request("http://127.0.0.1:9/botX/getMe", "POST")
    finally:
        await request.shutdown()


async def send_text(
    request: AiohttpRequest, fake: FakeTelegram, chat_id: int, text: str
) -> tuple[int, bytes]:
    """One sendMessage straight through the transport."""
    fields = {"chat_id": chat_id, "text": text}
    data = RequestData([RequestParameter.from_input(k, v) for k, v in fields.items()])
    return await request.do_request(f"{fake.url}/bot{fake.token}/sendMessage", "POST", data)


async def test_a_message_is_dated_when_its_request_has_left(fake: FakeTelegram) -> None:
    """The rate limiter counts a message from when its request left, as Telegram counts it on
    arrival: after opening the connection, and after any wait for one here."""
    users = [fake.add_user(7000 + i) for i in range(2)]
    arrived: dict[int, float] = {}

    def arrival(method: str, params: dict[str, Any]) -> None:
        arrived.setdefault(int(params["chat_id"]), time.monotonic())

    fake.observers.append(arrival)
    fake.set_latency(0.2)  # 0.1 s each way
    request = AiohttpRequest(connections=1)
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

    async def fake_request(self: AiohttpRequest, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        return 200, payload

    monkeypatch.setattr(AiohttpRequest, "do_request", fake_request)
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


async def serve(answer: bytes) -> tuple[asyncio.Server, int, list[bytes]]:
    """A raw HTTP server on 127.0.0.1 that records each request's head and sends `answer`."""
    heads: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        heads.append(head)
        length = next(
            (int(line.split(b":")[1]) for line in head.split(b"\r\n")
             if line.lower().startswith(b"content-length:")),
            0,
        )  # fmt: skip
        await reader.readexactly(length)
        writer.write(answer)
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1], heads


TOKEN = "123456789:AAE-secret-token-0123456789-abcdefghij"


async def test_a_garbled_answer_never_quotes_the_token() -> None:
    """aiohttp's text for a malformed answer (a captive portal, a broken proxy) holds the URL,
    and with it the token; the error an arahan recipient keeps is exported."""
    server, port, _ = await serve(b"HTTP/1.1 200 OK\r\nBad Header Line\r\n\r\n")
    request = AiohttpRequest()
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as raised:
            await request.do_request(f"http://127.0.0.1:{port}/bot{TOKEN}/sendMessage", "POST")
    finally:
        await request.shutdown()
        server.close()
    assert "aiohttp.ClientResponseError" in raised.value.message
    assert "secret-token" not in raised.value.message


async def test_a_redirect_is_answered_not_followed() -> None:
    """Followed, a POST arrives as a bare GET: every call would fail as a refusal."""
    moved = b"HTTP/1.1 301 Moved\r\nLocation: /elsewhere\r\nContent-Length: 0\r\n\r\n"
    server, port, heads = await serve(moved)
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, _ = await request.do_request(f"http://127.0.0.1:{port}/botX/getMe", "POST")
    finally:
        await request.shutdown()
        server.close()
    assert status == 301
    assert len(heads) == 1


async def test_the_proxy_of_the_environment_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    """A network where traffic must go through a proxy (HTTP_PROXY), as httpx honoured it."""
    ok = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
        b'{"ok":true}'
    )
    server, port, heads = await serve(ok)
    for name in ("NO_PROXY", "no_proxy", "HTTPS_PROXY", "https_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", f"http://127.0.0.1:{port}")
    request = AiohttpRequest()
    await request.initialize()
    try:
        status, body = await request.do_request("http://api.telegram.invalid/botX/getMe", "POST")
    finally:
        await request.shutdown()
        server.close()
    assert (status, body) == (200, b'{"ok":true}')
    assert heads[0].startswith(b"POST http://api.telegram.invalid/botX/getMe HTTP/1.1")


def test_a_ca_bundle_of_the_environment_is_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("SSL_CERT_FILE", str(tmp_path / "tidak-ada.pem"))
    with pytest.raises(FileNotFoundError):
        tls_context()
    monkeypatch.delenv("SSL_CERT_FILE")
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    assert tls_context().cert_store_stats()["x509_ca"] > 0, "certifi's bundle"


async def test_a_large_file_goes_in_chunks(fake: FakeTelegram) -> None:
    """A backup or an export of several MB: sent as a stream (aiohttp warns that a large
    bytes body blocks the loop, and the tests make warnings errors)."""
    user = fake.add_user(7102)
    request = AiohttpRequest()
    await request.initialize()
    content = bytes(range(256)) * 12_000  # 3 MB
    try:
        fields = [RequestParameter.from_input("chat_id", user.id)]
        document = RequestParameter.from_input("document", InputFile(content, filename="b.db"))
        data = RequestData([*fields, document])
        url = f"{fake.url}/bot{fake.token}/sendDocument"
        assert (await request.do_request(url, "POST", data))[0] == 200
    finally:
        await request.shutdown()
    assert user.messages[-1].params["document"]["content"] == content


def test_a_large_file_is_given_time_to_upload() -> None:
    """A 40 MB backup over a 1 Mbit/s uplink: five minutes, not the 20 s of a photo."""
    assert upload_timeout(300_000) == 20.0
    assert 300 <= upload_timeout(40 * 1024 * 1024) <= 330
