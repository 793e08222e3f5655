"""Exactly once, even when Telegram or the disk fails (issue 12, items 1-5)."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from domain.enums import Level
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.html import parse_html
from handlers.digest.schedule import catch_up, post_digest, send_reminders
from handlers.reports.filing import escalate_pending
from handlers.reports.receipts import retry_receipts
from tests.conftest import Enlist
from tests.handlers.digest.test_schedule import started_long_ago
from tests.harness import FakeClock, Posko, receipt_of, replay_after_crash

WITA = ZoneInfo("Asia/Makassar")
LOCKED = sqlite3.OperationalError("database is locked")


def wita(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime(2024, 11, 27, hour, minute, second, tzinfo=WITA)


def failing(
    monkeypatch: pytest.MonkeyPatch, owner: object, name: str, times: int = 1
) -> list[int]:
    """Makes `owner.name` raise "database is locked" `times` times; returns the call count."""
    original: Callable[..., Awaitable[Any]] = getattr(owner, name)
    calls = [0]

    async def flaky(*args: Any, **kwargs: Any) -> Any:
        calls[0] += 1
        if calls[0] <= times:
            raise LOCKED
        return await original(*args, **kwargs)

    monkeypatch.setattr(owner, name, flaky)
    return calls


# 1. A digest missed by a short outage is posted at start-up, late, once.


async def test_a_digest_missed_by_seconds_is_posted_at_start_up(
    posko: Posko, group: FakeChat, clock: FakeClock
) -> None:
    await started_long_ago(posko, wita(6))
    clock.set(wita(6, 59, 55))
    await posko.stop()  # down a few seconds before 07:00 ...
    clock.set(wita(7, 0, 20))
    await posko.start()  # ... and up again 20 seconds after it
    await catch_up(posko.app.bot, posko.services)
    [late] = group.messages
    assert "⏰ Terlambat — jadwal 07.00 WITA" in late.text
    await catch_up(posko.app.bot, posko.services)
    clock.set(wita(7, 6))
    await catch_up(posko.app.bot, posko.services)  # the 5-minute catch-up
    assert len(group.messages) == 1, "exactly once"


async def test_a_running_bot_leaves_a_fresh_slot_to_its_job(
    posko: Posko, group: FakeChat, clock: FakeClock
) -> None:
    await started_long_ago(posko, wita(6))
    clock.set(wita(6, 50))
    await posko.restart()
    await posko.fake.wait_until(lambda: posko.services.runtime.started_at is not None)
    assert posko.services.runtime.started_at == wita(6, 50), "its first catch-up ran at 06.50"
    clock.set(wita(7, 0, 30))
    await catch_up(posko.app.bot, posko.services)
    assert group.messages == [], "the 07:00 job posts it on time, not the catch-up"


# 2. A stored report whose receipt failed: retried durably, never "try again".


async def test_a_failed_receipt_is_retried_not_refiled(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    officer = await enlist(2001)
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=officer.id, count=2)
    await officer.send("/lapor waspada massa berkumpul di depan kantor PPK")
    assert officer.messages == [], "no receipt yet, and above all no 'try again'"
    receipt = await posko.services.receipts.get(1)
    assert receipt is not None
    assert receipt.state == "pending"
    await posko.restart()  # the retry is durable
    posko.without_retries()
    clock.advance(seconds=31)
    assert await retry_receipts(posko.app.bot, posko.services) == 0  # Telegram still failing
    clock.advance(seconds=59)
    assert await retry_receipts(posko.app.bot, posko.services) == 0, "backed off: not due yet"
    clock.advance(seconds=2)
    assert await retry_receipts(posko.app.bot, posko.services) == 1
    [late] = officer.messages
    assert (
        late.text == f"{await receipt_of(posko.services, 1)}\n{parse_html(texts.RECEIPT_DELAYED)}"
    )
    clock.advance(hours=1)
    assert await retry_receipts(posko.app.bot, posko.services) == 0
    assert len(officer.messages) == 1
    assert await posko.services.reports.count() == 1
    stored = await posko.services.receipts.get(1)
    assert stored is not None
    assert (stored.state, stored.attempts) == ("sent", 3)


async def test_an_undeliverable_receipt_is_recorded_not_retried(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, group: FakeChat, clock: FakeClock
) -> None:
    officer = await enlist(2001)
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=2001)
    await officer.send("/lapor rawan jalan diblokade warga")
    receipt = await posko.services.receipts.get(1)
    assert receipt is not None
    assert (receipt.state, receipt.last_error) == ("undeliverable", "Forbidden")
    assert len(group.messages) == 1, "the escalation does not depend on the receipt"
    clock.advance(hours=1)
    assert await retry_receipts(posko.app.bot, posko.services) == 0
    assert officer.messages == []


# 3. A write that fails never makes the bot post the same thing twice.


async def test_an_alert_whose_record_failed_is_not_posted_again(
    posko: Posko,
    enlist: Enlist,
    group: FakeChat,
    clock: FakeClock,
    admin: FakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = await enlist(2001)
    services = posko.services
    calls = failing(monkeypatch, services.reports, "mark_escalated", times=3)
    await officer.send("/lapor darurat kotak suara dibakar massa")
    [alert] = group.messages
    update = await admin.press(texts.ACK_BUTTON, alert)  # still refused: asked to press again
    answer = posko.fake.callback_answers[update["callback_query"]["id"]]
    assert answer.get("text") == texts.ACK_NOT_READY
    assert calls[0] == 2
    for _ in range(3):  # sweeps: the record is retried at each one, the alert never re-posted
        clock.advance(seconds=30)
        await escalate_pending(posko.app.bot, services)
        await posko.settle()
    assert calls[0] == 4, "recorded at the first sweep after the fault, without back-off"
    assert len(group.messages) == 1, "posted once, only its record was retried"
    report = await services.reports.get(1)
    assert report is not None
    assert report.escalation_message_id == alert.message_id
    await admin.press(texts.ACK_BUTTON, alert)
    acknowledged = await services.reports.get(1)
    assert acknowledged is not None
    assert acknowledged.acked_by == admin.id


async def test_a_take_up_records_an_unrecorded_alert_at_once(
    posko: Posko,
    enlist: Enlist,
    group: FakeChat,
    admin: FakeUser,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = await enlist(2001)
    services = posko.services
    failing(monkeypatch, services.reports, "mark_escalated", times=1)
    await officer.send("/lapor rawan massa menghadang truk logistik")
    [alert] = group.messages
    assert 1 in services.runtime.unrecorded.alerts
    await admin.press(texts.ACK_BUTTON, alert)  # the database is fine again: no waiting
    report = await services.reports.get(1)
    assert report is not None
    assert (report.escalation_message_id, report.acked_by) == (alert.message_id, admin.id)
    assert services.runtime.unrecorded.alerts == {}


async def test_a_failed_escalation_tells_the_admins_once(
    posko: Posko,
    enlist: Enlist,
    group: FakeChat,
    admin: FakeUser,
    clock: FakeClock,
    fake: FakeTelegram,
) -> None:
    officer = await enlist(2001)
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=group.id, count=2)
    await officer.send("/lapor darurat jembatan putus")
    notice = parse_html(texts.escalation_failed(1, Level.DARURAT, "Bengalon"))
    assert admin.texts() == [notice]
    clock.advance(seconds=31)
    await escalate_pending(posko.app.bot, posko.services)
    await posko.settle()
    assert admin.texts() == [notice], "told once, not at every retry"
    clock.advance(seconds=61)
    await escalate_pending(posko.app.bot, posko.services)
    await posko.settle()
    assert len(group.messages) == 1


async def test_no_alert_without_a_durable_claim_and_backoff(
    posko: Posko,
    enlist: Enlist,
    group: FakeChat,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = await enlist(2001)
    services = posko.services
    claims = failing(monkeypatch, services.reports, "claim_escalation", times=2)
    await officer.send("/lapor rawan bentrok pendukung")
    assert group.messages == [], "the claim failed: nothing posted"
    clock.advance(seconds=10)
    await escalate_pending(posko.app.bot, services)
    await posko.settle()
    assert claims[0] == 1, "backing off: not tried again after 10 seconds"
    clock.advance(seconds=25)
    await escalate_pending(posko.app.bot, services)
    await posko.settle()
    assert (claims[0], group.messages) == (2, [])
    clock.advance(seconds=61)  # the second failure doubled the wait
    await escalate_pending(posko.app.bot, services)
    await posko.settle()
    assert claims[0] == 3
    assert len(group.messages) == 1


async def test_a_digest_part_whose_record_failed_is_not_posted_again(
    posko: Posko, group: FakeChat, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    services = posko.services
    await started_long_ago(posko, wita(18))
    clock.set(wita(19))
    failing(monkeypatch, services.slots, "part_sent", times=2)
    with pytest.raises(sqlite3.OperationalError):
        await post_digest(posko.app.bot, services, wita(19), late=False)
    clock.set(wita(19, 5))
    with pytest.raises(sqlite3.OperationalError):
        await catch_up(posko.app.bot, services)  # still locked: only the record is retried
    clock.set(wita(19, 10))
    await catch_up(posko.app.bot, services)
    assert len(group.messages) == 1
    record = await services.slots.get("digest 2024-11-27 19:00")
    assert record is not None
    assert (record.state, record.parts_sent) == ("sent", 1)


async def test_a_reminder_whose_claim_failed_is_sent_once_by_the_resumed_round(
    posko: Posko, enlist: Enlist, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    officers = [await enlist(2001 + i, "camat", kec) for i, kec in enumerate(["Telen", "Kaubun"])]
    services = posko.services
    failing(monkeypatch, services.slots, "add_reminded", times=1)
    clock.set(wita(16))
    assert await send_reminders(posko.app.bot, services, wita(16)) == (1, 0, 0)
    record = await services.slots.get("reminder 2024-11-27 16:00")
    assert record is not None
    assert record.state == "sending", "left for the resumed round"
    clock.set(wita(16, 5))
    await catch_up(posko.app.bot, services)
    for officer in officers:
        assert [m.text for m in officer.messages if "Pengingat" in m.text] == [
            officer.messages[0].text
        ], "one reminder each"
        assert len(officer.messages) == 1


# 4. One round reminds each officer once, even when the catch-up runs beside it.


async def test_the_catch_up_does_not_run_a_second_copy_of_a_round(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    officers = [await enlist(3000 + i, "camat", f"Kecamatan {i}") for i in range(12)]
    clock.set(wita(16))
    services = posko.services
    round_ = asyncio.create_task(send_reminders(posko.app.bot, services, wita(16)))
    await fake.wait_until(lambda: any(o.messages for o in officers))
    await catch_up(posko.app.bot, services)
    assert await round_ == (12, 0, 0)
    assert [len(o.messages) for o in officers] == [1] * 12
    assert admin.texts() == [parse_html(texts.reminder_summary(wita(16), 12, 0, 0))]


# 5. A correction handled again after a crash is stored once.


async def test_a_replayed_ralat_is_stored_once(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor rawan jalan diblokade")
    update = await officer.send("/ralat 1 blokade sudah dibuka aparat")
    await replay_after_crash(posko, update)
    corrections = await posko.services.reports.corrections([1])
    assert [c.text for c in corrections[1]] == ["blokade sudah dibuka aparat"]
    notices = [m for m in group.messages if "blokade sudah dibuka" in m.text]
    assert len(notices) == 1
    assert officer.texts()[-1] == officer.texts()[-2], "the officer is told again that it is saved"


# Review of the above: the paths a committed report or correction can still take.


async def test_a_form_report_is_never_followed_by_try_again(
    posko: Posko, enlist: Enlist, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    form = officer.last_message()
    await officer.press(parse_html(texts.level_badge(Level.AMAN)), form)
    failing(monkeypatch, posko.services.drafts, "delete", times=1)
    before = len(officer.messages)
    await officer.press(texts.NIHIL_BUTTON, form)
    assert officer.texts()[before:] == [await receipt_of(posko.services, 1)]


async def test_a_replayed_report_settles_its_pending_receipt(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    officer = await enlist(2001)
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=officer.id)
    update = await officer.send("/lapor waspada isu hoaks di grup warga")
    await replay_after_crash(posko, update)
    assert officer.texts() == [await receipt_of(posko.services, 1)]
    clock.advance(hours=1)
    assert await retry_receipts(posko.app.bot, posko.services) == 0
    assert len(officer.messages) == 1, "one receipt, not a second 'late' one"
    receipt = await posko.services.receipts.get(1)
    assert receipt is not None
    assert receipt.state == "sent"


async def test_a_receipt_the_database_could_not_keep_is_kept_in_memory(
    posko: Posko,
    enlist: Enlist,
    fake: FakeTelegram,
    clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = await enlist(2001)
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=officer.id)
    failing(monkeypatch, posko.services.receipts, "failed", times=1)
    await officer.send("/lapor waspada isu hoaks di grup warga")
    assert officer.messages == []
    assert await posko.services.receipts.get(1) is None
    clock.advance(seconds=31)
    assert await retry_receipts(posko.app.bot, posko.services) == 1
    assert len(officer.messages) == 1


async def test_a_correction_is_confirmed_or_shown_once_whatever_fails(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor rawan jalan diblokade")
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=officer.id)  # the confirmation
    before = len(officer.messages)
    await officer.send("/ralat 1 blokade sudah dibuka aparat")
    assert officer.messages[before:] == [], "no 'try again' for a stored correction"
    notices = [m for m in group.messages if "blokade sudah dibuka" in m.text]
    assert len(notices) == 1, "the group is told first"


async def test_a_replay_posts_a_missing_correction_notice(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor rawan jalan diblokade")
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=group.id)  # the group notice
    update = await officer.send("/ralat 1 blokade sudah dibuka aparat")
    assert not [m for m in group.messages if "blokade sudah dibuka" in m.text]
    await replay_after_crash(posko, update)
    assert len([m for m in group.messages if "blokade sudah dibuka" in m.text]) == 1
    corrections = await posko.services.reports.corrections([1])
    assert len(corrections[1]) == 1
