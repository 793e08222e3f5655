"""Concurrent update handling that keeps each sender's updates in order.

Handling one update at a time leaves the bot idle while it waits for Telegram or the disk, so
many officers reporting at once queue behind each other. python-telegram-bot can handle updates
concurrently, but then one officer's quick taps (a form step, then "Kirim") could overtake each
other. This processor runs updates from different senders side by side and updates from the same
sender strictly one after another, in arrival order.

Nobody outside the registry can slow the officers down. Updates of non-members (strangers,
pending applicants, rejected or deactivated people) run in a small lane of their own, and
their backlog is capped: past `STRANGER_BACKLOG` updates waiting from one such sender, or
`STRANGERS_BACKLOG` from all of them together, further updates are dropped and recorded as
handled. A member's update is never dropped; when the registry cannot be read, the sender
counts as a member.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import BaseUpdateProcessor

from bot.ratelimit import answering

logger = logging.getLogger(__name__)

Key = tuple[str, int]
IsMember = Callable[[int], Awaitable[bool]]
OnDrop = Callable[[Update], Awaitable[None]]

# Enough to overlap many officers' round trips to Telegram and the disk; more only adds memory.
MAX_CONCURRENT_UPDATES = 64
# Non-members' updates running at once: /daftar forms and refusals, never the officers' slots.
MAX_STRANGERS_RUNNING = 8
# Updates of one non-member waiting (or running); no person types faster than they are handled.
STRANGER_BACKLOG = 10
# Updates of all non-members together waiting (or running).
STRANGERS_BACKLOG = 200
# python-telegram-bot starts a task for every update it takes from the queue whatever this
# bound is; its semaphore only decides when the task enters `do_process_update`. A bound would
# make an officer's update wait behind a flood of updates that wait for their own sender, so
# every update is admitted at once and the backlog caps above bound the strangers instead.
ADMIT_ALL = 2**31


def ordering_key(update: object) -> Key | None:
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

    python-telegram-bot starts a task per update in arrival order, so each update joins its
    sender's chain in arrival order: it waits for the previous update of the same sender to
    finish, whatever that one's outcome, and only then takes a running slot of its lane.
    """

    def __init__(
        self,
        max_running: int = MAX_CONCURRENT_UPDATES,
        *,
        max_strangers_running: int = MAX_STRANGERS_RUNNING,
        stranger_backlog: int = STRANGER_BACKLOG,
        strangers_backlog: int = STRANGERS_BACKLOG,
    ) -> None:
        super().__init__(ADMIT_ALL)
        self._running = asyncio.Semaphore(max_running)
        self._strangers_running = asyncio.Semaphore(max_strangers_running)
        self._stranger_backlog = stranger_backlog
        self._strangers_backlog = strangers_backlog
        self._tails: dict[Key, asyncio.Future[None]] = {}
        self._backlog: dict[Key, int] = {}  # updates of a sender inside the processor
        self._verdicts: dict[Key, asyncio.Future[bool]] = {}  # kept while the backlog lasts
        self._dropped: dict[Key, int] = {}  # per sender, logged once their backlog is gone
        self._strangers = 0  # non-members' updates inside the processor
        self._is_member: IsMember | None = None
        self._on_drop: OnDrop | None = None
        self.dropped = 0

    def attach(self, is_member: IsMember, on_drop: OnDrop) -> None:
        """Starts telling members from others (until then, nobody is dropped)."""
        self._is_member, self._on_drop = is_member, on_drop

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Awaits `coroutine` once the sender's previous update is done and a slot is free."""
        key = ordering_key(update)
        if key is None:
            async with self._running:
                await coroutine
            return
        # Joining the chain happens before any await, so the chain keeps the arrival order.
        previous = self._tails.get(key)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[key] = done
        position = self._backlog[key] = self._backlog.get(key, 0) + 1
        stranger = False
        try:
            stranger = not await self._member(key)
            if stranger:
                self._strangers += 1
                over = (
                    position > self._stranger_backlog or self._strangers > self._strangers_backlog
                )
                if over and isinstance(update, Update):
                    await self._drop(key, update)
                    return
            if previous is not None:
                await asyncio.shield(previous)
            # What a member's update sends is an answer someone waits for: it goes before
            # broadcasts in the rate limiter (set in this update's own task only).
            answering.set(not stranger)
            async with self._strangers_running if stranger else self._running:
                await coroutine
        finally:
            if asyncio.iscoroutine(coroutine):
                coroutine.close()  # no-op once awaited; a dropped or cancelled one never ran
            if stranger:
                self._strangers -= 1
            self._leave(key)
            self._finish(key, previous, done)

    async def _member(self, key: Key) -> bool:
        """Whether the sender is a member; one lookup per sender while their backlog lasts."""
        if self._is_member is None:
            return True
        kind, ident = key
        if kind != "user":
            return False  # no user at all: nobody's officer
        verdict = self._verdicts.get(key)
        if verdict is None:
            verdict = self._verdicts[key] = asyncio.ensure_future(self._is_member(ident))
        try:
            return await asyncio.shield(verdict)
        except Exception:  # the registry is unreadable: never drop on a doubt
            logger.warning("Could not tell whether %s %s is a member", kind, ident)
            return True

    async def _drop(self, key: Key, update: Update) -> None:
        self.dropped += 1
        self._dropped[key] = self._dropped.get(key, 0) + 1
        if self._on_drop is not None:
            await self._on_drop(update)

    def _leave(self, key: Key) -> None:
        """Forgets a sender's state once none of their updates is left."""
        self._backlog[key] -= 1
        if self._backlog[key]:
            return
        del self._backlog[key]
        self._verdicts.pop(key, None)
        dropped = self._dropped.pop(key, 0)
        if dropped:
            logger.warning(
                "Dropped %s updates of non-member %s %s (backlog over its cap)", dropped, *key
            )

    def _finish(
        self, key: Key, previous: asyncio.Future[None] | None, done: asyncio.Future[None]
    ) -> None:
        """Lets the sender's next update go, but never before the previous one is done."""

        def release(_: object = None) -> None:
            done.set_result(None)
            if self._tails.get(key) is done:
                del self._tails[key]

        if previous is None or previous.done():
            release()
        else:  # dropped (or cancelled) while an earlier update of the sender still runs
            previous.add_done_callback(release)

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: the application waits for running updates itself."""
