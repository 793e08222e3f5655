"""Stale incidents are chased: "still going on?" to the reporting officer, once per period."""

from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot import texts
from domain.enums import Role
from domain.incidents import IncidentState
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser, SentMessage
from handlers.reports import stale as stale_module
from storage.incidents import SENDING, SENT
from tests.conftest import Enlist
from tests.handlers.reports.test_escalation import add_coordinator
from tests.harness import FakeClock, Posko, make_settings, replay_after_crash
from tests.test_exactly_once import failing

QUESTION = "⏳ Insiden #1 masih berlangsung?"
BUDI = (2001, "camat", "Telen", "Budi")
AGUS = (2001, "kapolsek", "Busang", "Agus")
KERUMUNAN = "/lapor waspada kerumunan di pasar"
BLOCKADE = "/lapor rawan massa menghadang truk logistik"


def pause_chases(posko: Posko) -> None:
    """The sweep runs only when a test asks (it would otherwise start a minute after start-up)."""
    queue = posko.app.job_queue
    assert queue is not None
    for job in queue.get_jobs_by_name("chase stale"):
        job.enabled = False


async def restart(posko: Posko) -> None:
    """Restarts on the same database, the sweep paused again."""
    await posko.restart()
    pause_chases(posko)


async def sweep(posko: Posko) -> None:
    await posko.run_job("chase stale")
    await posko.settle()


async def gone_quiet(
    posko: Posko, enlist: Enlist, clock: FakeClock,
    officer: tuple[int, str, str, str] = BUDI, report: str = KERUMUNAN, hours: float = 6,
) -> FakeUser:  # fmt: skip
    """With the sweep paused, `officer` (enlisted) files `report`; then `hours` without news."""
    pause_chases(posko)
    user = await enlist(*officer)
    await user.send(report)
    clock.advance(hours=hours)
    return user


async def asked(posko: Posko, officer: FakeUser) -> SentMessage:
    """The one question a sweep sent `officer`."""
    await sweep(posko)
    [question] = questions(officer)
    return question


def questions(user: FakeUser) -> list[SentMessage]:
    return [m for m in user.messages if m.text.startswith("⏳ Insiden #")]


def last_answer(fake: FakeTelegram) -> str | None:
    answer = list(fake.callback_answers.values())[-1]
    text = answer.get("text")
    return str(text) if text is not None else None


