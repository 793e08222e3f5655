from emulator import FakeChat
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko


async def test_ralat_on_own_report_reaches_the_group(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "camat", "Kaliorang", "Budi")
    await officer.send("/lapor rawan massa 500 orang")
    await officer.send("/ralat 1 massa sekitar 50 orang, bukan 500 <koreksi>")
    assert officer.last_message().text == "✏️ Ralat untuk laporan #1 disimpan."
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
    assert budi.last_message().text.startswith("Laporan #1 tidak ada di riwayat Anda")
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


async def test_riwayat_lists_the_last_ten(posko: Posko, enlist: Enlist, clock: FakeClock) -> None:
    officer = await enlist(2001)
    await officer.send("/riwayat")
    assert officer.last_message().text.startswith("Anda belum pernah mengirim laporan")
    for i in range(12):
        clock.advance(minutes=5)
        await officer.send(
            f"/lapor waspada kejadian nomor {i} dengan keterangan yang cukup panjang"
        )
    await officer.send("/lapor aman")
    await officer.send("/ralat 13 tambahan")
    await officer.send("/riwayat")
    lines = officer.last_message().text.splitlines()
    assert lines[0] == "🗂 10 laporan terakhir Anda"
    assert lines[2] == "#13 · 27/11 11:00 · 🟢 Aman · nihil · ✏️ 1 ralat"
    expected = "#12 · 27/11 11:00 · 🟡 Waspada · kejadian nomor 11 dengan keterangan yang cukup"
    assert lines[3] == expected + " panjang"
    assert lines[-1].startswith("#4 ·")
    assert len(lines) == 12
