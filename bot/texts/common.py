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
    Category.LOGISTIK: "Logistik Pilkada",
    Category.NETRALITAS: "Netralitas ASN/TNI/Polri",
    Category.POLITIK_UANG: "Politik Uang",
    Category.HOAKS_SARA: "Hoaks/SARA/Ujaran Kebencian",
    Category.KAMPANYE_APK: "Kampanye/APK",
    Category.BENCANA_CUACA: "Bencana/Cuaca",
    Category.LAINNYA: "Lainnya",
}
# The pager of every paged answer (bot/keyboards.py).
PREV_BUTTON = "⬅️"
NEXT_BUTTON = "➡️"
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
    """ "14.05 WITA": the time of day as EYD V and the naskah dinas write it (the zone's
    abbreviation from the aware datetime). Typed times may use a dot or a colon."""
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
    """ "27/11/2024 14.05 WITA"."""
    return f"{moment:%d/%m/%Y} {clock_time(moment)}"


# Refusals and errors: what happened, then what to do next, in one line each.
NOT_REGISTERED = (
    "Bapak/Ibu belum terdaftar. Daftar dengan /daftar atau kirim ID Telegram Bapak/Ibu "
    "(lihat /start) kepada operator Kesbangpol."
)
INACTIVE = (
    "Akun Bapak/Ibu sedang nonaktif. Hubungi operator Kesbangpol untuk mengaktifkannya kembali."
)
PENDING_WAIT = (
    "Pendaftaran Bapak/Ibu masih menunggu persetujuan admin. Bapak/Ibu akan diberi tahu "
    "setelah admin memutuskan."
)
ADMIN_ONLY = "Perintah ini hanya untuk admin. Perintah untuk Bapak/Ibu ada di /bantuan."
ROLE_REFUSED = (
    "Perintah ini tidak tersedia untuk jabatan Bapak/Ibu. Perintah untuk Bapak/Ibu ada di "
    "/bantuan."
)
GROUP_ONLY = "Perintah ini hanya berlaku di dalam grup. Kirim perintahnya di grup yang dimaksud."
COORDINATION_ONLY = (
    "Perintah ini hanya berlaku di grup koordinasi atau di obrolan pribadi dengan bot. Kirim "
    "perintahnya di salah satu tempat itu."
)
CALLBACK_REFUSED = "Tombol ini bukan untuk Bapak/Ibu. Perintah untuk Bapak/Ibu ada di /bantuan."
STALE_BUTTON = "Tombol ini sudah tidak berlaku. Ketik ulang perintahnya untuk tampilan terbaru."
FORWARDED_COMMAND = "Pesan terusan tidak diproses. Ketik perintahnya sendiri, misalnya /lapor."
ANONYMOUS = (
    "Perintah tidak dapat dipakai atas nama grup atau kanal. Kirim dari akun pribadi Bapak/Ibu."
)
PRIVATE_ONLY = (
    "Perintah ini hanya berlaku di obrolan pribadi dengan bot. Buka obrolan dengan bot, lalu "
    "kirim perintahnya di sana."
)
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
INTERNAL_ERROR = (
    "⚠️ Maaf, terjadi gangguan. Coba lagi sebentar lagi; jika masih gagal, hubungi operator "
    "Kesbangpol."
)
STORAGE_ERROR = "⚠️ Gagal menyimpan karena penyimpanan sedang terganggu. Coba lagi sebentar lagi."


def error_alert(kind: str, detail: str) -> str:
    """To admins: an error the bot logged (at most once a minute per kind); its name and
    message are the program's own words, shown as they are."""
    return (
        f"⚠️ Galat pada bot: <code>{escape(kind)}</code>\n<code>{escape(detail)}</code>\n"
        "Rinciannya ada di catatan galat bot; periksa jika galat ini berulang."
    )
