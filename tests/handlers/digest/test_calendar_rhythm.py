"""The election calendar drives the rhythm (issue 19), played on the settable clock.

`Scheduler` plays PTB's JobQueue on the fake clock: the daily digest and reminder jobs the bot
planned (and the midnight planning) run at their time of day, in time order, and the catch-up
after each, as its 5-minute job would. So these tests see exactly the jobs the bot planned: a
slot it forgot to plan is a missing message here.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from telegram.ext import Job

from bot import texts
from bot.context import PoskoContext
from bot.services import system_clock
from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeChat, FakeTelegram, FakeUser
from handlers.digest.schedule import PLAN_JOB, catch_up, post_digest
from tests.harness import FakeClock, Posko, make_settings

WITA = ZoneInfo("Asia/Makassar")
SCHEDULED = ("digest ", "pengingat ")


def wita(day: int, hour: int = 0, minute: int = 0, second: int = 0, month: int = 11) -> datetime:
    return datetime(2024, month, day, hour, minute, second, tzinfo=WITA)


class Scheduler:
    """Runs the bot's scheduled jobs at their times on the fake clock, up to a moment."""

    def __init__(self, posko: Posko, clock: FakeClock) -> None:
        self.posko = posko
        self.clock = clock

    def _next_runs(self, after: datetime) -> list[tuple[datetime, Job[PoskoContext]]]:
        queue = self.posko.app.job_queue
        assert queue is not None
        local = after.astimezone(WITA)
        runs = []
        for job in queue.jobs():
            name = job.name or ""
            if name == PLAN_JOB:
                at = time(0, 0, 1)
            elif name.startswith(SCHEDULED) and isinstance(job.data, time):
                at = job.data
            else:
                continue
            moment = datetime.combine(local.date(), at, tzinfo=WITA)
            runs.append((moment if moment > local else moment + timedelta(days=1), job))
        return runs

    async def run_until(self, end: datetime) -> None:
        """Runs every job due after the clock's time up to `end`, then sets the clock there."""
        cursor = self.clock()
        while runs := self._next_runs(cursor):
            moment = min(m for m, _ in runs)
            if moment > end:
                break
            self.clock.set(moment)
            for at, job in runs:
                if at == moment and not job.removed:  # a planning may have removed it
                    await job.run(self.posko.app)
            await catch_up(self.posko.app.bot, self.posko.services)
            cursor = moment
        self.clock.set(end)


@pytest.fixture
async def election(
    fake: FakeTelegram, db_path: Path, clock: FakeClock, group: FakeChat, admin: FakeUser
) -> AsyncIterator[Posko]:
    """Posko with the bundled Pilkada 2024 calendar, first started just after midnight on the
    last day of kampanye."""
    clock.set(wita(23, 0, 5))
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=None), clock)
    await posko.start()
    yield posko
    if posko._app is not None:
        await posko.stop()


async def enlist(posko: Posko, fake: FakeTelegram, user_id: int, role: Role, kecamatan: str,
                 name: str) -> FakeUser:  # fmt: skip
    user = fake.add_user(user_id, name)
    services = posko.services
    await services.members.save(RosterRow(user_id, role, kecamatan, name), services.clock(), None)
    return user


def header(message_text: str) -> tuple[str, str]:
    """The digest's period line and its stage line."""
    lines = message_text.splitlines()
    return lines[1], lines[2]


