"""Start, help, registration, member administration, imports and the coordination group."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta
from html import escape

from bot.texts.common import NEXT_BUTTON, ROLE_LABEL, clock_time, date_time, duration
from domain.enums import MemberState, Role
from domain.roster import Finding, Problem

# --- examples shown with a refused /lapor or /tambah ------------------------------------------

LAPOR_HELP = (
    "<b>Cara melapor</b>\n"
    "/lapor — formulir dengan tombol (tingkat, kategori, keterangan, foto, dan lokasi)\n"
    "<code>/lapor aman</code> — nihil, tidak ada kejadian\n"
    "<code>/lapor waspada ada kerumunan di depan kantor desa</code> — laporan cepat\n"
    "Foto dengan keterangan <code>/lapor rawan ...</code> juga bisa.\n"
    "Tingkat: aman, waspada, rawan, dan darurat. "
    "Laporan rawan dan darurat langsung diteruskan ke grup koordinasi.\n"
    "/riwayat — laporan Bapak/Ibu · <code>/ralat 12 teks</code> — ralat laporan #12"
)
TAMBAH_HELP = (
    "<b>Mendaftarkan pengguna</b>\n"
    "<code>/tambah 123456789 | camat | Bengalon | Nama Lengkap</code>\n"
    "Jabatan: camat, kapolsek, danramil, koordinator, atau admin; koordinator dan admin dengan "
    "kecamatan <code>-</code>."
)


def welcome(title: str | None, status: str | None) -> str:
    """Greeting and registration status; a registered person is addressed by jabatan and
    kecamatan (`title`, e.g. "Camat Bengalon"), never by their Telegram name."""
    greeting = (
        f"Selamat datang di <b>Posko</b>, Bapak/Ibu {title}."
        if title
        else "Selamat datang di <b>Posko</b>."
    )
    if title:  # registered: they know what the bot is for
        return "\n".join([greeting, *([status] if status else [])])
    lines = [
        greeting,
        "Bot ini menerima laporan situasi kamtibmas selama Pilkada dari Forkopimcam "
        "dan meneruskannya ke Forkopimda.",
    ]
    if status:
        lines += ["", status]
    return "\n".join(lines)


def help_page(
    greeting: str | None, help_lines: list[str], ids: str, page: int = 0, pages: int = 1
) -> str:
    """/start and /bantuan: the greeting (first page), the commands this person may use (one
    page of them), and the Telegram ids (last page)."""
    blocks = [greeting] if greeting and page == 0 else []
    if help_lines:
        part = f" ({page + 1}/{pages})" if pages > 1 else ""
        blocks.append("\n".join([f"<b>Perintah untuk Bapak/Ibu</b>{part}", *help_lines]))
    if page == pages - 1:
        blocks.append(ids)
    elif pages > 1:
        blocks.append(f"Perintah lain: tekan {NEXT_BUTTON}")
    return "\n\n".join(blocks)


def registered_as(name: str) -> str:
    """ "Terdaftar di Posko atas nama Budi." (the greeting names the jabatan)."""
    return f"Terdaftar di Posko atas nama <b>{escape(name)}</b>."


def your_id(user_id: int) -> str:
    """Tells a user their numeric id (admins need it to register them)."""
    return f"ID Telegram Bapak/Ibu: <code>{user_id}</code>"


def group_id(chat_id: int) -> str:
    """Tells the group's id (operators put it in COORDINATION_CHAT_ID)."""
    return f"ID grup ini: <code>{chat_id}</code>"


# --- /tambah -------------------------------------------------------------------------------

TAMBAH_USAGE = "Format belum tepat. Tulis sesuai contoh berikut.\n\n" + TAMBAH_HELP
TAMBAH_BAD_USER_ID = (
    "ID pengguna harus angka ID Telegram, bukan nama @pengguna. Tulis ulang sesuai contoh.\n\n"
    + TAMBAH_HELP
)
TAMBAH_BAD_ROLE = (
    "Jabatan harus camat, kapolsek, danramil, koordinator, atau admin. Tulis ulang sesuai "
    "contoh.\n\n" + TAMBAH_HELP
)
TAMBAH_BAD_NAME = (
    "Nama wajib diisi, paling banyak 200 karakter. Tulis ulang sesuai contoh.\n\n" + TAMBAH_HELP
)


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
        f"✅ Pengguna {verb}: <b>{escape(name)}</b>, {member_title(role, kecamatan)} "
        f"(ID <code>{user_id}</code>)."
    )


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


