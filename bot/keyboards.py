"""Shared inline keyboards."""

from __future__ import annotations

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot import texts

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
