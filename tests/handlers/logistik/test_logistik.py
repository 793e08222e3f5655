"""Election logistics through the real bot: deadlines, confirmations, corroboration, the grid,
late announcements, kendala, withdrawals, the digest and the export."""

import io
import json
from datetime import datetime
from importlib import resources
from pathlib import Path

import openpyxl
import pytest

from bot import texts
from domain.logistics import StageState, late_key
from emulator import FakeChat, FakeTelegram, FakeUser, SentMessage
from emulator.html import parse_html
from handlers.logistik import confirm as confirm_module
from handlers.logistik.late import LATE_JOB
from tests.conftest import Enlist
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko, fill_form, make_settings, replay_after_crash


def pause_late_job(posko: Posko) -> None:
    """The late announcements run only when a test asks (run_job), not on their own."""
    queue = posko.app.job_queue
    assert queue is not None
    for job in queue.get_jobs_by_name(LATE_JOB):
        job.enabled = False


def place(posko: Posko, kecamatan: str) -> int:
    return posko.services.region.kecamatan.index(kecamatan)


def last_answer(fake: FakeTelegram) -> str:
    return str(list(fake.callback_answers.values())[-1].get("text", ""))


def grid_line(message: SentMessage, kecamatan: str) -> str:
    return next(
        line
        for line in message.text.splitlines()
        if line.endswith(kecamatan) or f" {kecamatan} 🚧" in line
    )


