"""`/jadwal`: admins see the rhythm in force and change the digest and reminder times, at once.

While an election stage is in force, a change sets that stage's times (a new calendar version)
and so lasts until the stage ends; outside every stage it changes the times that apply there,
which win over the environment.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import time
from typing import cast

from telegram import Update

from bot import texts
from bot.access import ADMIN_PRIVATE
from bot.commands import ADMIN_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext
from bot.settings import format_time_of_day
from bot.texts import commands as help_texts
from domain.calendar import SlotKind, problems, stage_times_change
from domain.parsing import command_args, parse_times
from handlers.digest.schedule import adds_past_digests, schedule_jobs
from handlers.digest.tahapan import adopt_calendar, reply_parts
from storage.config import DIGEST_TIMES, DIGESTS_CHANGED_AT, REMINDER_TIMES
from storage.db import to_sql_time

# "rekap" is the word the bot shows; "digest", its earlier name, is still understood.
KINDS = {"rekap": DIGEST_TIMES, "digest": DIGEST_TIMES, "pengingat": REMINDER_TIMES}


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
            texts.jadwal_view(
                services.rhythm().on(services.today()),
                admin_settings.digest_times,
                admin_settings.reminder_times,
                await services.config.get(DIGEST_TIMES) is not None,
                await services.config.get(REMINDER_TIMES) is not None,
            )
        )
        return
    kind, _, value = args.partition(" ")
    key = KINDS.get(kind.casefold())
    try:
        times = parse_times(value.replace(".", ":")) if key else ()  # 07.00 as shown, or 07:00
    except ValueError:
        times = ()
    if key is None or not times:
        await message.reply_text(texts.JADWAL_USAGE)
        return
    slot_kind = SlotKind.DIGEST if key == DIGEST_TIMES else SlotKind.REMINDER
    app = cast(PoskoApp, context.application)
    async with services.runtime.calendar_lock:
        today = services.rhythm().on(services.today())
        if today.number is None or today.stage is None:
            await _set_outside_stages(context, key, times)
            await message.reply_text(texts.schedule_saved(slot_kind, times))
            return
        # The stage's own times change, so the change lasts until the stage ends.
        change = stage_times_change(admin_settings.calendar, today.number, slot_kind, times)
        calendar = admin_settings.calendar.with_stage(today.number, change.after)
        if found := problems(calendar):
            await reply_parts(message, texts.calendar_refused(found))
            return
        await adopt_calendar(app, services, calendar, change.change, context.actor.user_id)
    await message.reply_text(texts.schedule_saved(slot_kind, times, today.stage))


async def _set_outside_stages(context: PoskoContext, key: str, times: tuple[time, ...]) -> None:
    """Stores the times that apply outside every stage (they win over the environment)."""
    services = context.services
    admin_settings = services.admin_settings
    stored = ",".join(format_time_of_day(t) for t in times)
    now = services.clock()
    # New digest times and the moment they changed are one change: the catch-up job must never
    # see the new times with the old moment (it would post "late" digests that never existed).
    # Times that put no new slot in the past leave the moment alone (see adds_past_digests).
    before = services.rhythm()
    moved = key == DIGEST_TIMES and adds_past_digests(
        before, replace(before, digest_times=times), services.now()
    )
    changed = {DIGESTS_CHANGED_AT: to_sql_time(now)} if moved else None
    await services.config.set(key, stored, now, context.actor.user_id, bookkeeping=changed)
    if moved:
        admin_settings.digests_changed_at = now.replace(microsecond=0)
    if key == DIGEST_TIMES:
        admin_settings.digest_times = times
    else:
        admin_settings.reminder_times = times
    schedule_jobs(cast(PoskoApp, context.application), services)


COMMANDS = (
    Command(
        "jadwal",
        jadwal_cmd,
        ADMIN_PRIVATE,
        help_texts.JADWAL.menu,
        help_texts.JADWAL.help,
        "shows the rhythm in force (digest and reminder times, reporting window) and the "
        "election stage it comes from; `/jadwal rekap 07.00,12.00,19.00` and `/jadwal "
        "pengingat 15.00` (`14:05` and the older `digest` are understood too) change them at "
        "once: during a stage until that stage ends, outside every stage for as long as no stage "
        "is in force (stored; they win over the environment)",
        usage="[rekap | pengingat <jam,...>]",
        menu=ADMIN_MENU,
        rank=70,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/jadwal`."""
    add_commands(app, COMMANDS)
