"""Reports: /lapor (quick and form), receipts, escalations, acknowledgements, /ralat, /riwayat."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from html import escape

from bot.texts.common import (
    CATEGORY_LABEL,
    LEVEL_EMOJI,
    LEVEL_LABEL,
    ROLE_LABEL,
    clock_time,
    date_time,
    duration,
    level_badge,
    long_date,
)
from bot.texts.layout import clipped
from bot.texts.registry import LAPOR_HELP
from domain.enums import Category, Level, Role
from domain.parsing import MAX_REPORT_TEXT, QuickReportError
from domain.reports import MediaKind

# --- /lapor --------------------------------------------------------------------------------

LAPOR_EMPTY = "Tulis tingkat dan isi laporan.\n\n" + LAPOR_HELP
LAPOR_UNKNOWN_LEVEL = (
    "Tingkat tidak dikenal. Pilih salah satu: aman, waspada, rawan, atau darurat.\n"
    "Contoh: <code>/lapor waspada ada kerumunan di pasar</code>"
)
LAPOR_TEXT_REQUIRED = (
    "Laporan waspada, rawan, dan darurat perlu keterangan. Tulis keterangannya setelah "
    "tingkat.\n"
    "Contoh: <code>/lapor rawan massa memblokade jalan menuju gudang logistik</code>"
)


def lapor_too_long(limit: int) -> str:
    """The narrative is over the limit."""
    shown = f"{limit:,}".replace(",", ".")  # 3.000, as Indonesian writes thousands
    return f"Keterangan terlalu panjang (maksimal {shown} karakter). Ringkas lalu kirim lagi."


def quick_report_error(reason: QuickReportError) -> str:
    """Why `/lapor <tingkat> <teks>` was not taken."""
    return {
        QuickReportError.EMPTY: LAPOR_EMPTY,
        QuickReportError.UNKNOWN_LEVEL: LAPOR_UNKNOWN_LEVEL,
        QuickReportError.TEXT_REQUIRED: LAPOR_TEXT_REQUIRED,
        QuickReportError.TOO_LONG: lapor_too_long(MAX_REPORT_TEXT),
    }[reason]


def receipt(number: int, level: Level, kecamatan: str, moment: datetime, *, nihil: bool) -> str:
    """Confirmation sent after the report is committed ("tercatat": stored; "diterima" is the
    Forkopimda's word for taking a report up)."""
    what = "nihil (tidak ada kejadian)" if nihil else level_badge(level)
    lines = [
        f"✅ <b>Laporan #{number} tercatat</b> pukul {clock_time(moment)}.",
        f"{escape(kecamatan)} · {what}",
    ]
    if level.escalates:
        lines.append("📣 Laporan ini diteruskan ke grup koordinasi.")
    return "\n".join(lines)


RECEIPT_DELAYED = (
    "<i>Tanda terima ini terlambat karena gangguan pengiriman. Laporan Bapak/Ibu sudah "
    "tercatat; tidak perlu dikirim ulang.</i>"
)


def escalation_failed(number: int, level: Level, kecamatan: str) -> str:
    """To admins: an urgent report could not be posted to the group yet (`level`: its
    incident's current level, which an update may have raised above the report's)."""
    return (
        f"⚠️ Laporan #{number} ({level_badge(level)}, {escape(kecamatan)}) belum dapat "
        "diteruskan ke grup koordinasi. Bot mencoba lagi otomatis; periksa grup koordinasi "
        "dan koneksi bot."
    )


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
    media: tuple[MediaKind, ...] = (),
    clip: int | None = None,
    map_note: str = "",
) -> str:
    """Alert posted to the coordination group for a Rawan or Darurat report (its text cut to
    `clip` UTF-16 units when the whole alert would not fit one message); `map_note` places it
    on the vulnerability map (bot.texts.kerawanan.alert_map_note)."""
    lines = [
        f"{LEVEL_EMOJI[level]} <b>{LEVEL_LABEL[level].upper()}</b> · Laporan #{number}",
        f"Kecamatan: <b>{escape(kecamatan)}</b>",
        *([map_note] if map_note else []),
        f"Pelapor: {ROLE_LABEL[role]} — {escape(officer_name)}",
        f"Waktu: {date_time(moment)}",
    ]
    if category:
        lines.append(f"Kategori: {category_label(category)}")
    extras = [f"📷 {photos} foto"] if photos else []
    extras += media_counts(media)
    if location:
        extras.append("📍 lokasi")
    if extras:
        lines.append("Lampiran: " + ", ".join(extras) + " (di bawah)")
    return "\n".join([*lines, "", clipped(text, clip, number)])


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
    return f"✅ Laporan #{number} Bapak/Ibu sudah diterima oleh {who} pukul {clock_time(moment)}."


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


