"""Incidents through the real bot: opening, updates, take-up, closing, reopening, /insiden."""

from datetime import timedelta

import pytest

from bot import texts
from domain.enums import Role
from domain.members import RosterRow
from domain.parsing import utf16_len
from emulator import FakeChat, FakeTelegram, FakeUser, SentMessage
from handlers.reports import incidents as incidents_module
from handlers.reports.filing import escalate_pending
from tests.conftest import Enlist
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko, fill_form, replay_after_crash


def reply_to(message: SentMessage) -> int | None:
    parameters = message.params.get("reply_parameters") or {}
    return parameters.get("message_id") if isinstance(parameters, dict) else None


def status_line(user: FakeUser, kecamatan: str) -> str:
    return next(line for line in user.last_message().text.splitlines() if kecamatan in line)


async def test_muara_wahau_story(
    posko: Posko, enlist: Enlist, group: FakeChat, admin: FakeUser, fake: FakeTelegram,
    clock: FakeClock,
) -> None:  # fmt: skip
    """The story of issue 16: a blockade is not cleared by a routine nihil."""
    kapolsek = await enlist(2001, "kapolsek", "Muara Wahau", "Agus Salim")
    camat = await enlist(2002, "camat", "Muara Wahau", "Bambang")
    kasat = await add_coordinator(posko, fake)
    await kapolsek.send("/lapor rawan massa menghadang konvoi kotak suara")
    alert = group.last_message()
    assert alert.text.startswith("🟠 RAWAN · Laporan #1")
    assert kapolsek.last_message().button_texts() == ["➕ Perkembangan"]
    clock.advance(minutes=10)
    await camat.send("/lapor aman")
    assert camat.last_message().buttons() == [], "a nihil opens nothing"

    await admin.send("/status")
    assert status_line(admin, "Muara Wahau") == "🟠 Muara Wahau — Rawan (2 laporan)"
    counts = admin.last_message().text.splitlines()[1]
    assert counts == "🔴 0 · 🟠 1 · 🟡 0 · 🟢 0 · ⚪ 17 belum lapor"
    await admin.send("/rekap")
    rekap = admin.last_message().text
    assert "🔴 0 · 🟠 1 · 🟡 0 · 🟢 0 · ⚪ 17 belum lapor" in rekap
    assert "🟠 Muara Wahau — Rawan (2 laporan)" in rekap
    assert "#1 🟠 Muara Wahau · 10 menit · 🆕 Baru, belum diterima" in rekap

    clock.advance(minutes=2)  # 10:12
    await kasat.press("✅ Diterima", alert)
    assert "Status insiden: 👁 Ditangani" in alert.text
    assert alert.text.endswith("✅ Diterima oleh Kasat Intelkam pukul 10.12 WITA (12 menit).")
    assert alert.button_texts() == ["➕ Perkembangan"]

    clock.advance(minutes=8)  # 10:20
    await kapolsek.send("/perkembangan 1 massa mulai bubar, konvoi masih tertahan")
    assert kapolsek.last_message().text == (
        "➕ Perkembangan insiden #1 tercatat. Tingkat insiden: 🟠 Rawan."
    )
    under = group.last_message()
    assert under.text.startswith("➕ Perkembangan insiden #1 · 🟠 Rawan · Muara Wahau")
    assert "Agus Salim, pukul 10.20 WITA" in under.text
    assert reply_to(under) == alert.message_id
    assert "➕ Perkembangan terakhir (10.20 WITA, 🟠 Rawan): massa mulai bubar" in alert.text

    clock.advance(minutes=25)  # 10:45
    await camat.send("/selesai 1 massa bubar, konvoi kembali berjalan")
    assert camat.last_message().text == "✅ Insiden #1 tercatat selesai. Terima kasih."
    assert "Status insiden: ✅ Selesai" in alert.text
    assert alert.text.endswith(
        "✅ Selesai oleh Bambang pukul 10.45 WITA: massa bubar, konvoi kembali berjalan"
    )

    await admin.send("/status")
    assert status_line(admin, "Muara Wahau") == "🟢 Muara Wahau — Aman (2 laporan)"
    await admin.send("/rekap")
    rekap = admin.last_message().text
    assert "🔴 0 · 🟠 0 · 🟡 0 · 🟢 1 · ⚪ 17 belum lapor" in rekap
    assert "🟢 Aman: Muara Wahau" in rekap
    assert "Insiden terbuka" not in rekap
    assert "#1 🟠 Muara Wahau · selesai dalam 45 menit: massa bubar" in rekap

    await admin.send("/lihat 1")
    lihat = admin.last_message().text
    timeline = lihat[lihat.index("📌 Insiden #1") :].splitlines()
    assert timeline == [
        "📌 Insiden #1 · Muara Wahau · 🟠 Rawan · ✅ Selesai",
        "Dibuka 27/11 10.00 WITA",
        "27/11 10.00 WITA — 📝 Laporan #1 · 🟠 Rawan (Kapolsek Agus Salim)",
        "27/11 10.12 WITA — 👁 Ditangani oleh Kasat Intelkam",
        "27/11 10.20 WITA — ➕ Perkembangan oleh Agus Salim: massa mulai bubar, konvoi masih "
        "tertahan",
        "27/11 10.45 WITA — ✅ Selesai oleh Bambang: massa bubar, konvoi kembali berjalan",
    ]
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.text == "massa menghadang konvoi kotak suara", "the report never changes"

    await kasat.send("/kinerja")
    kinerja = kasat.last_message().text
    assert kinerja.startswith("📈 Kinerja penanganan insiden\nInsiden yang dibuka 21/11/2024–")
    assert (
        "Muara Wahau — 1 insiden\nDitangani 1 · selesai 1 · masih terbuka 0\n"
        "⏱ Waktu tanggap: median 12 menit · terlama 12 menit\n"
        "🏁 Waktu penyelesaian: median 45 menit · terlama 45 menit"
    ) in kinerja


