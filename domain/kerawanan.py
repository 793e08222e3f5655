"""The vulnerability map (peta kerawanan): what was mapped before the election guides what is
watched during it.

Bawaslu's Indeks Kerawanan Pemilu and the Polres map each kecamatan as `rendah`, `sedang` or
`tinggi`, with its factors, and list vulnerable TPS. Admins load the map from one CSV file
(`parse_map`); views order their attention by it (`attention_key`): a kecamatan mapped `tinggi`
that has not reported in the current window is flagged and listed first, and within a condition
kecamatan go by mapped level. Incidents are matched to the map by their kecamatan and by the
TPS their report names (`tps_numbers`, `tps_matches`).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import IntEnum, StrEnum
from typing import Protocol

from domain.enums import Level
from domain.incidents import Incident
from domain.kinerja import Performance, performance
from domain.regions import Region, normalize_name
from domain.roster import column_index, read_csv

# The file's columns: `jenis` says what a row is (a kecamatan's level, or a vulnerable TPS).
REQUIRED_COLUMNS = ("jenis", "kecamatan", "tingkat")
OPTIONAL_COLUMNS = ("faktor", "tps", "desa", "alasan")
KIND_KECAMATAN, KIND_TPS = "kecamatan", "tps"
# Bounds that keep every view and the group alert short (an alert must stay one message).
MAX_FACTOR = 60
MAX_FACTORS = 8
MAX_DESA = 60
MAX_REASON = 150
MAX_TPS_NUMBER = 9999
# The alert names at most this many vulnerable TPS a report mentions.
ALERT_TPS_LIMIT = 3

# "TPS 12", "TPS 012", "tps12", "TPS-12", "TPS No. 12", "TPS nomor 12", "TPS #12": the number
# of a polling station as officers write it. Only the first number after "TPS" counts ("TPS 12
# dan 13" is TPS 12: write "TPS 12 dan TPS 13").
_TPS = re.compile(
    r"\bTPS\s*(?:-\s*|#\s*|no(?:mor|mer)?\.?\s*|nmr\.?\s*)?0*(\d{1,4})(?!\d)", re.IGNORECASE
)


class MapLevel(IntEnum):
    """How vulnerable a kecamatan was mapped (higher is more)."""

    RENDAH = 1
    SEDANG = 2
    TINGGI = 3

    @classmethod
    def parse(cls, text: str) -> MapLevel | None:
        """ "rendah", "Sedang", " TINGGI " -> the level; anything else None."""
        return _LEVEL_WORDS.get(text.strip().casefold())

    @property
    def word(self) -> str:
        """The level as the file writes it: "rendah", "sedang", "tinggi"."""
        return self.name.lower()


_LEVEL_WORDS = {level.name.lower(): level for level in MapLevel}


@dataclass(frozen=True)
class MappedKecamatan:
    """One kecamatan on the map: its level and its factors (short words)."""

    name: str
    level: MapLevel
    factors: tuple[str, ...] = ()


@dataclass(frozen=True)
class VulnerableTps:
    """A TPS on the vulnerable list: its kecamatan, number, desa and why."""

    kecamatan: str
    number: int
    desa: str
    reason: str


@dataclass(frozen=True)
class VulnerabilityMap:
    """The map in force: kecamatan with their levels (in file order) and the vulnerable TPS.

    An empty map (none imported) changes nothing anywhere.
    """

    kecamatan: tuple[MappedKecamatan, ...] = ()
    tps: tuple[VulnerableTps, ...] = ()
    version: int = 0  # its stored version (0: not stored, or none imported)
    _by_name: dict[str, MappedKecamatan] = field(
        default_factory=dict, init=False, compare=False, hash=False, repr=False
    )

    def __post_init__(self) -> None:
        self._by_name.update((k.name, k) for k in self.kecamatan)

    @property
    def empty(self) -> bool:
        """Whether no map was imported (or the map has no rows)."""
        return not self.kecamatan and not self.tps

    def entry(self, kecamatan: str) -> MappedKecamatan | None:
        """The map's row of a kecamatan, if it is mapped."""
        return self._by_name.get(kecamatan)

    def level_of(self, kecamatan: str) -> MapLevel | None:
        """The mapped level of a kecamatan; None when it is not on the map."""
        entry = self._by_name.get(kecamatan)
        return entry.level if entry is not None else None

    def is_tinggi(self, kecamatan: str) -> bool:
        """Whether the kecamatan is mapped `tinggi`."""
        return self.level_of(kecamatan) is MapLevel.TINGGI

    @property
    def tinggi(self) -> tuple[str, ...]:
        """The kecamatan mapped `tinggi`, in file order."""
        return tuple(k.name for k in self.kecamatan if k.level is MapLevel.TINGGI)

    def tps_of(self, kecamatan: str) -> tuple[VulnerableTps, ...]:
        """The vulnerable TPS of a kecamatan, by desa and number."""
        found = [t for t in self.tps if t.kecamatan == kecamatan]
        return tuple(sorted(found, key=lambda t: (normalize_name(t.desa), t.number)))

    def tps_count(self, kecamatan: str) -> int:
        """How many vulnerable TPS a kecamatan has."""
        return sum(1 for t in self.tps if t.kecamatan == kecamatan)


