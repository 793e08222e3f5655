"""What the running process holds for arahan.

The database holds everything that must survive a restart (who was delivered to, reminded,
confirmed); this holds only work in flight: rounds running now (so the catch-up never runs a
second copy beside one), the tally edits being coalesced, and copies Telegram took whose record
the database refused (recorded later, never sent again).
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from dataclasses import dataclass, field
from typing import Any

from bot.broadcast import IN_FLIGHT
from bot.context import PoskoApp
from bot.services import Services

ARAHAN_KEY = "arahan"
# The sender's tally is edited at most once in this many seconds, however many confirm.
TALLY_EVERY = 5.0


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
    # Copies and reminders a round has under way at once (bot.broadcast).
    in_flight: int = IN_FLIGHT
    # Arahan whose delivery round, or reminder round, runs now.
    rounds: set[int] = field(default_factory=set)
    reminding: set[int] = field(default_factory=set)
    tallies: dict[int, TallyEdits] = field(default_factory=dict)
    # (arahan, user id) -> message id of a copy Telegram took but the database did not record.
    unrecorded: dict[tuple[int, int], int] = field(default_factory=dict)
    # (arahan, user id) -> set once the copy on its way to them is recorded (or refused): an
    # officer can press ✅ Dipahami before the bot has Telegram's answer (a round trip).
    sending: dict[tuple[int, int], asyncio.Event] = field(default_factory=dict)


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
