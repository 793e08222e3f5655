"""Messages the bot sends on its own initiative, tolerant of users it cannot reach."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Bot, InlineKeyboardMarkup, Message
from telegram.error import ChatMigrated, TelegramError

from bot.services import Services
from domain.enums import Role

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


async def send_group(bot: Bot, services: Services, text: str, **kwargs: Any) -> Message | None:
    """Sends to the coordination group, following it when it became a supergroup.

    Returns None when no group is configured. A `ChatMigrated` answer updates the stored group
    id and the message is sent again to the new id.
    """
    chat_id = services.coordination_chat_id
    if chat_id is None:
        logger.warning("No coordination group configured; message not posted")
        return None
    try:
        return await bot.send_message(chat_id, text, **kwargs)
    except ChatMigrated as exc:
        new_id = int(exc.new_chat_id)
        await follow_migration(services, chat_id, new_id)
        kwargs.pop("reply_parameters", None)  # the old message ids do not exist there
        return await bot.send_message(new_id, text, **kwargs)


async def follow_migration(services: Services, old_id: int, new_id: int) -> None:
    """Moves the coordination group to the supergroup that replaced it."""
    if await services.set_coordination_chat(new_id, None, replacing=old_id):
        logger.warning("Coordination group %s became supergroup %s", old_id, new_id)
