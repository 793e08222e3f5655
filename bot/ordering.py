"""Concurrent update handling that keeps each sender's updates in order.

Handling one update at a time leaves the bot idle while it waits for Telegram or the disk, so
many officers reporting at once queue behind each other. python-telegram-bot can handle updates
concurrently, but then one officer's quick taps (a form step, then "Kirim") could overtake each
other. This processor runs updates from different senders side by side and updates from the same
sender strictly one after another, in arrival order.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

# Enough to overlap many officers' round trips to Telegram and the disk; more only adds memory.
MAX_CONCURRENT_UPDATES = 64


def ordering_key(update: object) -> tuple[str, int] | None:
    """Updates with the same key are handled in order: same user, else same chat."""
    if not isinstance(update, Update):
        return None
    if update.effective_user is not None:
        return ("user", update.effective_user.id)
    if update.effective_chat is not None:
        return ("chat", update.effective_chat.id)
    return None


class PerSenderUpdateProcessor(BaseUpdateProcessor):
    """Handles updates concurrently, one sender's updates strictly in arrival order.

    python-telegram-bot starts a task per update in arrival order, and its semaphore admits them
    first come, first served, so each update joins its sender's chain in arrival order: it waits
    for the previous update of the same sender to finish, whatever that one's outcome.
    """

    def __init__(self, max_concurrent_updates: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(max_concurrent_updates)
        self._tails: dict[tuple[str, int], asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Awaits `coroutine` once the sender's previous update is done."""
        key = ordering_key(update)
        if key is None:
            await coroutine
            return
        previous = self._tails.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        try:
            if previous is not None:
                await asyncio.shield(previous)
            await coroutine
        finally:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # no-op once awaited; avoids a warning if we were cancelled
            done.set_result(None)
            if self._tails.get(key) is done:
                del self._tails[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the application waits for running updates itself."""
