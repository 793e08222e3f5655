"""The broadcast benchmark still runs: a reminder round to 30 officers through the real bot."""

from __future__ import annotations

from benchmarks.broadcast import run_once


async def test_broadcast_benchmark_smoke() -> None:
    result = await run_once(30, None)
    assert result.delivered == 30
    assert result.exactly_once
    assert result.rejected_429 == 0


async def test_broadcast_benchmark_smoke_at_a_distance() -> None:
    result = await run_once(30, None, latency=0.1, jitter=0.01)
    assert result.delivered == 30
    assert result.exactly_once
    assert result.rejected_429 == 0
