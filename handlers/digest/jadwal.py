"""`/jadwal`: admins see and change the digest and reminder times, effective at once."""

from __future__ import annotations

from typing import cast

from telegram import Update

from bot import texts
from bot.access import ADMIN_PRIVATE
from bot.commands import ADMIN_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.settings import format_time_of_day
from bot.texts import commands as help_texts
from domain.parsing import command_args, parse_times
from handlers.digest.schedule import schedule_jobs
from storage.config import DIGEST_TIMES, DIGESTS_CHANGED_AT, REMINDER_TIMES
from storage.db import to_sql_time

KINDS = {"digest": DIGEST_TIMES, "rekap": DIGEST_TIMES, "pengingat": REMINDER_TIMES}


def _join(times: tuple[object, ...]) -> str:
    return ", ".join(format_time_of_day(t) for t in times)  # type: ignore[arg-type]


async def jadwal_cmd(update: Update, context: PoskoContext) -> None:
    """Shows the schedule, or changes one of its lists."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    admin_settings = services.admin_settings
    args = command_args(message.text or "")
    if not args:
        await message.reply_text(
            texts.schedule_view(
                _join(admin_settings.digest_times),
                _join(admin_settings.reminder_times),
                await services.config.get(DIGEST_TIMES) is not None,
                await services.config.get(REMINDER_TIMES) is not None,
            )
        )
        return
    kind, _, value = args.partition(" ")
    key = KINDS.get(kind.casefold())
    try:
        times = parse_times(value) if key else ()
    except ValueError:
        times = ()
    if key is None or not times:
        await message.reply_text(texts.JADWAL_USAGE)
        return
    stored = ",".join(format_time_of_day(t) for t in times)
    now = services.clock()
    # New digest times and the moment they changed are one change: the catch-up job must never
    # see the new times with the old moment (it would post "late" digests that never existed).
    changed = {DIGESTS_CHANGED_AT: to_sql_time(now)} if key == DIGEST_TIMES else None
    await services.config.set(key, stored, now, context.actor.user_id, bookkeeping=changed)
    if key == DIGEST_TIMES:
        admin_settings.digests_changed_at = now.replace(microsecond=0)
        admin_settings.digest_times = times
    else:
        admin_settings.reminder_times = times
    schedule_jobs(cast(PoskoApp, context.application), services)
    await message.reply_text(
        texts.schedule_saved("digest" if key == DIGEST_TIMES else "pengingat", _join(times))
    )


COMMANDS = (
    Command(
        "jadwal",
        jadwal_cmd,
        ADMIN_PRIVATE,
        help_texts.JADWAL.menu,
        help_texts.JADWAL.help,
        "shows the digest and reminder times; `/jadwal digest 07:00,12:00,19:00` and "
        "`/jadwal pengingat 15:00` change them at once (stored; they win over the environment)",
        usage="[digest | pengingat <jam,...>]",
        menu=ADMIN_MENU,
        rank=70,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/jadwal`."""
    add_commands(app, COMMANDS)
