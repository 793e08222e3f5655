"""Every Indonesian text the bot shows, as HTML; user-supplied pieces are escaped here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from html import escape

from bot.domain import Level, MemberState, Role

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


def utf16_len(text: str) -> int:
    """Length as Telegram counts it (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


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

LAPOR_HELP = (
    "<b>Cara melapor</b>\n"
    "<code>/lapor aman</code> — nihil, tidak ada kejadian\n"
    "<code>/lapor waspada ada kerumunan di depan kantor desa</code>\n"
    "Tingkat: aman, waspada, rawan, darurat. "
    "Laporan rawan dan darurat langsung diteruskan ke grup koordinasi."
)
REKAP_HELP = (
    "<b>Rekap</b>\n"
    "<code>/rekap</code> — hari ini · <code>/rekap 2024-11-27</code> · "
    "<code>/rekap kemarin</code>"
)
TAMBAH_HELP = (
    "<b>Mendaftarkan anggota</b>\n"
    "<code>/tambah 123456789 | camat | Bengalon | Nama Lengkap</code>\n"
    "Peran: camat, kapolsek, danramil; koordinator dan admin dengan kecamatan <code>-</code>."
)
ADMIN_HELP = (
    "<b>Admin</b>\n"
    "/petugas [kecamatan] — daftar anggota\n"
    "/setujui &lt;id&gt; · /tolak &lt;id&gt; — keputusan pendaftaran\n"
    "/nonaktifkan &lt;id&gt; · /aktifkan &lt;id&gt;\n"
    "/impor — impor anggota dari berkas CSV\n"
    "/grup_koordinasi — jadikan grup ini grup koordinasi (kirim di grup)"
)
DAFTAR_HELP = "Daftar sebagai petugas dengan /daftar (Camat, Kapolsek, Danramil)."
HELP_BY_ACCESS = {
    "petugas": (LAPOR_HELP,),
    "koordinator": (REKAP_HELP,),
    "admin": (REKAP_HELP, TAMBAH_HELP, ADMIN_HELP),
    "unknown": (DAFTAR_HELP,),
}


def welcome(first_name: str, access: str, status: str | None) -> str:
    """Greeting, registration status and the help of this user's role."""
    lines = [
        f"Selamat datang di <b>Posko</b>, {escape(first_name)}!",
        "Bot ini menerima laporan situasi kamtibmas selama Pilkada dari Forkopimcam "
        "dan meneruskannya ke Forkopimda.",
    ]
    if status:
        lines += ["", status]
    for section in HELP_BY_ACCESS.get(access, ()):
        lines += ["", section]
    return "\n".join(lines)


def registered_as(name: str, role: Role, kecamatan: str | None) -> str:
    """ "Anda terdaftar sebagai Camat Bengalon (Nama)."."""
    return f"Anda terdaftar sebagai <b>{member_title(role, kecamatan)}</b> ({escape(name)})."


def your_id(user_id: int) -> str:
    """Tells a user their numeric id (admins need it to register them)."""
    return f"ID Telegram Anda: <code>{user_id}</code>"


def group_id(chat_id: int) -> str:
    """Tells the group's id (operators put it in COORDINATION_CHAT_ID)."""
    return f"ID grup ini: <code>{chat_id}</code>"


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
ANONYMOUS = "Perintah tidak dapat dipakai atas nama grup atau kanal. Kirim dari akun pribadi."
PRIVATE_ONLY = "Perintah ini dipakai di chat pribadi dengan bot."
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
TAMBAH_BAD_ROLE = (
    "Peran harus camat, kapolsek, danramil, koordinator atau admin.\n\n" + TAMBAH_HELP
)
TAMBAH_BAD_NAME = "Nama wajib diisi (maksimal 200 karakter).\n\n" + TAMBAH_HELP


def tambah_bad_kecamatan(valid: Iterable[str]) -> str:
    """Unknown kecamatan, with the list of valid ones."""
    return (
        "Kecamatan tidak dikenal. Pilih salah satu:\n"
        + ", ".join(escape(n) for n in valid)
        + "\nKoordinator dan admin tanpa kecamatan: isi <code>-</code>."
    )


def officer_saved(
    name: str, role: Role, kecamatan: str | None, user_id: int, *, added: bool
) -> str:
    """Reply to `/tambah`."""
    verb = "didaftarkan" if added else "diperbarui"
    return (
        f"✅ Anggota {verb}: <b>{escape(name)}</b>, {member_title(role, kecamatan)} "
        f"(ID <code>{user_id}</code>)."
    )


# --- /rekap --------------------------------------------------------------------------------

REKAP_BAD_DATE = (
    "Tanggal tidak dikenal. Gunakan format <code>YYYY-MM-DD</code>, "
    "misalnya <code>/rekap 2024-11-27</code>, atau <code>hari ini</code>/<code>kemarin</code>."
)
REKAP_FUTURE = "Tanggal itu belum tiba. Rekap tersedia sampai hari ini."


# --- registry: /daftar, decisions, activation, /petugas, /impor, /grup_koordinasi ------------

ROLE_NAMES = {**ROLE_LABEL, Role.KOORDINATOR: "Koordinator", Role.ADMIN: "Admin"}
STATE_LABEL = {
    MemberState.ACTIVE: "aktif",
    MemberState.PENDING: "menunggu",
    MemberState.INACTIVE: "nonaktif",
    MemberState.REJECTED: "ditolak",
}


def member_title(role: Role, kecamatan: str | None) -> str:
    """ "Camat Bengalon" or "Koordinator"."""
    label = ROLE_NAMES[role]
    return f"{label} {escape(kecamatan)}" if kecamatan else label


DAFTAR_CHOOSE_ROLE = "📝 <b>Pendaftaran petugas</b>\nPilih peran Anda:"
DAFTAR_CHOOSE_KECAMATAN = "📝 Peran: <b>{role}</b>\nPilih kecamatan Anda:"
DAFTAR_ASK_NAME = (
    "📝 Peran: <b>{role}</b>, Kecamatan: <b>{kecamatan}</b>\n"
    "Ketik nama lengkap Anda (boleh dengan pangkat/NIP)."
)
DAFTAR_BAD_NAME = "Nama wajib diisi, paling banyak 200 karakter. Ketik nama lengkap Anda."
DAFTAR_ASK_PHONE = (
    'Bagikan nomor telepon Anda dengan tombol di bawah (opsional), atau tekan "Lewati".'
)
DAFTAR_PHONE_BUTTON = "📱 Kirim nomor telepon"
DAFTAR_SKIP = "Lewati"
DAFTAR_NOT_OWN_CONTACT = 'Kirim nomor Anda sendiri dengan tombol di bawah, atau tekan "Lewati".'
DAFTAR_USE_BUTTONS = "Pilih dengan tombol pada pesan di atas, atau /batal untuk berhenti."
DAFTAR_CANCELLED = "Pendaftaran dibatalkan. Ketik /daftar untuk mulai lagi."
NOTHING_TO_CANCEL = "Tidak ada proses yang sedang berjalan."
DAFTAR_ALREADY_ACTIVE = "Anda sudah terdaftar sebagai <b>{title}</b>. Tidak perlu mendaftar lagi."
DAFTAR_ADMIN = "Anda admin; admin tidak perlu mendaftar."


def daftar_sent(role: Role, kecamatan: str, name: str) -> str:
    """Told to the applicant once the request is filed."""
    return (
        f"⏳ Pendaftaran sebagai <b>{member_title(role, kecamatan)}</b> atas nama "
        f"<b>{escape(name)}</b> sudah dikirim. Anda akan diberi tahu setelah admin memutuskan."
    )


def registration_request(
    user_id: int, role: Role, kecamatan: str | None, name: str, phone: str | None
) -> str:
    """The request as shown to admins."""
    lines = [
        "📝 <b>Permohonan pendaftaran</b>",
        f"Nama: <b>{escape(name)}</b>",
        f"Peran: {member_title(role, kecamatan)}",
        f"ID Telegram: <code>{user_id}</code>",
    ]
    if phone:
        lines.append(f"Telepon: {escape(phone)}")
    return "\n".join(lines)


APPROVE_BUTTON = "✅ Setujui"
REJECT_BUTTON = "❌ Tolak"


def decision_note(approved: bool, admin_name: str, moment: datetime) -> str:
    """Appended to every admin's copy of a request once decided."""
    verdict = "✅ Disetujui" if approved else "❌ Ditolak"
    return f"\n\n{verdict} oleh {escape(admin_name)} pukul {clock_time(moment)}."


def decided_answer(approved: bool) -> str:
    """Callback answer for the admin who decided."""
    return "Pendaftaran disetujui." if approved else "Pendaftaran ditolak."


ALREADY_DECIDED = "Permohonan ini sudah diputuskan (atau tidak ada)."


def approved_for_member(role: Role, kecamatan: str | None) -> str:
    """Told to the applicant when approved."""
    title = member_title(role, kecamatan)
    follow = "\n\n" + LAPOR_HELP if role.is_field else ""
    return f"✅ Pendaftaran disetujui. Anda terdaftar sebagai <b>{title}</b>.{follow}"


def added_for_member(role: Role, kecamatan: str | None) -> str:
    """Told to someone an admin registered with /tambah."""
    title = member_title(role, kecamatan)
    follow = "\n\n" + LAPOR_HELP if role.is_field else "\n\nLihat /bantuan."
    return f"Anda didaftarkan sebagai <b>{title}</b> di Posko.{follow}"


REJECTED_FOR_MEMBER = (
    "❌ Pendaftaran Anda ditolak. Hubungi operator Kesbangpol bila ada kekeliruan."
)
USER_ID_USAGE = "Tulis ID pengguna (angka), misalnya <code>/{command} 123456789</code>."


def decided_reply(approved: bool, name: str, user_id: int) -> str:
    """Reply to /setujui or /tolak."""
    verdict = "disetujui" if approved else "ditolak"
    return f"Pendaftaran <b>{escape(name)}</b> (ID <code>{user_id}</code>) {verdict}."


def no_pending(user_id: int) -> str:
    """Nothing to decide for that id."""
    return f"Tidak ada permohonan yang menunggu untuk ID <code>{user_id}</code>."


def activation_reply(active: bool, name: str, user_id: int) -> str:
    """Reply to /aktifkan or /nonaktifkan."""
    verdict = "diaktifkan" if active else "dinonaktifkan"
    return f"<b>{escape(name)}</b> (ID <code>{user_id}</code>) {verdict}."


def no_member(user_id: int) -> str:
    """No approved member with that id."""
    return f"Tidak ada anggota terdaftar (aktif/nonaktif) dengan ID <code>{user_id}</code>."


BOOTSTRAP_ADMIN_FIXED = (
    "ID ini admin utama dari pengaturan ADMIN_IDS dan tidak dapat diubah dari dalam bot."
)
DEACTIVATED_FOR_MEMBER = "Akun Anda dinonaktifkan oleh admin. Hubungi operator Kesbangpol."
ACTIVATED_FOR_MEMBER = "Akun Anda diaktifkan kembali. Lihat /bantuan."


def directory_page(
    lines: list[str], page: int, pages: int, total: int, kecamatan: str | None
) -> str:
    """One page of /petugas."""
    where = f" — {escape(kecamatan)}" if kecamatan else ""
    header = f"👥 <b>Daftar anggota{where}</b> ({total} orang)"
    footer = f"\nHalaman {page + 1}/{pages}" if pages > 1 else ""
    return "\n".join([header, "", *lines]) + footer


def directory_line(
    name: str,
    role: Role,
    kecamatan: str | None,
    state: MemberState,
    user_id: int,
    last_report: datetime | None,
) -> str:
    """One member in /petugas."""
    last = f"lapor terakhir {date_time(last_report)}" if last_report else "belum pernah lapor"
    if not role.is_field:
        last = ""
    state_text = "" if state is MemberState.ACTIVE else f" · <i>{STATE_LABEL[state]}</i>"
    tail = f"\n   {last}" if last else ""
    return (
        f"• <b>{escape(name)}</b> — {member_title(role, kecamatan)}{state_text} "
        f"(<code>{user_id}</code>){tail}"
    )


DIRECTORY_EMPTY = "Belum ada anggota terdaftar."
PREV_BUTTON = "⬅️"
NEXT_BUTTON = "➡️"

IMPOR_HELP = (
    "Kirim berkas CSV dengan keterangan (caption) <code>/impor</code>, atau balas berkasnya "
    "dengan <code>/impor</code>.\nKolom: <code>user_id,peran,kecamatan,nama[,telepon]</code> "
    "(baris judul, UTF-8, pemisah koma atau titik koma). Peran: camat, kapolsek, danramil, "
    "koordinator (kecamatan diisi - untuk koordinator)."
)
IMPOR_TOO_BIG = "Berkas terlalu besar (maksimal 1 MB). Pecah menjadi beberapa berkas."
IMPOR_NOT_CSV = 'Berkas harus CSV (.csv). Simpan dari Excel sebagai "CSV UTF-8".'
IMPOR_DOWNLOAD_FAILED = "Berkas tidak dapat diunduh. Coba kirim lagi."


def impor_failed(problems: list[tuple[int, str]], limit: int = 40) -> str:
    """Every bad row (up to `limit`), when nothing was imported."""
    lines = [f"❌ <b>Impor dibatalkan</b>: {len(problems)} kesalahan, tidak ada yang disimpan."]
    lines += [f"Baris {line}: {escape(reason)}" for line, reason in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... dan {len(problems) - limit} kesalahan lain.")
    lines.append("Perbaiki berkas lalu kirim lagi.")
    return "\n".join(lines)


def impor_file_error(reason: str) -> str:
    """The file as a whole is unusable."""
    return f"❌ <b>Impor dibatalkan</b>: {escape(reason)}\n\n{IMPOR_HELP}"


def impor_done(added: int, updated: int) -> str:
    """Counts after a successful import."""
    return f"✅ Impor selesai: {added} anggota ditambahkan, {updated} diperbarui."


COORDINATION_SET = (
    "✅ Grup ini sekarang menjadi <b>grup koordinasi</b>: laporan rawan/darurat dan rekap "
    "dikirim ke sini."
)
