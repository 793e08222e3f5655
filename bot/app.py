"""The one place that wires the application: settings, storage, handlers, jobs, commands."""

from __future__ import annotations

import logging

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    LinkPreviewOptions,
)
from telegram.constants import ParseMode
from telegram.error import TelegramError
from telegram.ext import AIORateLimiter, ApplicationBuilder, ContextTypes, Defaults, JobQueue

from bot import texts
from bot.context import SERVICES_KEY, PoskoApp, PoskoContext
from bot.digest_jobs import schedule_digests
from bot.errors import error_handler
from bot.regions import Region
from bot.services import Clock, Services, system_clock
from bot.settings import Settings
from handlers import fallback, lapor, officers, rekap, start
from storage.db import Database

logger = logging.getLogger(__name__)

# Feature modules in registration order; the fallback answers whatever none of them took.
FEATURES = (start, officers, lapor, rekap, fallback)


def build_application(
    settings: Settings, region: Region, *, clock: Clock = system_clock
) -> PoskoApp:
    """Builds the application; the database is opened in post_init and closed in post_shutdown."""

    async def post_init(app: PoskoApp) -> None:
        db = await Database.open(settings.database_path)
        app.bot_data[SERVICES_KEY] = Services.create(settings, region, db, clock)
        logger.info(
            "Database ready at %s (schema %s)", settings.database_path, await db.schema_version()
        )
        await publish_commands(app, settings)

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
        .rate_limiter(AIORateLimiter(max_retries=3))
        .context_types(ContextTypes(context=PoskoContext))
        .job_queue(JobQueue[PoskoContext]())
        .post_init(post_init)
        .post_shutdown(post_shutdown)
        .build()
    )
    for feature in FEATURES:
        feature.register(app)
    app.add_error_handler(error_handler)
    schedule_digests(app, settings.digest_times, settings.timezone)
    return app


async def publish_commands(app: PoskoApp, settings: Settings) -> None:
    """Sets the command menu: officers' commands for private chats, more for admins."""

    def commands(pairs: tuple[tuple[str, str], ...]) -> list[BotCommand]:
        return [BotCommand(name, description) for name, description in pairs]

    menus: list[tuple[BotCommandScope, tuple[tuple[str, str], ...]]] = [
        (BotCommandScopeAllPrivateChats(), texts.COMMANDS_OFFICER)
    ]
    menus += [(BotCommandScopeChat(i), texts.COMMANDS_ADMIN) for i in sorted(settings.admin_ids)]
    for scope, pairs in menus:
        try:
            await app.bot.set_my_commands(commands(pairs), scope=scope)
        except TelegramError as exc:
            # An admin who never opened the bot has no chat yet; the menu is a convenience.
            logger.warning("Could not publish the command menu: %s", type(exc).__name__)
