"""Disk full, read-only or locked database: no receipt, a clear message, recovery after."""

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import storage.db
from bot import texts
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.html import parse_html
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, make_settings, receipt_of

SAVE_FAILED = parse_html(texts.SAVE_FAILED)


async def answers_to(officer: FakeUser, text: str) -> list[str]:
    """Everything the bot sent the officer in answer to `text` (not only the last message)."""
    before = len(officer.messages)
    await officer.send(text)
    return officer.texts()[before:]


@pytest.fixture
async def posko(  # a shorter lock wait than production's 5 s keeps this file fast
    fake: FakeTelegram, db_path: Path, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Posko]:
    monkeypatch.setattr(storage.db, "BUSY_TIMEOUT_MS", 200)
    bot = Posko(fake, make_settings(fake, db_path), clock)
    await bot.start()
    yield bot
    await bot.stop()


async def test_disk_full(posko: Posko, enlist: Enlist, group: FakeChat) -> None:
    officer = await enlist(2001)
    db = posko.services.db
    pages = await db.pragma("page_count")
    await db.fetchall(f"PRAGMA max_page_count = {int(pages)}")  # the disk cannot grow
    failed_at = None
    for i in range(40):  # reports fill the free space left in the file, then the disk is full
        answers = await answers_to(officer, f"/lapor waspada laporan panjang {'x' * 2000} {i}")
        if answers == [SAVE_FAILED]:  # that alone: no receipt
            failed_at = i
            break
        assert answers == [await receipt_of(posko.services, i + 1)]
    assert failed_at is not None, "the disk never filled up"
    stored = await posko.services.reports.count()
    assert stored == failed_at, "every receipted report is stored, the failed one is not"
    still_full = await answers_to(officer, f"/lapor rawan jalan putus {'x' * 2000}")
    assert still_full == [SAVE_FAILED], "still refused, and no receipt"
    assert group.messages == [], "nothing unsaved is escalated"
    await db.fetchall("PRAGMA max_page_count = 1073741823")  # space was freed
    recovered = await answers_to(officer, f"/lapor rawan jalan putus {'x' * 2000}")
    assert recovered == [await receipt_of(posko.services, stored + 1)]
    assert await db.pragma("integrity_check") == "ok"


async def test_locked_by_another_process(posko: Posko, enlist: Enlist, db_path: Path) -> None:
    officer = await enlist(2001)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # e.g. a backup tool or sqlite3 shell holding a lock
        assert await answers_to(officer, "/lapor waspada ada kerumunan") == [SAVE_FAILED]
    finally:
        other.execute("ROLLBACK")
        other.close()
    recovered = await answers_to(officer, "/lapor waspada ada kerumunan")
    assert recovered == [await receipt_of(posko.services, 1)]


async def test_read_only_database(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await posko.services.db.fetchall("PRAGMA query_only = ON")
    # The form cannot be kept: told so right under it, nothing half-written.
    assert await answers_to(officer, "/lapor") == [
        parse_html(texts.FORM_LEVEL),
        parse_html(texts.STORAGE_ERROR),
    ]
    assert await posko.services.drafts.get(officer.id) is None
    assert await answers_to(officer, "/lapor aman") == [SAVE_FAILED]
    await posko.services.db.fetchall("PRAGMA query_only = OFF")
    assert await answers_to(officer, "/lapor aman") == [await receipt_of(posko.services, 1)]
    assert await posko.services.reports.count() == 1
