"""Chasing those who have not confirmed, and the catch-up that survives restarts.

At the deadline every recipient who has not confirmed (and is still an active officer) is
reminded once; a Segera arahan every 15 minutes, 3 times in all (domain.arahan.reminder_due).
Rounds missed while the bot was down are not sent in a burst: only the latest due is run.
Each round is claimed in the database before it runs and each reminder before it is sent, so no
one is reminded twice in a round (a crash between a claim and its send costs that one reminder).

15 minutes after the last round (FINAL_LIST_AFTER: time to press ✅ Dipahami), the sender and the
admins get the list of who still has not confirmed. Unlike a reminder, it is recorded per chat
only after Telegram took it: a crash in between repeats it to that chat, a failure is retried by
the catch-up, so nobody owed it goes without.

Each arahan with a round (or its list) to come has a one-off job at that moment ("arahan 7").
Jobs are not persisted, so the catch-up (at start-up, then every minute) plans them again from
the database, runs what fell due while the bot was down, finishes interrupted rounds, resumes
interrupted deliveries, edits tallies a stop left behind and relays answers whose relay failed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import cast

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, ReplyParameters
from telegram.error import TelegramError

from bot import texts
from bot.broadcast import Delivery, Outcome, broadcast, refusal
from bot.context import PoskoApp, PoskoContext
from bot.delivery import is_permanent
from bot.notify import admin_ids
from bot.services import Services
from domain.arahan import FINAL_LIST_AFTER, reminder_due, round_to_run
from handlers.arahan import delivery
from handlers.arahan.confirm import relay_left_answers
from handlers.arahan.runtime import ArahanRuntime, runtime_of, start_round
from handlers.arahan.tally import page_markup, refresh_stale_tallies, unconfirmed_pages
from storage.arahan import Arahan, Recipient

logger = logging.getLogger(__name__)

CATCH_UP_INTERVAL = 60
# A job may start late (a busy loop, a suspended machine); APScheduler's default grace is 1 s.
MISFIRE_GRACE_SECONDS = 12 * 60 * 60
# Interrupted reminder rounds are finished while the arahan is this young (and tallies
# refreshed, answers relayed); a list of non-confirmers is given up this long after it was due.
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
    """Runs arahan #number's due reminder round (or its list after the last), or finishes a
    round that was interrupted."""
    if number in state.reminding:
        return
    state.reminding.add(number)
    try:
        arahan = await services.arahan.get(number)
        if arahan is None:
            return
        now = services.clock()
        due = arahan.next_reminder_at
        last = arahan.urgency.reminders
        if due is not None and due <= now and arahan.reminders_done < last:
            done = arahan.reminders_done
            # After downtime, only the latest round due: the missed ones are not sent in a burst.
            round_ = round_to_run(arahan.deadline_at, arahan.urgency, done, now)
            following = reminder_due(arahan.deadline_at, arahan.urgency, round_)
            if following is None:  # the last round: the list follows
                following = now + FINAL_LIST_AFTER
            if await services.arahan.claim_reminder_round(number, done, round_, following):
                plan(number, following)
                logger.info("Arahan #%s: reminder round %s", number, round_)
            arahan = await services.arahan.get(number) or arahan
        if arahan.reminders_done > 0 and not await _finish_round(
            bot, services, state, arahan, keep_going
        ):
            return  # stopping: the next start finishes the round
        if arahan.reminders_done >= last and arahan.final_list_at is None:
            due = arahan.next_reminder_at
            if due is None or due <= services.clock():
                ended = await _final_list(bot, services, arahan)
            elif not await services.arahan.unconfirmed(number):  # no list to wait for
                ended = await services.arahan.final_list_done(number, services.clock())
            else:
                ended = False
            if ended:
                plan(number, None)
    finally:
        state.reminding.discard(number)


async def _finish_round(
    bot: Bot, services: Services, state: ArahanRuntime, arahan: Arahan, keep_going: KeepGoing
) -> bool:
    """Reminds whoever this round has not reached yet; False when a stop cut it short (or the
    database refused a claim): the catch-up finishes the round."""
    round_ = arahan.reminders_done
    people = await services.arahan.to_remind(arahan.number, round_)
    result = await broadcast(
        people,
        _Reminders(bot, services, arahan, round_),
        keep_going=keep_going,
        in_flight=state.in_flight,
    )
    return result.finished and not result[Outcome.UNCLAIMED]


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
            self.services.now(),
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
        return await refusal(self.services, recipient.user_id, exc)


async def _final_list(bot: Bot, services: Services, arahan: Arahan) -> bool:
    """Tells the sender and the admins who still has not confirmed, each chat recorded after
    Telegram took it (so a failure is retried, never lost); none when everyone has confirmed
    by then. Returns whether the follow-up of the arahan is over."""
    repo, number, now = services.arahan, arahan.number, services.clock()
    people = await repo.unconfirmed(number)
    if not people:
        return await repo.final_list_done(number, now)
    due = arahan.next_reminder_at
    if due is not None and now - due > RESUME_WINDOW:
        logger.warning("Arahan #%s: the list of non-confirmers is given up after a day", number)
        return await repo.final_list_done(number, now)
    rounds = max(1, arahan.reminders_sent)
    pages = await unconfirmed_pages(services, number, rounds)
    markup = page_markup(number, 0, len(pages), rounds)
    have = await repo.final_list_chats(number)
    missing = False
    for chat_id in sorted({arahan.sender_id, *await admin_ids(services)} - have):
        try:
            await bot.send_message(chat_id, pages[0], reply_markup=markup)
        except TelegramError as exc:
            if is_permanent(exc):  # blocked, never started: no retry will change it
                logger.info("Arahan #%s: list refused by %s: %s", number, chat_id, exc.message)
                await repo.final_list_sent(number, chat_id, services.clock(), exc.message)
            else:
                logger.info("Arahan #%s: list to %s failed (%s), retried by the catch-up",
                            number, chat_id, type(exc).__name__)  # fmt: skip
                missing = True
            continue
        await repo.final_list_sent(number, chat_id, services.clock())
    if missing:
        return False
    logger.info("Arahan #%s: %s still unconfirmed after the last reminder", number,
                len(people))  # fmt: skip
    return await repo.final_list_done(number, services.clock())


async def reminder_job(context: PoskoContext) -> None:
    """Runs the reminder round this job stands for (planned again when woken early)."""
    job = context.job
    if job is None or not isinstance(job.data, int):
        raise RuntimeError("arahan reminder job without a number")
    services, app = context.services, app_of(context)
    number = job.data
    arahan = await services.arahan.get(number)
    if arahan is None or arahan.next_reminder_at is None:
        return  # the list went out (or was not needed) meanwhile
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
    """Resumes deliveries, reminder rounds and lists, plans the reminder jobs, edits stale
    tallies and relays answers whose relay failed, from the database."""
    app, services = app_of(context), context.services
    state = runtime_of(app.bot_data)
    await delivery.resume(app, context.bot, services, state)
    now = services.clock()
    since = now - RESUME_WINDOW
    await refresh_stale_tallies(context.bot, services, state, since)
    await relay_left_answers(context.bot, services, since)
    for arahan in await services.arahan.due_reminders(now):
        _spawn_remind(context, arahan.number)
    left = await services.arahan.reminders_left(since)
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
