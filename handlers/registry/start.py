"""`/start`, `/bantuan` and `/help`: a greeting and the commands this user may use."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.access import Access
from bot.context import PoskoApp, PoskoContext


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
    member = actor.member
    status = {
        Access.UNKNOWN: texts.NOT_REGISTERED,
        Access.PENDING: texts.PENDING_WAIT,
        Access.INACTIVE: texts.INACTIVE,
    }.get(actor.access)
    if status is None and member is not None:
        status = texts.registered_as(member.name, member.role, member.kecamatan)
    body = texts.welcome(user.first_name, actor.access.value, status)
    ids = texts.your_id(user.id)
    if message.chat.type != "private":
        ids += "\n" + texts.group_id(message.chat_id)
    await message.reply_text(f"{body}\n\n{ids}")


def register(app: PoskoApp) -> None:
    """Adds the greeting commands."""
    app.add_handler(CommandHandler(["start", "bantuan", "help"], start_cmd))
