"""/kerawanan through the real bot: importing and replacing the map, who may, what files, the
views, and the map in /belum, /kinerja, /ekspor and the group alert."""

from __future__ import annotations

import io

import openpyxl

from bot import texts
from domain.parsing import utf16_len
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.html import parse_html
from tests.conftest import Enlist
from tests.handlers.kerawanan.test_story import HEADER, MAP_FILE
from tests.handlers.reading.test_export import document_bytes
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko

SECOND_MAP = (
    b"jenis,kecamatan,tingkat,faktor,tps,desa,alasan\n"
    b'kecamatan,Telen,tinggi,"akses darat, konflik lahan",,,\n'
    b"tps,Telen,,,3,Juq Ayaq,akses darat\n"
)


async def test_the_map_is_replaced_audited_and_kept_across_restarts(
    posko: Posko, admin: FakeUser, fake: FakeTelegram
) -> None:
    kasat = await add_coordinator(posko, fake)
    upload = await admin.send_document(MAP_FILE, "peta.csv")
    await admin.send("/kerawanan impor", reply_to_message=upload["message"])
    assert admin.last_message().text.startswith("✅ Peta kerawanan tersimpan sebagai versi 1")
    await admin.send_document(SECOND_MAP, "peta2.csv", caption="/kerawanan impor")
    assert admin.last_message().text == (
        "✅ Peta kerawanan tersimpan sebagai versi 2 dan langsung berlaku: 1 kecamatan (tinggi "
        "1, sedang 0, rendah 0), 1 TPS rawan. Peta sebelumnya (versi 1) diganti.\n"
        "Lihat dengan /kerawanan."
    )
    actions = [e.action for e in await posko.services.audit.recent()]
    assert actions[:2] == ["kerawanan_import", "kerawanan_import"]
    await posko.restart()
    vmap = posko.services.admin_settings.vulnerability
    assert (vmap.version, vmap.tinggi) == (2, ("Telen",))
    await kasat.send("/kerawanan")
    view = kasat.last_message().text
    assert "Versi 2, diimpor 27/11/2024 10.00 WITA · 1 kecamatan dipetakan · 1 TPS rawan" in view
    assert "• Telen — ⚠️ rawan tinggi, belum lapor · 📍 1 TPS rawan" in view
    assert "Busang — ⚪ belum lapor" in view, "Busang is no longer mapped"


async def test_only_admins_import_in_their_private_chat(
    posko: Posko, enlist: Enlist, admin: FakeUser, fake: FakeTelegram, group: FakeChat
) -> None:
    kasat = await add_coordinator(posko, fake)
    officer = await enlist(2001, "camat", "Busang", "Yohanes")
    await kasat.send_document(MAP_FILE, "peta.csv", caption="/kerawanan impor")
    assert kasat.last_message().text == texts.KERAWANAN_ADMIN_ONLY
    await admin.send_document(MAP_FILE, "peta.csv", caption="/kerawanan impor", chat=group)
    assert group.last_message().text == texts.KERAWANAN_ADMIN_ONLY
    await officer.send_document(MAP_FILE, "peta.csv", caption="/kerawanan impor")
    assert officer.last_message().text == texts.ROLE_REFUSED
    await officer.send("/kerawanan")
    assert officer.last_message().text == texts.ROLE_REFUSED
    assert posko.services.admin_settings.vulnerability.empty
    assert await posko.services.kerawanan.latest_version() is None


