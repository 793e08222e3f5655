"""The SQLite connection: pragmas, numbered migrations and serialized transactions."""

from __future__ import annotations

import asyncio
import logging
import os
import re
import sqlite3
from collections.abc import AsyncIterator, Iterable
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

import aiosqlite

logger = logging.getLogger(__name__)

_MIGRATION_NAME = re.compile(r"^(\d{4})_[a-z0-9_]+\.sql$")
SQL_TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
# How long a writer waits for another connection's lock before giving up with SQLITE_BUSY.
BUSY_TIMEOUT_MS = 5000

Params = tuple[Any, ...]
# Reports, names and phone numbers: the database and every copy are the owner's alone.
PRIVATE_FILE, PRIVATE_DIR = 0o600, 0o700


def private_dirs(path: Path) -> None:
    """Creates folder `path` and its missing parents, each readable by the owner only (folders
    that already exist are left as they are)."""
    missing: list[Path] = []
    while not path.exists():
        missing.append(path)
        path = path.parent
    for folder in reversed(missing):
        folder.mkdir(mode=PRIVATE_DIR, exist_ok=True)


def private_file(path: Path) -> None:
    """Creates `path` empty if missing; either way only its owner may read or write it."""
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT, PRIVATE_FILE))
    try:
        os.chmod(path, PRIVATE_FILE)
    except PermissionError:  # someone else's file we may write to: not ours to change
        logger.warning("Could not make %s readable by its owner only", path)


def to_sql_time(moment: datetime) -> str:
    """Formats an aware datetime as UTC text that sorts chronologically."""
    return moment.astimezone(UTC).strftime(SQL_TIME_FORMAT)


