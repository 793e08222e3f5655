"""Arahan tests edit the sender's tally at once; its 5-second coalescing has a test of its own
(which sets its own interval)."""

from __future__ import annotations

import pytest

from handlers.arahan import runtime


@pytest.fixture(autouse=True)
def instant_tally(monkeypatch: pytest.MonkeyPatch) -> None:
    """Tallies are edited as soon as they change."""
    monkeypatch.setattr(runtime, "TALLY_EVERY", 0.0)
