"""Delivering what the bot owes exactly once: which Telegram answers are final, and back-off.

Two failures must never turn into a repeated or a missing message:
- Telegram refuses or cannot be reached: retry with back-off until it takes the message, unless
  its answer will never change (the bot is blocked, the chat does not exist).
- Telegram accepted a message but the database could not record it (locked, disk full): the
  delivery is remembered in memory (`bot.services.Unrecorded`) and only the record is retried,
  so the message is not sent a second time.
"""

from __future__ import annotations

from datetime import timedelta

from telegram.error import BadRequest, Forbidden, TelegramError

RETRY_FIRST = timedelta(seconds=30)
RETRY_LONGEST = timedelta(minutes=15)


def is_permanent(error: TelegramError) -> bool:
    """Whether Telegram's answer will be the same however often the call is repeated."""
    # Blocked, deactivated or never started (403); unknown chat or a malformed request (400).
    return isinstance(error, Forbidden | BadRequest)


def backoff(failures: int) -> timedelta:
    """The wait after the `failures`-th failed attempt: 30 s, doubling, at most 15 minutes."""
    doublings: int = max(0, min(failures - 1, 10))
    return min(RETRY_FIRST * (1 << doublings), RETRY_LONGEST)
