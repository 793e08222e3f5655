"""A tiny run of the ingest benchmark, so the benchmark keeps working (not a measurement)."""

from __future__ import annotations

from benchmarks.ingest import run_once


async def test_ingest_benchmark_runs_end_to_end() -> None:
    for kind in ("echo", "posko-unlimited"):
        run = await run_once(kind, 10)
        assert run.rate > 0
        assert 0 < run.p50 <= run.p99
        assert run.bot_cpu >= 0
