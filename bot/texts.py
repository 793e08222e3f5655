"""Every Indonesian text the bot shows, as HTML; user-supplied pieces are escaped here."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from html import escape

from domain.enums import Category, Level, MemberState, Role

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


def date_time(moment: datetime) -> str:
    """ "27/11/2024 14:05 WITA"."""
    return f"{moment:%d/%m/%Y} {clock_time(moment)}"


# --- command menus (set_my_commands) ------------------------------------------------------------

COMMAND_DESCRIPTIONS = {
    "start": "mulai dan lihat ID Anda",
    "daftar": "daftar sebagai petugas",
    "bantuan": "petunjuk penggunaan",
    "lapor": "kirim laporan situasi",
    "riwayat": "10 laporan terakhir Anda",
    "ralat": "ralat laporan Anda (24 jam)",
    "batal": "batalkan formulir",
    "status": "kondisi terkini tiap kecamatan",
    "rekap": "rekap kondisi hari ini atau tanggal tertentu",
    "belum": "petugas yang belum lapor hari ini",
    "laporan": "laporan terbaru",
    "lihat": "isi lengkap satu laporan",
    "cari": "cari laporan",
    "ekspor": "unduh CSV dan Excel",
    "grafik": "grafik laporan",
    "petugas": "daftar anggota",
    "tambah": "daftarkan atau ubah anggota",
    "setujui": "setujui pendaftaran",
    "tolak": "tolak pendaftaran",
    "nonaktifkan": "nonaktifkan anggota",
    "aktifkan": "aktifkan kembali anggota",
    "impor": "impor anggota dari CSV",
    "jadwal": "jadwal rekap dan pengingat",
    "cadangan": "unduh cadangan basis data",
}

# --- /start and /bantuan -------------------------------------------------------------------

LAPOR_HELP = (
    "<b>Cara melapor</b>\n"
    "/lapor — formulir dengan tombol (tingkat, kategori, keterangan, foto, lokasi)\n"
    "<code>/lapor aman</code> — nihil, tidak ada kejadian\n"
    "<code>/lapor waspada ada kerumunan di depan kantor desa</code> — laporan cepat\n"
    "Foto dengan keterangan <code>/lapor rawan ...</code> juga bisa.\n"
    "Tingkat: aman, waspada, rawan, darurat. "
    "Laporan rawan dan darurat langsung diteruskan ke grup koordinasi.\n"
    "/riwayat — laporan Anda · <code>/ralat 12 teks</code> — ralat laporan #12"
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
    "/grup_koordinasi — jadikan grup ini grup koordinasi (kirim di grup)\n"
    "/jadwal — jadwal rekap dan pengingat · /cadangan — unduh cadangan basis data"
)
DAFTAR_HELP = "Daftar sebagai petugas dengan /daftar (Camat, Kapolsek, Danramil)."
QUERY_HELP = (
    "<b>Memantau laporan</b>\n"
    "/status — kondisi terkini tiap kecamatan · /belum — yang belum lapor hari ini\n"
    "<code>/laporan bengalon kemarin</code> · <code>/lihat 12</code> · "
    "<code>/cari blokade</code>\n"
    "<code>/ekspor 2024-11-20 2024-11-27</code> — CSV dan Excel · <code>/grafik 14</code>"
)
HELP_BY_ACCESS = {
    "petugas": (LAPOR_HELP,),
    "koordinator": (REKAP_HELP, QUERY_HELP),
    "admin": (REKAP_HELP, QUERY_HELP, TAMBAH_HELP, ADMIN_HELP),
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
FORWARDED_COMMAND = "Pesan terusan tidak diproses. Ketik perintahnya sendiri, misalnya /lapor."
ANONYMOUS = "Perintah tidak dapat dipakai atas nama grup atau kanal. Kirim dari akun pribadi."
PRIVATE_ONLY = "Perintah ini dipakai di chat pribadi dengan bot."
UNKNOWN_COMMAND = "Perintah tidak dikenal. Ketik /bantuan untuk daftar perintah."
PLAIN_TEXT_HINT = "Untuk melapor, ketik misalnya <code>/lapor aman</code>. Bantuan: /bantuan"
SAVE_FAILED = "⚠️ Gagal menyimpan laporan, coba lagi sebentar lagi."
INTERNAL_ERROR = "⚠️ Maaf, terjadi gangguan. Silakan coba lagi."
STORAGE_ERROR = "⚠️ Gagal menyimpan, coba lagi sebentar lagi."

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


RECEIPT_DELAYED = "<i>Tanda terima ini terlambat karena gangguan jaringan.</i>"


def category_label(key: str | None) -> str:
    """The label of a stored category key ("-" when none)."""
    try:
        return CATEGORY_LABEL[Category(key)] if key else "-"
    except ValueError:
        return escape(key or "-")


def escalation(
    number: int,
    level: Level,
    kecamatan: str,
    role: Role,
    officer_name: str,
    moment: datetime,
    text: str,
    *,
    category: str | None = None,
    photos: int = 0,
    location: bool = False,
) -> str:
    """Alert posted to the coordination group for a Rawan or Darurat report."""
    lines = [
        f"{LEVEL_EMOJI[level]} <b>{LEVEL_LABEL[level].upper()}</b> · Laporan #{number}",
        f"Kecamatan: <b>{escape(kecamatan)}</b>",
        f"Pelapor: {ROLE_LABEL[role]} — {escape(officer_name)}",
        f"Waktu: {date_time(moment)}",
    ]
    if category:
        lines.append(f"Kategori: {category_label(category)}")
    extras = [f"📷 {photos} foto"] if photos else []
    if location:
        extras.append("📍 lokasi")
    if extras:
        lines.append("Lampiran: " + ", ".join(extras) + " (di bawah)")
    return "\n".join([*lines, "", escape(text)])


ACK_BUTTON = "✅ Diterima"


def ack_note(name: str, moment: datetime, seconds: int) -> str:
    """Appended to an escalation once acknowledged."""
    minutes = max(0, round(seconds / 60))
    return (
        f"\n\n✅ <b>Diterima</b> oleh {escape(name)} pukul {clock_time(moment)} ({minutes} menit)."
    )


def ack_for_officer(number: int, name: str, moment: datetime) -> str:
    """Tells the reporting officer who took their report."""
    who = f"<b>{escape(name)}</b>"
    return f"✅ Laporan #{number} Anda sudah diterima oleh {who} pukul {clock_time(moment)}."


def ack_done(number: int) -> str:
    """Callback answer for whoever acknowledged."""
    return f"Laporan #{number} dicatat sebagai diterima. Terima kasih."


ACK_NOT_READY = "Peringatan ini baru saja dikirim. Tekan lagi sebentar lagi."


def ack_taken(name: str | None) -> str:
    """Callback answer when someone else was first."""
    return f"Sudah diterima oleh {name[:120]}." if name else "Laporan ini sudah diterima."


def repage(
    number: int, level: Level, kecamatan: str, since: datetime, minutes: int, round_: int
) -> str:
    """Reminder that an urgent report is still unacknowledged."""
    return (
        f"⏰ <b>Belum diterima ({round_}/3)</b>: laporan #{number} "
        f"{LEVEL_EMOJI[level]} {LEVEL_LABEL[level]} dari <b>{escape(kecamatan)}</b> "
        f"sejak {clock_time(since)} ({minutes} menit). Mohon segera ditindaklanjuti dan tekan "
        f'"{ACK_BUTTON}".'
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
DAFTAR_EXPIRED = (
    "⌛ Formulir pendaftaran dibatalkan karena tidak ada kegiatan selama 30 menit. "
    "Ketik /daftar untuk mulai lagi."
)
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


# --- the guided /lapor form -----------------------------------------------------------------

FORM_LEVEL = "📝 <b>Laporan baru</b>\nPilih tingkat kondisi:"
FORM_AMAN = (
    "📝 Tingkat: 🟢 <b>Aman</b>\nTidak ada kejadian? Tekan <b>Nihil</b>. "
    "Ada hal yang perlu dicatat? Tekan <b>Ada catatan</b>."
)
NIHIL_BUTTON = "Nihil (tidak ada kejadian)"
MORE_BUTTON = "Ada catatan ➡️"
FORM_CATEGORY = "📝 Tingkat: {level}\nPilih kategori:"
FORM_TEXT = (
    "📝 Tingkat: {level} · Kategori: <b>{category}</b>\n"
    "Tulis keterangan kejadian (apa, di mana, berapa orang, tindakan), maksimal 3000 karakter."
)
FORM_TEXT_EMPTY = "Keterangan kosong. Tulis keterangan kejadian, atau /batal."
FORM_PHOTOS = "📷 Kirim foto kejadian (maksimal 5), atau tekan <b>Lewati</b>."
SKIP_BUTTON = "⏭ Lewati"
DONE_BUTTON = "✅ Selesai"


def form_photo_received(count: int, limit: int) -> str:
    """After each photo."""
    more = (
        "Kirim foto lain atau tekan <b>Selesai</b>." if count < limit else "Batas foto tercapai."
    )
    return f"📷 Foto {count}/{limit} diterima. {more}"


FORM_PHOTO_LIMIT = "Maksimal 5 foto. Tekan <b>Selesai</b> untuk lanjut."
FORM_PHOTO_HINT = (
    "Pada langkah ini kirim <b>foto</b> (bukan berkas, suara atau stiker), "
    "atau tekan Lewati/Selesai."
)
FORM_LOCATION = "📍 Bagikan lokasi kejadian dengan tombol di bawah, atau tekan <b>Lewati</b>."
LOCATION_BUTTON = "📍 Kirim lokasi"
LOCATION_SKIP = "Lewati"
FORM_LOCATION_HINT = "Tekan tombol <b>📍 Kirim lokasi</b> atau <b>Lewati</b>."
FORM_LOCATION_OK = "📍 Lokasi diterima."
FORM_LOCATION_SKIPPED = "Tanpa lokasi."
FORM_USE_BUTTONS = "Pilih dengan tombol pada pesan di atas, atau /batal."
SEND_BUTTON = "✅ Kirim"
EDIT_BUTTON = "✏️ Ubah"
CANCEL_BUTTON = "❌ Batal"
BACK_BUTTON = "↩️ Kembali"
FORM_EDIT_WHICH = "Bagian mana yang diubah?"
EDIT_LABELS = {
    "level": "Tingkat",
    "category": "Kategori",
    "text": "Keterangan",
    "photos": "Foto",
    "location": "Lokasi",
}
FORM_CANCELLED = "❌ Laporan dibatalkan, tidak ada yang dikirim."
FORM_EXPIRED = (
    "⌛ Formulir laporan dibatalkan karena tidak ada kegiatan selama 30 menit. "
    "Ketik /lapor untuk mulai lagi."
)


def form_summary(
    level: Level, category: str | None, text: str, photos: int, location: bool
) -> str:
    """The draft before sending."""
    return "\n".join(
        [
            "📝 <b>Periksa laporan Anda</b>",
            f"Tingkat: {level_badge(level)}",
            f"Kategori: {category_label(category)}",
            f"Foto: {photos}" if photos else "Foto: -",
            "Lokasi: ada" if location else "Lokasi: -",
            "",
            escape(text) if text else "<i>(tanpa keterangan)</i>",
        ]
    )


# --- /ralat and /riwayat --------------------------------------------------------------------

RALAT_USAGE = (
    "Tulis nomor laporan dan ralatnya, misalnya "
    "<code>/ralat 12 jumlah massa sekitar 50 orang, bukan 500</code>."
)
RALAT_TOO_OLD = "Ralat hanya dapat dibuat dalam 24 jam setelah laporan dikirim."


def ralat_not_found(number: int) -> str:
    """The report is not one of the officer's."""
    return f"Laporan #{number} tidak ada di riwayat Anda. Lihat /riwayat."


