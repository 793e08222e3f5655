"""Shared pieces: level, role and category labels, dates and times, refusals and errors."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

from domain.enums import Category, Level, Role

LEVEL_EMOJI = {Level.AMAN: "🟢", Level.WASPADA: "🟡", Level.RAWAN: "🟠", Level.DARURAT: "🔴"}
LEVEL_LABEL = {
    Level.AMAN: "Aman",
    Level.WASPADA: "Waspada",
    Level.RAWAN: "Rawan",
    Level.DARURAT: "Darurat",
}
ROLE_LABEL = {Role.CAMAT: "Camat", Role.KAPOLSEK: "Kapolsek", Role.DANRAMIL: "Danramil"}
CATEGORY_LABEL = {
    Category.KAMTIBMAS: "Kamtibmas",
    Category.LOGISTIK: "Logistik Pemilu",
    Category.NETRALITAS: "Netralitas ASN/TNI/Polri",
    Category.POLITIK_UANG: "Politik Uang",
    Category.HOAKS_SARA: "Hoaks/SARA",
    Category.KAMPANYE_APK: "Kampanye/APK",
    Category.BENCANA_CUACA: "Bencana/Cuaca",
    Category.LAINNYA: "Lainnya",
}
DAY_NAMES = ("Senin", "Selasa", "Rabu", "Kamis", "Jumat", "Sabtu", "Minggu")
MONTH_NAMES = (
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
)


def level_badge(level: Level) -> str:
    """Emoji and name of a level, e.g. "🟠 Rawan"."""
    return f"{LEVEL_EMOJI[level]} {LEVEL_LABEL[level]}"


def long_date(day: date) -> str:
    """ "Rabu, 27 November 2024"."""
    return f"{DAY_NAMES[day.weekday()]}, {day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def clock_time(moment: datetime) -> str:
    """ "14:05 WITA" (the zone's abbreviation, from the aware datetime)."""
    return f"{moment:%H:%M} {moment.tzname()}"


def clock_dot(moment: datetime) -> str:
    """ "14.05 WITA": the time of day as EYD V and the naskah dinas write it."""
    return f"{moment:%H.%M} {moment.tzname()}"


def duration(span: timedelta) -> str:
    """ "40 menit", "3 jam 5 menit", "2 hari 4 jam": how long something took or has lasted
    (whole minutes, rounded down; "kurang dari 1 menit" below one)."""
    minutes = max(0, int(span.total_seconds() // 60))
    if minutes < 1:
        return "kurang dari 1 menit"
    if minutes < 60:
        return f"{minutes} menit"
    hours, rest = divmod(minutes, 60)
    if hours >= 24:
        days, hours = divmod(hours, 24)
        return f"{days} hari {hours} jam" if hours else f"{days} hari"
    return f"{hours} jam {rest} menit" if rest else f"{hours} jam"


def date_time(moment: datetime) -> str:
    """ "27/11/2024 14:05 WITA"."""
    return f"{moment:%d/%m/%Y} {clock_time(moment)}"


NOT_REGISTERED = (
    "Anda belum terdaftar. Daftar dengan /daftar, atau kirim ID Telegram Anda (lihat /start) "
    "ke operator Kesbangpol."
)
INACTIVE = "Akun Anda sedang nonaktif. Hubungi operator Kesbangpol."
PENDING_WAIT = "Pendaftaran Anda masih menunggu persetujuan admin. Mohon tunggu."
ADMIN_ONLY = "Perintah ini hanya untuk admin."
ROLE_REFUSED = "Perintah ini tidak tersedia untuk peran Anda. Lihat /bantuan."
GROUP_ONLY = "Perintah ini dijalankan di dalam grup."
COORDINATION_ONLY = (
    "Perintah ini hanya dapat dipakai di grup koordinasi atau di chat pribadi dengan bot."
)
CALLBACK_REFUSED = "Anda tidak berwenang memakai tombol ini."
STALE_BUTTON = "Tombol ini sudah tidak berlaku."
FORWARDED_COMMAND = "Pesan terusan tidak diproses. Ketik perintahnya sendiri, misalnya /lapor."
ANONYMOUS = "Perintah tidak dapat dipakai atas nama grup atau kanal. Kirim dari akun pribadi."
PRIVATE_ONLY = "Perintah ini dipakai di chat pribadi dengan bot."
UNKNOWN_COMMAND = "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah."
PLAIN_TEXT_HINT = (
    "⚠️ Pesan ini <b>tidak tercatat</b> sebagai laporan.\n"
    "Untuk melapor, ketik /lapor lalu ikuti langkahnya, atau kirim dalam satu pesan, misalnya "
    "<code>/lapor waspada ada kerumunan di pasar</code>."
)
SAVE_FAILED = (
    "⚠️ Laporan <b>belum tercatat</b> karena penyimpanan sedang terganggu. "
    "Kirim ulang laporan yang sama sebentar lagi."
)
INTERNAL_ERROR = "⚠️ Maaf, terjadi gangguan. Silakan coba lagi."
STORAGE_ERROR = "⚠️ Gagal menyimpan, coba lagi sebentar lagi."


def error_alert(kind: str, detail: str) -> str:
    """To admins: an error the bot logged (at most once a minute per kind)."""
    return f"⚠️ Galat pada bot: <code>{escape(kind)}</code>\n{escape(detail)}"
