"""Scheduled posts: the digests and reminders, each slot exactly once, across restarts.

Which moments are slots, and what each counts, follows the election calendar
(`domain.calendar.Rhythm`): the stage in force sets the digest and reminder times and the
reporting windows; outside every stage the times of /jadwal or the environment apply. A slot's
key is its kind and local moment ("digest 2024-11-27 07:00"), whatever stage it comes from, so a
stage change at midnight or an admin's edit can neither post a slot twice nor lose one: a daily
job runs at every time of day the rhythm needs today or tomorrow (re-planned at each change and
every midnight), and when it runs it asks the rhythm then in force whether its moment is a slot.

Each slot ("digest 2024-11-27 07:00") is recorded in `schedule_slots` together with its rendered
parts before anything is sent, and every delivered part is recorded right after Telegram accepts
it. So a slot is never posted twice, and an interrupted one resumes at the first undelivered
part. The one window that cannot be closed (Telegram accepted a part, the process died before the
commit) repeats that single part: we prefer a rare repeated part to a missing digest.
A slot the bot was down for is posted on start-up, marked "terlambat", when it is less than 12
hours late, however recent; older ones are marked skipped and logged. A part Telegram accepted
whose record failed is remembered in memory and only recorded later, never sent again.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, time, timedelta, tzinfo
from typing import cast

from telegram import Bot, Message
from telegram.error import Forbidden, TelegramError

from bot import texts
from bot.broadcast import Delivery, Outcome, always, broadcast, refusal
from bot.context import PoskoApp, PoskoContext
from bot.notify import admin_ids, send_group, tell
from bot.services import Services
from bot.settings import format_time_of_day
from bot.texts import render_digest
from domain.calendar import Period, Rhythm, SlotKind
from domain.digest import (
    INCIDENT_LIMIT,
    RESOLVED_LIMIT,
    DigestSnapshot,
    OfficerStatus,
    build_snapshot,
)
from domain.logistics import due_for_digest
from domain.members import Member
from domain.parsing import parse_time_of_day
from handlers.reports.quick import reminder_markup

logger = logging.getLogger(__name__)

# APScheduler skips a job that starts more than misfire_grace_time late (default 1 s).
MISFIRE_GRACE_SECONDS = 12 * 60 * 60
CATCH_UP_WINDOW = timedelta(hours=12)
# Slots younger than this that passed while this process was running belong to their own daily
# job, not to the catch-up; slots that passed while it was not running are the catch-up's.
CATCH_UP_DELAY = timedelta(minutes=2)
CATCH_UP_INTERVAL = 5 * 60
# An interrupted or missed reminder round runs late only while it is still useful: within this
# long of its time, and while its reporting window is open.
REMINDER_RESUME_WINDOW = timedelta(hours=2)
# The scheduler never fires early, but allow for clock jitter at the slot boundary.
SLOT_TOLERANCE = timedelta(seconds=5)
DIGEST, REMINDER = SlotKind.DIGEST, SlotKind.REMINDER
# The job that plans the day's digest and reminder jobs again, just after each WITA midnight.
PLAN_JOB = "plan rhythm"
# The digest lists arahan of this long before its end still short of full confirmation.
ARAHAN_WINDOW = timedelta(hours=24)


def _until(end: datetime, end_inclusive: bool) -> datetime:
    """The exclusive end of a period for storage queries."""
    # Stored times have whole seconds: a report stamped 19:00:00 belongs to the 19:00 digest,
    # while a whole day ends before the next midnight.
    return end.replace(microsecond=0) + timedelta(seconds=1) if end_inclusive else end


async def load_snapshot(
    services: Services,
    start: datetime,
    end: datetime,
    *,
    end_inclusive: bool = True,
    resolved_since: datetime | None = None,
    late_slot: datetime | None = None,
    period: Period | None = None,
) -> DigestSnapshot:
    """Reads everything the digest shows for the period from `start` to `end`: the reports of
    the period, the incidents open now and those resolved since `resolved_since` (default: the
    start of the period). `period` names the reporting window it covers, if it is one."""
    until = _until(end, end_inclusive)
    reports, incidents = services.reports, services.incidents
    counts = await reports.group_counts(start, until)
    latest = {
        entry.officer_id: entry.level for entry in await reports.officer_latest(start, until)
    }
    officers = [
        OfficerStatus(o.name, o.role, o.kecamatan, latest.get(o.user_id))
        for o in await services.queries.field_officers()
    ]
    open_now, open_total = await incidents.open_briefs(INCIDENT_LIMIT)
    since = resolved_since or start
    resolved, resolved_total = await incidents.resolved_briefs(since, until, RESOLVED_LIMIT)
    snapshot = build_snapshot(
        services.region,
        counts,
        start,
        end,
        officers=officers,
        incidents=open_now,
        incidents_total=open_total,
        resolved=resolved,
        resolved_total=resolved_total,
        resolved_since=since,
        stale_after=timedelta(hours=services.settings.incident_stale_hours),
        late_slot=late_slot,
        open_levels=await incidents.worst_open(),
    )
    arahan = await services.arahan.short_of_confirmation(until - ARAHAN_WINDOW, until)
    snapshot = replace(
        snapshot,
        arahan=tuple(arahan),
        period=period,
        vulnerability=services.admin_settings.vulnerability,
    )
    if not end_inclusive:
        return snapshot  # a past day: what is due in logistics belongs to the present
    board = await services.logistics.board(services.logistics_plan, services.region, end)
    return replace(snapshot, logistics=due_for_digest(board))


async def load_status(services: Services, start: datetime, end: datetime) -> DigestSnapshot:
    """Only what /status shows: per kecamatan, the reports from `start` to `end` and its
    condition (the worst open incident, else the latest level)."""
    counts = await services.reports.group_counts(start, _until(end, end_inclusive=True))
    open_levels = await services.incidents.worst_open()
    snapshot = build_snapshot(services.region, counts, start, end, open_levels=open_levels)
    return replace(snapshot, vulnerability=services.admin_settings.vulnerability)


def catch_up_start(now: datetime) -> datetime:
    """How far back the catch-up looks for missed digests: yesterday's local midnight."""
    return datetime.combine(now.date() - timedelta(days=1), time(0), tzinfo=now.tzinfo)


