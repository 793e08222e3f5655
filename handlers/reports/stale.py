"""Stale incidents are chased: an open incident nothing was heard of for INCIDENT_STALE_HOURS
gets its reporting officer asked privately whether it is still going on.

"⏳ Masih berlangsung" opens the perkembangan dialog (handlers.reports.incidents); "✅ Sudah
selesai" closes the incident at once with a standard closing note: one tap, and the note still
says how it was closed. Whoever wants a note of their own sends `/selesai <nomor> <catatan>`,
which the question mentions. "✅ Sudah selesai" answers for its stale period (named in the
button): once the incident was reopened after it, or the question was voided, it refuses and
points to /selesai. It closes once per question message: pressed again, or handled again after
a crash, it changes nothing and does again what followed the close.

Exactly once per stale period, across restarts: each question is claimed in the database before
it is sent (a row of `incident_chases`, and the incident's `chased_at`, which starts its next
period, in one transaction), then marked when Telegram took it. A question still unmarked when
the sweep looks again (a crash, a Telegram failure) is sent again, unless it is no longer needed:
a kill -9 after Telegram took it repeats that one message, never more.

Who is asked: the reporting officer while they are an active officer of that kecamatan who has
not blocked the bot; otherwise, or when Telegram refuses the question for good (blocked, never
started), the other active officers of the kecamatan, who may update and close it too. With
nobody to ask, the chase is recorded all the same (so it is not retried every sweep) and logged;
the incident stays in /insiden.
"""

from __future__ import annotations

import logging
import sqlite3
from datetime import UTC, datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import Forbidden, TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.context import PoskoApp, PoskoContext
from bot.delivery import is_permanent
from bot.keyboards import answer, drop_buttons
from bot.services import Services
from domain.incidents import EventKind, Incident
from domain.members import Member
from handlers.reports.filing import refresh_alert
from handlers.reports.incidents import actor_name, may_act, open_update_dialog
from storage.incidents import FAILED, SENDING, SENT, VOID, Chase

logger = logging.getLogger(__name__)

# Often enough that a question comes at most a few minutes after the incident went stale.
SWEEP_SECONDS = 600
# New questions per sweep at most, and one per person: an officer with several silent
# incidents (or everyone, right after an upgrade) gets them one sweep apart, not in a burst.
MAX_PER_SWEEP = 50
ONGOING, DONE = "on", "end"


def chase_markup(number: int, period: datetime) -> InlineKeyboardMarkup:
    """The two answers of a chase question. "✅ Sudah selesai" names the stale period it
    answers, as epoch seconds (periods are stored to the second; at most 34 bytes in all), so
    an old question cannot close the incident once it was reopened after it."""
    done = f"stale:{number}:{DONE}:{int(period.timestamp())}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.STALE_ONGOING_BUTTON, callback_data=f"stale:{number}:{ONGOING}"
                ),
                InlineKeyboardButton(texts.STALE_DONE_BUTTON, callback_data=done),
            ]
        ]
    )


def _reachable(member: Member, kecamatan: str) -> bool:
    return member.role.is_field and member.kecamatan == kecamatan and member.blocked_at is None


def _colleagues(incident: Incident, active: dict[int, Member]) -> list[int]:
    """The other active officers of the incident's kecamatan who can be messaged."""
    return sorted(
        user_id
        for user_id, member in active.items()
        if user_id != incident.officer_id and _reachable(member, incident.kecamatan)
    )


def _recipients(incident: Incident, active: dict[int, Member]) -> list[int]:
    """The reporting officer if they can be asked, else their colleagues in that kecamatan."""
    officer = active.get(incident.officer_id)
    if officer is not None and _reachable(officer, incident.kecamatan):
        return [officer.user_id]
    return _colleagues(incident, active)


async def chase_stale(bot: Bot, services: Services) -> int:
    """Asks about every incident that went stale (and finishes interrupted questions); returns
    how many questions Telegram took."""
    async with services.runtime.chase_lock:
        await _record_unrecorded(services)
        active = {member.user_id: member for member in await services.members.active()}
        sent = 0
        unrecorded = services.runtime.unrecorded.chases
        for chase in await services.incidents.chases_sending():
            if (chase.incident, chase.period, chase.user_id) not in unrecorded:
                sent += await _deliver(bot, services, chase, active)
        now = services.clock()
        stale_after = timedelta(hours=services.settings.incident_stale_hours)
        asked: set[int] = set()
        for incident in await services.incidents.stale(now - stale_after, MAX_PER_SWEEP):
            recipients = _recipients(incident, active)
            if asked.intersection(recipients):
                continue  # still stale at the next sweep
            claimed = await services.incidents.claim_chase(incident, recipients, now)
            if claimed is None:
                continue  # updated, closed or chased meanwhile
            if not recipients:
                logger.warning(
                    "Incident #%s is stale but no officer of %s can be asked",
                    incident.number,
                    incident.kecamatan,
                )
            asked.update(recipients)
            for chase in claimed:
                sent += await _deliver(bot, services, chase, active)
        return sent