def ralat_saved(number: int) -> str:
    """Confirmation of a correction."""
    return f"✏️ Ralat untuk laporan #{number} disimpan."


def ralat_for_group(number: int, role: Role, kecamatan: str, name: str, text: str) -> str:
    """A correction to an escalated report, posted to the coordination group."""
    return (
        f"✏️ <b>Ralat laporan #{number}</b> dari {ROLE_LABEL[role]} {escape(kecamatan)} "
        f"({escape(name)}):\n{escape(text)}"
    )


RIWAYAT_EMPTY = "Anda belum pernah mengirim laporan. Kirim dengan /lapor."


def riwayat(lines: list[str]) -> str:
    """The officer's recent reports."""
    return "\n".join(["🗂 <b>10 laporan terakhir Anda</b>", "", *lines])


def riwayat_line(number: int, moment: datetime, level: Level, text: str, corrections: int) -> str:
    """One report in /riwayat."""
    words = text.split()
    snippet = " ".join(words[:8]) + (" …" if len(words) > 8 else "") if words else "nihil"
    tail = f" · ✏️ {corrections} ralat" if corrections else ""
    return (
        f"#{number} · {moment:%d/%m %H:%M} · {LEVEL_EMOJI[level]} {LEVEL_LABEL[level]}"
        f" · {escape(snippet)}{tail}"
    )


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


