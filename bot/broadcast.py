"""Sending one message to many people at Telegram's pace, each exactly once.

Telegram accepts about 30 messages a second from a bot, and a call takes a round trip: about
300 ms from a server in Indonesia. One call at a time carries about 3 messages a second there
(a reminder round to 5,000 officers took 25 minutes), so a broadcast keeps `IN_FLIGHT`
recipients under way at once. Each takes a claim in the database, a round trip and a record:
30 a second at 400 ms needs 12 sending at every moment and a few more claiming or recording,
so 16 (12 fell to 26 a second at 300 ms on a loaded machine, where claims waited for the disk).
The rate limiter (bot.ratelimit) keeps them within Telegram's 30 a second and the transport
(bot.transport, 48 connections) carries them with room for replies to officers; the bound is
what the broadcast may have started and not finished at any moment.

Each recipient goes through the same steps (a `Delivery` says what each one is):
1. `claim`, recorded in the database before anything is sent: a recipient claimed is never sent
   to again by this round, a resumed one or a second copy beside it. A claim the database
   refuses (locked, full) leaves the recipient for a resumed round.
2. `send`, the call(s) to Telegram.
3. `record` what Telegram answered, right after it took the message; `refused` when it did not:
   a person who blocked the bot is marked blocked (as every feature does), other refusals are
   the delivery's to judge (retried later, or given up).

Stopping (SIGTERM): `keep_going()` is asked before each recipient is started; once it says no,
no new recipient is started, those in flight finish and are recorded, and the result says the
round did not finish (the next start resumes it from the database). So a stop never cuts a
message off between Telegram and its record. A kill -9 can: the recipients in flight at that
moment, at most `IN_FLIGHT`: the claimed ones waiting for the rate limiter, and those Telegram
perhaps took and the bot did not record (about 30 a second times the round trip: 9 at 300 ms,
1 or 2 on a near server). For a claim-before-send delivery (reminders) they are lost, never
repeated; for a send-then-record delivery (arahan copies, recorded as pending before) those
Telegram took are sent again by the resumed round. The bound is per broadcast: rounds running
side by side (an arahan's delivery beside a reminder round) each have their own `IN_FLIGHT`,
and the rate limiter, not this module, keeps their sum within Telegram's 30 a second.

An unexpected error in one recipient stops the round like a stop does (those in flight finish)
and is raised once they have.
"""

from __future__ import annotations

import asyncio
import enum
import logging
import sqlite3
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Generic, TypeVar

from telegram.error import Forbidden, TelegramError

from bot.ratelimit import answering
from bot.services import Services

logger = logging.getLogger(__name__)

# Recipients a broadcast has under way at once (claimed, sending, recording): Telegram's 30 a
# second over a 400 ms round trip with room for the claims and records; the most a kill -9 can
# leave unrecorded. The transport has 48 connections, so replies to officers still find free
# ones while a broadcast runs.
IN_FLIGHT = 16

Recipient = TypeVar("Recipient")
Sent = TypeVar("Sent")


class Outcome(enum.Enum):
    """What became of one recipient."""

    SENT = "sent"  # Telegram took it, and it was recorded
    BLOCKED = "blocked"  # the person blocked the bot (or was known to): marked, not an error
    FAILED = "failed"  # Telegram refused it or could not be reached
    SKIPPED = "skipped"  # nothing to send: claimed or done meanwhile
    UNCLAIMED = "unclaimed"  # the database refused the claim: left for a resumed round
    UNRECORDED = "unrecorded"  # Telegram took it, the database refused its record


def blocked_the_bot(exc: TelegramError) -> bool:
    """Whether Telegram refused because the person blocked the bot (not: never started it)."""
    return isinstance(exc, Forbidden) and "blocked" in exc.message.casefold()


async def refusal(services: Services, user_id: int, exc: TelegramError) -> Outcome:
    """What a refusal to `user_id` was: BLOCKED, marking them blocked as every feature does, or
    FAILED."""
    if blocked_the_bot(exc):
        await services.members.set_blocked(user_id, services.clock())
        return Outcome.BLOCKED
    return Outcome.FAILED


class Delivery(ABC, Generic[Recipient, Sent]):
    """The steps of one kind of broadcast, for one recipient at a time."""

    def who(self, recipient: Recipient) -> object:
        """How logs name `recipient` (a user id: never their name or phone)."""
        return "?"

    async def claim(self, recipient: Recipient) -> bool:
        """Records, before anything is sent, that `recipient` is being sent to; False when
        there is nothing to send (done or claimed meanwhile). Default: claimed beforehand."""
        return True

    @abstractmethod
    async def send(self, recipient: Recipient) -> Sent:
        """Sends `recipient` their message(s)."""

    async def record(self, recipient: Recipient, sent: Sent) -> None:
        """Records that Telegram took it (default: the claim was the record)."""

    async def refused(self, recipient: Recipient, exc: TelegramError) -> Outcome:
        """Records a refusal; default: BLOCKED when they blocked the bot, else FAILED."""
        return Outcome.BLOCKED if blocked_the_bot(exc) else Outcome.FAILED

    def settled(self, recipient: Recipient) -> None:
        """Called once a claimed recipient's send is over and recorded, whatever happened."""


@dataclass
class Result:
    """How a broadcast went."""

    finished: bool = True  # every recipient was started (no stop came first)
    outcomes: Counter[Outcome] = field(default_factory=Counter)

    def __getitem__(self, outcome: Outcome) -> int:
        return self.outcomes[outcome]


def always() -> bool:
    """A broadcast that never stops early."""
    return True


async def broadcast(
    recipients: Iterable[Recipient],
    delivery: Delivery[Recipient, Sent],
    *,
    keep_going: Callable[[], bool] = always,
    in_flight: int = IN_FLIGHT,
) -> Result:
    """Delivers to every recipient, `in_flight` at a time, while `keep_going()`."""
    result = Result()
    pending = iter(recipients)
    failure: list[BaseException] = []

    async def worker() -> None:
        # Nobody waits for these: answers to people go first (bot.ratelimit), also when the
        # broadcast was started from a handler (a sender's ✅ Kirim).
        answering.set(False)
        for recipient in pending:  # one shared iterator: each recipient goes to one worker
            if failure or not keep_going():
                result.finished = False
                return
            try:
                outcome = await _deliver(delivery, recipient)
            except Exception as exc:  # stop starting others; those in flight finish
                failure.append(exc)
                result.finished = False
                return
            result.outcomes[outcome] += 1

    await asyncio.gather(*(worker() for _ in range(max(1, in_flight))))
    if failure:
        raise failure[0]
    return result


async def _deliver(delivery: Delivery[Recipient, Sent], recipient: Recipient) -> Outcome:
    """Claim, send, record: one recipient."""
    try:
        if not await delivery.claim(recipient):
            return Outcome.SKIPPED
    except sqlite3.Error as exc:
        logger.warning("Broadcast to %s not claimed: %s", delivery.who(recipient), exc)
        return Outcome.UNCLAIMED
    try:
        try:
            sent = await delivery.send(recipient)
        except TelegramError as exc:
            return await delivery.refused(recipient, exc)
        try:
            await delivery.record(recipient, sent)
        except sqlite3.Error as exc:
            who = delivery.who(recipient)
            logger.warning("Broadcast to %s sent but not recorded: %s", who, exc)
            return Outcome.UNRECORDED
        return Outcome.SENT
    finally:
        delivery.settled(recipient)
