"""Dates typed as people write them, through the real bot: /ekspor, /laporan, /rekap."""

from emulator import FakeUser
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko


async def reports_on_two_days(enlist: Enlist, clock: FakeClock) -> None:
    ani = await enlist(2001, "camat", "Bengalon", "Ani")
    budi = await enlist(2002, "kapolsek", "Telen", "Budi")
    clock.advance(days=-1)
    await ani.send("/lapor waspada isu hoaks di pasar")  # 26 November
    clock.advance(days=1)
    await budi.send("/lapor aman")  # 27 November


async def test_ekspor_takes_a_date_as_people_write_it(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    await reports_on_two_days(enlist, clock)
    await admin.send("/ekspor 27-11-2024")
    csv_message = admin.messages[-2]
    assert csv_message.params["document"]["filename"] == "laporan_2024-11-27_2024-11-27.csv"
    assert csv_message.text == "CSV: 1 laporan, 27/11/2024–27/11/2024"
    for period in ("26/11/2024 27/11/2024", "26 Nov 2024 - 27 November 2024",
                   "26-11-2024 s.d. hari ini", "kemarin sampai 27 Nov 2024"):  # fmt: skip
        await admin.send(f"/ekspor {period}")
        assert admin.messages[-2].text == "CSV: 2 laporan, 26/11/2024–27/11/2024", period
    await admin.send("/ekspor 28-11-2024")
    assert admin.last_message().text.startswith("Format: /ekspor [dari] [sampai]")


async def test_laporan_and_rekap_take_typed_dates(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    await reports_on_two_days(enlist, clock)
    await admin.send("/laporan Bengalon 26 Nov 2024")
    listing = admin.last_message().text
    assert "#1" in listing
    assert "#2" not in listing
    await admin.send("/laporan Rabu, 27 November 2024")
    listing = admin.last_message().text
    assert "#2" in listing
    assert "#1" not in listing
    await admin.send("/rekap 26/11/2024")
    assert "Selasa, 26 November 2024" in admin.last_message().text
    await admin.send("/rekap 26 Agt 2024")
    assert "Senin, 26 Agustus 2024" in admin.last_message().text
