"""`/ekspor` (CSV + XLSX files) and `/grafik` (a PNG chart), built off the event loop."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from datetime import timedelta
from pathlib import Path

from telegram import Chat, Update

from bot import texts
from bot.access import READERS
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.texts import commands as help_texts
from bot.transport import upload_timeout
from domain.digest import day_bounds
from domain.parsing import DayInvalid, command_args, parse_day_range
from handlers.reading.charts import build_chart
from handlers.reading.workbook import build_export

logger = logging.getLogger(__name__)

MAX_EXPORT_DAYS = 366
MAX_CHART_DAYS = 90
DEFAULT_CHART_DAYS = 7


async def ekspor_cmd(update: Update, context: PoskoContext) -> None:
    """Sends the reports of a date range as CSV (UTF-8 with BOM) and XLSX."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    tz = services.settings.timezone
    try:
        first, last = parse_day_range(
            command_args(message.text or ""), services.today(), max_days=MAX_EXPORT_DAYS
        )
    except DayInvalid:
        await message.reply_text(texts.EKSPOR_USAGE)
        return
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    _, total = await services.queries.listing(2**62, None, start, end, 0, 1)
    if total == 0:
        await message.reply_text(texts.ekspor_empty(first, last))
        return
    await message.reply_text(texts.EKSPOR_WORKING)
    # Phone numbers and people not (or no longer) active are the admins' member directory.
    directory = context.actor.is_admin and message.chat.type == Chat.PRIVATE
    board = await services.logistics.board(
        services.logistics_plan, services.region, services.clock()
    )
    with tempfile.TemporaryDirectory(prefix="posko-ekspor-") as folder:
        files = await asyncio.to_thread(
            build_export,
            services.settings.database_path,
            first,
            last,
            tz,
            Path(folder),
            directory=directory,
            logistics=texts.logistics_rows(board, tz),
        )
        for path, kind in ((files.csv_path, "CSV"), (files.xlsx_path, "Excel")):
            with path.open("rb") as handle:
                await message.reply_document(
                    handle,
                    filename=path.name,
                    caption=texts.ekspor_caption(first, last, files.reports, kind),
                    do_quote=False,
                    write_timeout=upload_timeout(path.stat().st_size),
                )
    logger.info(
        "Export %s..%s (%s reports) for %s", first, last, files.reports, context.actor.user_id
    )


async def grafik_cmd(update: Update, context: PoskoContext) -> None:
    """Sends a chart of the last N days (default 7, at most 90)."""
    message = update.effective_message
    if message is None:
        return
    args = command_args(message.text or "")
    if args and (not args.isascii() or not args.isdigit() or not 1 <= int(args) <= MAX_CHART_DAYS):
        await message.reply_text(texts.GRAFIK_USAGE)
        return
    days = int(args) if args else DEFAULT_CHART_DAYS
    services = context.services
    tz = services.settings.timezone
    last = services.today()
    start, _ = day_bounds(last - timedelta(days=days - 1), tz)
    _, end = day_bounds(last, tz)
    _, total = await services.queries.listing(2**62, None, start, end, 0, 1)
    if total == 0:
        await message.reply_text(texts.grafik_empty(days))
        return
    png = await asyncio.to_thread(
        build_chart,
        services.settings.database_path,
        services.region.district,
        services.region.kecamatan,
        last,
        days,
        tz,
    )
    await message.reply_photo(png, caption=texts.grafik_caption(days, last), do_quote=False)


COMMANDS = (
    Command(
        "ekspor",
        ekspor_cmd,
        READERS,
        help_texts.EKSPOR.menu,
        help_texts.EKSPOR.help,
        "a CSV (UTF-8 with BOM) of the reports and an XLSX workbook (Laporan, Petugas, "
        "Ringkasan Harian with each kecamatan's condition per day, Insiden, Kinerja, Logistik, "
        "Arahan, Penerima Arahan, Kerawanan) of the WITA days given (default today, at most "
        "366); outside an admin's private chat the Petugas sheet has active members only and no "
        "phone numbers",
        usage="[dari] [sampai]",
        menu=STAFF_MENU,
    ),
    Command(
        "grafik",
        grafik_cmd,
        READERS,
        help_texts.GRAFIK.menu,
        help_texts.GRAFIK.help,
        "a PNG chart of the last N days (default 7, at most 90): reports per day by level, "
        "and a kecamatan x day map of the condition (its worst moment of the day)",
        usage="[hari]",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/ekspor` and `/grafik`."""
    add_commands(app, COMMANDS)
