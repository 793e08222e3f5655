"""The sender's live tally, the list of who has not confirmed, and `/status_arahan`.

The sender's own copy of an arahan is edited as copies go out and confirmations come in, at
most once every `TALLY_EVERY` seconds: changes in between are coalesced into the next edit, so
5,000 confirmations make a few dozen edits, not 5,000. The coalescing lives in memory, so the
database counts the changes a tally shows and those its last edit showed: the catch-up edits
again every tally a stop (or a failed edit) left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import datetime

from telegram import Bot, Chat, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import BadRequest, TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import READERS
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import answer, carries, pager
from bot.services import Services
from bot.texts.layout import split_messages
from domain.arahan import by_kecamatan_and_role
from domain.parsing import command_args
from handlers.arahan.runtime import ArahanRuntime, TallyEdits, runtime_of
from storage.arahan import Arahan

logger = logging.getLogger(__name__)

_NUMBER = re.compile(r"#?(\d{1,12})\Z")
# "arl:<arahan>:<page>" turns a page; ":n" opens the list as a new message (the tally's
# button); ":f<rounds>" turns a page of the list sent after the last reminder.
_LIST_DATA = re.compile(r"arl:(\d{1,12}):(\d{1,6})(?::(n|f\d{1,2}))?\Z")
RECENT = 10


def list_markup(number: int) -> InlineKeyboardMarkup:
    """The "📋 Belum konfirmasi" button (opens the list as a new message)."""
    return InlineKeyboardMarkup(
        [[InlineKeyboardButton(texts.ARAHAN_LIST_BUTTON, callback_data=f"arl:{number}:0:n")]]
    )


def header_of(services: Services, arahan: Arahan) -> str:
    """The lines above an arahan's text, in local time."""
    tz = services.settings.timezone
    return texts.arahan_header(
        arahan.number,
        arahan.urgency,
        arahan.created_at.astimezone(tz),
        arahan.audience,
        arahan.recipients,
        arahan.deadline_at.astimezone(tz),
        arahan.copy_group and services.coordination_chat_id is not None,
        services.now(),
    )


async def tally_text(services: Services, arahan: Arahan) -> str:
    """The sender's copy as it stands now."""
    tally = await services.arahan.tally(arahan.number)
    return texts.arahan_tally_copy(header_of(services, arahan), arahan.text, tally, services.now())


async def send_tally(bot: Bot, services: Services, state: ArahanRuntime, arahan: Arahan) -> None:
    """Sends the sender's live copy, once (a copy already recorded is not sent again)."""
    if arahan.tally_message_id is not None:
        return
    try:
        sent = await bot.send_message(
            arahan.sender_id,
            await tally_text(services, arahan),
            reply_markup=list_markup(arahan.number),
        )
    except TelegramError as exc:  # the arahan goes out all the same; /status_arahan shows it
        logger.warning("Tally of arahan #%s not sent: %s", arahan.number, type(exc).__name__)
        return
    state.tallies.setdefault(arahan.number, TallyEdits()).last = asyncio.get_running_loop().time()
    await services.arahan.set_tally_message(
        arahan.number, sent.chat_id, sent.message_id, arahan.tally_changes
    )


def tally_changed(bot: Bot, services: Services, state: ArahanRuntime, number: int) -> None:
    """Marks the tally of arahan #number as changed; it is edited within `tally_every`."""
    edits = state.tallies.setdefault(number, TallyEdits())
    edits.dirty = True
    if not edits.running:
        edits.running = True
        services.spawn(_edit_when_due(bot, services, state, number, edits))


async def _edit_when_due(
    bot: Bot, services: Services, state: ArahanRuntime, number: int, edits: TallyEdits
) -> None:
    loop = asyncio.get_running_loop()
    try:
        while edits.dirty:
            wait = edits.last + state.tally_every - loop.time()
            if wait > 0:
                await asyncio.sleep(wait)
            edits.dirty = False
            edits.last = loop.time()
            await edit_tally(bot, services, number)
    finally:
        edits.running = False


async def edit_tally(bot: Bot, services: Services, number: int) -> None:
    """Edits the sender's copy to the current tally, and records which change it shows."""
    # Read before the tally: a change in between is shown, or counted as not shown yet.
    arahan = await services.arahan.get(number)
    if arahan is None or arahan.tally_chat_id is None or arahan.tally_message_id is None:
        return
    try:
        await bot.edit_message_text(
            await tally_text(services, arahan),
            chat_id=arahan.tally_chat_id,
            message_id=arahan.tally_message_id,
            reply_markup=list_markup(number),
        )
    except BadRequest as exc:
        # "Not modified" shows it already; anything else (the sender deleted the copy) will
        # not pass with another try.
        if "not modified" not in exc.message:
            logger.info("Tally of arahan #%s not edited: %s", number, exc.message)
    except TelegramError as exc:  # may pass: the catch-up tries again
        logger.info("Tally of arahan #%s not edited: %s", number, type(exc).__name__)
        return
    await services.arahan.tally_edited(number, arahan.tally_changes)