# --- queries: /status, /belum, /laporan, /lihat, /cari, /ekspor, /grafik -----------------------

PAGE_SIZE = 10


def status_view(day: date, moment: datetime, lines: list[str]) -> str:
    """Header and one line per kecamatan for /status."""
    return "\n".join(
        [f"📍 <b>Status kecamatan</b> — {long_date(day)}, pukul {clock_time(moment)}", "", *lines]
    )


def status_line(kecamatan: str, level: Level | None, count: int) -> str:
    """One kecamatan in /status."""
    if level is None:
        return f"⚪ <b>{escape(kecamatan)}</b> — belum lapor"
    return (
        f"{LEVEL_EMOJI[level]} <b>{escape(kecamatan)}</b> — {LEVEL_LABEL[level]} ({count} laporan)"
    )


BELUM_NONE = "✅ Semua petugas terdaftar sudah melapor hari ini."


def belum_view(day: date, lines: list[str], count: int) -> str:
    """Officers who have not reported today, by kecamatan."""
    return "\n".join([f"🕓 <b>Belum lapor</b> — {long_date(day)} ({count} petugas)", "", *lines])


def report_line(number: int, moment: datetime, level: Level, kecamatan: str, role: Role,
                text: str, corrections: int) -> str:  # fmt: skip
    """One report in a listing."""
    words = text.split()
    short = " ".join(words[:10]) + (" …" if len(words) > 10 else "") if words else "nihil"
    mark = " ✏️" if corrections else ""
    return (
        f"#{number} · {moment:%d/%m %H:%M} · {LEVEL_EMOJI[level]} {escape(kecamatan)} · "
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


LAPORAN_EMPTY = "Tidak ada laporan yang cocok."
LAPORAN_USAGE = (
    "Format: <code>/laporan [kecamatan] [tanggal]</code>, misalnya "
    "<code>/laporan bengalon kemarin</code> atau <code>/laporan 2024-11-27</code>."
)
LIHAT_USAGE = "Tulis nomor laporan, misalnya <code>/lihat 12</code>."


def lihat_missing(number: int) -> str:
    """No such report."""
    return f"Laporan #{number} tidak ditemukan."


def report_detail(
    number: int, level: Level, kecamatan: str, role: Role, officer: str, officer_id: int,
    moment: datetime, category: str | None, text: str, photos: int,
    location: tuple[float, float] | None, ack: str | None, escalated: bool,
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
    return (
        f"✅ Diterima oleh {escape(name)} pukul {clock_time(moment)} ({round(seconds / 60)} menit)"
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
    return f"Tidak ada laporan yang memuat “{escape(words)}”."


EKSPOR_USAGE = (
    "Format: <code>/ekspor [dari] [sampai]</code>, tanggal <code>YYYY-MM-DD</code>, "
    "<code>hari ini</code> atau <code>kemarin</code>; paling panjang 366 hari."
)
EKSPOR_WORKING = "⏳ Menyiapkan berkas ekspor..."


def ekspor_empty(first: date, last: date) -> str:
    """Nothing to export."""
    return f"Tidak ada laporan pada {first:%d/%m/%Y}–{last:%d/%m/%Y}."


def ekspor_caption(first: date, last: date, count: int, kind: str) -> str:
    """Caption of an export file."""
    return f"{kind}: {count} laporan, {first:%d/%m/%Y}–{last:%d/%m/%Y}"


GRAFIK_USAGE = "Format: <code>/grafik [hari]</code>, 1 sampai 90 hari (default 7)."


def grafik_empty(days: int) -> str:
    """Nothing to chart."""
    return f"Belum ada laporan dalam {days} hari terakhir."


def grafik_caption(days: int, last: date) -> str:
    """Caption of the chart."""
    return f"📊 Laporan {days} hari terakhir sampai {last:%d/%m/%Y}."


# --- backups ----------------------------------------------------------------------------------

BACKUP_TOO_BIG = (
    "Basis data lebih dari 50 MB, terlalu besar untuk dikirim lewat Telegram. "
    "Ambil cadangan harian dari folder BACKUP_DIR di server."
)


def photo_caption(number: int) -> str:
    """Caption of an escalated report's photo or album."""
    return f"📷 Laporan #{number}"


def backup_caption(moment: datetime) -> str:
    """Caption of a /cadangan snapshot."""
    return (
        f"💾 Cadangan basis data Posko, {date_time(moment)}. Simpan di tempat aman; "
        "cara memulihkan ada di README (Operations)."
    )