async def test_the_2024_calendar_from_the_last_day_of_kampanye_to_rekapitulasi(
    election: Posko, fake: FakeTelegram, clock: FakeClock, group: FakeChat, admin: FakeUser
) -> None:
    posko = election
    a = await enlist(posko, fake, 2001, Role.CAMAT, "Bengalon", "Ani")
    b = await enlist(posko, fake, 2002, Role.KAPOLSEK, "Bengalon", "Bambang")
    c = await enlist(posko, fake, 2003, Role.CAMAT, "Telen", "Citra")
    scheduler = Scheduler(posko, clock)
    plan: list[tuple[datetime, FakeUser | None, str]] = [
        (wita(23, 9), a, "/lapor aman"),  # kampanye: a daily window
        (wita(24, 3), b, "/lapor aman"),  # masa tenang, before its first window: the day only
        (wita(24, 20), a, "/lapor aman"),  # the night window 18.00-06.00 ...
        (wita(25, 1), c, "/lapor aman"),  # ... still, after midnight
        (wita(26, 23, 50), None, "restart"),  # down over the stage change at midnight
        (wita(27, 6, 20), None, "start"),
        (wita(27, 7), a, "/lapor aman"),  # voting day, window 06.00-09.00
        (
            wita(27, 8),
            admin,
            "/tahapan atur 4 rekap 06:00,08:30,09:00,12:00,15:00,18:00,21:00,24:00",
        ),
        (wita(28, 10), a, "/lapor aman"),  # rekapitulasi: daily again
    ]
    for moment, who, what in plan:
        if what == "start":
            clock.set(moment)
            await posko.start()
            await catch_up(posko.app.bot, posko.services)
            continue
        await scheduler.run_until(moment)
        if what == "restart":
            await posko.stop()
        elif who is admin:
            await admin.send(what)
            await admin.press(texts.SAVE_BUTTON, admin.messages[-1])
            assert admin.last_message().text.startswith("✅ Disimpan (kalender versi 1)")
        else:
            assert who is not None
            await who.send(what)
    await scheduler.run_until(wita(28, 23, 59))

    digests = [
        "2024-11-23 07:00", "2024-11-23 19:00",
        "2024-11-24 06:00", "2024-11-24 18:00", "2024-11-25 06:00", "2024-11-25 18:00",
        "2024-11-26 06:00", "2024-11-26 18:00",
        "2024-11-27 06:00", "2024-11-27 08:30", "2024-11-27 09:00", "2024-11-27 12:00",
        "2024-11-27 15:00", "2024-11-27 18:00", "2024-11-27 21:00",
        "2024-11-28 00:00",  # hari H's 24.00, over the stage change at midnight
        "2024-11-28 07:00", "2024-11-28 19:00",
    ]  # fmt: skip
    everyone, not_a = {2001, 2002, 2003}, {2002, 2003}
    reminders = {
        "2024-11-23 16:00": not_a,
        "2024-11-24 14:00": everyone,  # b's 03.00 report was outside every window
        "2024-11-24 22:00": not_a,  # a reported at 20.00 in this window
        "2024-11-25 14:00": everyone,  # the night's reports belong to the night window
        "2024-11-25 22:00": everyone,
        "2024-11-26 14:00": everyone,
        "2024-11-26 22:00": everyone,
        "2024-11-27 07:30": not_a,  # midpoints of voting day's windows
        "2024-11-27 10:30": everyone,  # a reported in the previous window
        "2024-11-27 13:30": everyone,
        "2024-11-27 16:30": everyone,
        "2024-11-27 19:30": everyone,
        "2024-11-27 22:30": everyone,
        "2024-11-28 16:00": not_a,
    }
    slots = await posko.services.db.fetchall("SELECT slot, kind, state FROM schedule_slots")
    assert sorted((r["slot"], r["state"]) for r in slots) == sorted(
        [(f"digest {d}", "sent") for d in digests] + [(f"reminder {r}", "sent") for r in reminders]
    ), "each slot of each stage, exactly once, none other"
    sent = await posko.services.db.fetchall("SELECT slot, user_id FROM reminders_sent")
    assert sorted((r["slot"], r["user_id"]) for r in sent) == sorted(
        (f"reminder {slot}", user) for slot, users in reminders.items() for user in users
    )
    for officer in (a, b, c):
        expected = sum(officer.id in users for users in reminders.values())
        assert sum("Pengingat" in t for t in officer.texts()) == expected, officer.id

    assert len(group.messages) == len(digests), "one message per digest"
    by_slot = dict(zip(digests, (m.text for m in group.messages), strict=True))
    assert header(by_slot["2024-11-23 19:00"]) == (
        "Sabtu, 23 November 2024 · 00.00–19.00 WITA",
        "🗳 Tahapan Kampanye · lapor harian",
    )
    assert header(by_slot["2024-11-24 06:00"]) == (
        "Minggu, 24 November 2024 · 00.00–06.00 WITA",
        "🗳 Tahapan Masa tenang · di luar jendela lapor: dihitung sejak 00.00 WITA; "
        "jendela berikutnya mulai 06.00 WITA",
    )
    # The night window crosses midnight and belongs to the day it started.
    night = by_slot["2024-11-25 06:00"]
    assert header(night) == (
        "Minggu, 24 November 2024 · 18.00–06.00 WITA",
        "🗳 Tahapan Masa tenang · jendela lapor 24/11 18.00–25/11 06.00 WITA",
    )
    assert "2 laporan · 2 dari 3 petugas melapor" in night
    assert "Bengalon: Kapolsek Bambang" in night
    assert header(by_slot["2024-11-24 18:00"])[1] == (
        "🗳 Tahapan Masa tenang · jendela lapor 06.00–18.00 WITA"
    )
    # Voting day's first digest closes masa tenang's last night; the bot was down at 06.00.
    late = by_slot["2024-11-27 06:00"].splitlines()
    assert late[1:4] == [
        "Selasa, 26 November 2024 · 18.00–06.00 WITA",
        "🗳 Tahapan Masa tenang · jendela lapor 26/11 18.00–27/11 06.00 WITA",
        "⏰ Terlambat — jadwal 06.00 WITA",
    ]
    assert header(by_slot["2024-11-27 08:30"]) == (
        "Rabu, 27 November 2024 · 06.00–08.30 WITA",
        "🗳 Tahapan Pemungutan suara · jendela lapor 06.00–09.00 WITA",
    )
    assert header(by_slot["2024-11-27 12:00"]) == (
        "Rabu, 27 November 2024 · 09.00–12.00 WITA",
        "🗳 Tahapan Pemungutan suara · jendela lapor 09.00–12.00 WITA",
    )
    assert "0 dari 3 petugas melapor" in by_slot["2024-11-27 12:00"]
    assert header(by_slot["2024-11-28 00:00"]) == (  # 24.00: the last window has its digest
        "Rabu, 27 November 2024 · 21.00–24.00 WITA",
        "🗳 Tahapan Pemungutan suara · jendela lapor 21.00–24.00 WITA",
    )
    assert header(by_slot["2024-11-28 19:00"]) == (
        "Kamis, 28 November 2024 · 00.00–19.00 WITA",
        "🗳 Tahapan Penghitungan dan rekapitulasi · lapor harian",
    )
    # Reminders name the window; the daily one stays as it was.
    seen_by_b = [t for t in b.texts() if "Pengingat" in t]
    assert "laporan situasi hari ini (Sabtu, 23 November 2024) belum masuk" in seen_by_b[0]
    assert (
        "laporan situasi untuk jendela lapor 06.00–18.00 WITA (tahapan Masa tenang) belum masuk"
        in seen_by_b[1]
    )
    assert "jendela lapor 24/11 18.00–25/11 06.00 WITA" in seen_by_b[2]


