import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.services import system_clock
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser
from handlers.reports import escalation as escalation_module
from tests.conftest import Enlist
from tests.harness import FakeClock, Posko, make_settings, replay_after_crash


@pytest.fixture
async def fast(fake: FakeTelegram, db_path: Path, clock: FakeClock) -> AsyncIterator[Posko]:
    """Posko with a one-minute acknowledgement window; the re-page job only runs when asked."""
    bot = Posko(fake, make_settings(fake, db_path, escalation_ack_minutes=1), clock)
    await bot.start()
    pause_repages(bot)
    yield bot
    await bot.stop()


@pytest.fixture
def fast_enlist(fast: Posko, fake: FakeTelegram) -> Enlist:
    """Registers officers in the `fast` instance (the default `enlist` starts another bot)."""
    return Enlist(fast, fake)


def pause_repages(posko: Posko) -> None:
    queue = posko.app.job_queue
    assert queue is not None
    for job in queue.get_jobs_by_name("repage"):
        job.enabled = False


async def run_repages(posko: Posko) -> None:
    queue = posko.app.job_queue
    assert queue is not None
    [job] = queue.get_jobs_by_name("repage")
    await job.run(posko.app)


async def add_coordinator(posko: Posko, fake: FakeTelegram, user_id: int = 5001) -> FakeUser:
    user = fake.add_user(user_id, "Kasat")
    await posko.services.members.save(
        RosterRow(user_id, Role.KOORDINATOR, None, "Kasat Intelkam"), posko.clock(), None
    )
    return user


async def test_first_acknowledgement_wins(
    posko: Posko, enlist: Enlist, group: FakeChat, admin: FakeUser, fake: FakeTelegram,
    clock: FakeClock,
) -> None:  # fmt: skip
    officer = await enlist(2001, "camat", "Sandaran", "Budi")
    kasat = await add_coordinator(posko, fake)
    await officer.send("/lapor darurat jembatan putus")
    alert = group.last_message()
    clock.advance(minutes=4)
    await kasat.press("✅ Diterima", alert)
    assert alert.button_texts() == ["➕ Perkembangan"], "taken up: only the update link stays"
    assert alert.text.endswith("✅ Diterima oleh Kasat Intelkam pukul 10.04 WITA (4 menit).")
    assert officer.last_message().text == (
        "✅ Laporan #1 Bapak/Ibu sudah diterima oleh Kasat Intelkam pukul 10.04 WITA."
    )
    report = await posko.services.reports.get(1)
    assert report is not None
    assert (report.acked_by, report.ack_seconds, report.next_repage_at) == (5001, 240, None)
    await admin.press_data("ack:1", alert)  # a stale button on a slow phone
    assert (
        list(fake.callback_answers.values())[-1]["text"] == "Sudah diterima oleh Kasat Intelkam."
    )
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.acked_by == 5001


async def test_others_cannot_acknowledge(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram
) -> None:
    officer = await enlist(2001)
    other_officer = await enlist(2002, "kapolsek")
    await officer.send("/lapor rawan ada keributan")
    alert = group.last_message()
    stranger = fake.add_user(3001)
    for user in (other_officer, stranger, officer):
        await user.press("✅ Diterima", alert)
        assert list(fake.callback_answers.values())[-1]["text"].startswith(
            "Tombol ini bukan untuk Bapak/Ibu"
        )
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.acked_at is None
    assert alert.button_texts() == ["✅ Diterima", "➕ Perkembangan"]


async def test_unacknowledged_report_is_paged_three_times(
    fast: Posko, fast_enlist: Enlist, group: FakeChat, admin: FakeUser, clock: FakeClock,
) -> None:  # fmt: skip
    officer = await fast_enlist(2001, "danramil", "Busang")
    await officer.send("/lapor darurat ada penyanderaan petugas")
    clock.advance(seconds=59)
    await run_repages(fast)
    assert len(group.messages) == 1, "not yet due"
    for round_ in (1, 2, 3):
        clock.advance(seconds=61)
        await run_repages(fast)
        reminder = group.last_message()
        assert reminder.text.startswith(f"⏰ Belum diterima ({round_}/3): laporan #1")
        assert reminder.button_texts() == ["✅ Diterima"]
        assert admin.last_message().text == reminder.text
    clock.advance(minutes=10)
    await run_repages(fast)
    assert len(group.messages) == 4, "three re-pages at most"


async def test_acknowledging_a_private_repage(
    fast: Posko, fast_enlist: Enlist, group: FakeChat, admin: FakeUser, clock: FakeClock
) -> None:
    officer = await fast_enlist(2001)
    await officer.send("/lapor rawan massa berkumpul")
    alert = group.messages[0]
    clock.advance(minutes=2)
    await run_repages(fast)
    page = admin.last_message()
    await admin.press("✅ Diterima", page)
    assert page.buttons() == []
    assert "✅ Diterima oleh Operator Kesbangpol" in alert.text
    clock.advance(minutes=2)
    await run_repages(fast)
    assert len(group.messages) == 2, "no re-page once acknowledged"


