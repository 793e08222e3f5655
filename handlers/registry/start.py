"""`/start`, `/bantuan` and `/help`: a greeting and the commands this user may use (an officer's,
in their private chat, a page at a time)."""

from __future__ import annotations

import logging
import math

from telegram import InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import EVERYWHERE, Access
from bot.commands import LAST, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer, pager
from bot.texts import commands as help_texts
from domain.enums import Role
from domain.parsing import command_args
from handlers.reports import incidents

logger = logging.getLogger(__name__)
HELP_PAGER = "bantuan"


# An officer's /start and /bantuan in their private chat fit one phone screen: this many
# command lines a page, turned with ⬅️/➡️ (shared/domain.md; issue 18).
OFFICER_HELP_PAGE = 5


def _help_view(
    context: PoskoContext, user_id: int, chat_id: int, private: bool, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """The greeting, one page of the commands the sender may use, and their ids."""
    actor = context.actor
    member = actor.member
    status = {
        Access.UNKNOWN: texts.NOT_REGISTERED,
        Access.PENDING: texts.PENDING_WAIT,
        Access.INACTIVE: texts.INACTIVE,
    }.get(actor.access)
    title = None
    if status is None and member is not None:
        title = texts.member_title(member.role, member.kecamatan)
        status = texts.registered_as(member.name)
    elif actor.is_admin:
        title = texts.ROLE_NAMES[Role.ADMIN]  # an admin from ADMIN_IDS, not in the registry
    greeting = texts.welcome(title, status)
    lines = context.commands.help_lines(actor.access)
    ids = texts.your_id(user_id)
    if not private:
        ids += "\n" + texts.group_id(chat_id)
    size = OFFICER_HELP_PAGE if private and actor.access is Access.PETUGAS else len(lines)
    pages = max(1, math.ceil(len(lines) / max(size, 1)))
    page = min(max(page, 0), pages - 1)
    shown = lines[page * size : (page + 1) * size]
    text = texts.help_page(greeting, shown, ids, page, pages)
    return text, pager(HELP_PAGER, page, pages)


async def start_cmd(update: Update, context: PoskoContext) -> None:
    """Greets the user, says what they are registered as and lists what they can do."""
    message = update.effective_message
    user = update.effective_user
    actor = context.actor
    if message is None:
        return
    if actor.access is Access.ANONYMOUS or user is None:
        await message.reply_text(f"{texts.ANONYMOUS}\n\n{texts.group_id(message.chat_id)}")
        return
    payload = command_args(message.text or "")
    # A t.me link with `?start=...` (the "➕ Perkembangan" link of a group alert).
    private = message.chat.type == "private"
    if private and payload and await incidents.update_link_start(update, context, payload):
        return
    text, markup = _help_view(context, user.id, message.chat_id, private, 0)
    await message.reply_text(text, reply_markup=markup)


async def help_page_cb(update: Update, context: PoskoContext) -> None:
    """Turns a page of an officer's /bantuan in place ("bantuan:<page>")."""
    query = update.callback_query
    user = update.effective_user
    if query is None or user is None or query.message is None:
        return
    try:
        page = int((query.data or "").split(":")[1])
    except (IndexError, ValueError):
        await answer(query, texts.STALE_BUTTON)
        return
    text, markup = _help_view(context, user.id, query.message.chat.id, True, page)
    await answer(query)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except TelegramError as exc:
        logger.info("Help page not updated: %s", exc)


COMMANDS = (
    Command(
        "start",
        start_cmd,
        EVERYWHERE,
        help_texts.START.menu,
        help_texts.START.help,
        "greeting, your role, the commands you may use, your numeric id (and the group id in a "
        "group); opened from an alert's ➕ Perkembangan link (`/start upd-<nomor>`), it asks "
        "for the incident's perkembangan instead",
        menu=frozenset({Access.UNKNOWN}),
        rank=10,
    ),
    Command(
        "bantuan",
        start_cmd,
        EVERYWHERE,
        help_texts.BANTUAN.menu,
        help_texts.BANTUAN.help,
        "the same greeting, with the commands you may use (an officer's, in a private chat, 5 "
        "a page with ⬅️/➡️)",
        menu=frozenset({Access.UNKNOWN, Access.PETUGAS, Access.KOORDINATOR, Access.ADMIN}),
        rank=LAST,
        aliases=("help",),
    ),
)


def register(app: PoskoApp) -> None:
    """Adds the greeting commands and the pages of an officer's /bantuan."""
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(help_page_cb, pattern=rf"^{HELP_PAGER}:"))
