"""The story of issue 23 through the real bot: the vulnerability map guides what is watched."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from emulator import FakeChat, FakeTelegram, FakeUser
from handlers.kerawanan.repeat import JOB
from tests.conftest import Enlist
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko

WITA = ZoneInfo("Asia/Makassar")
HEADER = "jenis;kecamatan;tingkat;faktor;tps;desa;alasan\r\n"
# As Excel saves "CSV UTF-8" in an Indonesian locale: a BOM, semicolons, CRLF.
MAP_FILE = (
    "\ufeff"
    + HEADER
    + "kecamatan;Busang;tinggi;konflik pendukung, akses sungai, politik uang;;;\r\n"
    "kecamatan;Bengalon;sedang;politik uang;;;\r\n"
    "kecamatan;Telen;rendah;;;;\r\n"
    "tps;Busang;;;12;Long Lees;akses sungai, rawan banjir\r\n"
    "tps;Bengalon;;;7;Sepaso;riwayat politik uang\r\n"
).encode()
BAD_FILE = (
    HEADER + "kecamatan;Busang;tinggi;konflik pendukung;;;\n"
    "kecamatan;Samarinda;tinggi;;;;\n"
    "kecamatan;Telen;parah;;;;\n"
    "tps;Busang;;;dua belas;Long Lees;akses sungai\n"
).encode()


def wita(hour: int, minute: int = 0) -> datetime:
    return datetime(2024, 11, 27, hour, minute, tzinfo=WITA)


def kecamatan_lines(text: str) -> list[str]:
    """The kecamatan lines of a /status answer (after its header)."""
    return [line for line in text.split("\n\n", 1)[1].splitlines() if line.strip()]


async def test_the_map_guides_what_is_watched(
    posko: Posko, enlist: Enlist, admin: FakeUser, group: FakeChat, fake: FakeTelegram,
    clock: FakeClock,
) -> None:  # fmt: skip
    camat_busang = await enlist(2001, "camat", "Busang", "Yohanes Ding")
    kapolsek_busang = await enlist(2002, "kapolsek", "Busang", "AKP Rudi")
    camat_bengalon = await enlist(2003, "camat", "Bengalon", "Budi")
    kasat = await add_coordinator(posko, fake)

    # A bad file is refused with its line numbers, and changes nothing.
    await admin.send_document(BAD_FILE, "peta.csv", caption="/kerawanan impor")
    assert admin.last_message().text.splitlines() == [
        "❌ Impor peta kerawanan dibatalkan: 3 kesalahan, peta tidak diubah.",
        "Baris 3: kecamatan tidak dikenal: Samarinda",
        "Baris 4: tingkat harus rendah, sedang, atau tinggi: parah",
        "Baris 5: nomor TPS harus angka 1 sampai 9999: dua belas",
        "Perbaiki berkas lalu kirim lagi.",
    ]
    assert posko.services.admin_settings.vulnerability.empty
    await kasat.send("/kerawanan")
    assert kasat.last_message().text.startswith("🗺 Peta kerawanan belum diimpor.")

    # The admin imports the map: Busang tinggi, two vulnerable TPS.
    await admin.send_document(MAP_FILE, "peta_kerawanan.csv", caption="/kerawanan impor")
    assert admin.last_message().text == (
        "✅ Peta kerawanan tersimpan sebagai versi 1 dan langsung berlaku: 3 kecamatan (tinggi "
        "1, sedang 1, rendah 1), 2 TPS rawan.\nLihat dengan /kerawanan."
    )
    [entry, *_] = await posko.services.audit.recent()
    assert (entry.action, entry.actor_id, entry.target_id) == ("kerawanan_import", 1001, 1)
    assert entry.detail == "version 1: 3 kecamatan (1 tinggi), 2 TPS"

    # /kerawanan shows Busang: its level, factors, TPS and its condition now.
    await camat_bengalon.send("/lapor aman")
    await kasat.send("/kerawanan")
    view = kasat.last_message().text
    assert "⚠️ rawan tinggi, belum lapor: Busang" in view
    tinggi = view.index("🔺 Kerawanan tinggi (1)")
    assert view.index("• Busang — ⚠️ rawan tinggi, belum lapor · 📍 1 TPS rawan") > tinggi
    assert "    konflik pendukung, akses sungai, politik uang" in view
    assert "🔸 Kerawanan sedang (1)\n• Bengalon — 🟢 Aman (1 laporan) · 📍 1 TPS rawan" in view
    assert "🔹 Kerawanan rendah (1)\n• Telen — ⚪ belum lapor" in view
    assert "Belum dipetakan (15)" in view
    await kasat.send("/kerawanan busang")
    assert kasat.last_message().text.splitlines() == [
        "🗺 Busang · 🔺 Kerawanan tinggi",
        "Faktor: konflik pendukung, akses sungai, politik uang",
        "Kondisi sekarang: ⚠️ rawan tinggi, belum lapor",
        "",
        "📍 TPS rawan (1)",
        "• TPS 12 · Desa Long Lees — akses sungai, rawan banjir",
    ]

    # Busang, silent, is flagged and listed first in /status.
    await kasat.send("/status")
    lines = kecamatan_lines(kasat.last_message().text)
    assert lines[0] == "⚪ Busang — ⚠️ rawan tinggi, belum lapor"
    assert lines[1] == "🟢 Bengalon — Aman (1 laporan)"
    assert lines[2] == "⚪ Telen — belum lapor", "belum lapor: the mapped ones first"

    # The 16.00 reminder, then REMINDER_REPEAT_MINUTES (60) later the second one.
    clock.set(wita(16))
    await posko.run_job("pengingat 16:00")
    for officer in (camat_busang, kapolsek_busang):
        assert officer.last_message().text.startswith("🔔 Pengingat laporan")
    assert "Laporan #1 tercatat" in camat_bengalon.last_message().text, "she reported"
    clock.set(wita(16, 59))
    await posko.run_job(JOB)
    assert kapolsek_busang.last_message().text.startswith("🔔 Pengingat laporan"), "not yet"
    clock.set(wita(17))
    await posko.run_job(JOB)
    second = camat_busang.last_message()
    assert second.text.startswith("🔔 Pengingat kedua\nBapak/Ibu Camat Busang, laporan situasi")
    assert "Kecamatan Busang termasuk wilayah rawan tinggi pada peta kerawanan" in second.text
    assert second.button_texts() == ["🟢 Nihil (tidak ada kejadian)", "📝 Lapor kejadian"]
    assert kapolsek_busang.last_message().text.startswith("🔔 Pengingat kedua")
    assert admin.last_message().text == (
        "⚠️ Kecamatan rawan tinggi belum lapor\n"
        "Belum ada laporan sejak pengingat pukul 16.00 WITA; petugasnya diingatkan lagi pukul "
        "17.00 WITA.\n"
        "• Busang: Camat Yohanes Ding, Kapolsek AKP Rudi\n"
        "Mohon petugas tersebut dihubungi langsung."
    )
    # Once per reminder round, across restarts.
    counts = (len(camat_busang.messages), len(kapolsek_busang.messages), len(admin.messages))
    await posko.run_job(JOB)
    await posko.restart()
    clock.set(wita(17, 5))
    await posko.run_job(JOB)
    assert (len(camat_busang.messages), len(kapolsek_busang.messages), len(admin.messages)) == (
        counts
    )

    # The digest: Busang flagged first.
    clock.set(wita(19))
    await posko.run_job("digest 19:00")
    digest = group.last_message().text
    assert digest.startswith("📋 Rekap Kondisi Wilayah")
    flag = digest.index("⚠️ Rawan tinggi, belum lapor (1)\n⚠️ Busang — konflik pendukung")
    assert flag < digest.index("Kondisi kecamatan")
    silent = digest[digest.index("🕓 Belum lapor") :].splitlines()
    assert silent[1] == "⚠️ Busang (rawan tinggi): Camat Yohanes Ding, Kapolsek AKP Rudi"

    # An incident at a listed TPS says so in its alert; one in Busang says it is rawan tinggi.
    clock.set(wita(19, 30))
    await camat_bengalon.send("/lapor rawan massa dua kubu berkumpul di TPS 07 Sepaso")
    alert = group.last_message().text
    assert alert.splitlines()[:3] == [
        "🟠 RAWAN · Laporan #2",
        "Kecamatan: Bengalon",
        "⚠️ TPS rawan: TPS 7 Desa Sepaso — riwayat politik uang",
    ]
    assert "rawan tinggi" not in alert
    await kapolsek_busang.send("/lapor darurat kotak suara dihadang di TPS 12")
    alert = group.last_message().text
    assert alert.splitlines()[2:4] == [
        "⚠️ Wilayah rawan tinggi pada peta kerawanan: konflik pendukung, akses sungai, "
        "politik uang",
        "⚠️ TPS rawan: TPS 12 Desa Long Lees — akses sungai, rawan banjir",
    ]
