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
# Updates admitted at once, most of them waiting for their sender's previous one. Waiting must
# not take a running slot: one sender's 100 forwarded messages would otherwise hold all 64 and
# stall every other officer.
MAX_ADMITTED_UPDATES = 10_000


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
    for the previous update of the same sender to finish, whatever that one's outcome, and only
    then takes one of the `max_running` slots.
    """

    def __init__(self, max_running: int = MAX_CONCURRENT_UPDATES) -> None:
        super().__init__(MAX_ADMITTED_UPDATES)
        self._running = asyncio.Semaphore(max_running)
        self._tails: dict[tuple[str, int], asyncio.Future[None]] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Awaits `coroutine` once the sender's previous update is done and a slot is free."""
        key = ordering_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        previous = self._tails.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        try:
            if previous is not None:
                await asyncio.shield(previous)
            async with self._running:
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
