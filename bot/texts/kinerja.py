"""/kinerja: time to take up and time to resolve the incidents of a period."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from html import escape

from bot.texts.common import duration
from bot.texts.layout import split_messages
from domain.kinerja import KinerjaReport, Performance, Spread

KINERJA_USAGE = (
    "Format: <code>/kinerja [dari] [sampai]</code>, misalnya "
    "<code>/kinerja 20-11-2024 27-11-2024</code>; juga <code>hari ini</code> dan "
    "<code>kemarin</code>. Bawaan 7 hari terakhir, paling panjang 366 hari."
)


def period_text(first: date, last: date) -> str:
    """ "21/11/2024–27/11/2024", or one day."""
    if first == last:
        return f"{first:%d/%m/%Y}"
    return f"{first:%d/%m/%Y}–{last:%d/%m/%Y}"


def kinerja_empty(first: date, last: date) -> str:
    """No incident was opened in the period."""
    return f"Tidak ada insiden yang dibuka pada {period_text(first, last)}."


def _spread(label: str, spread: Spread | None, none: str) -> str:
    if spread is None:
        return f"{label}: {none}"
    median, worst = timedelta(seconds=spread.median), timedelta(seconds=spread.worst)
    return f"{label}: median {duration(median)} · terlama {duration(worst)}"


def _counts(figures: Performance) -> str:
    parts = [
        f"Ditangani {figures.taken_up}",
        f"selesai {figures.resolved}",
        f"masih terbuka {figures.still_open}",
    ]
    if figures.migrated:
        parts.append(f"ditutup saat pembaruan sistem {figures.migrated}*")
    return " · ".join(parts)


def _figures(title: str, figures: Performance) -> str:
    lines = [
        f"\n<b>{title}</b> — {figures.opened} insiden",
        _counts(figures),
        _spread("⏱ Waktu tanggap", figures.take_up, "belum ada yang ditangani"),
        _spread("🏁 Waktu penyelesaian", figures.resolve, "belum ada yang selesai"),
    ]
    return "\n".join(lines)


def render_kinerja(
    report: KinerjaReport, first: date, last: date, extra: Sequence[str] = ()
) -> list[str]:
    """The /kinerja answer: over all, then per kecamatan (most incidents first), then the
    `extra` blocks (by mapped level, bot.texts.kerawanan), as messages."""
    overall = report.overall
    blocks = [
        f"📈 <b>Kinerja penanganan insiden</b>\nInsiden yang dibuka {period_text(first, last)}",
        _figures("Seluruh kecamatan", overall),
    ]
    if overall.waiting:
        blocks.append(f"⚠️ {overall.waiting} insiden Rawan/Darurat belum ditangani (/insiden).")
    per_kecamatan = [_figures(escape(name), figures) for name, figures in report.kecamatan]
    if per_kecamatan:  # the heading travels with the first kecamatan: never orphaned
        blocks += [f"\n<b>Per kecamatan</b>{per_kecamatan[0]}", *per_kecamatan[1:]]
    blocks += extra
    notes = [
        "\n<i>Waktu tanggap: dari insiden dibuka sampai ditangani (✅ Diterima pada peringatan "
        "di grup; insiden Waspada tidak dikirim ke grup). Waktu penyelesaian: dari dibuka sampai "
        "selesai dengan catatan penutup.</i>"
    ]
    if overall.migrated:
        notes.append(
            "<i>* Ditutup otomatis saat pembaruan sistem, bukan oleh petugas: tidak dihitung "
            "dalam waktu penyelesaian.</i>"
        )
    blocks.append("\n".join(notes))
    return split_messages(blocks)