# --- recordings (voice notes, videos) ----------------------------------------------------------

MEDIA_NAME = {
    MediaKind.VOICE: "rekaman suara",
    MediaKind.VIDEO: "video",
    MediaKind.VIDEO_NOTE: "video bulat",
}
MEDIA_EMOJI = {MediaKind.VOICE: "🎤", MediaKind.VIDEO: "🎬", MediaKind.VIDEO_NOTE: "🎬"}


def media_counts(kinds: tuple[MediaKind, ...]) -> list[str]:
    """ "🎤 2 rekaman suara", "🎬 1 video": one entry per kind present."""
    return [
        f"{MEDIA_EMOJI[kind]} {kinds.count(kind)} {MEDIA_NAME[kind]}"
        for kind in MediaKind
        if kind in kinds
    ]


def media_caption(number: int, kind: MediaKind) -> str:
    """Under a recording posted with an alert or by /lihat."""
    return f"{MEDIA_EMOJI[kind]} Laporan #{number} ({MEDIA_NAME[kind]})"


def attachment_name(kind: str) -> str:
    """What an officer sent, as the bot names it back: "Foto", "Rekaman suara", "Video"."""
    return "Foto" if kind == "photo" else MEDIA_NAME[MediaKind(kind)].capitalize()


def not_recorded(kind: str) -> str:
    """A photo or recording sent outside a form, without a /lapor caption."""
    what = attachment_name(kind)
    return (
        f"⚠️ {what} ini <b>tidak tercatat</b> sebagai laporan.\n"
        f"Kirim ulang dengan keterangan <code>/lapor rawan isi laporan</code> (tingkat sesuai "
        f"keadaan) atau ketik /lapor lalu kirim {what.lower()} di langkah keterangan."
    )


def album_not_recorded(count: int) -> str:
    """An album sent outside a form whose caption is not /lapor."""
    return (
        f"⚠️ Album berisi {count} foto/video ini <b>tidak tercatat</b> sebagai laporan.\n"
        "Kirim ulang album dengan keterangan <code>/lapor rawan isi laporan</code> (tingkat "
        "sesuai keadaan) atau ketik /lapor lalu kirim fotonya di langkah foto."
    )


def files_not_recorded(command: str | None) -> str:
    """An album of files (photos sent as files), audio or the like, answered once: a report
    keeps only photos, voice notes and videos. `command`: its /lapor caption, given back."""
    lines = [
        "⚠️ Album berkas ini <b>tidak tercatat</b> sebagai laporan: laporan hanya menyimpan "
        "foto, rekaman suara, dan video.",
        "Kirim ulang fotonya sebagai <b>foto</b> (bukan sebagai berkas) dengan keterangan "
        "<code>/lapor rawan isi laporan</code> atau kirim laporannya tanpa berkas.",
    ]
    if command:
        lines.append(f"Keterangan Bapak/Ibu, siap disalin:\n<code>{escape(command)}</code>")
    return "\n".join(lines)


# --- the guided /lapor form -----------------------------------------------------------------

