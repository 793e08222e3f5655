"""The HTTP connections to the Bot API: several small pools, requests queued for them.

How many requests must be in flight. Telegram accepts about 30 messages a second in all; a
request carries one message and takes a round trip, about 300 ms from a server in Indonesia
(200-400 ms with TLS and Telegram's own processing). 30 a second at 300 ms is 9 requests in
flight at every moment, 12 at 400 ms, plus the button answers and edits that travel beside
the messages. Four connections (the previous choice) carried about 13 messages a second there.

What more connections cost. httpcore's pool looks at every connection it holds on every request
(`has_expired`, a system call, on each idle one), so the CPU of a request grows with the pool:
on the ingest benchmark (loopback, many updates at once) the bot used 3.8 ms of CPU per update
with one pool of 2 connections, 4.4-4.6 ms with 4, 4.8 ms with 8, and PTB's default pool of 256
10.6 ms. Hence several small pools instead of one large one: `POOLS` httpx clients of
`PER_POOL` connections each, 48 in all, and a request takes a free connection in the first pool
that has one. 48, because an arahan to everyone at 300 ms keeps about 10 copies on the wire
(30 a second) while the officers confirming it bring two calls each (the button's answer and
the edit of their copy): with 24 connections the copies queued behind those calls and went out
at 23.8 a second.
Each request then pays for the scan of 2 connections, whatever the total; at a low rate the
traffic stays on the first pool and the others are not even opened, and idle connections close
after httpx's keep-alive expiry (5 s). Requests beyond the 48 wait their turn
here, first come first served, instead of failing with a pool timeout.

Why not HTTP/2, which would multiplex every request over one connection. api.telegram.org
answers HTTP/2 (clients whose HTTP library lacks it fail there with "invalid HTTP version
parsed", telegram-rs/telegram-bot#246), but the self-hosted Bot API server (tdlib's
telegram-bot-api, which `TELEGRAM_API_URL` is there for) speaks HTTP/1.0 and 1.1 only; PTB made
HTTP/2 its default in 20.0 and went back to 1.1 in 20.2 because of that and of long polls that
broke over HTTP/2 (python-telegram-bot#3556, #3576). It would also need the `h2` package, a pure
Python framing layer (flow control, HPACK) on every request, a new dependency for the CPU this
module tries to save, and one TCP connection whose one lost packet stalls every request on it.
Several HTTP/1.1 pools work against both servers with the code PTB tests by default.

The transport also tells the rate limiter when a message has left (`mark_departure`): when
httpcore has written the whole request to the socket (its `trace` extension), after any wait
here and after opening the connection when there was none. Marked as the request got its
connection instead, the first messages of a burst, each opening a connection (a TCP and a TLS
handshake, one to three round trips to Telegram), arrived at the emulator 80 ms later than the
same messages over open connections, and the window took them for earlier than they were.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

import httpx
from telegram.request import BaseRequest, HTTPXRequest

from bot.ratelimit import mark_departure

POOLS = 24
PER_POOL = 2
CONNECTIONS = POOLS * PER_POOL


async def _trace_departure(request: httpx.Request) -> None:
    """Asks httpcore to report the stages of `request` (an httpx request hook)."""
    request.extensions["trace"] = _on_stage


async def _on_stage(stage: str, info: dict[str, Any]) -> None:
    """Tells the rate limiter the request has left once its last byte is written."""
    if stage == "http11.send_request_body.complete":
        mark_departure()


class PooledRequest(BaseRequest):
    """`pools` HTTPXRequest clients of `per_pool` connections each, a queue in front of them."""

    def __init__(self, pools: int = POOLS, per_pool: int = PER_POOL, **kwargs: Any) -> None:
        httpx_kwargs = dict(kwargs.pop("httpx_kwargs", None) or {})
        # One TLS context (its CA store: 36 ms of CPU and memory to load) for every pool.
        httpx_kwargs.setdefault("verify", httpx.create_ssl_context())
        hooks = dict(httpx_kwargs.get("event_hooks") or {})
        hooks["request"] = [*hooks.get("request", ()), _trace_departure]
        httpx_kwargs["event_hooks"] = hooks
        self._pools = [
            HTTPXRequest(connection_pool_size=per_pool, httpx_kwargs=httpx_kwargs, **kwargs)
            for _ in range(max(1, pools))
        ]
        self._per_pool = per_pool
        self._free = [per_pool] * len(self._pools)  # free connections per pool
        self._slots = asyncio.Semaphore(per_pool * len(self._pools))

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout (every pool has the same)."""
        return self._pools[0].read_timeout

    async def initialize(self) -> None:
        """Opens every pool's client (connections open on first use)."""
        for pool in self._pools:
            await pool.initialize()

    async def shutdown(self) -> None:
        """Closes every pool's client."""
        for pool in self._pools:
            await pool.shutdown()

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Sends the request on a free connection of the first pool that has one."""
        async with self._slots:
            # The semaphore guarantees a free connection somewhere; taking it is synchronous.
            index = next(i for i, free in enumerate(self._free) if free)
            self._free[index] -= 1
            try:
                return await self._pools[index].do_request(*args, **kwargs)
            finally:
                self._free[index] += 1

    def in_use(self) -> list[int]:
        """Connections taken now, per pool."""
        return [self._per_pool - free for free in self._free]


class UpdatesRequest(HTTPXRequest):
    """The getUpdates connection; keeps each fetched update's JSON as Telegram sent it.

    The inbox stores updates before they are confirmed; taking Telegram's own JSON spares
    serializing every parsed Update back to JSON.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=1, **kwargs)
        self._fetched: dict[int, str] = {}

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Fetches updates and keeps their JSON for `take_json`."""
        code, payload = await super().do_request(*args, **kwargs)
        self._fetched = {}
        if code == HTTPStatus.OK:
            try:
                result = json.loads(payload)["result"]
                self._fetched = {int(u["update_id"]): json.dumps(u) for u in result}
            except (ValueError, TypeError, KeyError):
                pass  # not a getUpdates answer; the caller serializes updates itself
        return code, payload

    def take_json(self, update_id: int) -> str | None:
        """The JSON of update `update_id` from the last fetch, if it came in it."""
        return self._fetched.pop(update_id, None)
