"""`/kinerja [dari] [sampai]`: how fast incidents were taken up and resolved in a period.

The period is read as /ekspor reads it (WITA days, at most 366); without arguments it is the
last 7 days up to now, the span a Forkopimda meeting looks back on (`/kinerja hari ini` for
election day itself). The figures are of the incidents opened in the period (domain.kinerja).
"""

from __future__ import annotations

import asyncio
from contextlib import closing
from datetime import datetime
from pathlib import Path

from telegram import Update

from bot import texts
from bot.access import READERS
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.texts import commands as help_texts
from domain.digest import day_bounds
from domain.kerawanan import MapLevel, VulnerabilityMap, kinerja_by_level
from domain.kinerja import KinerjaReport, Performance, kinerja
from domain.parsing import DayInvalid, command_args, parse_day_range
from storage.db import to_sql_time
from storage.export import incident_rows, open_reader
from storage.incidents import incident_from_row

MAX_DAYS = 366
DEFAULT_DAYS = 7


LevelFigures = tuple[tuple[MapLevel | None, Performance], ...]


def read_kinerja(
    db_path: Path, start: datetime, end: datetime, vmap: VulnerabilityMap
) -> tuple[KinerjaReport, LevelFigures] | None:
    """The figures of the incidents opened in [start, end), and per level of the vulnerability
    map `vmap` (none without a map); None when there were no incidents.

    Runs in a worker thread on its own read-only connection, as /ekspor does, so officers never
    wait for it: the 1,000,000-report benchmark database with every Waspada+ report an incident
    has 23,961 incidents in 7 days (0.4 s) and 201,886 in 60 days (4.2 s).
    """
    with closing(open_reader(db_path)) as conn:
        rows = incident_rows(conn, to_sql_time(start), to_sql_time(end))
        incidents = [incident_from_row(row) for row in rows]
    if not incidents:
        return None
    return kinerja(incidents), kinerja_by_level(incidents, vmap) if not vmap.empty else ()


async def kinerja_cmd(update: Update, context: PoskoContext) -> None:
    """Sends the median and worst time to take up and to resolve, overall and per kecamatan."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    tz = services.settings.timezone
    try:
        first, last = parse_day_range(
            command_args(message.text or ""),
            services.today(),
            max_days=MAX_DAYS,
            default_days=DEFAULT_DAYS,
        )
    except DayInvalid:
        await message.reply_text(texts.KINERJA_USAGE)
        return
    start, _ = day_bounds(first, tz)
    _, end = day_bounds(last, tz)
    found = await asyncio.to_thread(
        read_kinerja,
        services.settings.database_path,
        start,
        end,
        services.admin_settings.vulnerability,
    )
    if found is None:
        await message.reply_text(texts.kinerja_empty(first, last))
        return
    report, levels = found
    extra = [texts.kinerja_levels_block(levels)] if levels else []
    thread = message.message_thread_id if message.is_topic_message else None
    for part in texts.render_kinerja(report, first, last, extra):
        await message.reply_text(part, do_quote=False, message_thread_id=thread)


COMMANDS = (
    Command(
        "kinerja",
        kinerja_cmd,
        READERS,
        help_texts.KINERJA.menu,
        help_texts.KINERJA.help,
        "median and worst time to take up and to resolve incidents, overall and per "
        "kecamatan, with counts (opened, taken up, resolved, still open), for the incidents "
        "opened in the WITA days given (default the last 7 days, at most 366); incidents the "
        "upgrade closed are left out of the time to resolve; with a vulnerability map, also by "
        "mapped level",
        usage="[dari] [sampai]",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/kinerja`."""
    add_commands(app, COMMANDS)
