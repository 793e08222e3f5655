"""Incidents: `/perkembangan` and the "➕ Perkembangan" button, `/selesai`, `/buka`.

The button is on the receipt and on a private /insiden page (callback `upd:<number>`), and on
the group alert as a link that opens the private chat (`/start upd-<number>`): all of them open
the same one-message dialog, which never replaces a /lapor form being filled in.

Take-up is the "✅ Diterima" button (handlers.reports.escalation). Every step is stored with
who and when (storage.incidents); the reports themselves are never changed.
"""

from __future__ import annotations

import logging
import re

from telegram import Bot, ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import STAFF, Access, Rule
from bot.commands import PETUGAS_MENU, STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer
from bot.notify import send_group
from bot.services import Services
from bot.texts import commands as help_texts
from domain.incidents import Incident, IncidentState, NewUpdate, split_update
from domain.parsing import MAX_REPORT_TEXT, command_args, is_blank, utf16_len
from handlers.reports.filing import UPDATE_LINK, escalate, refresh_alert
from storage.drafts import Draft

logger = logging.getLogger(__name__)

FLOW = "perkembangan"
_NUMBER_TEXT = re.compile(r"#?(\d{1,12})(?:\s+(.+))?\Z", re.DOTALL)


def actor_name(context: PoskoContext, update: Update) -> str:
    """How the sender is named on an incident's timeline: their registered name."""
    member = context.actor.member
    if member is not None:
        return member.name
    user = update.effective_user
    return user.full_name if user is not None else "-"


def may_act(context: PoskoContext, incident: Incident, *, closing: bool = False) -> bool:
    """Koordinators and admins always; officers of the incident's kecamatan; for closing, also
    the officer who reported it."""
    actor = context.actor
    if actor.access in STAFF:
        return True
    officer = actor.officer
    if officer is None:
        return False
    if closing and officer.user_id == incident.officer_id:
        return True
    return officer.kecamatan == incident.kecamatan


async def _incident_of(context: PoskoContext, number: int) -> tuple[Incident | None, str | None]:
    """The incident of report #number, or the answer why there is none."""
    incident = await context.services.incidents.of_report(number)
    if incident is None:
        return None, texts.no_incident(number)
    return incident, None


async def record_update(
    bot: Bot, services: Services, new: NewUpdate, actor_name: str, *, staff: bool = False
) -> str:
    """Stores a perkembangan and tells the group; returns the answer for whoever sent it.

    A Waspada incident raised to Rawan/Darurat is posted as an alert then (once: the escalation
    claims it); an update of an incident whose alert is out goes under that alert.

    The same message again (handled again after a crash) is stored once, and whatever should
    have followed the commit is done again: the alert is refreshed (harmless twice), the update
    is posted under it unless it was recorded as posted, the escalation is claimed once.
    """
    changed = await services.incidents.add_update(new)
    if changed is None:
        return texts.incident_closed(new.incident, staff=staff)
    _, after, _ = changed
    report = await services.reports.get(after.number)
    if report is not None and report.escalation_message_id is not None:
        await _post_under_alert(bot, services, after, report.escalation_chat_id,
                                report.escalation_message_id, new, actor_name)  # fmt: skip
        await refresh_alert(bot, services, after.number)
    elif report is not None and after.level.escalates and report.escalated_at is None:
        officer = await services.members.get(report.officer_id)
        if officer is not None:
            services.spawn(escalate(bot, services, report, officer))
    return texts.update_saved(after.number, after.level)


async def _post_under_alert(
    bot: Bot, services: Services, incident: Incident, chat_id: int | None, message_id: int,
    new: NewUpdate, actor_name: str,
) -> None:  # fmt: skip
    """Posts the perkembangan under the group alert, unless it was posted before (recorded
    once Telegram took it: a crash in between repeats this one message, never more)."""
    stored = await services.incidents.event_of(new.source) if new.source is not None else None
    if stored is not None and stored.posted_message_id is not None:
        return
    at = stored.at if stored is not None else new.at
    same_chat = chat_id == services.coordination_chat_id
    below = ReplyParameters(message_id, allow_sending_without_reply=True) if same_chat else None
    notice = texts.update_for_group(
        incident.number, incident.level, incident.kecamatan, actor_name,
        at.astimezone(services.settings.timezone), new.text,
    )  # fmt: skip
    try:
        posted = await send_group(bot, services, notice, reply_parameters=below)
    except TelegramError as exc:  # stored; the alert and /lihat show it
        logger.warning("Update of incident #%s not posted: %s", incident.number, exc)
        return
    if posted is not None and new.source is not None:
        await services.incidents.mark_posted(new.source, posted.message_id)


