"""Last-resort answers in private chats: unknown commands and plain text."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler, MessageHandler, filters

from bot import texts
from bot.context import PoskoApp, PoskoContext

# Commands that only make sense in a private chat with the bot.
PRIVATE_COMMANDS = ("lapor", "tambah")


async def private_only_cmd(update: Update, context: PoskoContext) -> None:
    """Points a user who typed a private-chat command in a group to the private chat."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.PRIVATE_ONLY)


async def unknown_cmd(update: Update, context: PoskoContext) -> None:
    """Tells the user the command is unknown and where to find the list."""
    message = update.effective_message
    if message is None or not message.text:
        return
    _, _, addressee = message.text.split(maxsplit=1)[0].partition("@")
    if addressee and addressee.casefold() != (context.bot.username or "").casefold():
        return  # meant for another bot
    await message.reply_text(texts.UNKNOWN_COMMAND)


async def plain_text_msg(update: Update, context: PoskoContext) -> None:
    """Reminds the user how to report."""
    message = update.effective_message
    if message is not None:
        await message.reply_text(texts.PLAIN_TEXT_HINT)


def register(app: PoskoApp) -> None:
    """Adds the fallbacks; must be registered after every feature."""
    app.add_handler(
        CommandHandler(PRIVATE_COMMANDS, private_only_cmd, filters=filters.ChatType.GROUPS)
    )
    private = filters.ChatType.PRIVATE & filters.UpdateType.MESSAGE
    app.add_handler(MessageHandler(private & filters.COMMAND, unknown_cmd))
    app.add_handler(MessageHandler(private & filters.TEXT & ~filters.COMMAND, plain_text_msg))
