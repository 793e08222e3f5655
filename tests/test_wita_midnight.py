"""'Today' is the WITA day: between 00.00 and 08.00 WITA the UTC date is still yesterday's.

Every view that counts "today" is checked at 00.30 WITA on 28 November (16.30 UTC on the 27th),
with one report from 23.50 WITA the day before and one from 00.10 WITA.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from domain.enums import Level
from emulator import FakeChat, FakeUser
from emulator.html import parse_html
from handlers.digest.schedule import post_digest, send_reminders
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko

WITA = ZoneInfo("Asia/Makassar")
TODAY = date(2024, 11, 28)
# The reminder of the WITA day that began at midnight, to the Camat of Bengalon.
REMINDER = parse_html(texts.reminder("Camat Bengalon", TODAY))


def wita(day: int, hour: int, minute: int) -> datetime:
    return datetime(2024, 11, day, hour, minute, tzinfo=WITA)


@pytest.fixture
async def officers(
    posko: Posko, enlist: Enlist, clock: FakeClock, group: FakeChat
) -> tuple[FakeUser, FakeUser]:
    """Bengalon reported at 23.50 yesterday (resolved at 23.55: an open incident would carry
    its level into today), Telen at 00.10 today; now it is 00.30 WITA."""
    bengalon = await enlist(2001, "camat", "Bengalon", "Ani")
    telen = await enlist(2002, "camat", "Telen", "Budi")
    clock.set(wita(27, 23, 50))
    await bengalon.send("/lapor waspada isu politik uang")
    clock.set(wita(27, 23, 55))
    await bengalon.send("/selesai 1 isu tidak terbukti")
    clock.set(wita(28, 0, 10))
    await telen.send("/lapor rawan massa menghadang truk logistik")
    clock.set(wita(28, 0, 30))
    assert clock().date() == date(2024, 11, 27), "the UTC date is still yesterday's"
    return bengalon, telen


async def test_status_counts_the_wita_day(
    posko: Posko, officers: tuple[FakeUser, FakeUser], admin: FakeUser
) -> None:
    await admin.send("/status")
    lines = admin.last_message().text.splitlines()
    assert lines[0] == parse_html(texts.status_view(TODAY, wita(28, 0, 30), "")).splitlines()[0]
    assert parse_html(texts.status_line("Telen", Level.RAWAN, 1)) in lines
    assert parse_html(texts.status_line("Bengalon", None, 0)) in lines


async def test_belum_counts_the_wita_day(
    posko: Posko, officers: tuple[FakeUser, FakeUser], admin: FakeUser
) -> None:
    await admin.send("/belum")
    text = admin.last_message().text
    assert text.splitlines()[0] == parse_html(texts.belum_view(TODAY, [], 1)).splitlines()[0]
    assert "Bengalon" in text
    assert "Telen" not in text


async def test_laporan_hari_ini_is_the_wita_day(
    posko: Posko, officers: tuple[FakeUser, FakeUser], admin: FakeUser
) -> None:
    await admin.send("/laporan hari ini")
    text = admin.last_message().text
    title = parse_html(texts.laporan_title(None, TODAY))
    assert text.splitlines()[0] == f"{title} (1 laporan)"
    assert "#2 · 28/11 00.10" in text
    assert "#1 ·" not in text


async def test_rekap_is_the_wita_day(
    posko: Posko, officers: tuple[FakeUser, FakeUser], admin: FakeUser
) -> None:
    await admin.send("/rekap")
    text = admin.last_message().text
    assert texts.long_date(TODAY) in text
    assert "· 00.00–00.30 WITA" in text
    assert "Telen — Rawan (1 laporan)" in text
    assert "Bengalon — Waspada" not in text


async def test_the_digest_period_starts_at_wita_midnight(
    posko: Posko, officers: tuple[FakeUser, FakeUser], group: FakeChat
) -> None:
    assert await post_digest(posko.app.bot, posko.services, wita(28, 0, 20), late=False)
    digest = group.messages[-1].text
    assert texts.long_date(TODAY) in digest
    assert "· 00.00–00.20 WITA" in digest
    assert "Telen — Rawan (1 laporan)" in digest
    assert "Bengalon — Waspada" not in digest


async def test_reminders_count_the_wita_day(
    posko: Posko, officers: tuple[FakeUser, FakeUser], admin: FakeUser
) -> None:
    bengalon, telen = officers
    assert await send_reminders(posko.app.bot, posko.services, wita(28, 0, 20)) == (1, 0, 0)
    assert bengalon.last_message().text == REMINDER
    assert not any("Pengingat" in text for text in telen.texts())


async def test_the_reminder_job_counts_the_wita_day(
    posko: Posko, officers: tuple[FakeUser, FakeUser], admin: FakeUser
) -> None:
    bengalon, telen = officers
    await admin.send("/jadwal pengingat 00:20")
    await posko.run_job("pengingat 00:20")  # at 00.30 WITA, what the scheduler does at 00.20
    assert bengalon.last_message().text == REMINDER
    assert bengalon.last_message().button_texts()[0] == "🟢 Nihil (tidak ada kejadian)"
    assert not any("Pengingat" in text for text in telen.texts())
