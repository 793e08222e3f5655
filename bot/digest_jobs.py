"""Scheduled digests: one job per configured time, each slot posted at most once."""

from __future__ import annotations

import logging
from datetime import datetime, time, timedelta, tzinfo

from telegram import Bot

from bot.context import PoskoApp, PoskoContext
from bot.digest import DigestSnapshot, build_snapshot, day_bounds, render_digest
from bot.services import Services
from bot.settings import format_time_of_day

logger = logging.getLogger(__name__)

# APScheduler skips a job that starts more than misfire_grace_time late (default 1 s); a digest
# that is a few minutes late is still worth posting.
MISFIRE_GRACE_SECONDS = 15 * 60
SLOT_TOLERANCE = timedelta(seconds=5)


async def load_snapshot(
    services: Services,
    start: datetime,
    end: datetime,
    *,
    end_inclusive: bool = True,
    late_slot: datetime | None = None,
) -> DigestSnapshot:
    """Reads the counts from `start` to `end` (including `end`'s second unless told not to)."""
    # Stored times have whole seconds: a report stamped 19:00:00 belongs to the 19:00 digest,
    # while a whole day ends before the next midnight.
    until = end.replace(microsecond=0) + timedelta(seconds=1) if end_inclusive else end
    counts = await services.reports.group_counts(start, until)
    return build_snapshot(services.region, counts, start, end, late_slot=late_slot)


async def send_messages(
    bot: Bot, chat_id: int, messages: list[str], thread_id: int | None = None
) -> None:
    """Sends the parts of a digest in order (into a forum topic when `thread_id` is set)."""
    for text in messages:
        await bot.send_message(chat_id, text, message_thread_id=thread_id)


def latest_slot(now: datetime, slot_time: time) -> datetime:
    """The most recent local occurrence of `slot_time` at or before `now` (aware, local)."""
    candidate = datetime.combine(now.date(), slot_time, tzinfo=now.tzinfo)
    return candidate if candidate <= now else candidate - timedelta(days=1)


def slot_key(slot: datetime) -> str:
    """Durable identity of a slot: local date and time."""
    return f"{slot:%Y-%m-%d} {format_time_of_day(slot.time())}"


async def post_digest_slot(bot: Bot, services: Services, slot: datetime) -> bool:
    """Posts the digest of `slot` to the coordination group unless it was posted before.

    The slot is claimed durably before sending and marked sent afterwards; if sending fails the
    claim is released so the slot can be posted again. Returns whether it was posted now.
    """
    chat_id = services.coordination_chat_id
    if chat_id is None:
        logger.warning("No coordination group configured; digest %s not posted", slot_key(slot))
        return False
    key = slot_key(slot)
    if not await services.digests.claim(key, chat_id, services.clock()):
        logger.info("Digest %s was already posted; skipping", key)
        return False
    try:
        start, _ = day_bounds(slot.date(), services.settings.timezone)
        snapshot = await load_snapshot(services, start, slot)
        await send_messages(bot, chat_id, render_digest(snapshot))
    except BaseException:
        await services.digests.release(key)
        raise
    await services.digests.mark_sent(key, services.clock())
    logger.info("Digest %s posted", key)
    return True


async def daily_digest_job(context: PoskoContext) -> None:
    """Posts the digest of the slot this job stands for."""
    job = context.job
    if job is None or not isinstance(job.data, time):
        raise RuntimeError("digest job without a slot time")
    services = context.services
    # The scheduler never fires early, but allow for clock jitter at the slot boundary.
    slot = latest_slot(services.now() + SLOT_TOLERANCE, job.data)
    await post_digest_slot(context.bot, services, slot)


def schedule_digests(app: PoskoApp, times: tuple[time, ...], tz: tzinfo) -> None:
    """Registers one daily job per digest time, in time zone `tz`."""
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    for slot_time in times:
        job_queue.run_daily(
            daily_digest_job,
            time=slot_time.replace(tzinfo=tz),
            name=f"digest {format_time_of_day(slot_time)}",
            data=slot_time,
            job_kwargs={"misfire_grace_time": MISFIRE_GRACE_SECONDS, "coalesce": True},
        )