async def _record_unrecorded(services: Services) -> None:
    """Writes the records of questions Telegram took while the database refused them."""
    unrecorded = services.runtime.unrecorded.chases
    for key, message_id in list(unrecorded.items()):
        number, period, user_id = key
        chase = Chase(number, period, user_id, SENDING, services.clock())
        try:
            await services.incidents.chase_finished(
                chase, SENT, services.clock(), message_id=message_id
            )
        except sqlite3.Error as exc:
            logger.warning("Chase of incident #%s still not recorded: %s", number, exc)
            continue
        unrecorded.pop(key, None)


async def _deliver(bot: Bot, services: Services, chase: Chase, active: dict[int, Member]) -> int:
    """Sends one claimed question and records the outcome; 1 when Telegram took it."""
    now = services.clock()
    stale_after = timedelta(hours=services.settings.incident_stale_hours)
    incident = await services.incidents.get(chase.incident)
    heard = incident is not None and any(
        moment is not None and moment > chase.period
        for moment in (incident.last_update_at, incident.reopened_at)
    )
    if (
        incident is None
        or not incident.is_open
        or heard
        or now - chase.claimed_at >= stale_after  # the next period's question takes over
    ):
        await services.incidents.chase_finished(chase, VOID, now)
        return 0
    member = active.get(chase.user_id)
    if member is None or not _reachable(member, incident.kecamatan):
        # Deactivated, moved or known to have blocked the bot since the question was claimed.
        await _undeliverable(bot, services, chase, incident, "unreachable", active)
        return 0
    report = await services.reports.get(incident.number)
    tz = services.settings.timezone
    text = texts.stale_question(
        incident.number,
        incident.level,
        incident.kecamatan,
        incident.opened_at.astimezone(tz),
        chase.period.astimezone(tz),
        now - chase.period,
        incident.last_update or (report.text if report is not None else ""),
        reporter=chase.user_id == incident.officer_id,
    )
    try:
        message = await bot.send_message(
            chase.user_id, text, reply_markup=chase_markup(incident.number, chase.period)
        )
    except TelegramError as exc:
        if not is_permanent(exc):
            logger.warning(
                "Chase of incident #%s to %s not sent (%s); tried again at the next sweep",
                incident.number,
                chase.user_id,
                type(exc).__name__,
            )
            return 0
        if isinstance(exc, Forbidden) and "blocked" in str(exc).casefold():
            await services.members.set_blocked(chase.user_id, now)  # until they write again
        await _undeliverable(bot, services, chase, incident, type(exc).__name__, active)
        return 0
    key = (chase.incident, chase.period, chase.user_id)
    services.runtime.unrecorded.chases[key] = message.message_id
    try:
        await services.incidents.chase_finished(
            chase, SENT, services.clock(), message_id=message.message_id
        )
    except sqlite3.Error as exc:  # kept in memory: recorded by the next sweep, never resent
        logger.warning("Chase of incident #%s sent but not recorded: %s", incident.number, exc)
        return 1
    services.runtime.unrecorded.chases.pop(key, None)
    logger.info("Incident #%s is stale: asked %s", incident.number, chase.user_id)
    return 1


async def _undeliverable(
    bot: Bot,
    services: Services,
    chase: Chase,
    incident: Incident,
    reason: str,
    active: dict[int, Member],
) -> None:
    """Records a question that cannot reach its recipient (Telegram refused it for good, or
    they are no longer an officer there); the reporter's goes to their colleagues instead."""
    now = services.clock()
    await services.incidents.chase_finished(chase, FAILED, now, error=reason)
    logger.info(
        "Chase of incident #%s cannot reach %s: %s", incident.number, chase.user_id, reason
    )
    if chase.user_id != incident.officer_id:
        return
    others = await services.incidents.add_chase_recipients(
        incident.number, chase.period, _colleagues(incident, active), now
    )
    if not others:
        logger.warning(
            "Incident #%s is stale and no officer of %s can be asked",
            incident.number,
            incident.kecamatan,
        )
    for other in others:
        await _deliver(bot, services, other, active)