async def test_status_and_belum_count_the_window_across_midnight(
    election: Posko, fake: FakeTelegram, clock: FakeClock, admin: FakeUser
) -> None:
    posko = election
    a = await enlist(posko, fake, 2001, Role.CAMAT, "Bengalon", "Ani")
    await enlist(posko, fake, 2002, Role.CAMAT, "Telen", "Citra")
    clock.set(wita(25, 23))
    await a.send("/lapor waspada kerumunan di posko paslon")
    clock.set(wita(25, 23, 30))
    await a.send("/selesai 1 sudah bubar")
    clock.set(wita(26, 1, 30))  # still the night window of the 25th
    await admin.send("/status")
    status = admin.last_message().text.splitlines()
    assert status[1] == "🗳 Tahapan Masa tenang · jendela lapor 25/11 18.00–26/11 06.00 WITA"
    assert "🟢 Bengalon — Aman (1 laporan)" in status
    assert "⚪ Telen — belum lapor" in status
    await admin.send("/belum")
    belum = admin.last_message().text
    assert "Telen: Camat Citra" in belum
    assert "Bengalon" not in belum
    await admin.send("/rekap")  # as a digest now: the night window so far
    assert header(admin.last_message().text) == (
        "Senin, 25 November 2024 · 18.00–01.30 WITA",
        "🗳 Tahapan Masa tenang · jendela lapor 25/11 18.00–26/11 06.00 WITA",
    )
    await admin.send("/rekap hari ini")  # the WITA day
    assert admin.last_message().text.splitlines()[1] == (
        "Selasa, 26 November 2024 · 00.00–01.30 WITA"
    )
    clock.set(wita(26, 6, 30))  # a new window: nobody reported in it
    await admin.send("/belum")
    assert "Bengalon: Camat Ani" in admin.last_message().text
    clock.set(wita(24, 3))
    await admin.send("/status")
    assert admin.last_message().text.splitlines()[1] == (
        "🗳 Tahapan Masa tenang · di luar jendela lapor: dihitung sejak 00.00 WITA; "
        "jendela berikutnya mulai 06.00 WITA"
    )


