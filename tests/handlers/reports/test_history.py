from emulator import FakeChat
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko


async def test_ralat_on_own_report_reaches_the_group(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "camat", "Kaliorang", "Budi")
    await officer.send("/lapor rawan massa 500 orang")
    await officer.send("/ralat 1 massa sekitar 50 orang, bukan 500 <koreksi>")
    assert officer.last_message().text == "✏️ Ralat untuk laporan #1 tercatat."
    assert group.last_message().text == (
        "✏️ Ralat laporan #1 dari Camat Kaliorang (Budi):\nmassa sekitar 50 orang, bukan 500 "
        "<koreksi>"
    )
    corrections = await posko.services.reports.corrections([1])
    assert [c.text for c in corrections[1]] == ["massa sekitar 50 orang, bukan 500 <koreksi>"]
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.text == "massa 500 orang", "the original stays"


async def test_ralat_refusals(posko: Posko, enlist: Enlist, clock: FakeClock) -> None:
    ani = await enlist(2001, "camat", "Busang", "Ani")
    budi = await enlist(2002, "camat", "Telen", "Budi")
    await ani.send("/lapor waspada isu hoaks")
    await budi.send("/ralat 1 bukan laporan saya")
    assert budi.last_message().text.startswith("Laporan #1 tidak ada di riwayat Bapak/Ibu")
    await ani.send("/ralat 99 tidak ada")
    assert ani.last_message().text.startswith("Laporan #99 tidak ada")
    await ani.send("/ralat satu dua")
    assert ani.last_message().text.startswith("Tulis nomor laporan dan ralatnya")
    await ani.send("/ralat 1")
    assert ani.last_message().text.startswith("Tulis nomor laporan dan ralatnya")
    clock.advance(hours=24, seconds=1)
    await ani.send("/ralat 1 terlambat")
    assert ani.last_message().text.startswith("Ralat hanya dapat dibuat dalam 24 jam")
    assert (await posko.services.reports.corrections([1]))[1] == []


async def test_riwayat_pages_the_officers_reports(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    """Five reports a page (one phone screen), turned in place with ⬅️/➡️; the pages stay put
    while new reports arrive, and a page shows the presser's own reports only."""
    officer = await enlist(2001)
    other = await enlist(2002, "kapolsek", "Telen", "Agus")
    await officer.send("/riwayat")
    assert officer.last_message().text == (
        "Bapak/Ibu belum pernah mengirim laporan. Kirim dengan /lapor."
    )
    for i in range(12):
        clock.advance(minutes=5)
        await officer.send(
            f"/lapor waspada kejadian nomor {i} dengan keterangan yang cukup panjang"
        )
    await officer.send("/lapor aman")
    await officer.send("/ralat 13 tambahan")
    await officer.send("/riwayat")
    listing = officer.last_message()
    lines = listing.text.splitlines()
    assert lines[0] == "🗂 Laporan terakhir Bapak/Ibu (13 laporan)"
    assert lines[2] == "#13 · 27/11 11.00 · 🟢 Aman · nihil · ✏️ 1 ralat"
    expected = "#12 · 27/11 11.00 · 🟡 Waspada · kejadian nomor 11 dengan keterangan yang cukup"
    assert lines[3] == expected + " panjang"
    assert lines[6].startswith("#9 ·")
    assert lines[-1] == "Halaman 1/3 · ⬅️/➡️ untuk halaman lain"
    assert len(lines) <= 12, "one phone screen"
    assert listing.button_texts() == ["➡️"]

    await officer.send("/lapor aman")  # #14 arrives: the pages already shown stay put
    sent = len(officer.messages)
    await officer.press("➡️", listing)
    assert [line.split(" ·")[0] for line in listing.text.splitlines()[2:7]] == [
        "#8", "#7", "#6", "#5", "#4",
    ]  # fmt: skip
    assert "Halaman 2/3" in listing.text
    assert listing.button_texts() == ["⬅️", "➡️"]
    await officer.press("➡️", listing)
    shown = [line.split(" ·")[0] for line in listing.text.splitlines() if line.startswith("#")]
    assert shown == ["#3", "#2", "#1"]
    assert listing.button_texts() == ["⬅️"]
    await officer.press("⬅️", listing)
    await officer.press("⬅️", listing)
    assert listing.text.splitlines()[2].startswith("#13 ·")
    assert len(officer.messages) == sent, "pages are edited in place"

    # A page always shows the presser's own reports, whatever the button says.
    await other.send("/lapor aman")
    await other.send("/riwayat")
    own = other.last_message()
    await other.press_data("rw:0:999", own)
    assert own.text.splitlines()[0] == "🗂 Laporan terakhir Bapak/Ibu (1 laporan)"
    assert own.text.splitlines()[2].startswith("#15 ·")
