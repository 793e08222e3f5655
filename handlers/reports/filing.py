"""Filing a report: commit first, then the receipt, then (for Rawan/Darurat) the escalation."""

from __future__ import annotations

import logging
import sqlite3
from datetime import datetime, timedelta

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputMediaPhoto,
    ReplyParameters,
)
from telegram.error import TelegramError

from bot import texts
from bot.delivery import backoff
from bot.notify import admin_ids, send_group, tell
from bot.services import Services
from bot.texts.incidents import Clip
from domain.enums import Level
from domain.incidents import Incident, IncidentState
from domain.kerawanan import tps_matches
from domain.members import Member
from domain.parsing import utf16_len
from domain.reports import Media, MediaKind, NewReport, Photo, Report
from handlers.reports.receipts import send_receipt

logger = logging.getLogger(__name__)


def ack_markup(number: int) -> InlineKeyboardMarkup:
    """The "✅ Diterima" button of an escalation."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.ACK_BUTTON, callback_data=f"ack:{number}")]]
    )


def update_markup(number: int) -> InlineKeyboardMarkup:
    """The "➕ Perkembangan" button of a Waspada+ receipt (number: the incident)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.PERKEMBANGAN_BUTTON, callback_data=f"upd:{number}")]]
    )


# `/start upd-<number>`: what the alert's "➕ Perkembangan" link makes Telegram send.
UPDATE_LINK = "upd-"


def update_link(bot: Bot, number: int) -> str | None:
    """A t.me link that opens the private chat with the bot and asks for a perkembangan of
    incident #number; None before the bot knows its username."""
    try:
        username = bot.username
    except RuntimeError:  # not initialized (no getMe yet)
        return None
    return f"https://t.me/{username}?start={UPDATE_LINK}{number}" if username else None


def alert_markup(
    bot: Bot, number: int, *, waiting: bool, is_open: bool = True
) -> InlineKeyboardMarkup | None:
    """The buttons of a group alert: "✅ Diterima" while nobody took it up, and "➕ Perkembangan"
    while it is open. A callback in a group cannot start a private dialog, so the latter is a
    link that opens the private chat (`/start upd-<number>`), where the dialog runs."""
    row = (
        [InlineKeyboardButton(texts.ACK_BUTTON, callback_data=f"ack:{number}")] if waiting else []
    )
    link = update_link(bot, number) if is_open else None
    if link is not None:
        row.append(InlineKeyboardButton(texts.PERKEMBANGAN_BUTTON, url=link))
    return InlineKeyboardMarkup([row]) if row else None


