"""What officers attach: photos, voice notes, videos and round videos, as the bot keeps them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from telegram import Message

from domain.reports import Media, MediaKind, Photo

MAX_PHOTOS = 5
MAX_MEDIA = 3  # voice notes and videos per report


@dataclass(frozen=True)
class Attached:
    """One photo or recording of a message (`kind`: photo, voice, video or video_note)."""

    kind: str
    file_id: str
    file_unique_id: str
    duration: int | None = None

    def as_json(self) -> list[object]:
        """The form keeps attachments in its JSON draft."""
        return [self.kind, self.file_id, self.file_unique_id, self.duration]

    @classmethod
    def from_json(cls, value: list[Any]) -> Attached:
        """The inverse of `as_json`."""
        kind, file_id, unique, duration = value
        seconds = int(duration) if duration is not None else None
        return cls(str(kind), str(file_id), str(unique), seconds)


def attached_to(message: Message) -> Attached | None:
    """The photo (largest size) or recording a message carries, if any."""
    if message.photo:
        largest = message.photo[-1]
        return Attached("photo", largest.file_id, largest.file_unique_id)
    for kind in MediaKind:
        item = getattr(message, kind.value)
        if item is not None:
            return Attached(kind.value, item.file_id, item.file_unique_id, _seconds(item.duration))
    return None


def _seconds(duration: int | timedelta | None) -> int | None:
    """python-telegram-bot gives durations as seconds, or as timedelta when opted in."""
    if isinstance(duration, timedelta):
        return int(duration.total_seconds())
    return duration


def split(attachments: Iterable[Attached]) -> tuple[tuple[Photo, ...], tuple[Media, ...]]:
    """Photos and recordings, each in the order they were sent."""
    photos: list[Photo] = []
    media: list[Media] = []
    for item in attachments:
        if item.kind == "photo":
            photos.append(Photo(item.file_id, item.file_unique_id))
        else:
            media.append(Media(MediaKind(item.kind), item.file_id, item.file_unique_id,
                               item.duration))  # fmt: skip
    return tuple(photos), tuple(media)
