"""What the running process holds for arahan, and the pacing of their broadcasts.

The database holds everything that must survive a restart (who was delivered to, reminded,
confirmed); this holds only work in flight: rounds running now (so the catch-up never runs a
second copy beside one), the tally edits being coalesced, and copies Telegram took whose record
the database refused (recorded later, never sent again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from bot.context import PoskoApp
from bot.services import Services
from bot.transport import CONNECTIONS

ARAHAN_KEY = "arahan"
# Telegram accepts about 30 messages a second; at a 300 ms round trip one request at a time
# carries only 3. A broadcast keeps as many copies in flight as the bot has connections to
# Telegram (bot.transport), and the rate limiter (bot.ratelimit) keeps them under 30 a second.
# After a kill -9 these few in flight are all that can repeat (see handlers.arahan.delivery).
WORKERS = CONNECTIONS
# The sender's tally is edited at most once in this many seconds, however many confirm.
TALLY_EVERY = 5.0

Item = TypeVar("Item")


@dataclass
class TallyEdits:
    """The coalescing of one arahan's tally edits."""

    dirty: bool = False
    running: bool = False
    last: float = float("-inf")  # event-loop time of the last edit


@dataclass
class ArahanRuntime:
    """Arahan work in flight in this process."""

    tally_every: float = field(default_factory=lambda: TALLY_EVERY)
    workers: int = WORKERS
    # Arahan whose delivery round, or reminder round, runs now.
    rounds: set[int] = field(default_factory=set)
    reminding: set[int] = field(default_factory=set)
    tallies: dict[int, TallyEdits] = field(default_factory=dict)
    # (arahan, user id) -> message id of a copy Telegram took but the database did not record.
    unrecorded: dict[tuple[int, int], int] = field(default_factory=dict)


def runtime_of(bot_data: dict[Any, Any]) -> ArahanRuntime:
    """The arahan runtime of the application (created by `handlers.arahan.register`)."""
    state = bot_data.get(ARAHAN_KEY)
    if not isinstance(state, ArahanRuntime):
        state = bot_data[ARAHAN_KEY] = ArahanRuntime()
    return state


def start_round(app: PoskoApp, services: Services, work: Coroutine[Any, Any, None]) -> None:
    """Runs a delivery or reminder round beside update handling, as work a stop waits for.

    `Application.create_task`: a stop (bot.runner, within its grace period) awaits it, and a
    round stops starting copies once the application stops running, so the copies in flight
    are finished and recorded before the process ends. Errors reach the error handler.
    """
    if not app.running:  # stopping: the next start's catch-up takes it up
        work.close()
        return
    services.track(app.create_task(work, name="arahan round"))


async def paced(
    items: Iterable[Item],
    work: Callable[[Item], Awaitable[None]],
    keep_going: Callable[[], bool],
    workers: int,
) -> bool:
    """Runs `work` on each item, `workers` at a time, while `keep_going()`; True if all ran.

    When the bot is stopping, no new item is started and those in flight finish (and are
    recorded), so a stop never cuts a copy off between Telegram and the database.
    """
    pending = iter(items)
    stopped = False

    async def worker() -> None:
        nonlocal stopped
        for item in pending:  # one shared iterator: each item goes to one worker
            if not keep_going():
                stopped = True
                return
            await work(item)

    async with asyncio.TaskGroup() as group:
        for _ in range(max(1, workers)):
            group.create_task(worker())
    return not stopped
