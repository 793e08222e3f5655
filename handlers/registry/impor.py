"""`/impor`: admins register many members at once from a CSV file, all or nothing."""

from __future__ import annotations

import logging

from telegram import Document, Message, Update
from telegram.error import TelegramError
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.access import ADMIN_PRIVATE, command_of
from bot.commands import ADMIN_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.menus import refresh_menu
from bot.texts import commands as help_texts
from domain.roster import RosterFileError, RosterInvalid, parse_roster

logger = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024
CSV_TYPES = (
    "text/csv",
    "text/comma-separated-values",
    "application/csv",
    "text/plain",
    "application/vnd.ms-excel",
)


def _document_of(message: Message) -> Document | None:
    if message.document is not None:
        return message.document
    replied = message.reply_to_message
    return replied.document if replied is not None else None


async def download_csv(context: PoskoContext, message: Message, help_text: str) -> bytes | None:
    """The bytes of the CSV file this message carries or replies to (at most 1 MB); None after
    telling the sender why not (no file: `help_text`). Every CSV import reads its file so."""
    document = _document_of(message)
    if document is None:
        await message.reply_text(help_text)
        return None
    name = (document.file_name or "").casefold()
    if not name.endswith(".csv") and (document.mime_type or "") not in CSV_TYPES:
        await message.reply_text(texts.IMPOR_NOT_CSV)
        return None
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await message.reply_text(texts.IMPOR_TOO_BIG)
        return None
    try:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        logger.warning("CSV download failed: %s", type(exc).__name__)
        await message.reply_text(texts.IMPOR_DOWNLOAD_FAILED)
        return None
    if len(data) > MAX_BYTES:
        await message.reply_text(texts.IMPOR_TOO_BIG)
        return None
    return data


def csv_name(message: Message) -> str:
    """The file name of the document this message carries or replies to ("" without one)."""
    document = _document_of(message)
    return (document.file_name or "") if document is not None else ""


async def impor_cmd(update: Update, context: PoskoContext) -> None:
    """Imports the CSV this message carries (as caption) or replies to."""
    message = update.effective_message
    if message is None or not context.actor.is_admin:  # the gate checked; belt and braces
        return
    if command_of(message, context.bot.username or "") != "impor":
        return
    data = await download_csv(context, message, texts.IMPOR_HELP)
    if data is None:
        return
    services = context.services
    try:
        rows = parse_roster(data, services.region, services.settings.admin_ids)
    except RosterFileError as exc:
        await message.reply_text(texts.impor_file_error(exc.finding))
        return
    except RosterInvalid as exc:
        await message.reply_text(texts.impor_failed(exc.problems))
        return
    added, updated = await services.members.import_roster(
        rows, services.clock(), context.actor.user_id
    )
    logger.info("Admin %s imported %s members", context.actor.user_id, len(rows))
    await message.reply_text(texts.impor_done(added, updated))
    for row in rows:
        async with services.member_lock(row.user_id):
            await refresh_menu(context.bot, services, context.commands, row.user_id)


COMMANDS = (
    Command(
        "impor",
        impor_cmd,
        ADMIN_PRIVATE,
        help_texts.IMPOR.menu,
        help_texts.IMPOR.help,
        "send a CSV file with caption `/impor` (or reply `/impor` to it) to register many "
        "members at once, all or nothing (see below)",
        menu=ADMIN_MENU,
        rank=60,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/impor` as a command and as the caption of a document."""
    add_commands(app, COMMANDS)
    caption = filters.CaptionRegex(r"^/impor(@\w+)?(\s|$)")
    app.add_handler(MessageHandler(filters.Document.ALL & caption, impor_cmd))