async def test_the_logistics_story(
    posko: Posko,
    enlist: Enlist,
    admin: FakeUser,
    group: FakeChat,
    fake: FakeTelegram,
    clock: FakeClock,
) -> None:
    """Issue 20's end-to-end story."""
    pause_late_job(posko)
    camat = await enlist(2001, "camat", "Bengalon", "Budi Santoso")
    kapolsek = await enlist(2002, "kapolsek", "Bengalon", "Agus")
    busang = await enlist(2003, "camat", "Busang", "Eko")
    kasat = await add_coordinator(posko, fake)

    # An admin plans deadlines (10.00 WITA now).
    await admin.send("/logistik rencana 1 semua 27-11-2024 18.00")
    assert admin.last_message().text == (
        "🗓 Tenggat Tahap 1 · tiba di gudang PPK untuk semua kecamatan: Rabu, 27 November 2024 "
        "pukul 18.00 WITA."
    )
    await admin.send("/logistik rencana 2 bengalon 27-11-2024 12:00")
    assert "untuk Kecamatan Bengalon: Rabu, 27 November 2024 pukul 12.00 WITA" in (
        admin.last_message().text
    )

    # The Camat confirms stage 1 with a photo.
    await camat.send("/logistik")
    view = camat.last_message()
    assert view.text.startswith("🚚 Logistik Pilkada — Bengalon")
    assert "⏳ 1. Tiba di gudang PPK · tenggat 27/11 18.00 WITA (8 jam lagi)" in view.text
    assert "⏳ 2. Didistribusikan ke PPS/TPS · tenggat 27/11 12.00 WITA (2 jam lagi)" in (
        view.text
    )
    assert len(view.text.splitlines()) <= 12, "an officer's view fits one phone screen"
    assert view.button_texts() == ["✅ Sudah", "⚠️ Ada kendala"]
    await camat.press("✅ Sudah", view)
    assert camat.last_message().text.startswith("✅ Konfirmasi Tahap 1 · tiba di gudang PPK")
    clock.advance(minutes=5)
    await camat.send_photo()
    assert camat.last_message().text == (
        "✅ Tahap 1 · tiba di gudang PPK — Bengalon tercatat pukul 10.05 WITA (dengan foto).\n"
        "Berikutnya: Tahap 2 · didistribusikan ke PPS/TPS. Lihat /logistik."
    )

    # The Kapolsek corroborates it, then confirms stage 2 with a count.
    await kapolsek.send("/logistik")
    view = kapolsek.last_message()
    assert view.button_texts() == ["✅ Sudah", "⚠️ Ada kendala", "👍 Benarkan tahap 1"]
    assert "✅ 1. Tiba di gudang PPK · 27/11 10.05 WITA · Camat Budi Santoso · 📷" in view.text
    await kapolsek.press("👍 Benarkan tahap 1", view)
    assert kapolsek.last_message().text.startswith("👍 Membenarkan Tahap 1")
    await kapolsek.press("💾 Simpan tanpa foto")
    assert kapolsek.last_message().text.startswith(
        "👍 Pembenaran Tahap 1 · tiba di gudang PPK — Bengalon tercatat pukul 10.05 WITA.\n"
        "Tahap ini dikonfirmasi lebih dulu oleh Camat Budi Santoso pukul 10.05 WITA."
    )
    stage_one = await posko.services.logistics.confirmations("Bengalon")
    assert [(c.officer_id, c.stage, c.photo_file_id is not None) for c in stage_one] == [
        (2001, "gudang_ppk", True),
        (2002, "gudang_ppk", False),
    ]
    await camat.send("/logistik")
    assert "dibenarkan Kapolsek Agus" in camat.last_message().text
    assert "👍 Benarkan tahap 1" not in camat.last_message().button_texts()

    # An officer of another kecamatan cannot confirm there, even with a forged button.
    before = await posko.services.logistics.confirmations()
    await busang.press_data(f"lg:ok:distribusi:{place(posko, 'Bengalon')}", view)
    assert last_answer(fake) == texts.LOGISTIK_NOT_OWN
    await busang.press_data(f"lg:ok:gudang_ppk:{place(posko, 'Bengalon')}", view)
    assert last_answer(fake) == texts.LOGISTIK_NOT_OWN
    await busang.send("/logistik tarik 1 Bengalon salah")
    assert busang.last_message().text == texts.LOGISTIK_NOT_OWN
    await busang.press_data(f"lg:ok:seluruh_tps:{place(posko, 'Busang')}", view)
    assert last_answer(fake).startswith("Tahap 3 belum dapat dikonfirmasi: tahap 1 belum")
    assert await posko.services.logistics.confirmations() == before
    assert await posko.services.drafts.get(2003) is None

    # Stage 2 passes its deadline unconfirmed: announced once, ⚠️ in the grid.
    clock.set(datetime.fromisoformat("2024-11-27T12:01:00+08:00"))
    await posko.run_job(LATE_JOB)
    await posko.settle()
    [late] = group.messages
    assert late.text.splitlines() == [
        "⚠️ Logistik terlambat — 1 tahap melewati tenggat",
        "• Bengalon — Tahap 2 · didistribusikan ke PPS/TPS, tenggat 27/11 12.00 WITA",
        "Tabel lengkap: /logistik",
    ]
    await posko.run_job(LATE_JOB)
    await posko.restart()
    pause_late_job(posko)
    await posko.run_job(LATE_JOB)
    await posko.settle()
    assert group.messages == [late], "announced once, across restarts"
    await kasat.send("/logistik")
    grid = kasat.last_message()
    lines = grid.text.splitlines()
    assert lines[0] == "🚚 Logistik Pilkada · Kabupaten Kutai Timur"
    assert lines[1] == "Per 27/11 12.01 WITA · ✅ 1 · ⚠️ 1 · ⏳ 17 · ▫️ 71"
    assert lines[5] == "✅⚠️▫️▫️▫️ Bengalon", "the kecamatan with a late stage first"
    assert "⚠️ Bengalon — tahap 2, tenggat 27/11 12.00 WITA (terlambat 1 menit)" in lines
    assert len(grid.text) <= 4096

    # A kendala on stage 2 opens a Logistik incident linked to it.
    await camat.send("/logistik")
    await camat.press("⚠️ Ada kendala")
    assert camat.last_message().text.startswith(
        "⚠️ Kendala Tahap 2 · didistribusikan ke PPS/TPS — Bengalon\nPilih tingkatnya:"
    )
    await camat.press("🟠 Rawan")
    assert camat.last_message().text.startswith("⚠️ Kendala tahap 2 · 🟠 Rawan")
    await camat.send("truk tertahan banjir di jalan poros <km 12>")
    receipt, saved = camat.messages[-2:]
    assert receipt.text.startswith("✅ Laporan #1 tercatat pukul 12.01 WITA.")
    assert saved.text.startswith(
        "⚠️ Kendala tahap 2 (didistribusikan ke PPS/TPS) tercatat sebagai insiden #1."
    )
    alert = group.last_message()
    assert alert.text.startswith("🟠 RAWAN · Laporan #1")
    assert "Kendala logistik tahap 2 (didistribusikan ke PPS/TPS): truk tertahan banjir di " in (
        alert.text
    )
    assert "<km 12>" in alert.text
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert (incident.category, incident.kecamatan, incident.is_open) == (
        "logistik",
        "Bengalon",
        True,
    )
    [kendala] = await posko.services.logistics.kendala()
    assert (kendala.report, kendala.stage, kendala.kecamatan) == (1, "distribusi", "Bengalon")
    await kasat.send("/logistik")
    assert grid_line(kasat.last_message(), "Bengalon") == "✅⚠️▫️▫️▫️ Bengalon 🚧 #1"
    await kasat.send("/logistik bengalon")
    detail = kasat.messages[-2].text
    assert "    🚧 kendala #1 🟠 Rawan — /lihat 1" in detail
    await camat.send("/logistik")  # officers cannot use /lihat: they are shown what they can
    assert "🚧 Kendala terbuka: #1 🟠 Rawan — /perkembangan 1 <teks>" in camat.last_message().text
    assert kasat.last_message().kind == "photo", "the photo of the confirmation follows"
    assert await posko.services.drafts.get(2001) is None

    # Every step is in the audit log.
    actions = [entry.action for entry in await posko.services.audit.recent(20)]
    assert actions.count("logistics plan") == 2
    assert actions.count("logistics confirm") == 2
    assert actions.count("logistics kendala") == 1


