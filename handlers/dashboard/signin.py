"""Signing in to the dashboard: secrets, and Telegram's Mini App `initData` checked as Telegram
documents it (core.telegram.org/bots/webapps, "Validating data received via the Mini App").

The data-check string is every field but `hash`, sorted by key, as `key=value` lines joined by
a newline; the secret key is HMAC-SHA256 of the bot token keyed with "WebAppData"; `hash` must
be the hex HMAC-SHA256 of the data-check string with that key. `auth_date` must be recent, so
an old initData that leaked (a screenshot, a log) cannot be exchanged again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl

# A link from /dasbor can be used once, within this time.
LINK_VALID = timedelta(minutes=10)
# A sign-in (browser session or Mini App token) lasts at most this long.
SIGNIN_LASTS = timedelta(hours=12)
# Telegram signs initData when the Mini App is opened; older initData is refused.
INIT_DATA_MAX_AGE = timedelta(hours=1)
# Telegram's clock and ours may differ a little.
CLOCK_SKEW = timedelta(minutes=1)
MAX_INIT_DATA = 4096  # characters; Telegram's is a few hundred


def new_secret() -> str:
    """A fresh secret for a link or a sign-in (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


@dataclass(frozen=True)
class WebAppUser:
    """Who opened the Mini App, as Telegram signed it."""

    user_id: int
    auth_date: datetime


def init_data_hash(fields: dict[str, str], bot_token: str) -> str:
    """The hash Telegram puts in initData for these fields (all but `hash`)."""
    check = "\n".join(f"{key}={fields[key]}" for key in sorted(fields) if key != "hash")
    secret_key = hmac.new(b"WebAppData", bot_token.encode(), hashlib.sha256).digest()
    return hmac.new(secret_key, check.encode(), hashlib.sha256).hexdigest()


def verify_init_data(init_data: str, bot_token: str, now: datetime) -> WebAppUser | None:
    """The user of a Mini App's initData when Telegram signed it for this bot recently;
    None for anything else (forged, for another bot, too old, malformed)."""
    if not init_data or len(init_data) > MAX_INIT_DATA:
        return None
    try:
        pairs = parse_qsl(init_data, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return None
    fields = dict(pairs)
    given = fields.get("hash", "")
    if len(fields) != len(pairs) or not given:  # a repeated key is not Telegram's
        return None
    if not hmac.compare_digest(init_data_hash(fields, bot_token), given):
        return None
    try:
        auth_date = datetime.fromtimestamp(int(fields["auth_date"]), UTC)
        user = json.loads(fields["user"])
        user_id = user["id"] if isinstance(user, dict) else None
    except (KeyError, ValueError, OverflowError, OSError):
        return None
    if type(user_id) is not int or user_id <= 0:
        return None
    if not now - INIT_DATA_MAX_AGE <= auth_date <= now + CLOCK_SKEW:
        return None
    return WebAppUser(user_id, auth_date)