async def test_files_that_are_not_a_map(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/kerawanan impor")
    assert admin.last_message().text.startswith(
        "Kirim berkas CSV dengan keterangan /kerawanan impor"
    )
    assert "jenis;kecamatan;tingkat;faktor;tps;desa;alasan" in admin.last_message().text
    await admin.send_document(b"%PDF-1.4", "peta.pdf", caption="/kerawanan impor",
                              mime_type="application/pdf")  # fmt: skip
    assert admin.last_message().text == texts.IMPOR_NOT_CSV
    await admin.send_document(b"kecamatan;tingkat\nBusang;tinggi\n", "a.csv",
                              caption="/kerawanan impor")  # fmt: skip
    assert admin.last_message().text.startswith(
        "❌ Impor peta kerawanan dibatalkan: kolom tidak ada: jenis. Peta tidak diubah."
    )
    await admin.send_document(MAP_FILE, "besar.csv", caption="/kerawanan impor", size=2 << 20)
    assert admin.last_message().text == texts.IMPOR_TOO_BIG
    await admin.send_document(MAP_FILE, "peta.csv", caption="/kerawanan")
    assert admin.last_message().text == parse_html(texts.KERAWANAN_IMPOR_HELP)
    assert await posko.services.kerawanan.latest_version() is None


async def test_one_kecamatan_and_unknown_names(posko: Posko, admin: FakeUser) -> None:
    await admin.send("/kerawanan telen")
    assert admin.last_message().text == parse_html(texts.KERAWANAN_EMPTY)
    await admin.send_document(MAP_FILE, "peta.csv", caption="/kerawanan impor")
    await admin.send("/kerawanan Telen")
    assert admin.last_message().text.splitlines() == [
        "🗺 Telen · 🔹 Kerawanan rendah",
        "Kondisi sekarang: ⚪ belum lapor",
        "",
        "Tidak ada TPS rawan yang tercatat di kecamatan ini.",
    ]
    await admin.send("/kerawanan samarinda")
    assert admin.last_message().text == parse_html(texts.KERAWANAN_USAGE)


async def test_belum_kinerja_and_the_export_follow_the_map(
    posko: Posko, enlist: Enlist, admin: FakeUser, group: FakeChat, fake: FakeTelegram,
    clock: FakeClock,
) -> None:  # fmt: skip
    await enlist(2001, "camat", "Busang", "Yohanes")
    telen = await enlist(2002, "camat", "Telen", "Tono")
    await enlist(2003, "camat", "Bengalon", "Budi")
    kasat = await add_coordinator(posko, fake)
    await admin.send_document(MAP_FILE, "peta.csv", caption="/kerawanan impor")
    await admin.send("/belum")
    lines = admin.last_message().text.splitlines()
    assert lines[2:] == [
        "Busang ⚠️ rawan tinggi, belum lapor: Camat Yohanes",
        "Bengalon: Camat Budi",
        "Telen: Camat Tono",
    ], "flagged first, then by mapped level"

    await telen.send("/lapor rawan jalan diblokade warga")
    clock.advance(minutes=20)
    await kasat.press("✅ Diterima", group.last_message())
    await admin.send("/kinerja hari ini")
    kinerja = admin.last_message().text
    assert "Per tingkat kerawanan (menurut peta saat ini)\n🔹 Kerawanan rendah — 1 insiden\n" in (
        kinerja
    )
    assert "    ⏱ Waktu tanggap: median 20 menit, terlama 20 menit" in kinerja

    await admin.send("/ekspor")
    workbook = openpyxl.load_workbook(
        io.BytesIO(document_bytes(admin.messages[-1])), read_only=True
    )
    sheet = workbook["Kerawanan"].iter_rows(values_only=True)
    rows = [tuple(cell or "" for cell in row) for row in sheet]
    assert rows == [
        tuple(HEADER.strip().split(";")),
        ("kecamatan", "Busang", "tinggi", "konflik pendukung, akses sungai, politik uang", "",
         "", ""),
        ("kecamatan", "Bengalon", "sedang", "politik uang", "", "", ""),
        ("kecamatan", "Telen", "rendah", "", "", "", ""),
        ("tps", "Bengalon", "", "", 7, "Sepaso", "riwayat politik uang"),
        ("tps", "Busang", "", "", 12, "Long Lees", "akses sungai, rawan banjir"),
    ]  # fmt: skip


async def test_the_longest_alert_with_the_map_still_fits(
    posko: Posko, enlist: Enlist, admin: FakeUser, group: FakeChat
) -> None:
    """Factors, desa and reasons at their longest, four listed TPS named: the note is bounded
    and the alert is still one message."""
    factors = ", ".join(f"{i}" + "f" * 59 for i in range(8))
    rows = [f"kecamatan;Busang;tinggi;{factors};;;"]
    rows += [f"tps;Busang;;;{n};{'D' * 59}{n};{'alasan ' * 21}" for n in range(1, 5)]
    data = (HEADER + "\n".join(rows) + "\n").encode()
    await admin.send_document(data, "peta.csv", caption="/kerawanan impor")
    assert admin.last_message().text.startswith("✅ Peta kerawanan tersimpan")
    officer = await enlist(2001, "kapolsek", "Busang", "A" * 200)
    longest = ("TPS 1 TPS 2 TPS 3 TPS 4 " + "kata " * 600)[:3000]
    await officer.send(f"/lapor darurat {longest}")
    alert = group.messages[0].text
    assert utf16_len(alert) <= 4096
    assert alert.count("⚠️ TPS rawan: TPS") == 3
    assert "… dan 1 TPS rawan lain (/kerawanan)" in alert
    assert "⚠️ Wilayah rawan tinggi pada peta kerawanan: 0fff" in alert
