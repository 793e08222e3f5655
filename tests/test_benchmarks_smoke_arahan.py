"""The arahan benchmark still runs: one arahan to 30 officers, each confirming on arrival."""

from __future__ import annotations

import pytest

from benchmarks.arahan import run_once


@pytest.mark.timeout(120)
async def test_arahan_benchmark_smoke() -> None:
    result = await run_once(30, everyone=True)
    assert result.delivered == 30
    assert result.exactly_once
    assert result.rejected_429 == 0
    assert result.confirmed_shown == 30, "the tally ends showing every confirmation"
    assert result.press_to_shown < 10