async def test_an_admin_sets_a_stage_for_today_with_windows_of_a_few_minutes(
    fake: FakeTelegram, db_path: Path, clock: FakeClock, group: FakeChat, admin: FakeUser
) -> None:
    """The issue's end-to-end story, through the real bot: no restart anywhere."""
    clock.set(wita(20, 9, 50, month=12))  # after every stage of 2024: the environment's rhythm
    posko = Posko(fake, make_settings(fake, db_path, calendar_file=None), clock)
    await posko.start()
    try:
        services = posko.services
        a = await enlist(posko, fake, 2001, Role.CAMAT, "Bengalon", "Ani")
        b = await enlist(posko, fake, 2002, Role.KAPOLSEK, "Bengalon", "Bambang")
        for command in (
            "/tahapan ubah 4 | hari ini | hari ini",
            "/tahapan atur 4 jendela 5 10:00-10:30",
            "/tahapan atur 4 rekap 10:10",
        ):
            await admin.send(command)
            await admin.press(texts.SAVE_BUTTON)
        assert admin.last_message().text.startswith("✅ Disimpan (kalender versi 3)")
        queue = posko.app.job_queue
        assert queue is not None
        names = {j.name for j in queue.jobs()}
        assert {"pengingat 10:02:30", "pengingat 10:07:30", "digest 10:10"} <= names

        scheduler = Scheduler(posko, clock)
        await scheduler.run_until(wita(20, 10, 1, month=12))
        await a.send("/lapor aman")  # in the window 10.00-10.05
        await scheduler.run_until(wita(20, 10, 6, month=12))
        [reminder] = [t for t in b.texts() if "Pengingat" in t]
        assert (
            "laporan situasi untuk jendela lapor 10.00–10.05 WITA (tahapan Pemungutan suara) "
            "belum masuk" in reminder
        )
        assert not any("Pengingat" in t for t in a.texts())
        await b.send("/lapor aman")  # in the window 10.05-10.10
        await scheduler.run_until(wita(20, 10, 9, month=12))
        [reminder] = [t for t in a.texts() if "Pengingat" in t]
        assert "untuk jendela lapor 10.05–10.10 WITA" in reminder, "reported before, not in it"
        assert sum("Pengingat" in t for t in b.texts()) == 1
        # A report earlier in the day does not stop the reminder's one-tap nihil in a new window.
        before = await services.reports.count()
        reminder_message = a.last_message()
        press = await a.press(texts.REMINDER_NIHIL_BUTTON, reminder_message)
        assert await services.reports.count() == before + 1
        await scheduler.run_until(wita(20, 10, 11, month=12))
        [digest] = group.messages
        assert header(digest.text) == (
            "Jumat, 20 Desember 2024 · 10.05–10.10 WITA",
            "🗳 Tahapan Pemungutan suara · jendela lapor 10.05–10.10 WITA",
        )
        assert "2 laporan · 2 dari 2 petugas melapor" in digest.text
        # Its window is over: the same button (a phone that missed the edit) files nothing.
        await a.press_data(press["callback_query"]["data"], reminder_message)
        assert list(fake.callback_answers.values())[-1]["text"] == (
            "Pengingat ini untuk jendela lapor yang sudah lewat. Untuk melapor nihil sekarang, "
            "ketik /lapor aman."
        )
        assert await services.reports.count() == before + 1
        await admin.send("/status")
        assert "jendela lapor 10.10–10.15 WITA" in admin.last_message().text
        await scheduler.run_until(wita(20, 10, 45, month=12))
        await admin.send("/belum")
        assert "di luar jendela lapor" in admin.last_message().text
        reminded = await services.db.fetchall("SELECT DISTINCT slot FROM reminders_sent")
        assert len(reminded) == 6, "one round per window of the half hour, none after it"
        entries = [e for e in await services.audit.recent() if e.action == "calendar"]
        assert [e.detail for e in reversed(entries)] == [
            "stage 4 dates 2024-12-20..2024-12-20",
            "stage 4 window 5 10:00-10:30",
            "stage 4 digest 10:10",
        ]
    finally:
        await posko.stop()


