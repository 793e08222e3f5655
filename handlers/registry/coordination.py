"""`/grup_koordinasi`: an admin makes the current group the coordination group."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.access import ADMIN, Rule
from bot.commands import Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.notify import follow_migration
from bot.texts import commands as help_texts

logger = logging.getLogger(__name__)


async def grup_koordinasi_cmd(update: Update, context: PoskoContext) -> None:
    """Stores this group as the coordination group (it then wins over COORDINATION_CHAT_ID)."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    chat_id = message.chat_id
    await services.set_coordination_chat(chat_id, context.actor.user_id)
    logger.info("Coordination group set to %s by %s", chat_id, context.actor.user_id)
    await message.reply_text(texts.COORDINATION_SET)


async def migrated_msg(update: Update, context: PoskoContext) -> None:
    """Follows the coordination group when Telegram turns it into a supergroup."""
    message = update.effective_message
    if message is not None and message.migrate_to_chat_id is not None:
        await follow_migration(context.services, message.chat_id, message.migrate_to_chat_id)


COMMANDS = (
    Command(
        "grup_koordinasi",
        grup_koordinasi_cmd,
        Rule(coordination=ADMIN, group=ADMIN),
        help_texts.GRUP_KOORDINASI.menu,
        help_texts.GRUP_KOORDINASI.help,
        "makes the group it is sent in the coordination group (stored; wins over "
        "`COORDINATION_CHAT_ID`)",
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/grup_koordinasi` and the group-migration watcher."""
    add_commands(app, COMMANDS)
    app.add_handler(MessageHandler(filters.StatusUpdate.MIGRATE, migrated_msg))
