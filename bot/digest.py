"""The condition digest: a snapshot of one period, and its rendering into Telegram messages."""

from __future__ import annotations

from bisect import bisect_right
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.texts import (
    LEVEL_EMOJI,
    LEVEL_LABEL,
    ROLE_LABEL,
    category_label,
    clock_time,
    level_badge,
    long_date,
)
from domain.enums import FIELD_ROLES, Level, Role
from domain.parsing import utf16_len
from domain.regions import Region
from domain.reports import GroupCount

MESSAGE_LIMIT = 4096
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
    latest: Level | None = None
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
) -> DigestSnapshot:
    """Folds per-(kecamatan, role, level) counts into per-kecamatan statuses."""
    totals = dict.fromkeys(Level, 0)
    per_name: dict[str, list[GroupCount]] = {name: [] for name in region.kecamatan}
    for row in counts:
        totals[row.level] += row.count
        per_name.setdefault(row.kecamatan, []).append(row)
    statuses = []
    for name, rows in per_name.items():
        if not rows:
            statuses.append(KecamatanStatus(name))
            continue
        latest = max(rows, key=lambda r: r.last_number)
        statuses.append(
            KecamatanStatus(
                name=name,
                count=sum(r.count for r in rows),
                latest=latest.level,
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


def snippet(text: str, words: int = SNIPPET_WORDS) -> str:
    """The first words of a text, escaped, with an ellipsis when cut."""
    parts = text.split()
    short = " ".join(parts[:words]) + (" …" if len(parts) > words else "")
    return escape(short)


def _section(title: str, lines: list[str]) -> list[str]:
    """A section as blocks: the title travels with its first line, so it is never orphaned."""
    if not lines:
        return []
    return [f"\n<b>{title}</b>\n{lines[0]}", *lines[1:]]


def render_digest(snapshot: DigestSnapshot, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Renders the digest as HTML messages, split at section or kecamatan boundaries."""
    tz_name = snapshot.start.tzname()
    header = ["📋 <b>Rekap Kondisi Wilayah</b>", f"<b>{escape(snapshot.district)}</b>"]
    whole_day = snapshot.end.date() > snapshot.start.date() and snapshot.end.time() == time(0)
    stamp = "" if whole_day else f", pukul {clock_time(snapshot.end)}"
    header.append(long_date(snapshot.start.date()) + stamp)
    if snapshot.late_slot is not None:
        header.append(f"⏰ Terlambat — jadwal {clock_time(snapshot.late_slot)}")
    end_label = "24:00" if whole_day else f"{snapshot.end:%H:%M}"
    header.append(f"Periode: {snapshot.start:%H:%M}–{end_label} {tz_name}")
    header.append("")
    reported = len(snapshot.kecamatan) - len(snapshot.silent)
    header.append(f"<b>Total laporan: {snapshot.total}</b>")
    header.append(
        " · ".join(f"{LEVEL_EMOJI[lv]} {LEVEL_LABEL[lv]} {snapshot.totals[lv]}" for lv in Level)
    )
    header.append(f"Kecamatan melapor: {reported} dari {len(snapshot.kecamatan)}")
    blocks = ["\n".join(header)]

    reporting = sorted(
        (k for k in snapshot.kecamatan if k.latest is not None), key=lambda k: -(k.latest or 0)
    )
    blocks += _section(
        "Kondisi terakhir per kecamatan",
        [
            f"{LEVEL_EMOJI[k.latest]} <b>{escape(k.name)}</b> — {LEVEL_LABEL[k.latest]} "
            f"({k.count} laporan)"
            for k in reporting
            if k.latest is not None
        ],
    )
    blocks += _section(
        "⚠️ Perbedaan penilaian",
        [
            f"<b>{escape(name)}</b>: " + _assessments(said)
            for name, said in snapshot.disagreements()
        ],
    )
    blocks += _section(
        "⏳ Eskalasi belum diterima",
        [
            f"#{p.number} {LEVEL_EMOJI[p.level]} {escape(p.kecamatan)} — menunggu "
            f"{_waited(snapshot.end, p.since)}"
            for p in snapshot.pending
        ],
    )
    notable_lines = [
        f"#{n.number} {LEVEL_EMOJI[n.level]} <b>{escape(n.kecamatan)}</b> · "
        f"{category_label(n.category)} · {snippet(n.text)}"
        + (f" (✏️ {n.corrections} ralat)" if n.corrections else "")
        for n in snapshot.notable
    ]
    hidden = snapshot.notable_total - len(snapshot.notable)
    if hidden > 0:
        notable_lines.append(f"… dan {hidden} laporan lain.")
    blocks += _section("Laporan menonjol (Waspada ke atas)", notable_lines)
    blocks += _section(
        "Cakupan laporan (Camat · Kapolsek · Danramil)",
        [
            "".join("✅" if role in k.roles else "❌" for role in FIELD_ROLES)
            + f" {escape(k.name)}"
            for k in snapshot.kecamatan
        ],
    )
    blocks += _section("Belum lapor", _silent_officers(snapshot))
    if not snapshot.silent and all(o.latest is not None for o in snapshot.officers):
        blocks.append("\n✅ Semua kecamatan dan petugas sudah melapor.")
    return split_messages(blocks, limit)


def _assessments(said: list[OfficerStatus]) -> str:
    """Who said what in one kecamatan; counts per level when too many officers to name."""
    assessed = [o for o in said if o.latest is not None]
    if len(assessed) <= MAX_NAMES_PER_KECAMATAN:
        return " · ".join(
            f"{ROLE_LABEL[o.role]} {escape(o.name)} {level_badge(o.latest)}"
            for o in assessed
            if o.latest is not None
        )
    counts = Counter(o.latest for o in assessed)
    return " · ".join(
        f"{LEVEL_EMOJI[lv]} {LEVEL_LABEL[lv]} {counts[lv]} petugas" for lv in Level if counts[lv]
    )


def _silent_officers(snapshot: DigestSnapshot) -> list[str]:
    silent_by: dict[str, list[str]] = defaultdict(list)
    for o in sorted(snapshot.officers, key=lambda o: (FIELD_ROLES.index(o.role), o.name)):
        if o.latest is None:
            silent_by[o.kecamatan].append(f"{ROLE_LABEL[o.role]} {escape(o.name)}")
    lines = []
    for status in snapshot.kecamatan:
        names = silent_by.get(status.name)
        if names and len(names) > MAX_NAMES_PER_KECAMATAN:
            shown = ", ".join(names[:MAX_NAMES_PER_KECAMATAN])
            lines.append(
                f"<b>{escape(status.name)}</b>: {len(names)} petugas — {shown}, "
                f"dan {len(names) - MAX_NAMES_PER_KECAMATAN} lainnya"
            )
        elif names:
            lines.append(f"<b>{escape(status.name)}</b>: " + ", ".join(names))
        elif status.count == 0:
            lines.append(f"<b>{escape(status.name)}</b>: (belum ada petugas terdaftar)")
    return lines


def _waited(now: datetime, since: datetime) -> str:
    minutes = max(0, int((now - since).total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} menit"
    return f"{minutes // 60} jam {minutes % 60} menit"


def split_messages(blocks: Sequence[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """Joins blocks with newlines into as few messages as fit `limit`, numbering the parts.

    Blocks are never cut; a block that alone exceeds the limit is split at line ends. The raw
    HTML length is used, which is never less than the length Telegram counts after parsing.
    """
    budget = limit - len("\n(99/99)")
    pieces: list[str] = []
    for block in blocks:
        if utf16_len(block) <= budget:
            pieces.append(block)
        else:
            pieces.extend(_split_long_block(block, budget))
    messages: list[str] = []
    current, size = "", 0  # size: utf16_len(current), kept as pieces are added
    for piece in pieces:
        piece_size = utf16_len(piece)
        if current and size + 1 + piece_size > budget:
            messages.append(current)
            current = piece.lstrip("\n")
            size = utf16_len(current)
        elif current:
            current, size = f"{current}\n{piece}", size + 1 + piece_size
        else:
            current, size = piece, piece_size
    if current:
        messages.append(current)
    if len(messages) > 1:
        messages = [f"{m}\n({i}/{len(messages)})" for i, m in enumerate(messages, 1)]
    return messages


def _split_long_block(block: str, budget: int) -> list[str]:
    """Splits an oversized block at line ends, then after list commas, then anywhere safe."""
    out: list[str] = []
    for line in block.split("\n"):
        current, size = "", 0  # size: utf16_len(current)
        for item in line.split(", "):
            item_size = utf16_len(item)
            if current and size + len(", ") + item_size + len(",") > budget:
                out.append(current + ",")
                current, size = item, item_size
            elif current:
                current, size = f"{current}, {item}", size + len(", ") + item_size
            else:
                current, size = item, item_size
        while utf16_len(current) > budget:
            cut = _safe_cut(current, budget)
            out.append(current[:cut])
            current = current[cut:]
        out.append(current)
    return out


def _safe_cut(text: str, budget: int) -> int:
    """The largest cut point within `budget` that is not inside an HTML tag or entity."""
    # utf16_len(text[:cut]) grows with cut and is at least cut: search 0..budget.
    cut = bisect_right(range(budget + 1), budget, key=lambda c: utf16_len(text[:c])) - 1
    head = text[:cut]
    for opener, closer in (("<", ">"), ("&", ";")):
        start = head.rfind(opener)
        if start > head.rfind(closer) and start > 0:
            cut = min(cut, start)
    return cut
