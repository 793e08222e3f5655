"""`/tahapan`: the election calendar. Everyone registered sees the stage in force, its rhythm,
the reporting window now and the next stage; admins change a stage's dates (`ubah`) or rhythm
(`atur`), or load a whole calendar file (`impor`), each confirmed with ✅ Simpan. A change is
stored as a new calendar version with its audit entry, and takes effect at once: the digest and
reminder jobs are planned again, without a restart."""

from __future__ import annotations

import logging
from dataclasses import replace
from typing import cast

from telegram import (
    Chat,
    Document,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler, MessageHandler, filters

from bot import texts
from bot.access import STAFF, Access, Rule, command_of
from bot.commands import PETUGAS_MENU, STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer
from bot.services import Services
from domain.calendar import (
    Calendar,
    CalendarInvalid,
    ChangeInvalid,
    Finding,
    Problem,
    calendar_json,
    parse_calendar,
    parse_dates_change,
    parse_rhythm_change,
    problems,
)
from domain.parsing import command_args
from handlers.digest.schedule import adds_past_digests, schedule_jobs
from storage.calendar import CalendarVersion
from storage.config import DIGESTS_CHANGED_AT
from storage.db import to_sql_time

logger = logging.getLogger(__name__)

MAX_BYTES = 256 * 1024
CALLBACK = "thp"
MEMBERS = frozenset({Access.PETUGAS}) | STAFF


async def adopt_calendar(
    app: PoskoApp,
    services: Services,
    calendar: Calendar,
    change: str,
    actor_id: int | None,
    *,
    proposal_id: int | None = None,
) -> int | None:
    """Stores `calendar` as the one in force (audited), applies it and plans the jobs again;
    returns its version, or None when its proposal was decided already. Hold
    `runtime.calendar_lock` around the check of what it was made against and this call."""
    now = services.clock()
    text = calendar_json(calendar)
    before = services.rhythm()
    # Digest slots the new rhythm puts in the past never existed: the catch-up must not post
    # them late (as after a /jadwal change). A change that adds none keeps the moment as it
    # was, so a digest whose post failed is still caught up after an unrelated edit.
    moved = adds_past_digests(before, replace(before, calendar=calendar), services.now())
    version = await services.calendars.adopt(
        text,
        change,
        actor_id,
        now,
        proposal_id=proposal_id,
        bookkeeping={DIGESTS_CHANGED_AT: to_sql_time(now)} if moved else None,
    )
    if version is None:
        return None
    admin_settings = services.admin_settings
    admin_settings.calendar = calendar
    admin_settings.calendar_version = CalendarVersion(
        version, text, change, actor_id, now.replace(microsecond=0)
    )
    if moved:
        admin_settings.digests_changed_at = now.replace(microsecond=0)
    schedule_jobs(app, services)
    logger.info("Calendar version %s in force (%s)", version, change)
    return version


async def reply_parts(
    message: Message, text: str, markup: InlineKeyboardMarkup | None = None
) -> None:
    """Replies with `text` in as many messages as it needs (a calendar of many stages or
    problems may not fit one); buttons go under the last."""
    parts = texts.split_messages([text])
    thread = message.message_thread_id if message.is_topic_message else None
    for index, part in enumerate(parts, 1):
        last = index == len(parts)
        await message.reply_text(
            part, reply_markup=markup if last else None, message_thread_id=thread, do_quote=False
        )


async def tahapan_cmd(update: Update, context: PoskoContext) -> None:
    """Shows the calendar, or proposes a change of dates or rhythm, or imports a file."""
    message = update.effective_message
    if message is None or command_of(message, context.bot.username or "") != "tahapan":
        return
    args = command_args(message.text or message.caption or "")
    word, _, rest = args.partition(" ")
    word = word.casefold()
    if not word:
        await _show(context, message)
        return
    if word not in ("ubah", "atur", "impor"):
        await message.reply_text(texts.TAHAPAN_USAGE)
        return
    if not context.actor.is_admin or message.chat.type != Chat.PRIVATE:
        await message.reply_text(texts.TAHAPAN_ADMIN_ONLY)
        return
    if word == "impor":
        await _import(context, message)
        return
    services = context.services
    calendar = services.admin_settings.calendar
    try:
        if word == "ubah":
            change = parse_dates_change(rest, calendar, services.today())
        else:
            change = parse_rhythm_change(rest, calendar)
    except ChangeInvalid as exc:
        await message.reply_text(texts.CHANGE_ERRORS[exc.reason])
        return
    proposed = calendar.with_stage(change.number, change.after)
    if found := problems(proposed):
        await reply_parts(message, texts.calendar_refused(found))
        return
    question = (
        texts.proposal_dates(change.number, change.before, change.after)
        if word == "ubah"
        else texts.proposal_rhythm(change.number, change.before, change.after)
    )
    await _propose(context, message, calendar, proposed, change.change, question)


async def _show(context: PoskoContext, message: Message) -> None:
    services = context.services
    admin_settings = services.admin_settings
    stored = admin_settings.calendar_version
    file = services.settings.calendar_file
    text = texts.tahapan_view(
        services.calendar_now(),
        admin_settings.calendar,
        version=stored.version if stored else None,
        changed_at=stored.changed_at.astimezone(services.settings.timezone) if stored else None,
        file=file.name if file is not None else None,
        admin=context.actor.is_admin and message.chat.type == Chat.PRIVATE,
        file_set_aside=stored is not None
        and admin_settings.file_calendar not in (None, admin_settings.calendar),
        officer=context.actor.access is Access.PETUGAS,
    )
    await reply_parts(message, text)


async def _propose(
    context: PoskoContext,
    message: Message,
    base: Calendar,
    proposed: Calendar,
    change: str,
    question: str,
) -> None:
    """Stores the change and asks its admin to confirm it."""
    services = context.services
    proposal_id = await services.calendars.propose(
        context.actor.user_id or 0,
        calendar_json(base),
        calendar_json(proposed),
        change,
        services.clock(),
    )
    markup = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(
                    texts.SAVE_BUTTON, callback_data=f"{CALLBACK}:ok:{proposal_id}"
                ),
                InlineKeyboardButton(
                    texts.CANCEL_BUTTON, callback_data=f"{CALLBACK}:no:{proposal_id}"
                ),
            ]
        ]
    )
    await reply_parts(message, question, markup)