async def test_pending_repages_survive_a_restart(
    fast: Posko, fast_enlist: Enlist, group: FakeChat, clock: FakeClock
) -> None:
    officer = await fast_enlist(2001)
    await officer.send("/lapor rawan massa berkumpul")
    await fast.restart()
    pause_repages(fast)
    clock.advance(minutes=2)
    await run_repages(fast)
    assert group.last_message().text.startswith("⏰ Belum diterima (1/3)")


async def test_the_scheduler_repages_on_its_own(
    fake: FakeTelegram, db_path: Path, group: FakeChat
) -> None:
    bot = Posko(fake, make_settings(fake, db_path, escalation_ack_minutes=0.02), system_clock)
    await bot.start()
    try:
        officer = fake.add_user(2001)
        await bot.services.members.save(
            RosterRow(2001, Role.CAMAT, "Telen", "Budi"), bot.services.clock(), None
        )
        await officer.send("/lapor darurat kebakaran gudang logistik")
        await group.wait_for_messages(2, timeout=10)
        assert group.messages[1].text.startswith("⏰ Belum diterima (1/3)")
    finally:
        await bot.stop()
    await asyncio.sleep(0)


async def test_a_press_before_the_alert_is_recorded_asks_to_press_again(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    officer = await enlist(2001, "camat", "Sandaran", "Budi")
    kasat = await add_coordinator(posko, fake)
    reports = posko.services.reports
    mark_escalated = reports.mark_escalated
    recorded = asyncio.Event()

    async def late_record(*args: object) -> None:
        await recorded.wait()
        await mark_escalated(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(reports, "mark_escalated", late_record)
    await officer.send("/lapor darurat jembatan putus", wait=False)
    await group.wait_for_messages(1)
    alert = group.last_message()
    answers = len(fake.callback_answers)
    await kasat.press("✅ Diterima", alert, wait=False)  # the alert is out, not yet recorded
    await fake.wait_until(lambda: len(fake.callback_answers) > answers)
    assert list(fake.callback_answers.values())[-1]["text"] == (
        "Peringatan ini baru saja dikirim. Tekan lagi sebentar lagi."
    )
    recorded.set()
    await posko.settle()
    await kasat.press("✅ Diterima", alert)
    assert alert.button_texts() == ["➕ Perkembangan"]
    report = await reports.get(1)
    assert report is not None
    assert report.acked_by == 5001


# --- handled again after a crash (review of issue 16) ---------------------------------------


async def _nothing(*_: object, **__: object) -> None:
    """Stands for a process killed right after the commit: nothing after it happened."""


async def test_a_take_up_committed_before_a_crash_still_updates_the_alert(
    posko: Posko,
    enlist: Enlist,
    group: FakeChat,
    fake: FakeTelegram,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    kasat = await add_coordinator(posko, fake)
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    monkeypatch.setattr(escalation_module, "refresh_alert", _nothing)
    monkeypatch.setattr(escalation_module, "tell", _nothing)
    press = await kasat.press("✅ Diterima", alert)
    monkeypatch.undo()
    await replay_after_crash(posko, press)
    assert "Status insiden: 👁 Ditangani" in alert.text
    assert "✅ Diterima" not in alert.button_texts()
    told = [t for t in officer.texts() if "sudah diterima oleh" in t]
    assert told == ["✅ Laporan #1 Bapak/Ibu sudah diterima oleh Kasat Intelkam pukul 10.00 WITA."]

    await replay_after_crash(posko, press)  # told: not again
    assert len([t for t in officer.texts() if "sudah diterima oleh" in t]) == 1
    report = await posko.services.reports.get(1)
    assert report is not None
    assert report.ack_told_at is not None


async def test_a_replayed_take_up_press_raises_no_error(
    posko: Posko,
    enlist: Enlist,
    group: FakeChat,
    fake: FakeTelegram,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A callback handled again after a restart is too old to answer: the "taken already"
    path must not end in the error handler (admins get an error alert for a normal replay)."""
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    kasat = await add_coordinator(posko, fake)
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    press = await kasat.press("✅ Diterima", alert)
    caplog.clear()
    await replay_after_crash(posko, press)
    assert not [r for r in caplog.records if r.name == "bot.errors"]
    assert len([t for t in officer.texts() if "sudah diterima oleh" in t]) == 1


async def test_another_press_of_the_one_who_took_it_tells_nobody_twice(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram, admin: FakeUser
) -> None:
    officer = await enlist(2001, "kapolsek", "Busang", "Agus")
    kasat = await add_coordinator(posko, fake)
    await officer.send("/lapor rawan massa menghadang truk logistik")
    alert = group.last_message()
    await kasat.press("✅ Diterima", alert)
    await kasat.press_data("ack:1", alert)  # a double tap, a second copy of the button
    assert fake.callback_answers[max(fake.callback_answers, key=int)]["text"] == (
        "Sudah diterima oleh Kasat Intelkam."
    )
    await admin.press_data("ack:1", alert)
    assert len([t for t in officer.texts() if "sudah diterima oleh" in t]) == 1