async def file_report(
    bot: Bot, services: Services, officer: Member, new: NewReport, reply_to: int | None
) -> Report:
    """Commits `new`, sends the receipt to the officer, escalates when urgent.

    Storage errors propagate before anything is sent (no receipt without a commit). Once the
    report is committed nothing propagates: a receipt Telegram does not take is retried later
    (`handlers.reports.receipts`), and the escalation is under way before the receipt is sent.
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
    markup = update_markup(report.incident) if report.incident is not None else None
    await send_receipt(
        bot, services, report.number, new.source_chat_id, receipt, reply_to,
        again=not created, reply_markup=markup,
    )  # fmt: skip
    return report


def escalation_text(
    services: Services,
    report: Report,
    officer_name: str,
    photos: int,
    incident: Incident | None = None,
    media: tuple[MediaKind, ...] = (),
) -> str:
    """The group alert for `report`: its incident's level, latest update and state, and its
    acknowledgement when there is one; long texts shortened so it stays one message."""
    tz = services.settings.timezone
    update = incident.last_update if incident is not None else None
    note = incident.closing_note if incident is not None else None
    vmap = services.admin_settings.vulnerability
    # A kecamatan mapped `tinggi`, or a vulnerable TPS the report names ("TPS 12").
    map_note = texts.alert_map_note(
        vmap.entry(report.kecamatan), tps_matches(vmap, report.kecamatan, report.text)
    )

    def render(update_clip: Clip, note_clip: Clip, text_clip: Clip) -> str:
        text = texts.escalation(
            report.number,
            incident.level if incident is not None else report.level,
            report.kecamatan,
            report.role,
            officer_name,
            report.created_at.astimezone(tz),
            report.text,
            category=report.category,
            photos=photos,
            location=report.has_location,
            media=media,
            clip=text_clip,
            map_note=map_note,
        )
        if incident is not None and update and incident.last_update_at:
            update_at = incident.last_update_at.astimezone(tz)
            text += "\n" + texts.alert_update(
                report.number, incident.level, update_at, update, update_clip
            )
        if incident is not None and incident.state is not IncidentState.BARU:
            text += texts.alert_state(incident.state)
        if report.acked_at is not None:
            text += texts.ack_note(
                report.acked_by_name or "-",
                report.acked_at.astimezone(tz),
                report.ack_seconds or 0,
            )
        if incident is not None and incident.closed_at is not None:
            closed_at = incident.closed_at.astimezone(tz)
            text += texts.alert_closed(report.number, incident.closed_by_name or "-", closed_at,
                                       note or "", note_clip)  # fmt: skip
        return text

    sizes = (utf16_len(update or ""), utf16_len(note or ""), utf16_len(report.text))
    return texts.fit_alert(render, sizes)


async def refresh_alert(bot: Bot, services: Services, number: int) -> None:
    """Edits the group alert of incident #number to show its level, update and state; the
    "✅ Diterima" button stays while nobody took it up and it is open (best effort)."""
    report = await services.reports.get(number)
    if report is None or report.escalation_chat_id is None:
        return
    if report.escalation_message_id is None:
        return
    incident = await services.incidents.get(number)
    officer = await services.members.get(report.officer_id)
    photos = await services.reports.photos(number)
    media = tuple(m.kind for m in await services.reports.media(number))
    text = escalation_text(
        services, report, officer.name if officer else "-", len(photos), incident, media
    )
    is_open = incident is None or incident.is_open
    waiting = report.acked_at is None and is_open
    try:
        await bot.edit_message_text(
            text,
            report.escalation_chat_id,
            report.escalation_message_id,
            reply_markup=alert_markup(bot, number, waiting=waiting, is_open=is_open),
        )
    except TelegramError as exc:
        logger.warning("Alert of report #%s not updated: %s", number, exc)


async def escalate(bot: Bot, services: Services, report: Report, officer: Member) -> None:
    """Posts an urgent report to the coordination group once, with its photos and location.

    A failure to post (Telegram, or a database that cannot take the claim) backs off: the
    sweep tries again after 30 s, then 1, 2, 4 ... up to 15 minutes, and the admins are told
    at the first failure. An alert Telegram accepted is never posted again by the running bot
    because its record could not be written: only the record is retried, at every sweep.
    """
    runtime = services.runtime
    number = report.number
    if number in runtime.escalating:
        return
    runtime.escalating.add(number)
    try:
        done = await _escalate_once(bot, services, number, officer)
    except (sqlite3.Error, TelegramError) as exc:
        logger.warning("Escalation of report #%s failed: %s", number, type(exc).__name__)
        done = False
    finally:
        runtime.escalating.discard(number)
    if done:
        runtime.escalation_retry.pop(number, None)
        return
    if number in runtime.unrecorded.alerts:
        return  # posted; only a local write is missing, retried without back-off
    failures = runtime.escalation_retry.get(number, (0, None))[0] + 1
    wait = backoff(failures)
    runtime.escalation_retry[number] = (failures, services.clock() + wait)
    logger.warning("Escalation of report #%s retried in %ss", number, int(wait.total_seconds()))
    if failures == 1:
        level = await _current_level(services, report)
        notice = texts.escalation_failed(report.number, level, report.kecamatan)
        for admin_id in await admin_ids(services):
            await tell(bot, admin_id, notice)


async def _current_level(services: Services, report: Report) -> Level:
    """The level of the report's incident now (an update may have raised it), else the
    report's own (also when the database, perhaps what failed, cannot be read)."""
    if report.incident is None:
        return report.level
    try:
        incident = await services.incidents.get(report.incident)
    except sqlite3.Error:
        return report.level
    return incident.level if incident is not None else report.level


async def escalate_pending(bot: Bot, services: Services) -> int:
    """Queues urgent reports of the last day not yet posted, and alerts not yet recorded."""
    runtime = services.runtime
    now = services.clock()
    for number in list(runtime.unrecorded.alerts):  # whatever their age
        if number not in runtime.escalating:
            await record_unrecorded_alert(services, number)
    due = await services.reports.unescalated(now - timedelta(days=1))
    for number in await services.incidents.raised_unposted(now - timedelta(days=1)):
        raised = await services.reports.get(number)
        if raised is not None and all(r.number != number for r in due):
            due.append(raised)  # a Waspada incident an update raised to Rawan/Darurat
    for number in set(runtime.escalation_retry) - {r.number for r in due}:
        del runtime.escalation_retry[number]  # posted meanwhile, or too old to chase
    queued = 0
    for report in due:
        _, retry_at = runtime.escalation_retry.get(report.number, (0, now))
        if report.number in runtime.escalating or retry_at > now:
            continue
        officer = await services.members.get(report.officer_id)
        if officer is not None:
            services.spawn(escalate(bot, services, report, officer))
            queued += 1
    return queued


