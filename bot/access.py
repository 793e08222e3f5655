"""Who is acting: resolved from the numeric Telegram user id, never from names."""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Update

from bot.services import Services
from storage.officers import Officer


@dataclass(frozen=True)
class Actor:
    """The sender of an update and what they are."""

    user_id: int | None
    is_admin: bool = False
    officer: Officer | None = None

    @property
    def anonymous(self) -> bool:
        """Sent on behalf of a chat (anonymous admin, channel) or without a user: no rights."""
        return self.user_id is None

    @property
    def active_officer(self) -> Officer | None:
        """The officer record when it is active, else None."""
        return self.officer if self.officer is not None and self.officer.is_active else None


async def resolve_actor(update: Update, services: Services) -> Actor:
    """Looks up the sender of `update`; messages with `sender_chat` get an anonymous actor."""
    message = update.effective_message
    user = update.effective_user
    if user is None or (message is not None and message.sender_chat is not None):
        return Actor(user_id=None)
    officer = await services.officers.get(user.id)
    return Actor(user_id=user.id, is_admin=services.is_admin(user.id), officer=officer)
