"""Acknowledging urgent reports ("✅ Diterima"), and re-paging while nobody has."""

from __future__ import annotations

import contextlib
import logging
from datetime import timedelta

from telegram import ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.context import PoskoApp, PoskoContext, settings_of
from bot.keyboards import answer
from bot.notify import admin_ids, send_group, tell
from handlers.reports.filing import (
    ack_markup,
    escalate_pending,
    record_unrecorded_alert,
    refresh_alert,
)

logger = logging.getLogger(__name__)

MAX_REPAGES = 3


async def ack_cb(update: Update, context: PoskoContext) -> None:
    """Records the first koordinator/admin who takes an urgent report, and with it the take-up
    of its incident (the gate checked roles)."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or not query.data:
        return
    number_text = query.data.partition(":")[2]
    if not (number_text.isascii() and number_text.isdigit() and len(number_text) < 13):
        await answer(query, texts.STALE_BUTTON)
        return
    services = context.services
    member = context.actor.member
    name = member.name if member is not None else user.full_name
    number = int(number_text)
    # An alert posted while the database refused its record is recorded now, if it can be
    # (one still being posted records itself: the press is asked to wait).
    if number not in services.runtime.escalating:
        await record_unrecorded_alert(services, number)
    # The acknowledgement and the take-up are one transaction, refused once the incident is
    # resolved: a late press can never leave an acknowledged report beside an incident that
    # nobody took up (which a reopening would bring back as Baru).
    report = await services.reports.acknowledge(number, user.id, name, services.clock())
    if report is None:
        current = await services.reports.get(number)
        if current is None or current.acked_by != user.id or current.ack_told_at is not None:
            await _not_acknowledged(update, context, number)
            return
        # Taken by this person, the officer not told yet: the press handled again after a
        # crash that came between the commit and the telling. What followed is done again.
        report = current
    await answer(query, texts.ack_done(report.number))
    await refresh_alert(context.bot, services, report.number)
    if query.message is not None and query.message.chat.id != report.escalation_chat_id:
        with contextlib.suppress(
            TelegramError
        ):  # pressed on a private re-page: that copy loses its button too
            await query.edit_message_reply_markup(None)
    acked_at = report.acked_at or services.clock()
    local = acked_at.astimezone(services.settings.timezone)
    told = await tell(
        context.bot, report.officer_id, texts.ack_for_officer(report.number, name, local)
    )
    if told is not None:  # recorded once sent: a crash in between repeats only this message
        await services.reports.mark_ack_told(report.number, services.clock())
    logger.info(
        "Report #%s acknowledged by %s after %ss", report.number, user.id, report.ack_seconds
    )


async def _not_acknowledged(update: Update, context: PoskoContext, number: int) -> None:
    """Answers a press that recorded nothing: taken already, resolved, or not recorded yet."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    current = await services.reports.get(number)
    if current is not None and current.acked_at is not None:
        await answer(query, texts.ack_taken(current.acked_by_name))
        return
    incident = await services.incidents.get(number)
    if incident is not None and not incident.is_open:
        await answer(query, texts.ack_incident_closed(number))
        with contextlib.suppress(TelegramError):  # this copy (a re-page, a stale alert) too
            await query.edit_message_reply_markup(None)
        await refresh_alert(context.bot, services, number)
        return
    if current is not None and current.escalated_at is None:
        # Pressed in the instant between the alert going out and it being recorded.
        await answer(query, texts.ACK_NOT_READY)
        return
    await answer(query, texts.STALE_BUTTON)


async def repage_job(context: PoskoContext) -> None:
    """Reminds the group and every admin of urgent reports nobody has acknowledged yet."""
    services = context.services
    now = services.clock()
    wait = timedelta(minutes=services.settings.escalation_ack_minutes)
    tz = services.settings.timezone
    for report in await services.reports.due_repages(now):
        round_ = report.repage_count + 1
        next_at = now + wait if round_ < MAX_REPAGES else None
        if not await services.reports.claim_repage(report.number, report.repage_count, next_at):
            continue  # acknowledged or handled meanwhile
        minutes = int((now - report.created_at).total_seconds() // 60)
        incident = await services.incidents.get(report.number)
        text = texts.repage(
            report.number,
            incident.level if incident is not None else report.level,  # raised by an update
            report.kecamatan,
            report.created_at.astimezone(tz),
            minutes,
            round_,
        )
        markup = ack_markup(report.number)
        same_chat = report.escalation_chat_id == services.coordination_chat_id
        below = (
            ReplyParameters(report.escalation_message_id, allow_sending_without_reply=True)
            if same_chat and report.escalation_message_id
            else None
        )
        try:
            await send_group(
                context.bot, services, text, reply_markup=markup, reply_parameters=below
            )
        except TelegramError:
            logger.exception("Re-page of report #%s not posted", report.number)
        for admin_id in await admin_ids(services):
            await tell(context.bot, admin_id, text, markup)
        logger.info("Report #%s re-paged (%s/%s)", report.number, round_, MAX_REPAGES)


def register(app: PoskoApp) -> None:
    """Adds the acknowledgement button, the re-page sweep and the escalation sweep."""
    app.add_handler(CallbackQueryHandler(ack_cb, pattern=r"^ack:"))
    schedule_repages(app, settings_of(app).escalation_ack_minutes)


async def escalate_pending_job(context: PoskoContext) -> None:
    """Posts urgent reports whose escalation failed or was interrupted (e.g. by a restart)."""
    await escalate_pending(context.bot, context.services)


def schedule_repages(app: PoskoApp, ack_minutes: float) -> None:
    """Checks for due re-pages often enough for the configured wait (at least every 30 s)."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    interval = min(30.0, max(1.0, ack_minutes * 60 / 4))
    app.job_queue.run_repeating(repage_job, interval=interval, first=1, name="repage")
    app.job_queue.run_repeating(
        escalate_pending_job, interval=30, first=2, name="escalate pending"
    )