async def perkembangan_cmd(update: Update, context: PoskoContext) -> None:
    """Adds a perkembangan (optionally with a new level) to the incident of a report."""
    message = update.effective_message
    if message is None:
        return
    match = _NUMBER_TEXT.match(command_args(message.text or ""))
    if not match or not match[2] or is_blank(match[2]):
        await message.reply_text(texts.PERKEMBANGAN_USAGE)
        return
    await _update_from(update, context, int(match[1]), match[2])


async def _update_from(update: Update, context: PoskoContext, number: int, typed: str) -> bool:
    """Checks and records a typed perkembangan; False when it was refused."""
    message = update.effective_message
    if message is None:
        return False
    level, text = split_update(typed)
    if utf16_len(text) > MAX_REPORT_TEXT:
        await message.reply_text(texts.lapor_too_long(MAX_REPORT_TEXT))
        return False
    incident, problem = await _incident_of(context, number)
    if incident is None:
        await message.reply_text(problem or texts.no_incident(number))
        return False
    if not may_act(context, incident):
        await message.reply_text(texts.NOT_YOUR_KECAMATAN)
        return False
    services = context.services
    user_id = context.actor.user_id or 0
    name = actor_name(context, update)
    new = NewUpdate(
        incident.number,
        user_id,
        name,
        services.clock(),
        text,
        level,
        source=(message.chat_id, message.message_id),
    )
    staff = context.actor.access in STAFF
    reply = await record_update(context.bot, services, new, name, staff=staff)
    await message.reply_text(reply)
    return True


async def update_button_cb(update: Update, context: PoskoContext) -> None:
    """Asks for the perkembangan of an incident in one message (the receipt's button, and the
    buttons of a private /insiden page)."""
    query = update.callback_query
    if query is None or not query.data:
        return
    number_text = query.data.partition(":")[2]
    if not (number_text.isascii() and number_text.isdigit() and len(number_text) < 13):
        await answer(query, texts.STALE_BUTTON)
        return
    refusal = await open_update_dialog(context, int(number_text))
    await answer(query, refusal)


async def open_update_dialog(context: PoskoContext, number: int) -> str | None:
    """Asks the sender privately for a perkembangan of incident #number in one message.

    Returns a short refusal for the caller to show (unknown incident, not theirs), or None when
    a message was sent: the question, "already resolved", or "finish your form first". A form
    the officer is filling in (`/lapor`) is never replaced: what they typed would be lost.
    """
    user_id = context.actor.user_id
    if user_id is None:
        return texts.STALE_BUTTON
    services = context.services
    incident = await services.incidents.get(number)
    if incident is None:
        return texts.STALE_BUTTON
    if not may_act(context, incident):
        return texts.NOT_YOUR_KECAMATAN[:200]
    if not incident.is_open:
        staff = context.actor.access in STAFF
        closed = texts.incident_closed(incident.number, staff=staff)
        await context.bot.send_message(user_id, closed)
        return None
    dialog = Draft(user_id, FLOW, "text", {"incident": incident.number})
    busy = await services.drafts.put_unless_busy(dialog, services.clock(), replaces={FLOW})
    if busy is not None:
        await context.bot.send_message(user_id, texts.finish_form_first(incident.number))
        return None
    await context.bot.send_message(user_id, texts.ask_update(incident.number))
    return None


async def update_link_start(update: Update, context: PoskoContext, payload: str) -> bool:
    """Handles `/start upd-<number>`, sent when the alert's "➕ Perkembangan" link is opened;
    False when the payload is not such a link or the sender may update no incident (they get
    the ordinary greeting)."""
    message = update.effective_message
    if message is None or not payload.startswith(UPDATE_LINK):
        return False
    number_text = payload.removeprefix(UPDATE_LINK)
    if not (number_text.isascii() and number_text.isdigit() and len(number_text) < 13):
        return False
    if context.actor.access is not Access.PETUGAS and context.actor.access not in STAFF:
        return False
    refusal = await open_update_dialog(context, int(number_text))
    if refusal is not None:
        await message.reply_text(refusal)
    return True


