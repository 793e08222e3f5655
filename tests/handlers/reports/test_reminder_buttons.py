"""The reminder's buttons: a nihil report in one tap (exactly once, while the reminder's
reporting window lasts), or the form."""

import json
from collections.abc import AsyncIterator
from datetime import datetime
from pathlib import Path

import pytest

from domain.enums import Level, Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser, SentMessage
from handlers.digest.schedule import send_reminders
from tests.conftest import Enlist
from tests.handlers.digest.test_schedule import wita
from tests.harness import FakeClock, Posko, fill_form, make_settings, replay_after_crash

NIHIL = "🟢 Nihil (tidak ada kejadian)"
REPORT = "📝 Lapor kejadian"


async def remind(posko: Posko, clock: FakeClock, officer: FakeUser) -> SentMessage:
    clock.set(wita(16))
    await send_reminders(posko.app.bot, posko.services, wita(16))
    reminder = officer.last_message()
    assert reminder.button_texts() == [NIHIL, REPORT]
    return reminder


async def test_the_reminder_speaks_to_the_officer_by_jabatan(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    officer = await enlist(2001, "danramil", "Muara Bengkal", "Kapten Joko")
    reminder = await remind(posko, clock, officer)
    assert reminder.text.splitlines() == [
        "🔔 Pengingat laporan",
        "Bapak/Ibu Danramil Muara Bengkal, laporan situasi hari ini (Rabu, 27 November 2024) "
        "belum masuk.",
        "Tidak ada kejadian? Tekan 🟢 Nihil (tidak ada kejadian): laporan nihil langsung "
        "tercatat.",
        "Ada kejadian? Tekan 📝 Lapor kejadian.",
    ]


async def test_nihil_is_filed_in_one_tap_exactly_once(
    posko: Posko, enlist: Enlist, clock: FakeClock, fake: FakeTelegram
) -> None:
    officer = await enlist(2001, "camat", "Kaubun", "Budi")
    reminder = await remind(posko, clock, officer)
    press = await officer.press(NIHIL, reminder)
    assert officer.last_message().text.startswith("✅ Laporan #1 tercatat pukul 16.00 WITA.")
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.is_nihil
    assert (report.officer_id, report.kecamatan, report.level) == (2001, "Kaubun", Level.AMAN)
    assert reminder.buttons() == [], "the tapped reminder keeps no buttons"
    # Pressed again on a slow phone (a stale keyboard): nothing more is stored.
    await officer.press_data(press["callback_query"]["data"], reminder)
    assert list(fake.callback_answers.values())[-1]["text"] == "Laporan nihil #1 sudah tercatat."
    assert await posko.services.reports.count() == 1
    # The first press handled again after a crash: still one report, its receipt again.
    receipts = len(officer.messages)
    await replay_after_crash(posko, press)
    assert await posko.services.reports.count() == 1
    assert len(officer.messages) == receipts + 1
    assert officer.last_message().text.startswith("✅ Laporan #1 tercatat")


async def test_lapor_kejadian_opens_the_form(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    officer = await enlist(2001)
    reminder = await remind(posko, clock, officer)
    await officer.press(REPORT, reminder)
    assert officer.last_message().text.startswith("📝 Laporan baru")
    await officer.press("🟠 Rawan")
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert draft.step == "category"


async def test_nihil_after_a_report_or_on_another_day_files_nothing(
    posko: Posko, enlist: Enlist, clock: FakeClock, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    other = await enlist(2002, "kapolsek", "Telen", "Ani")
    reminder = await remind(posko, clock, officer)
    old = other.last_message()
    await officer.send("/lapor waspada isu hoaks beredar")
    await officer.press(NIHIL, reminder)
    assert list(fake.callback_answers.values())[-1]["text"] == (
        "Bapak/Ibu sudah melapor hari ini (laporan #1). Tidak perlu mengirim nihil."
    )
    assert await posko.services.reports.count() == 1
    clock.set(datetime(2024, 11, 28, 0, 30, tzinfo=clock().tzinfo))  # 08.30 WITA the next day
    await other.press(NIHIL, old)
    answer = list(fake.callback_answers.values())[-1]["text"]
    assert answer.startswith("Pengingat ini untuk hari yang sudah lewat")
    assert old.buttons() == []
    assert await posko.services.reports.count() == 1


def _last_answer(fake: FakeTelegram) -> str:
    return str(list(fake.callback_answers.values())[-1].get("text"))


async def test_the_buttons_carry_the_window_they_remind_of(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    officer = await enlist(2001)
    reminder = await remind(posko, clock, officer)
    assert [b["callback_data"] for b in reminder.buttons()] == [
        "ingat:nihil:202411270000",  # no stage: the WITA day is the window
        "ingat:lapor:202411270000",
    ]


async def test_lapor_kejadian_on_an_old_reminder_opens_the_form(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    officer = await enlist(2001)
    reminder = await remind(posko, clock, officer)
    clock.set(datetime(2024, 11, 29, 1, tzinfo=clock().tzinfo))  # two days later
    await officer.press(REPORT, reminder)
    assert officer.last_message().text.startswith("📝 Laporan baru")


async def test_the_reminders_lapor_button_mid_form_keeps_what_was_typed(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    """Review 18/19: the button replaced a half-filled form without a word."""
    officer = await enlist(2001)
    narrative = "Massa sekitar 200 orang mendatangi kantor PPK"
    await fill_form(officer, "🟠 Rawan", "Kamtibmas", narrative, until="photos")
    reminder = await remind(posko, clock, officer)
    await officer.press(REPORT, reminder)
    assert officer.last_message().button_texts() == ["▶️ Lanjutkan", "🔄 Mulai baru"]
    draft = await posko.services.drafts.get(2001)
    assert draft is not None
    assert draft.data.get("text") == "Massa sekitar 200 orang mendatangi kantor PPK"


# --- windows of an election stage ---------------------------------------------------------------


@pytest.fixture
async def night(
    fake: FakeTelegram, db_path: Path, clock: FakeClock, tmp_path: Path
) -> AsyncIterator[Posko]:
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


@pytest.fixture
async def voting_day(fake: FakeTelegram, db_path: Path, clock: FakeClock) -> AsyncIterator[Posko]:
    """The bundled calendar: on 27 November, 3-hour windows from 06.00."""
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=None), clock)
    await posko.start()
    yield posko
    if posko._app is not None:
        await posko.stop()


async def _ani(posko: Posko, fake: FakeTelegram, clock: FakeClock) -> FakeUser:
    officer = fake.add_user(2001, "Ani")
    await posko.services.members.save(
        RosterRow(2001, Role.CAMAT, "Bengalon", "Ani"), clock(), None
    )
    return officer


async def test_nihil_after_midnight_in_the_same_open_window(
    night: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    """Review 18/19: the button was refused after midnight, the window still open."""
    officer = await _ani(night, fake, clock)
    services = night.services
    clock.set(wita(23, 30))
    await send_reminders(night.app.bot, services, wita(23, 30))
    reminder = officer.last_message()
    assert reminder.buttons()[0]["callback_data"] == "ingat:nihil:202411272300"
    clock.set(wita(0, 15, day=28))  # the 23.00-01.00 window (of 27 November) is still open
    await officer.press(NIHIL, reminder)
    assert officer.last_message().text.startswith("✅ Laporan #1 tercatat")
    assert await services.reports.count() == 1


async def test_an_old_windows_nihil_button_does_not_claim_the_current_window(
    voting_day: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    """Review 18/19: a second press in a later window said "sudah tercatat" while the officer
    had not reported in that window."""
    officer = await _ani(voting_day, fake, clock)
    services = voting_day.services
    clock.set(wita(7, 30))
    await send_reminders(voting_day.app.bot, services, wita(7, 30))
    reminder = officer.last_message()
    press = await officer.press(NIHIL, reminder)
    assert await services.reports.count() == 1
    clock.set(wita(10, 40))  # window 09.00-12.00: nothing reported in it
    # The same reminder's button again (a phone that did not get the edit, or a forward).
    await officer.press_data(press["callback_query"]["data"], reminder)
    assert _last_answer(fake) == (
        "Pengingat ini untuk jendela lapor yang sudah lewat. Untuk melapor nihil sekarang, "
        "ketik /lapor aman."
    )
    assert await services.reports.count() == 1
    await officer.send("/lapor aman")  # as the answer says
    assert officer.last_message().text.startswith("✅ Laporan #2 tercatat")


async def test_already_reported_names_the_window(
    voting_day: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    officer = await _ani(voting_day, fake, clock)
    clock.set(wita(7, 30))
    await send_reminders(voting_day.app.bot, voting_day.services, wita(7, 30))
    reminder = officer.last_message()
    clock.set(wita(7, 40))
    await officer.send("/lapor waspada spanduk provokatif di depan TPS 3")
    await officer.press(NIHIL, reminder)
    assert _last_answer(fake) == (
        "Bapak/Ibu sudah melapor pada jendela lapor ini (laporan #1). Tidak perlu mengirim nihil."
    )
    assert await voting_day.services.reports.count() == 1
