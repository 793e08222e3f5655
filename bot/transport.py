"""The HTTP connections to the Bot API: a few kept alive, requests queued for them.

With many updates handled at once, httpx would open a connection per concurrent request, and
httpcore's pool checks every idle connection (a system call each) on every request. On the
ingest benchmark the bot used 3.8 ms of CPU per update with 2 connections, 4.4-4.6 ms with 4
and 4.8 ms with 8 (PTB's default of 256, with concurrent updates: 10.6 ms). Telegram accepts
about 30 messages a second in all; 4 connections carry that whenever a round trip takes under
~130 ms, and about 13 a second at 300 ms (a server in Indonesia to the Bot API), which a
district's few dozen officers never exceed. Requests beyond the 4 wait their turn here, first
come first served, instead of failing with a pool timeout.
"""

from __future__ import annotations

import asyncio
import json
from http import HTTPStatus
from typing import Any

from telegram.request import HTTPXRequest

CONNECTIONS = 4


class QueuedRequest(HTTPXRequest):
    """An HTTPXRequest with `connections` connections and a queue in front of them."""

    def __init__(self, connections: int = CONNECTIONS, **kwargs: Any) -> None:
        super().__init__(connection_pool_size=connections, **kwargs)
        self._slots = asyncio.Semaphore(connections)

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Sends the request once a connection is free."""
        async with self._slots:
            return await super().do_request(*args, **kwargs)


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
