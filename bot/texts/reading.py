"""Reading reports: /status, /belum, /laporan, /lihat, /cari, /ekspor, /grafik."""

from __future__ import annotations

from datetime import date, datetime
from html import escape

from bot.texts.common import LEVEL_EMOJI, LEVEL_LABEL, ROLE_LABEL, clock_time, date_time, long_date
from bot.texts.reports import category_label, media_counts
from domain.enums import Level, Role
from domain.reports import MediaKind

# --- queries: /status, /belum, /laporan, /lihat, /cari, /ekspor, /grafik -----------------------


def status_view(day: date, moment: datetime, counts: str, note: str | None = None) -> str:
    """The header of /status: when, the reporting window counted (`note`, where a stage sets
    windows), and the count of kecamatan per condition."""
    return "\n".join(
        [
            f"📍 <b>Status kecamatan</b> — {long_date(day)}, pukul {clock_time(moment)}",
            *([note] if note else []),
            f"<b>{counts}</b>",
            "",
        ]
    )


def status_line(kecamatan: str, level: Level | None, count: int) -> str:
    """One kecamatan in /status."""
    if level is None:
        return f"⚪ <b>{escape(kecamatan)}</b> — belum lapor"
    return (
        f"{LEVEL_EMOJI[level]} <b>{escape(kecamatan)}</b> — {LEVEL_LABEL[level]} ({count} laporan)"
    )


BELUM_NONE = "✅ Semua petugas terdaftar sudah melapor hari ini."


def belum_view(day: date, lines: list[str], count: int, note: str | None = None) -> str:
    """Officers who have not reported today (or in the reporting window `note` names), by
    kecamatan."""
    title = f"🕓 <b>Belum lapor</b> — {long_date(day)} ({count} petugas)"
    return "\n".join([title, *([note] if note else []), "", *lines])


def report_line(number: int, moment: datetime, level: Level, kecamatan: str, role: Role,
                text: str, corrections: int) -> str:  # fmt: skip
    """One report in a listing."""
    words = text.split()
    short = " ".join(words[:10]) + (" …" if len(words) > 10 else "") if words else "nihil"
    mark = " ✏️" if corrections else ""
    return (
        f"#{number} · {moment:%d/%m %H.%M} · {LEVEL_EMOJI[level]} {escape(kecamatan)} · "
        f"{ROLE_LABEL[role]} — {escape(short)}{mark}"
    )


def listing_page(title: str, lines: list[str], page: int, pages: int, total: int) -> str:
    """A page of /laporan or /cari."""
    footer = f"\nHalaman {page + 1}/{pages} · /lihat &lt;nomor&gt; untuk isi lengkap"
    return "\n".join([f"{title} ({total} laporan)", "", *lines]) + footer


def laporan_title(kecamatan: str | None, day: date | None) -> str:
    """Title of a /laporan listing."""
    parts = ["🗂 <b>Laporan terbaru</b>"]
    if kecamatan:
        parts.append(escape(kecamatan))
    if day:
        parts.append(long_date(day))
    return " — ".join(parts)


LAPORAN_EMPTY = "Tidak ada laporan yang cocok. Coba kecamatan atau tanggal lain."
LAPORAN_USAGE = (
    "Format: <code>/laporan [kecamatan] [tanggal]</code>, misalnya "
    "<code>/laporan bengalon kemarin</code> atau <code>/laporan 27-11-2024</code>."
)
LAPORAN_FUTURE = (
    "Tanggal itu belum tiba. Laporan tersedia sampai hari ini; tulis tanggal hari ini atau "
    "sebelumnya, misalnya <code>/laporan kemarin</code>."
)
LIHAT_USAGE = "Tulis nomor laporan, misalnya <code>/lihat 12</code>."


def lihat_missing(number: int) -> str:
    """No such report."""
    return f"Laporan #{number} tidak ditemukan. Periksa nomornya di /laporan atau /cari."


def report_detail(
    number: int, level: Level, kecamatan: str, role: Role, officer: str, officer_id: int,
    moment: datetime, category: str | None, text: str, photos: int,
    location: tuple[float, float] | None, ack: str | None, escalated: bool,
    media: tuple[MediaKind, ...] = (),
) -> list[str]:  # fmt: skip
    """The blocks of /lihat (the caller appends corrections)."""
    lines = [
        f"{LEVEL_EMOJI[level]} <b>Laporan #{number}</b> · {LEVEL_LABEL[level]}",
        f"Kecamatan: <b>{escape(kecamatan)}</b>",
        f"Pelapor: {ROLE_LABEL[role]} — {escape(officer)} (<code>{officer_id}</code>)",
        f"Waktu: {date_time(moment)}",
        f"Kategori: {category_label(category)}",
    ]
    if location:
        lines.append(f"Lokasi: {location[0]:.5f}, {location[1]:.5f} (peta di bawah)")
    if photos:
        lines.append(f"Foto: {photos} (di bawah)")
    if media:
        lines.append(f"Rekaman: {', '.join(media_counts(media))} (di bawah)")
    if ack:
        lines.append(ack)
    elif escalated:
        lines.append("⏳ Belum diterima di grup koordinasi")
    return [
        "\n".join(lines),
        "\n" + (escape(text) if text else "<i>nihil (tidak ada kejadian)</i>"),
    ]


