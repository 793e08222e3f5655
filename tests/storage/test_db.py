import sqlite3
from pathlib import Path

import pytest

from storage.db import Database, SchemaTooNew, load_migrations


async def test_pragmas_make_commits_durable(db: Database) -> None:
    assert await db.pragma("journal_mode") == "wal"
    assert await db.pragma("synchronous") == 2  # FULL
    assert await db.pragma("foreign_keys") == 1


async def test_migrations_apply_once(db_path: Path) -> None:
    latest = len(load_migrations())
    first = await Database.open(db_path)
    assert await first.schema_version() == latest
    await first.close()
    again = await Database.open(db_path)  # reopening applies nothing twice
    assert await again.schema_version() == latest
    await again.close()


async def test_a_newer_schema_is_refused_and_left_alone(db_path: Path) -> None:
    newer = len(load_migrations()) + 1
    db_path.parent.mkdir(parents=True)
    with sqlite3.connect(db_path) as conn:
        conn.execute(f"PRAGMA user_version = {newer}")
    conn.close()
    with pytest.raises(SchemaTooNew) as refused:
        await Database.open(db_path)
    assert (refused.value.found, refused.value.known) == (newer, len(load_migrations()))
    with sqlite3.connect(db_path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone() == (newer,)
        assert conn.execute("SELECT COUNT(*) FROM sqlite_master").fetchone() == (0,)
    conn.close()


async def test_failed_migration_leaves_nothing_behind(db: Database) -> None:
    version = await db.schema_version()
    broken = (version + 1, "CREATE TABLE half_done (x INTEGER);\nTHIS IS NOT SQL;")
    with pytest.raises(Exception, match="syntax error"):
        await db.migrate([broken])
    assert await db.schema_version() == version
    rows = await db.fetchall("SELECT name FROM sqlite_master WHERE name = 'half_done'")
    assert rows == []


async def test_parent_folders_are_created(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "a" / "b" / "posko.db")
    await database.close()
    assert (tmp_path / "a" / "b" / "posko.db").exists()


async def test_transaction_rolls_back_on_error(db: Database) -> None:
    async def insert_then_fail() -> None:
        async with db.transaction() as conn:
            await conn.execute(
                "INSERT INTO bot_settings (key, value, updated_at) "
                "VALUES ('x', 'y', '2024-01-01 00:00:00')"
            )
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        await insert_then_fail()
    assert await db.fetchall("SELECT * FROM bot_settings") == []


async def test_registry_migration_keeps_existing_rows(db_path: Path) -> None:
    """0002 rebuilds the officers table as members; reports must still point at their officer."""
    first = await Database.open_at_version(db_path, 1)
    async with first.transaction() as conn:
        await conn.execute(
            "INSERT INTO officers VALUES (7, 'camat', 'Bengalon', 'Budi', 'active', "
            "'2024-11-27 00:00:00', '2024-11-27 00:00:00')"
        )
        await conn.execute(
            "INSERT INTO reports (officer_id, kecamatan, role, level, text, created_at, "
            "source_chat_id, source_message_id) VALUES (7, 'Bengalon', 'camat', 0, '', "
            "'2024-11-27 00:00:00', 7, 1)"
        )
    await first.close()
    upgraded = await Database.open(db_path)
    try:
        rows = await upgraded.fetchall("SELECT user_id, role, kecamatan, state FROM members")
        assert [tuple(r) for r in rows] == [(7, "camat", "Bengalon", "active")]
        assert await upgraded.fetchall("PRAGMA foreign_key_check") == []
        fks = await upgraded.fetchall("PRAGMA foreign_key_list(reports)")
        assert sorted(r["table"] for r in fks) == ["incidents", "members"]  # 0010: its incident
        with pytest.raises(sqlite3.IntegrityError):
            async with upgraded.transaction() as conn:
                await conn.execute(
                    "INSERT INTO reports (officer_id, kecamatan, role, level, text, created_at, "
                    "source_chat_id, source_message_id) VALUES (99, 'X', 'camat', 0, '', "
                    "'2024-11-27 00:00:00', 99, 1)"
                )
    finally:
        await upgraded.close()
