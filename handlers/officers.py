"""`/tambah`: admins register (or update) a field officer."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler, filters

from bot import texts
from bot.access import resolve_actor
from bot.context import PoskoApp, PoskoContext
from bot.parsing import OfficerArgsError, OfficerArgsInvalid, command_args, parse_officer_args

logger = logging.getLogger(__name__)


def _error_text(reason: OfficerArgsError, valid_kecamatan: tuple[str, ...]) -> str:
    return {
        OfficerArgsError.USAGE: texts.TAMBAH_USAGE,
        OfficerArgsError.USER_ID: texts.TAMBAH_BAD_USER_ID,
        OfficerArgsError.ROLE: texts.TAMBAH_BAD_ROLE,
        OfficerArgsError.KECAMATAN: texts.tambah_bad_kecamatan(valid_kecamatan),
        OfficerArgsError.NAME: texts.TAMBAH_BAD_NAME,
    }[reason]


async def tambah_cmd(update: Update, context: PoskoContext) -> None:
    """Registers an active officer from `/tambah <id> | <peran> | <kecamatan> | <nama>`."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    actor = await resolve_actor(update, services)
    if actor.anonymous:
        await message.reply_text(texts.ANONYMOUS)
        return
    if not actor.is_admin:
        await message.reply_text(texts.ADMIN_ONLY)
        return
    try:
        args = parse_officer_args(command_args(message.text or ""), services.region)
    except OfficerArgsInvalid as exc:
        await message.reply_text(_error_text(exc.reason, services.region.kecamatan))
        return
    officer, added = await services.officers.upsert(
        args.user_id, args.role, args.kecamatan, args.name, services.clock()
    )
    logger.info("Admin %s saved officer %s (added=%s)", actor.user_id, officer.user_id, added)
    await message.reply_text(
        texts.officer_saved(
            officer.name, officer.role, officer.kecamatan, officer.user_id, added=added
        )
    )
    try:
        await context.bot.send_message(
            officer.user_id, texts.officer_welcome(officer.role, officer.kecamatan)
        )
    except TelegramError as exc:
        # The officer has not opened a chat with the bot yet; /start will greet them later.
        logger.info("Could not greet officer %s: %s", officer.user_id, type(exc).__name__)


def register(app: PoskoApp) -> None:
    """Adds `/tambah` (private chats)."""
    app.add_handler(CommandHandler("tambah", tambah_cmd, filters=filters.ChatType.PRIVATE))
