"""`/ralat` (append a correction to one's own report) and `/riwayat` (one's last reports)."""

from __future__ import annotations

import logging
import re
import sqlite3
from datetime import timedelta

from telegram import ReplyParameters, Update
from telegram.error import TelegramError

from bot import texts
from bot.access import Access, Rule
from bot.commands import PETUGAS_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
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


async def riwayat_cmd(update: Update, context: PoskoContext) -> None:
    """Lists the officer's last 10 reports."""
    message = update.effective_message
    officer = context.actor.officer
    if message is None or officer is None:
        return
    services = context.services
    reports = await services.reports.recent_by_officer(officer.user_id, 10)
    if not reports:
        await message.reply_text(texts.RIWAYAT_EMPTY)
        return
    corrections = await services.reports.corrections([r.number for r in reports])
    tz = services.settings.timezone
    lines = [
        texts.riwayat_line(
            r.number, r.created_at.astimezone(tz), r.level, r.text, len(corrections[r.number])
        )
        for r in reports
    ]
    await message.reply_text(texts.riwayat(lines))


_PETUGAS = Rule(private=frozenset({Access.PETUGAS}))
COMMANDS = (
    Command(
        "riwayat",
        riwayat_cmd,
        _PETUGAS,
        help_texts.RIWAYAT.menu,
        help_texts.RIWAYAT.help,
        "your last 10 reports with number, time, level, first words and corrections",
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
    """Adds `/ralat` and `/riwayat`."""
    add_commands(app, COMMANDS)