async def refresh_stale_tallies(
    bot: Bot, services: Services, state: ArahanRuntime, since: datetime
) -> None:
    """Edits again the tallies (of arahan sent since `since`) that show fewer changes than
    there were: an edit cancelled by a stop, or one Telegram did not take."""
    for number in await services.arahan.stale_tallies(since):
        tally_changed(bot, services, state, number)


async def unconfirmed_pages(
    services: Services, number: int, reminded: int | None = None
) -> list[str]:
    """Who has not confirmed arahan #number, by kecamatan and jabatan, as pages of a message
    (with `reminded`: headed as the list sent after the last reminder)."""
    people = await services.arahan.unconfirmed(number)
    grouped = by_kecamatan_and_role(people, services.region.kecamatan)
    blocks = texts.unconfirmed_blocks(number, grouped, len(people), services.now(), reminded)
    return split_messages(blocks)


def page_markup(
    number: int, page: int, pages: int, reminded: int | None = None
) -> InlineKeyboardMarkup | None:
    """⬅️/➡️ through the list (the final list's pages keep its heading: ":f<rounds>")."""
    return pager(f"arl:{number}", page, pages, f":f{reminded}" if reminded else "")


async def send_unconfirmed(bot: Bot, services: Services, chat_id: int, number: int) -> None:
    """Sends the first page of the list (with ⬅️/➡️ when it is longer)."""
    pages = await unconfirmed_pages(services, number)
    await bot.send_message(chat_id, pages[0], reply_markup=page_markup(number, 0, len(pages)))


async def list_cb(update: Update, context: PoskoContext) -> None:
    """Shows who has not confirmed: a new message from the tally, a page turn in place."""
    query = update.callback_query
    if query is None or not query.data:
        return
    match = _LIST_DATA.match(query.data)
    services = context.services
    message = query.message
    arahan = await services.arahan.get(int(match[1])) if match is not None else None
    # Only a button the message shows acts on it: forged data would edit any message.
    if match is None or arahan is None or not carries(message, query.data):
        await answer(query, texts.STALE_BUTTON)
        return
    if not isinstance(message, Message):  # pragma: no cover - carries() checked it
        return
    if message.chat.type != Chat.PRIVATE and not arahan.copy_group:
        # Names of an arahan its sender did not copy to the group stay out of it.
        await answer(query, texts.arahan_list_private(arahan.number), show_alert=True)
        return
    number, page = arahan.number, int(match[2])
    await answer(query)
    if match[3] == "n":
        await send_unconfirmed(context.bot, services, message.chat_id, number)
        return
    reminded = int(match[3][1:]) if match[3] else None
    pages = await unconfirmed_pages(services, number, reminded)
    page = min(page, len(pages) - 1)
    with contextlib.suppress(BadRequest):  # pressed twice: "not modified"
        await query.edit_message_text(
            pages[page], reply_markup=page_markup(number, page, len(pages), reminded)
        )


async def status_arahan_cmd(update: Update, context: PoskoContext) -> None:
    """Shows the tally of one arahan, or lists the recent ones with their tallies."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    args = command_args(message.text or "")
    if not args:
        recent = await services.arahan.recent(RECENT)
        if not recent:
            await message.reply_text(texts.STATUS_ARAHAN_NONE)
            return
        tallies = await services.arahan.tallies([a.number for a in recent])
        tz = services.settings.timezone
        lines = [
            texts.arahan_status_line(
                a.number, a.created_at.astimezone(tz), a.audience, tallies[a.number]
            )
            for a in recent
        ]
        await message.reply_text("\n".join([texts.STATUS_ARAHAN_HEAD, *lines]))
        return
    match = _NUMBER.match(args)
    if match is None:
        await message.reply_text(texts.STATUS_ARAHAN_USAGE)
        return
    arahan = await services.arahan.get(int(match[1]))
    if arahan is None:
        await message.reply_text(texts.arahan_not_found(int(match[1])))
        return
    tally = await services.arahan.tally(arahan.number)
    answers = await services.arahan.answer_count(arahan.number)
    # In the group, the text and the names of an arahan its sender did not copy there stay
    # private.
    shown_here = message.chat.type == Chat.PRIVATE or arahan.copy_group
    await message.reply_text(
        texts.arahan_status_view(
            header_of(services, arahan),
            arahan.text if shown_here else "",
            tally,
            answers,
            services.now(),
        ),
        reply_markup=list_markup(arahan.number) if shown_here else None,
    )


COMMANDS = (
    Command(
        "status_arahan",
        status_arahan_cmd,
        READERS,
        texts.STATUS_ARAHAN_COMMAND.menu,
        texts.STATUS_ARAHAN_COMMAND.help,
        "alone: the recent arahan with their tallies; with a number: that arahan's tally and a "
        "button listing who has not confirmed, by kecamatan and jabatan",
        usage="[nomor]",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/status_arahan` and the list's buttons."""
    runtime_of(app.bot_data)
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(list_cb, pattern=r"^arl:"))
