"""kill -9 at random moments: no receipted report lost, none stored twice, database intact."""

import asyncio
import os
import random
import signal
import sqlite3
import sys
from pathlib import Path

import pytest

from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from storage.db import Database
from tests.harness import COORDINATION_CHAT_ID, DEFAULT_NOW

ROOT = Path(__file__).resolve().parent.parent
OFFICERS = 12
ROUNDS = 6
BURST = 25


async def seed(db_path: Path) -> None:
    db = await Database.open(db_path)
    try:
        for i in range(OFFICERS):
            await db_members(db).save(
                RosterRow(3000 + i, Role.CAMAT, "Bengalon", f"Petugas {i}"), DEFAULT_NOW, None
            )
    finally:
        await db.close()


def db_members(db: Database):  # type: ignore[no-untyped-def]
    from storage.members import MemberRepo

    return MemberRepo(db)


async def start(fake: FakeTelegram, db_path: Path, cwd: Path) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DASHBOARD_PORT": "0",  # tests bind any free port, never 8080
        "DATABASE_PATH": str(db_path),
        "ADMIN_IDS": "1001",
        "COORDINATION_CHAT_ID": str(COORDINATION_CHAT_ID),
        "LOG_LEVEL": "WARNING",
    }
    return await asyncio.create_subprocess_exec(
        sys.executable,
        str(ROOT / "main.py"),
        cwd=cwd,
        env=env,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )


def receipts(users: list[FakeUser]) -> dict[tuple[int, int], int]:
    """(chat, replied-to message) -> report number, from every receipt the bot sent."""
    found: dict[tuple[int, int], int] = {}
    for user in users:
        for message in user.messages:
            if "tercatat" in message.text and message.text.startswith("✅ Laporan #"):
                number = int(message.text.split("#")[1].split()[0])
                replied = message.params["reply_parameters"]["message_id"]
                assert found.setdefault((user.id, replied), number) == number, "one number each"
    return found


@pytest.mark.timeout(300)
async def test_kill_9_at_random_points(fake: FakeTelegram, tmp_path: Path) -> None:
    rng = random.Random(20241127)
    db_path = tmp_path / "posko.db"
    await seed(db_path)
    fake.add_group(COORDINATION_CHAT_ID)
    users = [fake.add_user(3000 + i, f"P{i}") for i in range(OFFICERS)]
    sent: list[tuple[int, int]] = []
    for _ in range(ROUNDS):
        process = await start(fake, db_path, tmp_path)
        for i in range(BURST):
            user = users[rng.randrange(OFFICERS)]
            level = rng.choice(["aman", "waspada kerumunan", "rawan blokade", "darurat bentrok"])
            update = await user.send(f"/lapor {level} {i}", wait=False)
            sent.append((user.id, update["message"]["message_id"]))
            if rng.random() < 0.3:
                await asyncio.sleep(rng.uniform(0, 0.05))
        await asyncio.sleep(rng.uniform(0.2, 2.0))  # start-up, mid-burst, or idle
        process.send_signal(signal.SIGKILL)
        await process.wait()
        before_restart = receipts(users)
        # Everything receipted so far is on disk, exactly once.
        with sqlite3.connect(db_path) as db:
            stored = {
                (chat, msg): number
                for number, chat, msg in db.execute(
                    "SELECT id, source_chat_id, source_message_id FROM reports"
                )
            }
        for key, number in before_restart.items():
            assert stored.get(key) == number, f"receipted report #{number} lost"

    # A last, undisturbed run handles whatever is left, then stops cleanly.
    process = await start(fake, db_path, tmp_path)
    await fake.wait_until(
        lambda: len(receipts(users)) == len(sent) and not fake.pending_updates, timeout=60
    )
    process.send_signal(signal.SIGTERM)
    assert await asyncio.wait_for(process.wait(), timeout=10) == 0
    with sqlite3.connect(db_path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT source_chat_id, source_message_id FROM reports").fetchall()
        pending = db.execute("SELECT COUNT(*) FROM inbox WHERE done_at IS NULL").fetchone()
    assert sorted(rows) == sorted(sent), "every report stored exactly once"
    assert pending == (0,)
    final = receipts(users)
    assert len(final) == len(sent)
    assert len(set(final.values())) == len(sent), "no number given to two reports"
