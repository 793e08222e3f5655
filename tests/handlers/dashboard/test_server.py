"""The dashboard's server over plain HTTP: what answers 401, headers, the stream, the port."""

from __future__ import annotations

import asyncio
import logging
import re
import socket
from collections.abc import AsyncIterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from bot import texts
from bot.settings import Settings
from domain.kerawanan import MapLevel, MappedKecamatan, VulnerabilityMap
from emulator import FakeTelegram, FakeUser
from handlers.dashboard.dasbor import dashboard_of
from handlers.dashboard.server import COOKIE
from handlers.dashboard.signin import new_secret
from storage.dashboard import DashboardRepo
from tests.conftest import Enlist
from tests.handlers.dashboard.conftest import add_koordinator, link_in, local_base
from tests.harness import FakeClock, Posko

DATA = ("/dasbor/api/content", "/dasbor/api/events")


@pytest.fixture
async def client(posko: Posko) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=local_base(posko), timeout=10) as http:
        yield http


async def session_of(posko: Posko, fake: FakeTelegram, client: httpx.AsyncClient) -> str:
    """Signs a koordinator in with a link, as the sign-in page's script does."""
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")
    secret = link_in(kasat.last_message()).split("#", 1)[1]
    answer = await client.post("/dasbor/api/signin", json={"token": secret})
    assert answer.status_code == 204
    return answer.cookies[COOKIE]


async def test_every_data_endpoint_answers_401_without_a_valid_sign_in(
    posko: Posko, fake: FakeTelegram, client: httpx.AsyncClient, clock: FakeClock
) -> None:
    for path in DATA:
        assert (await client.get(path)).status_code == 401, path
        forged = {"Cookie": f"{COOKIE}={new_secret()}"}
        assert (await client.get(path, headers=forged)).status_code == 401, path
        bearer = {"Authorization": f"Bearer {new_secret()}"}
        assert (await client.get(path, headers=bearer)).status_code == 401, path
    # The page itself shows no data to a stranger.
    page = await client.get("/dasbor")
    assert page.status_code == 200
    assert "Muara Wahau" not in page.text
    assert 'id="not-signed-in"' in page.text

    session = await session_of(posko, fake, client)
    signed = {"Cookie": f"{COOKIE}={session}"}
    content = await client.get("/dasbor/api/content", headers=signed)
    assert content.status_code == 200
    assert content.headers["Content-Encoding"] == "gzip"
    assert "Muara Wahau" in content.text
    # A link is not a session, and a session lasts 12 hours.
    clock.advance(hours=12, seconds=1)
    for path in DATA:
        assert (await client.get(path, headers=signed)).status_code == 401, path
    assert "Muara Wahau" not in (await client.get("/dasbor", headers=signed)).text


