"""The vulnerability map: /kerawanan and its import, the flag in /status and the digest, the
second reminder of `tinggi` kecamatan, the alert's note, /kinerja by mapped level, the sheet."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from html import escape

from bot.texts.commands import CommandText
from bot.texts.common import LEVEL_EMOJI, LEVEL_LABEL, ROLE_LABEL, clock_time, duration, long_date
from bot.texts.registry import roster_problem
from bot.texts.reports import REMINDER_NIHIL_BUTTON, REMINDER_REPORT_BUTTON
from domain.digest import DigestSnapshot
from domain.enums import Level, Role
from domain.kerawanan import (
    ALERT_TPS_LIMIT,
    MAX_DESA,
    MAX_FACTOR,
    MAX_FACTORS,
    MAX_REASON,
    MAX_TPS_NUMBER,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    Finding,
    KecamatanAttention,
    MapLevel,
    MappedKecamatan,
    Problem,
    VulnerableTps,
)
from domain.kinerja import Performance, Spread
from domain.roster import Finding as FileFinding

KERAWANAN = CommandText(
    "peta kerawanan dan kondisi terkini",
    "/kerawanan [kecamatan] — peta kerawanan dengan kondisi terkini tiap kecamatan "
    "(admin: berkas CSV dengan keterangan <code>/kerawanan impor</code>)",
)

MAP_LEVEL_EMOJI = {MapLevel.TINGGI: "🔺", MapLevel.SEDANG: "🔸", MapLevel.RENDAH: "🔹"}
MAP_LEVEL_LABEL = {MapLevel.TINGGI: "tinggi", MapLevel.SEDANG: "sedang", MapLevel.RENDAH: "rendah"}
# The flag of a kecamatan mapped `tinggi` that has not reported in the current window.
FLAG = "⚠️ rawan tinggi, belum lapor"


def map_badge(level: MapLevel) -> str:
    """ "🔺 Kerawanan tinggi"."""
    return f"{MAP_LEVEL_EMOJI[level]} Kerawanan {MAP_LEVEL_LABEL[level]}"


def _factors(factors: Sequence[str]) -> str:
    return escape(", ".join(factors))


# --- /kerawanan impor ----------------------------------------------------------------------------

_COLUMNS = ";".join((*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS))
KERAWANAN_IMPOR_HELP = (
    "Kirim berkas CSV dengan keterangan <code>/kerawanan impor</code> atau balas "
    "berkasnya dengan <code>/kerawanan impor</code>. Peta yang lama diganti seluruhnya.\n"
    f"Kolom: <code>{_COLUMNS}</code> (baris judul, UTF-8, pemisah koma atau titik koma).\n"
    "• jenis <code>kecamatan</code>: tingkat rendah, sedang, atau tinggi, dan faktornya "
    "dipisah koma;\n"
    "• jenis <code>tps</code>: nomor TPS, desa, dan alasan.\n"
    "Contoh:\n"
    f"<code>{_COLUMNS}\n"
    "kecamatan;Busang;tinggi;konflik pendukung, akses sungai;;;\n"
    "tps;Busang;;;12;Long Lees;akses sungai, rawan banjir</code>"
)
KERAWANAN_ADMIN_ONLY = (
    "Impor peta kerawanan hanya untuk admin, di obrolan pribadi dengan bot. Peta dapat dilihat "
    "dengan /kerawanan."
)
KERAWANAN_USAGE = (
    "Tulis <code>/kerawanan</code> untuk seluruh peta atau <code>/kerawanan busang</code> "
    "untuk satu kecamatan beserta TPS rawannya."
)

_MAP_PROBLEMS = {
    Problem.NO_ROWS: "tidak ada baris data",
    Problem.BAD_KIND: "jenis harus kecamatan atau tps",
    Problem.UNKNOWN_KECAMATAN: "kecamatan tidak dikenal",
    Problem.BAD_LEVEL: "tingkat harus rendah, sedang, atau tinggi",
    Problem.FACTOR_TOO_LONG: (
        f"satu faktor lebih dari {MAX_FACTOR} karakter; tulis singkat, pisahkan dengan koma"
    ),
    Problem.TOO_MANY_FACTORS: f"faktor paling banyak {MAX_FACTORS}",
    Problem.BAD_TEXT: "faktor berisi karakter yang tidak dapat ditampilkan",
    Problem.DUPLICATE_KECAMATAN: "kecamatan ganda (juga di baris {detail})",
    Problem.BAD_TPS: f"nomor TPS harus angka 1 sampai {MAX_TPS_NUMBER}",
    Problem.BAD_DESA: f"desa kosong atau lebih dari {MAX_DESA} karakter",
    Problem.BAD_REASON: f"alasan kosong atau lebih dari {MAX_REASON} karakter",
    Problem.DUPLICATE_TPS: "TPS ganda: kecamatan, desa, dan nomor sama (juga di baris {detail})",
}
_WITH_LINE = (Problem.DUPLICATE_KECAMATAN, Problem.DUPLICATE_TPS)


def map_problem(finding: Finding) -> str:
    """What is wrong with a map row, in words (the typed value escaped)."""
    text = _MAP_PROBLEMS[finding.problem]
    if finding.problem in _WITH_LINE:
        return text.format(detail=escape(finding.detail))
    return f"{text}: {escape(finding.detail)}" if finding.detail else text


def kerawanan_refused(problems: list[tuple[int, Finding]], limit: int = 40) -> str:
    """Every bad row (up to `limit`) of a map file; nothing was changed."""
    count = len(problems)
    lines = [f"❌ <b>Impor peta kerawanan dibatalkan</b>: {count} kesalahan, peta tidak diubah."]
    lines += [
        f"Baris {line}: {map_problem(finding)}" if line else map_problem(finding)
        for line, finding in problems[:limit]
    ]
    if count > limit:
        lines.append(f"... dan {count - limit} kesalahan lain.")
    lines.append("Perbaiki berkas lalu kirim lagi.")
    return "\n".join(lines)


def kerawanan_file_error(finding: FileFinding) -> str:
    """The file is not a CSV table, or lacks a column (worded as /impor words it)."""
    return (
        f"❌ <b>Impor peta kerawanan dibatalkan</b>: {roster_problem(finding)}. Peta tidak "
        f"diubah. Perbaiki berkasnya, lalu kirim lagi.\n\n{KERAWANAN_IMPOR_HELP}"
    )


def kerawanan_saved(
    version: int, previous: int | None, levels: dict[MapLevel, int], tps: int
) -> str:
    """The map is stored and in force."""
    ordered = sorted(MapLevel, reverse=True)
    counts = ", ".join(f"{MAP_LEVEL_LABEL[level]} {levels.get(level, 0)}" for level in ordered)
    replaced = f" Peta sebelumnya (versi {previous}) diganti." if previous is not None else ""
    return (
        f"✅ Peta kerawanan tersimpan sebagai versi {version} dan langsung berlaku: "
        f"{sum(levels.values())} kecamatan ({counts}), {tps} TPS rawan.{replaced}\n"
        "Lihat dengan /kerawanan."
    )


# --- /kerawanan ----------------------------------------------------------------------------------

KERAWANAN_EMPTY = (
    "🗺 Peta kerawanan belum diimpor. Admin dapat mengimpornya: kirim berkas CSV dengan "
    "keterangan <code>/kerawanan impor</code>."
)


def condition_text(item: KecamatanAttention) -> str:
    """ "🟢 Aman (3 laporan)", "⚪ belum lapor", or the flag; the condition in the current
    reporting window."""
    if item.condition is None:
        return FLAG if item.flagged else "⚪ belum lapor"
    text = f"{LEVEL_EMOJI[item.condition]} {LEVEL_LABEL[item.condition]}"
    if item.flagged:
        return f"{text} · {FLAG}"
    return f"{text} ({item.reports} laporan)"


def _kecamatan_line(item: KecamatanAttention) -> str:
    line = f"• <b>{escape(item.name)}</b> — {condition_text(item)}"
    if item.vulnerable_tps:
        line += f" · 📍 {item.vulnerable_tps} TPS rawan"
    if item.factors:
        line += f"\n    <i>{_factors(item.factors)}</i>"
    return line


def kerawanan_view(
    district: str,
    items: Sequence[KecamatanAttention],
    tps_total: int,
    version: int,
    imported_at: datetime,
    now: datetime,
    period_note: str | None,
) -> list[str]:
    """The map: the kecamatan grouped by mapped level with factors and vulnerable TPS, each
    with its condition now (in the order of attention), as blocks for split_messages."""
    mapped = [i for i in items if i.mapped is not None]
    flagged = [i for i in items if i.flagged]
    header = [
        f"🗺 <b>Peta kerawanan</b> · {escape(district)}",
        f"Versi {version}, diimpor {imported_at:%d/%m/%Y} {clock_time(imported_at)} · "
        f"{len(mapped)} kecamatan dipetakan · {tps_total} TPS rawan",
        period_note or f"Kondisi hari ini sampai pukul {clock_time(now)}",
    ]
    if flagged:
        names = ", ".join(f"<b>{escape(i.name)}</b>" for i in flagged)
        header.append(f"\n{FLAG}: {names}")
    blocks = ["\n".join(header)]
    for level in sorted(MapLevel, reverse=True):
        group = [i for i in items if i.mapped is level]
        if group:
            lines = [_kecamatan_line(i) for i in group]
            blocks += [f"\n<b>{map_badge(level)} ({len(group)})</b>\n{lines[0]}", *lines[1:]]
    unmapped = [i for i in items if i.mapped is None]
    if unmapped:
        lines = [_kecamatan_line(i) for i in unmapped]
        blocks += [f"\n<b>Belum dipetakan ({len(unmapped)})</b>\n{lines[0]}", *lines[1:]]
    blocks.append("\nRincian TPS rawan satu kecamatan: <code>/kerawanan nama kecamatan</code>")
    return blocks


def kerawanan_detail(
    name: str,
    entry: MappedKecamatan | None,
    item: KecamatanAttention | None,
    tps: Sequence[VulnerableTps],
) -> list[str]:
    """One kecamatan: its mapped level, factors, condition now and every vulnerable TPS."""
    title = f"🗺 <b>{escape(name)}</b> · "
    title += map_badge(entry.level) if entry is not None else "belum dipetakan"
    lines = [title]
    if entry is not None and entry.factors:
        lines.append(f"Faktor: {_factors(entry.factors)}")
    if item is not None:
        lines.append(f"Kondisi sekarang: {condition_text(item)}")
    blocks = ["\n".join(lines)]
    if tps:
        rows = [f"• TPS {t.number} · Desa {escape(t.desa)} — {escape(t.reason)}" for t in tps]
        blocks += [f"\n<b>📍 TPS rawan ({len(tps)})</b>\n{rows[0]}", *rows[1:]]
    else:
        blocks.append("\nTidak ada TPS rawan yang tercatat di kecamatan ini.")
    return blocks


# --- /status and the digest ----------------------------------------------------------------------


def status_line_flagged(kecamatan: str, level: Level | None) -> str:
    """A kecamatan in /status that is mapped `tinggi` and has not reported in the window (its
    condition may still come from an open incident)."""
    if level is None:
        return f"⚪ <b>{escape(kecamatan)}</b> — {FLAG}"
    return f"{LEVEL_EMOJI[level]} <b>{escape(kecamatan)}</b> — {LEVEL_LABEL[level]} · {FLAG}"


def flagged_digest_blocks(snapshot: DigestSnapshot) -> list[str]:
    """The digest's first section after its header: the `tinggi` kecamatan that have not
    reported in the period, with their factors; nothing when there are none."""
    lines = []
    for status in snapshot.silent_tinggi:
        entry = snapshot.vulnerability.entry(status.name)
        factors = f" — <i>{_factors(entry.factors)}</i>" if entry and entry.factors else ""
        lines.append(f"⚠️ <b>{escape(status.name)}</b>{factors}")
    if not lines:
        return []
    title = f"⚠️ Rawan tinggi, belum lapor ({len(lines)})"
    return [f"\n<b>{title}</b>\n{lines[0]}", *lines[1:]]


# --- the second reminder -------------------------------------------------------------------------


def second_reminder(title: str, kecamatan: str, day: date, window: str | None = None) -> str:
    """To an officer of a `tinggi` kecamatan still silent after the first reminder (`title`:
    "Camat Busang")."""
    when = window or f"hari ini ({long_date(day)})"
    return (
        "🔔 <b>Pengingat kedua</b>\n"
        f"Bapak/Ibu {title}, laporan situasi {when} belum masuk. Kecamatan "
        f"{escape(kecamatan)} termasuk wilayah <b>rawan tinggi</b> pada peta kerawanan, "
        "jadi laporannya sangat ditunggu.\n"
        f"Tidak ada kejadian? Tekan <b>{REMINDER_NIHIL_BUTTON}</b>: laporan nihil langsung "
        "tercatat.\n"
        f"Ada kejadian? Tekan <b>{REMINDER_REPORT_BUTTON}</b>."
    )


def silent_tinggi_notice(
    first: datetime,
    second: datetime,
    silent: Sequence[tuple[str, Sequence[tuple[Role, str, bool]]]],
) -> str:
    """To admins, once per reminder round: the `tinggi` kecamatan with no report since the
    first reminder, each with its officers (role, name, and whether the second reminder
    reached them)."""
    lines = [
        "⚠️ <b>Kecamatan rawan tinggi belum lapor</b>",
        f"Belum ada laporan sejak pengingat pukul {clock_time(first)}; petugasnya diingatkan "
        f"lagi pukul {clock_time(second)}.",
    ]
    for name, officers in silent:
        names = ", ".join(
            f"{ROLE_LABEL.get(role, role.value)} {escape(person)}"
            + ("" if reached else " (pengingat kedua tidak sampai)")
            for role, person, reached in officers
        )
        lines.append(f"• <b>{escape(name)}</b>: {names or 'belum ada petugas aktif terdaftar'}")
    lines.append("Mohon petugas tersebut dihubungi langsung.")
    return "\n".join(lines)


# --- the group alert -----------------------------------------------------------------------------


def alert_map_note(kecamatan: MappedKecamatan | None, tps: Sequence[VulnerableTps]) -> str:
    """The lines of a group alert that place its incident on the map: a kecamatan mapped
    `tinggi` (with its factors), and the vulnerable TPS its report names; "" for neither."""
    lines = []
    if kecamatan is not None and kecamatan.level is MapLevel.TINGGI:
        factors = f": {_factors(kecamatan.factors)}" if kecamatan.factors else ""
        lines.append(f"⚠️ Wilayah <b>rawan tinggi</b> pada peta kerawanan{factors}")
    for t in tps[:ALERT_TPS_LIMIT]:
        lines.append(
            f"⚠️ <b>TPS rawan</b>: TPS {t.number} Desa {escape(t.desa)} — {escape(t.reason)}"
        )
    if len(tps) > ALERT_TPS_LIMIT:
        lines.append(f"… dan {len(tps) - ALERT_TPS_LIMIT} TPS rawan lain (/kerawanan)")
    return "\n".join(lines)


# --- /kinerja ------------------------------------------------------------------------------------


def _spread(spread: Spread | None) -> str:
    if spread is None:
        return "-"
    median, worst = timedelta(seconds=spread.median), timedelta(seconds=spread.worst)
    return f"median {duration(median)}, terlama {duration(worst)}"


def kinerja_levels_block(rows: Sequence[tuple[MapLevel | None, Performance]]) -> str:
    """The /kinerja section by mapped level (of the map in force now)."""
    lines = ["\n<b>Per tingkat kerawanan</b> (menurut peta saat ini)"]
    for level, figures in rows:
        label = map_badge(level) if level is not None else "Belum dipetakan"
        lines.append(
            f"{label} — {figures.opened} insiden\n"
            f"    ⏱ Waktu tanggap: {_spread(figures.take_up)}\n"
            f"    🏁 Waktu penyelesaian: {_spread(figures.resolve)}"
        )
    return "\n".join(lines)


# --- /ekspor -------------------------------------------------------------------------------------

SHEET_KERAWANAN = "Kerawanan"
# The sheet has the import file's columns, so a saved copy can be imported again.
KERAWANAN_COLUMNS = (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)
