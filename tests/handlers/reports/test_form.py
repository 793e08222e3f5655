from pathlib import Path

from bot import texts
from domain.enums import Category, Level, Role
from domain.members import RosterRow
from domain.reports import MediaKind
from emulator import FakeChat, FakeTelegram, FakeUser
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, fill_form, finish_form, make_settings


class Taps:
    """Counts what the officer does after /lapor (button presses and messages)."""

    def __init__(self, user: FakeUser) -> None:
        self.user = user
        self.count = 0

    async def press(self, label: str, message: object = None) -> None:
        self.count += 1
        await self.user.press(label, message)  # type: ignore[arg-type]

    async def send(self, text: str) -> None:
        self.count += 1
        await self.user.send(text)

    async def photo(self) -> None:
        self.count += 1
        await self.user.send_photo()

    async def location(self, latitude: float, longitude: float) -> None:
        self.count += 1
        await self.user.share_location(latitude, longitude)


async def test_nihil_takes_two_taps(posko: Posko, enlist: Enlist, group: FakeChat) -> None:
    officer = await enlist(2001, "camat", "Kaubun")
    await officer.send("/lapor")
    form = officer.last_message()
    assert form.button_texts() == ["🟢 Aman", "🟡 Waspada", "🟠 Rawan", "🔴 Darurat", "❌ Batal"]
    nonce = _nonce(form)
    taps = Taps(officer)
    await taps.press("🟢 Aman", form)
    await taps.press("Nihil (tidak ada kejadian)", form)
    assert taps.count == 2
    receipt = officer.last_message()
    assert receipt.text.startswith("✅ Laporan #1 tercatat")
    assert "nihil" in receipt.text
    assert form.buttons() == [], "a finished form keeps no buttons"
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.is_nihil
    await officer.press_data(f"lapor:{nonce}:nihil", form)  # an old keyboard
    assert await posko.services.reports.count() == 1
    assert group.messages == []


def _nonce(message: object) -> str:
    data = message.reply_markup["inline_keyboard"][0][0]["callback_data"]  # type: ignore[attr-defined]
    return str(data.split(":")[1])


async def test_full_report_with_photo_and_location_in_seven_steps(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "kapolsek", "Bengalon", "AKP Agus")
    await officer.send("/lapor")
    taps = Taps(officer)
    form = officer.last_message()
    await taps.press("🟠 Rawan", form)
    await taps.press("Kamtibmas", form)
    await taps.send("Massa <100 orang> memblokade jalan & membakar ban")
    await taps.photo()
    await taps.press("✅ Selesai")
    assert officer.last_message().text.startswith("📍 Bagikan lokasi")
    await taps.location(0.9876, 117.5432)
    summary = officer.last_message()
    assert summary.text.splitlines()[:5] == [
        "📝 Periksa laporan Bapak/Ibu (belum terkirim)",
        "Tingkat: 🟠 Rawan",
        "Kategori: Kamtibmas",
        "Foto: 1",
        "Lokasi: ada",
    ]
    await taps.press("✅ Kirim", summary)
    assert taps.count <= 7
    assert "Laporan #1 tercatat" in officer.last_message().text
    assert summary.buttons() == []
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level, report.category, report.latitude, report.longitude) == (
        Level.RAWAN, "kamtibmas", 0.9876, 117.5432,
    )  # fmt: skip
    assert len(await posko.services.reports.photos(1)) == 1
    alert, photo, location = group.messages
    assert "Kategori: Kamtibmas" in alert.text
    assert "Massa <100 orang> memblokade jalan & membakar ban" in alert.text
    assert alert.button_texts() == ["✅ Diterima", "➕ Perkembangan"]
    assert (photo.kind, location.kind) == ("photo", "location")
    assert await posko.services.drafts.get(2001) is None


