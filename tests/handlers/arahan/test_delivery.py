"""Delivery: unreachable officers, Telegram failures, a stop in the middle of a round, a record
the database refused: each recipient gets exactly one copy."""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.ratelimit import RateLimits
from emulator import FakeChat, FakeTelegram, FakeUser
from handlers.arahan.runtime import runtime_of
from tests.conftest import Enlist
from tests.handlers.arahan.test_story import tally_line, tally_of
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko, make_settings


async def send_arahan(sender: FakeUser, line: str, *, wait: bool = True) -> None:
    """Sends a one-line arahan and presses ✅ Kirim on its preview."""
    await sender.send(f"/arahan {line}")
    await sender.press("✅ Kirim", sender.last_message(), wait=wait)


def copies(user: FakeUser) -> int:
    return sum(m.text.startswith("📢 ARAHAN #") for m in user.messages)


async def test_unreachable_officers_are_a_state_not_an_error(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    kasat = await add_coordinator(posko, fake)
    reached = [await enlist(2001 + i, "camat", kec, f"C{i}")
               for i, kec in enumerate(("Telen", "Busang", "Kaubun"))]  # fmt: skip
    blocked = await enlist(2010, "camat", "Karangan", "Diblokir")
    fake.blocked.add(blocked.id)
    never = await enlist(2011, "camat", "Kongbeng", "Belum Mulai")
    fake.not_started.add(never.id)
    await send_arahan(kasat, "camat | Laporkan kesiapan TPS")
    assert [copies(o) for o in reached] == [1, 1, 1]
    tally = tally_of(kasat)
    assert tally_line(tally) == "📊 Dipahami 0/5 · belum 3 · tidak terkirim 2"
    arahan = await posko.services.arahan.get(1)
    assert arahan is not None
    assert not arahan.sending, "the round finished"
    member = await posko.services.members.get(blocked.id)
    assert member is not None
    assert member.blocked_at is not None, "marked blocked, like a reminder round does"
    never_row = await posko.services.arahan.recipient(1, never.id)
    assert never_row is not None
    assert never_row.error == "Forbidden: bot can't initiate conversation with a user"
    await kasat.press("📋 Belum konfirmasi", tally)
    listing = kasat.last_message().text
    unreachable = (
        " (⚠️ tidak terkirim: belum membuka atau memblokir bot — minta beliau menekan /start)"
    )
    assert f"Camat: Diblokir{unreachable}" in listing
    assert f"Camat: Belum Mulai{unreachable}" in listing
    assert "Camat: C0" in listing


async def test_a_failing_copy_is_retried_by_the_catch_up_and_sent_once(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    kasat = await add_coordinator(posko, fake)
    steady = await enlist(2001, "kapolsek", "Telen", "Tetap")
    flaky = await enlist(2002, "kapolsek", "Busang", "Goyah")
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=flaky.id, count=2)
    await send_arahan(kasat, "kapolsek | Amankan rute distribusi")
    assert (copies(steady), copies(flaky)) == (1, 0)
    arahan = await posko.services.arahan.get(1)
    assert arahan is not None
    assert arahan.sending
    assert "sedang dikirim 1" in tally_line(tally_of(kasat))
    await posko.run_job("arahan catch up")  # fails again: attempt 2
    await posko.settle()
    assert copies(flaky) == 0
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert (copies(steady), copies(flaky)) == (1, 1)
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert (copies(steady), copies(flaky)) == (1, 1)
    row = await posko.services.arahan.recipient(1, flaky.id)
    assert row is not None
    assert row.attempts == 3
    assert tally_line(tally_of(kasat)) == "📊 Dipahami 0/2 · belum 2"


async def test_a_copy_whose_record_failed_is_recorded_not_sent_again(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, monkeypatch: pytest.MonkeyPatch
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "danramil", "Telen", "Eko")
    repo = posko.services.arahan
    original: Callable[..., Awaitable[bool]] = repo.delivered
    calls = [0]

    async def locked_once(*args: Any) -> bool:
        calls[0] += 1
        if calls[0] == 1:
            raise sqlite3.OperationalError("database is locked")
        return await original(*args)

    monkeypatch.setattr(repo, "delivered", locked_once)
    await send_arahan(kasat, "danramil Telen | Siaga")
    assert copies(officer) == 1
    assert runtime_of(posko.app.bot_data).unrecorded == {
        (1, officer.id): officer.messages[0].message_id
    }
    # The officer presses before the catch-up came by: the record is written then.
    await officer.press("✅ Dipahami", officer.messages[0])
    row = await repo.recipient(1, officer.id)
    assert row is not None
    assert (row.state.value, row.confirmed_at is not None) == ("delivered", True)
    await posko.run_job("arahan catch up")
    await posko.settle()
    assert copies(officer) == 1
    arahan = await repo.get(1)
    assert arahan is not None
    assert not arahan.sending
    assert tally_line(tally_of(kasat)) == "📊 Dipahami 1/1 · belum 0"


async def test_a_stop_in_the_middle_of_a_round_and_a_restart(
    fake: FakeTelegram, db_path: Path, clock: FakeClock
) -> None:
    """A stop starts no new copy and records those in flight; the next start resumes."""
    posko = Posko(fake, make_settings(fake, db_path), clock,
                  rate_limits=RateLimits(overall_messages=20))  # fmt: skip
    await posko.start()
    try:
        kasat = await add_coordinator(posko, fake)
        officers = [fake.add_user(10_000 + i, f"P{i}") for i in range(60)]
        from domain.enums import Role
        from domain.members import RosterRow

        await posko.services.members.import_roster(
            [RosterRow(o.id, Role.DANRAMIL, "Telen", f"Petugas {i}")
             for i, o in enumerate(officers)],
            clock(), None,
        )  # fmt: skip
        await send_arahan(kasat, "semua | Apel siaga pukul 19.00", wait=False)
        await fake.wait_until(lambda: sum(copies(o) for o in officers) >= 15, timeout=20)
        await posko.stop()
        delivered = sum(copies(o) for o in officers)
        assert delivered < 60, "stopped in the middle"
        pending = await _pending(db_path)
        assert pending == 60 - delivered, "every copy Telegram took is recorded"
        await posko.start()
        await fake.wait_until(lambda: all(copies(o) >= 1 for o in officers), timeout=30)
        await posko.settle()
        assert [copies(o) for o in officers] == [1] * 60, "exactly one copy each"
        arahan = await posko.services.arahan.get(1)
        assert arahan is not None
        assert not arahan.sending
        assert len([m for m in kasat.messages if m.text.startswith("📢 Arahan #1 ")]) == 1
    finally:
        if posko._app is not None:
            await posko.stop()


async def _pending(db_path: Path) -> int:
    conn = sqlite3.connect(db_path)
    try:
        row = conn.execute(
            "SELECT COUNT(*) FROM arahan_recipients WHERE state = 'pending'"
        ).fetchone()
        return int(row[0])
    finally:
        conn.close()


async def test_the_group_copy_follows_a_migrated_group(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, group: FakeChat
) -> None:
    kasat = await add_coordinator(posko, fake)
    await enlist(2001, "camat", "Telen", "Dedi")
    supergroup = fake.migrate_group(group.id, -1009876543210)
    await kasat.send("/arahan camat Telen | Siaga")
    preview = kasat.last_message()
    await kasat.press("Salin ke grup: Tidak", preview)
    await kasat.press("✅ Kirim", preview)
    [posted] = supergroup.messages
    assert posted.text.startswith("📢 Arahan #1 · Biasa")
    assert posko.services.coordination_chat_id == supergroup.id