# One line per level, from shared/domain.md, shown where a level is chosen.
LEVEL_MEANING = {
    Level.AMAN: "kondusif, tidak ada gangguan",
    Level.WASPADA: "ada potensi gangguan, masih terkendali",
    Level.RAWAN: "ada gangguan, ditangani setempat",
    Level.DARURAT: "perlu bantuan segera",
}
LEVEL_MEANINGS = "\n".join(f"{level_badge(level)}: {LEVEL_MEANING[level]}" for level in Level)
FORM_LEVEL = (
    "📝 <b>Laporan baru</b>\n"
    "Pilih tingkat kondisi dengan tombol atau ketik namanya (misalnya <i>rawan</i>):\n"
    + LEVEL_MEANINGS
)
FORM_LEVEL_UNKNOWN = (
    "Tingkat tidak dikenal. Pilih dengan tombol atau ketik aman, waspada, rawan, atau darurat."
)
FORM_AMAN = (
    "📝 Tingkat: 🟢 <b>Aman</b>\nTidak ada kejadian? Tekan <b>Nihil</b>. "
    "Ada hal yang perlu dicatat? Tekan <b>Ada catatan</b>."
)
NIHIL_BUTTON = "Nihil (tidak ada kejadian)"
MORE_BUTTON = "Ada catatan ➡️"
FORM_CATEGORY = "📝 Tingkat: {level}\nPilih kategori:"
FORM_TEXT = (
    "📝 Tingkat: {level} · Kategori: <b>{category}</b>\n"
    "Tulis keterangan kejadian (apa, di mana, berapa orang, tindakan), maksimal 3.000 karakter. "
    "Foto, rekaman suara, atau video boleh dikirim juga."
)
FORM_TEXT_EMPTY = "Keterangan kosong. Tulis keterangan kejadian atau ketik /batal."
FORM_TEXT_HINT = (
    "Pada langkah ini tulis keterangan kejadian. Foto, rekaman suara, atau video juga boleh "
    "dikirim (bukan berkas atau stiker)."
)
FORM_PHOTOS = (
    "📷 Kirim foto kejadian (maksimal 5), rekaman suara, atau video, lalu tekan "
    "<b>Selesai</b>. Tidak ada? Tekan <b>Lewati</b>."
)
SKIP_BUTTON = "⏭ Lewati"
DONE_BUTTON = "✅ Selesai"
# Typed words that mean a button of the photo step.
PHOTO_STEP_WORDS = ("lewati", "selesai")


def form_kept(what: str, next_step: str) -> str:
    """Something the officer sent was kept in the form; what to do next."""
    return f"{what} disimpan dalam formulir (<b>belum terkirim</b>). {next_step}"


FORM_NEXT_TEXT = "Sekarang tulis keterangan kejadian; satu baris cukup."
FORM_NEXT_LEVEL = "Pilih dulu tingkat kondisi dengan tombol di atas."
FORM_NEXT_CATEGORY = "Pilih kategori dengan tombol di atas."
FORM_NEXT_ATTACHMENTS = "Kirim foto atau rekaman lain. Jika sudah, tekan <b>Selesai</b>."
FORM_NEXT_LOCATION = "Bagikan lokasi dengan tombol di bawah atau tekan <b>Lewati</b>."
FORM_NEXT_SUMMARY = "Periksa ringkasan di bawah."
FORM_TEXT_ADDED = "📝 Tambahan keterangan"
FORM_TEXT_KEPT = "📝 Keterangan"


def form_attachments_kept(kind: str, photos: int, media: int, limit: int) -> str:
    """After each photo or recording at the photo step."""
    counts = [f"{photos}/{limit} foto"] if photos else []
    if media:
        counts.append(f"{media} rekaman")
    return form_kept(f"{attachment_name(kind)} ({', '.join(counts)})", FORM_NEXT_ATTACHMENTS)


FORM_PHOTO_LIMIT = "Maksimal 5 foto. Tekan <b>Selesai</b> untuk lanjut."
FORM_MEDIA_LIMIT = "Maksimal 3 rekaman suara atau video. Tekan <b>Selesai</b> untuk lanjut."
FORM_PHOTO_HINT = (
    "Pada langkah ini kirim <b>foto</b>, rekaman suara, atau video (bukan berkas atau stiker). "
    "Jika tidak ada, tekan Lewati; jika sudah, tekan Selesai."
)
FORM_LOCATION = "📍 Bagikan lokasi kejadian dengan tombol di bawah atau tekan <b>Lewati</b>."
LOCATION_BUTTON = "📍 Kirim lokasi"
LOCATION_SKIP = "Lewati"
FORM_LOCATION_HINT = "Tekan tombol <b>📍 Kirim lokasi</b> atau <b>Lewati</b>."
FORM_LOCATION_OK = "📍 Lokasi tersimpan dalam formulir."
FORM_LOCATION_KEPT = "📍 Lokasi"
FORM_LOCATION_SKIPPED = "Tanpa lokasi."
FORM_USE_BUTTONS = "Pilih dengan tombol pada pesan di atas atau ketik /batal."
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
FORM_SAVE_FAILED = (
    "⚠️ Laporan <b>belum tercatat</b> karena penyimpanan sedang terganggu. Isian formulir "
    "masih ada: tekan <b>✅ Kirim</b> lagi sebentar lagi."
)