DAFTAR_CHOOSE_ROLE = "📝 <b>Pendaftaran petugas</b>\nPilih jabatan Bapak/Ibu:"
DAFTAR_CHOOSE_KECAMATAN = "📝 Jabatan: <b>{role}</b>\nPilih kecamatan tempat Bapak/Ibu bertugas:"
DAFTAR_ASK_NAME = (
    "📝 <b>{role} {kecamatan}</b>\n"
    "Ketik pangkat (jika ada) dan nama lengkap Bapak/Ibu, misalnya <i>AKP Agus Salim</i> atau "
    "<i>Drs. Budi Santoso, M.Si.</i>"
)
DAFTAR_BAD_NAME = "Pangkat dan nama wajib diisi, paling banyak 200 karakter. Ketik lagi."
DAFTAR_ASK_NRP = "Ketik NRP (Polri, TNI) atau NIP Bapak/Ibu. Jika tidak ada, tekan <b>Lewati</b>."
DAFTAR_BAD_NRP = "NRP atau NIP berisi 6 sampai 20 angka. Ketik lagi atau tekan <b>Lewati</b>."
DAFTAR_SKIP_BUTTON = "⏭ Lewati"
DAFTAR_ASK_PHONE = (
    'Kirim nomor telepon Bapak/Ibu dengan tombol di bawah, ketik nomornya, atau tekan "Lewati".'
)
DAFTAR_PHONE_BUTTON = "📱 Kirim nomor telepon"
DAFTAR_SKIP = "Lewati"
DAFTAR_NOT_OWN_CONTACT = (
    'Kirim nomor Bapak/Ibu sendiri dengan tombol di bawah, ketik nomornya, atau tekan "Lewati".'
)
DAFTAR_BAD_PHONE = (
    "Nomor telepon tidak dikenali. Ketik misalnya <code>0812 3456 7890</code>, kirim dengan "
    'tombol di bawah, atau tekan "Lewati".'
)
DAFTAR_PHONE_KEPT = "📱 Nomor telepon tersimpan."
DAFTAR_PHONE_SKIPPED = "Tanpa nomor telepon."
DAFTAR_SEND_BUTTON = "✅ Kirim"
DAFTAR_RESTART_BUTTON = "🔄 Ulangi"
DAFTAR_CANCEL_BUTTON = "❌ Batal"


def daftar_summary(
    role: Role, kecamatan: str, name: str, service_number: str | None, phone: str | None
) -> str:
    """The registration before it is sent."""
    return "\n".join(
        [
            "📝 <b>Periksa pendaftaran Bapak/Ibu</b> (<b>belum terkirim</b>)",
            f"Jabatan: {member_title(role, kecamatan)}",
            f"Pangkat dan nama: <b>{escape(name)}</b>",
            f"NRP/NIP: {escape(service_number) if service_number else '-'}",
            f"Telepon: {escape(phone) if phone else '-'}",
            "",
            "Pendaftaran baru dikirim ke admin setelah Bapak/Ibu menekan <b>✅ Kirim</b>.",
        ]
    )


DAFTAR_USE_BUTTONS = "Pilih dengan tombol pada pesan di atas atau ketik /batal untuk berhenti."
DAFTAR_CANCELLED = "Pendaftaran dibatalkan. Ketik /daftar untuk mulai lagi."
DAFTAR_ENDED = "⌛ Formulir pendaftaran sudah ditutup. Ketik /daftar untuk mulai lagi."


def daftar_expired(idle: timedelta, name: str | None) -> str:
    """The registration form was closed for lack of activity; what was typed comes back."""
    lines = [
        f"⌛ Formulir pendaftaran ditutup karena tidak ada kegiatan selama {duration(idle)}; "
        "pendaftaran <b>belum terkirim</b>."
    ]
    if name:
        lines.append(f"Pangkat dan nama yang sudah Bapak/Ibu tulis: <code>{escape(name)}</code>")
    lines.append("Ketik /daftar untuk mulai lagi.")
    return "\n".join(lines)


NOTHING_TO_CANCEL = (
    "Tidak ada formulir yang sedang diisi. Perintah untuk Bapak/Ibu ada di /bantuan."
)
DAFTAR_ALREADY_ACTIVE = (
    "Bapak/Ibu sudah terdaftar sebagai <b>{title}</b>; tidak perlu mendaftar lagi. Perintah "
    "untuk Bapak/Ibu ada di /bantuan."
)
DAFTAR_ADMIN = (
    "Bapak/Ibu terdaftar sebagai admin; admin tidak perlu mendaftar. Perintah admin ada di "
    "/bantuan."
)


