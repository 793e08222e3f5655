"""Chasing those who have not confirmed, and the catch-up that survives restarts.

At the deadline every recipient who has not confirmed is reminded once; a Segera arahan every
15 minutes, 3 times in all (domain.arahan.reminder_due). After the last round the sender and
the admins get the list of who still has not confirmed. Each round is claimed in the database
before it runs and each reminder before it is sent, so no one is reminded twice in a round
(a crash between a claim and its send costs that one reminder).

Each arahan with a round to come has a one-off job at that moment ("arahan 7"). Jobs are not
persisted, so the catch-up (at start-up, then every minute) plans them again from the database,
runs rounds that fell due while the bot was down, finishes interrupted ones and resumes
interrupted deliveries.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import TelegramError

from bot import texts
from bot.broadcast import Delivery, Outcome, blocked_the_bot, broadcast
from bot.context import PoskoApp, PoskoContext
from bot.notify import admin_ids, tell
from bot.services import Services
from domain.arahan import Urgency, reminder_due
from handlers.arahan import delivery
from handlers.arahan.runtime import ArahanRuntime, runtime_of, start_round
from handlers.arahan.tally import page_markup, unconfirmed_pages
from storage.arahan import Arahan, Recipient

logger = logging.getLogger(__name__)

CATCH_UP_INTERVAL = 60
# A job may start late (a busy loop, a suspended machine); APScheduler's default grace is 1 s.
MISFIRE_GRACE_SECONDS = 12 * 60 * 60
# Interrupted reminder rounds are finished while the arahan is this young.
RESUME_WINDOW = timedelta(days=1)

KeepGoing = Callable[[], bool]
Plan = Callable[[int, datetime | None], None]


def app_of(context: PoskoContext) -> PoskoApp:
    """The application of a handler's or job's context, typed as Posko's."""
    return cast(PoskoApp, context.application)


def timer_name(number: int) -> str:
    """The job of arahan #number's next reminder round."""
    return f"arahan {number}"


def plan_reminder(app: PoskoApp, services: Services, number: int, at: datetime | None) -> None:
    """(Re)plans the one-off job of arahan #number's next round (None: no round left)."""
    job_queue = app.job_queue
    if job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    for job in job_queue.get_jobs_by_name(timer_name(number)):
        job.schedule_removal()
    if at is None:
        return
    delay = max(0.0, (at - services.clock()).total_seconds())
    job_queue.run_once(
        reminder_job,
        when=delay,
        name=timer_name(number),
        data=number,
        job_kwargs={"misfire_grace_time": MISFIRE_GRACE_SECONDS},
    )


def confirm_only_markup(number: int) -> InlineKeyboardMarkup:
    """The ✅ Dipahami button under a reminder."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.ARAHAN_CONFIRM_BUTTON, callback_data=f"arh:ok:{number}")]]
    )


async def remind(
    bot: Bot,
    services: Services,
    state: ArahanRuntime,
    number: int,
    keep_going: KeepGoing,
    plan: Plan,
) -> None:
    """Runs arahan #number's due reminder round, or finishes one that was interrupted."""
    if number in state.reminding:
        return
    state.reminding.add(number)
    try:
        arahan = await services.arahan.get(number)
        if arahan is None:
            return
        due = arahan.next_reminder_at
        if due is not None and due <= services.clock():
            done = arahan.reminders_done
            following = reminder_due(arahan.deadline_at, arahan.urgency, done + 1)
            if await services.arahan.claim_reminder_round(number, done, following):
                plan(number, following)
                logger.info("Arahan #%s: reminder round %s", number, done + 1)
            arahan = await services.arahan.get(number) or arahan
        if arahan.reminders_done > 0:
            await _finish_round(bot, services, state, arahan, keep_going)
    finally:
        state.reminding.discard(number)


async def _finish_round(
    bot: Bot, services: Services, state: ArahanRuntime, arahan: Arahan, keep_going: KeepGoing
) -> None:
    """Reminds whoever this round has not reached yet; after the last one, the list."""
    round_ = arahan.reminders_done
    people = await services.arahan.to_remind(arahan.number, round_)
    result = await broadcast(
        people,
        _Reminders(bot, services, arahan, round_),
        keep_going=keep_going,
        in_flight=state.in_flight,
    )
    if not result.finished or result[Outcome.UNCLAIMED]:
        return  # the catch-up finishes the round
    if round_ >= arahan.urgency.reminders and arahan.final_list_at is None:
        await _final_list(bot, services, arahan)


