"""Every Indonesian text the bot shows, as HTML; user-supplied pieces are escaped here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from html import escape

from bot.domain import Level, Role

LEVEL_EMOJI = {Level.AMAN: "🟢", Level.WASPADA: "🟡", Level.RAWAN: "🟠", Level.DARURAT: "🔴"}
LEVEL_LABEL = {
    Level.AMAN: "Aman",
    Level.WASPADA: "Waspada",
    Level.RAWAN: "Rawan",
    Level.DARURAT: "Darurat",
}
ROLE_LABEL = {Role.CAMAT: "Camat", Role.KAPOLSEK: "Kapolsek", Role.DANRAMIL: "Danramil"}
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


def date_time(moment: datetime) -> str:
    """ "27/11/2024 14:05 WITA"."""
    return f"{moment:%d/%m/%Y} {clock_time(moment)}"


# --- /start and /bantuan -------------------------------------------------------------------

COMMANDS_OFFICER = (
    ("lapor", "kirim laporan situasi"),
    ("bantuan", "petunjuk penggunaan"),
)
COMMANDS_ADMIN = (
    ("lapor", "kirim laporan situasi (petugas)"),
    ("rekap", "rekap kondisi hari ini atau tanggal tertentu"),
    ("tambah", "daftarkan petugas"),
    ("bantuan", "petunjuk penggunaan"),
)
COMMANDS_EVERYONE = (
    ("start", "mulai"),
    ("bantuan", "petunjuk penggunaan"),
)

LAPOR_HELP = (
    "<b>Cara melapor</b>\n"
    "<code>/lapor aman</code> — nihil, tidak ada kejadian\n"
    "<code>/lapor waspada ada kerumunan di depan kantor desa</code>\n"
    "Tingkat: aman, waspada, rawan, darurat. "
    "Laporan rawan dan darurat langsung diteruskan ke grup koordinasi."
)
REKAP_HELP = (
    "<b>Rekap</b>\n"
    "<code>/rekap</code> — hari ini\n"
    "<code>/rekap 2024-11-27</code> — tanggal tertentu"
)
TAMBAH_HELP = (
    "<b>Mendaftarkan petugas</b>\n"
    "<code>/tambah 123456789 | camat | Bengalon | Nama Lengkap</code>\n"
    "Peran: camat, kapolsek, danramil."
)


def welcome(first_name: str, *, is_admin: bool, officer_line: str | None) -> str:
    """Greeting with the commands this user may use."""
    lines = [f"Selamat datang di <b>Posko</b>, {escape(first_name)}!"]
    lines.append(
        "Bot ini menerima laporan situasi kamtibmas selama Pilkada dari Forkopimcam "
        "dan meneruskannya ke Forkopimda."
    )
    if officer_line:
        lines += ["", officer_line, "", LAPOR_HELP]
    if is_admin:
        lines += ["", "Anda terdaftar sebagai <b>admin</b>.", "", REKAP_HELP, "", TAMBAH_HELP]
    if not officer_line and not is_admin:
        lines += ["", NOT_REGISTERED]
    return "\n".join(lines)


def officer_line(name: str, role: Role, kecamatan: str) -> str:
    """ "Anda terdaftar sebagai Camat Bengalon (Nama)."."""
    return (
        f"Anda terdaftar sebagai <b>{ROLE_LABEL[role]} {escape(kecamatan)}</b> ({escape(name)})."
    )


def your_id(user_id: int) -> str:
    """Tells a user their numeric id (admins need it to register them)."""
    return f"ID Telegram Anda: <code>{user_id}</code>"


def group_id(chat_id: int) -> str:
    """Tells the group's id (operators put it in COORDINATION_CHAT_ID)."""
    return f"ID grup ini: <code>{chat_id}</code>"


NOT_REGISTERED = (
    "Anda belum terdaftar sebagai petugas. Kirim ID Telegram Anda (lihat /start) "
    "ke operator Kesbangpol agar didaftarkan."
)
INACTIVE = "Akun petugas Anda sedang nonaktif. Hubungi operator Kesbangpol."
ADMIN_ONLY = "Perintah ini hanya untuk admin."
ANONYMOUS = "Perintah tidak dapat dipakai atas nama grup atau kanal. Kirim dari akun pribadi."
PRIVATE_ONLY = "Perintah ini dipakai di chat pribadi dengan bot."
REKAP_REFUSED = "Rekap hanya untuk admin, atau di grup koordinasi."
UNKNOWN_COMMAND = "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah."
PLAIN_TEXT_HINT = "Untuk melapor, ketik misalnya <code>/lapor aman</code>. Bantuan: /bantuan"
SAVE_FAILED = "⚠️ Gagal menyimpan laporan, coba lagi sebentar lagi."
INTERNAL_ERROR = "⚠️ Maaf, terjadi gangguan. Silakan coba lagi."

