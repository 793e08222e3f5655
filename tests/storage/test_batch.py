"""Group commit: concurrent writes share a transaction, each still gets its own answer."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Sequence

import pytest

from storage.batch import GroupCommit
from storage.db import Database
from storage.reports import ReportRepo
from tests.storage.test_repos import enlist, new_report


async def test_items_submitted_together_are_flushed_together() -> None:
    batches: list[list[int]] = []

    async def flush(items: Sequence[int]) -> list[int | BaseException]:
        batches.append(list(items))
        await asyncio.sleep(0)
        return [item * 10 if item != 3 else ValueError(item) for item in items]

    commit = GroupCommit[int, int](flush)
    results = await asyncio.gather(*(commit.submit(i) for i in range(5)), return_exceptions=True)
    assert results[:3] == [0, 10, 20]
    assert isinstance(results[3], ValueError), "one item's failure is its own"
    assert results[4] == 40
    assert batches == [[0, 1, 2, 3, 4]]
    assert await commit.submit(7) == 70, "a lone item goes out at once"
    assert batches[-1] == [7]


async def test_items_arriving_during_a_flush_wait_for_the_next_one() -> None:
    batches: list[list[int]] = []
    release = asyncio.Event()

    async def flush(items: Sequence[int]) -> list[int | BaseException]:
        batches.append(list(items))
        await release.wait()
        return list(items)

    commit = GroupCommit[int, int](flush, max_batch=2)
    first = asyncio.ensure_future(commit.submit(1))
    await asyncio.sleep(0.01)
    later = [asyncio.ensure_future(commit.submit(i)) for i in (2, 3, 4)]
    await asyncio.sleep(0.01)
    assert batches == [[1]]
    release.set()
    assert await asyncio.gather(first, *later) == [1, 2, 3, 4]
    assert batches == [[1], [2, 3], [4]]


async def test_a_failed_flush_fails_every_item_of_its_batch_only() -> None:
    calls = 0

    async def flush(items: Sequence[int]) -> list[int | BaseException]:
        nonlocal calls
        calls += 1
        if calls == 1:
            raise sqlite3.OperationalError("disk I/O error")
        return list(items)

    commit = GroupCommit[int, int](flush)
    results = await asyncio.gather(commit.submit(1), commit.submit(2), return_exceptions=True)
    assert all(isinstance(r, sqlite3.OperationalError) for r in results)
    assert await commit.submit(3) == 3, "the next batch is not affected"


async def test_a_flush_that_miscounts_fails_its_batch_instead_of_hanging() -> None:
    async def flush(items: Sequence[int]) -> Sequence[int | BaseException]:
        return items[1:]

    commit = GroupCommit[int, int](flush)
    results = await asyncio.gather(commit.submit(1), commit.submit(2), return_exceptions=True)
    assert all(isinstance(r, RuntimeError) for r in results)


async def test_cancelling_the_flush_cancels_the_waiting_callers() -> None:
    async def flush(items: Sequence[int]) -> list[int | BaseException]:
        await asyncio.sleep(3600)
        return list(items)

    commit = GroupCommit[int, int](flush)
    waiting = [asyncio.ensure_future(commit.submit(i)) for i in range(3)]
    await asyncio.sleep(0.01)
    runner = commit._runner
    assert runner is not None
    runner.cancel()
    results = await asyncio.gather(*waiting, return_exceptions=True)
    assert all(isinstance(r, asyncio.CancelledError) for r in results)


async def test_concurrent_reports_share_a_transaction_and_keep_their_answers(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    await enlist(db, 7)
    await enlist(db, 8)
    reports = ReportRepo(db)
    sizes: list[int] = []
    add_many = reports._add_many

    async def spy(news: Sequence[object]) -> object:
        sizes.append(len(news))
        return await add_many(news)  # type: ignore[arg-type]

    monkeypatch.setattr(reports, "_add_many", spy)
    first, again = await reports.add(new_report(1)), new_report(1)
    news = [new_report(2), new_report(3, officer=8), again, new_report(3, officer=8)]
    results = await asyncio.gather(*(reports.add(new) for new in news))
    assert sizes == [4], "one transaction for the four"
    assert first == (first[0], True)
    assert [(r.number, created) for r, created in results] == [
        (2, True), (3, True), (1, False), (3, False),
    ]  # fmt: skip
    assert await reports.count() == 3


async def test_one_bad_report_does_not_sink_the_others(db: Database) -> None:
    await enlist(db, 7)
    reports = ReportRepo(db)
    news = [new_report(1), new_report(2, officer=99), new_report(3)]  # 99 is nobody
    results = await asyncio.gather(*(reports.add(n) for n in news), return_exceptions=True)
    assert isinstance(results[1], sqlite3.IntegrityError)
    assert [r[0].number for r in (results[0], results[2]) if isinstance(r, tuple)] == [1, 2]
    assert await reports.count() == 2
