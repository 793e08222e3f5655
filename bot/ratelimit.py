"""Keeping the bot inside Telegram's limits on its own initiative.

python-telegram-bot's AIORateLimiter uses leaky buckets: after a burst of 20 it lets one group
message through every 3 s, so a 60 s window can hold up to 40 messages to one group, twice what
Telegram allows. This limiter counts real sliding windows instead: never more than 20 messages a
minute to a group and 30 a second overall, messages to one chat strictly in order, and a 429 that
slips through anyway is waited out (its retry_after) and retried.

When is a message counted? Telegram counts it when it arrives, somewhere between our sending it
and its answer, and neither end sees that moment. What the bot sees is when the request left
(the transport marks it once httpcore has written it: `mark_departure`) and when the answer came
back. A message that was slow to arrive (a lost packet, a busy Telegram frontend) comes back
late too, so each message is counted from its answer minus the fastest round trip of the last
minute (`Trips`): a message as fast as the fastest is counted from its departure, a slower one
later by whatever it took beyond that. Two messages 31 apart then arrive at least a second apart at
Telegram, whatever the distance, as long as the fastest trip's two legs are both as short as
they get, up to `MARGIN`, which each window adds to its length. A 429 beyond that is waited out
(its retry_after). A message whose request never said when it left is counted from its answer.
While a request is on its way its message holds its place in the window.

History (BENCHMARKS.md, sections 4, 6 and 8). The first version counted a message from when it
was let through: one reminder in 30 was answered 429 on the loopback, because a queue or a
thread hop could delay the first of a second more than the 31st. The second counted it from its
answer, never earlier than Telegram and so never a 429, but then each window of 30 lasted a
second plus a whole round trip: about 23 messages a second with Telegram 300 ms away. Counting
from the departure alone (plus the margin) was fast but trusted every trip to take the same
time: on a busy machine the emulator, stalled for 100 ms, counted a burst later than sent and
answered 429. The rule above keeps the speed of the one and the safety of the other: 30 in
1.02 s plus the jitter of the trips, 29.4 a second when they do not vary.

People first. Messages waiting for room in a window are served in order, but an answer to a
person (a receipt, the reply to a command: anything sent while handling a registered user's
update, `answering`) goes before those that no one is waiting for (a reminder round, an arahan
going out, the stale-incident questions, a digest). Without that, an officer filing a report
during a broadcast waited behind the 16 messages the broadcast keeps under way, half a second,
and a command's answer behind the stale-incident questions of a large database (BENCHMARKS.md,
section 2). The order of the messages to one chat is kept either way (its lock comes first): a
reply in the coordination group still waits behind what was queued for that group. Scheduled
jobs are background work whatever task planned them (bot.app.BackgroundJobQueue).
"""

from __future__ import annotations

import asyncio
import bisect
import logging
import time
import weakref
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Iterator
from contextlib import AsyncExitStack, asynccontextmanager, contextmanager
from contextvars import ContextVar
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
        "sendVideoNote",
        "sendAudio",
        "sendAnimation",
        "sendSticker",
        "sendVenue",
        "sendContact",
        "sendPoll",
        "sendDice",
        "copyMessage",
        "copyMessages",
        "forwardMessage",
        "forwardMessages",
        "sendPaidMedia",
    }
)
# Requests whose callers retry them with their own pace and logging.
RETRIED_BY_CALLER = frozenset({"getUpdates", "getMe"})
# Seconds added to every window, for what counting from the fastest trip cannot see (the legs
# of that trip not both at their shortest). Slow trips need none: they show in their round
# trip. 30 in 1.02 s is 29.4 a second; a larger error costs a 429 and its retry_after, never a
# lost message. (0.05 cost receipts at 300 ms a tenth of a second in every ten.)
MARGIN = 0.02

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[object]]


