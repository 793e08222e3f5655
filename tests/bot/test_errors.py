import logging

import pytest

from bot.logs import RedactingFormatter, redact
from emulator import FakeTelegram, FakeUser
from tests.harness import Posko

TOKEN = "123456789:AAF-secret_token-abcdefghijklmnopq"


def test_redact_removes_known_and_token_shaped_secrets() -> None:
    url = f"POST https://api.telegram.org/bot{TOKEN}/sendMessage"
    assert redact(url) == "POST https://api.telegram.org/bot<redacted>/sendMessage"
    assert redact("short 12:ab stays", ("12:ab",)) == "short <redacted> stays"


def test_formatter_redacts_tracebacks_too() -> None:
    formatter = RedactingFormatter("%(message)s", (TOKEN,))
    try:
        raise RuntimeError(f"connect failed for /bot{TOKEN}/getMe")
    except RuntimeError as exc:
        record = logging.LogRecord(
            "x", logging.ERROR, __file__, 1, "failed %s", (TOKEN,), (type(exc), exc, None)
        )
    text = formatter.format(record)
    assert TOKEN not in text
    assert "RuntimeError: connect failed for /bot<redacted>/getMe" in text


async def test_a_crashing_handler_apologises_and_alerts_admins_once(
    posko: Posko, fake: FakeTelegram, admin: FakeUser, monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:  # fmt: skip
    async def broken(user_id: int) -> None:
        raise RuntimeError(f"disk on fire near /bot{fake.token}/x")

    monkeypatch.setattr(posko.services.members, "get", broken)
    user = fake.add_user(3001)
    await user.send("/start")
    await user.send("/start")
    apology = (
        "⚠️ Maaf, terjadi gangguan. Coba lagi sebentar lagi; jika masih gagal, hubungi operator "
        "Kesbangpol."
    )
    assert user.texts() == [apology] * 2
    [alert] = admin.messages
    assert alert.text.startswith("⚠️ Galat pada bot: RuntimeError")
    assert fake.token not in alert.text
    assert "Error while handling an update" in caplog.text
