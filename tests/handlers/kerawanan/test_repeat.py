"""The second reminder of `tinggi` kecamatan: who gets it, when, and exactly once."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from domain.kerawanan import MapLevel, MappedKecamatan, VulnerabilityMap
from emulator import FakeTelegram, FakeUser
from handlers.kerawanan.repeat import JOB
from storage.kerawanan import OFFICER
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, make_settings

WITA = ZoneInfo("Asia/Makassar")
MAP = VulnerabilityMap(
    (
        MappedKecamatan("Busang", MapLevel.TINGGI, ("akses sungai",)),
        MappedKecamatan("Long Mesangat", MapLevel.TINGGI, ()),
        MappedKecamatan("Bengalon", MapLevel.SEDANG, ()),
    )
)


def wita(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 11, 27, hour, minute, tzinfo=WITA)


async def load_map(posko: Posko, vmap: VulnerabilityMap = MAP) -> None:
    services = posko.services
    services.admin_settings.vulnerability = await services.kerawanan.store(
        vmap, "peta.csv", None, posko.clock()
    )


async def test_only_silent_officers_of_tinggi_kecamatan_who_got_the_reminder(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock, fake: FakeTelegram
) -> None:
    camat = await enlist(2001, "camat", "Busang", "Yohanes")
    kapolsek = await enlist(2002, "kapolsek", "Busang", "Rudi")
    danramil = await enlist(2003, "danramil", "Busang", "Joko")
    bengalon = await enlist(2004, "camat", "Bengalon", "Budi")
    await load_map(posko)
    fake.blocked.add(danramil.id)
    clock.set(wita(16))
    await posko.run_job("pengingat 16:00")
    assert len(bengalon.messages) == 1, "Bengalon (sedang) gets the first reminder only"
    late = await enlist(2005, "kapolsek", "Long Mesangat", "Baru Daftar")  # after 16.00
    clock.set(wita(16, 30))
    await camat.send("/lapor aman")  # Busang reported: it is no longer silent
    clock.set(wita(17))
    await posko.run_job(JOB)
    assert kapolsek.last_message().text.startswith("🔔 Pengingat kedua")
    assert "Laporan #1 tercatat" in camat.last_message().text, "he reported: not reminded"
    assert danramil.messages == [], "blocked the bot: marked, not reminded"
    assert late.messages == [], "no first reminder, no second one"
    assert len(bengalon.messages) == 1
    notice = admin.last_message().text
    assert notice.splitlines()[2:] == [
        "• Long Mesangat: Kapolsek Baru Daftar (pengingat kedua tidak sampai)",
        "Mohon petugas tersebut dihubungi langsung.",
    ], "Busang reported; Long Mesangat, mapped tinggi, did not"
    member = await posko.services.members.get(danramil.id)
    assert member is not None
    assert member.blocked_at is not None


async def test_no_second_round_without_a_first_or_without_a_map(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    camat = await enlist(2001, "camat", "Busang", "Yohanes")
    clock.set(wita(16))
    await posko.run_job("pengingat 16:00")
    clock.set(wita(17))
    await posko.run_job(JOB)  # no map yet: nothing
    assert len(camat.messages) == 1
    assert await posko.services.kerawanan.round("reminder 2024-11-27 16:00") is None
    await load_map(posko)
    clock.set(wita(17, 30))
    await posko.run_job(JOB)  # the map came later, while the round's second one is due
    assert camat.last_message().text.startswith("🔔 Pengingat kedua")
    # The bot was down at the next day's 16.00: no first reminder, so no second one.
    clock.set(datetime(2024, 11, 28, 17, 0, tzinfo=WITA))
    await posko.run_job(JOB)
    assert len(camat.messages) == 2
    assert len([m for m in admin.messages if "rawan tinggi belum lapor" in m.text]) == 1


async def test_an_interrupted_second_round_is_finished_once(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    camat = await enlist(2001, "camat", "Busang", "Yohanes")
    kapolsek = await enlist(2002, "kapolsek", "Busang", "Rudi")
    await load_map(posko)
    clock.set(wita(16))
    await posko.run_job("pengingat 16:00")
    # A crash at 17.00 right after the camat's second reminder was claimed and sent.
    repo, first = posko.services.kerawanan, "reminder 2024-11-27 16:00"
    clock.set(wita(17))
    assert await repo.claim_round(first, clock())
    assert await repo.claim_reminded(first, OFFICER, camat.id)
    await posko.restart()
    clock.set(wita(17, 1))
    await posko.run_job(JOB)
    assert [m.text.split("\n")[0] for m in camat.messages] == ["🔔 Pengingat laporan"]
    assert [m.text.split("\n")[0] for m in kapolsek.messages] == [
        "🔔 Pengingat laporan",
        "🔔 Pengingat kedua",
    ]
    assert admin.last_message().text.splitlines()[2] == "• Busang: Camat Yohanes, Kapolsek Rudi"
    record = await posko.services.kerawanan.round(first)  # the restarted bot's
    assert record is not None
    assert record.state == "sent"
    await posko.run_job(JOB)
    assert len(kapolsek.messages) == 2
    assert len([m for m in admin.messages if "rawan tinggi belum lapor" in m.text]) == 1


@pytest.fixture
async def voting_day(fake: FakeTelegram, db_path: Path, clock: FakeClock) -> AsyncIterator[Posko]:
    """The bundled Pilkada 2024 calendar: on 27 November, windows of 3 hours from 06.00 and a
    reminder at each window's midpoint; the second reminder 60 minutes after."""
    bot = Posko(fake, make_settings(fake, db_path, calendar_file=None), clock)
    await bot.start()
    yield bot
    await bot.stop()


async def test_the_second_reminder_names_the_window_and_stays_inside_it(
    voting_day: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    enlist = Enlist(voting_day, fake)
    camat = await enlist(2001, "camat", "Busang", "Yohanes")
    await load_map(voting_day)
    clock.set(wita(10, 30))
    await voting_day.run_job("pengingat 10:30")
    clock.set(wita(11, 30))
    await voting_day.run_job(JOB)
    second = camat.last_message().text
    assert second.startswith("🔔 Pengingat kedua")
    assert "laporan situasi untuk jendela lapor 09.00–12.00 WITA (tahapan Pemungutan suara)" in (
        second
    )
    # The 13.30 round: the bot is down from 14.00 to 15.10, after its window (12.00-15.00).
    clock.set(wita(13, 30))
    await voting_day.run_job("pengingat 13:30")
    clock.set(wita(15, 10))
    await voting_day.run_job(JOB)
    assert camat.last_message().text.startswith("🔔 Pengingat laporan"), "window over: skipped"
    record = await voting_day.services.kerawanan.round("reminder 2024-11-27 13:30")
    assert record is not None
    assert record.state == "skipped"