def from_sql_time(text: str) -> datetime:
    """Parses UTC text written by `to_sql_time` into an aware datetime."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)  # strptime is ~10x slower


def from_sql_time_or_none(text: str | None) -> datetime | None:
    """Like `from_sql_time`, for a column that may be NULL."""
    return from_sql_time(text) if text else None


def load_migrations() -> list[tuple[int, str]]:
    """Returns the bundled migrations as (version, sql), in order, checking numbering."""
    found: list[tuple[int, str]] = []
    for entry in resources.files("storage").joinpath("migrations").iterdir():
        match = _MIGRATION_NAME.match(entry.name)
        if match:
            found.append((int(match[1]), entry.read_text("utf-8")))
    found.sort()
    if [version for version, _ in found] != list(range(1, len(found) + 1)):
        raise RuntimeError("migrations must be numbered 0001, 0002, ... without gaps")
    return found


def _companions(path: Path) -> tuple[Path, Path]:
    return path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")


class SchemaTooNew(Exception):
    """The database was written by a newer Posko: its schema is past the last migration known here.

    Running older code on it would read and write tables it does not understand (a rollback
    after an upgrade), so the bot refuses it instead.
    """

    def __init__(self, found: int, known: int) -> None:
        super().__init__(f"schema version {found}, newer than the {known} this version knows")
        self.found, self.known = found, known


def check_schema(db_path: Path) -> None:
    """Raises SchemaTooNew when `PRAGMA user_version` is past the bundled migrations.

    A missing file is fine (it is created at start-up). Read-only, standard library only, so
    main.py can run it before anything else, like the integrity check.
    """
    if not db_path.exists():
        return
    conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        found = int(conn.execute("PRAGMA user_version").fetchone()[0])
    finally:
        conn.close()
    known = len(load_migrations())
    if found > known:
        raise SchemaTooNew(found, known)


class Database:
    """One aiosqlite connection; every access is serialized so transactions never interleave."""

    def __init__(self, conn: aiosqlite.Connection) -> None:
        self._conn = conn
        self._lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: Path) -> Database:
        """Opens (creating if needed) the database at `path` and applies pending migrations."""
        return await cls.open_at_version(path, None)

    @classmethod
    async def open_at_version(cls, path: Path, version: int | None) -> Database:
        """Like `open`, but migrates only up to `version` (None: all); tests upgrades."""
        private_dirs(path.parent)
        # SQLite gives the -wal and -shm files the mode of the database file; files left by an
        # older version (or a copy) are tightened too.
        for part in (path, *(p for p in _companions(path) if p.exists())):
            private_file(part)
        conn = await aiosqlite.connect(path, isolation_level=None)
        try:
            conn.row_factory = sqlite3.Row
            # WAL + synchronous=FULL: a committed transaction survives power loss.
            # busy_timeout first, so switching to WAL waits for another process's lock.
            await conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT_MS)}")
            async with conn.execute("PRAGMA journal_mode = WAL") as cursor:
                mode = await cursor.fetchone()
            if mode is None or str(mode[0]).lower() != "wal":
                raise sqlite3.OperationalError(f"cannot use WAL journal mode ({mode})")
            await conn.execute("PRAGMA synchronous = FULL")
            await conn.execute("PRAGMA foreign_keys = ON")
            db = cls(conn)
            migrations = load_migrations()
            found = await db.schema_version()
            if found > len(migrations):
                raise SchemaTooNew(found, len(migrations))
            await db.migrate(
                [(v, sql) for v, sql in migrations if version is None or v <= version]
            )
        except BaseException:
            await conn.close()
            raise
        return db

    async def close(self) -> None:
        """Closes the connection (its worker thread would otherwise keep the process alive)."""
        async with self._lock:
            await self._conn.close()

    async def migrate(self, migrations: Iterable[tuple[int, str]]) -> None:
        """Applies each migration newer than `PRAGMA user_version`, each in its own transaction."""
        async with self._lock:
            current = await self._user_version()
            pending = [(v, sql) for v, sql in migrations if v > current]
            if not pending:
                return
            # SQLite's procedure for schema changes: foreign keys off (it cannot change inside a
            # transaction), rebuild, check the keys inside the transaction, then back on.
            await self._conn.execute("PRAGMA foreign_keys = OFF")
            try:
                for version, sql in pending:
                    await self._apply(version, sql)
            finally:
                await self._conn.execute("PRAGMA foreign_keys = ON")

    async def _apply(self, version: int, sql: str) -> None:
        try:
            await self._conn.executescript(f"BEGIN IMMEDIATE;\n{sql}")
            async with self._conn.execute("PRAGMA foreign_key_check") as cursor:
                if await cursor.fetchone() is not None:
                    raise sqlite3.IntegrityError(f"migration {version:04d} breaks foreign keys")
            await self._conn.execute(f"PRAGMA user_version = {version:d}")
            await self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                await self._conn.execute("ROLLBACK")
            raise
        logger.info("Applied database migration %04d", version)

    async def schema_version(self) -> int:
        """Returns the number of the last applied migration."""
        async with self._lock:
            return await self._user_version()

    async def _user_version(self) -> int:
        async with self._conn.execute("PRAGMA user_version") as cursor:
            row = await cursor.fetchone()
        return int(row[0]) if row else 0

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        """Runs the block in a write transaction (`BEGIN IMMEDIATE`), committed on success."""
        async with self._lock:
            try:
                await self._conn.execute("BEGIN IMMEDIATE")
                yield self._conn
                await self._conn.execute("COMMIT")
            except BaseException:
                # SQLite may already have rolled back (e.g. SQLITE_FULL); never leave the shared
                # connection inside a transaction, whatever failed (BEGIN, the body or COMMIT).
                await self._rollback_quietly()
                raise

    async def _rollback_quietly(self) -> None:
        try:
            if self._conn.in_transaction:
                await asyncio.shield(self._conn.execute("ROLLBACK"))
        except sqlite3.Error as exc:
            # Harmless: SQLite discards an uncommitted transaction when the connection closes,
            # which is what happens when a stop cancels a write and then closes the database.
            logger.warning("ROLLBACK failed: %s", exc)

    async def fetchall(self, sql: str, params: Params = ()) -> list[sqlite3.Row]:
        """Runs a read-only query and returns all rows."""
        async with self._lock:
            rows = await self._conn.execute_fetchall(sql, params)
        return list(rows)

    async def fetchone(self, sql: str, params: Params = ()) -> sqlite3.Row | None:
        """Runs a read-only query and returns the first row, if any."""
        rows = await self.fetchall(sql, params)
        return rows[0] if rows else None

    async def pragma(self, name: str) -> Any:
        """Returns the first value of `PRAGMA name` (for checks and tests)."""
        if not name.replace("_", "").isalpha():
            raise ValueError(name)
        row = await self.fetchone(f"PRAGMA {name}")
        return row[0] if row else None
