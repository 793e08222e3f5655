"""The digest, /rekap, reminders and /jadwal."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping
from datetime import UTC, datetime, time
from html import escape

from bot.texts.arahan import arahan_digest_blocks
from bot.texts.calendar import digest_stage_line
from bot.texts.common import (
    LEVEL_EMOJI,
    LEVEL_LABEL,
    ROLE_LABEL,
    clock_time,
    duration,
    level_badge,
    long_date,
)
from bot.texts.incidents import INCIDENT_STATE
from bot.texts.kerawanan import flagged_digest_blocks
from bot.texts.layout import MESSAGE_LIMIT, split_messages
from bot.texts.logistics import logistik_digest_blocks
from bot.texts.reports import category_label
from domain.digest import MAX_NAMES_PER_KECAMATAN, SNIPPET_WORDS, DigestSnapshot, OfficerStatus
from domain.enums import ESCALATES_FROM, FIELD_ROLES, Level
from domain.incidents import IncidentBrief, IncidentState

# --- /rekap --------------------------------------------------------------------------------

REKAP_BAD_DATE = (
    "Tanggal tidak dikenal. Tulis misalnya <code>/rekap 27-11-2024</code>, "
    "<code>/rekap 27 Nov 2024</code>, <code>/rekap kemarin</code>, atau <code>/rekap</code> "
    "saja untuk hari ini."
)
REKAP_FUTURE = (
    "Tanggal itu belum tiba. Rekap tersedia sampai hari ini; tulis tanggal hari ini atau "
    "sebelumnya."
)


# --- reminders (/jadwal is in bot/texts/calendar.py) ------------------------------------------


def reminder_summary(slot: datetime, sent: int, blocked: int, failed: int) -> str:
    """One line for admins after a reminder round."""
    extra = []
    if blocked:
        extra.append(f"{blocked} memblokir bot")
    if failed:
        extra.append(f"{failed} belum pernah membuka bot")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"⏰ Pengingat {clock_time(slot)}: {sent} petugas diingatkan{tail}."


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


def condition_counts_line(counts: Mapping[Level | None, int]) -> str:
    """ "🔴 1 · 🟠 1 · 🟡 2 · 🟢 12 · ⚪ 2 belum lapor": kecamatan per condition, worst first."""
    parts = [f"{LEVEL_EMOJI[level]} {counts.get(level, 0)}" for level in reversed(Level)]
    return " · ".join([*parts, f"⚪ {counts.get(None, 0)} belum lapor"])


def _incident_line(snapshot: DigestSnapshot, brief: IncidentBrief) -> str:
    incident = brief.incident
    state = INCIDENT_STATE[incident.state]
    if incident.state is IncidentState.BARU and incident.level >= ESCALATES_FROM:
        state += ", belum diterima"
    line = (
        f"#{incident.number} {LEVEL_EMOJI[incident.level]} <b>{escape(incident.kecamatan)}</b>"
        f"{_category(incident.category)} · {duration(snapshot.end - incident.opened_at)} · {state}"
    )
    if snapshot.is_stale(incident):
        line += f" · 💤 {duration(snapshot.end - incident.last_news)} tanpa perkembangan"
    if brief.text.strip():
        line += f"\n    <i>{snippet(brief.text)}</i>"
    return line


def _resolved_line(brief: IncidentBrief) -> str:
    incident = brief.incident
    took = duration(incident.closed_at - incident.opened_at) if incident.closed_at else "-"
    note = f": <i>{snippet(incident.closing_note)}</i>" if incident.closing_note else ""
    return (
        f"#{incident.number} {LEVEL_EMOJI[incident.level]} <b>{escape(incident.kecamatan)}</b>"
        f"{_category(incident.category)} · selesai dalam {took}{note}"
    )


def _category(category: str | None) -> str:
    """ " · Logistik Pilkada", or nothing for a report without a category."""
    return f" · {category_label(category)}" if category else ""


def render_digest(snapshot: DigestSnapshot, limit: int = MESSAGE_LIMIT) -> list[str]:
    """Renders the digest as HTML messages, split at section or line boundaries.

    It reads at a glance: the count of kecamatan per condition, the open incidents, those
    resolved since the previous digest, the kecamatan that are not Aman, and who has not
    reported (the coverage, once).
    """
    whole_day = snapshot.end.date() > snapshot.start.date() and snapshot.end.time() == time(0)
    end_label = "24.00" if whole_day else f"{snapshot.end:%H.%M}"
    header = [
        f"📋 <b>Rekap Kondisi Wilayah</b> · {escape(snapshot.district)}",
        f"{long_date(snapshot.start.date())} · {snapshot.start:%H.%M}–{end_label} "
        f"{snapshot.start.tzname()}",
    ]
    stage_line = digest_stage_line(snapshot.period)
    if stage_line is not None:  # the election stage, and the reporting window it covers
        header.append(stage_line)
    if snapshot.late_slot is not None:
        header.append(f"⏰ Terlambat — jadwal {clock_time(snapshot.late_slot)}")
    reported = sum(1 for o in snapshot.officers if o.latest is not None)
    header += [
        "",
        f"<b>{condition_counts_line(snapshot.condition_counts)}</b>",
        f"{snapshot.total} laporan · {reported} dari {len(snapshot.officers)} petugas melapor",
    ]
    blocks = ["\n".join(header)]
    blocks += flagged_digest_blocks(snapshot)  # mapped `tinggi` and silent: listed first

    open_lines = [_incident_line(snapshot, brief) for brief in snapshot.incidents]
    hidden = snapshot.incidents_total - len(snapshot.incidents)
    if hidden > 0:
        open_lines.append(f"… dan {hidden} insiden lain. Daftar lengkap: /insiden")
    blocks += _section(f"🚨 Insiden terbuka ({snapshot.incidents_total})", open_lines)

    resolved_lines = [_resolved_line(brief) for brief in snapshot.resolved]
    hidden = snapshot.resolved_total - len(snapshot.resolved)
    if hidden > 0:
        resolved_lines.append(f"… dan {hidden} insiden lain.")
    blocks += _section(
        f"✅ Selesai {_since_label(snapshot)} ({snapshot.resolved_total})", resolved_lines
    )

    # Within a condition, by mapped level (issue 23); without a map, by name as before.
    ordered = snapshot.by_attention()
    not_green = [k for k in ordered if k.latest is not None and k.latest > Level.AMAN]
    condition_lines = [
        f"{LEVEL_EMOJI[k.latest]} <b>{escape(k.name)}</b> — {LEVEL_LABEL[k.latest]} "
        f"({k.count} laporan)"
        for k in not_green
        if k.latest is not None
    ]
    green = [k.name for k in snapshot.by_mapped_level() if k.latest is Level.AMAN]
    if green:  # at a glance: the Aman kecamatan are named, not detailed
        condition_lines.append(f"{LEVEL_EMOJI[Level.AMAN]} Aman: {escape(', '.join(green))}")
    blocks += _section("Kondisi kecamatan", condition_lines)
    blocks += _section(
        "⚠️ Perbedaan penilaian",
        [
            f"<b>{escape(name)}</b>: " + _assessments(said)
            for name, said in snapshot.disagreements()
        ],
    )
    blocks += logistik_digest_blocks(snapshot.logistics, snapshot.end.tzinfo or UTC)
    blocks += arahan_digest_blocks(snapshot.arahan, snapshot.end)
    blocks += _section("🕓 Belum lapor", _silent_officers(snapshot))
    if not snapshot.silent and all(o.latest is not None for o in snapshot.officers):
        blocks.append("\n✅ Semua kecamatan dan petugas sudah melapor.")
    return split_messages(blocks, limit)


def _since_label(snapshot: DigestSnapshot) -> str:
    """ "pada periode ini", "sejak rekap 12.00 WITA", "sejak rekap kemarin 19.00 WITA"."""
    since = snapshot.resolved_since
    if since is None or since == snapshot.start:
        return "pada periode ini"
    if since.date() == snapshot.end.date():
        return f"sejak rekap {clock_time(since)}"
    if (snapshot.end.date() - since.date()).days == 1:
        return f"sejak rekap kemarin {clock_time(since)}"
    return f"sejak rekap {since:%d/%m} {clock_time(since)}"


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
    for status in snapshot.by_mapped_level(flagged_first=True):
        names = silent_by.get(status.name)
        # A kecamatan with no report at all is ⚪ (belum lapor); others miss some officers.
        mark = "⚪ " if status.count == 0 and status.latest is None else ""
        place = f"{mark}<b>{escape(status.name)}</b>"
        if snapshot.is_flagged(status):
            place = f"⚠️ <b>{escape(status.name)}</b> (rawan tinggi)"
        if names and len(names) > MAX_NAMES_PER_KECAMATAN:
            shown = ", ".join(names[:MAX_NAMES_PER_KECAMATAN])
            lines.append(
                f"{place}: {len(names)} petugas — {shown}, "
                f"dan {len(names) - MAX_NAMES_PER_KECAMATAN} lainnya"
            )
        elif names:
            lines.append(f"{place}: " + ", ".join(names))
        elif mark:
            lines.append(f"{place}: (belum ada petugas terdaftar)")
    return lines
