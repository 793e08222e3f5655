"""Logging set-up: one format, noisy libraries quieted, bot tokens never written."""

from __future__ import annotations

import logging
import re
import sys

# Any Telegram bot token (digits, colon, 30+ url-safe characters), wherever it appears.
_TOKEN_PATTERN = re.compile(r"\d{3,}:[A-Za-z0-9_-]{20,}")


def redact(text: str, secrets: tuple[str, ...] = ()) -> str:
    """Replaces known secrets and anything shaped like a bot token with a placeholder."""
    for secret in secrets:
        if secret:
            text = text.replace(secret, "<redacted>")
    return _TOKEN_PATTERN.sub("<redacted>", text)


class RedactingFormatter(logging.Formatter):
    """Formats records, then removes secrets from the whole text, tracebacks included."""

    def __init__(self, fmt: str, secrets: tuple[str, ...]) -> None:
        super().__init__(fmt)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), self._secrets)


def setup_logging(level: str, secrets: tuple[str, ...]) -> None:
    """Logs to stderr at `level`; httpx (which logs URLs containing the token) at WARNING."""
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(
        RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets)
    )
    root = logging.getLogger()
    for old in list(root.handlers):
        root.removeHandler(old)
    root.addHandler(handler)
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLevelName(level)))