async def test_a_silent_incident_is_asked_about_once_per_period_across_restarts(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    pause_chases(posko)
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/lapor waspada kerumunan di depan kantor PPK")
    clock.advance(hours=5, minutes=59)
    await sweep(posko)
    assert questions(officer) == [], "not stale yet"

    clock.advance(minutes=1)  # 16.00: six hours without news
    await sweep(posko)
    [question] = questions(officer)
    assert question.text.splitlines()[:4] == [
        QUESTION,
        "🟡 Waspada · Telen · dibuka 27/11 10.00 WITA",
        "Belum ada kabar selama 6 jam (sejak 27/11 10.00 WITA).",
        "kerumunan di depan kantor PPK",
    ]
    assert "/selesai 1 catatan" in question.text
    assert question.button_texts() == ["⏳ Masih berlangsung", "✅ Sudah selesai"]
    period = int(datetime(2024, 11, 27, 2, tzinfo=UTC).timestamp())  # 10.00 WITA: opened
    assert [b["callback_data"] for b in question.buttons()] == [
        "stale:1:on", f"stale:1:end:{period}"]  # fmt: skip

    await sweep(posko)
    clock.advance(hours=5)
    await restart(posko)
    await sweep(posko)
    assert len(questions(officer)) == 1, "asked once in a period, whatever restarts"

    clock.advance(hours=1)  # six hours after the question, still silent
    await sweep(posko)
    assert len(questions(officer)) == 2
    assert questions(officer)[1].text.splitlines()[2] == (
        "Belum ada kabar selama 6 jam (sejak 27/11 16.00 WITA)."
    )


async def test_still_going_on_asks_for_the_update_which_starts_a_new_period(
    posko: Posko, enlist: Enlist, group: FakeChat, clock: FakeClock
) -> None:
    officer = await gone_quiet(posko, enlist, clock, AGUS, BLOCKADE)
    alert = group.last_message()
    question = await asked(posko, officer)
    await officer.press("⏳ Masih berlangsung", question)
    assert officer.last_message().text.startswith("➕ Tulis perkembangan insiden #1")
    clock.advance(minutes=10)
    await officer.send("massa berkurang, negosiasi berjalan")
    assert officer.last_message().text == (
        "➕ Perkembangan insiden #1 tercatat. Tingkat insiden: 🟠 Rawan."
    )
    assert "massa berkurang, negosiasi berjalan" in alert.text
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.state is not IncidentState.SELESAI

    clock.advance(hours=5, minutes=59)
    await sweep(posko)
    assert len(questions(officer)) == 1, "the update is news: a new period started"
    clock.advance(minutes=1)
    await sweep(posko)
    assert len(questions(officer)) == 2
    assert "massa berkurang, negosiasi berjalan" in questions(officer)[1].text


async def test_already_resolved_closes_it_with_a_note_in_one_tap(
    posko: Posko, enlist: Enlist, group: FakeChat, clock: FakeClock
) -> None:
    officer = await gone_quiet(posko, enlist, clock, AGUS, BLOCKADE, hours=7)
    alert = group.last_message()
    question = await asked(posko, officer)
    await officer.press("✅ Sudah selesai", question)
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert (incident.state, incident.closed_by, incident.closing_note) == (
        IncidentState.SELESAI, 2001, texts.STALE_CLOSING_NOTE)  # fmt: skip
    assert question.buttons() == [], "answered: the question keeps no buttons"
    assert officer.last_message().text.startswith("✅ Insiden #1 tercatat selesai.")
    assert "Status insiden: ✅ Selesai" in alert.text
    assert alert.buttons() == [], "a resolved alert has no buttons"

    clock.advance(hours=12)
    await sweep(posko)
    assert len(questions(officer)) == 1, "a resolved incident is not chased"


async def test_a_forged_answer_changes_nothing(
    posko: Posko, enlist: Enlist, group: FakeChat, fake: FakeTelegram, clock: FakeClock
) -> None:
    pause_chases(posko)
    officer = await enlist(2001, "camat", "Telen", "Budi")
    neighbour = await enlist(2002, "camat", "Busang", "Eko")
    stranger = fake.add_user(3001, "Asing")
    kasat = await add_coordinator(posko, fake)
    await officer.send("/lapor waspada isu politik uang")
    clock.advance(hours=6)
    question = await asked(posko, officer)
    done = str(question.buttons()[1]["callback_data"])

    await neighbour.press_data(done, question)
    assert (last_answer(fake) or "").startswith("Insiden ini bukan di kecamatan Bapak/Ibu")
    await neighbour.press_data("stale:1:on", question)
    assert (last_answer(fake) or "").startswith("Insiden ini bukan di kecamatan Bapak/Ibu")
    assert await posko.services.drafts.get(2002) is None
    clock.advance(minutes=1)  # strangers are answered once a minute
    await stranger.press_data("stale:1:end", question)
    assert last_answer(fake) == texts.CALLBACK_REFUSED
    await posko.app.bot.send_message(group.id, "tombol")  # the button forged in the group
    await kasat.press_data(done, group.last_message())
    assert last_answer(fake) == texts.CALLBACK_REFUSED, "private chat only"
    await officer.press_data("stale:x:end", question)
    assert last_answer(fake) == texts.STALE_BUTTON
    await officer.press_data("stale:1:end", question)  # no period: sent before they had one
    assert last_answer(fake) == texts.stale_question_expired(1)
    await officer.press_data(f"stale:1:end:{int(clock().timestamp())}", question)
    assert last_answer(fake) == texts.stale_question_expired(1), "no question of that period"
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.is_open
    assert question.button_texts() == ["⏳ Masih berlangsung", "✅ Sudah selesai"]

    await kasat.press_data(done, question)  # a koordinator may close it
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert (incident.state, incident.closed_by) == (IncidentState.SELESAI, kasat.id)
    await officer.press_data(done, question)  # a stale copy of the button
    assert last_answer(fake) == (
        "Insiden #1 sudah selesai. Jika ada kejadian baru, laporkan dengan /lapor."
    )


async def test_colleagues_are_asked_when_the_reporter_cannot_be_reached(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock
) -> None:
    pause_chases(posko)
    reporter = await enlist(2001, "camat", "Telen", "Budi")
    colleague = await enlist(2002, "danramil", "Telen", "Joko")
    other = await enlist(2003, "kapolsek", "Telen", "Agus")
    elsewhere = await enlist(2004, "camat", "Busang", "Eko")
    await reporter.send("/lapor waspada isu hoaks di media sosial")
    fake.blocked.add(reporter.id)
    clock.advance(hours=6)
    await sweep(posko)
    assert questions(reporter) == []
    member = await posko.services.members.get(reporter.id)
    assert member is not None
    assert member.blocked_at is not None, "marked blocked, as reminders do"
    for officer in (colleague, other):
        [question] = questions(officer)
        assert "Bot tidak dapat mengirim pesan kepada pelapor" in question.text
    assert questions(elsewhere) == []
    states = {c.user_id: c.state for c in await posko.services.incidents.chases(1)}
    assert states == {2001: "failed", 2002: SENT, 2003: SENT}

    await colleague.press("✅ Sudah selesai", questions(colleague)[0])
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.closed_by == colleague.id

    # Known blocked (or no longer active): the colleagues are asked straight away.
    await other.send("/lapor waspada kerumunan di pasar")
    await posko.services.members.set_active(other.id, False, 1001, clock())
    clock.advance(hours=6)
    await sweep(posko)
    assert [q.text.splitlines()[0] for q in questions(colleague)] == [
        QUESTION, "⏳ Insiden #2 masih berlangsung?"]  # fmt: skip
    assert len(questions(other)) == 1


async def test_an_officer_with_several_silent_incidents_gets_one_question_a_sweep(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    pause_chases(posko)
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/lapor waspada kerumunan di pasar")
    await officer.send("/lapor waspada spanduk provokatif")
    clock.advance(hours=6)
    await sweep(posko)
    assert [q.text.splitlines()[0] for q in questions(officer)] == [QUESTION]
    clock.advance(minutes=10)
    await sweep(posko)
    assert [q.text.splitlines()[0] for q in questions(officer)] == [
        QUESTION, "⏳ Insiden #2 masih berlangsung?"]  # fmt: skip


async def test_a_question_claimed_before_a_crash_is_sent_after_the_restart(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    officer = await gone_quiet(posko, enlist, clock)
    incidents = posko.services.incidents
    [stale] = await incidents.stale(clock(), 10)
    claimed = await incidents.claim_chase(stale, [officer.id], clock())  # then: kill -9
    assert claimed is not None
    assert [c.state for c in claimed] == [SENDING]
    assert await incidents.claim_chase(stale, [officer.id], clock()) is None, "claimed once"
    await restart(posko)
    await sweep(posko)
    await sweep(posko)
    assert len(questions(officer)) == 1
    assert [c.state for c in await posko.services.incidents.chases(1)] == [SENT]


async def test_a_question_telegram_took_is_not_sent_again_when_its_record_fails(
    posko: Posko, enlist: Enlist, clock: FakeClock, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer = await gone_quiet(posko, enlist, clock)
    incidents = posko.services.incidents
    failing(monkeypatch, incidents, "chase_finished", times=1)
    await sweep(posko)
    assert len(questions(officer)) == 1
    assert [c.state for c in await incidents.chases(1)] == [SENDING]
    assert len(posko.services.runtime.unrecorded.chases) == 1
    await sweep(posko)
    assert len(questions(officer)) == 1, "only the record was retried"
    assert [c.state for c in await incidents.chases(1)] == [SENT]
    assert posko.services.runtime.unrecorded.chases == {}


async def test_a_question_no_longer_needed_is_not_sent_after_a_restart(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    officer = await gone_quiet(posko, enlist, clock)
    incidents = posko.services.incidents
    [stale] = await incidents.stale(clock(), 10)
    await incidents.claim_chase(stale, [officer.id], clock())  # then: kill -9
    await restart(posko)
    await officer.send("/selesai 1 kerumunan sudah bubar")
    await sweep(posko)
    assert questions(officer) == []
    assert [c.state for c in await posko.services.incidents.chases(1)] == ["void"]


async def test_the_stale_period_is_a_setting(
    fake: FakeTelegram, db_path: Path, clock: FakeClock
) -> None:
    bot = Posko(fake, make_settings(fake, db_path, incident_stale_hours=1.5), clock)
    await bot.start()
    try:
        pause_chases(bot)
        officer = fake.add_user(2001, "Budi")
        await bot.services.members.save(
            RosterRow(2001, Role.CAMAT, "Telen", "Budi"), clock(), None
        )
        await officer.send("/lapor darurat banjir merendam gudang logistik")
        clock.advance(hours=1, minutes=29)
        await sweep(bot)
        assert questions(officer) == []
        clock.advance(minutes=1)
        await sweep(bot)
        [question] = questions(officer)
        assert question.text.splitlines()[1].startswith("🔴 Darurat · Telen")
    finally:
        await bot.stop()


async def test_a_reporter_gone_since_the_claim_hands_the_question_to_colleagues(
    posko: Posko, enlist: Enlist, clock: FakeClock
) -> None:
    pause_chases(posko)
    reporter = await enlist(2001, "camat", "Telen", "Budi")
    colleague = await enlist(2002, "danramil", "Telen", "Joko")
    await reporter.send("/lapor waspada kerumunan di pasar")
    clock.advance(hours=6)
    incidents = posko.services.incidents
    [stale] = await incidents.stale(clock(), 10)
    await incidents.claim_chase(stale, [reporter.id], clock())  # then: kill -9
    await restart(posko)
    await posko.services.members.set_active(reporter.id, False, 1001, clock())
    await sweep(posko)
    assert questions(reporter) == []
    assert len(questions(colleague)) == 1
    states = {c.user_id: c.state for c in await posko.services.incidents.chases(1)}
    assert states == {2001: "failed", 2002: SENT}


async def test_with_nobody_to_ask_the_chase_is_recorded_and_not_retried(
    posko: Posko, enlist: Enlist, clock: FakeClock, caplog: pytest.LogCaptureFixture
) -> None:
    pause_chases(posko)
    officer = await enlist(2001, "camat", "Telen", "Budi")
    await officer.send("/lapor waspada kerumunan di pasar")
    await posko.services.members.set_blocked(officer.id, clock())
    clock.advance(hours=6)
    await sweep(posko)
    await sweep(posko)
    assert questions(officer) == []
    assert await posko.services.incidents.chases(1) == []
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.chased_at == clock(), "its next period starts now"
    warnings = [r for r in caplog.records if "no officer of Telen can be asked" in r.message]
    assert len(warnings) == 1


# --- an old question, and one handled again after a crash (review of issue 16) ---------------


async def _nothing(*_: object, **__: object) -> None:
    """Stands for a process killed right after the commit: nothing after it happened."""


async def test_an_old_question_cannot_close_a_reopened_incident(
    posko: Posko, enlist: Enlist, admin: FakeUser, fake: FakeTelegram, clock: FakeClock
) -> None:
    officer = await gone_quiet(posko, enlist, clock, AGUS, BLOCKADE)
    question = await asked(posko, officer)
    await officer.send("/selesai 1 massa bubar")
    clock.advance(minutes=30)
    await admin.send("/buka 1")  # the blockade is back
    await officer.press("✅ Sudah selesai", question)
    answer = list(fake.callback_answers.values())[-1]
    assert (answer.get("text"), answer.get("show_alert")) == (texts.stale_reopened(1), True)
    assert answer["text"] == (
        "Insiden #1 dibuka kembali setelah pertanyaan ini dikirim, jadi tombol ini tidak berlaku "
        "lagi. Jika sudah selesai, kirim /selesai 1 catatan."
    )
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.is_open, "the old question answered for the time before the reopening"

    clock.advance(hours=6)  # silent again: a new question, which may close it
    await sweep(posko)
    assert len(questions(officer)) == 2
    await officer.press("✅ Sudah selesai", questions(officer)[1])
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert not incident.is_open


async def test_a_voided_question_cannot_close_the_incident(
    posko: Posko, enlist: Enlist, fake: FakeTelegram, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    """Telegram took the question but its record failed and the bot restarted: still to send,
    it was voided by the perkembangan that came since. Its button no longer answers."""
    officer = await gone_quiet(posko, enlist, clock)
    failing(monkeypatch, posko.services.incidents, "chase_finished", times=1)
    question = await asked(posko, officer)
    monkeypatch.undo()
    await restart(posko)
    await officer.send("/perkembangan 1 massa bertambah")
    await sweep(posko)
    assert [c.state for c in await posko.services.incidents.chases(1)] == ["void"]
    await officer.press("✅ Sudah selesai", question)
    assert last_answer(fake) == texts.stale_question_expired(1)
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.is_open


async def test_a_close_by_the_question_committed_before_a_crash_is_finished(
    posko: Posko, enlist: Enlist, group: FakeChat, admin: FakeUser, clock: FakeClock,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    officer = await gone_quiet(posko, enlist, clock, AGUS, BLOCKADE)
    alert = group.last_message()
    question = await asked(posko, officer)
    monkeypatch.setattr(stale_module, "_closed", _nothing)
    press = await officer.press("✅ Sudah selesai", question)
    monkeypatch.undo()
    assert "✅ Diterima" in alert.button_texts(), "the crash left the alert open"
    await admin.send("/buka 1")
    await replay_after_crash(posko, press)
    incident = await posko.services.incidents.get(1)
    assert incident is not None
    assert incident.is_open, "the press closed it once; the reopening stands"
    assert officer.last_message().text.startswith("✅ Insiden #1 tercatat selesai.")
    assert question.buttons() == []
    assert "Status insiden: ✅ Selesai" not in alert.text, "the alert shows it as it is now"
    assert "✅ Diterima" in alert.button_texts()