async def update_input(update: Update, context: PoskoContext, draft: Draft) -> None:
    """Takes the one message of a perkembangan asked for by the button."""
    message = update.effective_message
    if message is None:
        return
    typed = message.text or message.caption or ""
    if is_blank(typed):
        await message.reply_text(texts.UPDATE_EMPTY)
        return
    number = int(draft.data.get("incident", 0))
    # The dialog ends once the update is stored (a crash before that keeps the dialog, so the
    # replayed message still reaches it); a refused update ends it too, with its answer.
    await _update_from(update, context, number, typed)
    await context.services.drafts.delete(draft.user_id)


async def selesai_cmd(update: Update, context: PoskoContext) -> None:
    """Closes the incident of a report with a closing note."""
    message = update.effective_message
    if message is None:
        return
    match = _NUMBER_TEXT.match(command_args(message.text or ""))
    if not match or not match[2] or is_blank(match[2]):
        await message.reply_text(texts.SELESAI_USAGE)
        return
    note = match[2].strip()
    if utf16_len(note) > MAX_REPORT_TEXT:
        await message.reply_text(texts.lapor_too_long(MAX_REPORT_TEXT))
        return
    incident, problem = await _incident_of(context, int(match[1]))
    if incident is None:
        await message.reply_text(problem or "")
        return
    if not may_act(context, incident, closing=True):
        await message.reply_text(texts.NOT_YOUR_KECAMATAN)
        return
    services = context.services
    closed = await services.incidents.close(
        incident.number,
        context.actor.user_id or 0,
        actor_name(context, update),
        services.clock(),
        note,
        source=(message.chat_id, message.message_id),
    )
    if closed is None:
        staff = context.actor.access in STAFF
        await message.reply_text(texts.incident_closed(incident.number, staff=staff))
        return
    # Also when this message was stored before (handled again after a crash): what followed
    # the commit is done again; the alert shows the incident as it is now.
    await refresh_alert(context.bot, services, incident.number)
    await message.reply_text(texts.closed_done(incident.number))


async def buka_cmd(update: Update, context: PoskoContext) -> None:
    """Reopens a resolved incident (koordinator and admin; the gate checked)."""
    message = update.effective_message
    if message is None:
        return
    match = _NUMBER_TEXT.match(command_args(message.text or ""))
    if not match or match[2]:
        await message.reply_text(texts.BUKA_USAGE)
        return
    incident, problem = await _incident_of(context, int(match[1]))
    if incident is None:
        await message.reply_text(problem or "")
        return
    services = context.services
    reopened = await services.incidents.reopen(
        incident.number,
        context.actor.user_id or 0,
        actor_name(context, update),
        services.clock(),
        source=(message.chat_id, message.message_id),
    )
    if reopened is None:
        await message.reply_text(texts.incident_still_open(incident.number))
        return
    after, _ = reopened  # stored before (a replay): refreshed and answered all the same
    await refresh_alert(context.bot, services, incident.number)
    state = IncidentState.DITANGANI if after.taken_at is not None else IncidentState.BARU
    await message.reply_text(texts.reopened_done(incident.number, state))


# Officers privately; koordinators and admins privately and in the coordination group. Which
# incidents an officer may touch (their kecamatan) is checked by the handler.
UPDATERS = Rule(
    private=frozenset({Access.PETUGAS}) | STAFF,
    coordination=STAFF,
)
COMMANDS = (
    Command(
        "perkembangan",
        perkembangan_cmd,
        UPDATERS,
        help_texts.PERKEMBANGAN.menu,
        help_texts.PERKEMBANGAN.help,
        "adds an update to the incident of any of its reports, optionally starting with a new "
        "level (`rawan`); officers of that kecamatan, koordinators, admins; a Waspada incident "
        "raised to Rawan/Darurat is posted to the group, updates of posted ones go under the "
        "alert",
        usage="<nomor> [tingkat] <teks>",
        menu=PETUGAS_MENU | STAFF_MENU,
    ),
    Command(
        "selesai",
        selesai_cmd,
        UPDATERS,
        help_texts.SELESAI.menu,
        help_texts.SELESAI.help,
        "resolves an incident with a closing note (the reporting officer, officers of that "
        "kecamatan, koordinators, admins); the group alert shows it",
        usage="<nomor> <catatan>",
        menu=PETUGAS_MENU | STAFF_MENU,
    ),
    Command(
        "buka",
        buka_cmd,
        Rule(private=STAFF, coordination=STAFF),
        help_texts.BUKA.menu,
        help_texts.BUKA.help,
        "reopens a resolved incident",
        usage="<nomor>",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/perkembangan`, `/selesai`, `/buka` and the "➕ Perkembangan" button."""
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(update_button_cb, pattern=r"^upd:"))
