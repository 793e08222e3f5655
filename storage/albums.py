"""Album items: the photos and videos of an album, held until the album is complete."""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import datetime

from storage.db import Database, from_sql_time, to_sql_time


@dataclass(frozen=True)
class AlbumItem:
    """One message of an album (`kind` is photo, voice, video or video_note)."""

    chat_id: int
    message_id: int
    media_group_id: str
    user_id: int
    update_id: int | None
    kind: str
    file_id: str
    file_unique_id: str
    duration: int | None
    caption: str | None
    received_at: datetime


def _item_from_row(row: sqlite3.Row) -> AlbumItem:
    return AlbumItem(
        chat_id=row["chat_id"],
        message_id=row["message_id"],
        media_group_id=row["media_group_id"],
        user_id=row["user_id"],
        update_id=row["update_id"],
        kind=row["kind"],
        file_id=row["file_id"],
        file_unique_id=row["file_unique_id"],
        duration=row["duration"],
        caption=row["caption"],
        received_at=from_sql_time(row["received_at"]),
    )


class AlbumRepo:
    """Reads and writes `album_items`."""

    def __init__(self, db: Database) -> None:
        self._db = db

    async def add(self, item: AlbumItem) -> None:
        """Keeps an item (once, however often its update is handled)."""
        async with self._db.transaction() as conn:
            await conn.execute(
                """
                INSERT INTO album_items (chat_id, message_id, media_group_id, user_id, update_id,
                    kind, file_id, file_unique_id, duration, caption, received_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (chat_id, message_id) DO NOTHING
                """,
                (
                    item.chat_id,
                    item.message_id,
                    item.media_group_id,
                    item.user_id,
                    item.update_id,
                    item.kind,
                    item.file_id,
                    item.file_unique_id,
                    item.duration,
                    item.caption,
                    to_sql_time(item.received_at),
                ),
            )

    async def items(self, chat_id: int, media_group_id: str) -> list[AlbumItem]:
        """The items of one album held so far, in the order they were sent."""
        rows = await self._db.fetchall(
            "SELECT * FROM album_items WHERE chat_id = ? AND media_group_id = ? "
            "ORDER BY message_id",
            (chat_id, media_group_id),
        )
        return [_item_from_row(row) for row in rows]

    async def has(self, chat_id: int, media_group_id: str) -> bool:
        """Whether items of this album are being held."""
        row = await self._db.fetchone(
            "SELECT 1 FROM album_items WHERE chat_id = ? AND media_group_id = ? LIMIT 1",
            (chat_id, media_group_id),
        )
        return row is not None

    async def settled(self, before: datetime) -> list[tuple[int, str]]:
        """Albums (chat id, media group id) whose newest item arrived before `before`."""
        rows = await self._db.fetchall(
            "SELECT chat_id, media_group_id FROM album_items GROUP BY chat_id, media_group_id "
            "HAVING MAX(received_at) < ?",
            (to_sql_time(before),),
        )
        return [(row[0], row[1]) for row in rows]

    async def discard(self, items: list[AlbumItem]) -> None:
        """Forgets items once they have been dealt with (a later item of the album stays)."""
        async with self._db.transaction() as conn:
            await conn.executemany(
                "DELETE FROM album_items WHERE chat_id = ? AND message_id = ?",
                [(item.chat_id, item.message_id) for item in items],
            )