EMPTY_MAP = VulnerabilityMap()


# --- the CSV file --------------------------------------------------------------------------------


class Problem(StrEnum):
    """What is wrong with a map file or one of its rows (worded by the text catalogue)."""

    NO_ROWS = "no_rows"
    BAD_KIND = "bad_kind"
    UNKNOWN_KECAMATAN = "unknown_kecamatan"
    BAD_LEVEL = "bad_level"
    FACTOR_TOO_LONG = "factor_too_long"
    TOO_MANY_FACTORS = "too_many_factors"
    BAD_TEXT = "bad_text"
    DUPLICATE_KECAMATAN = "duplicate_kecamatan"
    BAD_TPS = "bad_tps"
    BAD_DESA = "bad_desa"
    BAD_REASON = "bad_reason"
    DUPLICATE_TPS = "duplicate_tps"


@dataclass(frozen=True)
class Finding:
    """A problem and its detail (a typed value, a line number), if any."""

    problem: Problem
    detail: str = ""


class MapInvalid(ValueError):
    """The file is a table but not a map: (line number, finding) for every bad row, or line 0
    for the file as a whole (no rows)."""

    def __init__(self, problems: list[tuple[int, Finding]]) -> None:
        super().__init__(f"{len(problems)} problems")
        self.problems = problems