# --- /lapor --------------------------------------------------------------------------------

LAPOR_EMPTY = "Tulis tingkat dan isi laporan.\n\n" + LAPOR_HELP
LAPOR_UNKNOWN_LEVEL = (
    "Tingkat tidak dikenal. Pilih salah satu: aman, waspada, rawan, darurat.\n"
    "Contoh: <code>/lapor waspada ada kerumunan di pasar</code>"
)
LAPOR_TEXT_REQUIRED = (
    "Laporan waspada, rawan dan darurat perlu keterangan.\n"
    "Contoh: <code>/lapor rawan massa memblokade jalan menuju gudang logistik</code>"
)


def lapor_too_long(limit: int) -> str:
    """The narrative is over the limit."""
    return f"Keterangan terlalu panjang (maksimal {limit} karakter). Ringkas lalu kirim lagi."


def receipt(number: int, level: Level, kecamatan: str, moment: datetime, *, nihil: bool) -> str:
    """Confirmation sent after the report is committed."""
    what = "nihil (tidak ada kejadian)" if nihil else level_badge(level)
    lines = [
        f"✅ <b>Laporan #{number} diterima</b> pukul {clock_time(moment)}.",
        f"{escape(kecamatan)} · {what}",
    ]
    if level.escalates:
        lines.append("📣 Laporan ini diteruskan ke grup koordinasi.")
    return "\n".join(lines)


def escalation(
    number: int,
    level: Level,
    kecamatan: str,
    role: Role,
    officer_name: str,
    moment: datetime,
    text: str,
) -> str:
    """Alert posted to the coordination group for a Rawan or Darurat report."""
    return "\n".join(
        [
            f"{LEVEL_EMOJI[level]} <b>{LEVEL_LABEL[level].upper()}</b> · Laporan #{number}",
            f"Kecamatan: <b>{escape(kecamatan)}</b>",
            f"Pelapor: {ROLE_LABEL[role]} — {escape(officer_name)}",
            f"Waktu: {date_time(moment)}",
            "",
            escape(text),
        ]
    )


# --- /tambah -------------------------------------------------------------------------------

TAMBAH_USAGE = "Format belum tepat.\n\n" + TAMBAH_HELP
TAMBAH_BAD_USER_ID = "ID pengguna harus angka ID Telegram (bukan @username).\n\n" + TAMBAH_HELP
TAMBAH_BAD_ROLE = "Peran harus camat, kapolsek atau danramil.\n\n" + TAMBAH_HELP
TAMBAH_BAD_NAME = "Nama wajib diisi (maksimal 200 karakter).\n\n" + TAMBAH_HELP


def tambah_bad_kecamatan(valid: Iterable[str]) -> str:
    """Unknown kecamatan, with the list of valid ones."""
    return "Kecamatan tidak dikenal. Pilih salah satu:\n" + ", ".join(escape(n) for n in valid)


def officer_saved(name: str, role: Role, kecamatan: str, user_id: int, *, added: bool) -> str:
    """Reply to `/tambah`."""
    verb = "didaftarkan" if added else "diperbarui"
    return (
        f"✅ Petugas {verb}: <b>{escape(name)}</b>, {ROLE_LABEL[role]} "
        f"<b>{escape(kecamatan)}</b> (ID <code>{user_id}</code>)."
    )


def officer_welcome(role: Role, kecamatan: str) -> str:
    """Sent to a newly registered officer (when they have started the bot)."""
    return (
        f"Anda didaftarkan sebagai <b>{ROLE_LABEL[role]} {escape(kecamatan)}</b> di Posko.\n\n"
        + LAPOR_HELP
    )


# --- /rekap --------------------------------------------------------------------------------

REKAP_BAD_DATE = (
    "Tanggal tidak dikenal. Gunakan format <code>YYYY-MM-DD</code>, "
    "misalnya <code>/rekap 2024-11-27</code>, atau <code>hari ini</code>/<code>kemarin</code>."
)
REKAP_FUTURE = "Tanggal itu belum tiba. Rekap tersedia sampai hari ini."
