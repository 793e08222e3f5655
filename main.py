"""Runs Posko: load settings, build the application, poll Telegram until stopped."""

from __future__ import annotations

import logging
import sys

from bot.app import build_application
from bot.logs import setup_logging
from bot.regions import RegionFileError, load_region
from bot.settings import Settings, SettingsError
from storage.backup import CorruptDatabase, check_integrity
from storage.db import SchemaTooNew, check_schema

ALLOWED_UPDATES = ["message", "callback_query"]


def main() -> int:
    """Starts the bot; returns the process exit code."""
    try:
        settings = Settings.from_env()
        region = load_region(settings.region_file)
    except SettingsError as exc:
        print(f"Configuration error: {exc}", file=sys.stderr)
        return 2
    except RegionFileError as exc:
        print(f"Configuration error: REGION_FILE: {exc}", file=sys.stderr)
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
    try:
        app = build_application(settings, region)
        if settings.webhook_url and settings.webhook_secret:
            # Telegram echoes the secret in X-Telegram-Bot-Api-Secret-Token; python-telegram-bot
            # refuses requests without it (403).
            app.run_webhook(
                listen=settings.webhook_listen,
                port=settings.webhook_port,
                url_path="telegram",
                webhook_url=settings.webhook_url.rstrip("/") + "/telegram",
                secret_token=settings.webhook_secret,
                allowed_updates=ALLOWED_UPDATES,
            )
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except Exception:
        logger.critical("Posko stopped because of an error", exc_info=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
