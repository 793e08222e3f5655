"""The condition digest: a snapshot of one period, and its rendering into Telegram messages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.arahan import ArahanShort
from domain.enums import FIELD_ROLES, Level, Role
from domain.incidents import condition
from domain.regions import Region
from domain.reports import GroupCount

NOTABLE_LIMIT = 25
SNIPPET_WORDS = 12
# Past this many officers in one kecamatan, a list names a few and counts the rest: a digest
# must stay a few messages in the group even with thousands of officers.
MAX_NAMES_PER_KECAMATAN = 6


@dataclass(frozen=True)
class KecamatanStatus:
    """What one kecamatan reported during the period."""

    name: str
    count: int = 0
    latest: Level | None = None  # the condition (domain.incidents.condition); None: belum lapor
    roles: frozenset[Role] = field(default_factory=frozenset)


@dataclass(frozen=True)
class OfficerStatus:
    """An active field officer and their newest level in the period (None: did not report)."""

    name: str
    role: Role
    kecamatan: str
    latest: Level | None


@dataclass(frozen=True)
class NotableReport:
    """A Waspada-or-worse report, shortened for the digest."""

    number: int
    kecamatan: str
    level: Level
    category: str | None
    text: str
    corrections: int = 0


@dataclass(frozen=True)
class PendingEscalation:
    """An urgent report nobody has acknowledged yet."""

    number: int
    kecamatan: str
    level: Level
    since: datetime


@dataclass(frozen=True)
class DigestSnapshot:
    """Everything a digest shows, computed from storage, free of Telegram."""

    district: str
    start: datetime
    end: datetime
    totals: dict[Level, int]
    kecamatan: tuple[KecamatanStatus, ...]
    officers: tuple[OfficerStatus, ...] = ()
    notable: tuple[NotableReport, ...] = ()
    notable_total: int = 0
    pending: tuple[PendingEscalation, ...] = ()
    late_slot: datetime | None = None
    # Arahan of the last 24 hours that not every recipient has confirmed (issue 17).
    arahan: tuple[ArahanShort, ...] = ()

    @property
    def total(self) -> int:
        """Number of reports in the period."""
        return sum(self.totals.values())

    @property
    def silent(self) -> tuple[KecamatanStatus, ...]:
        """Kecamatan without any report in the period, in region order."""
        return tuple(k for k in self.kecamatan if k.count == 0)

    def disagreements(self) -> list[tuple[str, list[OfficerStatus]]]:
        """Kecamatan whose officers' latest levels differ by two steps or more."""
        said_by: dict[str, list[OfficerStatus]] = defaultdict(list)
        for officer in self.officers:
            if officer.latest is not None:
                said_by[officer.kecamatan].append(officer)
        found = []
        for status in self.kecamatan:
            said = said_by.get(status.name, [])
            levels = [int(o.latest) for o in said if o.latest is not None]
            if levels and max(levels) - min(levels) >= 2:
                found.append((status.name, sorted(said, key=lambda o: FIELD_ROLES.index(o.role))))
        return found


def day_bounds(day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """Start and end (exclusive) of a local day as aware datetimes."""
    start = datetime.combine(day, time(0), tzinfo=tz)
    return start, datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)


def build_snapshot(
    region: Region,
    counts: Iterable[GroupCount],
    start: datetime,
    end: datetime,
    *,
    officers: Iterable[OfficerStatus] = (),
    notable: Iterable[NotableReport] = (),
    notable_total: int = 0,
    pending: Iterable[PendingEscalation] = (),
    late_slot: datetime | None = None,
    open_levels: Mapping[str, Level] | None = None,
) -> DigestSnapshot:
    """Folds per-(kecamatan, role, level) counts and the worst open incident per kecamatan
    into per-kecamatan conditions.

    Every Waspada+ report belongs to an incident of its own kecamatan, so in a kecamatan with no
    open incident, today's Waspada+ reports all belong to resolved ones: the latest report that
    does not is its latest Aman report.
    """
    open_levels = open_levels or {}
    totals = dict.fromkeys(Level, 0)
    per_name: dict[str, list[GroupCount]] = {name: [] for name in region.kecamatan}
    for row in counts:
        totals[row.level] += row.count
        per_name.setdefault(row.kecamatan, []).append(row)
    statuses = []
    for name in open_levels:
        per_name.setdefault(name, [])
    for name, rows in per_name.items():
        worst = open_levels.get(name)
        unresolved = [r for r in rows if r.level is Level.AMAN]
        latest = max(unresolved, key=lambda r: r.last_number).level if unresolved else None
        statuses.append(
            KecamatanStatus(
                name=name,
                count=sum(r.count for r in rows),
                latest=condition(
                    [worst] if worst is not None else [], sum(r.count for r in rows), latest
                ),
                roles=frozenset(r.role for r in rows),
            )
        )
    notable = tuple(notable)
    return DigestSnapshot(
        district=region.district,
        start=start,
        end=end,
        totals=totals,
        kecamatan=tuple(statuses),
        officers=tuple(officers),
        notable=notable,
        notable_total=max(notable_total, len(notable)),
        pending=tuple(pending),
        late_slot=late_slot,
    )