async def test_only_that_kecamatan_updates_and_closes(
    posko: Posko, enlist: Enlist, group: FakeChat, admin: FakeUser, fake: FakeTelegram
) -> None:
    reporter = await enlist(2001, "camat", "Telen", "Budi")
    neighbour = await enlist(2002, "kapolsek", "Busang", "Eko")
    colleague = await enlist(2003, "danramil", "Telen", "Joko")
    await reporter.send("/lapor waspada isu politik uang")
    await neighbour.send("/perkembangan 1 saya dengar juga")
    assert neighbour.last_message().text.startswith("Insiden ini bukan di kecamatan Bapak/Ibu")
    await neighbour.send("/selesai 1 sudah")
    assert neighbour.last_message().text.startswith("Insiden ini bukan di kecamatan Bapak/Ibu")
    await neighbour.press_data("upd:1", reporter.last_message())
    answer = list(fake.callback_answers.values())[-1]["text"]
    assert answer.startswith("Insiden ini bukan di kecamatan Bapak/Ibu")
    assert await posko.services.drafts.get(2002) is None
    await colleague.send("/perkembangan 1 sudah dicek, aman terkendali")
    assert colleague.last_message().text.startswith("➕ Perkembangan insiden #1 tercatat")
    assert group.messages == [], "a Waspada incident is not posted"
    await colleague.send("/buka 1")
    assert colleague.last_message().text == (
        "Perintah ini tidak tersedia untuk jabatan Bapak/Ibu. Perintah untuk Bapak/Ibu ada di "
        "/bantuan."
    )
    await colleague.send("/selesai 1 isu tidak terbukti")
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert (incident.state.value, incident.closed_by) == ("selesai", 2003)
    await reporter.send("/perkembangan 1 lagi")
    assert "sudah selesai" in reporter.last_message().text
    await admin.send("/buka 1")
    assert admin.last_message().text == "↩️ Insiden #1 dibuka kembali (🆕 Baru)."
    await admin.send("/buka 1")
    assert admin.last_message().text == (
        "Insiden #1 masih terbuka; tidak perlu dibuka kembali. Perkembangannya: "
        "/perkembangan 1 teks."
    )
    await admin.send("/perkembangan 7 teks")
    assert admin.last_message().text.startswith("Laporan #7 tidak termasuk insiden")


