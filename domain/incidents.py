"""Incidents: a situation in a kecamatan, open from its first Waspada+ report until resolved.

Also the one definition of a kecamatan's condition, which /status and the digest both use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.enums import NOTABLE_FROM, Level

# An open incident without an update for this long is chased and flagged (INCIDENT_STALE_HOURS).
DEFAULT_STALE_AFTER = timedelta(hours=6)


class IncidentState(StrEnum):
    """Baru -> Ditangani (taken up) -> Selesai (resolved); reopened when needed."""

    BARU = "baru"
    DITANGANI = "ditangani"
    SELESAI = "selesai"


class EventKind(StrEnum):
    """One step on an incident's timeline."""

    REPORT = "report"
    UPDATE = "update"
    TAKE_UP = "take_up"
    CLOSE = "close"
    REOPEN = "reopen"


@dataclass(frozen=True)
class Incident:
    """A stored incident; `number` is the number of the report that opened it."""

    number: int
    kecamatan: str
    level: Level
    category: str | None
    officer_id: int
    state: IncidentState
    opened_at: datetime
    updated_at: datetime
    last_update: str | None = None
    last_update_at: datetime | None = None
    taken_by: int | None = None
    taken_by_name: str | None = None
    taken_at: datetime | None = None
    closed_by: int | None = None
    closed_by_name: str | None = None
    closed_at: datetime | None = None
    closing_note: str | None = None
    reopened_by: int | None = None
    reopened_at: datetime | None = None
    # When its officer was last asked whether it is still going on (see `last_activity`).
    chased_at: datetime | None = None

    @property
    def is_open(self) -> bool:
        """Whether the situation is still going on (Baru or Ditangani)."""
        return self.state is not IncidentState.SELESAI

    @property
    def last_activity(self) -> datetime:
        """Since when nothing has been heard of it: its latest news (`last_news`) or the latest
        time its officer was asked about it, whichever is last. A take-up by a koordinator is no
        news from the field, so it does not count."""
        if self.chased_at is None:
            return self.last_news
        return max(self.last_news, self.chased_at)

    @property
    def last_news(self) -> datetime:
        """Its opening, latest perkembangan or reopening, whichever is last (the digest's 💤)."""
        moments = (self.last_update_at, self.reopened_at)
        return max([self.opened_at, *(m for m in moments if m is not None)])

    def is_stale(self, now: datetime, after: timedelta) -> bool:
        """Whether it is open and nothing was heard of it for `after` (INCIDENT_STALE_HOURS)."""
        return self.is_open and now - self.last_activity >= after


@dataclass(frozen=True)
class IncidentEvent:
    """A step of an incident: who, when, and what it carried."""

    incident: int
    kind: EventKind
    at: datetime
    actor_id: int | None = None
    actor_name: str | None = None
    report: int | None = None
    level: Level | None = None
    text: str | None = None
    # A perkembangan posted under the group alert: the message it was posted as.
    posted_message_id: int | None = None


@dataclass(frozen=True)
class IncidentBrief:
    """An incident as a list shows it: the incident and the text that says what it is about
    (its latest update, else the report that opened it)."""

    incident: Incident
    text: str


@dataclass(frozen=True)
class NewUpdate:
    """A perkembangan about to be stored."""

    incident: int
    actor_id: int
    actor_name: str
    at: datetime
    text: str
    level: Level | None = None
    # (chat id, message id) of the message it came in: a replayed message is stored once.
    source: tuple[int, int] | None = None


def opens_incident(level: Level) -> bool:
    """Whether a report at this level opens an incident (Waspada and worse)."""
    return level >= NOTABLE_FROM


def worst_first(incidents: Iterable[Incident]) -> list[Incident]:
    """Open incidents as /insiden lists them: worst level first, then oldest first."""
    return sorted(incidents, key=lambda i: (-int(i.level), i.opened_at, i.number))


def condition(
    open_levels: Iterable[Level], reports_in_period: int, latest_unresolved: Level | None
) -> Level | None:
    """A kecamatan's condition; None is "belum lapor".

    The worst level among its open incidents; with none open, the latest level among the
    period's reports that do not belong to a resolved incident; a kecamatan whose only reports
    in the period belong to resolved incidents is reported and Aman; nothing in it is belum
    lapor. The period is "today" in its reporting sense: the current reporting window of the
    election calendar, computed in one place (`domain.calendar.Rhythm.period_at` and
    `digest_period`; the WITA day where no stage sets windows) and passed in as the counts.
    """
    levels = list(open_levels)
    if levels:
        return max(levels)
    if latest_unresolved is not None:
        return latest_unresolved
    return Level.AMAN if reports_in_period > 0 else None


def split_update(text: str) -> tuple[Level | None, str]:
    """Splits "[tingkat] teks" of a perkembangan: a new level when the first word names one."""
    first, _, rest = text.strip().partition(" ")
    level = Level.parse(first) if first else None
    if level is not None and level >= NOTABLE_FROM and rest.strip():
        return level, rest.strip()
    return None, text.strip()