def form_expired(idle: timedelta, level: Level | None, text: str, attachments: int) -> str:
    """The form was closed for lack of activity: what the officer had typed comes back, ready to
    copy as a quick report."""
    lines = [
        f"⌛ Formulir laporan ditutup karena tidak ada kegiatan selama {duration(idle)}; "
        "laporan <b>belum tercatat</b>."
    ]
    if text:
        word = LEVEL_LABEL[level].lower() if level is not None else "waspada"
        lines.append("Keterangan yang sudah Bapak/Ibu tulis, siap disalin dan dikirim ulang:")
        lines.append(f"<code>/lapor {word} {escape(text)}</code>")
        if level is None:
            lines.append("Ganti <i>waspada</i> dengan tingkat yang sesuai.")
    if attachments:
        lines.append(f"{attachments} foto/rekaman perlu dikirim ulang.")
    lines.append("Ketik /lapor untuk mulai lagi.")
    return "\n".join(lines)


FORM_RESUME_BUTTON = "▶️ Lanjutkan"
FORM_RESTART_BUTTON = "🔄 Mulai baru"


def _typed_line(text: str, limit: int = 80) -> str:
    short = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"Keterangan: <i>{escape(short)}</i>"


def form_still_open(level: Level | None, text: str, attachments: int, incoming: int) -> str:
    """A new /lapor while a form is open: go on with it, or start again."""
    lines = ["📝 Formulir laporan Bapak/Ibu sebelumnya masih terbuka (<b>belum terkirim</b>)."]
    if level is not None:
        lines.append(f"Tingkat: {level_badge(level)}")
    if text:
        lines.append(_typed_line(text))
    if attachments:
        lines.append(f"Lampiran: {attachments} foto/rekaman")
    if incoming:
        lines.append(
            f"{incoming} foto/rekaman yang baru dikirim disimpan sampai Bapak/Ibu memilih."
        )
    lines.append(
        f"Tekan <b>{FORM_RESUME_BUTTON}</b> untuk meneruskan formulir itu atau "
        f"<b>{FORM_RESTART_BUTTON}</b> untuk membuat laporan baru (isian lama dikirim kembali "
        "untuk disalin)."
    )
    return "\n".join(lines)


def form_restarted(level: Level | None, text: str, attachments: int) -> str:
    """🔄 Mulai baru: the old form is closed, and what it held comes back, ready to copy."""
    lines = ["📝 Formulir sebelumnya ditutup; isinya <b>belum tercatat</b>."]
    if text:
        word = LEVEL_LABEL[level].lower() if level is not None else "waspada"
        lines.append("Keterangan yang sudah Bapak/Ibu tulis, siap disalin dan dikirim ulang:")
        lines.append(f"<code>/lapor {word} {escape(text)}</code>")
    if attachments:
        lines.append(f"{attachments} foto/rekaman formulir itu perlu dikirim ulang.")
    return "\n".join(lines)


def form_summary(
    level: Level,
    category: str | None,
    text: str,
    photos: int,
    location: bool,
    media: tuple[MediaKind, ...] = (),
) -> str:
    """The draft before sending: nothing is recorded until ✅ Kirim."""
    lines = [
        "📝 <b>Periksa laporan Bapak/Ibu</b> (<b>belum terkirim</b>)",
        f"Tingkat: {level_badge(level)}",
        f"Kategori: {category_label(category)}",
        f"Foto: {photos}" if photos else "Foto: -",
    ]
    if media:
        lines.append("Rekaman: " + ", ".join(media_counts(media)))
    lines += [
        "Lokasi: ada" if location else "Lokasi: -",
        "",
        escape(text) if text else "<i>(tanpa keterangan)</i>",
        "",
        "Laporan baru tercatat setelah Bapak/Ibu menekan <b>✅ Kirim</b>.",
    ]
    return "\n".join(lines)


# --- the reminder ---------------------------------------------------------------------------