def daftar_sent(role: Role, kecamatan: str, name: str) -> str:
    """Told to the applicant once the request is filed."""
    return (
        f"⏳ Pendaftaran sebagai <b>{member_title(role, kecamatan)}</b> atas nama "
        f"<b>{escape(name)}</b> sudah dikirim ke admin. Bapak/Ibu akan diberi tahu setelah "
        "admin memutuskan."
    )


def registration_request(
    user_id: int,
    role: Role,
    kecamatan: str | None,
    name: str,
    phone: str | None,
    service_number: str | None = None,
    holders: Iterable[tuple[str, int, MemberState]] = (),
) -> str:
    """The request as shown to admins; `holders` (name, id, state): others registered with that
    jabatan in that kecamatan, of whom the admin is warned."""
    lines = [
        "📝 <b>Permohonan pendaftaran</b>",
        f"Pangkat dan nama: <b>{escape(name)}</b>",
        f"Jabatan: {member_title(role, kecamatan)}",
    ]
    if service_number:
        lines.append(f"NRP/NIP: {escape(service_number)}")
    lines.append(f"ID Telegram: <code>{user_id}</code>")
    if phone:
        lines.append(f"Telepon: {escape(phone)}")
    for holder, holder_id, state in holders:
        lines.append(
            f"⚠️ {member_title(role, kecamatan)} sudah terdaftar: <b>{escape(holder)}</b> "
            f"(ID <code>{holder_id}</code>, {STATE_LABEL[state]}). Periksa sebelum menyetujui."
        )
    return "\n".join(lines)


APPROVE_BUTTON = "✅ Setujui"
REJECT_BUTTON = "❌ Tolak"
REJECT_CONFIRM_BUTTON = "❌ Ya, tolak"
REJECT_BACK_BUTTON = "↩️ Kembali"
REJECT_CONFIRM_ASK = "Yakin menolak? Tekan ❌ Ya, tolak untuk memastikan."


def decision_note(approved: bool, admin_name: str, moment: datetime) -> str:
    """Appended to every admin's copy of a request once decided."""
    verdict = "✅ Disetujui" if approved else "❌ Ditolak"
    return f"\n\n{verdict} oleh {escape(admin_name)} pukul {clock_time(moment)}."


def decided_answer(approved: bool) -> str:
    """Callback answer for the admin who decided."""
    return "Pendaftaran disetujui." if approved else "Pendaftaran ditolak."


ALREADY_DECIDED = "Permohonan ini sudah diputuskan atau tidak ada. Lihat /petugas."


def approved_for_member(role: Role, kecamatan: str | None) -> str:
    """Told to the applicant when approved."""
    title = member_title(role, kecamatan)
    follow = "\n\n" + LAPOR_HELP if role.is_field else ""
    return f"✅ Pendaftaran disetujui. Bapak/Ibu terdaftar sebagai <b>{title}</b>.{follow}"


def added_for_member(role: Role, kecamatan: str | None) -> str:
    """Told to someone an admin registered with /tambah."""
    title = member_title(role, kecamatan)
    follow = "\n\n" + LAPOR_HELP if role.is_field else "\n\nLihat /bantuan."
    return f"Bapak/Ibu didaftarkan sebagai <b>{title}</b> di Posko.{follow}"


REJECTED_FOR_MEMBER = (
    "❌ Pendaftaran Bapak/Ibu ditolak. Jika ada kekeliruan, hubungi operator Kesbangpol."
)
USER_ID_USAGE = "Tulis ID pengguna (angka), misalnya <code>/{command} 123456789</code>."


def decided_reply(approved: bool, name: str, user_id: int) -> str:
    """Reply to /setujui or /tolak."""
    verdict = "disetujui" if approved else "ditolak"
    return f"Pendaftaran <b>{escape(name)}</b> (ID <code>{user_id}</code>) {verdict}."


def no_pending(user_id: int) -> str:
    """Nothing to decide for that id."""
    return (
        f"Tidak ada permohonan yang menunggu untuk ID <code>{user_id}</code>. Periksa ID-nya "
        "pada pemberitahuan pendaftaran atau di /petugas."
    )


def activation_reply(active: bool, name: str, user_id: int) -> str:
    """Reply to /aktifkan or /nonaktifkan."""
    verdict = "diaktifkan" if active else "dinonaktifkan"
    return f"<b>{escape(name)}</b> (ID <code>{user_id}</code>) {verdict}."


def no_member(user_id: int) -> str:
    """No approved member with that id."""
    return (
        f"Tidak ada pengguna terdaftar (aktif atau nonaktif) dengan ID <code>{user_id}</code>. "
        "Periksa ID-nya di /petugas."
    )


