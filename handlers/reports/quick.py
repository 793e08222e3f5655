"""`/lapor`: the quick one-liner (also as the caption of a photo, voice note, video or album);
without arguments, the guided form (with the captioned photo or recording already in it)."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from datetime import date, datetime, timedelta

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.access import Access, Rule, command_of
from bot.commands import PETUGAS_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer
from bot.services import Services
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


# The reminder's buttons carry the start of the reporting window they remind of, local time.
WINDOW_STAMP = "%Y%m%d%H%M"


def reminder_markup(window_start: datetime) -> InlineKeyboardMarkup:
    """The reminder's two buttons: a nihil report in one tap (for the window that started at
    `window_start`, while it lasts), or the form."""
    stamp = f"{window_start:{WINDOW_STAMP}}"
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


def _stamped(services: Services, stamp: str) -> datetime | date | None:
    """The start of the reporting window a reminder's button was made for. Buttons of
    reminders sent before windows were stamped carry the WITA day ("20241127")."""
    if not (stamp.isascii() and stamp.isdigit() and len(stamp) in (8, 12)):
        return None
    try:
        if len(stamp) == 8:
            return datetime.strptime(stamp, "%Y%m%d").date()
        return datetime.strptime(stamp, WINDOW_STAMP).replace(tzinfo=services.settings.timezone)
    except ValueError:
        return None


def _window_open(services: Services, stamped: datetime | date | None) -> bool:
    """Whether the reporting window of a reminder's button is the one open now (a window
    crossing midnight stays open after it); a day-stamped button counts for its day."""
    if isinstance(stamped, datetime):
        window = services.rhythm().window_at(services.now())
        return window is not None and window.start == stamped
    return stamped is not None and stamped == services.today()


def _whole_day(services: Services, stamped: datetime | date | None) -> bool:
    """Whether the reminder was for a whole WITA day (no stage with windows then)."""
    if not isinstance(stamped, datetime):
        return True
    return services.rhythm().on(stamped.date()).window is None


async def reminder_cb(update: Update, context: PoskoContext) -> None:
    """Files a nihil report from the reminder in one tap (once, while its reporting window
    lasts), or opens the form."""
    query = update.callback_query
    officer = context.actor.officer
    if query is None or not query.data or officer is None or officer.kecamatan is None:
        return
    services = context.services
    _, action, stamp = [*query.data.split(":", 2), "", ""][:3]
    reminder = query.message
    if action == "lapor":  # whenever pressed: the form is never out of date
        await answer(query)
        await lapor_form.start_form(update, context)
        return
    if action != "nihil" or reminder is None:
        await answer(query, texts.STALE_BUTTON)
        return
    # The reminder message is the report's source: a second press, or this update handled again
    # after a crash, finds the report filed by the first and stores nothing.
    earlier = await services.reports.by_source(officer.user_id, reminder.message_id)
    replayed = earlier is not None and earlier.update_id == update.update_id
    stamped = _stamped(services, stamp)
    if not replayed and not _window_open(services, stamped):
        await answer(query, texts.reminder_past(whole_day=_whole_day(services, stamped)))
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        return
    if earlier is not None and not replayed:
        await answer(query, texts.reminder_nihil_done(earlier.number))
        with contextlib.suppress(TelegramError):
            await query.edit_message_reply_markup(None)
        return
    if earlier is None:
        # Already reported in what counts now: the reporting window of the election calendar,
        # or the WITA day.
        period = services.rhythm().period_at(services.now())
        until = services.clock() + timedelta(seconds=1)
        latest = {
            e.officer_id: e.number
            for e in await services.reports.officer_latest(period.start, until)
        }
        if officer.user_id in latest:
            number = latest[officer.user_id]
            await answer(query, texts.reminder_already_reported(number, windowed=period.windowed))
            return
    await answer(query)
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
