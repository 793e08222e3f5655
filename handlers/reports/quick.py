"""`/lapor`: the quick one-liner (also as the caption of a photo, voice note, video or album);
without arguments, the guided form (with the captioned photo or recording already in it)."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from datetime import date, timedelta

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.access import Access, Rule, command_of
from bot.commands import PETUGAS_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.texts import commands as help_texts
from domain.enums import Level
from domain.parsing import QuickReportInvalid, command_args, parse_quick_report
from domain.reports import NewReport
from handlers.reports import album
from handlers.reports import form as lapor_form
from handlers.reports.filing import file_report
from handlers.reports.media import attached_to, split

logger = logging.getLogger(__name__)


async def lapor_cmd(update: Update, context: PoskoContext) -> None:
    """Files `/lapor <level> <teks>` at once; `/lapor` alone opens the guided form."""
    message = update.effective_message
    officer = context.actor.officer
    if message is None or officer is None or officer.kecamatan is None:
        return  # the gate admits only active officers; belt and braces
    if command_of(message, context.bot.username or "") != "lapor":
        return
    if message.media_group_id is not None:
        await album.collect(update, context)  # filed once the whole album is in
        return
    args = command_args(message.text or message.caption or "")
    attached = attached_to(message)
    attachments = (attached,) if attached is not None else ()
    if not args:
        await lapor_form.start_form(update, context, attachments)
        return
    try:
        quick = parse_quick_report(args)
    except QuickReportInvalid as exc:
        await message.reply_text(texts.quick_report_error(exc.reason))
        return
    photos, media = split(attachments)
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
        photos=photos,
        media=media,
    )
    try:
        await file_report(context.bot, services, officer, new, message.message_id)
    except sqlite3.Error:
        logger.exception("Could not store a report from officer %s", officer.user_id)
        await message.reply_text(texts.SAVE_FAILED)


def reminder_markup(day: date) -> InlineKeyboardMarkup:
    """The reminder's two buttons: a nihil report in one tap, or the form."""
    stamp = f"{day:%Y%m%d}"
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.REMINDER_NIHIL_BUTTON, callback_data=f"ingat:nihil:{stamp}"
                )
            ],
            [
                InlineKeyboardButton(
                    texts.REMINDER_REPORT_BUTTON, callback_data=f"ingat:lapor:{stamp}"
                )
            ],
        ]
    )


async def reminder_cb(update: Update, context: PoskoContext) -> None:
    """Files a nihil report from the reminder in one tap (once), or opens the form."""
    query = update.callback_query
    officer = context.actor.officer
    if query is None or not query.data or officer is None or officer.kecamatan is None:
        return
    services = context.services
    _, action, stamp = [*query.data.split(":", 2), "", ""][:3]
    reminder = query.message
    if (
        action not in ("nihil", "lapor")
        or stamp != f"{services.today():%Y%m%d}"
        or (reminder is None)
    ):
        await _answer(query, texts.REMINDER_PAST)
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        return
    if action == "lapor":
        await _answer(query)
        await lapor_form.start_form(update, context)
        return
    # The reminder message is the report's source: a second press, or this update handled again
    # after a crash, finds the report filed by the first and stores nothing.
    earlier = await services.reports.by_source(officer.user_id, reminder.message_id)
    if earlier is not None and earlier.update_id != update.update_id:
        await _answer(query, texts.reminder_nihil_done(earlier.number))
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        return
    if earlier is None:
        # Already reported in what counts now: the reporting window of the election calendar,
        # or the WITA day.
        start = services.rhythm().period_at(services.now()).start
        until = services.clock() + timedelta(seconds=1)
        today = {
            e.officer_id: e.number for e in await services.reports.officer_latest(start, until)
        }
        if officer.user_id in today:
            await _answer(query, texts.reminder_already_reported(today[officer.user_id]))
            return
    await _answer(query)
    new = NewReport(
        officer_id=officer.user_id,
        kecamatan=officer.kecamatan,
        role=officer.role,
        level=Level.AMAN,
        text="",
        created_at=services.clock(),
        source_chat_id=officer.user_id,
        source_message_id=reminder.message_id,
        update_id=update.update_id,
    )
    try:
        await file_report(context.bot, services, officer, new, None)
    except sqlite3.Error:
        logger.exception("Could not store a nihil report from officer %s", officer.user_id)
        await context.bot.send_message(officer.user_id, texts.REMINDER_SAVE_FAILED)
        return
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)


async def _answer(query: CallbackQuery, text: str | None = None) -> None:
    """Answers a button press; a late answer must not stop the work."""
    with contextlib.suppress(TelegramError):
        await query.answer(text)


COMMANDS = (
    Command(
        "lapor",
        lapor_cmd,
        Rule(private=frozenset({Access.PETUGAS})),
        help_texts.LAPOR.menu,
        help_texts.LAPOR.help,
        "alone: the guided form (level, category, narrative, photos, location, summary with "
        "✅ Kirim); with arguments: a quick report, `tingkat` is `aman`, `waspada`, `rawan` or "
        "`darurat` (`/lapor aman` alone is nihil), also as the caption of a photo, an album, a "
        "voice note or a video (kept with the report)",
        usage="[tingkat teks]",
        menu=PETUGAS_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/lapor` as a command and as the caption of a photo, album item or recording."""
    add_commands(app, COMMANDS)
    caption = filters.CaptionRegex(r"^/lapor(@\w+)?(\s|$)")
    captioned = filters.PHOTO | filters.VOICE | filters.VIDEO
    app.add_handler(MessageHandler(captioned & caption, lapor_cmd))
    app.add_handler(CallbackQueryHandler(reminder_cb, pattern=r"^ingat:"))
    album.register(app)
