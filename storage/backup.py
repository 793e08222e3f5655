"""Consistent snapshots of the live database with SQLite's online backup API."""

from __future__ import annotations

import os
import sqlite3
from datetime import datetime
from pathlib import Path

from storage.db import private_dirs, private_file

BACKUP_PATTERN = "posko-*.db"


class CorruptDatabase(Exception):
    """The database failed SQLite's integrity check."""


def snapshot(db_path: Path, target: Path) -> Path:
    """Copies the database (with its WAL) into `target` atomically and verifies the copy."""
    partial = target.with_suffix(".partial")
    private_file(partial)  # before SQLite writes a byte into it
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(partial)
        try:
            source.backup(copy)
            result = copy.execute("PRAGMA integrity_check").fetchone()
            if result != ("ok",):
                raise CorruptDatabase(f"backup failed its integrity check: {result}")
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
    finally:
        source.close()
    with partial.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(partial, target)
    return target


def rotate_backup(db_path: Path, folder: Path, keep: int, now: datetime) -> Path:
    """Writes `posko-<time>.db` into `folder` and deletes all but the newest `keep` backups."""
    private_dirs(folder)
    target = snapshot(db_path, folder / f"posko-{now:%Y%m%d-%H%M%S}.db")
    backups = sorted(folder.glob(BACKUP_PATTERN))
    for old in backups[: max(0, len(backups) - keep)]:
        old.unlink()
    return target


def check_integrity(db_path: Path) -> None:
    """Raises CorruptDatabase unless `PRAGMA quick_check` says ok (a missing file is fine)."""
    if not db_path.exists():
        return
    try:
        conn = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        try:
            rows = conn.execute("PRAGMA quick_check").fetchall()
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise CorruptDatabase(str(exc)) from None
    if rows != [("ok",)]:
        raise CorruptDatabase("; ".join(str(row[0]) for row in rows[:5]))