BOOTSTRAP_ADMIN_FIXED = (
    "ID ini admin utama dari pengaturan ADMIN_IDS dan tidak dapat diubah dari dalam bot. "
    "Untuk mengubahnya, ganti ADMIN_IDS di berkas .env lalu jalankan ulang bot."
)
DEACTIVATED_FOR_MEMBER = (
    "Akun Bapak/Ibu dinonaktifkan oleh admin. Jika ada kekeliruan, hubungi operator Kesbangpol."
)
ACTIVATED_FOR_MEMBER = (
    "Akun Bapak/Ibu diaktifkan kembali. Perintah untuk Bapak/Ibu ada di /bantuan."
)


def directory_page(
    lines: list[str], page: int, pages: int, total: int, kecamatan: str | None
) -> str:
    """One page of /petugas."""
    where = f" — {escape(kecamatan)}" if kecamatan else ""
    header = f"👥 <b>Daftar pengguna{where}</b> ({total} orang)"
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


DIRECTORY_EMPTY = "Belum ada pengguna terdaftar."

IMPOR_HELP = (
    "Kirim berkas CSV dengan keterangan <code>/impor</code> atau balas berkasnya dengan "
    "<code>/impor</code>.\nKolom: <code>user_id,peran,kecamatan,nama[,telepon]</code> "
    "(baris judul, UTF-8, pemisah koma atau titik koma). Kolom <code>peran</code> berisi "
    "jabatan: camat, kapolsek, danramil, atau koordinator (kecamatan koordinator diisi "
    "<code>-</code>)."
)
IMPOR_TOO_BIG = "Berkas terlalu besar (maksimal 1 MB). Pecah menjadi beberapa berkas."
IMPOR_NOT_CSV = 'Berkas harus CSV (.csv). Simpan dari Excel sebagai "CSV UTF-8".'
IMPOR_DOWNLOAD_FAILED = "Berkas tidak dapat diunduh. Coba kirim lagi."


ROSTER_PROBLEMS = {
    Problem.NOT_UTF8: 'berkas bukan UTF-8; simpan sebagai "CSV UTF-8"',
    Problem.NOT_TEXT: "berkas bukan teks CSV",
    Problem.EMPTY: "berkas kosong atau tanpa baris judul",
    Problem.BAD_CSV: "format CSV rusak di baris {detail}; periksa tanda kutipnya",
    Problem.MISSING_COLUMNS: "kolom tidak ada: {detail}",
    Problem.NO_ROWS: "tidak ada baris data",
    Problem.BAD_USER_ID: "user_id harus angka ID Telegram",
    Problem.BAD_ROLE: "peran (jabatan) harus camat, kapolsek, danramil, atau koordinator",
    Problem.UNKNOWN_KECAMATAN: "kecamatan tidak dikenal: {detail}",
    Problem.KOORDINATOR_KECAMATAN: "koordinator tanpa kecamatan (isi -)",
    Problem.BAD_NAME: "nama kosong atau lebih dari 200 karakter",
    Problem.BAD_PHONE: "telepon tidak valid",
    Problem.DUPLICATE_ID: "user_id ganda (juga di baris {detail})",
    Problem.RESERVED_ID: "ID ini admin utama (ADMIN_IDS)",
}


def roster_problem(finding: Finding) -> str:
    """What is wrong with a roster file or row, in words (escaped)."""
    return escape(ROSTER_PROBLEMS[finding.problem].format(detail=finding.detail))


def impor_failed(problems: list[tuple[int, Finding]], limit: int = 40) -> str:
    """Every bad row (up to `limit`), when nothing was imported."""
    lines = [f"❌ <b>Impor dibatalkan</b>: {len(problems)} kesalahan, tidak ada yang disimpan."]
    lines += [f"Baris {line}: {roster_problem(finding)}" for line, finding in problems[:limit]]
    if len(problems) > limit:
        lines.append(f"... dan {len(problems) - limit} kesalahan lain.")
    lines.append("Perbaiki berkas lalu kirim lagi.")
    return "\n".join(lines)


def impor_file_error(finding: Finding) -> str:
    """The file as a whole is unusable."""
    return (
        f"❌ <b>Impor dibatalkan</b>: {roster_problem(finding)}. Perbaiki berkasnya, lalu kirim "
        f"lagi.\n\n{IMPOR_HELP}"
    )


def impor_done(added: int, updated: int) -> str:
    """Counts after a successful import."""
    return f"✅ Impor selesai: {added} pengguna ditambahkan, {updated} diperbarui."


COORDINATION_SET = (
    "✅ Grup ini sekarang menjadi <b>grup koordinasi</b>: laporan rawan/darurat dan rekap "
    "dikirim ke sini."
)