def adds_past_digests(before: Rhythm, after: Rhythm, now: datetime) -> bool:
    """Whether a change from `before` to `after` puts digest slots in the catch-up's past that
    were not there: they never existed, so `digests_changed_at` must move to `now` and the
    catch-up must not post them late. A change that adds none leaves it alone, so a digest
    still unrecorded (its post failed) is caught up whatever else changed."""
    start = catch_up_start(now)
    return not set(after.slots(DIGEST, start, now)) <= set(before.slots(DIGEST, start, now))


def latest_slot(now: datetime, slot_time: time) -> datetime:
    """The most recent local occurrence of `slot_time` at or before `now` (aware, local)."""
    candidate = datetime.combine(now.date(), slot_time, tzinfo=now.tzinfo)
    return candidate if candidate <= now else candidate - timedelta(days=1)


def slot_key(kind: str, slot: datetime) -> str:
    """Durable identity of a slot: kind, local date and time."""
    return f"{kind} {slot:%Y-%m-%d} {format_time_of_day(slot.time())}"


def slot_of(key: str, tz: tzinfo) -> datetime:
    """The local moment of a slot key."""
    _, day, clock = key.split(" ")
    moment = datetime.strptime(day, "%Y-%m-%d")
    return datetime.combine(moment.date(), parse_time_of_day(clock), tzinfo=tz)


