"""The dashboard in main.py as operators run it: its address in the log, and a stop that stays
within the bound with screens open."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import time
from pathlib import Path

import httpx

from bot.runner import STOP_WITHIN
from emulator import FakeTelegram
from handlers.dashboard.server import COOKIE
from tests.handlers.dashboard.conftest import link_in
from tests.harness import ADMIN_ID
from tests.processes import free_port

ROOT = Path(__file__).resolve().parents[3]


async def test_main_logs_the_address_and_stops_in_time_with_a_screen_open(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_PATH": str(tmp_path / "posko.db"),
        "ADMIN_IDS": str(ADMIN_ID),
        "DASHBOARD_PORT": str(port),
    }
    admin = fake.add_user(ADMIN_ID, "Operator")
    process = await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "main.py"), cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stderr is not None
    log: list[str] = []
    try:
        address = f"Dashboard at http://127.0.0.1:{port}/dasbor"
        async with asyncio.timeout(30):
            while not any(address in line for line in log):
                log.append((await process.stderr.readline()).decode())
        await admin.send("/dasbor")
        await admin.chat.wait_for_messages(1)
        secret = link_in(admin.last_message()).split("#", 1)[1]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=10) as http:
            signed_in = await http.post("/dasbor/api/signin", json={"token": secret})
            assert signed_in.status_code == 204
            cookie = {"Cookie": f"{COOKIE}={signed_in.cookies[COOKIE]}"}
            async with http.stream("GET", "/dasbor/api/events", headers=cookie) as stream:
                lines = stream.aiter_lines()
                assert (await anext(lines)).startswith("retry:")
                started = time.monotonic()
                process.send_signal(signal.SIGTERM)
                async for _ in lines:  # the server closes the stream as it stops
                    pass
            await asyncio.wait_for(process.wait(), STOP_WITHIN + 2)
            took = time.monotonic() - started
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    rest = (await process.stderr.read()).decode()
    assert process.returncode == 0, rest
    assert took < STOP_WITHIN
    assert "Traceback" not in "".join(log) + rest