async def test_late_stages_that_become_late_together_share_one_message(
    posko: Posko, admin: FakeUser, group: FakeChat, clock: FakeClock
) -> None:
    pause_late_job(posko)
    await admin.send("/logistik rencana 1 semua 27-11-2024 11.00")
    await admin.send("/logistik rencana 3 Telen 27-11-2024 11.00")
    clock.advance(hours=2)
    await posko.run_job(LATE_JOB)
    await posko.settle()
    [message] = group.messages
    assert message.text.startswith("⚠️ Logistik terlambat — 19 tahap melewati tenggat")
    assert len(message.text.splitlines()) == 21
    await admin.send("/logistik rencana 1 Telen 27-11-2024 14.00")  # a new deadline
    clock.advance(hours=2, minutes=1)
    await posko.run_job(LATE_JOB)
    await posko.settle()
    assert len(group.messages) == 2
    assert group.last_message().text.splitlines()[1] == (
        "• Telen — Tahap 1 · tiba di gudang PPK, tenggat 27/11 14.00 WITA"
    )


async def test_an_interrupted_announcement_is_finished_not_repeated(
    posko: Posko, admin: FakeUser, group: FakeChat, clock: FakeClock
) -> None:
    pause_late_job(posko)
    await admin.send("/logistik rencana 1 Telen 27-11-2024 11.00")
    clock.advance(hours=2)
    services = posko.services
    # Claimed, then the process died before posting it.
    board = await services.logistics.board(
        services.logistics_plan, services.region, services.clock()
    )
    [late] = [s for s in board.statuses() if s.state is StageState.LATE]
    parts = texts.logistik_late_announcement([late], services.clock(), services.settings.timezone)
    assert await services.logistics.claim_announcement([late_key(late)], parts, clock()) == 1
    await posko.restart()
    pause_late_job(posko)
    await posko.run_job(LATE_JOB)
    await posko.settle()
    await posko.run_job(LATE_JOB)
    await posko.settle()
    assert len(group.messages) == 1
    assert "Telen — Tahap 1" in group.last_message().text