async def test_a_link_is_refused_when_posted_cross_site_or_not_as_json(
    posko: Posko, fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    kasat = await add_koordinator(posko, fake)
    await kasat.send("/dasbor")
    secret = link_in(kasat.last_message()).split("#", 1)[1]
    form = await client.post("/dasbor/api/signin", data={"token": secret})
    assert form.status_code == 400
    cross = await client.post(
        "/dasbor/api/signin", json={"token": secret}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status_code == 400
    # Neither used the link up.
    assert (await client.post("/dasbor/api/signin", json={"token": secret})).status_code == 204
    assert (await client.post("/dasbor/api/signin", json={"token": secret})).status_code == 401
    assert (await client.post("/dasbor/api/signin", json={"token": 5})).status_code == 401


async def test_pages_carry_a_strict_content_security_policy(client: httpx.AsyncClient) -> None:
    for path in ("/dasbor", "/dasbor/masuk", "/dasbor/api/content", "/dasbor/static/dasbor.js"):
        answer = await client.get(path)
        policy = answer.headers["Content-Security-Policy"]
        assert "script-src 'self';" in policy, path
        assert "unsafe-inline" not in policy
        assert "default-src 'none'" in policy
        assert answer.headers["X-Content-Type-Options"] == "nosniff"
        assert "Server" not in answer.headers
    page = (await client.get("/dasbor")).text
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/dasbor/static/dasbor.js" defer>'
    ], "no inline script"
    assert " style=" not in page
    assert (await client.get("/")).headers["Location"] == "/dasbor"


async def test_the_stream_sends_a_mark_on_each_change_and_ends_on_lost_access(
    posko: Posko, fake: FakeTelegram, client: httpx.AsyncClient, admin: FakeUser, enlist: Enlist
) -> None:
    session = await session_of(posko, fake, client)
    officer = await enlist(2001, "camat", "Bengalon", "Budi")
    async with client.stream(
        "GET", "/dasbor/api/events", headers={"Cookie": f"{COOKIE}={session}"}
    ) as stream:
        assert stream.headers["Content-Type"].startswith("text/event-stream")
        assert "Content-Encoding" not in stream.headers, "each event leaves as it is written"
        lines = stream.aiter_lines()

        async def next_event() -> str:
            while True:
                line = await asyncio.wait_for(anext(lines), 5)
                if line.startswith(("data:", "event:")):
                    return line

        first = await next_event()
        assert first.startswith("data: ")
        await officer.send("/lapor aman")
        second = await next_event()
        assert second.startswith("data: ")
        assert second != first
        await admin.send("/nonaktifkan 3001")
        assert await next_event() == "event: signout"


async def test_a_taken_port_leaves_the_bot_running_and_dasbor_says_so(
    posko: Posko, fake: FakeTelegram, caplog: pytest.LogCaptureFixture
) -> None:
    taken = socket.socket()
    taken.bind(("127.0.0.1", 0))
    taken.listen()
    try:
        await posko.stop()
        posko.settings = replace(posko.settings, dashboard_port=taken.getsockname()[1])
        with caplog.at_level(logging.ERROR):
            await posko.start()
        assert "Dashboard not started: cannot listen on 127.0.0.1" in caplog.text
        assert not dashboard_of(posko.app).running
        kasat = await add_koordinator(posko, fake)
        await kasat.send("/dasbor")
        assert kasat.last_message().text == texts.dashboard.DASHBOARD_OFF
        await kasat.send("/status")  # the bot itself serves on
        assert "belum lapor" in kasat.last_message().text
    finally:
        taken.close()


async def test_expired_secrets_are_forgotten(posko: Posko, clock: FakeClock) -> None:
    repo = DashboardRepo(posko.services.db)
    await repo.add_link(3001, "first", clock(), timedelta(minutes=10))
    clock.advance(minutes=11)
    await repo.add_link(3001, "second", clock(), timedelta(minutes=10))
    rows = await posko.services.db.fetchall("SELECT kind FROM dashboard_signins")
    assert len(rows) == 1


def test_the_proxy_examples_and_the_container_reach_the_dashboard() -> None:
    """deploy/'s TLS proxies forward /dasbor to the dashboard's default port without buffering
    its event streams, and /telegram to the webhook's; the image listens on every interface."""
    root = Path(__file__).resolve().parents[3]
    defaults = Settings(token="1:x")
    caddy = (root / "deploy" / "Caddyfile").read_text("utf-8")
    assert re.search(
        rf"handle /dasbor\* \{{\s*reverse_proxy 127\.0\.0\.1:{defaults.dashboard_port} \{{"
        r"[^}]*flush_interval -1",
        caddy,
    )
    assert f"reverse_proxy 127.0.0.1:{defaults.webhook_port}" in caddy
    nginx = (root / "deploy" / "nginx-posko.conf").read_text("utf-8")
    dasbor = nginx.split("location /dasbor {", 1)[1].split("}", 1)[0]
    assert f"proxy_pass http://127.0.0.1:{defaults.dashboard_port};" in dasbor
    assert "proxy_buffering off;" in dasbor
    assert f"proxy_pass http://127.0.0.1:{defaults.webhook_port};" in nginx
    image = (root / "Dockerfile").read_text("utf-8")
    assert "DASHBOARD_LISTEN=0.0.0.0" in image
    assert f"EXPOSE {defaults.dashboard_port}" in image


async def test_a_silent_tinggi_kecamatan_is_flagged_first(
    posko: Posko, fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    """Issue 23 on the wall: what the map says to watch is flagged and comes first."""
    services = posko.services
    vmap = VulnerabilityMap((MappedKecamatan("Telen", MapLevel.TINGGI, ("akses sungai",)),))
    services.admin_settings.vulnerability = await services.kerawanan.store(
        vmap, "peta.csv", None, posko.clock()
    )
    session = await session_of(posko, fake, client)
    content = await client.get("/dasbor/api/content", headers={"Cookie": f"{COOKIE}={session}"})
    tiles = re.findall(r'<li class="tile [^"]*" data-kecamatan="([^"]+)"', content.text)
    assert tiles[0] == "Telen", tiles
    assert len(tiles) == 18
    assert content.text.count("⚠️ rawan tinggi, belum lapor") == 1
