"""Telegram faults: 5xx, dropped connections, 429 — everything still arrives, once."""

import sqlite3
from collections import Counter
from pathlib import Path

import pytest

from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram
from handlers.digest.schedule import post_digest
from tests.harness import FakeClock, Posko, make_settings


@pytest.mark.timeout(120)
async def test_everything_arrives_once_through_a_flaky_api(
    fake: FakeTelegram, db_path: Path, group: FakeChat, clock: FakeClock
) -> None:
    bot = Posko(fake, make_settings(fake, db_path), clock)
    await bot.start()
    try:
        users = []
        for i in range(8):
            users.append(fake.add_user(2000 + i))
            await bot.services.members.save(
                RosterRow(2000 + i, Role.CAMAT, bot.services.region.kecamatan[i], f"P{i}"),
                clock(), None,
            )  # fmt: skip
        fake.enable_chaos(0.25, seed=7)
        for i, user in enumerate(users):
            level = "rawan blokade" if i % 2 else "aman"
            await user.send(f"/lapor {level} nomor {i}", wait=False)
        await fake.wait_until(lambda: all(u.messages for u in users), timeout=60)
        await fake.wait_until(lambda: len(group.messages) >= 4, timeout=60)
        from datetime import datetime
        from zoneinfo import ZoneInfo

        slot = datetime(2024, 11, 27, 10, 0, tzinfo=ZoneInfo("Asia/Makassar"))
        await post_digest(bot.app.bot, bot.services, slot, late=False)
        await bot.settle()
    finally:
        fake.enable_chaos(0.0)
        await bot.stop()
    assert sum(fake.chaos_faults.values()) >= 5, fake.chaos_faults
    receipts = Counter(m.text.split()[2] for u in users for m in u.messages)
    assert receipts == Counter({f"#{n}": 1 for n in range(1, 9)}), "one receipt per report"
    alerts = Counter(m.text.splitlines()[0] for m in group.messages if "Laporan #" in m.text)
    assert sorted(alerts.values()) == [1, 1, 1, 1], alerts
    assert sum("Rekap Kondisi Wilayah" in m.text for m in group.messages) == 1
    with sqlite3.connect(db_path) as db:
        assert db.execute("SELECT COUNT(*) FROM reports").fetchone() == (8,)
