"""Operations: backups and restore, integrity at start-up, webhook mode, stopping under load."""

import asyncio
import os
import re
import signal
import sqlite3
import sys
import time
from pathlib import Path

import aiohttp
from hypothesis import given
from hypothesis import strategies as st

from emulator import FakeTelegram, FakeUser
from handlers.admin.backup import daily_backup_job  # noqa: F401 - the job under test
from storage.db import load_migrations
from storage.queries import fts_query
from tests.conftest import Enlist
from tests.harness import COORDINATION_CHAT_ID, FakeClock, Posko, make_settings
from tests.processes import communicate, free_port

ROOT = Path(__file__).resolve().parent.parent


async def test_backup_and_restore(
    posko: Posko, enlist: Enlist, admin: FakeUser, fake: FakeTelegram, tmp_path: Path
) -> None:
    officer = await enlist(2001, "camat", "Bengalon", "Budi")
    await officer.send("/lapor waspada sebelum cadangan")
    await admin.send("/cadangan")
    document = admin.last_message()
    assert document.params["document"]["filename"].startswith("posko-cadangan-20241127-")
    assert "Cadangan basis data Posko" in document.text
    backup = tmp_path / "restore" / "posko.db"
    backup.parent.mkdir()
    backup.write_bytes(bytes(document.params["document"]["content"]))
    await officer.send("/lapor waspada sesudah cadangan")  # not in the backup
    await posko.stop()
    # Restore (README, Operations): stop the bot, put the backup at DATABASE_PATH, start.
    restored = Posko(fake, make_settings(fake, backup))
    await restored.start()
    try:
        assert await restored.services.reports.count() == 1
        report = await restored.services.reports.get(1)
        assert report is not None
        assert report.text == "sebelum cadangan"
        await officer.send("/lapor aman")
        assert "Laporan #2 tercatat" in officer.last_message().text
    finally:
        await restored.stop()


async def test_daily_backups_keep_the_newest(
    fake: FakeTelegram, db_path: Path, tmp_path: Path, clock: FakeClock
) -> None:
    folder = tmp_path / "backups"
    bot = Posko(fake, make_settings(fake, db_path, backup_dir=folder, backup_keep=3), clock)
    await bot.start()
    try:
        queue = bot.app.job_queue
        assert queue is not None
        [job] = queue.get_jobs_by_name("daily backup")
        for _ in range(5):
            await job.run(bot.app)
            clock.advance(days=1)
        files = sorted(folder.glob("posko-*.db"))
        assert [f.name for f in files] == [
            "posko-20241129-100000.db",
            "posko-20241130-100000.db",
            "posko-20241201-100000.db",
        ]
        for file in files:
            with sqlite3.connect(file) as db:
                assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    finally:
        await bot.stop()


def env_for(fake: FakeTelegram, tmp_path: Path, **extra: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DASHBOARD_PORT": "0",  # tests bind any free port, never 8080
        "DATABASE_PATH": str(tmp_path / "posko.db"),
        "ADMIN_IDS": "1001",
        "COORDINATION_CHAT_ID": str(COORDINATION_CHAT_ID),
        **extra,
    }


async def run_main(env: dict[str, str], cwd: Path) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "main.py"),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )


async def test_a_damaged_database_is_refused(fake: FakeTelegram, tmp_path: Path) -> None:
    (tmp_path / "posko.db").write_bytes(b"SQLite format 3\x00" + os.urandom(8000))
    process = await run_main(env_for(fake, tmp_path), tmp_path)
    _, stderr = await asyncio.wait_for(process.communicate(), timeout=30)
    assert process.returncode == 3
    [line] = stderr.decode().strip().splitlines()
    assert line.startswith("Database error:")
    assert "restore the latest backup" in line
    assert fake.calls == []


