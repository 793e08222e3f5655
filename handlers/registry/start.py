"""`/start`, `/bantuan` and `/help`: a greeting and the commands this user may use."""

from __future__ import annotations

from telegram import Update

from bot import texts
from bot.access import EVERYWHERE, Access
from bot.commands import LAST, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.texts import commands as help_texts
from domain.parsing import command_args
from handlers.reports import incidents


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
    member = actor.member
    status = {
        Access.UNKNOWN: texts.NOT_REGISTERED,
        Access.PENDING: texts.PENDING_WAIT,
        Access.INACTIVE: texts.INACTIVE,
    }.get(actor.access)
    if status is None and member is not None:
        status = texts.registered_as(member.name, member.role, member.kecamatan)
    body = texts.welcome(user.first_name, status, context.commands.help_lines(actor.access))
    ids = texts.your_id(user.id)
    if message.chat.type != "private":
        ids += "\n" + texts.group_id(message.chat_id)
    await message.reply_text(f"{body}\n\n{ids}")


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
        "the same greeting, with the commands you may use",
        menu=frozenset({Access.UNKNOWN, Access.PETUGAS, Access.KOORDINATOR, Access.ADMIN}),
        rank=LAST,
        aliases=("help",),
    ),
)


def register(app: PoskoApp) -> None:
    """Adds the greeting commands."""
    add_commands(app, COMMANDS)
