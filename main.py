"""Runs Posko: load settings, build the application, poll Telegram until stopped."""

from __future__ import annotations

import logging
import os
import sys

from bot.app import build_application
from bot.logs import setup_logging
from bot.regions import load_region
from bot.settings import Settings, SettingsError
from bot.webhook import run_webhook
from domain.regions import RegionFileError
from storage.backup import CorruptDatabase, check_integrity

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
    setup_logging(
        settings.log_level, tuple(filter(None, (settings.token, settings.webhook_secret)))
    )
    try:
        check_integrity(settings.database_path)
    except CorruptDatabase as exc:
        print(
            f"Database error: {settings.database_path} is damaged ({exc}). Posko will not run "
            "on it; restore the latest backup (README, Operations).",
            file=sys.stderr,
        )
        return 3
    logger = logging.getLogger(__name__)
    logger.info("Starting Posko for %s", region.district)
    try:
        app = build_application(settings, region)
        if settings.webhook_url and settings.webhook_secret:
            # Telegram echoes the secret in X-Telegram-Bot-Api-Secret-Token; requests without
            # it are refused (403).
            run_webhook(app, settings, ALLOWED_UPDATES)
        else:
            app.run_polling(allowed_updates=ALLOWED_UPDATES)
    except Exception:
        logger.critical("Posko stopped because of an error", exc_info=True)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
