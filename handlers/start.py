"""`/start`, `/bantuan` and `/help`: a greeting and the commands this user may use."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.access import resolve_actor
from bot.context import PoskoApp, PoskoContext


async def start_cmd(update: Update, context: PoskoContext) -> None:
    """Greets the user and lists what they can do."""
    message = update.effective_message
    user = update.effective_user
    if message is None or user is None:
        return
    actor = await resolve_actor(update, context.services)
    if actor.anonymous:
        await message.reply_text(texts.ANONYMOUS)
        return
    officer = actor.officer
    if officer is not None and not officer.is_active:
        status: str | None = texts.INACTIVE
    elif officer is not None:
        status = texts.officer_line(officer.name, officer.role, officer.kecamatan)
    else:
        status = None
    body = texts.welcome(user.first_name, is_admin=actor.is_admin, officer_line=status)
    ids = texts.your_id(user.id)
    if message.chat.type != "private":
        ids += "\n" + texts.group_id(message.chat_id)
    await message.reply_text(f"{body}\n\n{ids}")


def register(app: PoskoApp) -> None:
    """Adds the greeting commands."""
    app.add_handler(CommandHandler(["start", "bantuan", "help"], start_cmd))
