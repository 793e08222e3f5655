"""Telegram's Mini App initData, checked as Telegram documents it (written from the docs, and
signed here independently of the code under test)."""

from __future__ import annotations

import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import urlencode

import pytest

from handlers.dashboard.signin import new_secret, verify_init_data

TOKEN = "123456:TEST-token-for-posko-tests-0123456789"
NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)


def signed(token: str = TOKEN, **fields: str) -> str:
    """initData as Telegram builds it: fields sorted into the data-check string, HMAC-SHA256
    keyed by HMAC-SHA256("WebAppData", token)."""
    data = {
        "query_id": "AAHdF6IQAAAAAN0XohDhrOrc",
        "user": json.dumps({"id": 3001, "first_name": "Kasat"}, separators=(",", ":")),
        "auth_date": str(int(NOW.timestamp())),
        **fields,
    }
    check = "\n".join(f"{k}={v}" for k, v in sorted(data.items()))
    secret = hmac.new(b"WebAppData", token.encode(), hashlib.sha256).digest()
    data["hash"] = hmac.new(secret, check.encode(), hashlib.sha256).hexdigest()
    return urlencode(data)


def test_a_correct_signature_gives_the_user() -> None:
    user = verify_init_data(signed(), TOKEN, NOW)
    assert user is not None
    assert user.user_id == 3001
    assert user.auth_date == NOW
    # Fields Telegram adds later (signature, chat_type, ...) are part of what is signed.
    assert verify_init_data(signed(signature="abc", chat_type="sender"), TOKEN, NOW) is not None


@pytest.mark.parametrize(
    "init_data",
    [
        signed(token="654321:ANOTHER-bot-token-0123456789"),  # another bot's
        signed().replace("3001", "1001"),  # another user under the same hash
        signed().replace("hash=", "hash=0"),
        signed() + "&extra=1",  # a field that was not signed
        signed() + "&auth_date=1",  # a repeated field
        signed().split("&hash=")[0],  # no hash
        signed(auth_date=str(int((NOW - timedelta(hours=1, seconds=1)).timestamp()))),
        signed(auth_date=str(int((NOW + timedelta(minutes=2)).timestamp()))),
        signed(auth_date="yesterday"),
        signed(user=json.dumps({"id": "3001"})),
        signed(user="[]"),
        "",
        "not a query string at all",
        "x" * 5000,
    ],
)
def test_anything_else_is_refused(init_data: str) -> None:
    assert verify_init_data(init_data, TOKEN, NOW) is None


def test_secrets_are_long_and_fresh() -> None:
    secrets = {new_secret() for _ in range(100)}
    assert len(secrets) == 100
    assert all(len(s) >= 43 for s in secrets)
