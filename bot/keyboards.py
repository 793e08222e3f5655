"""Shared inline keyboards, and answering their button presses."""

from __future__ import annotations

import contextlib
import logging
from typing import TYPE_CHECKING, NamedTuple

from telegram import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.error import TelegramError

from bot import texts

if TYPE_CHECKING:
    from bot.context import PoskoContext
    from storage.drafts import Draft

logger = logging.getLogger(__name__)

# Lines on one page of any paged listing (/laporan, /cari, /petugas).
PAGE_SIZE = 10


def pager(prefix: str, page: int, pages: int, suffix: str = "") -> InlineKeyboardMarkup | None:
    """⬅️/➡️ buttons with callback data "<prefix>:<page><suffix>"; none at the ends."""
    buttons = []
    if page > 0:
        buttons.append(
            InlineKeyboardButton(texts.PREV_BUTTON, callback_data=f"{prefix}:{page - 1}{suffix}")
        )
    if page < pages - 1:
        buttons.append(
            InlineKeyboardButton(texts.NEXT_BUTTON, callback_data=f"{prefix}:{page + 1}{suffix}")
        )
    return InlineKeyboardMarkup([buttons]) if buttons else None


def carries(message: object, data: str) -> bool:
    """Whether `message` (a pressed callback query's) shows a button with this callback data.

    Telegram sends the pressed message as it is, buttons included, while the data comes from
    the client and can be forged: a press of data its message does not show was forged (or the
    buttons have changed since), and must not act on that message.
    """
    if not isinstance(message, Message) or message.reply_markup is None:
        return False
    return any(
        button.callback_data == data
        for row in message.reply_markup.inline_keyboard
        for button in row
    )


async def answer(
    query: CallbackQuery | None, text: str | None = None, *, show_alert: bool = False
) -> None:
    """Answers a button press, if Telegram still takes the answer.

    Telegram refuses answers to presses older than about 15 seconds, or answered before: a
    press handled again after a restart (its update not yet marked handled) is both. The answer
    is only the small notice on the user's screen; the work around it goes on, and a refused
    answer is no error worth an admin's attention.
    """
    if query is None:
        return
    try:
        await query.answer(text, show_alert=show_alert)
    except TelegramError as exc:
        logger.info("Button press not answered: %s", exc)


async def drop_buttons(query: CallbackQuery) -> None:
    """Takes the buttons off the pressed message, if Telegram still takes the edit."""
    with contextlib.suppress(TelegramError):
        await query.edit_message_reply_markup(None)


class FormPress(NamedTuple):
    """A press of a button of the form open now (data "<prefix>:<nonce>:<verb>[:<arg>]")."""

    query: CallbackQuery
    user_id: int
    draft: Draft
    nonce: str
    verb: str
    arg: str


async def form_press(update: Update, context: PoskoContext, flow: str) -> FormPress | None:
    """The press of a button of the user's open `flow` form (a dialog's draft); None for a
    press that is not one, or one of a form closed or replaced since (the nonce differs): that
    press is answered as stale and its message loses its buttons."""
    query = update.callback_query
    user_id = context.actor.user_id
    if query is None or not query.data or user_id is None:
        return None
    _, nonce, action = [*query.data.split(":", 2), "", ""][:3]
    draft = await context.services.drafts.get(user_id)
    if draft is None or draft.flow != flow or draft.data.get("nonce") != nonce:
        await answer(query, texts.STALE_BUTTON)
        await drop_buttons(query)
        return None
    verb, _, arg = action.partition(":")
    return FormPress(query, user_id, draft, nonce, verb, arg)
