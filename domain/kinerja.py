"""How incidents were handled in a period (/kinerja and the export's Kinerja sheet).

Time to take up runs from an incident's opening to its take-up ("✅ Diterima" on the group
alert), time to resolve from its opening to its closing; PagerDuty calls them time to
acknowledge and time to resolve. Both are taken over the incidents opened in the period, as
median and worst, per kecamatan and over all.

Incidents that migration 0010 closed ("ditutup saat pembaruan sistem": old reports, closed by
nobody at the moment of the upgrade) were never resolved by anyone: they are counted apart and
left out of the time to resolve, which they would otherwise stretch to the upgrade's date.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from domain.enums import ESCALATES_FROM
from domain.incidents import Incident, IncidentState


def closed_by_migration(incident: Incident) -> bool:
    """Whether the upgrade closed it (migration 0010), not a person."""
    return incident.state is IncidentState.SELESAI and incident.closed_by is None


def take_up_seconds(incident: Incident) -> float | None:
    """From opening to take-up; None when nobody took it up."""
    if incident.taken_at is None:
        return None
    return max(0.0, (incident.taken_at - incident.opened_at).total_seconds())


def resolve_seconds(incident: Incident) -> float | None:
    """From opening to its closing by a person; None when open or closed by the upgrade."""
    if incident.state is not IncidentState.SELESAI or incident.closed_at is None:
        return None
    if closed_by_migration(incident):
        return None
    return max(0.0, (incident.closed_at - incident.opened_at).total_seconds())


@dataclass(frozen=True)
class Spread:
    """Median and worst of some durations, in seconds, and how many there were."""

    count: int
    median: float
    worst: float

    @classmethod
    def of(cls, seconds: Iterable[float]) -> Spread | None:
        """The spread of `seconds`; None when there are none."""
        values = sorted(seconds)
        if not values:
            return None
        return cls(len(values), statistics.median(values), values[-1])


@dataclass(frozen=True)
class Performance:
    """The figures of one kecamatan, or of all, for a period."""

    opened: int
    taken_up: int
    resolved: int  # by a person, with a closing note
    migrated: int  # closed by the upgrade, not by a person
    still_open: int
    waiting: int  # open, Rawan or Darurat, and nobody has taken it up
    take_up: Spread | None
    resolve: Spread | None


@dataclass(frozen=True)
class KinerjaReport:
    """Overall figures, then those of each kecamatan that had incidents (most incidents
    first, then by name)."""

    overall: Performance
    kecamatan: tuple[tuple[str, Performance], ...]


def performance(incidents: Iterable[Incident]) -> Performance:
    """The figures of these incidents."""
    items = list(incidents)
    take_ups = [s for s in map(take_up_seconds, items) if s is not None]
    resolves = [s for s in map(resolve_seconds, items) if s is not None]
    return Performance(
        opened=len(items),
        taken_up=len(take_ups),
        resolved=len(resolves),
        migrated=sum(1 for i in items if closed_by_migration(i)),
        still_open=sum(1 for i in items if i.is_open),
        waiting=sum(
            1 for i in items if i.is_open and i.taken_at is None and i.level >= ESCALATES_FROM
        ),
        take_up=Spread.of(take_ups),
        resolve=Spread.of(resolves),
    )


def kinerja(incidents: Iterable[Incident]) -> KinerjaReport:
    """The figures over all `incidents` and per kecamatan."""
    items = list(incidents)
    by_name: dict[str, list[Incident]] = defaultdict(list)
    for incident in items:
        by_name[incident.kecamatan].append(incident)
    ordered = sorted(by_name.items(), key=lambda pair: (-len(pair[1]), pair[0]))
    return KinerjaReport(
        overall=performance(items),
        kecamatan=tuple((name, performance(group)) for name, group in ordered),
    )
