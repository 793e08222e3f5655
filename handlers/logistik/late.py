"""Late logistics stages are announced in the coordination group once each, grouped.

Every minute the job looks for stages whose deadline has passed unconfirmed and that no
announcement has claimed yet (a lateness is kecamatan, stage and the deadline it missed, so a new
deadline that passes too is announced again). Those found together are claimed in one
transaction with their rendered message, then posted as one message; each delivered part is
recorded. So a lateness is never announced twice, and an announcement interrupted by a crash or a
network failure is finished by the next run, from its first undelivered part. As with the digest,
the one window no bot can close (Telegram accepted a part, the process died before recording it)
repeats that single part; a part Telegram accepted whose record the database refused is
remembered and only recorded later, never sent again.
"""

from __future__ import annotations

import logging
import sqlite3

from telegram import Bot
from telegram.error import TelegramError

from bot import texts
from bot.context import PoskoApp, PoskoContext
from bot.notify import send_group
from bot.services import Services
from domain.logistics import StageState, late_key
from storage.logistics import Announcement

logger = logging.getLogger(__name__)

LATE_JOB = "logistik terlambat"
LATE_INTERVAL = 60


async def announce_late(bot: Bot, services: Services) -> int:
    """Finishes interrupted announcements, then announces stages that became late since the
    last run in one message; returns how many stages it announced now."""
    for pending in await services.logistics.unsent():
        if not await _post(bot, services, pending):
            return 0  # no group, or Telegram refused: the next run tries again
    if services.coordination_chat_id is None:
        return 0
    now = services.clock()
    board = await services.logistics.board(services.logistics_plan, services.region, now)
    announced = await services.logistics.announced()
    order = {name: i for i, name in enumerate(services.region.kecamatan)}
    late = sorted(
        (
            s
            for s in board.statuses()
            if s.state is StageState.LATE and late_key(s) not in announced
        ),
        key=lambda s: (s.deadline or now, order.get(s.kecamatan, 0), s.stage.number),
    )
    if not late:
        return 0
    parts = texts.logistik_late_announcement(late, now, services.settings.timezone)
    number = await services.logistics.claim_announcement([late_key(s) for s in late], parts, now)
    if number is None:
        return 0  # claimed meanwhile
    logger.info("%s late logistics stages claimed by announcement %s", len(late), number)
    await _post(bot, services, Announcement(number, parts, 0))
    return len(late)


async def _post(bot: Bot, services: Services, announcement: Announcement) -> bool:
    """Posts the undelivered parts of an announcement; False when it must be tried again."""
    delivered = services.runtime.unrecorded.logistics_parts
    number = announcement.id
    done = max(announcement.parts_sent, delivered.get(number, 0))
    if done > announcement.parts_sent:
        await services.logistics.part_sent(number, done)
    for index in range(done, len(announcement.parts)):
        if await send_group(bot, services, announcement.parts[index]) is None:
            return False
        delivered[number] = index + 1
        await services.logistics.part_sent(number, index + 1)
    await services.logistics.mark_sent(number, services.clock())
    delivered.pop(number, None)
    return True


async def late_job(context: PoskoContext) -> None:
    """Announces late logistics stages (every minute)."""
    try:
        await announce_late(context.bot, context.services)
    except (sqlite3.Error, TelegramError) as exc:
        logger.warning("Late logistics not announced yet: %s", type(exc).__name__)


def register(app: PoskoApp) -> None:
    """Adds the late-stage announcements (every minute)."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    app.job_queue.run_repeating(late_job, interval=LATE_INTERVAL, first=20, name=LATE_JOB)
