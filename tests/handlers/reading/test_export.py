import csv
import io
from typing import Any

import openpyxl
import pytest
from PIL import Image

from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser
from handlers.reading import charts
from tests.conftest import Enlist
from tests.handlers.reading.test_kinerja import two_days_of_incidents
from tests.harness import ADMIN_ID, FakeClock, Posko


def document_bytes(message: object) -> bytes:
    return bytes(message.params["document"]["content"])  # type: ignore[attr-defined]


async def test_export_csv_and_xlsx(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    ani = await enlist(2001, "camat", "Bengalon", "Ani <Camat>")
    budi = await enlist(2002, "kapolsek", "Telen", "Budi")
    clock.advance(days=-1)
    await ani.send('/lapor waspada kemarin: isu "hoaks", ada koma; titik koma')
    clock.advance(days=1)
    await budi.send("/lapor rawan hari ini <b>bentrok</b> 🔥")
    await budi.send("/ralat 2 koreksi jumlah")
    await ani.send("/lapor aman")
    await admin.send("/ekspor kemarin hari ini")
    working, csv_message, xlsx_message = admin.messages[-3:]
    assert working.text == "⏳ Menyiapkan berkas ekspor..."
    assert csv_message.params["document"]["filename"] == "laporan_2024-11-26_2024-11-27.csv"
    assert csv_message.text == "CSV: 3 laporan, 26/11/2024–27/11/2024"
    raw = document_bytes(csv_message)
    assert raw.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM for Excel"
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert [r["nomor"] for r in rows] == ["1", "2", "3"]
    assert rows[0]["keterangan"] == 'kemarin: isu "hoaks", ada koma; titik koma'
    assert rows[0]["waktu"] == "2024-11-26 10:00:00"
    assert (rows[1]["tingkat"], rows[1]["ralat"], rows[1]["petugas"]) == (
        "Rawan", "koreksi jumlah", "Budi",
    )  # fmt: skip
    assert rows[1]["keterangan"] == "hari ini <b>bentrok</b> 🔥"
    workbook = openpyxl.load_workbook(io.BytesIO(document_bytes(xlsx_message)), read_only=True)
    assert workbook.sheetnames == [
        "Laporan", "Petugas", "Ringkasan Harian", "Insiden", "Kinerja", "Logistik", "Arahan",
        "Penerima Arahan", "Kerawanan",
    ]  # fmt: skip
    report_rows = list(workbook["Laporan"].values)
    assert report_rows[0][:3] == ("nomor", "waktu", "kecamatan")
    assert [r[0] for r in report_rows[1:]] == [1, 2, 3]
    members = list(workbook["Petugas"].values)
    assert {r[1] for r in members[1:]} == {"Ani <Camat>", "Budi"}
    summary = list(workbook["Ringkasan Harian"].values)
    assert summary[0] == ("kecamatan", "2024-11-26", "2024-11-27")
    # Bengalon's Waspada of yesterday is still open: today's nihil does not make it Aman.
    assert summary[1] == ("Bengalon", "Waspada (1)", "Waspada (1)")
    assert summary[2] == ("Telen", None, "Rawan (1)")


async def test_export_arguments(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/ekspor")
    assert admin.last_message().text == (
        "Tidak ada laporan pada 27/11/2024–27/11/2024. Coba rentang tanggal lain."
    )
    for args in ("2024-11-27 2024-11-01", "besok", "2024-11-28", "2023-01-01 2024-11-27", "a b c"):
        await admin.send(f"/ekspor {args}")
        assert admin.last_message().text.startswith("Format: /ekspor"), args


async def test_chart_is_a_png_of_sensible_size(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    posko.pause_jobs("catch up")  # the days moved below would make it post missed digests
    officer = await enlist(2001, "camat", "Sangkulirang")
    await admin.send("/grafik")
    assert admin.last_message().text == (
        "Belum ada laporan dalam 7 hari terakhir. Coba rentang yang lebih panjang, misalnya "
        "/grafik 30."
    )
    for day in range(5):
        await officer.send(f"/lapor {('aman', 'waspada', 'rawan', 'darurat', 'aman')[day]} x{day}")
        clock.advance(days=1)
    clock.advance(days=-1)
    await admin.send("/grafik 14")
    chart = admin.last_message()
    assert chart.kind == "photo"
    assert chart.text == "📊 Laporan 14 hari terakhir sampai 01/12/2024."
    png = bytes(chart.params["photo"]["content"])
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    width, height = image.size
    assert 800 <= width <= 1400
    assert 600 <= height <= 1600
    for bad in ("0", "91", "tujuh", "-3"):
        await admin.send(f"/grafik {bad}")
        assert admin.last_message().text.startswith("Format: /grafik"), bad


async def people_of_every_state(posko: Posko, enlist: Enlist) -> None:
    """An officer with a phone number, a pending, a rejected and an inactive person."""
    services, now = posko.services, posko.clock()
    await services.members.save(
        RosterRow(2001, Role.CAMAT, "Bengalon", "Ani", "081234567890"), now, None
    )
    await services.members.request(RosterRow(2002, Role.KAPOLSEK, "Telen", "Menunggu"), now)
    await services.members.request(RosterRow(2003, Role.DANRAMIL, "Busang", "Ditolak"), now)
    await services.members.decide(2003, False, ADMIN_ID, now)
    await services.members.save(RosterRow(2004, Role.CAMAT, "Kaubun", "Nonaktif"), now, None)
    await services.members.set_active(2004, False, ADMIN_ID, now)
    officer = enlist.fake.add_user(2001, "Ani")
    await officer.send("/lapor waspada ada keramaian")


def petugas_sheet(message: object) -> list[tuple[object, ...]]:
    workbook = openpyxl.load_workbook(io.BytesIO(document_bytes(message)), read_only=True)
    return list(workbook["Petugas"].values)


async def test_only_an_admins_private_export_carries_the_member_directory(
    posko: Posko, enlist: Enlist, admin: FakeUser, group: FakeChat
) -> None:
    await people_of_every_state(posko, enlist)
    koordinator = await enlist(3001, "koordinator", "-", "Kasat")
    await koordinator.send("/ekspor")
    await admin.send("/ekspor@PoskoTestBot", chat=group)
    for sheet in (petugas_sheet(koordinator.last_message()), petugas_sheet(group.last_message())):
        assert "telepon" not in sheet[0]
        assert all("081234567890" not in map(str, row) for row in sheet)
        assert {row[1] for row in sheet[1:]} == {"Ani", "Kasat"}
        assert {row[4] for row in sheet[1:]} == {"active"}
    await admin.send("/ekspor")
    full = petugas_sheet(admin.last_message())
    assert full[0][-1] == "telepon"
    by_name = {row[1]: row for row in full[1:]}
    assert set(by_name) == {"Ani", "Menunggu", "Ditolak", "Nonaktif", "Kasat"}
    assert by_name["Ani"][-1] == "081234567890"
    assert by_name["Ani"][5] == 1, "report count"


async def test_export_incident_and_kinerja_sheets(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock, group: FakeChat
) -> None:
    kasat = await two_days_of_incidents(posko, enlist, fake, clock, group)
    await kasat.send("/ekspor kemarin hari ini")
    workbook = openpyxl.load_workbook(io.BytesIO(document_bytes(kasat.last_message())))
    incidents = list(workbook["Insiden"].values)
    assert incidents[0] == (
        "nomor", "kecamatan", "tingkat", "kategori", "status", "dibuka", "ditangani_oleh",
        "ditangani_pada", "ditutup_oleh", "ditutup_pada", "catatan_penutup",
        "menit_sampai_ditangani", "menit_sampai_selesai", "jumlah_perkembangan",
    )  # fmt: skip
    assert incidents[1:] == [
        (1, "Telen", "Rawan", None, "Selesai", "2024-11-26 10:00:00", "Kasat Intelkam",
         "2024-11-26 10:05:00", "Budi", "2024-11-26 11:00:00", "massa bubar dengan tertib",
         5, 60, 1),
        (2, "Bengalon", "Darurat", None, "Baru", "2024-11-26 12:00:00", None, None, None,
         None, None, None, None, 1),
        (3, "Telen", "Waspada", None, "Selesai", "2024-11-26 13:00:00", None, None, None,
         "2024-11-27 09:00:00", "ditutup saat pembaruan sistem", None, None, 0),
    ]  # fmt: skip
    kinerja = list(workbook["Kinerja"].values)
    assert kinerja[0] == (
        "kecamatan", "insiden_dibuka", "ditangani", "selesai", "ditutup_saat_pembaruan_sistem",
        "masih_terbuka", "median_menit_ditangani", "terlama_menit_ditangani",
        "median_menit_selesai", "terlama_menit_selesai",
    )  # fmt: skip
    assert kinerja[1:] == [
        ("Semua kecamatan", 3, 1, 1, 1, 1, 5, 5, 60, 60),
        ("Telen", 2, 1, 1, 1, 0, 5, 5, 60, 60),
        ("Bengalon", 1, 0, 0, 0, 1, None, None, None, None),
    ]
    # Each day's condition: Bengalon's Waspada is open on the 27th and raised to Darurat (with
    # only a nihil that day); Telen's upgrade-closed Waspada counts on its own day only.
    summary = list(workbook["Ringkasan Harian"].values)
    assert summary == [
        ("kecamatan", "2024-11-26", "2024-11-27"),
        ("Bengalon", "Waspada (1)", "Darurat (1)"),
        ("Telen", "Rawan (2)", None),
    ]


async def test_the_chart_map_shows_each_days_condition(
    posko: Posko,
    enlist: Enlist,
    fake: FakeTelegram,
    clock: FakeClock,
    group: FakeChat,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    drawn: dict[str, Any] = {}

    def capture(district: str, days: list[object], per_level: dict[object, list[int]],
                kecamatan: list[str], worst: list[list[int]]) -> bytes:  # fmt: skip
        drawn.update(per_level=per_level, rows=dict(zip(kecamatan, worst, strict=True)))
        buffer = io.BytesIO()
        Image.new("RGB", (8, 8)).save(buffer, "PNG")
        return buffer.getvalue()

    monkeypatch.setattr(charts, "render_chart", capture)
    kasat = await two_days_of_incidents(posko, enlist, fake, clock, group)
    await kasat.send("/grafik 3")
    assert kasat.last_message().kind == "photo"
    rows = drawn["rows"]
    assert rows["Bengalon"] == [-1, 1, 3], "belum lapor, Waspada, then raised to Darurat"
    assert rows["Telen"] == [-1, 2, -1], "the upgrade's closing does not stretch it"
    assert rows["Busang"] == [-1, -1, -1]
    assert [sum(counts) for counts in zip(*drawn["per_level"].values(), strict=True)] == [
        0, 3, 1,
    ], "the bars still count reports"  # fmt: skip
