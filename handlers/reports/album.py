"""Albums sent outside a form: one report with all their photos and videos.

Telegram delivers an album as one message per item, sharing a `media_group_id`, and only the
item the officer captioned carries the caption. Each item is kept in `album_items` as it
arrives (so an item whose update is marked handled survives a restart); once no new item came
for ALBUM_WAIT_SECONDS the album is complete: with a `/lapor ...` caption it is filed as one
report (the captioned message is its source, so it is stored once however often this runs),
otherwise the officer is told it was not recorded. A sweep finishes albums a restart left
behind.
"""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from datetime import timedelta

from telegram import Bot, Update

from bot import texts
from bot.access import command_of
from bot.context import PoskoApp, PoskoContext
from bot.notify import tell
from bot.services import Services
from domain.enums import MemberState
from domain.parsing import QuickReportInvalid, command_args, parse_quick_report
from domain.reports import NewReport
from handlers.reports.filing import file_report
from handlers.reports.form import open_form
from handlers.reports.media import Attached, attached_to, split
from storage.albums import AlbumItem

logger = logging.getLogger(__name__)

# Telegram sends an album's items together; this long after the newest one, it is complete.
ALBUM_WAIT_SECONDS = 1.5
SWEEP_SECONDS = 30


async def collect(update: Update, context: PoskoContext) -> None:
    """Keeps one item of an album and (re)starts the wait for the rest."""
    message = update.effective_message
    user_id = context.actor.user_id
    if message is None or user_id is None or not message.media_group_id:
        return
    is_lapor = command_of(message, context.bot.username or "") == "lapor"
    attached = attached_to(message)
    if attached is None:
        # Files (photos sent as files), audio and the like: an album of them is all of one
        # kind, and no report keeps them. It is answered once, on the item that carries the
        # caption; an album without a caption asked for nothing.
        if message.caption:
            command = message.caption if is_lapor else None
            await message.reply_text(texts.files_not_recorded(command))
        return
    services = context.services
    item = AlbumItem(
        chat_id=message.chat_id,
        message_id=message.message_id,
        media_group_id=message.media_group_id,
        user_id=user_id,
        update_id=update.update_id,
        kind=attached.kind,
        file_id=attached.file_id,
        file_unique_id=attached.file_unique_id,
        duration=attached.duration,
        caption=message.caption if is_lapor else None,
        received_at=services.clock(),
    )
    await services.albums.add(item)
    key = (message.chat_id, message.media_group_id)
    waiting = services.runtime.albums
    starting = key not in waiting
    waiting[key] = asyncio.get_running_loop().time()
    if starting:
        services.spawn(_finish_when_complete(context.bot, services, key))


async def _finish_when_complete(bot: Bot, services: Services, key: tuple[int, str]) -> None:
    waiting = services.runtime.albums
    loop = asyncio.get_running_loop()
    try:
        while True:  # each new item pushes the end of the wait
            wait = waiting[key] + ALBUM_WAIT_SECONDS - loop.time()
            if wait <= 0:
                break
            await asyncio.sleep(wait)
        await finish_album(bot, services, *key)
    finally:
        waiting.pop(key, None)


async def finish_album(bot: Bot, services: Services, chat_id: int, media_group_id: str) -> None:
    """Files a complete album captioned /lapor as one report, or says it was not recorded."""
    items = await services.albums.items(chat_id, media_group_id)
    if not items:
        return
    officer = await services.members.get(items[0].user_id)
    if (
        officer is None
        or officer.state is not MemberState.ACTIVE
        or not officer.role.is_field
        or officer.kecamatan is None
    ):
        logger.info("Album of %s dropped: no longer an active officer", items[0].user_id)
        await services.albums.discard(items)
        return
    # Each outcome is acted on first and the items discarded after: a crash in between repeats
    # the answer (or finds the report filed), it never loses the album unanswered.
    captioned = next((item for item in items if item.caption), None)
    attachments = tuple(Attached(i.kind, i.file_id, i.file_unique_id, i.duration) for i in items)
    if captioned is None or captioned.caption is None:
        await tell(bot, chat_id, texts.album_not_recorded(len(items)))
        await services.albums.discard(items)
        return
    args = command_args(captioned.caption)
    if not args:  # "/lapor" alone: the form, with the album already in it
        await open_form(bot, services, officer.user_id, attachments)
        await services.albums.discard(items)
        return
    try:
        quick = parse_quick_report(args)
    except QuickReportInvalid as exc:
        await tell(bot, chat_id, texts.quick_report_error(exc.reason))
        await services.albums.discard(items)
        return
    photos, media = split(attachments)
    new = NewReport(
        officer_id=officer.user_id,
        kecamatan=officer.kecamatan,
        role=officer.role,
        level=quick.level,
        text=quick.text,
        created_at=services.clock(),
        source_chat_id=chat_id,
        source_message_id=captioned.message_id,
        update_id=captioned.update_id,
        photos=photos,
        media=media,
    )
    try:
        await file_report(bot, services, officer, new, captioned.message_id)
    except sqlite3.Error:
        logger.exception("Could not store an album report from officer %s", officer.user_id)
        await tell(bot, chat_id, texts.SAVE_FAILED)
    await services.albums.discard(items)


async def album_sweep_job(context: PoskoContext) -> None:
    """Finishes albums whose wait was interrupted (a restart)."""
    services = context.services
    before = services.clock() - timedelta(seconds=ALBUM_WAIT_SECONDS)
    for chat_id, media_group_id in await services.albums.settled(before):
        if (chat_id, media_group_id) not in services.runtime.albums:
            await finish_album(context.bot, services, chat_id, media_group_id)


def register(app: PoskoApp) -> None:
    """Adds the sweep of interrupted albums (items arrive through /lapor and the dialogs)."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(
            album_sweep_job, interval=SWEEP_SECONDS, first=5, name="albums"
        )
