"""Logging set-up: one format, noisy libraries quieted, bot tokens never written.

At INFO and above no report text or phone number is written: the bot's own lines name updates,
reports and people by number only, and a line from a library that carries a whole update (or
any Telegram object, or raw JSON) shows just its kind and id. Indonesian mobile numbers are
masked wherever they appear. DEBUG lines are written as they are (README, Operations).
"""

from __future__ import annotations

import asyncio
import logging
import re
import sys
from collections.abc import Mapping
from typing import Any

from telegram import TelegramObject, Update

# Any Telegram bot token (digits, colon, 30+ url-safe characters), wherever it appears.
_TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")
# Indonesian mobile numbers: 08..., 628... or +628... (Telegram user ids have at most 10 digits).
_PHONE_PATTERN = re.compile(r"(?<![\d+])(?:\+?62|0)8\d{8,11}(?!\d)")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replaces known secrets and anything shaped like a bot token with a placeholder."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return _TOKEN_PATTERN.sub("<redacted>", text)


def summarize(value: object) -> object:
    """A log argument without personal data: a Telegram object or raw JSON by kind only."""
    if isinstance(value, Update):
        return f"<update {value.update_id}>"
    if isinstance(value, TelegramObject):
        return f"<{type(value).__name__}>"
    if isinstance(value, Mapping | list | tuple | bytes):
        return f"<{type(value).__name__} of {len(value)}>"
    return value


class RedactingFormatter(logging.Formatter):
    """Formats records, then removes secrets from the whole text, tracebacks included; at INFO
    and above also personal data (see the module docstring)."""

    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        if record.levelno < logging.INFO:
            return redact(super().format(record), self._secrets)
        original = record.args
        args: Any = original
        if isinstance(original, tuple):
            args = tuple(summarize(arg) for arg in original)
        elif isinstance(original, Mapping):
            args = {key: summarize(arg) for key, arg in original.items()}
        record.args = args
        try:
            text = super().format(record)
        finally:
            record.args = original  # other handlers see the record unchanged
        return _PHONE_PATTERN.sub("<telepon>", redact(text, self._secrets))


class StoppedJobFilter(logging.Filter):
    """A scheduled job cut off by the bot's stop is not an error: APScheduler logs the
    cancellation with a traceback; this makes it one warning line (the job runs again at the
    next start, as every job is written to)."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if isinstance(error, asyncio.CancelledError):
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            job = record.args[0] if isinstance(record.args, tuple) and record.args else "?"
            record.msg, record.args = 'Job "%s" interrupted by the stop', (job,)
            record.exc_info = record.exc_text = None
        return True


def setup_logging(level: str, secrets: tuple[str, ...]) -> None:
    """Logs to stderr at `level`; the HTTP libraries (httpx logs URLs containing the token) at
    WARNING."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("aiohttp", "httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
    logging.getLogger("apscheduler.executors.default").addFilter(StoppedJobFilter())
