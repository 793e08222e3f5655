"""Group commit: writes from concurrent handlers share one transaction and one fsync.

Each caller still waits until its own write is committed, so durability is unchanged; what is
shared is the cost. The first write goes out at once (no timer, no added latency when the bot is
idle); writes that arrive while a commit is under way are gathered into the next one.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")

# One outcome per item, in order: its result, or the exception that item failed with.
Flush = Callable[[Sequence[Item]], Awaitable[Sequence[Result | BaseException]]]

MAX_BATCH = 256


class GroupCommit(Generic[Item, Result]):
    """Hands items submitted by concurrent callers to `flush` in batches, one batch at a time."""

    def __init__(self, flush: Flush[Item, Result], max_batch: int = MAX_BATCH) -> None:
        self._flush = flush
        self._max_batch = max_batch
        self._waiting: list[tuple[Item, asyncio.Future[Result]]] = []
        self._runner: asyncio.Task[None] | None = None

    async def submit(self, item: Item) -> Result:
        """Returns `item`'s result once the batch it joined is committed; raises its error."""
        future: asyncio.Future[Result] = asyncio.get_running_loop().create_future()
        self._waiting.append((item, future))
        if self._runner is None:
            self._runner = asyncio.create_task(self._run())
        return await future

    async def _run(self) -> None:
        try:
            while self._waiting:
                batch = self._waiting[: self._max_batch]
                del self._waiting[: self._max_batch]
                await self._commit(batch)
        except BaseException:
            # Cancelled (shutdown): nobody may wait forever for a commit that will not come.
            for _, future in self._waiting:
                future.cancel()
            self._waiting.clear()
            raise
        finally:
            self._runner = None

    async def _commit(self, batch: list[tuple[Item, asyncio.Future[Result]]]) -> None:
        outcomes: Sequence[Result | BaseException]
        try:
            outcomes = await self._flush([item for item, _ in batch])
            if len(outcomes) != len(batch):
                raise RuntimeError(f"{len(outcomes)} outcomes for a batch of {len(batch)}")
        except Exception as exc:
            outcomes = [exc] * len(batch)
        except BaseException:
            for _, future in batch:
                future.cancel()
            raise
        for (_, future), outcome in zip(batch, outcomes, strict=True):
            if future.done():  # the caller was cancelled; its item is committed all the same
                continue
            if isinstance(outcome, BaseException):
                future.set_exception(outcome)
            else:
                future.set_result(outcome)
