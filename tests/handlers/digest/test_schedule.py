import asyncio
import logging
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.error import NetworkError

from bot.services import system_clock
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser
from handlers.digest.schedule import catch_up, latest_slot, post_digest, send_reminders, slot_key
from storage.config import FIRST_STARTED_AT
from storage.db import to_sql_time
from tests.conftest import Enlist
from tests.harness import COORDINATION_CHAT_ID, FakeClock, Posko, make_settings

WITA = ZoneInfo("Asia/Makassar")


def wita(hour: int, minute: int = 0, day: int = 27) -> datetime:
    return datetime(2024, 11, day, hour, minute, tzinfo=WITA)


async def started_long_ago(
    posko: Posko, moment: datetime = datetime(2024, 11, 1, tzinfo=UTC)
) -> None:
    """Pretend the bot has been in service since `moment` (so missed slots are caught up)."""
    await posko.services.config.set(FIRST_STARTED_AT, to_sql_time(moment), moment, None)
    posko.services.admin_settings.first_started_at = moment


def test_slots() -> None:
    now = wita(7, 0).replace(second=5)
    assert latest_slot(now, time(7)) == wita(7)
    assert latest_slot(now, time(19)) == wita(19, day=26)
    assert slot_key("digest", wita(7)) == "digest 2024-11-27 07:00"
    assert slot_key("digest", wita(7).replace(second=30)) == "digest 2024-11-27 07:00:30"


async def test_a_slot_is_posted_once(posko: Posko, enlist: Enlist, group: FakeChat) -> None:
    officer = await enlist(2001, "camat", "Kaubun")
    await officer.send("/lapor waspada ada baliho dirusak")
    assert await post_digest(posko.app.bot, posko.services, wita(19), late=False)
    assert not await post_digest(posko.app.bot, posko.services, wita(19), late=False)
    [digest] = group.messages
    assert "· 00.00–19.00 WITA" in digest.text
    assert "🟡 Kaubun — Waspada (1 laporan)" in digest.text
    assert "Terlambat" not in digest.text


async def test_interrupted_digest_resumes_without_repeating_parts(
    posko: Posko, group: FakeChat, fake: FakeTelegram
) -> None:
    services = posko.services
    region = services.region.kecamatan
    for i in range(6 * len(region)):  # named in full (6 a kecamatan): a digest of several parts
        await services.members.save(
            RosterRow(7000 + i, Role.CAMAT, region[i % len(region)],
                      f"Petugas Dengan Nama Yang Sangat Panjang Untuk Uji Pemecahan Nomor {i}"),
            posko.clock(), None,
        )  # fmt: skip
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", skip=1)  # part 1 goes, part 2 fails
    with pytest.raises(NetworkError, match=r"(?i)bad gateway"):
        await post_digest(posko.app.bot, services, wita(19), late=False)
    record = await services.slots.get("digest 2024-11-27 19:00")
    assert record is not None
    assert len(record.parts) >= 3
    assert (record.state, record.parts_sent) == ("sending", 1)
    await posko.restart()
    await started_long_ago(posko, wita(18))  # so only the 19:00 slot is due
    await catch_up(posko.app.bot, posko.services)
    assert [m.html for m in group.messages] == record.parts, "each part exactly once, in order"


async def test_crash_after_the_last_part_before_recording_it(
    posko: Posko, group: FakeChat
) -> None:
    """Every part was delivered and recorded, but the final 'sent' mark was not."""
    services = posko.services
    key = "digest 2024-11-27 07:00"
    await services.slots.claim(key, "digest", COORDINATION_CHAT_ID, ["satu", "dua"], posko.clock())
    await services.slots.part_sent(key, 2)
    await started_long_ago(posko)
    await catch_up(posko.app.bot, services)
    assert group.messages == [], "nothing is sent again"
    record = await services.slots.get(key)
    assert record is not None
    assert record.state == "sent"


