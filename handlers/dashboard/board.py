"""What the dashboard shows: a list of sections, each one provider function and one template.

Every section reads from one `Moment`: the digest's snapshot of the current reporting window up
to now (the same `load_snapshot` the digest, /rekap and /belum use, so a tile's colour is the
condition of `domain.incidents.condition` and nothing else), plus whatever the section reads
itself. A provider returns the values its template (`templates/<name>.html`) prints; a new
section is a provider, a template and a line in `SECTIONS`.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from bot.services import Services
from domain.calendar import CalendarNow
from domain.digest import MAX_NAMES_PER_KECAMATAN, DigestSnapshot
from domain.enums import FIELD_ROLES, Level
from handlers.digest.schedule import load_snapshot
from storage.dashboard import DashboardRepo

LATEST_REPORTS = 12


@dataclass(frozen=True)
class Moment:
    """What every section reads from: the snapshot of the current reporting window (the WITA day
    where no election stage sets windows), taken at `now` (local time), and the calendar then."""

    services: Services
    repo: DashboardRepo
    snapshot: DigestSnapshot
    now: datetime
    calendar: CalendarNow


@dataclass(frozen=True)
class Tile:
    """One kecamatan on the wall."""

    name: str
    condition: Level | None
    reports: int
    open_incidents: int
    officers_reported: int
    officers: int
    # Mapped `tinggi` on the vulnerability map and silent in the window (issue 23).
    flagged: bool = False


Provider = Callable[[Moment], Awaitable[dict[str, Any]]]


@dataclass(frozen=True)
class Section:
    """A part of the page: its template (`<name>.html`, also its place in the layout) and the
    provider of that template's values."""

    name: str
    load: Provider


async def load_moment(services: Services, repo: DashboardRepo) -> Moment:
    """The snapshot of the current reporting window up to now, shared by every section: what
    /status and /belum count ("today" becomes the window of the election calendar)."""
    now = services.now()
    calendar = services.rhythm().now(now)
    period = calendar.period
    snapshot = await load_snapshot(services, period.start, period.end, period=period)
    return Moment(services, repo, snapshot, now, calendar)


async def tiles(moment: Moment) -> dict[str, Any]:
    """One tile per kecamatan, coloured by its condition: those mapped `tinggi` and silent in
    the window first and flagged (as /status and the digest list them), the rest in the
    region's order, so a tile keeps its place on the wall."""
    snapshot = moment.snapshot
    open_counts = await moment.repo.open_counts()
    officers: dict[str, int] = defaultdict(int)
    reported: dict[str, int] = defaultdict(int)
    for officer in moment.snapshot.officers:
        officers[officer.kecamatan] += 1
        reported[officer.kecamatan] += officer.latest is not None
    return {
        "tiles": [
            Tile(
                name=status.name,
                condition=status.latest,
                reports=status.count,
                open_incidents=open_counts.get(status.name, 0),
                officers_reported=reported[status.name],
                officers=officers[status.name],
                flagged=snapshot.is_flagged(status),
            )
            for status in sorted(snapshot.kecamatan, key=lambda k: not snapshot.is_flagged(k))
        ]
    }


async def incidents(moment: Moment) -> dict[str, Any]:
    """Open incidents, worst and oldest first (the digest's list: at most INCIDENT_LIMIT)."""
    snapshot = moment.snapshot
    return {
        "briefs": snapshot.incidents,
        "total": snapshot.incidents_total,
        "hidden": snapshot.incidents_total - len(snapshot.incidents),
    }


async def reports(moment: Moment) -> dict[str, Any]:
    """The newest reports, whatever their day."""
    return {"latest": await moment.repo.latest_reports(LATEST_REPORTS)}


async def coverage(moment: Moment) -> dict[str, Any]:
    """Who has not reported today, per kecamatan (a few named, the rest counted)."""
    silent: dict[str, list[tuple[int, str, Any]]] = defaultdict(list)
    for officer in moment.snapshot.officers:
        if officer.latest is None:
            silent[officer.kecamatan].append(
                (FIELD_ROLES.index(officer.role), officer.name, officer.role)
            )
    staffed = {officer.kecamatan for officer in moment.snapshot.officers}
    rows = []
    for status in moment.snapshot.kecamatan:
        names = [(role, name) for _, name, role in sorted(silent.get(status.name, []))]
        if names or status.name not in staffed:
            rows.append((status.name, names, status.count == 0 and status.latest is None))
    return {"rows": rows, "limit": MAX_NAMES_PER_KECAMATAN, "period": moment.calendar.period}


async def stage(moment: Moment) -> dict[str, Any]:
    """The election stage in force, the reporting window now and the next stage."""
    return {"calendar": moment.calendar}


async def arahan(moment: Moment) -> dict[str, Any]:
    """Arahan of the last 24 hours that not every recipient has confirmed (the digest's list,
    with its tallies)."""
    return {"shorts": moment.snapshot.arahan}


# The page's sections, in reading order (the wall's layout places them by name).
SECTIONS = (
    Section("stage", stage),
    Section("tiles", tiles),
    Section("incidents", incidents),
    Section("arahan", arahan),
    Section("reports", reports),
    Section("coverage", coverage),
)
