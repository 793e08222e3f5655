"""Reading reports from inside Telegram: /status, /belum, /laporan, /lihat and /cari."""

from __future__ import annotations

import contextlib
import logging
import math
from datetime import date, timedelta
from html import escape
from typing import Any

from telegram import (
    InlineKeyboardMarkup,
    InputMediaPhoto,
    Message,
    Update,
)
from telegram.error import TelegramError
from telegram.ext import CallbackQueryHandler

from bot import texts
from bot.access import READERS
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.keyboards import PAGE_SIZE, answer, pager
from bot.services import Services
from bot.texts import commands as help_texts
from bot.texts import split_messages
from domain.calendar import Period
from domain.digest import day_bounds
from domain.enums import FIELD_ROLES
from domain.parsing import DayInvalid, command_args, parse_day
from handlers.digest.schedule import load_snapshot, load_status
from handlers.reading.incidents import timeline_blocks
from handlers.reports.filing import send_media
from storage.queries import MARK_END, MARK_START, View, fts_query

PAGE = PAGE_SIZE

logger = logging.getLogger(__name__)


def _thread(message: Message) -> int | None:
    return message.message_thread_id if message.is_topic_message else None


async def _reply_parts(message: Message, parts: list[str]) -> None:
    for part in parts:
        await message.reply_text(part, do_quote=False, message_thread_id=_thread(message))


def _period(services: Services) -> Period:
    """What "today" counts now: the current reporting window of the election calendar (the
    WITA day so far where no stage sets windows, or outside every window)."""
    return services.rhythm().period_at(services.now())


async def status_parts(services: Services) -> list[str]:
    """The /status answer: each kecamatan's condition in the current window, worst first."""
    period = _period(services)
    snapshot = await load_status(services, period.start, period.end)
    # Mapped `tinggi` and silent first, then worst first; within a condition by mapped level.
    lines = [
        texts.status_line_flagged(k.name, k.latest)
        if snapshot.is_flagged(k)
        else texts.status_line(k.name, k.latest, k.count)
        for k in snapshot.by_attention()
    ]
    counts = texts.condition_counts_line(snapshot.condition_counts)
    note = texts.period_note(period)
    header = texts.status_view(period.end.date(), period.end, counts, note)
    return split_messages([header, *lines])


async def status_cmd(update: Update, context: PoskoContext) -> None:
    """The current level of each kecamatan today, worst first."""
    message = update.effective_message
    if message is None:
        return
    await _reply_parts(message, await status_parts(context.services))


async def belum_cmd(update: Update, context: PoskoContext) -> None:
    """Officers who have not reported in the current window (or today), by kecamatan and role."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    period = _period(services)
    snapshot = await load_snapshot(services, period.start, period.end, period=period)
    lines, count = [], 0
    for status in snapshot.by_mapped_level(flagged_first=True):
        silent = sorted(
            (o for o in snapshot.officers if o.kecamatan == status.name and o.latest is None),
            key=lambda o: (FIELD_ROLES.index(o.role), o.name),
        )
        if silent:
            count += len(silent)
            names = ", ".join(f"{texts.ROLE_LABEL[o.role]} {escape(o.name)}" for o in silent)
            flag = f" {texts.FLAG}" if snapshot.is_flagged(status) else ""
            lines.append(f"<b>{escape(status.name)}</b>{flag}: {names}")
    if not lines:
        await message.reply_text(texts.belum_none(period) or texts.BELUM_NONE)
        return
    header = texts.belum_view(period.end.date(), [], count, texts.period_note(period))
    await _reply_parts(message, split_messages([header, *lines]))


def _parse_listing_args(args: str, services: Services) -> tuple[str | None, date | None] | None:
    """Splits "[kecamatan] [tanggal]"; None when it does not parse."""
    words = args.split()
    today = services.today()
    for take in (4, 3, 2, 1, 0):  # "Rabu, 27 Nov 2024" is four words
        if take > len(words):
            continue
        day_text = " ".join(words[len(words) - take :]) if take else ""
        place_text = " ".join(words[: len(words) - take])
        try:
            day = parse_day(day_text, today) if take else None
        except DayInvalid:
            continue
        kecamatan = services.region.find(place_text) if place_text else None
        if place_text and kecamatan is None:
            continue
        return kecamatan, day
    return None


async def laporan_cmd(update: Update, context: PoskoContext) -> None:
    """The newest reports, optionally of one kecamatan and/or day, 10 per page."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    parsed = _parse_listing_args(command_args(message.text or ""), services)
    if parsed is None:
        await message.reply_text(texts.LAPORAN_USAGE)
        return
    kecamatan, day = parsed
    if day is not None and day > services.today():  # "besok", "lusa": nothing filed yet
        await message.reply_text(texts.LAPORAN_FUTURE)
        return
    params = {"kecamatan": kecamatan, "day": day.isoformat() if day else None}
    await _open_view(message, services, "laporan", params)