async def post_digest(bot: Bot, services: Services, slot: datetime, *, late: bool) -> bool:
    """Posts (or finishes posting) the digest of `slot`; False when there was nothing to do."""
    async with services.runtime.digest_lock:
        key = slot_key(DIGEST, slot)
        record = await services.slots.get(key)
        if record is not None and record.state != "sending":
            logger.info("%s was already %s", key, record.state)
            return False
        if record is None:
            chat_id = services.coordination_chat_id
            if chat_id is None:
                logger.warning("No coordination group configured; %s not posted", key)
                return False
            rhythm = services.rhythm()
            # The window that contains the slot, up to the slot (the day outside windows).
            period = rhythm.digest_period(slot)
            snapshot = await load_snapshot(
                services,
                period.start,
                slot,
                resolved_since=rhythm.previous_digest(slot),
                late_slot=slot if late else None,
                period=period,
            )
            parts = render_digest(snapshot)
            if not await services.slots.claim(key, DIGEST, chat_id, parts, services.clock()):
                return False
            record = await services.slots.get(key)
            if record is None:  # pragma: no cover - just claimed
                return False
        # Parts Telegram took whose record failed are known here: record them, never resend.
        delivered = services.runtime.unrecorded.digest_parts
        done = max(record.parts_sent, delivered.get(key, 0))
        if done > record.parts_sent:
            await services.slots.part_sent(key, done)
        for index in range(done, len(record.parts)):
            if await send_group(bot, services, record.parts[index]) is None:
                return False  # no group any more; stays 'sending' and resumes later
            delivered[key] = index + 1
            await services.slots.part_sent(key, index + 1)
        await services.slots.mark(key, "sent", services.clock())
        delivered.pop(key, None)
        logger.info("%s posted (%s parts)", key, len(record.parts))
        return True


async def catch_up(bot: Bot, services: Services, keep_going: Callable[[], bool] = always) -> None:
    """Finishes interrupted digests and posts missed ones (< 12 h late, marked late); finishes
    interrupted reminder rounds and runs missed ones while their window is open."""
    now = services.now()
    tz = services.settings.timezone
    rhythm = services.rhythm()
    runtime, admin_settings = services.runtime, services.admin_settings
    if runtime.started_at is None:
        runtime.started_at = now  # the first catch-up since start-up
    started = runtime.started_at
    for record in await services.slots.unfinished(DIGEST):
        slot = slot_of(record.slot, tz)
        if now - slot < CATCH_UP_WINDOW:
            await post_digest(bot, services, slot, late=True)
        else:
            await services.slots.mark(record.slot, "skipped", services.clock())
            services.runtime.unrecorded.digest_parts.pop(record.slot, None)
            logger.warning("%s was interrupted more than 12 hours ago; skipped", record.slot)
    for record in await services.slots.unfinished(REMINDER):
        slot = slot_of(record.slot, tz)
        if _reminder_still_useful(rhythm, slot, now):
            # skips officers already reminded
            await send_reminders(bot, services, slot, keep_going)
        else:
            await services.slots.mark(record.slot, "skipped", services.clock())
    # Reminder slots that passed while the bot was not running (those that passed while it ran
    # are their daily job's): run once while still useful, claimed like any round.
    for slot in rhythm.slots(REMINDER, now - REMINDER_RESUME_WINDOW, now):
        first_started = admin_settings.first_started_at
        if started is None or slot >= started or (first_started and slot < first_started):
            continue
        key = slot_key(REMINDER, slot)
        if key in runtime.reminder_rounds or await services.slots.get(key) is not None:
            continue
        if _reminder_still_useful(rhythm, slot, now):
            logger.warning("%s was missed; sending it while its window is open", key)
            await send_reminders(bot, services, slot, keep_going)
    first = max(
        (m for m in (admin_settings.first_started_at, admin_settings.digests_changed_at) if m),
        default=None,
    )
    # The slots of the rhythm in force now: a slot an admin's change removed is not missed,
    # and one it added in the past never existed (`digests_changed_at`).
    for slot in rhythm.slots(DIGEST, catch_up_start(now), now):
        if first is not None and slot < first:
            continue
        if slot > now - CATCH_UP_DELAY and (started is None or slot >= started):
            continue  # this process was running at that time: the slot's own job posts it
        if await services.slots.get(slot_key(DIGEST, slot)) is not None:
            continue
        if now - slot < CATCH_UP_WINDOW:
            logger.warning("%s was missed; posting it late", slot_key(DIGEST, slot))
            await post_digest(bot, services, slot, late=True)
        else:
            await services.slots.mark(slot_key(DIGEST, slot), "skipped", services.clock())
            logger.warning("%s was missed by more than 12 hours; skipped", slot_key(DIGEST, slot))


