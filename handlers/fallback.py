"""Last-resort answer in private chats: commands the bot does not know."""

from __future__ import annotations

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.access import command_of
from bot.context import PoskoApp, PoskoContext


async def unknown_cmd(update: Update, context: PoskoContext) -> None:
    """Tells the user the command is unknown and where to find the list."""
    message = update.effective_message
    if message is None or command_of(message, context.bot.username or "") is None:
        return  # meant for another bot
    await message.reply_text(texts.UNKNOWN_COMMAND)


def register(app: PoskoApp) -> None:
    """Adds the fallback; must be registered after every feature."""
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_cmd))
