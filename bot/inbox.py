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
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import Update
from telegram.ext import Application, ExtBot

from bot.context import PoskoApp, PoskoContext
from bot.transport import UpdatesRequest
from storage.inbox import InboxRepo

logger = logging.getLogger(__name__)

# How many recent update ids the queue remembers to drop a second copy of the same update.
REMEMBERED_UPDATES = 10_000


class InboxBot(ExtBot[int]):
    """An ExtBot whose `get_updates` stores each batch durably before returning it."""

    def __init__(self, token: str, *, get_updates_request: UpdatesRequest, **kwargs: Any) -> None:
        super().__init__(token, get_updates_request=get_updates_request, **kwargs)
        self._fetch = get_updates_request
        self._queue: InboxQueue | None = None
        self._last_poll: datetime | None = None
        # Called after every successful getUpdates (the runner ends its outage log there).
        self._on_poll: Callable[[], None] | None = None

    @property
    def last_poll(self) -> datetime | None:
        """When getUpdates last succeeded (Telegram answered, with or without updates)."""
        return self._last_poll

    def on_poll(self, callback: Callable[[], None]) -> None:
        """Calls `callback` after every successful getUpdates."""
        self._on_poll = callback

    def attach_inbox(self, queue: InboxQueue) -> None:
        """Starts recording fetched updates (called once the database is open)."""
        self._queue = queue

    async def get_updates(self, *args: Any, **kwargs: Any) -> tuple[Update, ...]:
        """Fetches updates and commits them to the inbox before anyone can confirm them."""
        updates = await super().get_updates(*args, **kwargs)
        self._last_poll = datetime.now(UTC)
        if self._on_poll is not None:
            self._on_poll()
        if updates and self._queue is not None:
            await self._queue.store(
                [(u.update_id, self._fetch.take_json(u.update_id) or u.to_json()) for u in updates]
            )
        return updates


class InboxQueue(asyncio.Queue[object]):
    """The update queue: every update is in the inbox before it is handled, and only once.

    In polling mode `InboxBot.get_updates` has stored the batch already. In webhook mode an
    update is stored here on the way in, and python-telegram-bot answers Telegram's POST only
    after `put` returns, so Telegram redelivers anything that was not committed. An update
    handled in an earlier run (Telegram may deliver it again after a restart), or already
    queued in this one (a replayed update that Telegram also redelivers), is dropped here.
    """

    def __init__(self) -> None:
        super().__init__()
        self.inbox: InboxRepo | None = None
        self.clock: Callable[[], datetime] | None = None
        self._stored: set[int] = set()
        self._done_before: set[int] = set()
        self._queued: dict[int, None] = {}  # ids queued in this run, oldest first (bounded)

    def attach(self, inbox: InboxRepo, clock: Callable[[], datetime]) -> None:
        """Starts storing updates (called once the database is open)."""
        self.inbox, self.clock = inbox, clock

    async def store(self, updates: Sequence[tuple[int, str]]) -> None:
        """Commits updates (id, JSON) to the inbox and notes which were handled before."""
        if self.inbox is None or self.clock is None:
            return
        try:
            self._done_before |= await self.inbox.store(updates, self.clock())
            self._stored.update(update_id for update_id, _ in updates)
        except sqlite3.Error:
            # Degraded, not stuck: the handlers still run and tell users if saving fails.
            logger.exception("Inbox unavailable; handling %s updates without it", len(updates))

    async def put(self, item: object) -> None:
        """Queues an update once, after committing it to the inbox."""
        if isinstance(item, Update) and self.inbox is not None:
            update_id = item.update_id
            if update_id not in self._stored:  # webhook mode, or replayed at start-up
                await self.store([(update_id, item.to_json())])
            self._stored.discard(update_id)
            if update_id in self._done_before or update_id in self._queued:
                self._done_before.discard(update_id)
                logger.info("Update %s was handled or queued before; skipped", update_id)
                return
            self._queued[update_id] = None
            if len(self._queued) > REMEMBERED_UPDATES:
                del self._queued[next(iter(self._queued))]
        await super().put(item)


class PoskoApplication(Application[Any, Any, Any, Any, Any, Any]):
    """An Application that records in the inbox each update it has handled."""

    inbox: InboxRepo | None = None
    clock: Callable[[], datetime] | None = None

    async def process_update(self, update: object) -> None:
        """Handles an update, then marks it done in the inbox (unless it was interrupted)."""
        try:
            await super().process_update(update)
        except asyncio.CancelledError:
            # A stop that could not wait for it (bot.runner): it stays pending in the inbox and
            # is handled again at the next start.
            if isinstance(update, Update):
                logger.info("Update %s interrupted; left for the next start", update.update_id)
            raise
        except BaseException:
            await self._mark_done(update)
            raise
        await self._mark_done(update)

    async def _mark_done(self, update: object) -> None:
        inbox, clock = self.inbox, self.clock
        if isinstance(update, Update) and inbox is not None and clock is not None:
            try:
                await inbox.mark_done(update.update_id, clock())
            except sqlite3.Error:
                logger.exception("Update %s handled but not marked done", update.update_id)


async def replay_pending(app: Application[Any, Any, Any, Any, Any, Any], inbox: InboxRepo) -> int:
    """Queues the updates a previous run received but did not finish; returns how many."""
    pending = await inbox.pending()
    for payload in pending:
        update = Update.de_json(json.loads(payload), app.bot)
        await app.update_queue.put(update)
    if pending:
        logger.warning("Handling %s updates left over from the previous run", len(pending))
    return len(pending)


INBOX_KEEP = timedelta(days=2)


async def prune_inbox_job(context: PoskoContext) -> None:
    """Forgets handled updates older than two days."""
    services = context.services
    removed = await services.inbox.prune(services.clock() - INBOX_KEEP)
    if removed:
        logger.info("Pruned %s handled updates from the inbox", removed)


def register(app: PoskoApp) -> None:
    """Adds the hourly pruning of handled updates."""
    if app.job_queue is not None:
        app.job_queue.run_repeating(prune_inbox_job, interval=3600, first=60, name="prune inbox")
