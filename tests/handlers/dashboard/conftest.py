"""A real headless Chromium (Debian's, driven by Playwright) and helpers for dashboard tests."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from playwright.async_api import Browser, async_playwright

from domain.enums import Role
from domain.members import RosterRow
from emulator import FakeTelegram, FakeUser, SentMessage
from handlers.dashboard.dasbor import dashboard_of
from tests.harness import Posko

CHROMIUM = Path("/usr/bin/chromium")
HAVE_CHROMIUM = CHROMIUM.exists()
NO_CHROMIUM = (
    "Chromium is not installed (/usr/bin/chromium): the dashboard's browser tests did not run "
    "(install it with `apt-get install chromium`; .ci/run does)"
)
# Where tests leave screenshots (ignored by git).
ARTIFACTS = Path(__file__).resolve().parents[3] / "test-output"
KOORDINATOR_ID = 3001
LINK = re.compile(r"(https?://\S+/dasbor/masuk#[A-Za-z0-9_-]+)")


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless, as root without the sandbox; skipped where it is missing."""
    if not HAVE_CHROMIUM:
        pytest.skip(NO_CHROMIUM)
    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox"]
        )
        try:
            yield chromium
        finally:
            await chromium.close()


async def add_koordinator(
    posko: Posko, fake: FakeTelegram, user_id: int = KOORDINATOR_ID, name: str = "Kasat Intelkam"
) -> FakeUser:
    """An active koordinator with an open private chat."""
    user = fake.add_user(user_id, name.split()[0])
    services = posko.services
    await services.members.save(
        RosterRow(user_id, Role.KOORDINATOR, None, name), services.clock(), None
    )
    return user


def link_in(message: SentMessage) -> str:
    """The sign-in link of a /dasbor answer."""
    found = LINK.search(message.text)
    assert found, message.text
    return found[1]


def local_base(posko: Posko) -> str:
    """Where the test's dashboard listens."""
    return f"http://127.0.0.1:{dashboard_of(posko.app).port}"