class Departure:
    """One message's times: when its request left (marked by the transport) and the moment
    the windows count it from (set by the limiter once the request completed)."""

    __slots__ = ("counted", "left")

    def __init__(self) -> None:
        self.left: float | None = None
        self.counted: float | None = None


class Trips:
    """The fastest round trip of the last `memory` seconds, and the moment a message is
    counted from.

    A minute's memory: when the way to Telegram gets longer for good (another route), the
    old, shorter bar only makes the count later than needed (safe) until it is forgotten;
    when it gets shorter, the first faster trip lowers the bar at once.
    """

    def __init__(self, memory: float = 60.0) -> None:
        self.memory = memory
        # (answered, trip), trips increasing: the fastest of the last `memory` seconds first.
        self._fastest: deque[tuple[float, float]] = deque()

    @property
    def fastest(self) -> float | None:
        """The fastest round trip remembered (None before the first)."""
        return self._fastest[0][1] if self._fastest else None

    def count_from(self, left: float | None, answered: float) -> float:
        """The moment to count a message from: its answer less the fastest round trip seen
        (its departure if it was the fastest), or its answer when its departure is unknown."""
        if left is None:
            return answered
        trip = max(0.0, answered - left)
        trips = self._fastest
        while trips and trips[-1][1] >= trip:
            trips.pop()
        trips.append((answered, trip))
        while trips[0][0] < answered - self.memory:
            trips.popleft()
        return answered - trips[0][1]


# Whether the current task is answering a person (set while a registered user's update is
# handled, bot.ordering; cleared by the broadcaster, bot.broadcast).
answering: ContextVar[bool] = ContextVar("answering", default=False)

# The message the current task is sending, set by the limiter around Telegram's call.
_departure: ContextVar[Departure | None] = ContextVar("departure", default=None)


@contextmanager
def sending(departure: Departure) -> Iterator[Departure]:
    """Makes `departure` the message this task is sending, for the transport to mark."""
    token = _departure.set(departure)
    try:
        yield departure
    finally:
        _departure.reset(token)


def mark_departure() -> None:
    """Dates the message being sent in this task by now (called by the transport as the
    request leaves; the last attempt counts when a request is retried)."""
    departure = _departure.get()
    if departure is not None:
        departure.left = time.monotonic()


@dataclass(frozen=True)
class RateLimits:
    """Telegram's documented limits (smaller values make tests fast)."""

    group_messages: int = 20
    group_window: float = 60.0
    overall_messages: int = 30
    overall_window: float = 1.0
    margin: float = MARGIN
    max_retries: int = 5
    backoff: float = 0.5
    backoff_cap: float = 8.0


class Turns:
    """A lock served first come, first served, but the urgent before the rest."""

    def __init__(self) -> None:
        self._held = False
        self._urgent: deque[asyncio.Future[None]] = deque()
        self._rest: deque[asyncio.Future[None]] = deque()

    def locked(self) -> bool:
        """Whether someone holds it or waits for it."""
        return self._held or bool(self._urgent or self._rest)

    @asynccontextmanager
    async def turn(self, urgent: bool) -> AsyncIterator[None]:
        """Holds the lock for the body; waits behind the urgent (and, unless `urgent`, behind
        everyone who came first)."""
        if self._held or self._urgent or (self._rest and not urgent):
            queue = self._urgent if urgent else self._rest
            waiter = asyncio.get_running_loop().create_future()
            queue.append(waiter)
            try:
                await waiter
            except asyncio.CancelledError:
                if waiter in queue:
                    queue.remove(waiter)
                elif waiter.done() and not waiter.cancelled():
                    self._pass_on()  # handed the lock as it was cancelled: hand it on
                raise
        else:
            self._held = True
        try:
            yield
        finally:
            self._pass_on()

    def _pass_on(self) -> None:
        for queue in (self._urgent, self._rest):
            while queue:
                waiter = queue.popleft()
                if not waiter.done():
                    waiter.set_result(None)  # still held: now by that waiter
                    return
        self._held = False