def _reminder_still_useful(rhythm: Rhythm, slot: datetime, now: datetime) -> bool:
    """Whether a reminder round of `slot` may still run late: within REMINDER_RESUME_WINDOW
    of its time, and while the reporting window it reminds of is still open."""
    window = rhythm.window_at(slot)
    return now - slot < REMINDER_RESUME_WINDOW and (window is None or now < window.end)


async def daily_digest_job(context: PoskoContext) -> None:
    """Posts the digest of the slot this job stands for, if the rhythm now has that slot."""
    job = context.job
    if job is None or not isinstance(job.data, time):
        raise RuntimeError("digest job without a slot time")
    services = context.services
    now = services.now()
    slot = latest_slot(now + SLOT_TOLERANCE, job.data)
    if not services.rhythm().is_slot(DIGEST, slot):
        logger.debug("%s is not a digest slot today", slot_key(DIGEST, slot))
        return
    await post_digest(context.bot, services, slot, late=now - slot > CATCH_UP_DELAY)


async def catch_up_job(context: PoskoContext) -> None:
    """Runs the catch-up at start-up and every few minutes (retrying failed posts); a stop
    starts no new reminder of a round it resumes."""
    app = context.application
    await catch_up(context.bot, context.services, lambda: app.running)


async def send_reminders(
    bot: Bot, services: Services, slot: datetime, keep_going: Callable[[], bool] = always
) -> tuple[int, int, int]:
    """Reminds each active officer who has not reported in the reporting window of `slot` (the
    WITA day where no stage sets windows); returns (sent, blocked, failed). Outside every window
    no reminder goes out.

    One round reminds an officer at most once: the round is not run twice side by side (the
    catch-up leaves a running round alone), and each reminder is claimed in the database
    before it is sent (bot.broadcast, `IN_FLIGHT` at a time). A crash between a claim and its
    send costs that reminder; a claim the database refuses (locked, full) leaves the officer
    for the resumed round, as does a stop (`keep_going`) for those not yet started.
    """
    key = slot_key(REMINDER, slot)
    rounds = services.runtime.reminder_rounds
    if key in rounds:
        return 0, 0, 0
    rounds.add(key)
    try:
        return await _reminder_round(bot, services, slot, key, keep_going)
    finally:
        rounds.discard(key)


class _Reminders(Delivery[Member, Message]):
    """A reminder to one officer: claimed in the round, then sent."""

    def __init__(self, bot: Bot, services: Services, key: str, slot: datetime, period: Period):
        if period.window is None:
            raise ValueError("no reminders outside the reporting windows")
        self.bot, self.services, self.key = bot, services, key
        self.day, self.window_phrase = slot.date(), texts.window_phrase(period)
        self.markup = reminder_markup(period.window.start)

    def who(self, recipient: Member) -> object:
        return recipient.user_id

    async def claim(self, recipient: Member) -> bool:
        return await self.services.slots.add_reminded(self.key, recipient.user_id)

    async def send(self, recipient: Member) -> Message:
        title = texts.member_title(recipient.role, recipient.kecamatan)
        return await self.bot.send_message(
            recipient.user_id,
            texts.reminder(title, self.day, self.window_phrase),
            reply_markup=self.markup,
        )

    async def refused(self, recipient: Member, exc: TelegramError) -> Outcome:
        if not isinstance(exc, Forbidden):  # never pressed Start: nothing worth a log line
            logger.info("Reminder to %s failed: %s", recipient.user_id, type(exc).__name__)
        return await refusal(self.services, recipient.user_id, exc)


