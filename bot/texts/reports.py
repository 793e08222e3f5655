"""Reports: /lapor (quick and form), receipts, escalations, acknowledgements, /ralat, /riwayat."""

from __future__ import annotations

from datetime import datetime
from html import escape

from bot.texts.common import (
    CATEGORY_LABEL,
    LEVEL_EMOJI,
    LEVEL_LABEL,
    ROLE_LABEL,
    clock_time,
    date_time,
    level_badge,
)
from bot.texts.layout import clipped
from bot.texts.registry import LAPOR_HELP
from domain.enums import Category, Level, Role

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
    clip: int | None = None,
) -> str:
    """Alert posted to the coordination group for a Rawan or Darurat report (its text cut to
    `clip` UTF-16 units when the whole alert would not fit one message)."""
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
FORM_TEXT_EMPTY = "Keterangan kosong. Tulis keterangan kejadian atau ketik /batal."
FORM_PHOTOS = "📷 Kirim foto kejadian (maksimal 5) atau tekan <b>Lewati</b>."
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
    "Pada langkah ini kirim <b>foto</b> (bukan berkas, suara, atau stiker) "
    "atau tekan Lewati/Selesai."
)
FORM_LOCATION = "📍 Bagikan lokasi kejadian dengan tombol di bawah atau tekan <b>Lewati</b>."
LOCATION_BUTTON = "📍 Kirim lokasi"
LOCATION_SKIP = "Lewati"
FORM_LOCATION_HINT = "Tekan tombol <b>📍 Kirim lokasi</b> atau <b>Lewati</b>."
FORM_LOCATION_OK = "📍 Lokasi diterima."
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
