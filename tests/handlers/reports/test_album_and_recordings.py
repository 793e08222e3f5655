"""Recordings with a /lapor caption, and albums: nothing an officer sends is thrown away."""

from collections.abc import Iterator

import pytest

from domain.enums import Level
from domain.reports import MediaKind
from emulator import FakeChat, FakeTelegram
from handlers.reports import album
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko


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
    await officer.press("✅ Selesai")
    await officer.send("Lewati")
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