class SlidingWindow:
    """At most `limit` messages in any `window` + `margin` seconds; waiters served in order,
    the urgent (answers to people) first.

    A message occupies the window from the moment it is let through (in flight) and, once its
    request has completed, is dated by its `Departure.counted` (unknown: by the completion).
    """

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        margin: float = 0.0,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._limit = limit
        self._span = window + margin
        self._clock, self._sleep = clock, sleep
        self._times: deque[float] = deque()  # dates of completed messages, oldest first
        self._in_flight = 0
        self._turns = Turns()
        self._completed = asyncio.Event()

    @asynccontextmanager
    async def slot(
        self, count: int = 1, departure: Departure | None = None, *, urgent: bool = False
    ) -> AsyncIterator[Departure]:
        """Holds room for `count` messages while the body sends them; dates them at its end by
        `departure.counted` (the departure yielded unless one is given), or by the end. The
        `urgent` wait before the others."""
        count = min(count, self._limit)
        departure = departure or Departure()
        await self._acquire(count, urgent)
        try:
            yield departure
        finally:
            self._release(count, departure.counted)

    async def _acquire(self, count: int, urgent: bool = False) -> None:
        """Waits until `count` more messages fit in the window, then marks them in flight."""
        async with self._turns.turn(urgent):
            while True:
                now = self._clock()
                while self._times and self._times[0] <= now - self._span:
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
                wait_until = self._times[excess - 1] + self._span
                await self._sleep(max(0.001, wait_until - now))

    def _release(self, count: int, counted: float | None) -> None:
        """Dates `count` messages in flight (their request has completed)."""
        self._in_flight -= count
        at = self._clock() if counted is None else min(counted, self._clock())
        for _ in range(count):
            bisect.insort(self._times, at)  # requests complete out of order
        self._completed.set()

    def idle(self) -> bool:
        """Whether nothing is in flight or waiting and every message has left the window."""
        newest = self._times[-1] if self._times else None
        recent = newest is not None and newest > self._clock() - self._span
        return not (self._in_flight or self._turns.locked() or recent)


class PoskoRateLimiter(BaseRateLimiter[int]):
    """Sliding-window limits per group and overall, in-order delivery per chat, 429 retries."""

    def __init__(self, limits: RateLimits | None = None) -> None:
        self.limits = limits or RateLimits()
        self._overall = SlidingWindow(
            self.limits.overall_messages, self.limits.overall_window, margin=self.limits.margin
        )
        # Per-chat state lives only while it matters: a chat's lock while a message to it is
        # on its way (kept alive by its users), a group's window while it counts anything.
        self._groups: dict[int | str, SlidingWindow] = {}
        self._chat_locks: weakref.WeakValueDictionary[int | str, asyncio.Lock] = (
            weakref.WeakValueDictionary()
        )
        self.trips = Trips()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release."""

    def _group(self, chat_id: int | str) -> SlidingWindow:
        if chat_id not in self._groups:
            for idle in [key for key, window in self._groups.items() if window.idle()]:
                del self._groups[idle]
            self._groups[chat_id] = SlidingWindow(
                self.limits.group_messages, self.limits.group_window, margin=self.limits.margin
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
        departure = Departure()
        urgent = answering.get()
        async with self._chat_lock(chat_id), AsyncExitStack() as windows:
            # One chat's messages leave in order; each holds its place in the windows that
            # apply until Telegram has answered it (retries included), and is then dated by
            # the departure the transport marked.
            if is_group:
                group = self._group(chat_id)
                await windows.enter_async_context(group.slot(messages, departure, urgent=urgent))
            await windows.enter_async_context(
                self._overall.slot(messages, departure, urgent=urgent)
            )
            try:
                with sending(departure):
                    return await self._with_retries(callback, args, kwargs, endpoint)
            finally:
                departure.counted = self.trips.count_from(departure.left, time.monotonic())

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
