import asyncio
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.error import BadRequest

from bot.digest_jobs import latest_slot, post_digest_slot, slot_key
from bot.services import system_clock
from tests.conftest import Enlist
from tests.fakebot import FakeChat, FakeTelegram
from tests.harness import COORDINATION_CHAT_ID, Posko, make_settings

WITA = ZoneInfo("Asia/Makassar")


def test_latest_slot() -> None:
    now = datetime(2024, 11, 27, 7, 0, 5, tzinfo=WITA)
    assert latest_slot(now, time(7)) == datetime(2024, 11, 27, 7, 0, tzinfo=WITA)
    assert latest_slot(now, time(19)) == datetime(2024, 11, 26, 19, 0, tzinfo=WITA)
    assert slot_key(datetime(2024, 11, 27, 7, 0, tzinfo=WITA)) == "2024-11-27 07:00"
    assert slot_key(datetime(2024, 11, 27, 7, 0, 30, tzinfo=WITA)) == "2024-11-27 07:00:30"


async def test_a_slot_is_posted_once(posko: Posko, enlist: Enlist, group: FakeChat) -> None:
    officer = await enlist(2001, "camat", "Kaubun")
    await officer.send("/lapor waspada ada baliho dirusak")
    slot = datetime(2024, 11, 27, 19, 0, tzinfo=WITA)
    assert await post_digest_slot(posko.app.bot, posko.services, slot)
    assert not await post_digest_slot(posko.app.bot, posko.services, slot)
    [digest] = group.messages
    assert "Periode: 00:00–19:00 WITA" in digest.text
    assert "🟡 Kaubun — 1 laporan · C✅ K❌ D❌" in digest.text
    record = await posko.services.digests.get("2024-11-27 19:00")
    assert record is not None
    assert record.state == "sent"


async def test_a_failed_post_releases_the_slot(posko: Posko, fake: FakeTelegram) -> None:
    slot = datetime(2024, 11, 27, 7, 0, tzinfo=WITA)
    with pytest.raises(
        BadRequest, match=r"(?i)chat not found"
    ):  # the group is unknown to Telegram
        await post_digest_slot(posko.app.bot, posko.services, slot)
    assert await posko.services.digests.get(slot_key(slot)) is None
    group = fake.add_group(COORDINATION_CHAT_ID)
    assert await post_digest_slot(posko.app.bot, posko.services, slot)
    assert len(group.messages) == 1


async def test_restart_keeps_data_and_does_not_repeat_a_posted_slot(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor aman")
    slot = datetime(2024, 11, 27, 7, 0, tzinfo=WITA)
    assert await post_digest_slot(posko.app.bot, posko.services, slot)
    await posko.restart()
    assert await posko.services.reports.count() == 1
    assert not await post_digest_slot(posko.app.bot, posko.services, slot)
    assert len(group.messages) == 1
    await officer.send("/lapor aman")
    assert "Laporan #2 diterima" in officer.last_message().text


async def test_the_scheduler_fires_the_digest(
    fake: FakeTelegram, db_path: Path, group: FakeChat
) -> None:
    # Far enough ahead that start-up is done before the slot, even on a busy machine.
    slot = (datetime.now(WITA) + timedelta(seconds=3)).replace(microsecond=0)
    soon = slot.time()
    settings = make_settings(fake, db_path, digest_times=(soon,))
    bot = Posko(fake, settings, clock=system_clock)
    await bot.start()
    try:
        [digest] = await group.wait_for_messages(1, timeout=10)
        assert "Rekap Kondisi Wilayah" in digest.text
        async with asyncio.timeout(5):  # the job marks the slot right after sending
            while not (rows := await bot.services.db.fetchall(
                "SELECT slot FROM digest_slots WHERE state = 'sent'"
            )):  # fmt: skip
                await asyncio.sleep(0.05)
        assert [r["slot"] for r in rows] == [slot_key(slot)]
        await asyncio.sleep(0.5)
        assert len(group.messages) == 1
    finally:
        await bot.stop()


async def test_one_job_per_digest_time(posko: Posko) -> None:
    all_jobs = posko.app.job_queue.jobs() if posko.app.job_queue else ()
    jobs = [job for job in all_jobs if (job.name or "").startswith("digest")]
    names = sorted(job.name or "" for job in jobs)
    assert names == ["digest 07:00", "digest 19:00"]
    for job in jobs:
        assert job.job.misfire_grace_time is not None
        assert job.job.misfire_grace_time >= 60
        next_run = job.next_t
        assert next_run is not None
        assert next_run.astimezone(WITA).time() in (time(7), time(19))
