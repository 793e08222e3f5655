"""Fault injection: distance, Telegram's flood limits, scheduled and random failures, a hung API.

The second layer of FakeTelegram (see emulator/server.py): on top of Telegram's state it keeps
what makes calls slow or fail. The HTTP layer asks it, per request, to cover the distance to
Telegram and back (`_travel`), whether to hang (`_hold_if_hanging`), to fail at random
(`_chaos_fault`) or to fail as scheduled (`_injected_failure`); the Bot API methods ask it
whether a send is over a flood limit (`_flood_check`).

Distance. A Bot API call from a server in Indonesia takes 200-400 ms. With `latency` set, each
request waits half of it before Telegram handles it (and counts it against the flood limits)
and half before its answer leaves, as a request travels there and back; `jitter` adds a random
0..jitter seconds to each leg, so a message sent later may arrive first.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import defaultdict, deque
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from emulator.model import ApiError, JsonDict
from emulator.state import DEFAULT_TOKEN, TelegramState


@dataclass
class FloodLimits:
    """Telegram's documented limits: 20 per group per minute and 30 a second overall."""

    group_messages: int = 20
    group_window: float = 60.0
    global_per_second: int = 30
    private_per_second: int | None = None


class _FloodControl:
    def __init__(self, limits: FloodLimits) -> None:
        self.limits = limits
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = defaultdict(deque)

    def check(self, chat_id: int) -> int | None:
        """Records a send to `chat_id` at now; returns retry_after seconds when over a limit."""
        now = time.monotonic()
        windows = [(self._global, 1.0, self.limits.global_per_second)]
        if chat_id < 0:
            windows.append(
                (self._per_chat[chat_id], self.limits.group_window, self.limits.group_messages)
            )
        elif self.limits.private_per_second is not None:
            windows.append((self._per_chat[chat_id], 1.0, self.limits.private_per_second))
        for window, span, limit in windows:
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                return max(1, int(window[0] + span - now + 0.999))
        for window, _, _ in windows:
            window.append(now)
        return None


class FaultInjection(TelegramState):
    """Telegram's state plus the ways its API is slow or fails."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
        super().__init__(token)
        self.latency = 0.0
        self.jitter = 0.0
        self._distance_rng = random.Random(0)
        self.rejected_429 = 0
        # [method, status, description, count, skip, retry_after]
        self._failures: list[list[Any]] = []
        self._chaos: tuple[random.Random, float, tuple[str, ...], float] | None = None
        self.chaos_faults: dict[str, int] = defaultdict(int)
        self.flood: _FloodControl | None = None
        self._hanging = False
        self._released = asyncio.Event()

    def set_latency(self, latency: float, jitter: float = 0.0, *, seed: int = 0) -> None:
        """Places Telegram `latency` seconds away (a round trip), each leg up to `jitter` longer.

        Half the round trip passes before the request is handled, so the flood limits count it
        where Telegram does: after it travelled, before the answer travels back.
        """
        if latency < 0 or jitter < 0:
            raise ValueError("latency and jitter are durations")
        self.latency, self.jitter = latency, jitter
        self._distance_rng = random.Random(seed)

    async def _travel(self) -> None:
        """One leg of the round trip: half the latency, plus up to `jitter`."""
        leg = self.latency / 2
        if self.jitter:
            leg += self._distance_rng.uniform(0.0, self.jitter)
        if leg > 0:
            await asyncio.sleep(leg)

    def hang(self) -> None:
        """Stops answering, like an API whose network went away without closing connections.

        Requests under way and every request from now on are held open, unanswered, until the
        server stops.
        """
        self._hanging = True
        self._released.clear()

    def resume(self) -> None:
        """Answers again; the requests held meanwhile are dropped without an answer."""
        self._hanging = False
        self._released.set()

    async def _hold_if_hanging(self, request: web.Request) -> None:
        if self._hanging:
            await self._released.wait()
            if request.transport is not None:
                request.transport.abort()

    def fail_next(
        self, method: str, status: int = 500, description: str = "Internal Server Error",
        count: int = 1, skip: int = 0, retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> None:  # fmt: skip
        """Answers `count` calls of `method` (to `chat_id` only, if given) with an error, after
        `skip` successful ones."""
        self._failures.append([method, status, description, count, skip, retry_after, chat_id])

    def enable_chaos(
        self,
        rate: float,
        *,
        seed: int = 0,
        kinds: tuple[str, ...] = ("500", "502", "drop", "429"),
        stall: float = 0.0,
    ) -> None:
        """Makes a share of calls fail the way a bad network or a busy Telegram does.

        Failed calls are never carried out: "500"/"502" answer an error, "429" a flood wait,
        "drop" closes the connection without an answer, "stall" (if listed) holds the request
        for `stall` seconds and then drops it.
        """
        self._chaos = (random.Random(seed), rate, kinds, stall) if rate > 0 else None

    def enable_flood_limits(self, limits: FloodLimits | None = None) -> None:
        """Answers 429 with retry_after when the bot exceeds Telegram's limits."""
        self.flood = _FloodControl(limits or FloodLimits())

    def _flood_check(self, chat_id: int) -> None:
        if self.flood is None:
            return
        retry_after = self.flood.check(chat_id)
        if retry_after is not None:
            self.rejected_429 += 1
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    async def _chaos_fault(self, request: web.Request) -> web.Response | None:
        """With chaos enabled, may fail this request: returns the answer to give, if any."""
        if self._chaos is not None:
            rng, rate, kinds, stall = self._chaos
            if rng.random() < rate:
                kind = rng.choice(kinds)
                self.chaos_faults[kind] += 1
                if kind in ("500", "502"):
                    status = int(kind)
                    return web.json_response(
                        {"ok": False, "error_code": status, "description": "Chaos"}, status=status
                    )
                if kind == "429":
                    return web.json_response(
                        {"ok": False, "error_code": 429, "description": "Too Many Requests: "
                         "retry after 1", "parameters": {"retry_after": 1}}, status=429,
                    )  # fmt: skip
                if kind == "stall":
                    await asyncio.sleep(stall)
                if request.transport is not None:
                    request.transport.abort()  # "drop" (and a stall's end): no answer at all
                return web.Response(status=500)
        return None

    def _injected_failure(self, method: str, params: JsonDict) -> None:
        """Raises the error fail_next scheduled for this call, if any (after its skips)."""
        for failure in self._failures:
            if failure[0] != method or (
                failure[6] is not None and str(params.get("chat_id")) != str(failure[6])
            ):
                continue
            if failure[4] > 0:
                failure[4] -= 1
                break
            failure[3] -= 1
            if failure[3] == 0:
                self._failures.remove(failure)
            extra = {"retry_after": failure[5]} if failure[5] is not None else None
            raise ApiError(failure[1], failure[2], extra)
