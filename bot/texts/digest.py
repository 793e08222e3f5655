"""The digest, /rekap, reminders and /jadwal."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime, time
from html import escape

from bot.texts.arahan import arahan_digest_blocks
from bot.texts.common import (
    LEVEL_EMOJI,
    LEVEL_LABEL,
    ROLE_LABEL,
    clock_time,
    level_badge,
    long_date,
)
from bot.texts.layout import MESSAGE_LIMIT, split_messages
from bot.texts.reports import category_label
from domain.digest import MAX_NAMES_PER_KECAMATAN, SNIPPET_WORDS, DigestSnapshot, OfficerStatus
from domain.enums import FIELD_ROLES, Level

# --- /rekap --------------------------------------------------------------------------------

REKAP_BAD_DATE = (
    "Tanggal tidak dikenal. Gunakan format <code>YYYY-MM-DD</code>, "
    "misalnya <code>/rekap 2024-11-27</code>, atau <code>hari ini</code>/<code>kemarin</code>."
)
REKAP_FUTURE = "Tanggal itu belum tiba. Rekap tersedia sampai hari ini."


# --- reminders and /jadwal ----------------------------------------------------------------------

REMINDER = (
    "⏰ <b>Pengingat</b>: Anda belum mengirim laporan hari ini.\n"
    "Tidak ada kejadian? Kirim <code>/lapor aman</code>. Ada kejadian? Kirim /lapor."
)


def reminder_summary(slot: datetime, sent: int, blocked: int, failed: int) -> str:
    """One line for admins after a reminder round."""
    extra = []
    if blocked:
        extra.append(f"{blocked} memblokir bot")
    if failed:
        extra.append(f"{failed} belum pernah membuka bot")
    tail = f" ({', '.join(extra)})" if extra else ""
    return f"⏰ Pengingat {clock_time(slot)}: {sent} petugas diingatkan{tail}."


def schedule_view(
    digests: str, reminders: str, digests_changed: bool, reminders_changed: bool
) -> str:
    """The current schedule."""

    def source(changed: bool) -> str:
        return "diubah di bot" if changed else "pengaturan awal"

    return (
        "🗓 <b>Jadwal</b>\n"
        f"Rekap ke grup koordinasi: <b>{digests}</b> ({source(digests_changed)})\n"
        f"Pengingat petugas: <b>{reminders}</b> ({source(reminders_changed)})\n\n"
        "Ubah: <code>/jadwal digest 07:00,12:00,19:00</code> · "
        "<code>/jadwal pengingat 15:00</code>"
    )


JADWAL_USAGE = (
    "Format: <code>/jadwal digest 07:00,19:00</code> atau <code>/jadwal pengingat 16:00</code> "
    "(jam 24 jam, HH:MM, dipisah koma)."
)


def schedule_saved(kind: str, times: str) -> str:
    """Confirmation of a schedule change."""
    what = "Rekap" if kind == "digest" else "Pengingat"
    return f"✅ Jadwal {what.lower()} sekarang: <b>{times}</b> (berlaku mulai sekarang)."


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
    blocks += arahan_digest_blocks(snapshot.arahan, snapshot.end)
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