async def test_a_database_newer_than_the_code_is_refused(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Rolling back to an older version: the newer schema is left alone, the bot does not run."""
    newer = len(load_migrations()) + 1
    with sqlite3.connect(tmp_path / "posko.db") as db:
        db.execute("CREATE TABLE from_the_future (x INTEGER)")
        db.execute(f"PRAGMA user_version = {newer}")
    db.close()
    process = await run_main(env_for(fake, tmp_path), tmp_path)
    _, stderr = await communicate(process, timeout=30)
    assert process.returncode == 3
    [line] = stderr.decode().strip().splitlines()
    assert line.startswith("Database error:")
    assert f"schema version {newer}, newer than this version of Posko knows" in line
    assert fake.calls == []
    with sqlite3.connect(tmp_path / "posko.db") as db:
        assert db.execute("PRAGMA user_version").fetchone() == (newer,)
    db.close()


async def test_webhook_mode_checks_the_secret(fake: FakeTelegram, tmp_path: Path) -> None:
    port = free_port()
    secret = "rahasia-webhook-0123456789"
    env = env_for(
        fake,
        tmp_path,
        WEBHOOK_URL=f"http://127.0.0.1:{port}",
        WEBHOOK_SECRET=secret,  # WEBHOOK_LISTEN left at its default, 127.0.0.1
        WEBHOOK_PORT=str(port),
        LOG_LEVEL="DEBUG",
    )
    user = fake.add_user(4001, "Rina")
    process = await run_main(env, tmp_path)
    try:
        await fake.wait_until(lambda: fake.webhook is not None, timeout=20)
        assert fake.webhook is not None
        assert fake.webhook["secret_token"] == secret
        update = {"update_id": 1, "message": fake.new_message(user.chat, user.data, text="/start")}
        url = f"http://127.0.0.1:{port}/telegram"
        async with asyncio.timeout(20):  # the webhook server may still be starting
            while True:
                try:
                    _, writer = await asyncio.open_connection("127.0.0.1", port)
                    writer.close()
                    await writer.wait_closed()
                    break
                except OSError:
                    await asyncio.sleep(0.1)
        async with aiohttp.ClientSession() as http:
            for headers in ({}, {"X-Telegram-Bot-Api-Secret-Token": "salah"}):
                async with http.post(url, json=update, headers=headers) as response:
                    assert response.status == 403
            assert user.messages == []
            good = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with http.post(url, json=update, headers=good) as response:
                assert response.status == 200
        await user.chat.wait_for_messages(1, timeout=10)
        assert "Selamat datang" in user.last_message().text
    finally:
        process.send_signal(signal.SIGTERM)
        stdout, stderr = await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0
    log = (stdout + stderr).decode()
    assert secret not in log
    assert fake.token not in log


async def test_sigterm_during_a_burst_drains_and_exits(fake: FakeTelegram, tmp_path: Path) -> None:
    env = env_for(fake, tmp_path)
    admin = fake.add_user(1001, "Admin")
    fake.add_group(COORDINATION_CHAT_ID)
    process = await run_main(env, tmp_path)
    await admin.send("/tambah 2001 | camat | Bengalon | Budi")
    officer = fake.add_user(2001, "Budi")
    for i in range(30):
        await officer.send(f"/lapor darurat kejadian {i}", wait=False)
    await asyncio.sleep(0.3)
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.communicate(), timeout=10)
    assert process.returncode == 0
    with sqlite3.connect(tmp_path / "posko.db") as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        stored = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        pending = db.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL").fetchone()[0]
    receipts = [m for m in officer.messages if "tercatat" in m.text]
    assert len(receipts) <= stored, "every receipt is backed by a stored report"
    assert stored + pending + len(fake.pending_updates) >= 30, "nothing dropped on the floor"


def receipt_numbers(user: FakeUser) -> set[int]:
    return {int(n) for m in user.messages for n in re.findall(r"Laporan #(\d+) tercatat", m.text)}


def inbox_counts(db_path: Path) -> tuple[int, int]:
    """(reports stored, updates pending in the inbox)."""
    with sqlite3.connect(db_path) as db:
        stored = db.execute("SELECT COUNT(*) FROM reports").fetchone()[0]
        pending = db.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL").fetchone()[0]
    db.close()
    return int(stored), int(pending)


async def reports_in_flight(
    fake: FakeTelegram, env: dict[str, str], cwd: Path
) -> tuple[asyncio.subprocess.Process, FakeUser]:
    """main.py running, an officer's 30 reports sent at once, the first receipted."""
    admin = fake.add_user(1001, "Admin")
    process = await run_main(env, cwd)
    await admin.send("/tambah 2001 | camat | Bengalon | Budi")
    officer = fake.add_user(2001, "Budi")
    for i in range(30):
        await officer.send(f"/lapor waspada kejadian {i}", wait=False)
    await fake.wait_until(lambda: bool(receipt_numbers(officer)), timeout=20)
    return process, officer


async def sigterm_within(process: asyncio.subprocess.Process, seconds: float) -> bytes:
    """Sends SIGTERM; checks the process exited cleanly within `seconds`; returns its stderr."""
    started = time.monotonic()
    process.send_signal(signal.SIGTERM)
    _, stderr = await communicate(process, timeout=seconds + 10)
    elapsed = time.monotonic() - started
    assert process.returncode == 0, stderr.decode()[-2000:]
    assert elapsed < seconds, f"took {elapsed:.1f} s to exit after SIGTERM"
    return stderr


async def test_sigterm_with_telegram_not_answering_exits_in_time_and_loses_nothing(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    """Telegram stops answering with reports in flight: SIGTERM still ends the process within
    the 8 s bound (docker sends SIGKILL after 10 s); what was interrupted stays in the inbox and
    is handled at the next start: every report stored once, every officer receipted."""
    env = env_for(fake, tmp_path)
    process, officer = await reports_in_flight(fake, env, tmp_path)
    fake.hang()
    stderr = await sigterm_within(process, 10)
    stored, pending = inbox_counts(tmp_path / "posko.db")
    assert stored < 30, "the stop interrupted work (the case under test)"
    assert pending > 0
    assert "wait in the inbox for the next start" in stderr.decode()

    fake.resume()
    process = await run_main(env, tmp_path)
    try:
        await fake.wait_until(lambda: receipt_numbers(officer) == set(range(1, 31)), timeout=30)
        await fake.wait_until(lambda: not fake.pending_updates, timeout=10)
    finally:
        process.send_signal(signal.SIGTERM)
        _, stderr = await communicate(process, timeout=10)
    assert process.returncode == 0
    assert "left over from the previous run" in stderr.decode()
    with sqlite3.connect(tmp_path / "posko.db") as db:
        texts = [row[0] for row in db.execute("SELECT text FROM reports ORDER BY id")]
    db.close()
    assert sorted(texts) == sorted(f"kejadian {i}" for i in range(30)), "each stored once"
    assert inbox_counts(tmp_path / "posko.db") == (30, 0)


async def test_sigterm_with_telegram_unreachable_exits_in_time(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    env = env_for(fake, tmp_path)
    process, _ = await reports_in_flight(fake, env, tmp_path)
    await fake.stop()  # connections refused: every request fails and is retried
    await sigterm_within(process, 10)
    assert inbox_counts(tmp_path / "posko.db")[1] > 0


@given(st.text(max_size=200))
def test_search_queries_are_always_valid_fts(text: str) -> None:
    query = fts_query(text)
    if query is None:
        return
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE t USING fts5(body, tokenize='unicode61 remove_diacritics 2')")
    db.execute("INSERT INTO t VALUES ('blokade jalan')")
    db.execute("SELECT * FROM t WHERE t MATCH ?", (query,)).fetchall()  # never a syntax error
    db.close()
