"""/kinerja through the real bot: the figures, the period, access and bad arguments."""

from datetime import datetime
from zoneinfo import ZoneInfo

from bot import texts
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.html import parse_html
from tests.conftest import Enlist
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko

WITA = ZoneInfo("Asia/Makassar")
UPGRADE_NOTE = "ditutup saat pembaruan sistem"


def wita(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 11, day, hour, minute, tzinfo=WITA)


async def close_by_upgrade(posko: Posko, number: int, at: datetime) -> None:
    """What migration 0010 did to an old Waspada+ report: closed by nobody, with its note."""
    when = at.astimezone(ZoneInfo("UTC")).strftime("%Y-%m-%d %H:%M:%S")
    async with posko.services.db.transaction() as conn:
        await conn.execute(
            "UPDATE incidents SET state = 'selesai', closed_at = ?, closing_note = ?, "
            "updated_at = ? WHERE number = ?",
            (when, UPGRADE_NOTE, when, number),
        )
        await conn.execute(
            "INSERT INTO incident_events (incident, kind, at, text) VALUES (?, 'close', ?, ?)",
            (number, when, UPGRADE_NOTE),
        )


async def two_days_of_incidents(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, group: FakeChat
) -> FakeUser:
    """26/11: a Rawan in Telen taken up after 5 minutes, updated, resolved after an hour; a
    Waspada in Bengalon; a Waspada in Telen that the upgrade closed. 27/11: a nihil in
    Bengalon, then an update raises its Waspada to Darurat. Returns the koordinator."""
    budi = await enlist(2001, "kapolsek", "Telen", "Budi")
    ani = await enlist(2002, "camat", "Bengalon", "Ani")
    kasat = await add_coordinator(posko, fake)
    clock.set(wita(26, 10))
    await budi.send("/lapor rawan massa berkumpul di depan kantor PPK")  # 1
    alert = group.last_message()
    clock.set(wita(26, 10, 5))
    await kasat.press("✅ Diterima", alert)
    clock.set(wita(26, 10, 30))
    await budi.send("/perkembangan 1 massa mulai berkurang")
    clock.set(wita(26, 11))
    await budi.send("/selesai 1 massa bubar dengan tertib")
    clock.set(wita(26, 12))
    await ani.send("/lapor waspada isu hoaks di media sosial")  # 2
    clock.set(wita(26, 13))
    await budi.send("/lapor waspada spanduk dirusak")  # 3
    await close_by_upgrade(posko, 3, wita(27, 9))
    clock.set(wita(27, 10))
    await ani.send("/lapor aman")  # 4
    clock.set(wita(27, 10, 20))
    await ani.send("/perkembangan 2 darurat massa bentrok")
    clock.set(wita(27, 11))
    return kasat


async def test_kinerja_figures_overall_and_per_kecamatan(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, group: FakeChat
) -> None:
    kasat = await two_days_of_incidents(posko, enlist, fake, clock, group)
    await kasat.send("/kinerja")
    assert kasat.last_message().text.split("\n") == [
        "📈 Kinerja penanganan insiden",
        "Insiden yang dibuka 21/11/2024–27/11/2024",
        "",
        "Seluruh kecamatan — 3 insiden",
        "Ditangani 1 · selesai 1 · masih terbuka 1 · ditutup saat pembaruan sistem 1*",
        "⏱ Waktu tanggap: median 5 menit · terlama 5 menit",
        "🏁 Waktu penyelesaian: median 1 jam · terlama 1 jam",
        "⚠️ 1 insiden Rawan/Darurat belum ditangani (/insiden).",
        "",
        "Per kecamatan",
        "Telen — 2 insiden",
        "Ditangani 1 · selesai 1 · masih terbuka 0 · ditutup saat pembaruan sistem 1*",
        "⏱ Waktu tanggap: median 5 menit · terlama 5 menit",
        "🏁 Waktu penyelesaian: median 1 jam · terlama 1 jam",
        "",
        "Bengalon — 1 insiden",
        "Ditangani 0 · selesai 0 · masih terbuka 1",
        "⏱ Waktu tanggap: belum ada yang ditangani",
        "🏁 Waktu penyelesaian: belum ada yang selesai",
        "",
        "Waktu tanggap: dari insiden dibuka sampai ditangani (✅ Diterima pada peringatan di "
        "grup; insiden Waspada tidak dikirim ke grup). Waktu penyelesaian: dari dibuka sampai "
        "selesai "
        "dengan catatan penutup.",
        "* Ditutup otomatis saat pembaruan sistem, bukan oleh petugas: tidak dihitung dalam "
        "waktu penyelesaian.",
    ]


async def test_kinerja_counts_the_incidents_opened_in_the_period(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, group: FakeChat
) -> None:
    kasat = await two_days_of_incidents(posko, enlist, fake, clock, group)
    await kasat.send("/kinerja hari ini")
    assert kasat.last_message().text == "Tidak ada insiden yang dibuka pada 27/11/2024."
    await kasat.send("/kinerja 2024-11-26 2024-11-26")
    assert "Seluruh kecamatan — 3 insiden" in kasat.last_message().text
    await kasat.send("/kinerja@PoskoTestBot kemarin", chat=group)
    assert group.last_message().text.startswith("📈 Kinerja penanganan insiden\n")
    assert "Insiden yang dibuka 26/11/2024\n" in group.last_message().text


async def test_kinerja_is_for_koordinator_and_admin_with_a_short_usage(
    posko: Posko, enlist: Enlist, admin: FakeUser
) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/kinerja")
    assert officer.last_message().text == texts.ROLE_REFUSED
    await admin.send("/kinerja")
    assert admin.last_message().text == "Tidak ada insiden yang dibuka pada 21/11/2024–27/11/2024."
    usage = parse_html(texts.KINERJA_USAGE)
    assert usage.startswith("Format: /kinerja [dari] [sampai]")
    for args in ("besok", "2024-11-27 2024-11-01", "2023-01-01 2024-11-27", "31/11/2024", "a b c"):
        await admin.send(f"/kinerja {args}")
        assert admin.last_message().text == usage, args
