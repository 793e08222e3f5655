"""Posko: election-period situation reports over Telegram."""

import os

# Opt in to python-telegram-bot's forthcoming API where durations (e.g. RetryAfter.retry_after)
# are `timedelta`s; without it every flood-control error also emits a deprecation warning.
os.environ.setdefault("PTB_TIMEDELTA", "1")
