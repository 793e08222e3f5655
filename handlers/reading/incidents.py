"""`/insiden [kecamatan]`: open incidents, worst and oldest first; and the timeline of /lihat."""

from __future__ import annotations

import contextlib
import math

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import READERS
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import PAGE_SIZE, answer, pager
from bot.services import Services
from bot.texts import commands as help_texts
from domain.incidents import EventKind
from domain.parsing import command_args
from domain.reports import Report


async def timeline_blocks(services: Services, report: Report) -> list[str]:
    """The timeline of the incident `report` belongs to, as /lihat blocks (none without one)."""
    if report.incident is None:
        return []
    incident = await services.incidents.get(report.incident)
    if incident is None:
        return []
    tz = services.settings.timezone
    names: dict[int, str] = {}
    lines = []
    for event in await services.incidents.events(incident.number):
        reporter = None
        if event.kind is EventKind.REPORT and event.actor_id is not None:
            if event.actor_id not in names:
                member = await services.members.get(event.actor_id)
                names[event.actor_id] = (
                    texts.reporter_name(member.role, member.name) if member else "-"
                )
            reporter = names[event.actor_id]
        lines.append(texts.timeline_line(event, event.at.astimezone(tz), reporter))
    header = texts.timeline_header(
        incident.number, incident.level, incident.state, incident.opened_at.astimezone(tz),
        incident.kecamatan,
    )  # fmt: skip
    return [header, *lines]


# "➕ #N" buttons per row under a private /insiden page (10 a page: two rows).
ENTRY_BUTTONS_PER_ROW = 5


async def insiden_page(
    services: Services, kecamatan: str | None, page: int, *, private: bool = False
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of open incidents, with its pager; in a private chat also a "➕ #N" button per
    incident that asks for its perkembangan (a group cannot hold that private dialog)."""
    incidents, total = await services.incidents.open_page(kecamatan, page * PAGE_SIZE, PAGE_SIZE)
    if total == 0:
        return texts.INSIDEN_EMPTY, None
    pages = max(1, math.ceil(total / PAGE_SIZE))
    if page >= pages:  # a stale page number: incidents were closed meanwhile
        return await insiden_page(services, kecamatan, pages - 1, private=private)
    tz, now = services.settings.timezone, services.now()
    lines = [
        texts.insiden_line(
            i.number, i.level, i.kecamatan, i.state, i.opened_at.astimezone(tz), now
        )
        for i in incidents
    ]
    text = texts.insiden_page(
        texts.insiden_title(kecamatan), lines, page, pages, total, buttons=private
    )
    where = services.region.kecamatan.index(kecamatan) if kecamatan else -1
    pages_markup = pager("ins", page, pages, f":{where}")
    if not private:
        return text, pages_markup
    entries = [
        InlineKeyboardButton(
            texts.insiden_update_button(i.number), callback_data=f"upd:{i.number}"
        )
        for i in incidents
    ]
    rows = [
        entries[start : start + ENTRY_BUTTONS_PER_ROW]
        for start in range(0, len(entries), ENTRY_BUTTONS_PER_ROW)
    ]
    if pages_markup is not None:
        rows += [list(row) for row in pages_markup.inline_keyboard]
    return text, InlineKeyboardMarkup(rows)


async def insiden_cmd(update: Update, context: PoskoContext) -> None:
    """Lists open incidents, worst and oldest first, optionally of one kecamatan."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    args = command_args(message.text or "")
    kecamatan = services.region.find(args) if args else None
    if args and kecamatan is None:
        await message.reply_text(texts.INSIDEN_USAGE)
        return
    private = message.chat.type == "private"
    text, markup = await insiden_page(services, kecamatan, 0, private=private)
    thread = message.message_thread_id if message.is_topic_message else None
    await message.reply_text(text, reply_markup=markup, message_thread_id=thread)


async def insiden_page_cb(update: Update, context: PoskoContext) -> None:
    """Turns a page of /insiden in place ("ins:<page>:<kecamatan index or -1>")."""
    query = update.callback_query
    if query is None or not query.data:
        return
    _, page_text, where_text = [*query.data.split(":"), "", ""][:3]
    region = context.services.region.kecamatan
    valid = page_text.isascii() and page_text.isdigit() and len(page_text) < 6
    try:
        where = int(where_text)
    except ValueError:
        valid = False
    else:
        valid = valid and -1 <= where < len(region)
    if not valid:
        await answer(query, texts.STALE_BUTTON)
        return
    kecamatan = region[where] if where >= 0 else None
    private = query.message is not None and query.message.chat.type == "private"
    text, markup = await insiden_page(context.services, kecamatan, int(page_text), private=private)
    await answer(query)
    with contextlib.suppress(TelegramError):  # e.g. "message is not modified" on a double tap
        await query.edit_message_text(text, reply_markup=markup)


COMMANDS = (
    Command(
        "insiden",
        insiden_cmd,
        READERS,
        help_texts.INSIDEN.menu,
        help_texts.INSIDEN.help,
        "open incidents, worst and oldest first, with state and age, 10 a page with ⬅️/➡️; "
        "in a private chat a ➕ button per incident asks for its perkembangan",
        usage="[kecamatan]",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/insiden` and its page buttons."""
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(insiden_page_cb, pattern=r"^ins:"))
