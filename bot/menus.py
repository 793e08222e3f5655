"""The command menu (`set_my_commands`) each user sees, following their role."""

from __future__ import annotations

import hashlib
import json
import logging
from collections.abc import Iterable

from telegram import Bot, BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat
from telegram.error import TelegramError

from bot.access import Access, access_of
from bot.commands import CommandTable
from bot.services import Services
from storage.config import MENUS_PUBLISHED

logger = logging.getLogger(__name__)

# Who gets which menu: everyone outside the registry gets the default (registration) menu.
MENU_CLASSES = (Access.UNKNOWN, Access.PETUGAS, Access.KOORDINATOR, Access.ADMIN)


def commands_for(table: CommandTable, access: Access) -> list[BotCommand]:
    """The menu of an authorization class (unknown users get the registration menu)."""
    chosen = access if access in MENU_CLASSES else Access.UNKNOWN
    return [BotCommand(c.name, c.description) for c in table.menu(chosen)]


async def refresh_menu(bot: Bot, services: Services, table: CommandTable, user_id: int) -> None:
    """Shows `user_id` the menu of their current role (the default one when they have none)."""
    member = await services.members.get(user_id)
    access = access_of(member, bootstrap_admin=services.is_bootstrap_admin(user_id))
    scope = BotCommandScopeChat(user_id)
    try:
        if access in (Access.PETUGAS, Access.KOORDINATOR, Access.ADMIN):
            await bot.set_my_commands(commands_for(table, access), scope=scope)
        else:
            await bot.delete_my_commands(scope=scope)
    except TelegramError as exc:
        # A user who never opened the bot has no chat yet; the menu is a convenience.
        logger.info("Menu for %s not updated: %s", user_id, type(exc).__name__)


def menus_fingerprint(table: CommandTable, admin_ids: Iterable[int]) -> str:
    """Identifies the menus as published: the commands, their descriptions, the ADMIN_IDS."""
    menus = {access.value: [(c.command, c.description) for c in commands_for(table, access)]
             for access in MENU_CLASSES}  # fmt: skip
    data = json.dumps([menus, sorted(admin_ids)], sort_keys=True)
    return hashlib.sha256(data.encode()).hexdigest()


async def publish_menus(bot: Bot, services: Services, table: CommandTable) -> None:
    """Sets the default menu and the menu of every active member and bootstrap admin.

    Only when the menus changed since they were last published (a new version, other
    ADMIN_IDS): each member's menu is refreshed whenever that member changes, and thousands of
    calls at every start would hold up the bot's traffic for minutes.
    """
    fingerprint = menus_fingerprint(table, services.settings.admin_ids)
    if await services.config.get(MENUS_PUBLISHED) == fingerprint:
        return
    try:
        await bot.set_my_commands(
            commands_for(table, Access.UNKNOWN), scope=BotCommandScopeAllPrivateChats()
        )
    except TelegramError as exc:
        logger.warning("Default command menu not published: %s", type(exc).__name__)
        return  # try again at the next start
    user_ids = {m.user_id for m in await services.members.active()}
    user_ids |= services.settings.admin_ids
    for user_id in sorted(user_ids):
        await refresh_menu(bot, services, table, user_id)
    await services.config.set(MENUS_PUBLISHED, fingerprint, services.clock(), None, audit=False)
    logger.info("Command menus published for %s users", len(user_ids))
