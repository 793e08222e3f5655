"""Keeping the bot inside Telegram's limits on its own initiative.

python-telegram-bot's AIORateLimiter uses leaky buckets: after a burst of 20 it lets one group
message through every 3 s, so a 60 s window can hold up to 40 messages to one group, twice what
Telegram allows. This limiter counts real sliding windows instead: never more than 20 messages a
minute to a group and 30 a second overall, messages to one chat strictly in order, and a 429 that
slips through anyway is waited out (its retry_after) and retried.

Telegram counts a message when it arrives, somewhere between our sending it and its answer. A
window that counted messages from the moment they were let through would therefore be fooled by
network jitter: when the first message of a second took longer to arrive than the 31st, Telegram
would see 31 within one second and answer 429. So each message holds its place in the window
while its request is in flight and is counted from the moment the request completed, which is
never earlier than Telegram's own count.
"""

from __future__ import annotations

import asyncio
import logging
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram.error import NetworkError, RetryAfter, TimedOut
from telegram.ext import BaseRateLimiter

logger = logging.getLogger(__name__)

JSONDict = dict[str, Any]
# Requests that put a message into a chat (what Telegram's flood limits count).
SENDING = frozenset(
    {
        "sendMessage",
        "sendPhoto",
        "sendMediaGroup",
        "sendLocation",
        "sendDocument",
        "sendVoice",
        "sendVideo",
        "sendAudio",
        "sendAnimation",
        "sendSticker",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "copyMessage",
        "forwardMessage",
    }
)
# Requests whose callers retry them with their own pace and logging.
RETRIED_BY_CALLER = frozenset({"getUpdates", "getMe"})


@dataclass(frozen=True)
class RateLimits:
    """Telegram's documented limits (smaller values make tests fast)."""

    group_messages: int = 20
    group_window: float = 60.0
    overall_messages: int = 30
    overall_window: float = 1.0
    max_retries: int = 5
    backoff: float = 0.5
    backoff_cap: float = 8.0


class SlidingWindow:
    """At most `limit` messages in any `window` seconds; waiters are served in order.

    A message occupies the window from the moment it is let through (in flight) and is dated by
    the moment its request completed, so the window can only over-estimate Telegram's count.
    """

    def __init__(self, limit: int, window: float) -> None:
        self._limit = limit
        self._window = window
        self._times: deque[float] = deque()  # completion times, oldest first
        self._in_flight = 0
        self._lock = asyncio.Lock()
        self._completed = asyncio.Event()

    @asynccontextmanager
    async def slot(self, count: int = 1) -> AsyncIterator[None]:
        """Holds room for `count` messages while the body sends them; counts them at its end."""
        count = min(count, self._limit)
        await self._acquire(count)
        try:
            yield
        finally:
            self._release(count)

    async def _acquire(self, count: int) -> None:
        """Waits until `count` more messages fit in the window, then marks them in flight."""
        async with self._lock:  # asyncio.Lock is FIFO: first come, first served
            while True:
                now = time.monotonic()
                while self._times and self._times[0] <= now - self._window:
                    self._times.popleft()
                excess = len(self._times) + self._in_flight + count - self._limit
                if excess <= 0:
                    self._in_flight += count
                    return
                if excess > len(self._times):
                    # Room comes only once requests in flight complete (and then age out).
                    self._completed.clear()
                    await self._completed.wait()
                    continue
                wait_until = self._times[excess - 1] + self._window
                await asyncio.sleep(max(0.001, wait_until - now))

    def _release(self, count: int) -> None:
        """Dates `count` messages in flight by now (their request has completed)."""
        self._in_flight -= count
        self._times.extend([time.monotonic()] * count)
        self._completed.set()

    def idle(self) -> bool:
        """Whether nothing is in flight or waiting and every message has left the window."""
        newest = self._times[-1] if self._times else None
        recent = newest is not None and newest > time.monotonic() - self._window
        return not (self._in_flight or self._lock.locked() or recent)


class PoskoRateLimiter(BaseRateLimiter[int]):
    """Sliding-window limits per group and overall, in-order delivery per chat, 429 retries."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits()
        self._overall = SlidingWindow(self.limits.overall_messages, self.limits.overall_window)
        # Per-chat state lives only while it matters: a chat's lock while a message to it is
        # on its way (kept alive by its users), a group's window while it counts anything.
        self._groups: dict[int | str, SlidingWindow] = {}
        self._chat_locks: weakref.WeakValueDictionary[int | str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _group(self, chat_id: int | str) -> SlidingWindow:
        if chat_id not in self._groups:
            for idle in [key for key, window in self._groups.items() if window.idle()]:
                del self._groups[idle]
            self._groups[chat_id] = SlidingWindow(
                self.limits.group_messages, self.limits.group_window
            )
        return self._groups[chat_id]

    def _chat_lock(self, chat_id: int | str) -> asyncio.Lock:
        lock = self._chat_locks.get(chat_id)
        if lock is None:
            lock = self._chat_locks[chat_id] = asyncio.Lock()
        return lock

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Waits for room in the windows that apply, then calls Telegram (retrying on 429)."""
        chat_id = data.get("chat_id")
        if endpoint not in SENDING or chat_id is None:
            return await self._with_retries(callback, args, kwargs, endpoint)
        messages = len(data.get("media") or ()) or 1  # an album counts each photo
        is_group = isinstance(chat_id, str) or int(chat_id) < 0
        async with self._chat_lock(chat_id), AsyncExitStack() as windows:
            # One chat's messages leave in order; each holds its place in the windows that
            # apply until Telegram has answered it (retries included).
            if is_group:
                await windows.enter_async_context(self._group(chat_id).slot(messages))
            await windows.enter_async_context(self._overall.slot(messages))
            return await self._with_retries(callback, args, kwargs, endpoint)

    async def _with_retries(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
    ) -> bool | JSONDict | list[JSONDict]:
        """Calls Telegram, retrying what is worth retrying.

        429 waits its retry_after. Transient failures (5xx answers, refused or dropped
        connections, timeouts) are retried with exponential backoff, so receipts, alerts and
        digests get through a flaky network. An answer Telegram did give (success, or 400/403)
        is never retried, so nothing known to be delivered is sent twice; only a connection
        lost after Telegram accepted a message, which no client can detect, may repeat it.
        getUpdates is left to python-telegram-bot's own polling loop, getMe to the start-up
        wait (bot.runner), which log an outage once a minute rather than every retry.
        """
        for attempt in range(self.limits.max_retries + 1):
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                if attempt == self.limits.max_retries:
                    raise
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                logger.warning("%s hit flood control; retrying in %.1f s", endpoint, seconds)
                await asyncio.sleep(seconds + 0.1)
            except NetworkError as exc:
                if not transient(exc) or endpoint in RETRIED_BY_CALLER:
                    raise
                if attempt == self.limits.max_retries:
                    raise
                delay = min(self.limits.backoff_cap, self.limits.backoff * 2**attempt)
                logger.warning(
                    "%s failed (%s); retry %s in %.1f s",
                    endpoint,
                    type(exc).__name__,
                    attempt + 1,
                    delay,
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")  # pragma: no cover


def transient(exc: NetworkError) -> bool:
    """A network or server failure (not Telegram refusing the request itself)."""
    # BadRequest, ChatMigrated and friends are NetworkError subclasses: Telegram answered.
    return type(exc) is NetworkError or isinstance(exc, TimedOut)
