"""/dasbor: a personal, one-time sign-in link to the live dashboard (and, over https, a button
that opens it inside Telegram as a Mini App). The dashboard's server starts and stops with the
application (bot/app.py calls `start` and `stop`)."""

from __future__ import annotations

import sqlite3
from typing import Any

from telegram import InlineKeyboardButton, InlineKeyboardMarkup, Update, WebAppInfo
from telegram.ext import Application

from bot import texts
from bot.access import STAFF, Rule
from bot.commands import STAFF_MENU, Command, add_commands
from bot.context import PoskoApp, PoskoContext, settings_of
from bot.services import Services
from bot.texts import dashboard as dashboard_texts
from handlers.dashboard.server import BASE, Dashboard
from handlers.dashboard.signin import LINK_VALID

DASHBOARD_KEY = "dashboard"


def dashboard_of(app: Application[Any, Any, Any, Any, Any, Any]) -> Dashboard:
    """The dashboard of a built application."""
    dashboard = app.bot_data.get(DASHBOARD_KEY)
    if not isinstance(dashboard, Dashboard):
        raise RuntimeError("the dashboard is not registered (build_application has not run)")
    return dashboard


async def dasbor_cmd(update: Update, context: PoskoContext) -> None:
    """Sends a personal sign-in link, usable once within 10 minutes."""
    message = update.effective_message
    user_id = context.actor.user_id
    if message is None or user_id is None:
        return
    dashboard = dashboard_of(context.application)
    if not dashboard.running:
        await message.reply_text(dashboard_texts.DASHBOARD_OFF)
        return
    try:
        link = await dashboard.new_link(user_id)
    except sqlite3.Error:
        await message.reply_text(texts.STORAGE_ERROR)
        raise
    public = dashboard.settings.dashboard_url
    mini_app = bool(public and public.startswith("https://"))
    rows = []
    if mini_app:
        page = WebAppInfo(f"{public}{BASE}")
        rows.append([InlineKeyboardButton(dashboard_texts.OPEN_IN_TELEGRAM, web_app=page)])
    if public:  # Telegram refuses buttons to a loopback address
        rows.append([InlineKeyboardButton(dashboard_texts.OPEN_IN_BROWSER, url=link)])
    minutes = int(LINK_VALID.total_seconds() // 60)
    await message.reply_text(
        dashboard_texts.signin_link(link, minutes, loopback=public is None, mini_app=mini_app),
        reply_markup=InlineKeyboardMarkup(rows) if rows else None,
    )


COMMANDS = (
    Command(
        "dasbor",
        dasbor_cmd,
        Rule(private=STAFF),
        dashboard_texts.DASBOR.menu,
        dashboard_texts.DASBOR.help,
        "a personal sign-in link to the live dashboard, usable once within 10 minutes (with "
        "`DASHBOARD_URL` over https also a button that opens it in Telegram as a Mini App)",
        menu=STAFF_MENU,
    ),
)


def register(app: PoskoApp) -> None:
    """Adds /dasbor; the server itself starts once the database is open (`start`)."""
    add_commands(app, COMMANDS)
    app.bot_data[DASHBOARD_KEY] = Dashboard(settings_of(app), app.bot.token)


def start(app: PoskoApp, services: Services) -> None:
    """Starts serving the dashboard (from post_init, once the database is open)."""
    dashboard = dashboard_of(app)
    if not dashboard.running:
        dashboard.start(services)


async def stop(app: PoskoApp) -> None:
    """Stops serving it and closes every open screen (post_stop, and post_shutdown)."""
    await dashboard_of(app).stop()