async def test_confirmation_input_is_checked(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    await officer.send("12 dari 14 TPS")
    assert officer.last_message().text.startswith("Tahap ini tidak memakai jumlah TPS.")
    await officer.send_document(b"%PDF", "foto.pdf", mime_type="application/pdf")
    assert officer.last_message().text.startswith("Bukti harus berupa foto")
    await officer.press("💾 Simpan tanpa foto", officer.messages[-3])
    assert officer.last_message().text.startswith("✅ Tahap 1 · tiba di gudang PPK — Telen")
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    for typed, answer in (
        ("dua belas", "Jumlah tidak dikenali."),
        ("15 dari 14", "Jumlah TPS harus 1 atau lebih"),
        ("0", "Jumlah TPS harus 1 atau lebih"),
    ):
        await officer.send(typed)
        assert officer.last_message().text.startswith(answer), typed
    await officer.send_photo("bukan angka")
    assert officer.last_message().text.startswith("Jumlah tidak dikenali.")
    await officer.send_photo("12 dari 14 TPS")
    assert officer.last_message().text.startswith(
        "✅ Tahap 2 · didistribusikan ke PPS/TPS — Telen tercatat pukul 10.00 WITA "
        "(12/14 TPS, dengan foto)."
    )
    # The stage just confirmed is not confirmed twice by the same officer.
    await officer.press_data(f"lg:ok:distribusi:{place(posko, 'Telen')}", officer.last_message())
    assert last_answer(fake) == (
        "Bapak/Ibu sudah mengonfirmasi tahap 2 pukul 10.00 WITA; tidak perlu dikonfirmasi lagi. "
        "Lihat /logistik."
    )
    # Old or forged dialog buttons do nothing.
    await officer.press_data("lg:sv:deadbeef", officer.last_message())
    assert last_answer(fake) == texts.STALE_BUTTON
    await officer.press_data("lg:ok:tidak_ada:0", officer.last_message())
    assert last_answer(fake) == texts.STALE_BUTTON
    await officer.press_data("lg:ok:distribusi:99", officer.last_message())
    assert last_answer(fake) == texts.STALE_BUTTON
    assert len(await posko.services.logistics.confirmations()) == 2


async def test_the_tps_count_of_the_file_is_enforced(
    fake: FakeTelegram, db_path: Path, clock: FakeClock, tmp_path: Path
) -> None:
    data = json.loads(resources.files("bot").joinpath("regions/logistik.json").read_text("utf-8"))
    data["tps"] = {"Telen": 14}
    file = tmp_path / "logistik.json"
    file.write_text(json.dumps(data), "utf-8")
    bot = Posko(fake, make_settings(fake, db_path, logistics_file=file), clock)
    await bot.start()
    try:
        officer = await Enlist(bot, fake)(2001, "camat", "Telen", "Budi")
        await officer.send("/logistik")
        assert officer.last_message().text.startswith("🚚 Logistik Pilkada — Telen · 14 TPS")
        await officer.press("✅ Sudah")
        await officer.press("💾 Simpan tanpa foto")
        await officer.send("/logistik")
        await officer.press("✅ Sudah")
        assert "12 dari 14 TPS" in officer.last_message().text
        await officer.send("12 dari 15 TPS")
        assert officer.last_message().text.startswith(
            "Menurut data, Kecamatan Telen memiliki 14 TPS."
        )
        await officer.send("15")
        assert officer.last_message().text.startswith("Kecamatan Telen memiliki 14 TPS;")
        await officer.send("12")
        assert "(12/14 TPS)" in officer.last_message().text
    finally:
        await bot.stop()


async def test_the_kendala_dialog(posko: Posko, enlist: Enlist, group: FakeChat) -> None:
    officer = await enlist(2001, "danramil", "Kaubun", "Joko")
    await officer.send("/logistik")
    await officer.press("⚠️ Ada kendala")
    await officer.send("ada masalah")
    assert officer.last_message().text == texts.LOGISTIK_USE_BUTTONS
    await officer.press("🟡 Waspada", officer.messages[-2])
    await officer.send("\u200b ")
    assert officer.last_message().text == texts.LOGISTIK_KENDALA_EMPTY
    await officer.send_photo("kotak suara basah di gudang PPK")
    saved = officer.last_message().text
    assert saved.startswith("⚠️ Kendala tahap 1 (tiba di gudang PPK) tercatat sebagai insiden #1")
    assert group.messages == [], "a Waspada kendala is an incident, not an alert"
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level.value, report.category, report.incident) == (1, "logistik", 1)
    assert len(await posko.services.reports.photos(1)) == 1
    await officer.send("/logistik")
    assert "🚧 Kendala terbuka: #1 🟡 Waspada — /perkembangan 1 <teks>" in (
        officer.last_message().text
    )
    await officer.send("/selesai 1 kotak sudah diganti")
    await officer.send("/logistik")
    assert "🚧" not in officer.last_message().text, "a resolved kendala is history"
    await officer.press("⚠️ Ada kendala")
    await officer.send("/batal")
    assert officer.last_message().text == texts.LOGISTIK_CANCELLED
    assert await posko.services.drafts.get(2001) is None


