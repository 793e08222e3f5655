"""The condition digest: a snapshot of one period, and its rendering into Telegram messages."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from domain.arahan import ArahanShort
from domain.calendar import Period
from domain.enums import FIELD_ROLES, Level, Role
from domain.incidents import DEFAULT_STALE_AFTER, Incident, IncidentBrief, condition
from domain.kerawanan import EMPTY_MAP, VulnerabilityMap, attention_key, flagged
from domain.logistics import LogisticsDue
from domain.regions import Region
from domain.reports import GroupCount

# A digest lists this many open and resolved incidents; /insiden pages through the rest.
INCIDENT_LIMIT = 15
RESOLVED_LIMIT = 10
SNIPPET_WORDS = 10
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
class DigestSnapshot:
    """Everything a digest shows, computed from storage, free of Telegram."""

    district: str
    start: datetime
    end: datetime
    totals: dict[Level, int]
    kecamatan: tuple[KecamatanStatus, ...]
    officers: tuple[OfficerStatus, ...] = ()
    # Open incidents, worst and oldest first (at most INCIDENT_LIMIT), and how many are open.
    incidents: tuple[IncidentBrief, ...] = ()
    incidents_total: int = 0
    # Incidents resolved (by a person) since `resolved_since`, newest first, and their number.
    resolved: tuple[IncidentBrief, ...] = ()
    resolved_total: int = 0
    resolved_since: datetime | None = None
    stale_after: timedelta = DEFAULT_STALE_AFTER
    late_slot: datetime | None = None
    # Logistics stages late or due within 48 hours (None: nothing due, no section).
    logistics: LogisticsDue | None = None
    # Arahan of the last 24 hours that not every recipient has confirmed (issue 17).
    arahan: tuple[ArahanShort, ...] = ()
    # The reporting period of the election calendar it covers (None: a whole day, /rekap).
    period: Period | None = None
    # The vulnerability map in force (issue 23): it orders the kecamatan and flags the silent
    # `tinggi` ones.
    vulnerability: VulnerabilityMap = EMPTY_MAP

    @property
    def total(self) -> int:
        """Number of reports in the period."""
        return sum(self.totals.values())

    @property
    def condition_counts(self) -> dict[Level | None, int]:
        """How many kecamatan are in each condition (None: belum lapor)."""
        counts: dict[Level | None, int] = dict.fromkeys(Level, 0)
        counts[None] = 0
        for status in self.kecamatan:
            counts[status.latest] += 1
        return counts

    def is_stale(self, incident: Incident) -> bool:
        """Whether an open incident went without an update for longer than `stale_after`."""
        return incident.is_open and self.end - incident.last_news > self.stale_after

    def is_flagged(self, status: KecamatanStatus) -> bool:
        """Whether a kecamatan is mapped `tinggi` and has not reported in the period."""
        return flagged(self.vulnerability, status)

    @property
    def silent_tinggi(self) -> tuple[KecamatanStatus, ...]:
        """The `tinggi` kecamatan without a report in the period, in region order."""
        return tuple(k for k in self.kecamatan if self.is_flagged(k))

    def by_attention(self) -> tuple[KecamatanStatus, ...]:
        """The kecamatan flagged first, then worst condition first (belum lapor last), within
        a condition by mapped level, then by name."""
        return tuple(sorted(self.kecamatan, key=lambda k: attention_key(self.vulnerability, k)))

    def by_mapped_level(self, *, flagged_first: bool = False) -> tuple[KecamatanStatus, ...]:
        """The kecamatan in region order, the higher mapped levels first (and the flagged ones
        before all, if asked): for lists that are not by condition."""
        vmap = self.vulnerability

        def key(status: KecamatanStatus) -> tuple[bool, int]:
            first = flagged_first and flagged(vmap, status)
            return not first, -int(vmap.level_of(status.name) or 0)

        return tuple(sorted(self.kecamatan, key=key))

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
    incidents: Iterable[IncidentBrief] = (),
    incidents_total: int = 0,
    resolved: Iterable[IncidentBrief] = (),
    resolved_total: int = 0,
    resolved_since: datetime | None = None,
    stale_after: timedelta = DEFAULT_STALE_AFTER,
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
    incidents, resolved = tuple(incidents), tuple(resolved)
    return DigestSnapshot(
        district=region.district,
        start=start,
        end=end,
        totals=totals,
        kecamatan=tuple(statuses),
        officers=tuple(officers),
        incidents=incidents,
        incidents_total=max(incidents_total, len(incidents)),
        resolved=resolved,
        resolved_total=max(resolved_total, len(resolved)),
        resolved_since=resolved_since,
        stale_after=stale_after,
        late_slot=late_slot,
    )
