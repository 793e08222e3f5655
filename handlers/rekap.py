"""`/rekap [tanggal]`: the digest of a WITA day, for admins and inside the coordination group."""

from __future__ import annotations

from telegram import Update
from telegram.ext import CommandHandler

from bot import texts
from bot.access import resolve_actor
from bot.context import PoskoApp, PoskoContext
from bot.digest import day_bounds, render_digest
from bot.digest_jobs import load_snapshot, send_messages
from bot.parsing import DayInvalid, command_args, parse_day


async def rekap_cmd(update: Update, context: PoskoContext) -> None:
    """Sends the digest of today (up to now) or of a given past day."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    actor = await resolve_actor(update, services)
    in_coordination = message.chat_id == services.coordination_chat_id
    if actor.anonymous and not in_coordination:
        await message.reply_text(texts.ANONYMOUS)
        return
    if not (actor.is_admin or in_coordination):
        await message.reply_text(texts.REKAP_REFUSED)
        return
    today = services.today()
    try:
        day = parse_day(command_args(message.text or ""), today)
    except DayInvalid:
        await message.reply_text(texts.REKAP_BAD_DATE)
        return
    if day > today:
        await message.reply_text(texts.REKAP_FUTURE)
        return
    start, end = day_bounds(day, services.settings.timezone)
    if day == today:
        end = services.now()
    snapshot = await load_snapshot(services, start, end)
    await send_messages(context.bot, message.chat_id, render_digest(snapshot))


def register(app: PoskoApp) -> None:
    """Adds `/rekap`."""
    app.add_handler(CommandHandler("rekap", rekap_cmd))
