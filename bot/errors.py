"""The one error handler: log with traceback, apologise to the user, alert admins (throttled)."""

from __future__ import annotations

import logging
import sqlite3
import time

from telegram import Update
from telegram.error import TelegramError
from telegram.ext import ApplicationHandlerStop

from bot import texts
from bot.context import SERVICES_KEY, PoskoContext
from bot.logs import redact
from bot.notify import admin_ids
from bot.services import Services

logger = logging.getLogger(__name__)

ADMIN_ALERT_INTERVAL = 60.0
ALERTS_KEY = "last_admin_alert"


async def error_handler(update: object, context: PoskoContext) -> None:
    """Logs the error, apologises to the user and alerts admins once a minute per error kind."""
    error = context.error
    logger.error("Error while handling an update", exc_info=error)
    chat = update.effective_chat if isinstance(update, Update) else None
    if chat is not None and chat.type == "private":
        apology = texts.STORAGE_ERROR if isinstance(error, sqlite3.Error) else texts.INTERNAL_ERROR
        try:
            await context.bot.send_message(chat.id, apology)
        except TelegramError:
            logger.warning("Could not send the apology to chat %s", chat.id)
    await _alert_admins(context, error)
    if isinstance(update, Update):
        # Fail closed: an error (e.g. in the access gate) stops every later handler.
        raise ApplicationHandlerStop


async def _alert_admins(context: PoskoContext, error: BaseException | None) -> None:
    services = context.bot_data.get(SERVICES_KEY)
    if not isinstance(services, Services) or error is None:
        return
    kind = type(error).__name__
    now = time.monotonic()
    last_alert: dict[str, float] = context.bot_data.setdefault(ALERTS_KEY, {})
    if kind in last_alert and now - last_alert[kind] < ADMIN_ALERT_INTERVAL:
        return
    last_alert[kind] = now
    detail = redact(str(error), (services.settings.token,))[:500]
    alert = texts.error_alert(kind, detail)
    try:
        recipients = await admin_ids(services)
    except sqlite3.Error:  # the error may well be the database's: ADMIN_IDS still hear of it
        recipients = sorted(services.settings.admin_ids)
    for admin_id in recipients:
        try:
            await context.bot.send_message(admin_id, alert)
        except TelegramError:
            logger.warning("Could not alert admin %s", admin_id)
