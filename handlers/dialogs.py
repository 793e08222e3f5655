"""Typed answers in private chats go to the user's open dialog; `/batal` leaves it.

A dialog nobody touched for `FORM_IDLE_HOURS` (default 4: officers in the field are interrupted)
is closed, and its user gets back what they had typed.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import ReplyKeyboardRemove, Update
from telegram.error import BadRequest, Forbidden, TelegramError
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.access import PEOPLE, Access, Rule
from bot.commands import LATE, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.texts import commands as help_texts
from domain.enums import Level
from handlers.arahan import confirm as arahan_confirm
from handlers.arahan import form as arahan_form
from handlers.logistik import confirm as logistik
from handlers.registry import daftar
from handlers.reports import album, incidents
from handlers.reports import form as lapor_form
from handlers.reports.media import attached_to
from storage.drafts import Draft

logger = logging.getLogger(__name__)

# How long past its idle time an expired dialog's notice is retried before the dialog goes.
EXPIRY_RETRIES = timedelta(days=1)

InputHandler = Callable[[Update, PoskoContext, Draft], Awaitable[None]]

# Each dialog (draft flow) and the function that takes its typed answers.
FLOWS: dict[str, InputHandler] = {
    daftar.FLOW: daftar.daftar_input,
    lapor_form.FLOW: lapor_form.form_input,
    incidents.FLOW: incidents.update_input,
    logistik.FLOW: logistik.logistik_input,
    arahan_form.FLOW: arahan_form.form_input,
    arahan_confirm.ANSWER_FLOW: arahan_confirm.answer_input,
}
CANCELLED: dict[str, str] = {
    daftar.FLOW: texts.DAFTAR_CANCELLED,
    lapor_form.FLOW: texts.FORM_CANCELLED,
    incidents.FLOW: texts.UPDATE_CANCELLED,
    logistik.FLOW: texts.LOGISTIK_CANCELLED,
    arahan_form.FLOW: texts.ARAHAN_FORM_CANCELLED,
    arahan_confirm.ANSWER_FLOW: texts.ARAHAN_ANSWER_CANCELLED,
}


def expired_notice(draft: Draft, idle: timedelta) -> str | None:
    """What a user is told when their dialog is closed for lack of activity: for the report
    and registration forms, with what they had typed. None: a flow this version no longer has."""
    data = draft.data
    if draft.flow == lapor_form.FLOW:
        level = Level(int(data["level"])) if data.get("level") is not None else None
        attachments = lapor_form.attachment_count(data)
        return texts.form_expired(idle, level, str(data.get("text") or ""), attachments)
    if draft.flow == daftar.FLOW:
        return texts.daftar_expired(idle, data.get("name"))
    if draft.flow == incidents.FLOW:
        return texts.update_expired(idle)
    if draft.flow == logistik.FLOW:
        return texts.logistik_expired(idle)
    if draft.flow == arahan_form.FLOW:
        return texts.arahan_form_expired(idle)
    if draft.flow == arahan_confirm.ANSWER_FLOW:
        return texts.arahan_answer_expired(idle)
    return None


async def input_msg(update: Update, context: PoskoContext) -> None:
    """Routes a private, non-command message to the open dialog, or says it was not recorded."""
    message = update.effective_message
    user_id = context.actor.user_id
    if message is None or user_id is None:
        return
    services = context.services
    draft = await services.drafts.get(user_id)
    if message.media_group_id is not None and context.actor.officer is not None:
        # An album outside a form (or one already being collected) is one report or none.
        collecting = await services.albums.has(message.chat_id, message.media_group_id)
        if draft is None or collecting:
            await album.collect(update, context)
            return
    handler = FLOWS.get(draft.flow) if draft else None
    attached = attached_to(message)
    if draft is not None and handler is not None:
        await handler(update, context, draft)
    elif attached is not None:
        await message.reply_text(texts.not_recorded(attached.kind))
    elif message.text or message.document or message.location:
        await message.reply_text(texts.PLAIN_TEXT_HINT)
    # stickers, reactions and the like outside a dialog: answering would be noise


async def batal_cmd(update: Update, context: PoskoContext) -> None:
    """Discards the user's open dialog."""
    message = update.effective_message
    user_id = context.actor.user_id
    if message is None or user_id is None:
        return
    draft = await context.services.drafts.get(user_id)
    if draft is None:
        await message.reply_text(texts.NOTHING_TO_CANCEL, reply_markup=ReplyKeyboardRemove())
        return
    await context.services.drafts.delete(user_id)
    await message.reply_text(
        CANCELLED.get(draft.flow, texts.NOTHING_TO_CANCEL), reply_markup=ReplyKeyboardRemove()
    )


async def expire_forms_job(context: PoskoContext) -> None:
    """Discards dialogs left idle for FORM_IDLE_HOURS, giving their users back what they typed.

    The notice goes first and the dialog only once it is delivered (and untouched since): a
    notice Telegram did not take keeps the dialog for the next sweep, so what was typed is
    never lost to a network fault. A user who cannot be reached (blocked the bot, or the chat is
    gone) will not be: their dialog goes. Nor are deliveries retried for ever: a day past its
    idle time the dialog goes whatever happens.
    """
    services = context.services
    idle = timedelta(hours=services.settings.form_idle_hours)
    now = services.clock()
    for draft in await services.drafts.idle(now - idle):
        notice = expired_notice(draft, idle)
        given_up = draft.updated_at is not None and draft.updated_at < now - idle - EXPIRY_RETRIES
        if notice is not None and not given_up:
            try:
                await context.bot.send_message(
                    draft.user_id, notice, reply_markup=ReplyKeyboardRemove()
                )
            except (Forbidden, BadRequest) as exc:
                logger.info("Could not tell %s their form expired: %s", draft.user_id, exc)
            except TelegramError as exc:
                logger.info("Expiry notice to %s failed (%s); next sweep", draft.user_id, exc)
                continue
        elif notice is not None:
            logger.warning("Expiry notice to %s never delivered; form discarded", draft.user_id)
        await services.drafts.delete_if_unchanged(draft)


COMMANDS = (
    Command(
        "batal",
        batal_cmd,
        Rule(private=PEOPLE),
        help_texts.BATAL.menu,
        help_texts.BATAL.help,
        "leaves the open form (registration, report, perkembangan, arahan or an answer to one) "
        "at any step",
        menu=frozenset({Access.PETUGAS}),
        rank=LATE,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/batal`, the router for typed answers and the idle sweep."""
    add_commands(app, COMMANDS)
    private_input = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE & ~filters.COMMAND
    app.add_handler(MessageHandler(private_input, input_msg))
    if app.job_queue is not None:
        app.job_queue.run_repeating(expire_forms_job, interval=60, first=5, name="expire forms")
