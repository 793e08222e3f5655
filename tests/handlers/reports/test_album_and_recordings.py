"""Recordings with a /lapor caption, and albums: nothing an officer sends is thrown away."""

from collections.abc import Iterator

import pytest

from domain.enums import Level
from domain.reports import MediaKind
from emulator import FakeChat, FakeTelegram, FakeUser
from emulator.people import captioned
from handlers.reports import album
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, fill_form, finish_form


@pytest.fixture(autouse=True)
def quick_albums() -> Iterator[None]:
    """An album counts as complete a moment after its last item (1.5 s in production)."""
    before = album.ALBUM_WAIT_SECONDS
    album.ALBUM_WAIT_SECONDS = 0.2
    yield
    album.ALBUM_WAIT_SECONDS = before


async def test_a_voice_note_captioned_lapor_is_a_full_report(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "kapolsek", "Sandaran", "IPDA Rudi")
    await officer.send_voice(caption="/lapor rawan Warga menghadang truk logistik, dengar")
    assert officer.last_message().text.startswith("✅ Laporan #1 tercatat")
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level, report.text) == (Level.RAWAN, "Warga menghadang truk logistik, dengar")
    [voice] = await posko.services.reports.media(1)
    assert voice.kind is MediaKind.VOICE
    assert voice.duration == 12
    alert, posted = group.messages
    assert "Lampiran: 🎤 1 rekaman suara (di bawah)" in alert.text
    assert (posted.kind, posted.params["voice"]) == ("voice", voice.file_id)