async def test_the_receipt_button_asks_for_the_update_in_one_message(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "camat", "Sangatta Utara", "Budi")
    await officer.send("/lapor waspada kerumunan di depan TPS 5")
    receipt = officer.last_message()
    await officer.press("➕ Perkembangan", receipt)
    assert officer.last_message().text.startswith("➕ Tulis perkembangan insiden #1")
    await officer.send("rawan massa bertambah & mulai memanas")
    assert officer.last_message().text == (
        "➕ Perkembangan insiden #1 tercatat. Tingkat insiden: 🟠 Rawan."
    )
    assert await posko.services.drafts.get(2001) is None
    # Raised from Waspada: posted once, as the alert, with the update in it.
    assert len(group.messages) == 1
    alert = group.last_message()
    assert alert.text.startswith("🟠 RAWAN · Laporan #1")
    assert "massa bertambah & mulai memanas" in alert.text
    assert alert.button_texts() == ["✅ Diterima", "➕ Perkembangan"]
    await posko.run_job("escalate pending")
    await posko.settle()
    assert len(group.messages) == 1, "the sweep does not post it again"
    await officer.send("/perkembangan 1 darurat ada korban luka")
    assert len(group.messages) == 2
    assert reply_to(group.last_message()) == alert.message_id
    assert alert.text.startswith("🔴 DARURAT · Laporan #1")
    assert alert.button_texts() == ["✅ Diterima", "➕ Perkembangan"], "still waiting"