def parse_map(data: bytes, region: Region) -> VulnerabilityMap:
    """Reads a map file: a header row with `jenis`, `kecamatan` and `tingkat` (and `faktor`,
    `tps`, `desa`, `alasan` as needed), then rows of two kinds:

    - `jenis` = `kecamatan`: `kecamatan`, `tingkat` (rendah, sedang, tinggi) and `faktor`
      (short words separated by commas; may be empty);
    - `jenis` = `tps`: `kecamatan`, `tps` (its number), `desa` and `alasan`.

    All or nothing: raises `domain.roster.RosterFileError` for a file that is not a CSV table
    (as /impor words it) or lacks a column, and MapInvalid listing every bad row.
    """
    table = read_csv(data)
    index = column_index(table[0], REQUIRED_COLUMNS, OPTIONAL_COLUMNS)
    kecamatan: list[MappedKecamatan] = []
    tps: list[VulnerableTps] = []
    problems: list[tuple[int, Finding]] = []
    seen_kecamatan: dict[str, int] = {}
    seen_tps: dict[tuple[str, str, int], int] = {}
    for line, cells in enumerate(table[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue  # blank lines are harmless
        row = _parse_row(cells, index, region)
        if isinstance(row, Finding):
            problems.append((line, row))
        elif isinstance(row, MappedKecamatan):
            if row.name in seen_kecamatan:
                found = Finding(Problem.DUPLICATE_KECAMATAN, str(seen_kecamatan[row.name]))
                problems.append((line, found))
                continue
            seen_kecamatan[row.name] = line
            kecamatan.append(row)
        else:
            key = (row.kecamatan, normalize_name(row.desa), row.number)
            if key in seen_tps:
                problems.append((line, Finding(Problem.DUPLICATE_TPS, str(seen_tps[key]))))
                continue
            seen_tps[key] = line
            tps.append(row)
    if problems:
        raise MapInvalid(problems)
    if not kecamatan and not tps:
        raise MapInvalid([(0, Finding(Problem.NO_ROWS))])
    return VulnerabilityMap(tuple(kecamatan), tuple(tps))


def _parse_row(
    cells: list[str], index: dict[str, int], region: Region
) -> MappedKecamatan | VulnerableTps | Finding:
    def cell(name: str) -> str:
        position = index.get(name)
        return cells[position].strip() if position is not None and position < len(cells) else ""

    kind = cell("jenis").casefold()
    if kind not in (KIND_KECAMATAN, KIND_TPS):
        return Finding(Problem.BAD_KIND, cell("jenis")[:30])
    name = region.find(cell("kecamatan"))
    if name is None:
        return Finding(Problem.UNKNOWN_KECAMATAN, cell("kecamatan")[:50])
    if kind == KIND_KECAMATAN:
        level = MapLevel.parse(cell("tingkat"))
        if level is None:
            return Finding(Problem.BAD_LEVEL, cell("tingkat")[:30])
        factors = tuple(" ".join(f.split()) for f in cell("faktor").split(",") if f.strip())
        if not all(f.isprintable() for f in factors):
            return Finding(Problem.BAD_TEXT, "faktor")
        if any(len(f) > MAX_FACTOR for f in factors):
            return Finding(Problem.FACTOR_TOO_LONG)
        if len(factors) > MAX_FACTORS:
            return Finding(Problem.TOO_MANY_FACTORS)
        return MappedKecamatan(name, level, factors)
    number_text = cell("tps").upper().removeprefix("TPS").strip().lstrip("0") or "0"
    if not (number_text.isascii() and number_text.isdigit()):
        return Finding(Problem.BAD_TPS, cell("tps")[:30])
    number = int(number_text)
    if not 1 <= number <= MAX_TPS_NUMBER:
        return Finding(Problem.BAD_TPS, cell("tps")[:30])
    desa = " ".join(cell("desa").split())
    if not desa or len(desa) > MAX_DESA or not desa.isprintable():
        return Finding(Problem.BAD_DESA)
    reason = " ".join(cell("alasan").split())
    if not reason or len(reason) > MAX_REASON or not reason.isprintable():
        return Finding(Problem.BAD_REASON)
    return VulnerableTps(name, number, desa, reason)


def map_rows(vmap: VulnerabilityMap) -> list[tuple[str, str, str, str, str, str, str]]:
    """The map as rows of the file format (the header is REQUIRED + OPTIONAL columns): what
    /ekspor writes, so a saved sheet can be imported again. Kecamatan by level (tinggi first)
    and name, then the TPS by kecamatan, desa and number."""
    rows = [
        (KIND_KECAMATAN, k.name, k.level.word, ", ".join(k.factors), "", "", "")
        for k in sorted(vmap.kecamatan, key=lambda k: (-k.level, k.name))
    ]
    rows += [
        (KIND_TPS, t.kecamatan, "", "", str(t.number), t.desa, t.reason)
        for t in sorted(vmap.tps, key=lambda t: (t.kecamatan, normalize_name(t.desa), t.number))
    ]
    return rows


# --- TPS named in a report -----------------------------------------------------------------------


def tps_numbers(text: str) -> tuple[int, ...]:
    """The TPS numbers a text names ("di TPS 12 Desa Long Lees" -> (12,)), each once, in order."""
    found: list[int] = []
    for match in _TPS.finditer(text):
        number = int(match[1])
        if number and number not in found:
            found.append(number)
    return tuple(found)


def tps_matches(vmap: VulnerabilityMap, kecamatan: str, text: str) -> tuple[VulnerableTps, ...]:
    """The vulnerable TPS of `kecamatan` that a report's text names.

    TPS are numbered per desa, so "TPS 12" may be on the list in two desa of one kecamatan:
    when the text also names the desa of some of them, those are meant; otherwise every listed
    TPS 12 of the kecamatan is (the alert shows their desa, so readers can tell).
    """
    listed = vmap.tps_of(kecamatan)
    if not listed:
        return ()
    words = normalize_name(text)
    found: list[VulnerableTps] = []
    for number in tps_numbers(text):
        candidates = [t for t in listed if t.number == number]
        named = [t for t in candidates if normalize_name(t.desa) in words]
        found += named or candidates
    return tuple(found)


# --- attention -----------------------------------------------------------------------------------


class KecamatanCondition(Protocol):
    """What a view knows of a kecamatan now (domain.digest.KecamatanStatus is one)."""

    @property
    def name(self) -> str: ...

    @property
    def count(self) -> int: ...  # reports in the current window

    @property
    def latest(self) -> Level | None: ...  # its condition; None: belum lapor


def flagged(vmap: VulnerabilityMap, status: KecamatanCondition) -> bool:
    """Whether a kecamatan is mapped `tinggi` and has not reported in the period counted:
    "⚠️ rawan tinggi, belum lapor". An open incident does not count as reporting."""
    return status.count == 0 and vmap.is_tinggi(status.name)


def attention_key(
    vmap: VulnerabilityMap, status: KecamatanCondition
) -> tuple[bool, bool, int, int, str]:
    """Sorts kecamatan by the attention they need: flagged first, then worst condition first
    (belum lapor last), within a condition by mapped level (tinggi, sedang, rendah, not
    mapped), then by name."""
    level = vmap.level_of(status.name)
    latest = status.latest
    return (
        not flagged(vmap, status),
        latest is None,
        -int(latest or 0),
        -int(level or 0),
        status.name,
    )


@dataclass(frozen=True)
class KecamatanAttention:
    """One kecamatan as the map and the current window show it (for /kerawanan and the
    dashboard): its mapped level, factors and vulnerable TPS, and its condition now."""

    name: str
    mapped: MapLevel | None
    factors: tuple[str, ...]
    vulnerable_tps: int
    condition: Level | None  # None: belum lapor (domain.incidents.condition)
    reports: int  # in the current reporting window
    flagged: bool  # mapped tinggi and no report in the current window


def attention(
    vmap: VulnerabilityMap, statuses: Iterable[KecamatanCondition]
) -> tuple[KecamatanAttention, ...]:
    """Every kecamatan with its map entry and its condition, in the order of attention."""
    ordered = sorted(statuses, key=lambda status: attention_key(vmap, status))
    found = []
    for status in ordered:
        entry = vmap.entry(status.name)
        found.append(
            KecamatanAttention(
                name=status.name,
                mapped=entry.level if entry is not None else None,
                factors=entry.factors if entry is not None else (),
                vulnerable_tps=vmap.tps_count(status.name),
                condition=status.latest,
                reports=status.count,
                flagged=flagged(vmap, status),
            )
        )
    return tuple(found)


# --- /kinerja by mapped level --------------------------------------------------------------------


def kinerja_by_level(
    incidents: Iterable[Incident], vmap: VulnerabilityMap
) -> tuple[tuple[MapLevel | None, Performance], ...]:
    """Time to take up and to resolve per mapped level of the incidents' kecamatan (by the map
    in force now), tinggi first; None gathers the kecamatan not on the map. Levels without
    incidents are left out."""
    by_level: dict[MapLevel | None, list[Incident]] = defaultdict(list)
    for incident in incidents:
        by_level[vmap.level_of(incident.kecamatan)].append(incident)
    order = [*sorted(MapLevel, reverse=True), None]
    return tuple((level, performance(by_level[level])) for level in order if by_level.get(level))