async def test_withdrawals_keep_history(
    posko: Posko, enlist: Enlist, admin: FakeUser, fake: FakeTelegram
) -> None:
    camat = await enlist(2001, "camat", "Telen", "Budi")
    kapolsek = await enlist(2002, "kapolsek", "Telen", "Agus")
    for officer, button in ((camat, "✅ Sudah"), (kapolsek, "👍 Benarkan tahap 1")):
        await officer.send("/logistik")
        await officer.press(button)
        await officer.press("💾 Simpan tanpa foto")
    await kapolsek.send("/logistik tarik 1")
    assert kapolsek.last_message().text.startswith("Tulis alasannya")
    await kapolsek.send("/logistik tarik 2 salah")
    assert kapolsek.last_message().text.startswith("Tidak ada konfirmasi Tahap 2")
    await kapolsek.send("/logistik tarik 1 tidak menyaksikan sendiri")
    assert kapolsek.last_message().text == (
        "↩️ Konfirmasi Tahap 1 · tiba di gudang PPK — Telen ditarik: tidak menyaksikan sendiri. "
        "Riwayatnya tetap tersimpan."
    )
    await admin.send("/logistik tarik 1 foto <salah>")
    assert admin.last_message().text == parse_html(texts.LOGISTIK_TARIK_WHERE)
    await admin.send("/logistik tarik 1 Telen foto <salah>")
    assert admin.last_message().text.startswith("↩️ Konfirmasi Tahap 1")
    assert camat.last_message().text.startswith(
        "↩️ Konfirmasi Bapak/Ibu untuk Tahap 1 · tiba di gudang PPK — Telen ditarik oleh "
        "Operator Kesbangpol: foto <salah>."
    )
    history = await posko.services.logistics.confirmations("Telen")
    assert [(c.officer_id, c.withdrawn_by, c.withdraw_reason) for c in history] == [
        (2001, 1001, "foto <salah>"),
        (2002, 2002, "tidak menyaksikan sendiri"),
    ]
    await camat.send("/logistik")
    assert "⏳" not in camat.last_message().text
    assert "▫️ 1. Tiba di gudang PPK" in camat.last_message().text
    kasat = await add_coordinator(posko, fake)
    await kasat.send("/logistik tarik 1 Telen x")
    assert kasat.last_message().text == texts.LOGISTIK_TARIK_REFUSED
    await kasat.send("/logistik rencana 1 semua 27-11-2024 18.00")
    assert kasat.last_message().text == texts.LOGISTIK_RENCANA_ADMIN_ONLY
    actions = [entry.action for entry in await posko.services.audit.recent(20)]
    assert actions.count("logistics withdraw") == 2