def ack_line(name: str, moment: datetime, seconds: int) -> str:
    """Acknowledgement in /lihat."""
    minutes = round(seconds / 60)
    return (
        f"✅ Diterima oleh {escape(name)} pukul {clock_time(moment)} "
        f"({minutes} menit setelah laporan masuk)"
    )


def correction_block(moment: datetime, text: str) -> str:
    """One correction in /lihat."""
    return f"\n✏️ <b>Ralat</b> {date_time(moment)}:\n{escape(text)}"


CARI_USAGE = "Tulis kata kunci, misalnya <code>/cari blokade jalan</code>."


def cari_title(words: str) -> str:
    """Title of a search listing."""
    return f"🔎 <b>Hasil pencarian</b> “{escape(words)}”"


def cari_empty(words: str) -> str:
    """Nothing found."""
    return f"Tidak ada laporan yang memuat “{escape(words)}”. Coba kata kunci lain."


EKSPOR_USAGE = (
    "Format: <code>/ekspor [dari] [sampai]</code>, misalnya <code>/ekspor 27-11-2024</code> "
    "atau <code>/ekspor 1 Nov 2024 27 Nov 2024</code>; juga <code>hari ini</code> dan "
    "<code>kemarin</code>. Paling panjang 366 hari, tidak melewati hari ini."
)
EKSPOR_WORKING = "⏳ Menyiapkan berkas ekspor..."


def ekspor_empty(first: date, last: date) -> str:
    """Nothing to export."""
    return f"Tidak ada laporan pada {first:%d/%m/%Y}–{last:%d/%m/%Y}. Coba rentang tanggal lain."


def ekspor_caption(first: date, last: date, count: int, kind: str) -> str:
    """Caption of an export file."""
    return f"{kind}: {count} laporan, {first:%d/%m/%Y}–{last:%d/%m/%Y}"


GRAFIK_USAGE = (
    "Format: <code>/grafik [hari]</code>, 1 sampai 90 hari (bawaan 7), misalnya "
    "<code>/grafik 14</code>."
)


def grafik_empty(days: int) -> str:
    """Nothing to chart."""
    return (
        f"Belum ada laporan dalam {days} hari terakhir. Coba rentang yang lebih panjang, "
        "misalnya <code>/grafik 30</code>."
    )


def grafik_caption(days: int, last: date) -> str:
    """Caption of the chart."""
    return f"📊 Laporan {days} hari terakhir sampai {last:%d/%m/%Y}."


# --- /grafik and /ekspor: what the chart and the workbook show ---------------------------------

CHART_BARS_YLABEL = "Jumlah laporan"
CHART_HEAT_TITLE = "Kondisi terburuk per kecamatan per hari (abu-abu: belum lapor)"


def chart_bars_title(district: str) -> str:
    """Title of the reports-per-day bars (matplotlib draws plain text: no HTML)."""
    return f"Laporan per hari menurut tingkat - {district}"


SHEET_REPORTS, SHEET_MEMBERS, SHEET_DAILY = "Laporan", "Petugas", "Ringkasan Harian"
SHEET_INCIDENTS, SHEET_KINERJA = "Insiden", "Kinerja"
REPORT_COLUMNS = (
    "nomor", "waktu", "kecamatan", "jabatan", "petugas", "user_id", "tingkat", "kategori",
    "keterangan", "ralat", "foto", "lintang", "bujur", "diterima_oleh", "diterima_pada",
    "waktu_respons_detik",
)  # fmt: skip
MEMBER_COLUMNS = (
    "user_id", "nama", "peran", "kecamatan", "status", "jumlah_laporan", "laporan_terakhir",
)  # fmt: skip
PHONE_COLUMN = "telepon"
DAILY_FIRST_COLUMN = "kecamatan"
INCIDENT_COLUMNS = (
    "nomor", "kecamatan", "tingkat", "kategori", "status", "dibuka", "ditangani_oleh",
    "ditangani_pada", "ditutup_oleh", "ditutup_pada", "catatan_penutup",
    "menit_sampai_ditangani", "menit_sampai_selesai", "jumlah_perkembangan",
)  # fmt: skip
INCIDENT_STATE_LABEL = {"baru": "Baru", "ditangani": "Ditangani", "selesai": "Selesai"}
KINERJA_COLUMNS = (
    "kecamatan", "insiden_dibuka", "ditangani", "selesai", "ditutup_saat_pembaruan_sistem",
    "masih_terbuka", "median_menit_ditangani", "terlama_menit_ditangani",
    "median_menit_selesai", "terlama_menit_selesai",
)  # fmt: skip
KINERJA_ALL = "Semua kecamatan"


def search_hit(number: int, moment: datetime, level: Level, kecamatan: str, snippet: str) -> str:
    """One /cari result; `snippet` is already escaped HTML with the matches in bold."""
    return (
        f"#{number} · {moment:%d/%m %H.%M} · {LEVEL_EMOJI[level]} {escape(kecamatan)} — {snippet}"
    )
