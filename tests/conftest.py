"""Shared fixtures: the fake Bot API, a temp database and a running Posko."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.regions import load_region
from domain.enums import Role
from domain.members import RosterRow
from domain.regions import Region
from emulator import FakeChat, FakeTelegram, FakeUser
from storage.db import Database
from tests.harness import ADMIN_ID, COORDINATION_CHAT_ID, FakeClock, Posko, make_settings


@pytest.fixture
def region() -> Region:
    """The bundled Kutai Timur region."""
    return load_region()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    """A fresh database file location."""
    return tmp_path / "data" / "posko.db"


@pytest.fixture
async def db(db_path: Path) -> AsyncIterator[Database]:
    """An open database with migrations applied."""
    database = await Database.open(db_path)
    yield database
    await database.close()


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """A fake Bot API listening on 127.0.0.1."""
    server = FakeTelegram()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
def clock() -> FakeClock:
    """A settable clock, at 2024-11-27 10:00 WITA."""
    return FakeClock()


@pytest.fixture
async def posko(fake: FakeTelegram, db_path: Path, clock: FakeClock) -> AsyncIterator[Posko]:
    """The running application with one admin and a coordination group."""
    bot = Posko(fake, make_settings(fake, db_path), clock)
    await bot.start()
    yield bot
    if bot._app is not None:
        await bot.stop()


@pytest.fixture
def admin(fake: FakeTelegram) -> FakeUser:
    """The admin (in ADMIN_IDS) with a private chat open."""
    return fake.add_user(ADMIN_ID, "Operator Kesbangpol")


@pytest.fixture
def group(fake: FakeTelegram) -> FakeChat:
    """The coordination group."""
    return fake.add_group(COORDINATION_CHAT_ID, "Posko Pilkada Kutim")


class Enlist:
    """Registers officers directly through storage (the /tambah tests go through the bot)."""

    def __init__(self, posko: Posko, fake: FakeTelegram) -> None:
        self.posko = posko
        self.fake = fake

    async def __call__(
        self, user_id: int, role: str = "camat", kecamatan: str = "Bengalon", name: str = "Budi"
    ) -> FakeUser:
        user = self.fake.add_user(user_id, name.split()[0])
        services = self.posko.services
        place = kecamatan if Role(role).is_field else None
        await services.members.save(
            RosterRow(user_id, Role(role), place, name), services.clock(), None
        )
        return user


@pytest.fixture
def enlist(posko: Posko, fake: FakeTelegram) -> Enlist:
    """Adds an active officer with an open private chat."""
    return Enlist(posko, fake)