async def test_the_update_dialog_can_be_cancelled(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/lapor waspada isu hoaks")
    await officer.press("➕ Perkembangan", officer.last_message())
    await officer.send("/batal")
    assert officer.last_message().text == "❌ Perkembangan dibatalkan, tidak ada yang dicatat."
    assert await posko.services.incidents.events(1) != []
    assert [e.kind.value for e in await posko.services.incidents.events(1)] == ["report"]


async def test_insiden_lists_open_ones_worst_and_oldest_first(
    posko: Posko, enlist: Enlist, admin: FakeUser, clock: FakeClock
) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    other = await enlist(2002, "camat", "Busang", "Eko")
    for level in ("waspada", "rawan", "waspada", "rawan"):
        await officer.send(f"/lapor {level} kejadian {level}")
        clock.advance(minutes=1)
    for index in range(10):
        await other.send(f"/lapor waspada isu {index}")
        clock.advance(minutes=1)
    await officer.send("/selesai 4 sudah aman")
    await admin.send("/insiden")
    page = admin.last_message()
    lines = page.text.splitlines()
    assert lines[0] == "🚨 Insiden terbuka (13 insiden)"
    assert lines[2].startswith("#2 · 🟠 Telen · 🆕 Baru · sejak 27/11 10.01 WITA")
    assert lines[3].startswith("#1 · 🟡 Telen")
    assert lines[-2].startswith("Halaman 1/2")
    await admin.press("➡️", page)
    assert page.text.splitlines()[-2].startswith("Halaman 2/2")
    await admin.send("/insiden telen")
    assert admin.last_message().text.splitlines()[0] == "🚨 Insiden terbuka — Telen (3 insiden)"
    await admin.send("/insiden antah berantah")
    assert admin.last_message().text.startswith("Format: ")


async def test_a_long_timeline_is_split_into_messages(
    posko: Posko, enlist: Enlist, admin: FakeUser
) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/lapor waspada " + "awal " * 500)
    for index in range(4):
        await officer.send(f"/perkembangan 1 {index} " + "kata " * 590)
    before = len(admin.messages)
    await admin.send("/lihat 1")
    parts = admin.messages[before:]
    assert len(parts) >= 2
    assert all(len(part.text) <= 4096 for part in parts)
    assert parts[-1].text.endswith(f"({len(parts)}/{len(parts)})")
    assert sum(part.text.count("➕ Perkembangan oleh Budi") for part in parts) == 4


async def test_a_long_update_and_note_keep_the_alert_one_message(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    longest = ("kata " * 600).strip()  # at the 3000-character limit of each text
    await officer.send(f"/lapor rawan {longest}")
    alert = group.last_message()
    await officer.send(f"/perkembangan 1 {longest}")
    await officer.send(f"/selesai 1 {longest}")
    assert "Status insiden: ✅ Selesai" in alert.text, "every edit went through"
    assert alert.text.count("(lengkapnya: /lihat 1)") == 2


async def test_a_resolved_incident_is_neither_alerted_nor_repaged(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram, clock: FakeClock
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=group.id)
    await officer.send("/lapor rawan salah kirim, maaf")
    assert group.messages == []
    await officer.send("/selesai 1 salah kirim")
    clock.advance(minutes=5)
    await escalate_pending(posko.app.bot, posko.services)
    await posko.settle()
    assert group.messages == [], "a resolved incident is not alerted after the fact"
    assert await posko.services.reports.due_repages(clock() + timedelta(hours=1)) == []


async def test_a_replayed_update_is_stored_and_posted_once(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    update = await officer.send("/perkembangan 1 massa mulai bubar")
    await replay_after_crash(posko, update)
    timeline = await posko.services.incidents.events(1)
    assert [e.text for e in timeline if e.kind.value == "update"] == ["massa mulai bubar"]
    posted = [m for m in group.messages if m.text.startswith("➕ Perkembangan insiden #1")]
    assert len(posted) == 1, "posted under the alert once"


async def test_the_alert_links_to_a_private_update_dialog(
    posko: Posko, enlist: Enlist, group: FakeChat, admin: FakeUser, fake: FakeTelegram
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    neighbour = await enlist(2002, "camat", "Telen", "Eko")
    kasat = await add_coordinator(posko, fake)
    stranger = fake.add_user(3001, "Asing")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    [link] = [b["url"] for b in alert.buttons() if "url" in b]
    assert link == "https://t.me/PoskoTestBot?start=upd-1"

    await kasat.open_link("➕ Perkembangan", alert)
    assert kasat.last_message().text.startswith("➕ Tulis perkembangan insiden #1")
    await kasat.send("tim gabungan menuju lokasi")
    assert kasat.last_message().text == (
        "➕ Perkembangan insiden #1 tercatat. Tingkat insiden: 🟠 Rawan."
    )
    under = group.last_message()
    assert under.text.startswith("➕ Perkembangan insiden #1 · 🟠 Rawan · Busang")
    assert reply_to(under) == alert.message_id

    await neighbour.open_link("➕ Perkembangan", alert)
    assert neighbour.last_message().text.startswith("Insiden ini bukan di kecamatan Bapak/Ibu")
    assert await posko.services.drafts.get(neighbour.id) is None
    await stranger.open_link("➕ Perkembangan", alert)
    assert "belum terdaftar" in stranger.last_message().text, "the greeting, nothing else"
    await admin.send("/start upd-99")
    assert admin.last_message().text == texts.STALE_BUTTON
    await admin.send("/start upd-abc")
    assert admin.last_message().text.startswith("Selamat datang"), "not a link: the greeting"

    await officer.send("/selesai 1 massa sudah bubar")
    assert alert.buttons() == [], "a resolved alert has no buttons"
    await kasat.send("/start upd-1")  # a link opened from an old copy
    assert kasat.last_message().text.startswith("Insiden #1 sudah selesai.")
    assert await posko.services.drafts.get(kasat.id) is None


async def test_each_incident_of_a_private_insiden_page_has_an_update_button(
    posko: Posko, enlist: Enlist, group: FakeChat, admin: FakeUser, fake: FakeTelegram
) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    for index in range(12):
        await officer.send(f"/lapor waspada isu {index}")
    await admin.send("/insiden")
    page = admin.last_message()
    labels = [f"➕ #{n}" for n in range(1, 11)]
    assert page.button_texts() == [*labels, "➡️"]
    rows = (page.reply_markup or {})["inline_keyboard"]
    assert [len(row) for row in rows] == [5, 5, 1]
    assert page.text.splitlines()[-1] == "Tekan ➕ #nomor untuk mencatat perkembangan insiden itu."
    await admin.press("➡️", page)
    assert page.button_texts() == ["➕ #11", "➕ #12", "⬅️"]
    await admin.press("➕ #12", page)
    assert admin.last_message().text.startswith("➕ Tulis perkembangan insiden #12")
    await admin.send("sudah diklarifikasi, isu tidak benar")
    assert admin.last_message().text.startswith("➕ Perkembangan insiden #12 tercatat")

    kasat = await add_coordinator(posko, fake)
    await kasat.send("/insiden@PoskoTestBot", chat=group)
    listing = group.last_message()
    assert listing.button_texts() == ["➡️"], "the group gets no private-dialog buttons"
    assert "Tekan ➕" not in listing.text


async def test_the_update_button_keeps_a_half_filled_report_form(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor waspada kerumunan di depan gudang")
    receipt = officer.last_message()
    narrative = "truk logistik dihadang massa di km 12"
    await fill_form(officer, "🟠 Rawan", "Logistik Pilkada", narrative, until="photos")
    photos = officer.last_message()
    assert photos.text.startswith("📷 Kirim foto")
    form = await posko.services.drafts.get(officer.id)
    assert form is not None
    assert form.flow == "lapor"

    await officer.press("➕ Perkembangan", receipt)
    assert officer.last_message().text.startswith("📝 Bapak/Ibu masih mengisi formulir")
    assert "<code>/perkembangan 1 isi perkembangan</code>" in (officer.last_message().html or "")
    assert await posko.services.drafts.get(officer.id) == form, "the form is untouched"
    await officer.send("/perkembangan 1 massa di gudang mulai bubar")
    assert officer.last_message().text.startswith("➕ Perkembangan insiden #1 tercatat")

    await officer.press("⏭ Lewati", photos)  # the form goes on where it was
    await officer.send("Lewati")
    await officer.press("✅ Kirim")
    report = await posko.services.reports.get(2)
    assert report is not None
    assert (report.level.name, report.text) == ("RAWAN", "truk logistik dihadang massa di km 12")


async def test_a_late_acknowledgement_of_a_resolved_incident_changes_nothing(
    posko: Posko, enlist: Enlist, group: FakeChat, admin: FakeUser, fake: FakeTelegram
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    await officer.send("/selesai 1 salah paham, massa sudah bubar")
    told = len(officer.messages)
    await admin.press_data("ack:1", alert)  # the button on a phone that did not refresh
    assert list(fake.callback_answers.values())[-1]["text"] == (
        "Insiden #1 sudah selesai; tombol ✅ Diterima tidak perlu ditekan lagi."
    )
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.acked_at is None
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert (incident.state.value, incident.taken_at) == ("selesai", None)
    assert len(officer.messages) == told, "the officer is not told it was taken up"

    await admin.send("/buka 1")
    assert admin.last_message().text == "↩️ Insiden #1 dibuka kembali (🆕 Baru)."
    assert alert.button_texts() == ["✅ Diterima", "➕ Perkembangan"], "waits again"
    await admin.press("✅ Diterima", alert)
    report = await posko.services.reports.get(1)
    incident = await posko.services.incidents.get(1)
    assert report is not None
    assert incident is not None
    assert (report.acked_by, incident.state.value, incident.taken_by) == (
        admin.id, "ditangani", admin.id)  # fmt: skip
    assert "Status insiden: 👁 Ditangani" in alert.text


async def test_the_failed_escalation_notice_gives_the_incident_level(
    posko: Posko, enlist: Enlist, group: FakeChat, admin: FakeUser, fake: FakeTelegram
) -> None:
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/lapor waspada kerumunan di depan TPS 5")
    posko.without_retries()
    fake.fail_next("sendMessage", 502, "Bad Gateway", chat_id=group.id)
    await officer.send("/perkembangan 1 darurat massa bentrok")
    assert group.messages == []
    assert admin.last_message().text.startswith(
        "⚠️ Laporan #1 (🔴 Darurat, Telen) belum dapat diteruskan"
    ), "the incident's level now, not the Waspada of its report"


# --- handled again after a crash (review of issue 16) ---------------------------------------


async def _nothing(*_: object, **__: object) -> None:
    """Stands for a process killed right after the commit: nothing after it happened."""


async def test_a_perkembangan_committed_before_a_crash_still_reaches_the_group(
    posko: Posko, enlist: Enlist, group: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    monkeypatch.setattr(incidents_module, "_post_under_alert", _nothing)
    monkeypatch.setattr(incidents_module, "refresh_alert", _nothing)
    update = await officer.send("/perkembangan 1 massa bertambah, jalan diblokir")
    monkeypatch.undo()
    await replay_after_crash(posko, update)
    alert = group.messages[0]
    assert "massa bertambah" in alert.text, "the alert shows the update"
    posted = [m for m in group.messages if m.text.startswith("➕ Perkembangan insiden #1")]
    assert len(posted) == 1, "posted under the alert once"
    assert reply_to(posted[0]) == alert.message_id
    assert officer.last_message().text.startswith("➕ Perkembangan insiden #1 tercatat")

    await replay_after_crash(posko, update)  # handled once more: posted, so not again
    posted = [m for m in group.messages if m.text.startswith("➕ Perkembangan insiden #1")]
    assert len(posted) == 1
    assert len(await posko.services.incidents.events(1)) == 2, "stored once"


async def test_a_close_committed_before_a_crash_still_updates_the_alert(
    posko: Posko, enlist: Enlist, group: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    monkeypatch.setattr(incidents_module, "refresh_alert", _nothing)
    close = await officer.send("/selesai 1 massa sudah bubar")
    monkeypatch.undo()
    assert "✅ Diterima" in alert.button_texts(), "the crash left the alert open"
    await replay_after_crash(posko, close)
    assert "Status insiden: ✅ Selesai" in alert.text
    assert alert.buttons() == [], "no ✅ Diterima / ➕ on a resolved alert"
    assert officer.last_message().text.startswith("✅ Insiden #1 tercatat selesai")


async def test_a_reopening_committed_before_a_crash_still_updates_the_alert(
    posko: Posko, enlist: Enlist, admin: FakeUser, group: FakeChat, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    await officer.send("/selesai 1 massa sudah bubar")
    monkeypatch.setattr(incidents_module, "refresh_alert", _nothing)
    reopen = await admin.send("/buka 1")
    monkeypatch.undo()
    assert "Status insiden: ✅ Selesai" in alert.text, "the crash left the alert resolved"
    await replay_after_crash(posko, reopen)
    assert "Status insiden: 🆕 Baru" not in alert.text
    assert "Selesai" not in alert.text
    assert "✅ Diterima" in alert.button_texts()
    assert admin.last_message().text == "↩️ Insiden #1 dibuka kembali (🆕 Baru)."


async def test_a_replayed_selesai_or_buka_is_stored_once(
    posko: Posko, enlist: Enlist, admin: FakeUser, group: FakeChat
) -> None:
    """Stored once per Telegram message: a /selesai handled again after a crash (its update
    not marked done while /buka went through) does not close the incident a second time, and a
    replayed /buka does not reopen it after a later /selesai."""
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor rawan massa menghadang truk logistik")
    close = await officer.send("/selesai 1 massa sudah bubar")
    reopen = await admin.send("/buka 1")
    await replay_after_crash(posko, close)
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.is_open, "closed twice by one message"
    assert "Status insiden: ✅ Selesai" not in group.messages[0].text

    await officer.send("/selesai 1 benar-benar selesai")
    await replay_after_crash(posko, reopen)
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert not incident.is_open, "reopened twice by one message"
    kinds = [event.kind.value for event in await posko.services.incidents.events(1)]
    assert kinds == ["report", "close", "reopen", "close"]


async def test_a_longest_alert_stays_editable(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram
) -> None:
    """Names may be 200 characters (members.name CHECK) and texts 3000: the alert is measured
    as Telegram counts it and the update, then the note, then the report text are shortened."""
    officer = await enlist(2001, "kapolsek", "Busang", "A" * 200)
    kasat = fake.add_user(5001, "Kasat")
    await posko.services.members.save(
        RosterRow(5001, Role.KOORDINATOR, None, "K" * 200), posko.clock(), None
    )
    longest = ("kata " * 600).strip()
    await officer.send(f"/lapor rawan {longest}")
    alert = group.messages[0]
    assert longest in alert.text, "shown whole while it fits"
    await kasat.press("✅ Diterima", alert)
    await officer.send(f"/perkembangan 1 {longest}")
    assert "Status insiden: 👁 Ditangani" in alert.text
    await kasat.send(f"/selesai 1 {longest}")
    assert "Status insiden: ✅ Selesai" in alert.text, "every edit went through"
    assert utf16_len(alert.text) <= 4096
    assert longest in alert.text, "the report is shortened last"
    assert alert.text.count("(lengkapnya: /lihat 1)") == 2, "the update and the note are"
    update = alert.text.split("➕ Perkembangan terakhir ")[1].split(": ", 1)[1]
    note = alert.text.split("✅ Selesai oleh ")[1].split(": ", 1)[1]
    for shortened in (update, note):
        assert len(shortened.split(" … (lengkapnya")[0]) >= texts.ALERT_SHORTEST - 4


async def test_the_alert_is_measured_as_telegram_counts_it(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    """Escaped characters count once and emoji twice (UTF-16), as Telegram counts them."""
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    angled = "<>" * 1500  # 3000 characters, 12000 once escaped
    await officer.send(f"/lapor rawan {angled}")
    alert = group.messages[0]
    assert angled in alert.text
    await officer.send("/perkembangan 1 " + "🔥" * 1500)  # 3000 UTF-16 units
    assert "➕ Perkembangan terakhir" in alert.text
    assert angled in alert.text, "the update is shortened first"
    assert utf16_len(alert.text) <= 4096
    assert "🔥 … (lengkapnya: /lihat 1)" in alert.text


async def test_closed_incidents_tell_each_role_the_next_step(
    posko: Posko, enlist: Enlist, admin: FakeUser
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    await officer.send("/lapor waspada kerumunan di pasar")
    await officer.send("/selesai 1 sudah bubar")
    await officer.send("/perkembangan 1 berkumpul lagi")
    assert officer.last_message().text == (
        "Insiden #1 sudah selesai. Jika masih berlangsung, minta koordinator membukanya "
        "kembali (/buka 1) atau kirim laporan baru dengan /lapor."
    )
    await admin.send("/perkembangan 1 berkumpul lagi")
    assert admin.last_message().text == (
        "Insiden #1 sudah selesai. Jika masih berlangsung, buka kembali dengan /buka 1."
    )
    await officer.send("/perkembangan 99 apa")
    assert officer.last_message().text == (
        "Laporan #99 tidak termasuk insiden mana pun. Periksa nomornya: petugas lewat "
        "/riwayat, koordinator lewat /insiden."
    )
