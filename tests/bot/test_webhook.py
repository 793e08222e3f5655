"""Webhook mode in-process: the secret is compared in constant time, updates reach the bot."""

from __future__ import annotations

import asyncio
import hmac
import io
import json
import socket
from dataclasses import replace
from pathlib import Path

import aiohttp
import pytest

from bot import webhook
from bot.app import build_application
from bot.regions import load_region
from emulator import FakeTelegram
from main import ALLOWED_UPDATES
from tests.harness import make_settings

SECRET = "rahasia-webhook-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_secret_is_compared_in_constant_time(
    fake: FakeTelegram, db_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compared: list[tuple[bytes, bytes]] = []
    compare = hmac.compare_digest

    def recording(a: bytes, b: bytes) -> bool:
        compared.append((a, b))
        return compare(a, b)

    monkeypatch.setattr(hmac, "compare_digest", recording)
    port = free_port()
    settings = replace(
        make_settings(fake, db_path),
        webhook_url=f"http://127.0.0.1:{port}",
        webhook_secret=SECRET,
        webhook_port=port,
    )
    assert settings.webhook_listen == "127.0.0.1"
    user = fake.add_user(4001, "Rina")
    app = build_application(settings, load_region())
    stop = asyncio.Event()
    serving = asyncio.create_task(webhook.serve_webhook(app, settings, ALLOWED_UPDATES, stop))
    try:
        await fake.wait_until(lambda: fake.webhook is not None, timeout=20)
        assert fake.webhook is not None
        assert fake.webhook["secret_token"] == SECRET
        assert fake.webhook["url"] == f"http://127.0.0.1:{port}/telegram"
        update = {"update_id": 1, "message": fake.new_message(user.chat, user.data, text="/start")}
        url = f"http://127.0.0.1:{port}/telegram"
        async with aiohttp.ClientSession() as http:
            for secret in (None, "salah", SECRET[:-1], SECRET + "x"):
                headers = {webhook.SECRET_HEADER: secret} if secret else {}
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403, secret
            good = {webhook.SECRET_HEADER: SECRET}
            for body in (b"{not json", b"[]", b"null", b'{"update_id": "abc"}',
                         b'{"update_id": 1, "message": 5}'):  # fmt: skip
                async with http.post(url, data=body, headers=good) as response:
                    assert response.status == 400, body
            # A real update, padded past the limit: refused (or cut off) rather than read.
            padded = {**update, "update_id": 2, "padding": "x" * webhook.MAX_BODY}
            too_big = io.BytesIO(json.dumps(padded).encode())
            try:
                async with http.post(url, data=too_big, headers=good) as response:
                    assert response.status != 200, "a body past the limit is not read in full"
            except aiohttp.ClientOSError:
                pass  # the server closed the connection instead of reading on
            assert user.messages == []
            async with http.post(url, json=update, headers=good) as response:
                assert response.status == 200
        await user.chat.wait_for_messages(1, timeout=10)
        assert "Selamat datang" in user.last_message().text
        assert (SECRET.encode(), SECRET.encode()) in compared
        assert (b"salah", SECRET.encode()) in compared
    finally:
        stop.set()
        await asyncio.wait_for(serving, timeout=20)
