"""Disk full, read-only or locked database: no receipt, a clear message, recovery after."""

import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

import storage.db
from emulator import FakeChat, FakeTelegram
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, make_settings

SAVE_FAILED = "⚠️ Gagal menyimpan laporan, coba lagi sebentar lagi."


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
        await officer.send(f"/lapor waspada laporan panjang {'x' * 2000} {i}")
        if officer.last_message().text == SAVE_FAILED:
            failed_at = i
            break
        assert "diterima" in officer.last_message().text
    assert failed_at is not None, "the disk never filled up"
    stored = await posko.services.reports.count()
    assert stored == failed_at, "every receipted report is stored, the failed one is not"
    await officer.send(f"/lapor rawan jalan putus {'x' * 2000}")  # still full: still refused
    assert officer.last_message().text == SAVE_FAILED
    assert group.messages == [], "nothing unsaved is escalated"
    await db.fetchall("PRAGMA max_page_count = 1073741823")  # space was freed
    await officer.send(f"/lapor rawan jalan putus {'x' * 2000}")
    assert f"Laporan #{stored + 1} diterima" in officer.last_message().text
    assert await db.pragma("integrity_check") == "ok"


async def test_locked_by_another_process(posko: Posko, enlist: Enlist, db_path: Path) -> None:
    officer = await enlist(2001)
    other = sqlite3.connect(db_path, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")  # e.g. a backup tool or sqlite3 shell holding a lock
        await officer.send("/lapor waspada ada kerumunan")
        assert officer.last_message().text == SAVE_FAILED
    finally:
        other.execute("ROLLBACK")
        other.close()
    await officer.send("/lapor waspada ada kerumunan")
    assert "Laporan #1 diterima" in officer.last_message().text


async def test_read_only_database(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await posko.services.db.fetchall("PRAGMA query_only = ON")
    await officer.send("/lapor")  # the form cannot even open: told so, nothing half-written
    assert officer.last_message().text == "⚠️ Gagal menyimpan, coba lagi sebentar lagi."
    await officer.send("/lapor aman")
    assert officer.last_message().text == SAVE_FAILED
    await posko.services.db.fetchall("PRAGMA query_only = OFF")
    await officer.send("/lapor aman")
    assert "Laporan #1 diterima" in officer.last_message().text
    assert await posko.services.reports.count() == 1
