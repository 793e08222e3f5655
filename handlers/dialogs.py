"""Typed answers in private chats go to the user's open dialog; `/batal` leaves it."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from datetime import timedelta

from telegram import ReplyKeyboardRemove, Update
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.access import PEOPLE, Access, Rule
from bot.commands import LATE, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.texts import commands as help_texts
from handlers.arahan import confirm as arahan_confirm
from handlers.arahan import form as arahan_form
from handlers.logistik import confirm as logistik
from handlers.registry import daftar
from handlers.reports import form as lapor_form
from handlers.reports import incidents
from storage.drafts import Draft

logger = logging.getLogger(__name__)

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
EXPIRED: dict[str, str] = {
    daftar.FLOW: texts.DAFTAR_EXPIRED,
    lapor_form.FLOW: texts.FORM_EXPIRED,
    incidents.FLOW: texts.UPDATE_EXPIRED,
    logistik.FLOW: texts.LOGISTIK_EXPIRED,
    arahan_form.FLOW: texts.ARAHAN_FORM_EXPIRED,
    arahan_confirm.ANSWER_FLOW: texts.ARAHAN_ANSWER_EXPIRED,
}
# A dialog nobody touched for this long is discarded (and its user told).
IDLE_LIMIT = timedelta(minutes=30)


async def input_msg(update: Update, context: PoskoContext) -> None:
    """Routes a private, non-command message to the open dialog, or hints how to report."""
    message = update.effective_message
    user_id = context.actor.user_id
    if message is None or user_id is None:
        return
    draft = await context.services.drafts.get(user_id)
    handler = FLOWS.get(draft.flow) if draft else None
    if draft is not None and handler is not None:
        await handler(update, context, draft)
    elif message.text or message.photo or message.document or message.voice or message.location:
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
    """Discards dialogs left idle for 30 minutes, telling their users."""
    services = context.services
    for draft in await services.drafts.idle(services.clock() - IDLE_LIMIT):
        notice = EXPIRED.get(draft.flow)  # a flow this version no longer has: just forget it
        if await services.drafts.delete_if_unchanged(draft) and notice is not None:
            try:
                await context.bot.send_message(
                    draft.user_id, notice, reply_markup=ReplyKeyboardRemove()
                )
            except TelegramError:
                logger.info("Could not tell %s their form expired", draft.user_id)


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