async def test_restart_keeps_data_and_does_not_repeat_a_posted_slot(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor aman")
    assert await post_digest(posko.app.bot, posko.services, wita(7), late=False)
    await posko.restart()
    assert await posko.services.reports.count() == 1
    await catch_up(posko.app.bot, posko.services)
    assert not await post_digest(posko.app.bot, posko.services, wita(7), late=False)
    assert len(group.messages) == 1
    await officer.send("/lapor aman")
    assert "Laporan #2 tercatat" in officer.last_message().text


async def test_a_missed_slot_is_posted_once_marked_late(
    posko: Posko, group: FakeChat, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    await started_long_ago(posko)
    clock.set(wita(10))  # the bot was down at 07:00; yesterday's 19:00 is 15 hours ago
    with caplog.at_level(logging.WARNING):
        await catch_up(posko.app.bot, posko.services)
    [late] = group.messages
    assert "⏰ Terlambat — jadwal 07.00 WITA" in late.text
    assert "· 00.00–07.00 WITA" in late.text
    assert "digest 2024-11-26 19:00 was missed by more than 12 hours; skipped" in caplog.text
    await posko.restart()
    await catch_up(posko.app.bot, posko.services)
    assert len(group.messages) == 1, "posted once"


async def test_a_restart_before_the_slot_posts_nothing_early(
    posko: Posko, group: FakeChat, clock: FakeClock
) -> None:
    await started_long_ago(posko)
    clock.set(wita(6, 59))
    await posko.services.slots.mark("digest 2024-11-26 19:00", "sent", clock())
    await posko.restart()
    await catch_up(posko.app.bot, posko.services)
    assert group.messages == []
    clock.set(wita(7, 0).replace(second=3))
    queue = posko.app.job_queue
    assert queue is not None
    [job] = queue.get_jobs_by_name("digest 07:00")
    await job.run(posko.app)  # what the scheduler does at 07:00
    await catch_up(posko.app.bot, posko.services)
    [digest] = group.messages
    assert "Terlambat" not in digest.text


async def test_no_catch_up_before_the_bot_existed(
    posko: Posko, group: FakeChat, clock: FakeClock
) -> None:
    clock.set(wita(10))
    await catch_up(posko.app.bot, posko.services)
    assert group.messages == [], "the 07:00 slot predates the first start"


async def test_the_scheduler_fires_the_digest(
    fake: FakeTelegram, db_path: Path, group: FakeChat
) -> None:
    # Far enough ahead that start-up is done before the slot, even on a busy machine.
    slot = (datetime.now(WITA) + timedelta(seconds=3)).replace(microsecond=0)
    settings = make_settings(fake, db_path, digest_times=(slot.time(),))
    bot = Posko(fake, settings, clock=system_clock)
    await bot.start()
    try:
        [digest] = await group.wait_for_messages(1, timeout=10)
        assert "Rekap Kondisi Wilayah" in digest.text
        async with asyncio.timeout(5):  # the job marks the slot right after sending
            while (record := await bot.services.slots.get(slot_key("digest", slot))) is None or (
                record.state != "sent"
            ):
                await asyncio.sleep(0.05)
        await asyncio.sleep(0.5)
        assert len(group.messages) == 1
    finally:
        await bot.stop()


async def test_jobs_tolerate_lateness(posko: Posko) -> None:
    queue = posko.app.job_queue
    assert queue is not None
    jobs = [j for j in queue.jobs() if (j.name or "").startswith(("digest", "pengingat"))]
    assert sorted(j.name or "" for j in jobs) == [
        "digest 07:00",
        "digest 19:00",
        "pengingat 16:00",
    ]
    for job in jobs:
        assert job.job.misfire_grace_time is not None
        assert job.job.misfire_grace_time >= 12 * 3600
        assert job.next_t is not None
        assert job.next_t.astimezone(WITA).time() in (time(7), time(19), time(16))


async def test_reminders_reach_exactly_who_has_not_reported(
    posko: Posko, enlist: Enlist, admin: FakeUser, fake: FakeTelegram, clock: FakeClock
) -> None:
    reported = await enlist(2001, "camat", "Bengalon", "Sudah")
    silent = await enlist(2002, "kapolsek", "Bengalon", "Belum")
    blocked = await enlist(2003, "danramil", "Busang", "Blokir")
    yesterday_only = await enlist(2004, "camat", "Busang", "Kemarin")
    kasat = await enlist(5001, "koordinator", "-", "Kasat")
    clock.set(wita(8, day=26))
    await yesterday_only.send("/lapor aman")
    clock.set(wita(9))
    await reported.send("/lapor aman")
    fake.blocked.add(2003)
    clock.set(wita(16))
    sent = await send_reminders(posko.app.bot, posko.services, wita(16))
    assert sent == (2, 1, 0)
    for user in (silent, yesterday_only):
        assert user.last_message().text.startswith("🔔 Pengingat laporan\nBapak/Ibu ")
        assert user.last_message().button_texts() == [
            "🟢 Nihil (tidak ada kejadian)", "📝 Lapor kejadian"]  # fmt: skip
    assert not any("Pengingat" in t for t in reported.texts() + kasat.texts() + blocked.texts())
    assert admin.last_message().text == (
        "⏰ Pengingat 16.00 WITA: 2 petugas diingatkan (1 memblokir bot)."
    )
    member = await posko.services.members.get(2003)
    assert member is not None
    assert member.blocked_at is not None
    assert await send_reminders(posko.app.bot, posko.services, wita(16)) == (0, 0, 0)
    assert len(silent.messages) == 1, "once per slot"
    fake.blocked.discard(2003)
    await blocked.send("/bantuan")  # writing again clears the mark
    member = await posko.services.members.get(2003)
    assert member is not None
    assert member.blocked_at is None


async def test_the_digest_follows_incidents_since_the_previous_digest(
    posko: Posko, enlist: Enlist, group: FakeChat, clock: FakeClock
) -> None:
    officer = await enlist(2001, "camat", "Kaubun", "Budi")
    clock.set(wita(6))
    await officer.send("/lapor waspada isu politik uang")  # 1
    await officer.send("/lapor waspada baliho dirusak")  # 2
    await officer.send("/selesai 1 isu tidak terbukti")  # before the 07:00 digest
    clock.set(wita(8))
    await officer.send("/lapor rawan massa berkumpul di kantor PPK")  # 3
    clock.set(wita(9, 5))
    await officer.send("/selesai 3 massa sudah bubar")
    clock.set(wita(19))
    assert await post_digest(posko.app.bot, posko.services, wita(19), late=False)
    digest = group.messages[-1].text.splitlines()
    opened = digest.index("🚨 Insiden terbuka (1)")
    assert digest[opened + 1] == (
        "#2 🟡 Kaubun · 13 jam · 🆕 Baru · 💤 13 jam tanpa perkembangan"
    ), "open for longer than INCIDENT_STALE_HOURS without an update"
    resolved = digest.index("✅ Selesai sejak rekap 07.00 WITA (1)")
    assert digest[resolved + 1] == "#3 🟠 Kaubun · selesai dalam 1 jam 5 menit: massa sudah bubar"
    assert not any(line.startswith("#1 ") for line in digest)
    assert "🟡 Kaubun — Waspada (3 laporan)" in digest


async def test_a_stopping_bot_leaves_the_rest_of_the_round_to_the_catch_up(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    """A stop starts no new reminder, lets those under way finish, and leaves the round
    unfinished; the catch-up reminds the others, nobody twice."""
    officers = [await enlist(3000 + i, "camat", f"Kecamatan {i}") for i in range(40)]
    clock.set(wita(16))
    started = 0

    def keep_going() -> bool:
        nonlocal started
        started += 1
        return started <= 15

    sent = await send_reminders(posko.app.bot, posko.services, wita(16), keep_going)
    assert sent == (15, 0, 0), "the 15 started, under way at the stop, were sent"
    record = await posko.services.slots.get("reminder 2024-11-27 16:00")
    assert record is not None
    assert record.state == "sending"
    assert not any("diingatkan" in text for text in admin.texts()), "no summary yet"
    clock.set(wita(16, 5))
    resumed = 0

    def keep_going_again() -> bool:  # a stop comes during the catch-up's pass too
        nonlocal resumed
        resumed += 1
        return resumed <= 10

    await catch_up(posko.app.bot, posko.services, keep_going_again)
    assert sum(len(officer.messages) for officer in officers) == 25
    assert not any("diingatkan" in text for text in admin.texts()), "still no summary"
    clock.set(wita(16, 10))
    await catch_up(posko.app.bot, posko.services)
    assert [len(officer.messages) for officer in officers] == [1] * 40
    assert "40 petugas diingatkan" in admin.last_message().text, "every pass counted"