async def test_an_interrupted_reminder_round_is_not_resumed_after_its_window(
    election: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    posko = election
    a = await enlist(posko, fake, 2001, Role.CAMAT, "Bengalon", "Ani")
    services = posko.services
    for key in ("reminder 2024-11-27 07:30", "reminder 2024-11-27 10:30"):
        await services.slots.claim(key, "reminder", None, [], clock())  # a crash right after
    clock.set(wita(27, 11))  # 07.30's window ended at 09.00; 10.30's lasts until 12.00
    await catch_up(posko.app.bot, services)
    states = await services.db.fetchall(
        "SELECT slot, state FROM schedule_slots WHERE kind = 'reminder' ORDER BY slot"
    )
    assert [(r["slot"], r["state"]) for r in states] == [
        ("reminder 2024-11-27 07:30", "skipped"),
        ("reminder 2024-11-27 10:30", "sent"),
    ]
    [reminder] = a.texts()
    assert "jendela lapor 09.00–12.00 WITA" in reminder


async def test_the_job_queue_fires_a_stage_slot_on_its_own(
    fake: FakeTelegram, db_path: Path, group: FakeChat, tmp_path: Path
) -> None:
    """The real scheduler (APScheduler, wall clock): a stage of today with minute windows."""
    slot = (datetime.now(WITA) + timedelta(seconds=3)).replace(microsecond=0)
    start = slot.replace(second=0) - timedelta(minutes=1)
    stage = {
        "name": "Uji jendela",
        "start": slot.date().isoformat(),
        "end": slot.date().isoformat(),
        "digest_times": [slot.strftime("%H:%M:%S")],
        "reminders": False,
        "window": {"every_minutes": 1, "from": start.strftime("%H:%M"), "until": "24:00"},
    }
    calendar_file = tmp_path / "tahapan.json"
    calendar_file.write_text(json.dumps({"stages": [stage]}), "utf-8")
    settings = make_settings(fake, db_path, calendar_file=calendar_file)
    posko = Posko(fake, settings, clock=system_clock)
    await posko.start()
    try:
        [digest] = await group.wait_for_messages(1, timeout=10)
        assert "🗳 Tahapan Uji jendela · jendela lapor " in digest.text
        await asyncio.sleep(0.5)
        assert len(group.messages) == 1
    finally:
        await posko.stop()


async def test_each_midnight_plans_the_jobs_of_the_next_day(
    election: Posko, clock: FakeClock
) -> None:
    posko = election
    queue = posko.app.job_queue
    assert queue is not None
    clock.set(wita(25, 10))
    await posko.run_job(PLAN_JOB)  # masa tenang today and tomorrow
    assert {j.name for j in queue.jobs() if (j.name or "").startswith(SCHEDULED)} == {
        "digest 06:00", "digest 18:00", "pengingat 14:00", "pengingat 22:00",
    }  # fmt: skip
    clock.set(wita(26, 0, 0, 1))
    await posko.run_job(PLAN_JOB)  # tomorrow is voting day
    names = {j.name for j in queue.jobs() if (j.name or "").startswith(SCHEDULED)}
    assert {"digest 09:00", "pengingat 07:30", "pengingat 22:30", "pengingat 22:00"} <= names


async def test_a_reminder_missed_by_a_restart_is_sent_while_its_window_is_open(
    election: Posko, fake: FakeTelegram, clock: FakeClock
) -> None:
    """Down at 07.30, the midpoint of voting day's window 06.00-09.00: back at 07.40, the
    officers are reminded once; a reminder whose window closed while down is not sent."""
    posko = election
    a = await enlist(posko, fake, 2001, Role.CAMAT, "Bengalon", "Ani")
    b = await enlist(posko, fake, 2002, Role.KAPOLSEK, "Bengalon", "Bambang")
    await posko.stop()
    clock.set(wita(27, 7, 40))
    await posko.start()
    await catch_up(posko.app.bot, posko.services)
    await catch_up(posko.app.bot, posko.services)  # the next round: nothing more
    for officer in (a, b):
        [reminder] = [t for t in officer.texts() if "Pengingat" in t]
        assert "untuk jendela lapor 06.00–09.00 WITA" in reminder
    record = await posko.services.slots.get("reminder 2024-11-27 07:30")
    assert record is not None
    assert record.state == "sent"
    await posko.stop()
    clock.set(wita(27, 12, 10))  # the 10.30 reminder's window (09.00-12.00) closed meanwhile
    await posko.start()
    await catch_up(posko.app.bot, posko.services)
    assert await posko.services.slots.get("reminder 2024-11-27 10:30") is None
    assert sum("Pengingat" in t for t in a.texts()) == 1


async def test_an_unrelated_calendar_edit_leaves_a_failed_digest_to_the_catch_up(
    election: Posko, fake: FakeTelegram, clock: FakeClock, group: FakeChat, admin: FakeUser
) -> None:
    """Only an edit that puts digest slots in the past makes them "never existed"; another
    edit does not stop the catch-up of a digest that was not posted."""
    posko = election
    services = posko.services
    clock.set(wita(27, 9))
    await catch_up(posko.app.bot, services)
    chat_id = services.admin_settings.coordination_chat_id
    services.admin_settings.coordination_chat_id = None  # the 09.00 digest cannot go out
    assert not await post_digest(posko.app.bot, services, wita(27, 9), late=False)
    assert await services.slots.get("digest 2024-11-27 09:00") is None
    services.admin_settings.coordination_chat_id = chat_id
    clock.set(wita(27, 9, 0, 30))  # before the catch-up's next round, an unrelated edit
    await admin.send("/tahapan ubah 1 | 21-09-2024 | 21-09-2024")
    await admin.press(texts.SAVE_BUTTON)
    assert admin.last_message().text.startswith("✅ Disimpan")
    clock.set(wita(27, 9, 5))
    await catch_up(posko.app.bot, services)
    record = await services.slots.get("digest 2024-11-27 09:00")
    assert record is not None
    assert record.state == "sent"
    assert "⏰ Terlambat — jadwal 09.00 WITA" in group.messages[-1].text
    # An edit that adds a digest time already past: that slot never existed.
    await admin.send("/tahapan atur 4 rekap 06:00,09:00,09:02,12:00,15:00,18:00,21:00,24:00")
    await admin.press(texts.SAVE_BUTTON)
    posted = len(group.messages)
    clock.set(wita(27, 9, 10))
    await catch_up(posko.app.bot, services)
    assert await services.slots.get("digest 2024-11-27 09:02") is None
    assert len(group.messages) == posted
