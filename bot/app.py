"""The one place that wires the application: settings, storage, handlers, jobs, commands."""

from __future__ import annotations

import logging

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import (
    ApplicationBuilder,
    ContextTypes,
    Defaults,
    JobQueue,
)

from bot import access, schedule
from bot.context import SERVICES_KEY, PoskoApp, PoskoContext
from bot.errors import error_handler
from bot.menus import publish_menus
from bot.ratelimit import PoskoRateLimiter, RateLimits
from bot.regions import Region
from bot.services import Clock, Services, system_clock
from bot.settings import Settings
from handlers import (
    coordination,
    daftar,
    dialogs,
    ekspor,
    escalation,
    fallback,
    impor,
    jadwal,
    lapor,
    lapor_form,
    members,
    queries,
    rekap,
    riwayat,
    start,
)
from storage.db import Database

logger = logging.getLogger(__name__)

# The access gate first (it runs before every handler), then features in registration order;
# dialogs take private free text, and the fallback answers commands nobody else took.
FEATURES = (
    access,
    start,
    daftar,
    members,
    impor,
    coordination,
    lapor,
    lapor_form,
    escalation,
    riwayat,
    rekap,
    queries,
    ekspor,
    jadwal,
    schedule,
    dialogs,
    fallback,
)


def build_application(
    settings: Settings,
    region: Region,
    *,
    clock: Clock = system_clock,
    rate_limits: RateLimits | None = None,
) -> PoskoApp:
    """Builds the application; the database is opened in post_init and closed in post_shutdown."""

    async def post_init(app: PoskoApp) -> None:
        db = await Database.open(settings.database_path)
        services = await Services.create(settings, region, db, clock)
        app.bot_data[SERVICES_KEY] = services
        logger.info(
            "Database ready at %s (schema %s)", settings.database_path, await db.schema_version()
        )
        schedule.schedule_jobs(app, services)
        await publish_menus(app.bot, services)

    async def post_shutdown(app: PoskoApp) -> None:
        services = app.bot_data.pop(SERVICES_KEY, None)
        if isinstance(services, Services):
            await services.db.close()

    defaults = Defaults(
        parse_mode=ParseMode.HTML,
        tzinfo=settings.timezone,
        link_preview_options=LinkPreviewOptions(is_disabled=True),
    )
    app: PoskoApp = (
        ApplicationBuilder()
        .token(settings.token)
        .base_url(f"{settings.api_url}/bot")
        .base_file_url(f"{settings.api_url}/file/bot")
        .defaults(defaults)
        .rate_limiter(PoskoRateLimiter(rate_limits))
        .context_types(ContextTypes(context=PoskoContext))
        .job_queue(JobQueue[PoskoContext]())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    for feature in FEATURES:
        feature.register(app)
    app.add_error_handler(error_handler)
    escalation.schedule_repages(app, settings.escalation_ack_minutes)
    return app
