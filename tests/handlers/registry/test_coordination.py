"""The coordination group: following a supergroup migration, and Telegram's flood limits."""

import asyncio
from pathlib import Path

from bot.ratelimit import RateLimits
from emulator import FakeChat, FakeTelegram
from emulator.server import FloodLimits
from tests.conftest import Enlist
from tests.harness import COORDINATION_CHAT_ID, FakeClock, Posko, make_settings


async def test_migration_service_message_moves_the_group(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram
) -> None:
    supergroup = fake.migrate_group(COORDINATION_CHAT_ID, -1009876543210)
    member = fake.add_user(4001)
    await member.send(
        "", chat=group, migrate_to_chat_id=supergroup.id
    )  # Telegram's service message
    assert posko.services.coordination_chat_id == supergroup.id
    await posko.restart()
    assert posko.services.coordination_chat_id == supergroup.id
    officer = await enlist(2001)
    await officer.send("/lapor darurat jalan ditutup massa")
    assert "DARURAT" in supergroup.last_message().text


async def test_a_send_to_the_old_group_is_resent_to_the_new_one(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram
) -> None:
    supergroup = fake.migrate_group(COORDINATION_CHAT_ID, -1009876543210)
    officer = await enlist(2001)
    await officer.send("/lapor rawan massa berkumpul")
    assert "RAWAN · Laporan #1" in supergroup.last_message().text
    assert posko.services.coordination_chat_id == supergroup.id
    assert "Laporan #1 tercatat" in officer.last_message().text


async def test_a_burst_over_the_group_limit_arrives_complete_and_in_order(
    fake: FakeTelegram, db_path: Path, group: FakeChat, clock: FakeClock
) -> None:
    """Limits scaled down (5 per 2 s instead of 20 per 60 s) so the test runs in seconds."""
    fake.enable_flood_limits(FloodLimits(group_messages=5, group_window=2.0))
    limits = RateLimits(group_messages=5, group_window=2.0)
    bot = Posko(fake, make_settings(fake, db_path), clock, rate_limits=limits)
    await bot.start()
    try:
        officers = [await _officer(bot, fake, 2000 + i) for i in range(8)]
        for i, officer in enumerate(officers):
            await officer.send(f"/lapor darurat kejadian nomor {i}", wait=False)
        await group.wait_for_messages(8, timeout=30)
        numbers = [m.text.splitlines()[0] for m in group.messages]
        assert numbers == [f"🔴 DARURAT · Laporan #{i}" for i in range(1, 9)]
        assert fake.rejected_429 == 0, "the bot never exceeded the limit itself"
        sent_at = [c for c in fake.calls if c.method == "sendMessage" and c.params.get(
            "chat_id") == COORDINATION_CHAT_ID]  # fmt: skip
        assert len(sent_at) == 8
    finally:
        await asyncio.sleep(0)
        await bot.stop()


async def test_a_429_is_waited_out_and_retried(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram
) -> None:
    fake.fail_next("sendMessage", 429, "Too Many Requests: retry after 1", retry_after=1)
    officer = await enlist(2001)
    await officer.send("/lapor aman")
    assert "Laporan #1 tercatat" in officer.last_message().text


async def _officer(posko: Posko, fake: FakeTelegram, user_id: int):  # type: ignore[no-untyped-def]
    from domain.enums import Role
    from domain.members import RosterRow

    region = posko.services.region.kecamatan
    await posko.services.members.save(
        RosterRow(user_id, Role.CAMAT, region[user_id % 18], f"P{user_id}"), posko.clock(), None
    )
    return fake.add_user(user_id)
