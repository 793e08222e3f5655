"""A tiny run of the ingest benchmark, so the benchmark keeps working (not a measurement)."""

from __future__ import annotations

from benchmarks.ingest import run_once


async def test_ingest_benchmark_runs_end_to_end() -> None:
    for kind in ("echo", "posko-unlimited"):
        run = await run_once(kind, 10)
        assert run.rate > 0
        assert 0 < run.p50 <= run.p99
        assert run.bot_cpu >= 0


async def test_ingest_benchmark_runs_at_a_distance_with_flood_limits() -> None:
    run = await run_once("posko", 20, latency=0.1, jitter=0.01, flood=True)
    assert run.rate > 0
    assert run.rejected_429 == 0
    assert run.in_order
