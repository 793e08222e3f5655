"""The one place that wires the application: settings, storage, handlers, jobs, commands."""

from __future__ import annotations

import logging
import sqlite3
from typing import cast

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    Job,
    JobQueue,
)

from bot import access, inbox
from bot.commands import CommandTable
from bot.context import (
    COMMANDS_KEY,
    SERVICES_KEY,
    SETTINGS_KEY,
    PoskoApp,
    PoskoContext,
    commands_of,
)
from bot.errors import error_handler
from bot.inbox import InboxBot, InboxQueue, PoskoApplication, replay_pending
from bot.menus import publish_menus
from bot.ordering import PerSenderUpdateProcessor
from bot.ratelimit import PoskoRateLimiter, RateLimits, answering
from bot.services import Clock, Services, system_clock
from bot.settings import Settings
from bot.transport import AiohttpRequest, UpdatesRequest
from domain.regions import Region
from handlers import arahan, dialogs, fallback, kerawanan
from handlers.admin import backup
from handlers.dashboard import dasbor
from handlers.digest import jadwal, rekap, schedule, tahapan
from handlers.logistik import confirm as logistik_confirm
from handlers.logistik import late as logistik_late
from handlers.logistik import logistik
from handlers.reading import export, kinerja, queries
from handlers.reading import incidents as insiden
from handlers.registry import coordination, daftar, impor, members, start
from handlers.reports import escalation, form, history, incidents, quick, receipts, stale
from storage.db import Database

logger = logging.getLogger(__name__)

# The access gate first (it runs before every handler), then features in registration order;
# dialogs take private free text, and the fallback answers commands nobody else took.
FEATURES = (
    access,
    inbox,
    start,
    daftar,
    members,
    impor,
    coordination,
    quick,
    form,
    receipts,
    escalation,
    history,
    incidents,
    stale,
    rekap,
    queries,
    insiden,
    kinerja,
    kerawanan,
    export,
    arahan,
    dasbor,
    jadwal,
    tahapan,
    backup,
    logistik,
    logistik_confirm,
    logistik_late,
    schedule,
    dialogs,
    fallback,
)


def command_table() -> CommandTable:
    """Every feature's commands, in registration order: the gate, menus and help read it."""
    return CommandTable([c for feature in FEATURES for c in getattr(feature, "COMMANDS", ())])


async def open_storage(
    app: PoskoApp, settings: Settings, region: Region, clock: Clock = system_clock
) -> Services:
    """Opens the database and wires the services and the inbox; once (later calls return them).

    Needs nothing from Telegram, so main.py opens storage (and starts the heartbeat) before it
    waits for the Bot API; `post_init` calls it too for applications started without main.py.
    """
    existing = app.bot_data.get(SERVICES_KEY)
    if isinstance(existing, Services):
        return existing
    db = await Database.open(settings.database_path)
    services = await Services.create(settings, region, db, clock)
    app.bot_data[SERVICES_KEY] = services
    logger.info(
        "Database ready at %s (schema %s)", settings.database_path, await db.schema_version()
    )
    queue, bot = app.update_queue, app.bot
    if isinstance(queue, InboxQueue) and isinstance(bot, InboxBot):
        queue.attach(services.inbox, clock)
        bot.attach_inbox(queue)
    if isinstance(app, PoskoApplication):
        app.inbox, app.clock = services.inbox, clock
    return services


class BackgroundJobQueue(JobQueue[PoskoContext]):
    """Scheduled jobs are background work: what they send waits behind answers to people
    (bot.ratelimit.answering). They must say so themselves, because APScheduler's timers carry
    the context of whichever task last planned a job: after an admin's /jadwal or an arahan's
    ✅ Kirim, every sweep would otherwise have run as an answer."""

    @staticmethod
    async def job_callback(job_queue: JobQueue[PoskoContext], job: Job[PoskoContext]) -> None:
        """Runs `job` as background work."""
        answering.set(False)
        await JobQueue.job_callback(job_queue, job)


def build_application(
    settings: Settings,
    region: Region,
    *,
    clock: Clock = system_clock,
    rate_limits: RateLimits | None = None,
) -> PoskoApp:
    """Builds the application; the database is opened in post_init and closed in post_shutdown."""

    async def post_init(app: PoskoApp) -> None:
        services = await open_storage(app, settings, region, clock)

        async def dropped(update: Update) -> None:
            try:
                await services.inbox.mark_done(update.update_id, clock())
            except sqlite3.Error:
                logger.exception("Dropped update %s not marked done", update.update_id)

        processor.attach(services.is_member, dropped)
        await replay_pending(app, services.inbox)
        # The daily digest and reminder jobs follow times admins change while the bot runs
        # (/jadwal), stored in the database: so they are planned here, once it is open.
        schedule.schedule_jobs(app, services)
        # In the background: one call per member, and start-up must not wait for thousands.
        services.spawn(publish_menus(app.bot, services, commands_of(app.bot_data)))
        dasbor.start(app, services)  # the live dashboard, served beside the bot

    async def post_stop(app: PoskoApp) -> None:
        await dasbor.stop(app)  # every open screen is closed before the database is

    async def post_shutdown(app: PoskoApp) -> None:
        await dasbor.stop(app)  # stopped already unless post_stop was skipped
        services = app.bot_data.pop(SERVICES_KEY, None)
        if isinstance(services, Services):
            await services.drain(limit=5, cancel=True)
            await services.db.close()

    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        tzinfo=settings.timezone,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    bot = InboxBot(
        token=settings.token,
        base_url=f"{settings.api_url}/bot",
        base_file_url=f"{settings.api_url}/file/bot",
        defaults=defaults,
        rate_limiter=PoskoRateLimiter(rate_limits),
        request=AiohttpRequest(),
        get_updates_request=UpdatesRequest(),
    )
    queue = InboxQueue()
    processor = PerSenderUpdateProcessor()
    application = (
        ApplicationBuilder()
        .application_class(PoskoApplication)
        .update_queue(queue)
        .concurrent_updates(processor)
        .bot(bot)
        .context_types(ContextTypes(context=PoskoContext))
        .job_queue(BackgroundJobQueue())
        .post_init(post_init)
        .post_stop(post_stop)
        .post_shutdown(post_shutdown)
        .build()
    )
    app = cast(PoskoApp, application)
    app.bot_data[COMMANDS_KEY] = command_table()
    app.bot_data[SETTINGS_KEY] = settings
    for feature in FEATURES:
        feature.register(app)  # its handlers and its jobs
    app.add_error_handler(error_handler)
    return app


if __name__ == "__main__":  # `python3 -m bot.app --commands`: the README's command table
    import sys

    if sys.argv[1:] != ["--commands"]:
        sys.exit("usage: python -m bot.app --commands")
    print("\n".join(command_table().readme_rows()))
