"""The condition digest: a snapshot of one period, and its rendering into Telegram messages."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from html import escape
from zoneinfo import ZoneInfo

from bot.domain import FIELD_ROLES, Level, Role
from bot.regions import Region
from bot.texts import LEVEL_EMOJI, LEVEL_LABEL, clock_time, long_date, utf16_len
from storage.reports import GroupCount

MESSAGE_LIMIT = 4096
_ROLE_SHORT = {Role.CAMAT: "C", Role.KAPOLSEK: "K", Role.DANRAMIL: "D"}


@dataclass(frozen=True)
class KecamatanStatus:
    """What one kecamatan reported during the period."""

    name: str
    count: int = 0
    latest: Level | None = None
    roles: frozenset[Role] = field(default_factory=frozenset)


@dataclass(frozen=True)
class DigestSnapshot:
    """Everything a digest shows, computed from storage, free of Telegram."""

    district: str
    start: datetime
    end: datetime
    totals: dict[Level, int]
    kecamatan: tuple[KecamatanStatus, ...]
    late_slot: datetime | None = None

    @property
    def total(self) -> int:
        """Number of reports in the period."""
        return sum(self.totals.values())

    @property
    def silent(self) -> tuple[KecamatanStatus, ...]:
        """Kecamatan without any report in the period, in region order."""
        return tuple(k for k in self.kecamatan if k.count == 0)


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
    return DigestSnapshot(region.district, start, end, totals, tuple(statuses), late_slot)


def _kecamatan_line(status: KecamatanStatus) -> str:
    if status.latest is None:
        raise ValueError(f"{status.name} has no report")
    roles = " ".join(f"{_ROLE_SHORT[r]}{'✅' if r in status.roles else '❌'}" for r in FIELD_ROLES)
    return (
        f"{LEVEL_EMOJI[status.latest]} <b>{escape(status.name)}</b> — "
        f"{status.count} laporan · {roles}"
    )


def render_digest(snapshot: DigestSnapshot, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Renders the digest as HTML messages, split at kecamatan boundaries when too long."""
    header = ["📋 <b>Rekap Kondisi Wilayah</b>", f"<b>{escape(snapshot.district)}</b>"]
    header.append(long_date(snapshot.start.date()))
    if snapshot.late_slot is not None:
        header.append(f"⏰ Terlambat — jadwal {clock_time(snapshot.late_slot)}")
    whole_day = snapshot.end.date() > snapshot.start.date() and snapshot.end.time() == time(0)
    end_label = "24:00" if whole_day else f"{snapshot.end:%H:%M}"
    header.append(f"Periode: {snapshot.start:%H:%M}–{end_label} {snapshot.start.tzname()}")
    header.append("")
    totals = " · ".join(
        f"{LEVEL_EMOJI[level]} {LEVEL_LABEL[level]} {snapshot.totals[level]}" for level in Level
    )
    reported = len(snapshot.kecamatan) - len(snapshot.silent)
    header.append(f"<b>Total laporan: {snapshot.total}</b>")
    header.append(totals)
    header.append(f"Kecamatan melapor: {reported} dari {len(snapshot.kecamatan)}")

    reporting = sorted(
        (k for k in snapshot.kecamatan if k.latest is not None),
        key=lambda k: -(k.latest or 0),
    )
    blocks = ["\n".join(header)]
    if reporting:
        blocks.append("\n<b>Kecamatan melapor</b> (C Camat · K Kapolsek · D Danramil)")
        blocks += [_kecamatan_line(status) for status in reporting]
    silent = snapshot.silent
    if silent:
        names = ", ".join(escape(k.name) for k in silent)
        blocks.append(f"\n<b>Belum lapor ({len(silent)})</b>\n{names}")
    else:
        blocks.append("\n✅ Semua kecamatan sudah melapor.")
    return split_messages(blocks, limit)


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
    current = ""
    for piece in pieces:
        candidate = f"{current}\n{piece}" if current else piece
        if current and utf16_len(candidate) > budget:
            messages.append(current)
            current = piece.lstrip("\n")
        else:
            current = candidate
    if current:
        messages.append(current)
    if len(messages) > 1:
        messages = [f"{m}\n({i}/{len(messages)})" for i, m in enumerate(messages, 1)]
    return messages


def _split_long_block(block: str, budget: int) -> list[str]:
    """Splits an oversized block at line ends, then after list commas, then anywhere safe."""
    out: list[str] = []
    for line in block.split("\n"):
        current = ""
        for item in line.split(", "):
            candidate = f"{current}, {item}" if current else item
            if current and utf16_len(candidate + ",") > budget:
                out.append(current + ",")
                current = item
            else:
                current = candidate
        while utf16_len(current) > budget:
            cut = _safe_cut(current, budget)
            out.append(current[:cut])
            current = current[cut:]
        out.append(current)
    return out


def _safe_cut(text: str, budget: int) -> int:
    """The largest cut point within `budget` that is not inside an HTML tag or entity."""
    cut = budget
    while utf16_len(text[:cut]) > budget:
        cut -= 1
    head = text[:cut]
    for opener, closer in (("<", ">"), ("&", ";")):
        start = head.rfind(opener)
        if start > head.rfind(closer) and start > 0:
            cut = min(cut, start)
    return cut