async def test_bad_commands_say_what_to_do(posko: Posko, enlist: Enlist, admin: FakeUser) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/logistik busang")
    assert officer.last_message().text.startswith("Ketik /logistik untuk tahapan logistik")
    for args, start in (
        ("rencana", "Format: /logistik rencana"),
        ("rencana 7 semua 27-11-2024 18.00", "Nomor tahap harus 1 sampai 5; pilih salah satu:"),
        ("rencana 2 Atlantis 27-11-2024 18.00", "Kecamatan tidak dikenal."),
        ("rencana 2 semua 31-02-2024 18.00", "Tanggal tidak dikenal."),
        ("rencana 2 semua 27-11-2024 25.00", "Jam tidak dikenal."),
        ("atlantis", "Kecamatan tidak dikenal."),
        ("tarik", "Format: /logistik tarik"),
    ):
        await admin.send(f"/logistik {args}")
        assert admin.last_message().text.startswith(start), args
    await admin.send("/logistik rencana 2 Telen 26-11-2024 18.00")
    assert admin.last_message().text.endswith(
        "Tenggat ini sudah lewat: tahap yang belum dikonfirmasi terhitung terlambat dan "
        "diumumkan di grup koordinasi."
    )
    await admin.send("/logistik rencana 2 Telen hapus")
    assert admin.last_message().text == (
        "🗓 Tenggat Tahap 2 · didistribusikan ke PPS/TPS untuk Kecamatan Telen dihapus."
    )


async def test_deadlines_are_typed_as_dates_are_everywhere(
    posko: Posko, admin: FakeUser, clock: FakeClock
) -> None:
    """A month name, a kecamatan of two words, "WITA" after the time, and "besok" of the WITA
    day (not the UTC one) all reach the stored deadline."""
    await admin.send("/logistik rencana 2 Sangatta Utara 28 Nov 2024 18.00 WITA")
    assert admin.last_message().text == (
        "🗓 Tenggat Tahap 2 · didistribusikan ke PPS/TPS untuk Kecamatan Sangatta Utara: "
        "Kamis, 28 November 2024 pukul 18.00 WITA."
    )
    await admin.send("/logistik rencana 3 Muara Wahau Jumat, 29 November 2024 07:30")
    assert "untuk Kecamatan Muara Wahau: Jumat, 29 November 2024 pukul 07.30 WITA." in (
        admin.last_message().text
    )
    clock.set(datetime.fromisoformat("2024-11-28T01:30+08:00"))  # 27/11 17.30 UTC
    await admin.send("/logistik rencana 1 semua besok 06.00")
    assert admin.last_message().text == (
        "🗓 Tenggat Tahap 1 · tiba di gudang PPK untuk semua kecamatan: "
        "Jumat, 29 November 2024 pukul 06.00 WITA."
    )
    await admin.send("/logistik rencana 4 Bengalon 30 Novem 2024 18.00")
    assert admin.last_message().text.startswith(
        "Tanggal tidak dikenal. Tulis misalnya 26-11-2024, 26 Nov 2024, atau besok."
    )
    planned = await posko.services.logistics.planned()
    wita = posko.services.settings.timezone
    assert planned[("distribusi", "Sangatta Utara")] == datetime(2024, 11, 28, 18, tzinfo=wita)
    assert planned[("seluruh_tps", "Muara Wahau")] == datetime(2024, 11, 29, 7, 30, tzinfo=wita)
    assert planned[("gudang_ppk", "Bengalon")] == datetime(2024, 11, 29, 6, tzinfo=wita)
    assert not any(stage == "kembali_ppk" for stage, _ in planned)
    assert len(planned) == 2 + len(posko.services.region.kecamatan)