async def test_several_photos_go_as_an_album(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001)
    await fill_form(
        officer, "🔴 Darurat", "Bencana/Cuaca", "Banjir setinggi 1 meter", until="photos"
    )
    for _ in range(5):
        await officer.send_photo()
    await officer.send_photo()
    assert officer.last_message().text.startswith("Maksimal 5 foto")
    await officer.send_other("sticker")
    assert "kirim <b>foto</b>" in (officer.last_message().html or "")
    await officer.press("✅ Selesai", officer.messages[-3])
    await officer.send("Lewati")
    await officer.press("✅ Kirim")
    assert [m.kind for m in group.messages] == ["text"] + ["photo"] * 5
    assert len(await posko.services.reports.photos(1)) == 5


async def test_edit_a_step_then_send(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await fill_form(
        officer, "🟡 Waspada", "Hoaks/SARA/Ujaran Kebencian", "teks lama", until="summary"
    )
    summary = officer.last_message()
    nonce = _nonce(summary)
    await officer.press("✏️ Ubah", summary)
    assert summary.button_texts() == ["Tingkat", "Kategori", "Keterangan", "Foto", "Lokasi",
                                      "↩️ Kembali"]  # fmt: skip
    await officer.press("Keterangan", summary)
    await officer.send("teks baru yang benar")
    new_summary = officer.last_message()
    assert "teks baru yang benar" in new_summary.text
    await officer.press("✏️ Ubah", new_summary)
    await officer.press("Tingkat", new_summary)
    await officer.press("🟠 Rawan")
    final = officer.last_message()
    assert "Tingkat: 🟠 Rawan" in final.text
    await officer.press("✅ Kirim", final)
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level, report.text, report.category) == (Level.RAWAN, "teks baru yang benar",
                                                            "hoaks_sara")  # fmt: skip
    await officer.press_data(f"lapor:{nonce}:send", summary)  # the old summary
    assert await posko.services.reports.count() == 1


