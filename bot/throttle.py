"""Answering people outside the registry at most once a minute each."""

from __future__ import annotations

from collections import OrderedDict
from datetime import datetime, timedelta

STRANGER_ANSWER_INTERVAL = timedelta(minutes=1)


class AnswerThrottle:
    """Allows one answer per sender per `interval`; senders quiet for longer are forgotten."""

    def __init__(self, interval: timedelta = STRANGER_ANSWER_INTERVAL) -> None:
        self._interval = interval
        self._last: OrderedDict[int, datetime] = OrderedDict()  # oldest answer first

    def __len__(self) -> int:
        return len(self._last)

    def allow(self, sender: int, now: datetime) -> bool:
        """Whether `sender` may be answered now; if so, the answer is counted."""
        while self._last:
            oldest = next(iter(self._last.values()))
            if now - oldest < self._interval:
                break
            self._last.popitem(last=False)
        last = self._last.get(sender)
        if last is not None and now - last < self._interval:
            return False
        self._last[sender] = now
        self._last.move_to_end(sender)
        return True