class _Reminders(Delivery[Recipient, Message]):
    """A reminder under one recipient's copy: claimed for the round, then sent."""

    def __init__(self, bot: Bot, services: Services, arahan: Arahan, round_: int) -> None:
        self.bot, self.services, self.arahan, self.round = bot, services, arahan, round_

    def who(self, recipient: Recipient) -> object:
        return recipient.user_id

    async def claim(self, recipient: Recipient) -> bool:
        """False when confirmed or reminded meanwhile."""
        return await self.services.arahan.claim_reminder(
            self.arahan.number, recipient.user_id, self.round
        )

    async def send(self, recipient: Recipient) -> Message:
        arahan = self.arahan
        text = texts.arahan_reminder(
            arahan.number,
            self.round,
            arahan.urgency.reminders,
            arahan.sender_name,
            arahan.deadline_at.astimezone(self.services.settings.timezone),
        )
        below = (
            ReplyParameters(recipient.message_id, allow_sending_without_reply=True)
            if recipient.message_id
            else None
        )
        return await self.bot.send_message(
            recipient.user_id,
            text,
            reply_markup=confirm_only_markup(arahan.number),
            reply_parameters=below,
        )

    async def refused(self, recipient: Recipient, exc: TelegramError) -> Outcome:
        logger.info(
            "Reminder of arahan #%s to %s failed: %s",
            self.arahan.number,
            recipient.user_id,
            type(exc).__name__,
        )
        if blocked_the_bot(exc):
            await self.services.members.set_blocked(recipient.user_id, self.services.clock())
            return Outcome.BLOCKED
        return Outcome.FAILED


async def _final_list(bot: Bot, services: Services, arahan: Arahan) -> None:
    """Tells the sender and the admins who still has not confirmed, once."""
    if not await services.arahan.claim_final_list(arahan.number, services.clock()):
        return
    people = await services.arahan.unconfirmed(arahan.number)
    if not people:
        return
    rounds = arahan.urgency.reminders
    pages = await unconfirmed_pages(services, arahan.number, rounds)
    markup = page_markup(arahan.number, 0, len(pages), rounds)
    for chat_id in sorted({arahan.sender_id, *await admin_ids(services)}):
        await tell(bot, chat_id, pages[0], markup)
    logger.info("Arahan #%s: %s still unconfirmed after the last reminder", arahan.number,
                len(people))  # fmt: skip


async def reminder_job(context: PoskoContext) -> None:
    """Runs the reminder round this job stands for (planned again when woken early)."""
    job = context.job
    if job is None or not isinstance(job.data, int):
        raise RuntimeError("arahan reminder job without a number")
    services, app = context.services, app_of(context)
    number = job.data
    arahan = await services.arahan.get(number)
    if arahan is None or arahan.next_reminder_at is None:
        return
    if arahan.next_reminder_at > services.clock():
        plan_reminder(app, services, number, arahan.next_reminder_at)
        return
    _spawn_remind(context, number)


def _spawn_remind(context: PoskoContext, number: int) -> None:
    app, services = app_of(context), context.services
    start_round(
        app,
        services,
        remind(
            context.bot,
            services,
            runtime_of(app.bot_data),
            number,
            lambda: app.running,
            lambda n, at: plan_reminder(app, services, n, at),
        ),
    )


async def catch_up_job(context: PoskoContext) -> None:
    """Resumes deliveries and reminder rounds, and plans the reminder jobs, from the database."""
    app, services = app_of(context), context.services
    state = runtime_of(app.bot_data)
    await delivery.resume(app, context.bot, services, state)
    now = services.clock()
    for arahan in await services.arahan.due_reminders(now):
        _spawn_remind(context, arahan.number)
    left = await services.arahan.reminders_left(
        now - RESUME_WINDOW, {u.value: u.reminders for u in Urgency}
    )
    for number in left:
        if number not in state.reminding:
            _spawn_remind(context, number)
    job_queue = app.job_queue
    for number, at in await services.arahan.upcoming_reminders():
        if (
            at > now
            and job_queue is not None
            and not job_queue.get_jobs_by_name(timer_name(number))
        ):
            plan_reminder(app, services, number, at)


def schedule(app: PoskoApp) -> None:
    """Adds the catch-up: at start-up, then every minute."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    app.job_queue.run_repeating(
        catch_up_job, interval=CATCH_UP_INTERVAL, first=2, name="arahan catch up"
    )