async def chase_job(context: PoskoContext) -> None:
    """Asks about the incidents that went stale since the last sweep."""
    await chase_stale(context.bot, context.services)


async def stale_cb(update: Update, context: PoskoContext) -> None:
    """Takes the answer to a chase question: still going on (asks for the perkembangan) or
    resolved (closes it with the standard note)."""
    query = update.callback_query
    if query is None or not query.data:
        return
    fields = query.data.split(":")[1:]
    number_text, choice = [*fields, "", ""][:2]
    valid = number_text.isascii() and number_text.isdigit() and len(number_text) < 13
    if not valid or choice not in (ONGOING, DONE) or len(fields) > 3:
        await answer(query, texts.STALE_BUTTON)
        return
    number = int(number_text)
    if choice == ONGOING:
        await answer(query, await open_update_dialog(context, number))
        return
    await _resolved_cb(update, context, number, _period(fields[2] if len(fields) > 2 else ""))


def _period(text: str) -> datetime | None:
    """The stale period a "✅ Sudah selesai" button names; None for one that names none (sent
    before periods were named) or a malformed one."""
    if not (text.isascii() and text.isdigit() and len(text) < 13):
        return None
    return datetime.fromtimestamp(int(text), UTC)


async def _resolved_cb(
    update: Update, context: PoskoContext, number: int, period: datetime | None
) -> None:
    """Closes the incident with the standard note, unless the question no longer holds."""
    query = update.callback_query
    if query is None:
        return
    services = context.services
    incident = await services.incidents.get(number)
    if incident is None:
        await answer(query, texts.STALE_BUTTON)
        return
    if not may_act(context, incident, closing=True):
        await answer(query, texts.NOT_YOUR_KECAMATAN[:200])
        return
    user_id = context.actor.user_id or 0
    # One close per question message: the press handled again after a crash changes nothing
    # (even if the incident was reopened since) and does again what followed the commit.
    source = (query.message.chat.id, query.message.message_id) if query.message else None
    earlier = await services.incidents.event_of(source) if source is not None else None
    if earlier is not None and earlier.kind is EventKind.CLOSE and earlier.actor_id == user_id:
        await _closed(update, context, number)
        return
    if earlier is not None:
        source = None  # this question closed it for someone else (a forged press): not a replay
    if not incident.is_open:
        await answer(query, texts.stale_already_closed(number))
        await drop_buttons(query)
        return
    refusal = await _no_longer_asked(services, incident, period, user_id)
    if refusal is not None:  # shown until dismissed: it says what to do instead
        await answer(query, refusal, show_alert=True)
        return
    closed = await services.incidents.close(
        number,
        user_id,
        actor_name(context, update),
        services.clock(),
        texts.STALE_CLOSING_NOTE,
        source=source,
    )
    if closed is None:  # closed by someone else in between
        await answer(query, texts.stale_already_closed(number))
        await drop_buttons(query)
        return
    await _closed(update, context, number)


async def _no_longer_asked(
    services: Services, incident: Incident, period: datetime | None, user_id: int
) -> str | None:
    """Why a "✅ Sudah selesai" no longer holds: the incident was reopened after the question
    (it answered for the time before), or the question was voided (no longer needed when it
    was to be sent again after a crash); None when it holds."""
    number = incident.number
    if period is None:
        return texts.stale_question_expired(number)
    if incident.reopened_at is not None and incident.reopened_at > period:
        return texts.stale_reopened(number)
    asked = [chase for chase in await services.incidents.chases(number) if chase.period == period]
    mine = [chase for chase in asked if chase.user_id == user_id] or asked
    if all(chase.state == VOID for chase in mine):  # also none at all: not a question we sent
        return texts.stale_question_expired(number)
    return None


async def _closed(update: Update, context: PoskoContext, number: int) -> None:
    """What follows closing by "✅ Sudah selesai": the press answered, the question without
    buttons, the alert refreshed, the officer told."""
    query = update.callback_query
    if query is None:
        return
    await answer(query)
    await drop_buttons(query)
    await refresh_alert(context.bot, context.services, number)
    if query.message is not None:
        await context.bot.send_message(query.message.chat.id, texts.stale_closed(number))


def register(app: PoskoApp) -> None:
    """Adds the answers to chase questions and the sweep that asks them."""
    app.add_handler(CallbackQueryHandler(stale_cb, pattern=r"^stale:"))
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    app.job_queue.run_repeating(chase_job, interval=SWEEP_SECONDS, first=60, name="chase stale")
