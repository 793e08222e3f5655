"""`/lapor`: the quick one-liner (also as a photo caption); without arguments, the guided form."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Message, Update
from telegram.ext import MessageHandler, filters

from bot import texts
from bot.access import Access, Rule, command_of
from bot.commands import PETUGAS_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.texts import commands as help_texts
from domain.parsing import (
    MAX_REPORT_TEXT,
    QuickReportError,
    QuickReportInvalid,
    command_args,
    parse_quick_report,
)
from domain.reports import NewReport, Photo
from handlers.reports import form as lapor_form
from handlers.reports.filing import file_report

logger = logging.getLogger(__name__)

_PARSE_ERRORS = {
    QuickReportError.EMPTY: texts.LAPOR_EMPTY,
    QuickReportError.UNKNOWN_LEVEL: texts.LAPOR_UNKNOWN_LEVEL,
    QuickReportError.TEXT_REQUIRED: texts.LAPOR_TEXT_REQUIRED,
    QuickReportError.TOO_LONG: texts.lapor_too_long(MAX_REPORT_TEXT),
}


def _photos_of(message: Message) -> tuple[Photo, ...]:
    if not message.photo:
        return ()
    largest = message.photo[-1]
    return (Photo(largest.file_id, largest.file_unique_id),)


async def lapor_cmd(update: Update, context: PoskoContext) -> None:
    """Files `/lapor <level> <teks>` at once; `/lapor` alone opens the guided form."""
    message = update.effective_message
    officer = context.actor.officer
    if message is None or officer is None or officer.kecamatan is None:
        return  # the gate admits only active officers; belt and braces
    if command_of(message, context.bot.username or "") != "lapor":
        return
    args = command_args(message.text or message.caption or "")
    if not args and not message.photo:
        await lapor_form.start_form(update, context)
        return
    try:
        quick = parse_quick_report(args)
    except QuickReportInvalid as exc:
        await message.reply_text(_PARSE_ERRORS[exc.reason])
        return
    services = context.services
    new = NewReport(
        officer_id=officer.user_id,
        kecamatan=officer.kecamatan,
        role=officer.role,
        level=quick.level,
        text=quick.text,
        created_at=services.clock(),
        source_chat_id=message.chat_id,
        source_message_id=message.message_id,
        update_id=update.update_id,
        photos=_photos_of(message),
    )
    try:
        await file_report(context.bot, services, officer, new, message.message_id)
    except sqlite3.Error:
        logger.exception("Could not store a report from officer %s", officer.user_id)
        await message.reply_text(texts.SAVE_FAILED)


COMMANDS = (
    Command(
        "lapor",
        lapor_cmd,
        Rule(private=frozenset({Access.PETUGAS})),
        help_texts.LAPOR.menu,
        help_texts.LAPOR.help,
        "alone: the guided form (level, category, narrative, photos, location, summary with "
        "✅ Kirim); with arguments: a quick report, `tingkat` is `aman`, `waspada`, `rawan` or "
        "`darurat` (`/lapor aman` alone is nihil), also as the caption of a photo",
        usage="[tingkat teks]",
        menu=PETUGAS_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/lapor` as a command and as the caption of a photo."""
    add_commands(app, COMMANDS)
    caption = filters.CaptionRegex(r"^/lapor(@\w+)?(\s|$)")
    app.add_handler(MessageHandler(filters.PHOTO & caption, lapor_cmd))