def search_params(words: str) -> dict[str, Any] | None:
    """The saved parameters of a /cari view; None when no searchable word was typed."""
    query = fts_query(words)
    return None if query is None else {"words": words[:200], "query": query}


async def cari_cmd(update: Update, context: PoskoContext) -> None:
    """Full-text search over report texts and corrections, newest first, 10 per page."""
    message = update.effective_message
    if message is None:
        return
    params = search_params(command_args(message.text or ""))
    if params is None:
        await message.reply_text(texts.CARI_USAGE)
        return
    await _open_view(message, context.services, "cari", params)


async def open_view(
    services: Services, kind: str, params: dict[str, Any]
) -> tuple[str, InlineKeyboardMarkup | None]:
    """Saves a paginated query (frozen at the newest report) and renders its first page."""
    latest = await services.queries.latest_number()
    view = await services.queries.save_view(kind, params, latest, services.clock())
    return await render_view(services, view, 0)


async def _open_view(
    message: Message, services: Services, kind: str, params: dict[str, Any]
) -> None:
    text, markup = await open_view(services, kind, params)
    await message.reply_text(text, reply_markup=markup, message_thread_id=_thread(message))


def highlight(snippet: str) -> str:
    """Escapes a search snippet and turns FTS5's markers into bold tags, always balanced."""
    out, bold = [], False
    for char in snippet:
        if char == MARK_START:
            if not bold:
                out.append("<b>")
                bold = True
        elif char == MARK_END:
            if bold:
                out.append("</b>")
                bold = False
        else:
            out.append(escape(char))
    if bold:
        out.append("</b>")
    return "".join(out)


