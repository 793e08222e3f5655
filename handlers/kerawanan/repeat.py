"""Earlier chasing of the kecamatan mapped `tinggi`: a second reminder, and the admins told.

`REMINDER_REPEAT_MINUTES` (default 60) after a reminder round, the officers of a `tinggi`
kecamatan who got its reminder and have still not reported in that round's reporting window
are reminded again, with the same two buttons. The `tinggi` kecamatan with no report at all in
the window are then named to the admins, once per reminder round.

A sweep every minute finds the rounds whose second reminder is due. Like the first rounds
(handlers.digest.schedule), a second round is recorded (`kerawanan_rounds`, keyed by the first
round's slot) and each officer's reminder and each admin's notice is claimed in the database
before it is sent: across restarts nobody gets it twice (a crash between a claim and its send
costs that message: at most the `IN_FLIGHT` under way, bot.broadcast), and an interrupted round
(a stop, a database fault) is finished by the next sweep. The officers' reminders go out through
the shared broadcaster, at Telegram's pace even when it is far away. A round is
started or finished only while its reporting window lasts and at most two hours after it was
due (after downtime); a reminder round that did not reach every officer (it never ran, or is
still being finished) has no second round.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime, timedelta

from telegram import Bot, Message
from telegram.error import Forbidden, TelegramError

from bot import texts
from bot.broadcast import Delivery, Outcome, always, broadcast, refusal
from bot.context import PoskoApp, PoskoContext
from bot.notify import admin_ids, tell
from bot.services import Services
from domain.calendar import Window
from domain.members import Member
from handlers.digest.schedule import REMINDER_RESUME_WINDOW, slot_of
from handlers.reports.quick import reminder_markup
from storage.kerawanan import ADMIN, OFFICER

logger = logging.getLogger(__name__)

SWEEP_INTERVAL = 60
JOB = "kerawanan pengingat kedua"
# A second round starts (or is finished) at most this long after it was due.
REPEAT_LATEST = REMINDER_RESUME_WINDOW


def _round_key(first: str) -> str:
    """The key of a second round in `runtime.reminder_rounds` (rounds running now)."""
    return f"ulang {first}"


async def repeat_reminders(
    bot: Bot, services: Services, keep_going: Callable[[], bool] = always
) -> int:
    """Runs the second rounds that are due; returns how many it finished."""
    vmap = services.admin_settings.vulnerability
    if not vmap.tinggi:
        return 0
    now = services.now()
    delay = timedelta(minutes=services.settings.reminder_repeat_minutes)
    tz = services.settings.timezone
    rhythm = services.rhythm()
    finished = 0
    since = now - delay - REPEAT_LATEST - timedelta(minutes=5)
    for first in await services.kerawanan.first_rounds(since):
        slot = slot_of(first, tz)
        due = slot + delay
        if now < due:
            continue
        record = await services.kerawanan.round(first)
        if record is not None and record.state != "sending":
            continue
        window = rhythm.window_at(slot)
        if now - due > REPEAT_LATEST or window is None or now >= window.end:
            await services.kerawanan.finish_round(first, "skipped", services.clock())
            logger.info("Second reminder of %s skipped (window over or too late)", first)
            continue
        running = services.runtime.reminder_rounds
        key = _round_key(first)
        if key in running:
            continue
        running.add(key)
        try:
            if await _second_round(bot, services, first, slot, due, window, keep_going):
                finished += 1
        finally:
            running.discard(key)
    return finished


class _SecondReminders(Delivery[tuple[str, Member], Message]):
    """A second reminder to one officer of a `tinggi` kecamatan: claimed, then sent."""

    def __init__(
        self,
        bot: Bot,
        services: Services,
        first: str,
        slot: datetime,
        window_start: datetime,
        phrase: str | None,
    ) -> None:
        self.bot, self.services, self.first = bot, services, first
        self.day, self.phrase = slot.date(), phrase
        self.markup = reminder_markup(window_start)
        self.failed: set[int] = set()

    def who(self, recipient: tuple[str, Member]) -> object:
        return recipient[1].user_id

    async def claim(self, recipient: tuple[str, Member]) -> bool:
        """False when reminded meanwhile."""
        user_id = recipient[1].user_id
        return await self.services.kerawanan.claim_reminded(self.first, OFFICER, user_id)

    async def send(self, recipient: tuple[str, Member]) -> Message:
        kecamatan, member = recipient
        title = texts.member_title(member.role, kecamatan)
        text = texts.second_reminder(title, kecamatan, self.day, self.phrase)
        return await self.bot.send_message(member.user_id, text, reply_markup=self.markup)

    async def refused(self, recipient: tuple[str, Member], exc: TelegramError) -> Outcome:
        user_id = recipient[1].user_id
        self.failed.add(user_id)
        if not isinstance(exc, Forbidden):  # never pressed Start: nothing worth a log line
            logger.info("Second reminder to %s failed: %s", user_id, type(exc).__name__)
        return await refusal(self.services, user_id, exc)


async def _second_round(
    bot: Bot,
    services: Services,
    first: str,
    slot: datetime,
    due: datetime,
    window: Window,
    keep_going: Callable[[], bool],
) -> bool:
    """Reminds the silent officers of the `tinggi` kecamatan again, then tells the admins
    which of those kecamatan sent nothing; False when it must be finished later."""
    repo, vmap = services.kerawanan, services.admin_settings.vulnerability
    await repo.claim_round(first, services.clock())
    until = min(services.now().replace(microsecond=0) + timedelta(seconds=1), window.end)
    reported = {e.officer_id for e in await services.reports.officer_latest(window.start, until)}
    spoke = {c.kecamatan for c in await services.reports.group_counts(window.start, until)}
    reminded_first = await services.slots.reminded(first)
    done = await repo.reminded(first, OFFICER)
    tinggi = set(vmap.tinggi)
    officers: dict[str, list[Member]] = defaultdict(list)
    for member in await services.members.active():
        if member.role.is_field and member.kecamatan in tinggi:
            officers[member.kecamatan].append(member)
    phrase = texts.window_phrase(services.rhythm().period_at(slot))
    skip = reported | done
    due_now = [
        (kecamatan, member)
        for kecamatan, members in officers.items()
        for member in members
        if member.user_id not in skip
        # no first reminder (registered since) or blocked: no second one
        and member.user_id in reminded_first
        and member.blocked_at is None
    ]
    second = _SecondReminders(bot, services, first, slot, window.start, phrase)
    result = await broadcast(due_now, second, keep_going=keep_going)
    failed = second.failed
    unclaimed = result[Outcome.UNCLAIMED]
    if not result.finished:
        logger.info("%s: second reminders stopped; the next sweep finishes them", first)
        return False
    if unclaimed:
        logger.warning("%s: %s second reminders left for the next sweep", first, unclaimed)
        return False
    silent = [name for name in vmap.tinggi if name not in spoke]
    if silent:
        tz = services.settings.timezone
        reached = await repo.reminded(first, OFFICER) - failed
        notice = texts.silent_tinggi_notice(
            slot.astimezone(tz),
            due.astimezone(tz),
            [
                (name, [(m.role, m.name, m.user_id in reached) for m in officers.get(name, [])])
                for name in silent
            ],
        )
        told = await repo.reminded(first, ADMIN)
        for admin_id in await admin_ids(services):
            if admin_id in told or not await repo.claim_reminded(first, ADMIN, admin_id):
                continue
            await tell(bot, admin_id, notice)
    await repo.finish_round(first, "sent", services.clock())
    logger.info(
        "%s: second reminders to tinggi kecamatan sent; %s still silent", first, len(silent)
    )
    return True


async def repeat_job(context: PoskoContext) -> None:
    """Runs the second reminders that are due."""
    app = context.application
    await repeat_reminders(context.bot, context.services, lambda: app.running)


def register(app: PoskoApp) -> None:
    """Adds the sweep (every minute, from start-up)."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    app.job_queue.run_repeating(repeat_job, interval=SWEEP_INTERVAL, first=5, name=JOB)
