"""Report records: what officers file, and what the views count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from domain.enums import Level, Role


@dataclass(frozen=True)
class Photo:
    """A photo attached to a report, by Telegram file id."""

    file_id: str
    file_unique_id: str


class MediaKind(StrEnum):
    """What a recording attached to a report is (the Telegram message field it came in)."""

    VOICE = "voice"
    VIDEO = "video"
    VIDEO_NOTE = "video_note"  # a round video: no caption possible


@dataclass(frozen=True)
class Media:
    """A voice note or video attached to a report, by Telegram file id."""

    kind: MediaKind
    file_id: str
    file_unique_id: str
    duration: int | None = None


@dataclass(frozen=True)
class NewReport:
    """A report about to be stored, with the Telegram message it came from."""

    officer_id: int
    kecamatan: str
    role: Role
    level: Level
    text: str
    created_at: datetime
    source_chat_id: int
    source_message_id: int
    update_id: int | None = None
    category: str | None = None
    photos: tuple[Photo, ...] = ()
    latitude: float | None = None
    longitude: float | None = None
    media: tuple[Media, ...] = ()


@dataclass(frozen=True)
class Report:
    """A stored report; `number` is what officers and readers see as #N."""

    number: int
    officer_id: int
    kecamatan: str
    role: Role
    level: Level
    category: str | None
    text: str
    created_at: datetime
    source_chat_id: int
    source_message_id: int
    update_id: int | None
    escalated_at: datetime | None = None
    latitude: float | None = None
    longitude: float | None = None
    escalation_chat_id: int | None = None
    escalation_message_id: int | None = None
    acked_by: int | None = None
    acked_by_name: str | None = None
    acked_at: datetime | None = None
    ack_seconds: int | None = None
    repage_count: int = 0
    next_repage_at: datetime | None = None
    incident: int | None = None  # the incident it belongs to (Waspada+ reports)
    ack_told_at: datetime | None = None  # when the officer was told who acknowledged it

    @property
    def is_nihil(self) -> bool:
        """Whether this is an "Aman, nothing happened" report."""
        return self.level is Level.AMAN and not self.text

    @property
    def has_location(self) -> bool:
        """Whether the officer shared a location."""
        return self.latitude is not None and self.longitude is not None


@dataclass(frozen=True)
class Correction:
    """A `/ralat` appended to a report."""

    report_number: int
    officer_id: int
    text: str
    created_at: datetime


@dataclass(frozen=True)
class OfficerLatest:
    """An officer's newest report within a period."""

    officer_id: int
    kecamatan: str
    role: Role
    level: Level
    number: int


@dataclass(frozen=True)
class GroupCount:
    """Reports of one kecamatan, role and level within a period."""

    kecamatan: str
    role: Role
    level: Level
    count: int
    last_number: int
