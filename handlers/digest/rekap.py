"""`/rekap [tanggal]`: the digest of a WITA day, for admins and inside the coordination group."""

from __future__ import annotations

from telegram import Message, Update

from bot import texts
from bot.access import ALL, STAFF, Rule
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.texts import commands as help_texts
from bot.texts import render_digest
from domain.digest import DigestSnapshot, day_bounds
from domain.parsing import DayInvalid, command_args, parse_day
from handlers.digest.schedule import load_snapshot


async def rekap_cmd(update: Update, context: PoskoContext) -> None:
    """Sends the digest of the current reporting window (up to now), or of a given day."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    today = services.today()
    args = command_args(message.text or "")
    if not args:
        # As a digest posted now would read: the current window, or the day so far.
        period = services.rhythm().period_at(services.now())
        snapshot = await load_snapshot(services, period.start, period.end, period=period)
        await _send(context, message, snapshot)
        return
    try:
        day = parse_day(args, today)
    except DayInvalid:
        await message.reply_text(texts.REKAP_BAD_DATE)
        return
    if day > today:
        await message.reply_text(texts.REKAP_FUTURE)
        return
    start, end = day_bounds(day, services.settings.timezone)
    whole_day = day != today
    snapshot = await load_snapshot(
        services, start, end if whole_day else services.now(), end_inclusive=not whole_day
    )
    await _send(context, message, snapshot)


async def _send(context: PoskoContext, message: Message, snapshot: DigestSnapshot) -> None:
    thread_id = message.message_thread_id if message.is_topic_message else None
    for part in render_digest(snapshot):
        await context.bot.send_message(message.chat_id, part, message_thread_id=thread_id)


COMMANDS = (
    Command(
        "rekap",
        rekap_cmd,
        Rule(private=STAFF, coordination=ALL),
        help_texts.REKAP.menu,
        help_texts.REKAP.help,
        "the digest as posted on schedule: alone, of the current reporting window (the WITA "
        "day where no election stage sets windows) up to now; with a date (or `hari ini`), of "
        "that whole WITA day (today: up to now)",
        usage="[tanggal | hari ini | kemarin]",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/rekap`."""
    add_commands(app, COMMANDS)