async def test_the_digest_lists_only_the_kecamatan_behind(
    posko: Posko, enlist: Enlist, admin: FakeUser
) -> None:
    await admin.send("/rekap")
    assert "Logistik" not in admin.last_message().text, "nothing due: no section"
    await admin.send("/logistik rencana 1 semua 28-11-2024 18.00")
    await admin.send("/logistik rencana 1 Busang 27-11-2024 08.00")
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    await officer.press("💾 Simpan tanpa foto")
    await admin.send("/rekap")
    text = admin.last_message().text
    section = text[text.index("🚚 Logistik Pilkada") :].split("\n\n")[0].splitlines()
    assert section[1:3] == [
        "⚠️ 1 terlambat · ⏳ 16 tenggat ≤ 48 jam · 17 dari 18 kecamatan perlu perhatian",
        "⚠️ Busang: tahap 1 terlambat 2 jam",
    ]
    assert section[3].startswith("⏳ Tahap 1, tenggat 28/11 18.00 WITA: Batu Ampar, Bengalon, ")
    assert len(section) == 4
    assert "Telen" not in section[3], "confirmed: not behind"
    await admin.send("/rekap kemarin")
    assert "Logistik" not in admin.last_message().text, "a past day has no logistics section"


async def test_the_export_has_a_logistics_sheet(
    posko: Posko, enlist: Enlist, admin: FakeUser
) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await admin.send("/logistik rencana 2 semua 27-11-2024 18.00")
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    await officer.send_photo()
    await officer.send("/lapor aman")
    await admin.send("/ekspor")
    xlsx = admin.messages[-1]
    content = bytes(xlsx.params["document"]["content"])
    workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    rows = list(workbook["Logistik"].values)
    assert rows[0] == texts.LOGISTICS_COLUMNS
    assert len(rows) == 1 + 18 * 5
    telen = [r for r in rows if r[0] == "Telen"]
    assert telen[0][:10] == (
        "Telen",
        1,
        "tiba di gudang PPK",
        "sudah",
        None,
        "2024-11-27 10:00",
        "Budi",
        "Camat",
        None,
        "ya",
    )
    assert telen[1][:5] == (
        "Telen",
        2,
        "didistribusikan ke PPS/TPS",
        "menunggu",
        "2024-11-27 18:00",
    )


async def test_the_grid_fits_one_message_in_the_worst_case(
    posko: Posko, admin: FakeUser, clock: FakeClock
) -> None:
    for stage in range(1, 6):
        await admin.send(f"/logistik rencana {stage} semua 27-11-2024 10.30")
    clock.advance(days=3, minutes=1)
    await admin.send("/logistik")
    grid = admin.last_message()
    assert len(grid.text) <= 4096
    assert grid.text.count("⚠️⚠️⚠️⚠️⚠️") == 18
    assert "lainnya" in grid.text, "the late details are cut to fit"


async def test_a_kendala_or_confirmation_handled_again_is_stored_once(
    posko: Posko, enlist: Enlist, group: FakeChat, clock: FakeClock
) -> None:
    """A crash after the commit, before the dialog ended: the replayed message files nothing
    twice."""
    officer = await enlist(2001, "camat", "Sandaran", "Budi")
    services = posko.services
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    dialog = await services.drafts.get(2001)
    assert dialog is not None
    photo = await officer.send_photo()
    await services.drafts.put(dialog, clock())
    await replay_after_crash(posko, photo)
    assert len(await posko.services.logistics.confirmations()) == 1
    assert officer.last_message().text.startswith("✅ Tahap 1 · tiba di gudang PPK — Sandaran")

    services = posko.services
    await officer.send("/logistik")
    await officer.press("⚠️ Ada kendala")
    await officer.press("🔴 Darurat")
    dialog = await services.drafts.get(2001)
    assert dialog is not None
    kendala = await officer.send("jembatan putus, truk logistik tidak bisa lewat")
    await services.drafts.put(dialog, clock())
    await replay_after_crash(posko, kendala)
    services = posko.services
    assert await services.reports.count() == 1
    assert len(await services.logistics.kendala()) == 1
    assert len(group.messages) == 1, "alerted once"
    assert officer.last_message().text.startswith("⚠️ Kendala tahap 2")
    assert await services.drafts.get(2001) is None


# --- an open form, and a crash before the answer (review of issue 20) -------------------------


async def _nothing(*_: object, **__: object) -> None:
    """Stands for a process killed right after the commit: nothing after it happened."""


