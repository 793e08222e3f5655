"""Review 18/19: regression tests that demonstrate defects (expected to FAIL on main)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot import texts
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser
from emulator.people import captioned
from handlers.digest.schedule import send_reminders
from handlers.reports import album
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, make_settings

WITA = ZoneInfo("Asia/Makassar")
NIHIL = "🟢 Nihil (tidak ada kejadian)"
REPORT = "📝 Lapor kejadian"


def wita(day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(2024, 11, day, hour, minute, tzinfo=WITA)


@pytest.fixture(autouse=True)
def quick_albums() -> Iterator[None]:
    before = album.ALBUM_WAIT_SECONDS
    album.ALBUM_WAIT_SECONDS = 0.2
    yield
    album.ALBUM_WAIT_SECONDS = before


def _answers(fake: FakeTelegram) -> list[str]:
    return [str(a.get("text")) for a in fake.callback_answers.values()]


# --- issue 18 flows -----------------------------------------------------------------------------


async def test_an_album_of_files_captioned_lapor_is_answered(
    posko: Posko, enlist: Enlist, fake: FakeTelegram
) -> None:
    """Photos sent 'as file' (uncompressed) in one album: the bot must say something."""
    officer = await enlist(2001)
    group_id = "77001"
    updates = []
    for index in range(2):
        document = {**fake.add_file(b"\xff\xd8jpg", "document"), "file_name": f"IMG_{index}.jpg",
                    "mime_type": "image/jpeg"}  # fmt: skip
        message = fake.new_message(officer.chat, officer.data, text="", document=document)
        del message["text"]
        message["media_group_id"] = group_id
        if index == 0:
            message.update(captioned("/lapor rawan Massa memblokir jalan ke PPK"))
        updates.append(await fake.push_update({"message": message}, wait=False))
    for update in updates:
        await fake.wait_confirmed(update["update_id"])
    await posko.settle()
    assert await posko.services.reports.count() == 0
    assert officer.messages, "silence: the officer cannot tell the report was not recorded"


async def test_the_reminders_lapor_button_mid_form_keeps_what_was_typed(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    await officer.press("🟠 Rawan")
    await officer.press("Kamtibmas")
    await officer.send("Massa sekitar 200 orang mendatangi kantor PPK")
    clock.set(wita(27, 16))
    await send_reminders(posko.app.bot, posko.services, wita(27, 16))
    reminder = officer.last_message()
    await officer.press(REPORT, reminder)
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert draft.data.get("text") == "Massa sekitar 200 orang mendatangi kantor PPK", (
        "the half-filled form was replaced without a word"
    )


async def test_a_photo_in_the_form_is_not_dropped_by_nihil(posko: Posko, enlist: Enlist) -> None:
    officer = await enlist(2001)
    await officer.send_photo(caption="/lapor")  # the form, with the photo already in it
    await officer.press("🟢 Aman")
    await officer.press("Nihil (tidak ada kejadian)")
    assert await posko.services.reports.count() == 1
    assert len(await posko.services.reports.photos(1)) == 1, "the photo was silently dropped"


async def test_an_expired_form_does_not_lose_the_text_when_telegram_fails(
    posko: Posko, enlist: Enlist, clock: FakeClock, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    await officer.send("/lapor")
    await officer.press("🟠 Rawan")
    await officer.press("Kamtibmas")
    await officer.send("Keterangan panjang yang diketik di lapangan")
    clock.advance(hours=4, minutes=1)
    posko.without_retries()
    fake.fail_next("sendMessage", chat_id=2001)
    await posko.run_job("expire forms")
    await posko.run_job("expire forms")  # Telegram is back
    assert any("Keterangan panjang" in t for t in officer.texts()[-2:]) or (
        await posko.services.drafts.get(2001) is not None
    ), "the draft was deleted and the notice never delivered: the text is gone"


# --- issue 19: reminders and windows --------------------------------------------------------------


@pytest.fixture
async def night(fake: FakeTelegram, db_path: Path, clock: FakeClock, tmp_path: Path
                ) -> AsyncIterator[Posko]:  # fmt: skip
    """A stage whose one window crosses midnight (23.00-01.00), reminded at 23.30."""
    calendar = {"stages": [{"name": "Jaga malam", "start": "2024-11-27", "end": "2024-11-28",
                            "digest_times": ["07:00"], "reminder_times": ["23:30"],
                            "window": {"every_minutes": 120, "from": "23:00",
                                       "until": "01:00"}}]}  # fmt: skip
    path = tmp_path / "malam.json"
    path.write_text(json.dumps(calendar))
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=path), clock)
    await posko.start()
    yield posko
    if posko._app is not None:
        await posko.stop()


async def test_nihil_after_midnight_in_the_same_open_window(
    night: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    officer = fake.add_user(2001, "Ani")
    services = night.services
    await services.members.save(RosterRow(2001, Role.CAMAT, "Bengalon", "Ani"), clock(), None)
    clock.set(wita(27, 23, 30))
    await send_reminders(night.app.bot, services, wita(27, 23, 30))
    reminder = officer.last_message()
    clock.set(wita(28, 0, 15))  # the 23.00-01.00 window (of 27 November) is still open
    assert services.rhythm().window_at(clock()) is not None
    await officer.press(NIHIL, reminder)
    assert not _answers(fake)[-1].startswith("Pengingat ini untuk hari yang sudah lewat")
    assert await services.reports.count() == 1


async def test_an_old_windows_nihil_button_does_not_claim_the_current_window(
    fake: FakeTelegram, db_path: Path, clock: FakeClock
) -> None:
    """Voting day (bundled calendar): 3-hour windows from 06.00."""
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=None), clock)
    await posko.start()
    try:
        officer = fake.add_user(2001, "Ani")
        services = posko.services
        await services.members.save(RosterRow(2001, Role.CAMAT, "Bengalon", "Ani"), clock(), None)
        clock.set(wita(27, 7, 30))
        await send_reminders(posko.app.bot, services, wita(27, 7, 30))
        reminder = officer.last_message()
        press = await officer.press(NIHIL, reminder)
        assert await services.reports.count() == 1
        clock.set(wita(27, 10, 40))  # window 09.00-12.00: nothing reported in it
        # The same reminder's button again (a phone that did not get the edit, or a forward).
        await officer.press_data(press["callback_query"]["data"], reminder)
        period = services.rhythm().period_at(clock())
        reported = {e.officer_id for e in await services.reports.officer_latest(
            period.start, clock())}  # fmt: skip
        assert 2001 in reported or "sudah tercatat" not in _answers(fake)[-1], (
            f"told {_answers(fake)[-1]!r} yet belum lapor in the current window"
        )
    finally:
        await posko.stop()


# --- issue 19: /tahapan ---------------------------------------------------------------------------


@pytest.fixture
async def election(fake: FakeTelegram, db_path: Path, clock: FakeClock) -> AsyncIterator[Posko]:
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=None), clock)
    await posko.start()
    yield posko
    if posko._app is not None:
        await posko.stop()


async def test_a_late_save_press_still_tells_the_admin_it_was_saved(
    election: Posko, admin: FakeUser, fake: FakeTelegram
) -> None:
    await admin.send("/tahapan ubah 4 | 28-11-2024 | 28-11-2024")
    question = admin.last_message()
    election.without_retries()
    fake.fail_next(
        "answerCallbackQuery",
        status=400,
        description="Bad Request: query is too old and response timeout expired",
    )
    await admin.press(texts.SAVE_BUTTON, question)
    assert len(await election.services.calendars.versions()) == 1, "saved"
    assert admin.last_message().text.startswith("✅ Disimpan"), admin.last_message().text


async def test_an_imported_calendar_with_a_huge_value_is_refused_in_a_few_messages(
    election: Posko, admin: FakeUser
) -> None:
    bad = {"stages": [{"name": "X", "start": "<" * 200_000, "end": "2024-11-27",
                       "digest_times": []}]}  # fmt: skip
    before = len(admin.messages)
    await admin.send_document(json.dumps(bad).encode(), "t.json", caption="/tahapan impor",
                              mime_type="application/json")  # fmt: skip
    sent = len(admin.messages) - before
    assert sent <= 3, f"{sent} messages for one refused file"


async def test_a_deeply_nested_calendar_file_is_refused_as_not_json(
    election: Posko, admin: FakeUser
) -> None:
    await admin.send_document(b"[" * 200_000, "t.json", caption="/tahapan impor",
                              mime_type="application/json")  # fmt: skip
    assert admin.last_message().text.startswith("❌ Tidak disimpan"), admin.last_message().text