async def render_view(
    services: Services, view: View, page: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """One page of a saved /laporan or /cari view, with its pager."""
    tz = services.settings.timezone
    params: dict[str, Any] = view.params
    if view.kind == "cari":
        hits, total = await services.queries.search(
            params["query"], view.max_report, page * PAGE, PAGE
        )
        if total == 0:
            return texts.cari_empty(params["words"]), None
        lines = [
            texts.search_hit(
                h.report.number,
                h.report.created_at.astimezone(tz),
                h.report.level,
                h.report.kecamatan,
                highlight(h.snippet),
            )
            for h in hits
        ]
        title = texts.cari_title(params["words"])
    else:
        day = date.fromisoformat(params["day"]) if params.get("day") else None
        start, end = day_bounds(day, tz) if day else (None, None)
        reports, total = await services.queries.listing(
            view.max_report, params.get("kecamatan"), start, end, page * PAGE, PAGE
        )
        if total == 0:
            return texts.LAPORAN_EMPTY, None
        corrections = await services.reports.corrections([r.number for r in reports])
        lines = [
            texts.report_line(
                r.number,
                r.created_at.astimezone(tz),
                r.level,
                r.kecamatan,
                r.role,
                r.text,
                len(corrections[r.number]),
            )
            for r in reports
        ]
        title = texts.laporan_title(params.get("kecamatan"), day)
    pages = max(1, math.ceil(total / PAGE))
    if page >= pages:  # a forged or stale page number: show the last page
        return await render_view(services, view, pages - 1)
    text = texts.listing_page(title, lines, page, pages, total)
    return text, pager(f"v:{view.id}", page, pages)


async def view_page_cb(update: Update, context: PoskoContext) -> None:
    """Turns a /laporan or /cari page in place."""
    query = update.callback_query
    if query is None or not query.data:
        return
    _, view_text, page_text = [*query.data.split(":"), "", ""][:3]

    def small_number(text: str) -> bool:
        return text.isascii() and text.isdigit() and len(text) < 10

    view = await context.services.queries.view(int(view_text)) if small_number(view_text) else None
    if view is None or not small_number(page_text):
        await answer(query, texts.STALE_BUTTON)
        return
    text, markup = await render_view(context.services, view, int(page_text))
    await answer(query)
    with contextlib.suppress(TelegramError):  # e.g. "message is not modified" on a double tap
        await query.edit_message_text(text, reply_markup=markup)


async def lihat_cmd(update: Update, context: PoskoContext) -> None:
    """One report in full: who, where, when, text, corrections, acknowledgement, photos,
    recordings, map."""
    message = update.effective_message
    if message is None:
        return
    number_text = command_args(message.text or "").lstrip("#")
    if not number_text.isascii() or not number_text.isdigit() or len(number_text) > 12:
        await message.reply_text(texts.LIHAT_USAGE)
        return
    services = context.services
    report = await services.reports.get(int(number_text))
    if report is None:
        await message.reply_text(texts.lihat_missing(int(number_text)))
        return
    tz = services.settings.timezone
    officer = await services.members.get(report.officer_id)
    photos = await services.reports.photos(report.number)
    media = await services.reports.media(report.number)
    ack = (
        texts.ack_line(
            report.acked_by_name or "-", report.acked_at.astimezone(tz), report.ack_seconds or 0
        )
        if report.acked_at is not None
        else None
    )
    location = (
        (report.latitude, report.longitude)
        if report.latitude is not None and report.longitude is not None
        else None
    )
    blocks = texts.report_detail(
        report.number,
        report.level,
        report.kecamatan,
        report.role,
        officer.name if officer else "-",
        report.officer_id,
        report.created_at.astimezone(tz),
        report.category,
        report.text,
        len(photos),
        location,
        ack,
        report.escalated_at is not None,
        tuple(m.kind for m in media),
    )
    corrections = (await services.reports.corrections([report.number]))[report.number]
    blocks += [texts.correction_block(c.created_at.astimezone(tz), c.text) for c in corrections]
    blocks += await timeline_blocks(services, report)
    await _reply_parts(message, split_messages(blocks))
    thread = _thread(message)
    if len(photos) == 1:
        await message.reply_photo(photos[0].file_id, do_quote=False, message_thread_id=thread)
    elif photos:
        album = [InputMediaPhoto(p.file_id) for p in photos]
        await message.reply_media_group(album, do_quote=False, message_thread_id=thread)
    await send_media(context.bot, report.number, media, message.chat_id, thread_id=thread)
    if location is not None:
        await message.reply_location(*location, do_quote=False, message_thread_id=thread)


COMMANDS = (
    Command(
        "status",
        status_cmd,
        READERS,
        help_texts.STATUS.menu,
        help_texts.STATUS.help,
        "each kecamatan's condition in the current reporting window (the WITA day where no "
        'election stage sets windows), worst first; "belum lapor" otherwise; a kecamatan '
        'mapped `tinggi` (/kerawanan) that has not reported is flagged "⚠️ rawan tinggi, belum '
        'lapor" and listed first, and within a condition kecamatan go by mapped level',
        menu=STAFF_MENU,
        rank=40,  # first in the staff menus
    ),
    Command(
        "belum",
        belum_cmd,
        READERS,
        help_texts.BELUM.menu,
        help_texts.BELUM.help,
        "officers who have not reported in the current reporting window (today where no "
        "election stage sets windows), by kecamatan and jabatan",
        menu=STAFF_MENU,
    ),
    Command(
        "laporan",
        laporan_cmd,
        READERS,
        help_texts.LAPORAN.menu,
        help_texts.LAPORAN.help,
        "the newest reports, 10 a page with ⬅️/➡️ (pages stay stable while reports arrive)",
        usage="[kecamatan] [tanggal]",
        menu=STAFF_MENU,
    ),
    Command(
        "lihat",
        lihat_cmd,
        READERS,
        help_texts.LIHAT.menu,
        help_texts.LIHAT.help,
        "one report in full: officer, level, category, time, text, corrections, "
        "acknowledgement, the timeline of its incident, then its photos, voice notes and "
        "videos, and location",
        usage="<nomor>",
        menu=STAFF_MENU,
    ),
    Command(
        "cari",
        cari_cmd,
        READERS,
        help_texts.CARI.menu,
        help_texts.CARI.help,
        "full-text search (SQLite FTS5) over texts and corrections, every word must appear, "
        "typed words are never search syntax; newest first, paginated, matches in bold",
        usage="<kata kunci>",
        menu=STAFF_MENU,
    ),
)


# Pages of a /laporan or /cari listing older than this answer "Tombol ini sudah tidak berlaku".
VIEW_KEEP = timedelta(days=7)


async def prune_views_job(context: PoskoContext) -> None:
    """Forgets saved listings older than a week."""
    services = context.services
    removed = await services.queries.prune_views(services.clock() - VIEW_KEEP)
    if removed:
        logger.info("Pruned %s saved listings", removed)


def register(app: PoskoApp) -> None:
    """Adds the query commands, their page buttons and the pruning of old listings."""
    add_commands(app, COMMANDS)
    app.add_handler(CallbackQueryHandler(view_page_cb, pattern=r"^v:"))
    if app.job_queue is not None:
        app.job_queue.run_repeating(prune_views_job, interval=3600, first=60, name="prune views")
