"""Filing a report: commit first, then the receipt, then (for Rawan/Darurat) the escalation."""

from __future__ import annotations

import logging
from datetime import timedelta

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
)
from telegram.error import TelegramError

from bot import texts
from bot.notify import send_group
from bot.services import Services
from storage.members import Member
from storage.reports import NewReport, Report

logger = logging.getLogger(__name__)


def ack_markup(number: int) -> InlineKeyboardMarkup:
    """The "✅ Diterima" button of an escalation."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.ACK_BUTTON, callback_data=f"ack:{number}")]]
    )


async def file_report(
    bot: Bot, services: Services, officer: Member, new: NewReport, reply_to: int | None
) -> Report:
    """Commits `new`, sends the receipt to the officer, escalates when urgent.

    Storage errors propagate before anything is sent (no receipt without a commit). The
    escalation is under way before the receipt is sent, so a failed receipt does not stop it.
    """
    report, created = await services.reports.add(new)
    if not created:
        logger.info("Report #%s was delivered again; not stored twice", report.number)
    if report.level.escalates and report.escalated_at is None:
        # Beside, not inside, update handling: the group's 20-a-minute limit must not hold up
        # other officers' receipts. Started as soon as the report is committed, so alerts of
        # reports committed together reach the group in the order of their numbers. A failed
        # or interrupted escalation is retried by the sweep.
        services.spawn(escalate(bot, services, report, officer))
    local_time = report.created_at.astimezone(services.settings.timezone)
    receipt = texts.receipt(
        report.number, report.level, report.kecamatan, local_time, nihil=report.is_nihil
    )
    reply = ReplyParameters(reply_to, allow_sending_without_reply=True) if reply_to else None
    await bot.send_message(new.source_chat_id, receipt, reply_parameters=reply)
    return report


def escalation_text(services: Services, report: Report, officer_name: str, photos: int) -> str:
    """The group alert for `report`, with its acknowledgement when there is one."""
    tz = services.settings.timezone
    text = texts.escalation(
        report.number,
        report.level,
        report.kecamatan,
        report.role,
        officer_name,
        report.created_at.astimezone(tz),
        report.text,
        category=report.category,
        photos=photos,
        location=report.has_location,
    )
    if report.acked_at is not None:
        text += texts.ack_note(
            report.acked_by_name or "-", report.acked_at.astimezone(tz), report.ack_seconds or 0
        )
    return text


async def escalate(bot: Bot, services: Services, report: Report, officer: Member) -> None:
    """Posts an urgent report to the coordination group (once) with its photos and location."""
    if report.number in services.runtime.escalating:
        return
    services.runtime.escalating.add(report.number)
    try:
        current = await services.reports.get(report.number)
        if current is None or current.escalated_at is not None:
            return
        await _post_escalation(bot, services, current, officer)
    finally:
        services.runtime.escalating.discard(report.number)


async def escalate_pending(bot: Bot, services: Services) -> int:
    """Queues urgent reports of the last day that were stored but not yet escalated."""
    since = services.clock() - timedelta(days=1)
    queued = 0
    for report in await services.reports.unescalated(since):
        officer = await services.members.get(report.officer_id)
        if officer is not None and report.number not in services.runtime.escalating:
            services.spawn(escalate(bot, services, report, officer))
            queued += 1
    return queued


async def _post_escalation(bot: Bot, services: Services, report: Report, officer: Member) -> None:
    photos = await services.reports.photos(report.number)
    alert = await send_group(
        bot,
        services,
        escalation_text(services, report, officer.name, len(photos)),
        reply_markup=ack_markup(report.number),
    )
    if alert is None:
        logger.warning("Report #%s is urgent but no coordination group is set", report.number)
        return
    chat_id = alert.chat_id
    now = services.clock()
    next_page = now + timedelta(minutes=services.settings.escalation_ack_minutes)
    await services.reports.mark_escalated(report.number, now, chat_id, alert.message_id, next_page)
    below = ReplyParameters(alert.message_id, allow_sending_without_reply=True)
    caption = texts.photo_caption(report.number)
    try:
        if len(photos) == 1:
            await bot.send_photo(
                chat_id, photos[0].file_id, caption=caption, reply_parameters=below
            )
        elif photos:
            media = [InputMediaPhoto(p.file_id) for p in photos]
            media[0] = InputMediaPhoto(photos[0].file_id, caption=caption)
            await bot.send_media_group(chat_id, media, reply_parameters=below)
        if report.latitude is not None and report.longitude is not None:
            await bot.send_location(
                chat_id, report.latitude, report.longitude, reply_parameters=below
            )
    except TelegramError:
        # The alert itself is out; attachments are best effort.
        logger.exception("Attachments of report #%s not posted", report.number)
