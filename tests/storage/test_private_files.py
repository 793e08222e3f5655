"""The database, its WAL, backups and exports are readable by their owner only."""

from __future__ import annotations

import os
import stat
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from handlers.reading.workbook import build_export
from storage.backup import rotate_backup
from storage.db import Database


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


@pytest.fixture(autouse=True)
def permissive_umask() -> object:
    """The umask of a careless shell: without the bot's own care, files would be 0644."""
    old = os.umask(0o022)
    yield
    os.umask(old)


async def test_database_wal_backups_and_exports_are_private(tmp_path: Path) -> None:
    db_path = tmp_path / "data" / "db" / "posko.db"
    db = await Database.open(db_path)
    try:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO bot_settings (key, value, updated_at) VALUES ('x', 'y', 'z')"
            )
        for part in ("posko.db", "posko.db-wal", "posko.db-shm"):
            assert mode(db_path.parent / part) == 0o600, part
        assert mode(db_path.parent) == 0o700
        assert mode(tmp_path / "data") == 0o700
        backups = tmp_path / "backups" / "daily"
        backup = rotate_backup(db_path, backups, 3, datetime(2024, 11, 27, tzinfo=UTC))
        assert mode(backup) == 0o600
        assert mode(backups) == 0o700
        assert mode(backups.parent) == 0o700
        out = tmp_path / "export"
        out.mkdir()
        files = build_export(db_path, date(2024, 11, 27), date(2024, 11, 27), ZoneInfo("UTC"), out)
        assert mode(files.csv_path) == 0o600
        assert mode(files.xlsx_path) == 0o600
    finally:
        await db.close()


async def test_an_existing_database_is_tightened_at_start(tmp_path: Path) -> None:
    db_path = tmp_path / "posko.db"
    db = await Database.open(db_path)
    await db.close()
    os.chmod(db_path, 0o644)
    db = await Database.open(db_path)
    await db.close()
    assert mode(db_path) == 0o600