async def _reminder_round(
    bot: Bot, services: Services, slot: datetime, key: str, keep_going: Callable[[], bool]
) -> tuple[int, int, int]:
    record = await services.slots.get(key)
    if record is not None and record.state != "sending":
        return 0, 0, 0
    now = services.clock()
    period = services.rhythm().period_at(slot)
    if period.window is None:  # between `until` and the next `from`: no reminders
        await services.slots.mark(key, "skipped", now)
        logger.info("%s is outside every reporting window; skipped", key)
        return 0, 0, 0
    if record is None:
        await services.slots.claim(key, REMINDER, None, [], now)
    window = period.window
    until = min(services.now().replace(microsecond=0) + timedelta(seconds=1), window.end)
    reported = {
        entry.officer_id for entry in await services.reports.officer_latest(window.start, until)
    }
    skip = reported | await services.slots.reminded(key)
    due = [
        member
        for member in await services.members.active()
        if member.role.is_field and member.user_id not in skip
    ]
    known_blocked = sum(1 for member in due if member.blocked_at is not None)
    reminders = _Reminders(bot, services, key, slot, period)
    result = await broadcast(
        (member for member in due if member.blocked_at is None), reminders, keep_going=keep_going
    )
    sent, failed = result[Outcome.SENT], result[Outcome.FAILED]
    blocked = known_blocked + result[Outcome.BLOCKED]
    if result[Outcome.UNCLAIMED] or not result.finished:
        left = result[Outcome.UNCLAIMED] or "the rest of the"
        logger.warning("%s: %s officers left for the resumed round", key, left)
        return sent, blocked, failed
    await services.slots.mark(key, "sent", services.clock())
    if record is not None:  # resumed: the earlier passes' reminders count too (each claimed;
        # their refusals are not remembered, nor the sends a kill -9 cut off)
        sent = len(await services.slots.reminded(key)) - failed - result[Outcome.BLOCKED]
    summary = texts.reminder_summary(slot, sent, blocked, failed)
    for admin_id in await admin_ids(services):
        await tell(bot, admin_id, summary)
    logger.info("%s: %s reminded, %s blocked, %s failed", key, sent, blocked, failed)
    return sent, blocked, failed


async def reminder_job(context: PoskoContext) -> None:
    """Sends the reminders of the slot this job stands for, if the rhythm now has that slot."""
    job = context.job
    if job is None or not isinstance(job.data, time):
        raise RuntimeError("reminder job without a slot time")
    services = context.services
    slot = latest_slot(services.now() + SLOT_TOLERANCE, job.data)
    if not services.rhythm().is_slot(REMINDER, slot):
        logger.debug("%s is not a reminder slot today", slot_key(REMINDER, slot))
        return
    app = context.application
    await send_reminders(context.bot, services, slot, lambda: app.running)


_JOB_LABELS = {DIGEST: "digest", REMINDER: "pengingat"}


def schedule_jobs(app: PoskoApp, services: Services) -> None:
    """Plans one daily job per time of day the rhythm needs from now to the end of tomorrow.

    Jobs whose time is still needed are kept as they are (one about to run is never replaced
    by a copy that would first run tomorrow); the others are removed, the missing ones added.
    Called at start-up, after every change of the schedule or the calendar, and every midnight.
    """
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    rhythm, now = services.rhythm(), services.now()
    wanted = {
        f"{_JOB_LABELS[kind]} {format_time_of_day(slot_time)}": (kind, slot_time)
        for kind in (DIGEST, REMINDER)
        for slot_time in rhythm.job_times(kind, now)
    }
    for job in job_queue.jobs():
        name = job.name or ""
        if name.startswith(("digest ", "pengingat ")) and wanted.pop(name, None) is None:
            job.schedule_removal()
    tz = services.settings.timezone
    grace = {"misfire_grace_time": MISFIRE_GRACE_SECONDS, "coalesce": True}
    for name, (kind, slot_time) in sorted(wanted.items()):
        job_queue.run_daily(
            daily_digest_job if kind is DIGEST else reminder_job,
            time=slot_time.replace(tzinfo=tz),
            name=name,
            data=slot_time,
            job_kwargs=grace,
        )


async def plan_rhythm_job(context: PoskoContext) -> None:
    """Plans the digest and reminder jobs of the new day (and tomorrow)."""
    schedule_jobs(cast(PoskoApp, context.application), context.services)


def register(app: PoskoApp) -> None:
    """Adds the catch-up (at start-up, then every 5 minutes) and the midnight planning."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    app.job_queue.run_repeating(catch_up_job, interval=CATCH_UP_INTERVAL, first=1, name="catch up")
    tz = app.bot.defaults.tzinfo if app.bot.defaults is not None else None
    app.job_queue.run_daily(
        plan_rhythm_job,
        time=time(0, 0, 1, tzinfo=tz),
        name=PLAN_JOB,
        job_kwargs={"misfire_grace_time": MISFIRE_GRACE_SECONDS, "coalesce": True},
    )