async def record_unrecorded_alert(services: Services, number: int) -> bool:
    """Writes the record of an alert Telegram accepted earlier; True when nothing is missing."""
    posted = services.runtime.unrecorded.alerts.get(number)
    return posted is None or await _record_alert(services, number, posted)


async def _escalate_once(bot: Bot, services: Services, number: int, officer: Member) -> bool:
    """Posts (or finishes recording) one escalation; False when it must be tried again."""
    if number in services.runtime.unrecorded.alerts:
        return await record_unrecorded_alert(services, number)
    report = await services.reports.get(number)
    if report is None or report.escalated_at is not None:
        return True
    # Durable before anything is posted: a database that cannot take this write would not
    # take the alert's record either, and the alert would be posted again and again.
    try:
        earlier = await services.reports.claim_escalation(number, services.clock())
    except LookupError:
        return True  # recorded meanwhile
    if earlier is not None:
        logger.warning(
            "Report #%s was claimed at %s by an earlier run that did not record its alert; "
            "posting it (the group may see it twice)",
            number,
            earlier,
        )
    photos = await services.reports.photos(number)
    media = await services.reports.media(number)
    incident = await services.incidents.get(number)
    kinds = tuple(m.kind for m in media)
    alert = await send_group(
        bot,
        services,
        escalation_text(services, report, officer.name, len(photos), incident, kinds),
        reply_markup=alert_markup(bot, number, waiting=True),
    )
    if alert is None:
        logger.warning("Report #%s is urgent but no coordination group is set", number)
        return False
    posted = (alert.chat_id, alert.message_id, services.clock())
    services.runtime.unrecorded.alerts[number] = posted
    recorded = await _record_alert(services, number, posted)
    await _post_attachments(bot, report, photos, media, posted[0], posted[1])
    return recorded


async def _record_alert(
    services: Services, number: int, posted: tuple[int, int, datetime]
) -> bool:
    """Records where the alert of report #number went; False (kept in memory) on failure."""
    chat_id, message_id, at = posted
    next_page = at + timedelta(minutes=services.settings.escalation_ack_minutes)
    try:
        await services.reports.mark_escalated(number, at, chat_id, message_id, next_page)
    except sqlite3.Error as exc:
        logger.warning("Alert of report #%s posted but not recorded: %s", number, exc)
        return False
    services.runtime.unrecorded.alerts.pop(number, None)
    return True


async def send_media(
    bot: Bot,
    number: int,
    media: list[Media],
    chat_id: int,
    below: ReplyParameters | None = None,
    thread_id: int | None = None,
) -> None:
    """Sends the voice notes and videos of report #number, each as what it is."""
    for item in media:
        caption = texts.media_caption(number, item.kind)
        if item.kind is MediaKind.VOICE:
            await bot.send_voice(chat_id, item.file_id, caption=caption,
                                 reply_parameters=below, message_thread_id=thread_id)  # fmt: skip
        elif item.kind is MediaKind.VIDEO:
            await bot.send_video(chat_id, item.file_id, caption=caption,
                                 reply_parameters=below, message_thread_id=thread_id)  # fmt: skip
        else:  # a round video has no caption
            await bot.send_video_note(chat_id, item.file_id, reply_parameters=below,
                                      message_thread_id=thread_id)  # fmt: skip


async def _post_attachments(
    bot: Bot,
    report: Report,
    photos: list[Photo],
    media: list[Media],
    chat_id: int,
    message_id: int,
) -> None:
    """Posts the photos, recordings and location of an escalated report under its alert (best
    effort)."""
    below = ReplyParameters(message_id, allow_sending_without_reply=True)
    caption = texts.photo_caption(report.number)
    try:
        if len(photos) == 1:
            await bot.send_photo(
                chat_id, photos[0].file_id, caption=caption, reply_parameters=below
            )
        elif photos:
            album = [InputMediaPhoto(p.file_id) for p in photos]
            album[0] = InputMediaPhoto(photos[0].file_id, caption=caption)
            await bot.send_media_group(chat_id, album, reply_parameters=below)
        await send_media(bot, report.number, media, chat_id, below)
        if report.latitude is not None and report.longitude is not None:
            await bot.send_location(
                chat_id, report.latitude, report.longitude, reply_parameters=below
            )
    except TelegramError:
        # The alert itself is out; attachments are best effort.
        logger.exception("Attachments of report #%s not posted", report.number)
