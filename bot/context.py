"""A typed CallbackContext so handlers reach shared services without casting."""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.services import Services

SERVICES_KEY = "services"


class PoskoContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the bot's `Services`."""

    @property
    def services(self) -> Services:
        """The services stored in bot_data at start-up."""
        services = self.bot_data.get(SERVICES_KEY)
        if not isinstance(services, Services):
            raise RuntimeError("services are not initialised (post_init has not run)")
        return services


PoskoApp = Application[
    ExtBot[int],
    PoskoContext,
    dict[Any, Any],
    dict[Any, Any],
    dict[Any, Any],
    JobQueue[PoskoContext],
]
