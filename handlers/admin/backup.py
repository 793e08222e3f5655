"""Backups: `/cadangan` sends a consistent snapshot; a daily job keeps the last BACKUP_KEEP."""

from __future__ import annotations

import asyncio
import logging
import tempfile
from pathlib import Path

from telegram import Update

from bot import texts
from bot.access import ADMIN_PRIVATE
from bot.commands import ADMIN_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext, settings_of
from bot.settings import Settings
from bot.texts import commands as help_texts
from bot.transport import upload_timeout
from storage.backup import rotate_backup, snapshot

logger = logging.getLogger(__name__)

# Bots may upload documents up to 50 MB.
UPLOAD_LIMIT = 50 * 1024 * 1024


async def cadangan_cmd(update: Update, context: PoskoContext) -> None:
    """Sends the admin a verified snapshot of the database."""
    message = update.effective_message
    if message is None:
        return
    services = context.services
    now = services.now()
    name = f"posko-cadangan-{now:%Y%m%d-%H%M}.db"
    with tempfile.TemporaryDirectory(prefix="posko-cadangan-") as folder:
        path = await asyncio.to_thread(
            snapshot, services.settings.database_path, Path(folder) / name
        )
        if path.stat().st_size > UPLOAD_LIMIT:
            await message.reply_text(texts.BACKUP_TOO_BIG)
            return
        with path.open("rb") as handle:
            await message.reply_document(
                handle,
                filename=name,
                caption=texts.backup_caption(now),
                do_quote=False,
                write_timeout=upload_timeout(path.stat().st_size),
            )
    logger.info("Backup sent to admin %s", context.actor.user_id)


async def daily_backup_job(context: PoskoContext) -> None:
    """Writes a snapshot into BACKUP_DIR and keeps the newest BACKUP_KEEP."""
    services = context.services
    settings = services.settings
    path = await asyncio.to_thread(
        rotate_backup,
        settings.database_path,
        settings.backup_dir,
        settings.backup_keep,
        services.now(),
    )
    logger.info("Daily backup written to %s", path)


COMMANDS = (
    Command(
        "cadangan",
        cadangan_cmd,
        ADMIN_PRIVATE,
        help_texts.CADANGAN.menu,
        help_texts.CADANGAN.help,
        "sends a verified snapshot of the database (SQLite backup API) as a file",
        menu=ADMIN_MENU,
        rank=70,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds `/cadangan` and the daily backup."""
    add_commands(app, COMMANDS)
    schedule_backups(app, settings_of(app))


def schedule_backups(app: PoskoApp, settings: Settings) -> None:
    """Runs the daily backup at BACKUP_TIME (local time)."""
    if app.job_queue is None:
        raise RuntimeError("python-telegram-bot was installed without the job-queue extra")
    app.job_queue.run_daily(
        daily_backup_job,
        time=settings.backup_time.replace(tzinfo=settings.timezone),
        name="daily backup",
        job_kwargs={"misfire_grace_time": 6 * 3600, "coalesce": True},
    )