REMINDER_NIHIL_BUTTON = "🟢 Nihil (tidak ada kejadian)"
REMINDER_REPORT_BUTTON = "📝 Lapor kejadian"


def reminder(title: str, day: date, window: str | None = None) -> str:
    """To an officer who has not reported today, or in the reporting window `window` of an
    election stage (`title`: "Camat Bengalon")."""
    when = window or f"hari ini ({long_date(day)})"
    return (
        f"🔔 <b>Pengingat laporan</b>\n"
        f"Bapak/Ibu {title}, laporan situasi {when} belum masuk.\n"
        f"Tidak ada kejadian? Tekan <b>{REMINDER_NIHIL_BUTTON}</b>: laporan nihil langsung "
        "tercatat.\n"
        f"Ada kejadian? Tekan <b>{REMINDER_REPORT_BUTTON}</b>."
    )


def reminder_already_reported(number: int, *, windowed: bool = False) -> str:
    """The Nihil button after the officer reported today (or in this reporting window of an
    election stage) by other means."""
    when = "pada jendela lapor ini" if windowed else "hari ini"
    return f"Bapak/Ibu sudah melapor {when} (laporan #{number}). Tidak perlu mengirim nihil."


def reminder_nihil_done(number: int) -> str:
    """A second press of the reminder's Nihil button."""
    return f"Laporan nihil #{number} sudah tercatat."


REMINDER_SAVE_FAILED = (
    "⚠️ Laporan nihil <b>belum tercatat</b> karena penyimpanan sedang terganggu. Tekan lagi "
    "tombol Nihil sebentar lagi."
)


def reminder_past(*, whole_day: bool) -> str:
    """The Nihil button of a reminder whose day (or reporting window) is over."""
    what = "hari" if whole_day else "jendela lapor"
    return (
        f"Pengingat ini untuk {what} yang sudah lewat. Untuk melapor nihil sekarang, ketik "
        "/lapor aman."
    )


# --- /ralat and /riwayat --------------------------------------------------------------------

RALAT_USAGE = (
    "Tulis nomor laporan dan ralatnya, misalnya "
    "<code>/ralat 12 jumlah massa sekitar 50 orang, bukan 500</code>."
)
RALAT_TOO_OLD = (
    "Ralat hanya dapat dibuat dalam 24 jam setelah laporan dikirim. Untuk keterangan baru, "
    "kirim laporan baru dengan /lapor."
)


def ralat_not_found(number: int) -> str:
    """The report is not one of the officer's."""
    return f"Laporan #{number} tidak ada di riwayat Bapak/Ibu. Periksa nomornya di /riwayat."


def ralat_saved(number: int) -> str:
    """Confirmation of a correction."""
    return f"✏️ Ralat untuk laporan #{number} tercatat."


def ralat_for_group(number: int, role: Role, kecamatan: str, name: str, text: str) -> str:
    """A correction to an escalated report, posted to the coordination group."""
    return (
        f"✏️ <b>Ralat laporan #{number}</b> dari {ROLE_LABEL[role]} {escape(kecamatan)} "
        f"({escape(name)}):\n{escape(text)}"
    )


RIWAYAT_EMPTY = "Bapak/Ibu belum pernah mengirim laporan. Kirim dengan /lapor."


def riwayat_page(lines: list[str], page: int, pages: int, total: int) -> str:
    """One page of the officer's recent reports (`total`: how many the pages hold)."""
    footer = [f"Halaman {page + 1}/{pages} · ⬅️/➡️ untuk halaman lain"] if pages > 1 else []
    return "\n".join(
        [f"🗂 <b>Laporan terakhir Bapak/Ibu</b> ({total} laporan)", "", *lines, *footer]
    )


def riwayat_line(number: int, moment: datetime, level: Level, text: str, corrections: int) -> str:
    """One report in /riwayat."""
    words = text.split()
    snippet = " ".join(words[:8]) + (" …" if len(words) > 8 else "") if words else "nihil"
    tail = f" · ✏️ {corrections} ralat" if corrections else ""
    return (
        f"#{number} · {moment:%d/%m %H.%M} · {LEVEL_EMOJI[level]} {LEVEL_LABEL[level]}"
        f" · {escape(snippet)}{tail}"
    )
