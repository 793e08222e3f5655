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


FORM_BURST = 10
FORM_REFILL = timedelta(seconds=6)


class FormThrottle:
    """Answers a registration form in progress: a burst for its steps, then one every few
    seconds, so a stranger cannot turn an open form into a stream of answers."""

    def __init__(self, burst: int = FORM_BURST, refill: timedelta = FORM_REFILL) -> None:
        self._burst, self._refill = burst, refill
        self._tokens: OrderedDict[int, tuple[float, datetime]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._tokens)

    def allow(self, sender: int, now: datetime) -> bool:
        """Whether `sender` may be answered now; if so, the answer is counted."""
        full_after = self._refill * self._burst
        while self._tokens:  # forget senders whose bucket is full again
            _, since = next(iter(self._tokens.values()))
            if now - since < full_after:
                break
            self._tokens.popitem(last=False)
        tokens, since = self._tokens.pop(sender, (float(self._burst), now))
        tokens = min(float(self._burst), tokens + (now - since) / self._refill)
        if tokens < 1:
            self._tokens[sender] = (tokens, now)
            return False
        self._tokens[sender] = (tokens - 1, now)
        return True
