from domain.enums import Level
from emulator import FakeChat, FakeTelegram, FakeUser
from tests.conftest import Enlist
from tests.harness import Posko


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
    assert receipt.text.startswith("✅ Laporan #1 diterima")
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
        "📝 Periksa laporan Anda",
        "Tingkat: 🟠 Rawan",
        "Kategori: Kamtibmas",
        "Foto: 1",
        "Lokasi: ada",
    ]
    await taps.press("✅ Kirim", summary)
    assert taps.count <= 7
    assert "Laporan #1 diterima" in officer.last_message().text
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
    await officer.send("/lapor")
    await officer.press("🔴 Darurat")
    await officer.press("Bencana/Cuaca")
    await officer.send("Banjir setinggi 1 meter")
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
    await officer.send("/lapor")
    await officer.press("🟡 Waspada")
    await officer.press("Hoaks/SARA")
    await officer.send("teks lama")
    await officer.press("⏭ Lewati")
    await officer.send("Lewati")
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
    await officer.send("/lapor")
    await officer.press("🟠 Rawan")
    await officer.press("Kamtibmas")
    await officer.send("/batal")
    assert officer.last_message().text.startswith("❌ Laporan dibatalkan")
    await officer.send("ini bukan laporan")
    assert "Untuk melapor" in officer.last_message().text
    assert await posko.services.reports.count() == 0


async def test_bad_narratives_are_explained(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    await officer.press("🟡 Waspada")
    await officer.press("Lainnya")
    await officer.send("x" * 3001)
    assert "maksimal 3000 karakter" in officer.last_message().text
    await officer.send("\u200b")
    assert "Keterangan kosong" in officer.last_message().text
    await officer.send("🔥" * 1500)  # 3000 UTF-16 units: accepted
    assert officer.last_message().text.startswith("📷 Kirim foto")


async def test_idle_form_is_discarded_after_30_minutes(
    posko: Posko, enlist: Enlist, clock: object
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    await officer.press("🟠 Rawan")
    clock.advance(minutes=29)  # type: ignore[attr-defined]
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(2001) is not None
    clock.advance(minutes=2)  # type: ignore[attr-defined]
    await posko.run_job("expire forms")
    assert await posko.services.drafts.get(2001) is None
    assert officer.last_message().text.startswith("⌛ Formulir laporan dibatalkan")


async def test_draft_survives_a_restart(posko: Posko, enlist: Enlist, group: FakeChat) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    await officer.press("🔴 Darurat")
    await officer.press("Logistik Pemilu")
    await posko.restart()
    await officer.send("Kotak suara rusak di TPS 5")
    await officer.press("⏭ Lewati")
    await officer.send("Lewati")
    await officer.press("✅ Kirim")
    assert "Laporan #1 diterima" in officer.last_message().text
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
        await user.press("⏭ Lewati")
        await user.send("Lewati")
        await user.press("✅ Kirim")
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
    assert "Laporan #1 diterima" in officer.last_message().text
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
    assert list(fake.callback_answers.values())[-1]["text"].startswith("Anda tidak berwenang")
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert draft.step == "level"
