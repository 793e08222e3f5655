"""`/ralat` (append a correction to one's own report) and `/riwayat` (one's last reports)."""

from __future__ import annotations

import logging
import math
import re
import sqlite3
from datetime import timedelta

from telegram import InlineKeyboardMarkup, ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import Access, Rule
from bot.commands import PETUGAS_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer, pager
from bot.notify import send_group
from bot.texts import commands as help_texts
from domain.parsing import MAX_REPORT_TEXT, command_args, is_blank, utf16_len

CORRECTION_WINDOW = timedelta(hours=24)
logger = logging.getLogger(__name__)
_RALAT = re.compile(r"#?(\d{1,12})\s+(.+)\Z", re.DOTALL)


async def ralat_cmd(update: Update, context: PoskoContext) -> None:
    """Appends a correction to one of the officer's reports from the last 24 hours."""
    message = update.effective_message
    officer = context.actor.officer
    if message is None or officer is None:
        return
    match = _RALAT.match(command_args(message.text or ""))
    if not match or is_blank(match[2]):
        await message.reply_text(texts.RALAT_USAGE)
        return
    number, text = int(match[1]), match[2].strip()
    if utf16_len(text) > MAX_REPORT_TEXT:
        await message.reply_text(texts.lapor_too_long(MAX_REPORT_TEXT))
        return
    services = context.services
    report = await services.reports.get(number)
    if report is None or report.officer_id != officer.user_id:
        await message.reply_text(texts.ralat_not_found(number))
        return
    now = services.clock()
    if now - report.created_at > CORRECTION_WINDOW:
        await message.reply_text(texts.RALAT_TOO_OLD)
        return
    source = (message.chat_id, message.message_id)
    correction_id, notified = await services.reports.add_correction(
        number, officer.user_id, text, now, source
    )
    # Stored: from here on, nothing may ask the officer to send it again. The group notice goes
    # first and is recorded, so a replay after a crash posts it if it is still missing.
    if report.escalation_chat_id is not None and not notified:
        same_chat = report.escalation_chat_id == services.coordination_chat_id
        below = (
            ReplyParameters(report.escalation_message_id, allow_sending_without_reply=True)
            if same_chat and report.escalation_message_id
            else None
        )
        notice = texts.ralat_for_group(number, report.role, report.kecamatan, officer.name, text)
        try:
            if await send_group(context.bot, services, notice, reply_parameters=below):
                await services.reports.correction_notified(correction_id, services.clock())
        except (TelegramError, sqlite3.Error) as exc:
            # The group also sees the correction in the digest.
            logger.warning("Correction of report #%s not shown to the group: %s", number, exc)
    try:
        await message.reply_text(texts.ralat_saved(number))
    except TelegramError as exc:
        logger.warning("Correction of report #%s stored, not confirmed: %s", number, exc)


# /riwayat: the officer's last RIWAYAT_TOTAL reports, RIWAYAT_PAGE a page, so each page fits
# one phone screen (issue 18).
RIWAYAT_TOTAL, RIWAYAT_PAGE = 30, 5


async def riwayat_view(
    context: PoskoContext, officer_id: int, page: int, up_to: int | None
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of the officer's reports numbered `up_to` or lower (None: the newest)."""
    services = context.services
    reports = await services.reports.recent_by_officer(officer_id, RIWAYAT_TOTAL, up_to)
    if not reports:
        return texts.RIWAYAT_EMPTY, None
    pages = math.ceil(len(reports) / RIWAYAT_PAGE)
    page = min(max(page, 0), pages - 1)
    shown = reports[page * RIWAYAT_PAGE : (page + 1) * RIWAYAT_PAGE]
    corrections = await services.reports.corrections([r.number for r in shown])
    tz = services.settings.timezone
    lines = [
        texts.riwayat_line(
            r.number, r.created_at.astimezone(tz), r.level, r.text, len(corrections[r.number])
        )
        for r in shown
    ]
    text = texts.riwayat_page(lines, page, pages, len(reports))
    return text, pager("rw", page, pages, f":{reports[0].number}")


async def riwayat_cmd(update: Update, context: PoskoContext) -> None:
    """Lists the officer's last reports, a page at a time."""
    message = update.effective_message
    officer = context.actor.officer
    if message is None or officer is None:
        return
    text, markup = await riwayat_view(context, officer.user_id, 0, None)
    await message.reply_text(text, reply_markup=markup)


async def riwayat_page_cb(update: Update, context: PoskoContext) -> None:
    """Turns a /riwayat page in place ("rw:<page>:<newest number>"); always the presser's own
    reports."""
    query = update.callback_query
    officer = context.actor.officer
    if query is None or officer is None:
        return
    try:
        _, page_text, up_to_text = (query.data or "").split(":")
        page, up_to = int(page_text), int(up_to_text)
    except ValueError:
        await answer(query, texts.STALE_BUTTON)
        return
    text, markup = await riwayat_view(context, officer.user_id, page, up_to)
    await answer(query)
    try:
        await query.edit_message_text(text, reply_markup=markup)
    except TelegramError as exc:
        logger.info("History page not updated: %s", exc)


_PETUGAS = Rule(private=frozenset({Access.PETUGAS}))
COMMANDS = (
    Command(
        "riwayat",
        riwayat_cmd,
        _PETUGAS,
        help_texts.RIWAYAT.menu,
        help_texts.RIWAYAT.help,
        "your last 30 reports with number, time, level, first words and corrections, 5 a page "
        "with ⬅️/➡️",
        menu=PETUGAS_MENU,
    ),
    Command(
        "ralat",
        ralat_cmd,
        _PETUGAS,
        help_texts.RALAT.menu,
        help_texts.RALAT.help,
        "appends a correction to one of your reports (within 24 hours); the original stays; an "
        "escalated report's correction also goes to the group; stored once per message",
        usage="<nomor> <teks>",
        menu=PETUGAS_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/ralat` and `/riwayat` (with its pages)."""
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(riwayat_page_cb, pattern=r"^rw:"))
