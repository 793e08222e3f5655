"""Messages the bot sends on its own initiative, tolerant of users it cannot reach."""

from __future__ import annotations

import logging

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import TelegramError

from bot.domain import Role
from bot.services import Services

logger = logging.getLogger(__name__)


async def tell(
    bot: Bot, chat_id: int, text: str, markup: InlineKeyboardMarkup | None = None
) -> Message | None:
    """Sends a message; returns None (and logs) when the chat cannot be reached."""
    try:
        return await bot.send_message(chat_id, text, reply_markup=markup)
    except TelegramError as exc:
        logger.info("Could not message %s: %s", chat_id, type(exc).__name__)
        return None


async def admin_ids(services: Services) -> list[int]:
    """Bootstrap admins and active admins from the registry."""
    ids = set(services.settings.admin_ids)
    ids |= {m.user_id for m in await services.members.active() if m.role is Role.ADMIN}
    return sorted(ids)
