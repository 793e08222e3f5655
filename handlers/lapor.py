"""`/lapor <level> <teks>`: the quick report, committed before its receipt, escalated if urgent."""

from __future__ import annotations

import logging
import sqlite3

from telegram import Bot, ReplyParameters, Update
from telegram.error import TelegramError
from telegram.ext import CommandHandler

from bot import texts
from bot.context import PoskoApp, PoskoContext
from bot.parsing import (
    MAX_REPORT_TEXT,
    QuickReportError,
    QuickReportInvalid,
    command_args,
    parse_quick_report,
)
from bot.services import Services
from storage.members import Member
from storage.reports import NewReport, Report

logger = logging.getLogger(__name__)

_PARSE_ERRORS = {
    QuickReportError.EMPTY: texts.LAPOR_EMPTY,
    QuickReportError.UNKNOWN_LEVEL: texts.LAPOR_UNKNOWN_LEVEL,
    QuickReportError.TEXT_REQUIRED: texts.LAPOR_TEXT_REQUIRED,
    QuickReportError.TOO_LONG: texts.lapor_too_long(MAX_REPORT_TEXT),
}


async def lapor_cmd(update: Update, context: PoskoContext) -> None:
    """Stores a quick report, then sends the receipt, then escalates Rawan/Darurat."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    officer = context.actor.officer
    if officer is None or officer.kecamatan is None:  # pragma: no cover - the gate checked it
        return
    try:
        quick = parse_quick_report(command_args(message.text or ""))
    except QuickReportInvalid as exc:
        await message.reply_text(_PARSE_ERRORS[exc.reason])
        return

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
    )
    try:
        report, created = await services.reports.add(new)
    except sqlite3.Error:
        logger.exception("Could not store a report from officer %s", officer.user_id)
        await message.reply_text(texts.SAVE_FAILED)
        return

    if not created:
        logger.info("Report #%s was delivered again; not stored twice", report.number)
    local_time = report.created_at.astimezone(services.settings.timezone)
    receipt_failed: TelegramError | None = None
    try:
        await message.reply_text(
            texts.receipt(
                report.number, report.level, report.kecamatan, local_time, nihil=report.is_nihil
            ),
            reply_parameters=ReplyParameters(message.message_id, allow_sending_without_reply=True),
        )
    except TelegramError as exc:
        receipt_failed = exc  # the report is stored: still escalate it, then report the error
    if report.level.escalates and report.escalated_at is None:
        await escalate(context.bot, services, report, officer)
    if receipt_failed is not None:
        raise receipt_failed


async def escalate(bot: Bot, services: Services, report: Report, officer: Member) -> None:
    """Posts an urgent report to the coordination group."""
    chat_id = services.coordination_chat_id
    if chat_id is None:
        logger.warning("Report #%s is urgent but no coordination group is set", report.number)
        return
    local_time = report.created_at.astimezone(services.settings.timezone)
    await bot.send_message(
        chat_id,
        texts.escalation(
            report.number,
            report.level,
            report.kecamatan,
            report.role,
            officer.name,
            local_time,
            report.text,
        ),
    )
    await services.reports.mark_escalated(report.number, services.clock())


def register(app: PoskoApp) -> None:
    """Adds `/lapor`."""
    app.add_handler(CommandHandler("lapor", lapor_cmd))
