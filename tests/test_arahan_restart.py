"""An arahan to hundreds of officers survives a restart in the middle of its delivery: the real
process (main.py) is stopped with SIGTERM, or killed with SIGKILL, and started again."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.broadcast import IN_FLIGHT
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from emulator.server import FloodLimits
from storage.db import Database
from storage.members import MemberRepo
from tests.harness import COORDINATION_CHAT_ID

ROOT = Path(__file__).resolve().parent.parent
KOORDINATOR = 5001
FIRST_OFFICER = 100_000


async def seed(db_path: Path, officers: int) -> None:
    """The koordinator and `officers` field officers over every kecamatan and jabatan."""
    from bot.regions import load_region

    names = load_region().kecamatan
    roles = (Role.CAMAT, Role.KAPOLSEK, Role.DANRAMIL)
    rows = [RosterRow(KOORDINATOR, Role.KOORDINATOR, None, "Kasat Intelkam")] + [
        RosterRow(FIRST_OFFICER + i, roles[i % 3], names[i % len(names)], f"Petugas {i}")
        for i in range(officers)
    ]
    db = await Database.open(db_path)
    try:
        await MemberRepo(db).import_roster(rows, datetime.now(UTC), None)
    finally:
        await db.close()


async def start(fake: FakeTelegram, db_path: Path, log: Path) -> asyncio.subprocess.Process:
    env = {
        "PATH": os.environ.get("PATH", ""),
        "TELEGRAM_BOT_TOKEN": fake.token,
        "TELEGRAM_API_URL": fake.url,
        "DATABASE_PATH": str(db_path),
        "ADMIN_IDS": "1001",
        "COORDINATION_CHAT_ID": str(COORDINATION_CHAT_ID),
        "LOG_LEVEL": "WARNING",
    }
    with log.open("ab") as handle:
        return await asyncio.create_subprocess_exec(
            sys.executable, str(ROOT / "main.py"), cwd=db_path.parent, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=handle,
        )  # fmt: skip


def copies(officers: list[FakeUser]) -> Counter[int]:
    """Officer -> copies of arahan #1 the bot delivered to them."""
    return Counter(
        user.id for user in officers for m in user.messages if m.text.startswith("📢 ARAHAN #1")
    )


def recorded(db_path: Path) -> dict[str, int]:
    with sqlite3.connect(db_path) as db:
        return dict(
            db.execute("SELECT state, COUNT(*) FROM arahan_recipients GROUP BY state").fetchall()
        )


async def send_to_everyone(fake: FakeTelegram, koordinator: FakeUser) -> None:
    """The koordinator's one-line arahan to every officer, then ✅ Kirim on its preview."""
    await koordinator.send("/arahan semua | Apel siaga pukul 19.00 di kantor camat")
    await fake.wait_until(lambda: any("Pratinjau" in t for t in koordinator.texts()), 30)
    preview = next(m for m in koordinator.messages if "Pratinjau" in m.text)
    await koordinator.press("✅ Kirim", preview)


async def stopped(process: asyncio.subprocess.Process, log: Path) -> int:
    try:
        return await asyncio.wait_for(process.wait(), timeout=15)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
            print(log.read_bytes().decode(errors="replace"))  # noqa: ASYNC240


@pytest.mark.timeout(180)
async def test_sigterm_in_the_middle_of_500_gives_each_exactly_one_copy(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path, log = tmp_path / "posko.db", tmp_path / "bot.log"
    await seed(db_path, 500)
    fake.add_group(COORDINATION_CHAT_ID)
    fake.enable_flood_limits(FloodLimits())  # Telegram's 30 a second overall
    koordinator = fake.add_user(KOORDINATOR, "Kasat")
    officers = [fake.add_user(FIRST_OFFICER + i, f"P{i}") for i in range(500)]
    process = await start(fake, db_path, log)
    await send_to_everyone(fake, koordinator)
    await fake.wait_until(lambda: sum(copies(officers).values()) >= 150, timeout=60)
    process.send_signal(signal.SIGTERM)
    assert await stopped(process, log) == 0, log.read_text(errors="replace")
    before = copies(officers)
    assert 150 <= sum(before.values()) < 500, "stopped in the middle of the round"
    assert set(before.values()) == {1}
    assert recorded(db_path) == {"delivered": len(before), "pending": 500 - len(before)}, (
        "every copy Telegram took is recorded, none more"
    )

    process = await start(fake, db_path, log)
    await fake.wait_until(lambda: len(copies(officers)) == 500, timeout=90)

    def tallies() -> list[str]:
        return [m.text for m in koordinator.messages if m.text.startswith("📢 Arahan #1 ")]

    # The tally's last edit comes within its 5 seconds; anything sent twice would be here too.
    await fake.wait_until(lambda: "📊 Dipahami 0/500 · belum 500\n" in tallies()[0], 10)
    await asyncio.sleep(0.5)
    process.send_signal(signal.SIGTERM)
    assert await stopped(process, log) == 0
    after = copies(officers)
    assert len(after) == 500, "none never"
    assert set(after.values()) == {1}, "none twice"
    assert recorded(db_path) == {"delivered": 500}
    assert fake.rejected_429 == 0, "at Telegram's pace"
    assert len(tallies()) == 1, "one live tally, edited"


@pytest.mark.timeout(180)
async def test_kill_9_repeats_at_most_the_copies_in_flight(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    db_path, log = tmp_path / "posko.db", tmp_path / "bot.log"
    await seed(db_path, 200)
    fake.add_group(COORDINATION_CHAT_ID)
    koordinator = fake.add_user(KOORDINATOR, "Kasat")
    officers = [fake.add_user(FIRST_OFFICER + i, f"P{i}") for i in range(200)]
    process = await start(fake, db_path, log)
    await send_to_everyone(fake, koordinator)
    await fake.wait_until(lambda: sum(copies(officers).values()) >= 60, timeout=60)
    process.send_signal(signal.SIGKILL)
    await process.wait()
    process = await start(fake, db_path, log)
    await fake.wait_until(lambda: len(copies(officers)) == 200, timeout=90)
    await asyncio.sleep(1.0)
    process.send_signal(signal.SIGTERM)
    assert await stopped(process, log) == 0
    after = copies(officers)
    assert len(after) == 200, "none never"
    repeated = [user_id for user_id, count in after.items() if count > 1]
    assert len(repeated) <= IN_FLIGHT, f"only the copies in flight may repeat: {repeated}"
    assert max(after.values()) <= 2
    assert recorded(db_path) == {"delivered": 200}