async def test_a_video_captioned_lapor_is_kept(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await officer.send_video(caption="/lapor waspada Konvoi simpatisan di jalan poros")
    assert officer.last_message().text.startswith("✅ Laporan #1 tercatat")
    assert [m.kind for m in await posko.services.reports.media(1)] == [MediaKind.VIDEO]


async def test_recordings_without_lapor_are_not_recorded_and_say_so(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await officer.send_voice()
    assert officer.last_message().text.startswith(
        "⚠️ Rekaman suara ini tidak tercatat sebagai laporan."
    )
    await officer.send_photo(caption="banjir di desa")
    assert officer.last_message().text.startswith("⚠️ Foto ini tidak tercatat sebagai laporan.")
    assert await posko.services.reports.count() == 0


async def test_an_album_captioned_lapor_is_one_report_with_all_its_items(
    posko: Posko, enlist: Enlist, group: FakeChat
) -> None:
    officer = await enlist(2001, "camat", "Kongbeng", "Budi")
    # The caption on the second item, as Telegram allows: the first arrives without it.
    await officer.send_album(
        ["photo", "photo", "video"], caption="/lapor darurat Banjir 1 meter di TPS 4", caption_at=1
    )
    receipts = [m for m in officer.messages if m.text.startswith("✅ Laporan")]
    assert len(receipts) == 1, "one report, one receipt; no hint for the other items"
    assert len(officer.messages) == 1
    assert await posko.services.reports.count() == 1
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.level, report.text) == (Level.DARURAT, "Banjir 1 meter di TPS 4")
    assert len(await posko.services.reports.photos(1)) == 2
    assert [m.kind for m in await posko.services.reports.media(1)] == [MediaKind.VIDEO]
    assert [m.kind for m in group.messages] == ["text", "photo", "photo", "video"]
    assert group.messages[1].params.get("media_group_id_json"), "the photos as one album"


async def test_an_album_without_lapor_is_not_recorded_once(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await officer.send_album(["photo", "photo", "photo"], caption="situasi di pasar")
    assert officer.texts() == [
        "⚠️ Album berisi 3 foto/video ini tidak tercatat sebagai laporan.\n"
        "Kirim ulang album dengan keterangan /lapor rawan isi laporan (tingkat sesuai keadaan) "
        "atau ketik /lapor lalu kirim fotonya di langkah foto."
    ]
    assert await posko.services.reports.count() == 0
    assert await posko.services.albums.settled(posko.clock()) == [], "nothing left held"


async def test_an_album_captioned_lapor_alone_opens_the_form_with_it(
    posko: Posko, enlist: Enlist
) -> None:
    officer = await enlist(2001)
    await officer.send_album(["photo", "photo"], caption="/lapor")
    assert officer.last_message().text.startswith("📝 Laporan baru")
    await officer.press("🟡 Waspada")
    await officer.press("Lainnya")
    await officer.send("Pemasangan APK di luar zona")
    await finish_form(officer, "✅ Selesai", until="summary")
    assert "Foto: 2" in officer.last_message().text


async def test_an_album_interrupted_by_a_restart_is_filed_once_after_it(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, group: FakeChat, clock: FakeClock
) -> None:
    officer = await enlist(2001)
    album.ALBUM_WAIT_SECONDS = 60  # the stop comes before the album is taken as complete
    updates = await officer.send_album(
        ["photo", "photo"], caption="/lapor rawan Ricuh di PPK", wait=False
    )
    for update in updates:
        await fake.wait_confirmed(update["update_id"])
    await posko.app.update_queue.join()
    await posko.restart()  # the wait is cancelled at the stop; its items are in the database
    assert await posko.services.reports.count() == 0
    album.ALBUM_WAIT_SECONDS = 0.2
    clock.advance(seconds=5)
    await posko.run_job("albums")
    await posko.settle()
    assert await posko.services.reports.count() == 1
    assert len(await posko.services.reports.photos(1)) == 2
    await posko.run_job("albums")  # nothing left to file
    assert await posko.services.reports.count() == 1
    assert [m.text.startswith("✅ Laporan #1") for m in officer.messages] == [True]


async def _send_file_album(
    fake: FakeTelegram, officer: FakeUser, caption: str | None, *, caption_at: int = 0
) -> None:
    """Photos sent 'as files' (uncompressed) in one album: documents sharing a media group."""
    group_id = f"{next(fake.ids)}{officer.id}"
    updates = []
    for index in range(3):
        document = {**fake.add_file(b"\xff\xd8jpg", "document"), "file_name": f"IMG_{index}.jpg",
                    "mime_type": "image/jpeg"}  # fmt: skip
        message = fake.new_message(officer.chat, officer.data, text="", document=document)
        del message["text"]
        message["media_group_id"] = group_id
        if index == caption_at and caption is not None:
            message.update(captioned(caption))
        updates.append(await fake.push_update({"message": message}, wait=False))
    for update in updates:
        await fake.wait_confirmed(update["update_id"])


async def test_an_album_of_files_captioned_lapor_is_answered_once(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """Review 18/19: such an album got no answer at all."""
    officer = await enlist(2001)
    await _send_file_album(fake, officer, "/lapor rawan Massa <memblokir> jalan", caption_at=1)
    await posko.settle()
    assert await posko.services.reports.count() == 0
    [answer] = officer.messages
    assert answer.text.splitlines() == [
        "⚠️ Album berkas ini tidak tercatat sebagai laporan: laporan hanya menyimpan foto, "
        "rekaman suara, dan video.",
        "Kirim ulang fotonya sebagai foto (bukan sebagai berkas) dengan keterangan /lapor rawan "
        "isi laporan atau kirim laporannya tanpa berkas.",
        "Keterangan Bapak/Ibu, siap disalin:",
        "/lapor rawan Massa <memblokir> jalan",
    ]
    assert "<code>/lapor rawan Massa &lt;memblokir&gt; jalan</code>" in (answer.html or "")
    assert await posko.services.albums.settled(posko.clock()) == [], "nothing held"
    # Captioned otherwise: answered once too, without a caption to give back. Uncaptioned: an
    # album of files asks for nothing.
    await _send_file_album(fake, officer, "foto apel siaga")
    await _send_file_album(fake, officer, None)
    await posko.settle()
    assert len(officer.messages) == 2
    assert "Keterangan Bapak/Ibu" not in officer.last_message().text


async def test_an_album_is_discarded_only_once_it_was_acted_on(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    """The form of an album captioned /lapor alone could not be sent: the album is kept, and
    the sweep opens the form with it afterwards."""
    officer = await enlist(2001)
    posko.without_retries()
    fake.fail_next("sendMessage", chat_id=2001)
    await officer.send_album(["photo", "photo"], caption="/lapor")
    await posko.settle()
    assert officer.messages == []
    assert await posko.services.drafts.get(2001) is None
    clock.advance(seconds=5)
    await posko.run_job("albums")
    assert officer.last_message().text.startswith("📝 Laporan baru")
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert len(draft.data["photos"]) == 2
    assert await posko.services.albums.settled(posko.clock()) == []


async def test_an_album_captioned_lapor_mid_form_waits_for_the_officers_choice(
    posko: Posko, enlist: Enlist
) -> None:
    """Review 18/19: the album's new form replaced the half-filled one without a word."""
    officer = await enlist(2001)
    narrative = "Massa sekitar 200 orang mendatangi kantor PPK"
    await fill_form(officer, "🟠 Rawan", "Kamtibmas", narrative, until="photos")
    await officer.send_album(["photo", "video"], caption="/lapor")
    choice = officer.last_message()
    assert choice.button_texts() == ["▶️ Lanjutkan", "🔄 Mulai baru"]
    assert "2 foto/rekaman yang baru dikirim disimpan sampai Bapak/Ibu memilih." in choice.text
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert draft.data["text"] == "Massa sekitar 200 orang mendatangi kantor PPK"
    await officer.press("🔄 Mulai baru", choice)
    back, question = officer.messages[-2:]
    assert "/lapor rawan Massa sekitar 200 orang mendatangi kantor PPK" in back.text
    assert question.text.startswith("📝 Laporan baru")
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert (draft.step, draft.data["text"], len(draft.data["photos"])) == ("level", "", 1)
    assert [item[0] for item in draft.data["media"]] == ["video"]
    assert "incoming" not in draft.data