async def test_the_logistics_buttons_keep_a_half_filled_report_form(
    posko: Posko, enlist: Enlist
) -> None:
    """ "✅ Sudah" and "⚠️ Ada kendala" do not overwrite an open /lapor form (the ➕ Perkembangan
    dialog does not either); a ➕ Perkembangan waiting for its message holds nothing typed."""
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    narrative = "truk logistik dihadang massa di km 12"
    await fill_form(officer, "🟠 Rawan", "Logistik Pilkada", narrative, until="photos")
    form = await posko.services.drafts.get(officer.id)
    assert form is not None
    assert form.flow == "lapor"
    await officer.send("/logistik")
    view = officer.last_message()
    for label in ("✅ Sudah", "⚠️ Ada kendala"):
        await officer.press(label, view)
        assert await posko.services.drafts.get(officer.id) == form, "the typed form is lost"
        assert officer.last_message().text == parse_html(texts.LOGISTIK_FINISH_FORM_FIRST)

    await officer.send("/batal")
    await officer.send("/lapor waspada kerumunan di gudang PPK")
    await officer.press("➕ Perkembangan")
    assert officer.last_message().text.startswith("➕ Tulis perkembangan insiden #1")
    await officer.press("✅ Sudah", view)
    dialog = await posko.services.drafts.get(officer.id)
    assert dialog is not None
    assert dialog.flow == "logistik"
    assert officer.last_message().text.startswith("✅ Konfirmasi Tahap 1")


async def test_a_confirmation_whose_answer_was_lost_is_answered_when_handled_again(
    posko: Posko, enlist: Enlist, monkeypatch: pytest.MonkeyPatch
) -> None:
    """kill -9 after the commit, before the answer: the dialog ends only after the answer, so
    the message (a photo, or the 💾 press) handled again is recognised as stored and answered."""
    officer = await enlist(2001, "camat", "Sandaran", "Budi")
    logistics = posko.services.logistics
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    monkeypatch.setattr(confirm_module, "_finish_confirmation", _nothing)
    photo = await officer.send_photo()
    monkeypatch.undo()
    assert len(await logistics.confirmations()) == 1
    told = len(officer.messages)
    await replay_after_crash(posko, photo)
    assert len(await posko.services.logistics.confirmations()) == 1
    assert len(officer.messages) == told + 1
    assert officer.last_message().text.startswith("✅ Tahap 1 · tiba di gudang PPK — Sandaran")
    assert await posko.services.drafts.get(officer.id) is None

    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    monkeypatch.setattr(confirm_module, "_finish_confirmation", _nothing)
    save = await officer.press("💾 Simpan tanpa foto")
    monkeypatch.undo()
    await replay_after_crash(posko, save)
    assert len(await posko.services.logistics.confirmations()) == 2
    assert officer.last_message().text.startswith("✅ Tahap 2 · didistribusikan ke PPS/TPS")
    assert await posko.services.drafts.get(officer.id) is None


async def test_the_wording_says_what_to_do_next(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    kasat = await add_coordinator(posko, fake)
    await kasat.send("/logistik rencana 2 semua 27-11-2024 18.00")
    assert kasat.last_message().text == (
        "Tenggat logistik hanya dapat diatur oleh admin Kesbangpol. Tenggat yang berlaku: "
        "/logistik."
    )
    await kasat.send("/logistik tarik 1 Telen salah")
    assert kasat.last_message().text.endswith("Hubungi admin Kesbangpol.")
    await officer.send("/logistik")
    await officer.press("✅ Sudah")
    assert "Kirim foto sebagai bukti atau tekan 💾 Simpan tanpa foto." in (
        officer.last_message().text
    )
    await officer.send("/batal")
    await officer.send("/logistik")
    view = officer.last_message()
    await officer.press("✅ Sudah", view)
    await officer.press("💾 Simpan tanpa foto")
    await officer.send("/logistik")
    await officer.press("✅ Sudah")  # stage 2 is counted
    assert (
        "Kirim foto sebagai bukti (boleh dengan keterangan jumlah, misalnya 12 dari 14 TPS), "
        "ketik jumlahnya saja, atau tekan 💾 Simpan tanpa foto."
    ) in officer.last_message().text