async def test_cancel_by_button_or_command(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    await officer.press("❌ Batal")
    assert officer.last_message().text.startswith("❌ Laporan dibatalkan")
    await fill_form(officer, "🟠 Rawan", "Kamtibmas", until="narrative")
    await officer.send("/batal")
    assert officer.last_message().text.startswith("❌ Laporan dibatalkan")
    await officer.send("ini bukan laporan")
    assert "Untuk melapor" in officer.last_message().text
    assert await posko.services.reports.count() == 0


async def test_bad_narratives_are_explained(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await fill_form(officer, "🟡 Waspada", "Lainnya", until="narrative")
    await officer.send("x" * 3001)
    assert "maksimal 3.000 karakter" in officer.last_message().text
    await officer.send("\u200b")
    assert "Keterangan kosong" in officer.last_message().text
    await officer.send("🔥" * 1500)  # 3000 UTF-16 units: accepted
    assert officer.last_message().text.startswith("📷 Kirim foto")


async def test_an_expired_form_gives_back_what_was_typed(
    posko: Posko, enlist: Enlist, clock: object
) -> None:
    officer = await enlist(2001)
    narrative = "Massa <50 orang> & spanduk di depan kantor PPK"
    await fill_form(officer, "🟠 Rawan", "Kamtibmas", narrative, until="photos")
    await officer.send_photo()
    clock.advance(hours=3, minutes=59)  # type: ignore[attr-defined]
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(2001) is not None, "kept for FORM_IDLE_HOURS (4)"
    clock.advance(minutes=2)  # type: ignore[attr-defined]
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(2001) is None
    notice = officer.last_message()
    assert notice.text.splitlines() == [
        "⌛ Formulir laporan ditutup karena tidak ada kegiatan selama 4 jam; laporan belum "
        "tercatat.",
        "Keterangan yang sudah Bapak/Ibu tulis, siap disalin dan dikirim ulang:",
        "/lapor rawan Massa <50 orang> & spanduk di depan kantor PPK",
        "1 foto/rekaman perlu dikirim ulang.",
        "Ketik /lapor untuk mulai lagi.",
    ]
    assert "<code>/lapor rawan Massa &lt;50 orang&gt; &amp; spanduk" in (notice.html or "")
    assert await posko.services.reports.count() == 0
    await officer.send(notice.text.splitlines()[2])  # copied and sent as it stands
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level, report.text) == (
        Level.RAWAN, "Massa <50 orang> & spanduk di depan kantor PPK",
    )  # fmt: skip


async def test_the_idle_time_is_a_setting(
    fake: FakeTelegram, db_path: Path, clock: FakeClock
) -> None:
    bot = Posko(fake, make_settings(fake, db_path, form_idle_hours=0.5), clock)
    await bot.start()
    try:
        officer = fake.add_user(2001)
        await bot.services.members.save(
            RosterRow(2001, Role.CAMAT, "Busang", "Budi"), clock(), None
        )
        await officer.send("/lapor")
        clock.advance(minutes=31)
        await bot.run_job("expire forms")
        assert officer.last_message().text.splitlines() == [
            "⌛ Formulir laporan ditutup karena tidak ada kegiatan selama 30 menit; laporan "
            "belum tercatat.",
            "Ketik /lapor untuk mulai lagi.",
        ]
    finally:
        await bot.stop()


async def test_draft_survives_a_restart(posko: Posko, enlist: Enlist, group: FakeChat) -> None:
    officer = await enlist(2001)
    await fill_form(
        officer, "🔴 Darurat", texts.CATEGORY_LABEL[Category.LOGISTIK], until="narrative"
    )
    await posko.restart()
    await officer.send("Kotak suara rusak di TPS 5")
    await finish_form(officer)
    assert "Laporan #1 tercatat" in officer.last_message().text
    assert "Kotak suara rusak di TPS 5" in group.last_message().text


async def test_officers_filling_forms_at_once(posko: Posko, enlist: Enlist) -> None:
    ani = await enlist(2001, "camat", "Busang", "Ani")
    budi = await enlist(2002, "danramil", "Telen", "Budi")
    await ani.send("/lapor")
    await budi.send("/lapor")
    await ani.press("🟡 Waspada")
    await budi.press("🟢 Aman")
    await budi.press("Ada catatan ➡️")
    await ani.press("Politik Uang")
    await budi.press("Kampanye/APK")
    await budi.send("baliho roboh")
    await ani.send("pembagian amplop")
    for user in (ani, budi):
        await finish_form(user)
    stored = {}
    for number in (1, 2):
        report = await posko.services.reports.get(number)
        assert report is not None
        stored[report.officer_id] = (report.kecamatan, report.level, report.category, report.text)
    assert stored == {
        2001: ("Busang", Level.WASPADA, "politik_uang", "pembagian amplop"),
        2002: ("Telen", Level.AMAN, "kampanye_apk", "baliho roboh"),
    }


async def test_photo_with_a_lapor_caption(posko: Posko, enlist: Enlist, group: FakeChat) -> None:
    officer = await enlist(2001)
    await officer.send_photo(caption="/lapor rawan bentrok antar pendukung")
    assert "Laporan #1 tercatat" in officer.last_message().text
    assert len(await posko.services.reports.photos(1)) == 1
    assert [m.kind for m in group.messages] == ["text", "photo"]
    await officer.send_photo(caption="/lapor banjir")
    assert "Tingkat tidak dikenal" in officer.last_message().text


async def test_form_buttons_are_for_the_officer_only(
    fake: FakeTelegram, enlist: Enlist, posko: Posko
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    stranger = fake.add_user(3001)
    await stranger.press_data(f"lapor:{_nonce(officer.last_message())}:lvl:3",
                              officer.last_message())  # fmt: skip
    assert list(fake.callback_answers.values())[-1]["text"].startswith(
        "Tombol ini bukan untuk Bapak/Ibu"
    )
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert draft.step == "level"


async def test_the_level_step_defines_the_levels_and_takes_a_typed_level(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    assert officer.last_message().text.splitlines() == [
        "📝 Laporan baru",
        "Pilih tingkat kondisi dengan tombol atau ketik namanya (misalnya rawan):",
        "🟢 Aman: kondusif, tidak ada gangguan",
        "🟡 Waspada: ada potensi gangguan, masih terkendali",
        "🟠 Rawan: ada gangguan, ditangani setempat",
        "🔴 Darurat: perlu bantuan segera",
    ]
    await officer.send("banjir")
    assert officer.last_message().text.startswith("Tingkat tidak dikenal")
    await officer.send("  RAWAN ")
    assert officer.last_message().text == "📝 Tingkat: 🟠 Rawan\nPilih kategori:"
    await officer.send("bencana/cuaca")  # a category typed as its label
    assert officer.last_message().text.startswith("📝 Tingkat: 🟠 Rawan · Kategori: Bencana")
    await officer.send("Jembatan putus")
    await officer.send("lewati")  # the photo step's button, typed
    await officer.send("Lewati")
    await officer.press("✅ Kirim")
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level, report.category, report.text) == (
        Level.RAWAN, "bencana_cuaca", "Jembatan putus",
    )  # fmt: skip


async def test_nihil_can_be_typed(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    form = officer.last_message()
    await officer.send("aman")
    assert officer.last_message().text.startswith("📝 Tingkat: 🟢 Aman")
    await officer.send("Nihil")
    assert officer.last_message().text.startswith("✅ Laporan #1 tercatat")
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.is_nihil
    assert form.buttons() == [], "the form's buttons are gone"
    assert await posko.services.drafts.get(2001) is None


async def test_a_photo_at_the_narrative_step_ends_up_in_the_report(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "kapolsek", "Bengalon", "AKP Agus")
    await fill_form(officer, "🟠 Rawan", "Kamtibmas", until="narrative")
    await officer.send_photo()  # before writing anything
    kept = officer.last_message()
    assert kept.text == (
        "Foto disimpan dalam formulir (belum terkirim). Sekarang tulis keterangan kejadian; "
        "satu baris cukup."
    )
    await officer.send("Massa membakar ban di simpang tiga")
    photos_step = officer.last_message()
    assert photos_step.text.startswith("📷 Kirim foto kejadian")
    assert photos_step.button_texts() == ["✅ Selesai"], "the photo is already there"
    await finish_form(officer, "✅ Selesai", photo_step=photos_step, until="summary")
    summary = officer.last_message()
    assert "Foto: 1" in summary.text
    assert summary.text.endswith("Laporan baru tercatat setelah Bapak/Ibu menekan ✅ Kirim.")
    await officer.press("✅ Kirim", summary)
    assert len(await posko.services.reports.photos(1)) == 1
    assert [m.kind for m in group.messages] == ["text", "photo"]


async def test_a_captioned_photo_at_the_narrative_step_is_photo_and_narrative(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await fill_form(officer, "🟡 Waspada", "Kampanye/APK", until="narrative")
    await officer.send_photo(caption="Baliho dirusak di depan pasar")
    assert officer.last_message().text.startswith("📷 Kirim foto kejadian")
    await finish_form(officer, "✅ Selesai")
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.text == "Baliho dirusak di depan pasar"
    assert len(await posko.services.reports.photos(1)) == 1


async def test_text_at_the_photo_step_is_added_to_the_narrative(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await fill_form(
        officer, "🟡 Waspada", "Politik Uang", "Pembagian amplop di Desa Sepaso", until="photos"
    )
    await officer.send("Pelaku 2 orang, sudah dicatat Panwascam")  # a photo was expected
    added = officer.last_message()
    assert added.text == (
        "📝 Tambahan keterangan disimpan dalam formulir (belum terkirim). Kirim foto atau "
        "rekaman lain. Jika sudah, tekan Selesai."
    )
    assert added.button_texts() == ["⏭ Lewati"], "the step's buttons, offered again"
    await officer.press("⏭ Lewati", added)
    await officer.send("Desa Sepaso, dekat balai")  # text at the location step too
    assert officer.last_message().text.startswith("📝 Tambahan keterangan disimpan")
    await officer.send("Lewati")
    summary = officer.last_message()
    await officer.send("Situasi terkendali")  # and at the summary: a new summary
    assert officer.last_message().text.startswith("📝 Periksa laporan Bapak/Ibu")
    await officer.press("✅ Kirim")
    await officer.press("✅ Kirim", summary)  # the old summary files nothing more
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.text == (
        "Pembagian amplop di Desa Sepaso\nPelaku 2 orang, sudah dicatat Panwascam\n"
        "Desa Sepaso, dekat balai\nSituasi terkendali"
    )
    assert await posko.services.reports.count() == 1


async def test_narrative_typed_before_the_level_is_kept(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    await officer.send("Kerumunan di depan kantor PPK, sekitar 30 orang")
    assert officer.last_message().text.startswith("📝 Keterangan disimpan dalam formulir")
    assert officer.last_message().button_texts()[:4] == [
        "🟢 Aman", "🟡 Waspada", "🟠 Rawan", "🔴 Darurat"]  # fmt: skip
    await officer.press("🟡 Waspada")
    await officer.press("Kamtibmas")
    assert officer.last_message().text.startswith("📷 Kirim foto"), "no second narrative step"
    await finish_form(officer)
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.text == "Kerumunan di depan kantor PPK, sekitar 30 orang"


async def test_a_voice_note_in_the_form_goes_with_the_alert_and_lihat(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "danramil", "Telen", "Kapten Joko")
    kasat = await enlist(5001, "koordinator", "-", "Kasat")
    await fill_form(
        officer, "🔴 Darurat", "Kamtibmas", "Bentrok di TPS 3, dengar rekaman", until="photos"
    )
    await officer.send_voice()
    kept = officer.last_message()
    assert kept.text.startswith("Rekaman suara (1 rekaman) disimpan dalam formulir")
    await officer.send_video_note()  # a round video at the same step
    await finish_form(officer, "✅ Selesai", until="summary")
    summary = officer.last_message()
    assert "Rekaman: 🎤 1 rekaman suara, 🎬 1 video bulat" in summary.text
    await officer.press("✅ Kirim", summary)
    media = await posko.services.reports.media(1)
    assert [m.kind for m in media] == [MediaKind.VOICE, MediaKind.VIDEO_NOTE]
    alert, voice, round_video = group.messages
    assert "Lampiran: 🎤 1 rekaman suara, 🎬 1 video bulat (di bawah)" in alert.text
    assert (voice.kind, round_video.kind) == ("voice", "video_note")
    assert voice.params["reply_parameters"]["message_id"] == alert.message_id
    assert voice.text == "🎤 Laporan #1 (rekaman suara)"
    await kasat.send("/lihat 1")
    shown = [m.kind for m in kasat.messages]
    assert shown[-2:] == ["voice", "video_note"]
    assert "Rekaman: 🎤 1 rekaman suara, 🎬 1 video bulat (di bawah)" in kasat.messages[-3].text


async def test_photos_and_recordings_have_limits(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await fill_form(officer, "🟡 Waspada", "Lainnya", "Ada isu", until="photos")
    for _ in range(3):
        await officer.send_video()
    await officer.send_voice()
    assert officer.last_message().text.startswith("Maksimal 3 rekaman suara atau video")
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert len(draft.data["media"]) == 3


async def test_an_album_at_the_photo_step_is_answered_once(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await fill_form(officer, "🟡 Waspada", "Lainnya", "Ada isu", until="photos")
    before = len(officer.messages)
    await officer.send_album(["photo", "photo", "photo"])
    assert len(officer.messages) == before + 1, "one answer, edited as the items come in"
    assert officer.last_message().text.startswith("Foto (3/5 foto) disimpan dalam formulir")
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert len(draft.data["photos"]) == 3


async def test_lapor_alone_as_a_caption_opens_the_form_with_the_photo(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await officer.send_voice(caption="/lapor")
    assert officer.last_message().text.startswith("📝 Laporan baru")
    await officer.press("🟡 Waspada")
    await officer.press("Lainnya")
    await officer.send("Isu hoaks di grup WA desa")
    await finish_form(officer, "✅ Selesai")
    assert [m.kind for m in await posko.services.reports.media(1)] == [MediaKind.VOICE]


async def test_a_location_shared_early_is_kept_and_not_asked_again(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await fill_form(officer, "🟠 Rawan", "Kamtibmas", until="narrative")
    await officer.share_location(0.5, 117.5)
    assert officer.last_message().text == (
        "📍 Lokasi disimpan dalam formulir (belum terkirim). Sekarang tulis keterangan "
        "kejadian; satu baris cukup."
    )
    await officer.send_other("sticker")
    assert officer.last_message().text.startswith("Pada langkah ini tulis keterangan kejadian")
    await officer.send("Jalan diblokade warga")
    await officer.press("⏭ Lewati")
    summary = officer.last_message()
    assert "Lokasi: ada" in summary.text, "straight to the summary"
    await officer.press("✅ Kirim", summary)
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.latitude, report.longitude) == (0.5, 117.5)


async def _half_filled(officer: FakeUser) -> None:
    """A form at the photo step, its narrative written."""
    narrative = "Massa sekitar 200 orang mendatangi kantor PPK"
    await fill_form(officer, "🟠 Rawan", "Kamtibmas", narrative, until="photos")


async def test_lapor_again_mid_form_asks_before_anything_is_lost(
    posko: Posko, enlist: Enlist
) -> None:
    """Review 18/19: /lapor typed again replaced a half-filled form without a word."""
    officer = await enlist(2001)
    await _half_filled(officer)
    await officer.send_photo()
    await officer.send("/lapor")
    choice = officer.last_message()
    assert choice.text.splitlines() == [
        "📝 Formulir laporan Bapak/Ibu sebelumnya masih terbuka (belum terkirim).",
        "Tingkat: 🟠 Rawan",
        "Keterangan: Massa sekitar 200 orang mendatangi kantor PPK",
        "Lampiran: 1 foto/rekaman",
        "Tekan ▶️ Lanjutkan untuk meneruskan formulir itu atau 🔄 Mulai baru untuk membuat "
        "laporan baru (isian lama dikirim kembali untuk disalin).",
    ]
    assert choice.button_texts() == ["▶️ Lanjutkan", "🔄 Mulai baru"]
    resume = choice.buttons()[0]["callback_data"]
    # ▶️ Lanjutkan asks the step the form is at again; the form goes on to the end.
    await officer.press("▶️ Lanjutkan", choice)
    assert choice.buttons() == []
    assert officer.last_message().text.startswith("📷 Kirim foto kejadian")
    await finish_form(officer, "✅ Selesai")
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level, report.text) == (
        Level.RAWAN, "Massa sekitar 200 orang mendatangi kantor PPK",
    )  # fmt: skip
    assert len(await posko.services.reports.photos(1)) == 1
    await officer.press_data(resume, choice)
    assert await posko.services.drafts.get(2001) is None, "a stale choice opens nothing"


async def test_mulai_baru_gives_back_the_old_form_then_opens_a_new_one(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await _half_filled(officer)
    await officer.send("/lapor")
    await officer.press("🔄 Mulai baru")
    back, question = officer.messages[-2:]
    assert back.text.splitlines() == [
        "📝 Formulir sebelumnya ditutup; isinya belum tercatat.",
        "Keterangan yang sudah Bapak/Ibu tulis, siap disalin dan dikirim ulang:",
        "/lapor rawan Massa sekitar 200 orang mendatangi kantor PPK",
    ]
    assert question.text.startswith("📝 Laporan baru")
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert (draft.step, draft.data["text"]) == ("level", "")
    await officer.press("🟢 Aman", question)
    await officer.press("Nihil (tidak ada kejadian)")
    assert officer.last_message().text.startswith("✅ Laporan #1 tercatat")


async def test_aman_with_a_photo_goes_on_to_the_category(posko: Posko, enlist: Enlist) -> None:
    """Review 18/19: Nihil filed the form without the photo it held."""
    officer = await enlist(2001)
    await officer.send_photo(caption="/lapor")  # the form, with the photo already in it
    await officer.press("🟢 Aman")
    assert officer.last_message().text.startswith("📝 Tingkat: 🟢 Aman\nPilih kategori:")
    assert "Nihil (tidak ada kejadian)" not in officer.last_message().button_texts()
    await officer.press("Lainnya")
    await officer.send("Apel siaga di halaman kantor camat, situasi kondusif")
    await finish_form(officer, "✅ Selesai")
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level, report.category) == (Level.AMAN, Category.LAINNYA.value)
    assert len(await posko.services.reports.photos(1)) == 1


async def test_a_photo_at_the_aman_step_moves_the_form_on(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    await officer.press("🟢 Aman")
    aman = officer.last_message()
    await officer.send_photo()
    assert officer.last_message().text.startswith("Foto disimpan dalam formulir (belum terkirim)")
    assert "Lainnya" in officer.last_message().button_texts()
    await officer.press("Nihil (tidak ada kejadian)", aman)  # the step's button, now stale
    assert list(fake.callback_answers.values())[-1]["text"] == texts.STALE_BUTTON
    assert await posko.services.reports.count() == 0
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert (draft.step, len(draft.data["photos"])) == ("category", 1)


async def test_an_expired_form_is_kept_until_its_text_is_delivered(
    posko: Posko, enlist: Enlist, clock: FakeClock, fake: FakeTelegram
) -> None:
    """Review 18/19: the draft was deleted before the notice, and a failed notice lost it."""
    officer = await enlist(2001)
    await _half_filled(officer)
    clock.advance(hours=4, minutes=1)
    posko.without_retries()
    fake.fail_next("sendMessage", chat_id=2001)
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(2001) is not None, "kept for the next sweep"
    await posko.run_job("expire forms")  # Telegram is back
    assert await posko.services.drafts.get(2001) is None
    assert "/lapor rawan Massa sekitar 200 orang" in officer.last_message().text


async def test_an_expired_form_of_an_unreachable_officer_is_not_retried_for_ever(
    posko: Posko, enlist: Enlist, clock: FakeClock, fake: FakeTelegram
) -> None:
    blocked = await enlist(2001)
    flaky = await enlist(2002, "kapolsek")
    await _half_filled(blocked)
    await _half_filled(flaky)
    clock.advance(hours=4, minutes=1)
    posko.without_retries()
    fake.fail_next("sendMessage", 403, "Forbidden: bot was blocked by the user", chat_id=2001)
    fake.fail_next("sendMessage", count=1000, chat_id=2002)
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(2001) is None, "blocked: given up at once"
    assert await posko.services.drafts.get(2002) is not None
    clock.advance(hours=23)
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(2002) is not None, "retried for a day"
    clock.advance(hours=1, minutes=1)
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(2002) is None, "then given up"


async def test_a_photo_captioned_lapor_mid_form_joins_it_on_lanjutkan(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await _half_filled(officer)
    await officer.send_photo(caption="/lapor")
    choice = officer.last_message()
    assert "1 foto/rekaman yang baru dikirim disimpan sampai Bapak/Ibu memilih." in choice.text
    await officer.press("▶️ Lanjutkan", choice)
    assert officer.last_message().button_texts() == ["✅ Selesai"], "the photo step, one photo"
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert (len(draft.data["photos"]), draft.data["incoming"]) == (1, [])


async def test_what_waits_for_the_choice_opens_a_new_form_once_the_old_one_is_sent(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await _half_filled(officer)
    photo_step = officer.last_message()
    await officer.send_photo(caption="/lapor")
    await finish_form(officer, photo_step=photo_step)  # the old form goes on, the choice ignored
    assert await posko.services.reports.count() == 1
    assert await posko.services.reports.photos(1) == []
    assert officer.last_message().text.startswith("📝 Laporan baru")
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert (draft.step, len(draft.data["photos"])) == ("level", 1)
