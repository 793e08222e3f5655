"""Runs Posko: load settings, check the database, build the application, run it until stopped."""

from __future__ import annotations

import logging
import os
import sys

from bot.app import build_application
from bot.calendar import load_calendar
from bot.logistics import load_plan
from bot.logs import setup_logging
from bot.regions import load_region
from bot.runner import Runner, TokenRejected, Webhook, WebhookRejected
from bot.settings import Settings, SettingsError
from domain.calendar import CalendarInvalid
from domain.logistics import LogisticsFileError
from domain.regions import RegionFileError
from storage.backup import CorruptDatabase, check_integrity
from storage.db import SchemaTooNew, check_schema

ALLOWED_UPDATES = ["message", "callback_query"]


def main() -> int:
    """Starts the bot; returns the process exit code."""
    # Whatever the bot writes (database, WAL, backups, exports) is for its own user only.
    os.umask(0o077)
    try:
        settings = Settings.from_env()
        region = load_region(settings.region_file)
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except RegionFileError as exc:
        print(f"Configuration error: REGION_FILE: {exc}", file=sys.stderr)
        return 2
    try:
        # Checked here so a bad file stops start-up with one line; the bot loads it again.
        load_plan(settings.logistics_file, region, settings.timezone)
    except LogisticsFileError as exc:
        print(f"Configuration error: LOGISTICS_FILE: {exc}", file=sys.stderr)
        return 2
    try:
        load_calendar(settings.calendar_file)  # likewise: every problem on the one line
    except CalendarInvalid as exc:
        print(f"Configuration error: CALENDAR_FILE: {exc}", file=sys.stderr)
        return 2
    setup_logging(
        settings.log_level, tuple(filter(None, (settings.token, settings.webhook_secret)))
    )
    try:
        check_integrity(settings.database_path)
        check_schema(settings.database_path)
    except CorruptDatabase as exc:
        print(
            f"Database error: {settings.database_path} is damaged ({exc}). Posko will not run "
            "on it; restore the latest backup (README, Operations).",
            file=sys.stderr,
        )
        return 3
    except SchemaTooNew as exc:
        print(
            f"Database error: {settings.database_path} has schema version {exc.found}, newer "
            f"than this version of Posko knows ({exc.known}): a newer Posko wrote it. Run that "
            "version, or restore a backup taken before the upgrade (README, Operations).",
            file=sys.stderr,
        )
        return 3
    logger = logging.getLogger(__name__)
    logger.info("Starting Posko for %s", region.district)
    webhook = None
    if settings.webhook_url and settings.webhook_secret:
        # Telegram echoes the secret in X-Telegram-Bot-Api-Secret-Token; bot.webhook refuses
        # requests without it (403), comparing in constant time.
        webhook = Webhook(
            settings.webhook_listen,
            settings.webhook_port,
            settings.webhook_url,
            settings.webhook_secret,
        )
    try:
        app = build_application(settings, region)
        Runner(app, settings, region, allowed_updates=ALLOWED_UPDATES, webhook=webhook).run()
    except TokenRejected as exc:
        print(
            f"Configuration error: TELEGRAM_BOT_TOKEN: Telegram rejected the token ({exc}); "
            "copy it again from @BotFather",
            file=sys.stderr,
        )
        return 2
    except WebhookRejected as exc:
        print(
            f"Configuration error: WEBHOOK_URL: Telegram refused the webhook ({exc}); it must "
            "be the public https:// address of the bot on port 443, 80, 88 or 8443",
            file=sys.stderr,
        )
        return 2
    except Exception:
        logger.critical("Posko stopped because of an error", exc_info=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
