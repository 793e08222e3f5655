"""The reminder's buttons: a nihil report in one tap (exactly once), or the form."""

from datetime import datetime

from domain.enums import Level
from emulator import FakeTelegram, FakeUser, SentMessage
from handlers.digest.schedule import send_reminders
from tests.conftest import Enlist
from tests.handlers.digest.test_schedule import wita
from tests.harness import FakeClock, Posko, replay_after_crash

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
