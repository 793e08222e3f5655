"""A typed CallbackContext so handlers reach shared services without casting."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from telegram.ext import Application, CallbackContext, ExtBot, JobQueue

from bot.services import Services
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.access import Actor
    from bot.commands import CommandTable

SERVICES_KEY = "services"
COMMANDS_KEY = "commands"
SETTINGS_KEY = "settings"


class PoskoContext(CallbackContext[ExtBot[int], dict[Any, Any], dict[Any, Any], dict[Any, Any]]):
    """CallbackContext with typed access to the bot's `Services` and the authorized sender."""

    __slots__ = ("_actor",)

    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        chat_id: int | None = None,
        user_id: int | None = None,
    ) -> None:
        super().__init__(application, chat_id, user_id)
        self._actor: Actor | None = None

    @property
    def actor(self) -> Actor:
        """The sender of the update, as resolved by the access gate."""
        if self._actor is None:
            raise RuntimeError("the access gate has not run for this update")
        return self._actor

    @actor.setter
    def actor(self, value: Actor) -> None:
        self._actor = value

    @property
    def commands(self) -> CommandTable:
        """The command table the application was built with."""
        return commands_of(self.application.bot_data)

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


def commands_of(bot_data: dict[Any, Any]) -> CommandTable:
    """The command table stored in bot_data by the wiring module."""
    from bot.commands import CommandTable  # the table's module needs this one

    table = bot_data.get(COMMANDS_KEY)
    if not isinstance(table, CommandTable):
        raise RuntimeError("the command table is not set (build_application has not run)")
    return table


def settings_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Settings:
    """The settings the application was built with (features read them in `register`)."""
    settings = app.bot_data.get(SETTINGS_KEY)
    if not isinstance(settings, Settings):
        raise RuntimeError("the settings are not set (build_application has not run)")
    return settings
