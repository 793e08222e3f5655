"""Never lose an update between Telegram and the database.

python-telegram-bot confirms fetched updates to Telegram (the next getUpdates offset) before its
handlers have necessarily run, so a kill -9 or power loss could drop them. Here the bot writes
every fetched batch to the `inbox` table (committed, synchronous=FULL) inside `get_updates`,
i.e. before the Updater can ask for the next offset. The application marks each update handled;
at start-up, updates still pending are handled again, and updates Telegram repeats after a
restart are skipped when they were already handled.
"""

from __future__ import annotations

import asyncio
import json
import logging
import sqlite3
from collections.abc import Callable
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.ext import Application, ExtBot

from storage.inbox import InboxRepo

logger = logging.getLogger(__name__)


class InboxBot(ExtBot[int]):
    """An ExtBot whose `get_updates` stores each batch durably before returning it."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._inbox: InboxRepo | None = None
        self._clock: Callable[[], datetime] | None = None
        self._queue: InboxQueue | None = None

    def attach_inbox(
        self, inbox: InboxRepo, clock: Callable[[], datetime], queue: InboxQueue | None = None
    ) -> None:
        """Starts recording fetched updates (called once the database is open)."""
        self._inbox, self._clock, self._queue = inbox, clock, queue

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Fetches updates and commits them to the inbox before anyone can confirm them."""
        updates = await super().get_updates(*args, **kwargs)
        if updates and self._inbox is not None and self._clock is not None:
            try:
                await self._inbox.store(
                    [(u.update_id, u.to_json()) for u in updates], self._clock()
                )
                if self._queue is not None:
                    self._queue.stored.update(u.update_id for u in updates)
            except sqlite3.Error:
                # Degraded, not stuck: the handlers still run and tell users if saving fails.
                logger.exception("Inbox unavailable; handling %s updates without it", len(updates))
        return updates


class InboxQueue(asyncio.Queue[object]):
    """The update queue; an update not yet in the inbox (webhook mode) is stored on the way in.

    In webhook mode python-telegram-bot answers Telegram's POST only after `put` returns, so
    Telegram redelivers anything that was not committed. In polling mode the batch is already
    stored by `InboxBot.get_updates`, and `put` costs nothing extra.
    """

    def __init__(self) -> None:
        super().__init__()
        self.inbox: InboxRepo | None = None
        self.clock: Callable[[], datetime] | None = None
        self.stored: set[int] = set()

    async def put(self, item: object) -> None:
        """Commits an unseen update to the inbox, then queues it."""
        if isinstance(item, Update) and self.inbox is not None and self.clock is not None:
            if item.update_id in self.stored:
                self.stored.discard(item.update_id)
            else:
                try:
                    await self.inbox.store([(item.update_id, item.to_json())], self.clock())
                except sqlite3.Error:
                    logger.exception(
                        "Inbox unavailable; update %s queued without it", item.update_id
                    )
        await super().put(item)


class PoskoApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that skips updates it already handled and records each one it handles."""

    inbox: InboxRepo | None = None
    clock: Callable[[], datetime] | None = None

    async def process_update(self, update: object) -> None:
        """Handles an update once, then marks it done in the inbox."""
        inbox, clock = self.inbox, self.clock
        if not isinstance(update, Update) or inbox is None or clock is None:
            await super().process_update(update)
            return
        try:
            if await inbox.is_done(update.update_id):
                logger.info("Update %s was handled before; skipped", update.update_id)
                return
        except sqlite3.Error:
            logger.exception("Inbox unavailable; handling update %s anyway", update.update_id)
        try:
            await super().process_update(update)
        finally:
            try:
                await inbox.mark_done(update.update_id, clock())
            except sqlite3.Error:
                logger.exception("Update %s handled but not marked in the inbox", update.update_id)


async def replay_pending(app: Application[Any, Any, Any, Any, Any, Any], inbox: InboxRepo) -> int:
    """Queues the updates a previous run received but did not finish; returns how many."""
    pending = await inbox.pending()
    for payload in pending:
        update = Update.de_json(json.loads(payload), app.bot)
        await app.update_queue.put(update)
    if pending:
        logger.warning("Handling %s updates left over from the previous run", len(pending))
    return len(pending)