def _document_of(message: Message) -> Document | None:
    if message.document is not None:
        return message.document
    replied = message.reply_to_message
    return replied.document if replied is not None else None


async def _import(context: PoskoContext, message: Message) -> None:
    """`/tahapan impor`: a whole calendar file, all or nothing, every problem listed."""
    document = _document_of(message)
    if document is None:
        await message.reply_text(texts.TAHAPAN_IMPOR_HELP)
        return
    if document.file_size is not None and document.file_size > MAX_BYTES:
        await message.reply_text(texts.TAHAPAN_IMPOR_TOO_BIG)
        return
    try:
        file = await context.bot.get_file(document.file_id)
        data = bytes(await file.download_as_bytearray())
    except TelegramError as exc:
        logger.warning("Calendar download failed: %s", type(exc).__name__)
        await message.reply_text(texts.TAHAPAN_IMPOR_DOWNLOAD_FAILED)
        return
    if len(data) > MAX_BYTES:
        await message.reply_text(texts.TAHAPAN_IMPOR_TOO_BIG)
        return
    try:
        calendar = parse_calendar(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        finding = Finding(Problem.UNREADABLE)
        await reply_parts(message, texts.calendar_refused([finding]))
        return
    except CalendarInvalid as exc:
        await reply_parts(message, texts.calendar_refused(exc.findings))
        return
    base = context.services.admin_settings.calendar
    change = f"import {len(calendar.stages)} stages"
    await _propose(context, message, base, calendar, change, texts.proposal_import(calendar))


async def tahapan_cb(update: Update, context: PoskoContext) -> None:
    """Saves (✅ Simpan) or drops (❌ Batal) a proposed calendar change."""
    query = update.callback_query
    if query is None or not query.data:
        return
    _, action, id_text = [*query.data.split(":"), "", ""][:3]
    services = context.services
    valid = id_text.isascii() and id_text.isdigit() and len(id_text) < 12
    proposal = await services.calendars.proposal(int(id_text)) if valid else None
    if proposal is None or proposal.decision is not None or action not in ("ok", "no"):
        await answer(query, texts.STALE_BUTTON)
        return
    if proposal.actor_id != context.actor.user_id:
        await answer(query, texts.CALENDAR_NOT_YOURS)
        return
    now = services.clock()
    if action == "no":
        outcome = texts.CALENDAR_CANCELLED
        if not await services.calendars.decide(proposal.id, "cancelled", now):
            await answer(query, texts.STALE_BUTTON)
            return
    else:
        async with services.runtime.calendar_lock:
            if calendar_json(services.admin_settings.calendar) != proposal.base:
                await services.calendars.decide(proposal.id, "stale", now)
                version = None
                outcome = texts.CALENDAR_STALE
            else:
                version = await adopt_calendar(
                    cast(PoskoApp, context.application),
                    services,
                    parse_calendar(proposal.calendar),
                    proposal.change,
                    context.actor.user_id,
                    proposal_id=proposal.id,
                )
                if version is None:  # pressed twice: the first press saved it
                    await answer(query, texts.STALE_BUTTON)
                    return
                outcome = texts.calendar_saved(version, services.calendar_now())
    await answer(query)
    message = query.message
    if isinstance(message, Message):
        try:
            await message.edit_reply_markup(None)
        except TelegramError as exc:  # e.g. a message too old to edit: the answer still goes
            logger.info("Calendar proposal buttons not removed: %s", type(exc).__name__)
    chat_id = message.chat.id if message is not None else proposal.actor_id
    await context.bot.send_message(chat_id, outcome)


COMMANDS = (
    Command(
        "tahapan",
        tahapan_cmd,
        Rule(private=MEMBERS, coordination=MEMBERS),
        texts.TAHAPAN.menu,
        texts.TAHAPAN.help,
        "the election stage in force, its rhythm (digest and reminder times, reporting "
        "window), the window now and the next stage, and (for koordinators and admins) the "
        "calendar; admins (private chat): "
        "`ubah <nomor> | <dari> | <sampai>` changes a stage's dates, `atur <nomor> rekap|"
        "pengingat|jendela ...` its rhythm, a JSON file with caption `/tahapan impor` replaces "
        "the calendar (all or nothing); each with ✅ Simpan, stored, audited, in force at once",
        usage="[ubah ... | atur ... | impor]",
        menu=PETUGAS_MENU | STAFF_MENU,
        rank=55,  # after the everyday commands, before the admins' settings
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/tahapan` (also as the caption of a calendar file) and its confirmation buttons."""
    add_commands(app, COMMANDS)
    caption = filters.CaptionRegex(r"^/tahapan(@\w+)?\s+impor\b")
    app.add_handler(MessageHandler(filters.Document.ALL & caption, tahapan_cmd))
    app.add_handler(CallbackQueryHandler(tahapan_cb, pattern=rf"^{CALLBACK}:"))
