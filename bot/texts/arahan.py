"""Arahan: the form, the preview, each officer's copy, the live tally, reminders, answers.

Officers are addressed as Bapak/Ibu with their jabatan and kecamatan; every piece of user text
(the arahan, an answer, names) is escaped here.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from html import escape

from bot.texts.commands import CommandText
from bot.texts.common import ROLE_LABEL, duration
from bot.texts.incidents import day_wita, wita
from domain.arahan import (
    MAX_ANSWER_TEXT,
    MAX_ANSWERS,
    MAX_ARAHAN_TEXT,
    MAX_DEADLINE_MINUTES,
    ArahanShort,
    Audience,
    RecipientStatus,
    Tally,
    TallyPart,
    Unconfirmed,
    Urgency,
    tally_parts,
)
from domain.enums import Role

ARAHAN_COMMAND = CommandText(
    "kirim arahan ke petugas",
    "/arahan — kirim arahan ke petugas (formulir) · "
    "<code>/arahan danramil Bengalon, Batu Ampar | teks</code> — dalam satu baris",
)
STATUS_ARAHAN_COMMAND = CommandText(
    "rekap konfirmasi arahan",
    "/status_arahan [nomor] — siapa yang sudah dan belum mengonfirmasi arahan",
)

URGENCY_LABEL = {Urgency.BIASA: "Biasa", Urgency.SEGERA: "⚡ Segera"}
SENDER_ROLE = {Role.KOORDINATOR: "Koordinator", Role.ADMIN: "Admin"}
_NUMBER = "{:,}"


def _n(count: int) -> str:
    """A count with Indonesian thousands separators: 5.000."""
    return _NUMBER.format(count).replace(",", ".")


def when(moment: datetime, now: datetime) -> str:
    """A time as "14.05 WITA" on the day of `now`, with its day on another: "28/11 00.30 WITA"
    (a deadline may be up to 24 hours away, past midnight)."""
    today = now.astimezone(moment.tzinfo).date()
    return wita(moment) if moment.date() == today else day_wita(moment)


# --- the sasaran ------------------------------------------------------------------------------


def audience_label(audience: Audience) -> str:
    """ "Semua petugas", "Danramil", "Camat dan Kapolsek — Bengalon, Telen"."""
    roles = [ROLE_LABEL[r] for r in audience.roles]
    who = (
        "Semua petugas"
        if not roles
        else roles[0]
        if len(roles) == 1
        else ", ".join(roles[:-1]) + (", dan " if len(roles) > 2 else " dan ") + roles[-1]
    )
    if not audience.kecamatan:
        return who
    return f"{who} — {escape(', '.join(audience.kecamatan))}"


def audience_short(audience: Audience) -> str:
    """The sasaran for one-line lists: kecamatan counted past three."""
    if len(audience.kecamatan) <= 3:
        return audience_label(audience)
    return audience_label(Audience(audience.roles)) + f" — {len(audience.kecamatan)} kecamatan"


# --- the form ---------------------------------------------------------------------------------

ARAHAN_USAGE = (
    "Kirim arahan dengan formulir: /arahan\n"
    "Atau dalam satu baris: <code>/arahan &lt;sasaran&gt; | &lt;teks&gt;</code>, misalnya "
    "<code>/arahan danramil Bengalon, Batu Ampar | Siaga di gudang PPK malam ini</code>.\n"
    "Sasaran: <code>semua</code>, jabatan (camat, kapolsek, atau danramil), satu atau beberapa "
    "kecamatan dipisah koma, atau jabatan diikuti kecamatan."
)
ARAHAN_NO_TEXT = "Teks arahan kosong. Tulis teksnya setelah tanda <code>|</code>."
ARAHAN_TOO_LONG = (
    f"Teks arahan terlalu panjang (maks. {_n(MAX_ARAHAN_TEXT)} karakter). Persingkat lalu kirim "
    "lagi (atau lampirkan sebagai dokumen)."
)
ARAHAN_EMPTY_SASARAN = "Sasaran belum diisi. " + ARAHAN_USAGE


def arahan_unknown_sasaran(piece: str) -> str:
    """A sasaran piece that is neither a jabatan nor a kecamatan."""
    return (
        f"“{escape(piece)}” bukan jabatan (camat, kapolsek, atau danramil) dan bukan kecamatan "
        "yang dikenal. Periksa ejaannya; kecamatan dipisah koma."
    )


ARAHAN_FORM_ROLES = (
    "📢 <b>Arahan baru</b> — 1/5 Sasaran\n"
    "Pilih jabatan (boleh lebih dari satu), lalu ➡️ Lanjut untuk memilih kecamatan. "
    "Tanpa pilihan jabatan: semua jabatan.\n"
    "Atau ketik sasarannya, misalnya <code>danramil Bengalon, Batu Ampar</code>."
)
ARAHAN_FORM_KECAMATAN = (
    "📢 <b>Arahan baru</b> — 1/5 Sasaran: {roles}\n"
    "Pilih kecamatan (boleh lebih dari satu), lalu ➡️ Lanjut. Tanpa pilihan: semua kecamatan."
)
ARAHAN_FORM_TEXT = (
    "📢 <b>Arahan baru</b> — 2/5 Teks\n"
    "Sasaran: {audience} ({count} petugas).\n"
    f"Ketik teks arahan (maks. {_n(MAX_ARAHAN_TEXT)} karakter). Untuk melampirkan surat edaran "
    "atau foto, kirim berkasnya; keterangannya menjadi teks arahan."
)
ARAHAN_FORM_TEXT_AFTER_FILE = (
    f"📎 Lampiran tersimpan. Sekarang ketik teks arahan (maks. {_n(MAX_ARAHAN_TEXT)} karakter)."
)
ARAHAN_FORM_ATTACHMENT = (
    "📎 Lampirkan foto atau dokumen (misalnya surat edaran PDF). Tanpa lampiran: tekan Lewati."
)
ARAHAN_FORM_URGENCY = (
    "📢 <b>Arahan baru</b> — 3/5 Urgensi\n"
    "Biasa: pengingat sekali pada batas konfirmasi. Segera: pengingat tiap 15 menit, "
    "sampai 3 kali."
)
ARAHAN_FORM_DEADLINE = (
    "📢 <b>Arahan baru</b> — 4/5 Batas konfirmasi\n"
    f"Pilih tombolnya atau ketik jumlah menit (1–{_n(MAX_DEADLINE_MINUTES)})."
)
ARAHAN_FORM_COPY = (
    "📢 <b>Arahan baru</b> — 5/5 Grup koordinasi\n"
    "Salin arahan ini dan tanggapan petugas ke grup koordinasi?"
)
ARAHAN_FORM_TEXT_EMPTY = "Teks arahan belum ada. Ketik teksnya."
ARAHAN_FORM_FILE_HINT = "Kirim foto atau dokumen. Tanpa lampiran: tekan Lewati."
ARAHAN_FORM_DEADLINE_INVALID = (
    f"Batas konfirmasi ditulis dalam menit, 1 sampai {_n(MAX_DEADLINE_MINUTES)}, misalnya "
    "<code>30</code>."
)
ARAHAN_FORM_USE_BUTTONS = "Silakan pilih dengan tombol di atas atau ketik /batal."
ARAHAN_FORM_CANCELLED = "Arahan dibatalkan; tidak ada yang dikirim."


def arahan_form_expired(idle: timedelta) -> str:
    """The arahan form was closed for lack of activity."""
    return (
        f"Formulir arahan dibatalkan karena tidak diisi selama {duration(idle)}; "
        "tidak ada yang dikirim. Mulai lagi dengan /arahan."
    )


ARAHAN_NO_RECIPIENTS = (
    "Tidak ada petugas aktif pada sasaran ini; tidak ada yang dikirim. Periksa sasarannya."
)
ARAHAN_ALL_ROLES_BUTTON = "👥 Semua petugas"
ARAHAN_ALL_KECAMATAN_BUTTON = "Semua kecamatan"
ARAHAN_NEXT_BUTTON = "➡️ Lanjut"
ARAHAN_SKIP_BUTTON = "Lewati"
ARAHAN_SEND_BUTTON = "✅ Kirim"
ARAHAN_CANCEL_BUTTON = "❌ Batal"
ARAHAN_COPY_YES = "Ya, salin ke grup"
ARAHAN_COPY_NO = "Tidak"
ARAHAN_CHOSEN = "✔️ "


def arahan_deadline_button(minutes: int) -> str:
    """ "30 menit", "2 jam"."""
    if minutes % 60 == 0:
        return f"{minutes // 60} jam"
    return f"{minutes} menit"


def minutes_label(minutes: int) -> str:
    """A deadline as words: "30 menit", "1 jam 30 menit"."""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return f"{rest} menit"
    return f"{hours} jam {rest} menit" if rest else f"{hours} jam"


def urgency_toggle(urgency: Urgency) -> str:
    """The preview's urgency button."""
    return f"Urgensi: {URGENCY_LABEL[urgency]}"


def deadline_toggle(minutes: int) -> str:
    """The preview's deadline button."""
    return f"⏱ Batas: {minutes_label(minutes)}"


def copy_toggle(copy: bool) -> str:
    """The preview's group-copy button."""
    return f"Salin ke grup: {'Ya' if copy else 'Tidak'}"


def attachment_label(kind: str, name: str | None) -> str:
    """ "🖼 foto" or "📄 dokumen (se.pdf)"."""
    if kind == "photo":
        return "🖼 foto"
    return "📄 dokumen" + (f" ({escape(name)})" if name else "")


def arahan_preview(
    audience: Audience,
    count: int,
    text: str,
    urgency: Urgency,
    minutes: int,
    copy: bool | None,
    attachment: str | None,
) -> str:
    """What the sender sees before ✅ Kirim (`copy` None: there is no coordination group)."""
    lines = [
        "📝 <b>Pratinjau arahan</b>",
        f"Kepada: {audience_label(audience)}",
        f"Penerima: <b>{_n(count)} petugas</b>",
        f"Urgensi: {URGENCY_LABEL[urgency]} · batas konfirmasi {minutes_label(minutes)}",
    ]
    if copy is not None:
        lines.append(f"Salin ke grup koordinasi: {'ya' if copy else 'tidak'}")
    if attachment:
        lines.append(f"Lampiran: {attachment}")
    lines += ["", escape(text), ""]
    if count:
        lines.append(
            "Ubah urgensi, batas, atau salinan dengan tombol di bawah, lalu tekan ✅ Kirim."
        )
    else:
        lines.append(ARAHAN_NO_RECIPIENTS)
    return "\n".join(lines)


def arahan_sent(number: int, count: int) -> str:
    """The preview, once sent."""
    return f"✅ Arahan #{number} sedang dikirim ke {_n(count)} petugas. Rekapnya di bawah."


# --- each officer's copy ----------------------------------------------------------------------

ARAHAN_CONFIRM_BUTTON = "✅ Dipahami"
ARAHAN_ANSWER_BUTTON = "💬 Tanggapi"


def confirmed_button(moment: datetime) -> str:
    """The button once pressed: "Dipahami pukul 14.05"."""
    return f"✅ Dipahami pukul {moment:%H.%M} {moment.tzname()}"


def arahan_address(role: Role, kecamatan: str) -> str:
    """ "Bapak/Ibu Danramil Bengalon"."""
    return f"Bapak/Ibu {ROLE_LABEL.get(role, role.value)} {escape(kecamatan)}"


def sender_line(name: str, role: Role) -> str:
    """ "Kasat Intelkam (Koordinator)"."""
    return f"{escape(name)} ({SENDER_ROLE.get(role, role.value)})"


def arahan_copy(
    number: int,
    urgency: Urgency,
    sender: str,
    sender_role: Role,
    sent_at: datetime,
    deadline_at: datetime,
    text: str,
    role: Role,
    kecamatan: str,
    now: datetime,
) -> str:
    """One officer's copy of arahan #number (local times; the deadline's day when it is not
    the day of `now`)."""
    badge = " · ⚡ <b>SEGERA</b>" if urgency is Urgency.SEGERA else ""
    return (
        f"📢 <b>ARAHAN #{number}</b>{badge}\n"
        f"Yth. {arahan_address(role, kecamatan)},\n"
        f"dari {sender_line(sender, sender_role)}, {day_wita(sent_at)}:\n\n"
        f"{escape(text)}\n\n"
        f"Mohon tekan <b>✅ Dipahami</b> sebelum {when(deadline_at, now)}. "
        "Untuk menjawab, tekan 💬 Tanggapi."
    )


def attachment_caption(number: int) -> str:
    """The caption of the attachment, which comes before the text."""
    return f"📎 Lampiran Arahan #{number} (teks arahan menyusul)"


def confirmed_toast(moment: datetime, late: bool) -> str:
    """The answer to a ✅ Dipahami press (at most 200 characters)."""
    note = " (melewati batas konfirmasi)" if late else ""
    return f"Terima kasih. Tercatat: dipahami pukul {wita(moment)}{note}."


def already_confirmed_toast(moment: datetime) -> str:
    """A second press."""
    return f"Sudah tercatat: dipahami pukul {wita(moment)}."


ARAHAN_NOT_FOR_YOU = (
    "Arahan ini tidak ditujukan kepada Bapak/Ibu. Jika seharusnya menerima, hubungi admin "
    "Kesbangpol."
)
ARAHAN_NOT_YET = "Arahan ini masih dicatat. Mohon tekan ✅ Dipahami lagi dalam beberapa detik."


# --- answers ----------------------------------------------------------------------------------


def ask_answer(number: int, given: int) -> str:
    """After 💬 Tanggapi (`given`: answers this officer already gave to this arahan)."""
    last = ""
    if given + 1 >= MAX_ANSWERS:
        last = " Ini tanggapan terakhir yang dapat dikirim untuk arahan ini."
    return (
        f"💬 Ketik tanggapan Bapak/Ibu untuk Arahan #{number} dalam satu pesan "
        f"(maks. {_n(MAX_ANSWER_TEXT)} karakter; tanggapan ke-{given + 1} dari "
        f"{MAX_ANSWERS}).{last} /batal untuk membatalkan."
    )


def answer_limit_reached(number: int) -> str:
    """💬 Tanggapi (or an answer) after the officer's last allowed answer to this arahan."""
    return (
        f"Bapak/Ibu sudah mengirim {MAX_ANSWERS} tanggapan untuk Arahan #{number}, batas "
        "untuk satu arahan. Hal lain mohon disampaikan "
        "langsung kepada pengirim arahan."
    )


def answer_finish_form_first(number: int) -> str:
    """💬 Tanggapi would replace a form the officer is still filling in."""
    return (
        "📝 Bapak/Ibu masih mengisi formulir yang belum dikirim. Agar isinya tidak hilang, "
        "kirim dulu formulir itu atau batalkan dengan /batal, lalu tekan lagi "
        f"{ARAHAN_ANSWER_BUTTON} pada Arahan #{number}. {ARAHAN_CONFIRM_BUTTON} dapat ditekan "
        "tanpa menutup formulir."
    )


ARAHAN_ANSWER_EMPTY = (
    "Tanggapan kosong. Ketik tanggapan Bapak/Ibu dalam satu pesan atau ketik /batal."
)
ARAHAN_ANSWER_TOO_LONG = (
    f"Tanggapan terlalu panjang (maks. {_n(MAX_ANSWER_TEXT)} karakter). Persingkat lalu kirim "
    "lagi."
)
ARAHAN_ANSWER_CANCELLED = "Tanggapan dibatalkan."


def arahan_answer_expired(idle: timedelta) -> str:
    """The answer dialog was closed for lack of activity."""
    return (
        f"Tanggapan arahan dibatalkan karena tidak dikirim selama {duration(idle)}. "
        "Tekan lagi 💬 Tanggapi pada arahan tersebut."
    )


def answer_saved(number: int, sender: bool, group: bool) -> str:
    """To the officer, once the answer is stored: where it was relayed, truthfully (`sender`,
    `group`: whether the sender, the group, has it now)."""
    if sender:
        where = " dan grup koordinasi" if group else ""
        relayed = f"sudah diteruskan kepada pengirim{where}"
    else:
        relayed = (
            "tercatat, tetapi belum dapat diteruskan kepada pengirim; bot akan mencoba lagi "
            "beberapa kali"
        )
    return f"💬 Tanggapan Bapak/Ibu atas Arahan #{number} {relayed}. Arahan tercatat dipahami."


def answer_relay(
    number: int, role: Role, kecamatan: str, name: str, moment: datetime, text: str
) -> str:
    """An answer, to the sender (under the tally) and to the group (under its copy)."""
    who = f"{ROLE_LABEL.get(role, role.value)} {escape(kecamatan)} ({escape(name)})"
    return f"💬 <b>Tanggapan Arahan #{number}</b>\n{who}, {wita(moment)}:\n{escape(text)}"


# --- the sender's live tally ------------------------------------------------------------------

ARAHAN_LIST_BUTTON = "📋 Belum konfirmasi"


def tally_line(tally: Tally) -> str:
    """ "Dipahami 41/54 · belum 11 · tidak terkirim 2" (rules: domain.arahan.tally_parts)."""
    pieces: list[str] = []
    for part, count in tally_parts(tally):
        if part is TallyPart.DIPAHAMI:
            pieces.append(f"Dipahami {_n(count)}/{_n(tally.total)}")
        elif part is TallyPart.TERLAMBAT:
            pieces[-1] += f" ({_n(count)} terlambat)"
        elif part is TallyPart.BELUM:
            pieces.append(f"belum {_n(count)}")
        elif part is TallyPart.DIKIRIM:
            pieces.append(f"sedang dikirim {_n(count)}")
        else:
            pieces.append(f"tidak terkirim {_n(count)}")
    return " · ".join(pieces)


def arahan_header(
    number: int,
    urgency: Urgency,
    sent_at: datetime,
    audience: Audience,
    recipients: int,
    deadline_at: datetime,
    copied: bool,
    now: datetime,
) -> str:
    """The lines above the text of the sender's copy, the group copy and /status_arahan (the
    deadline's day shown when it is not the day of `now`)."""
    group = " · disalin ke grup koordinasi" if copied else ""
    return (
        f"📢 <b>Arahan #{number}</b> · {URGENCY_LABEL[urgency]} · dikirim {day_wita(sent_at)}\n"
        f"Kepada: {audience_label(audience)} ({_n(recipients)} petugas)\n"
        f"Batas konfirmasi: {when(deadline_at, now)}{group}"
    )


def arahan_tally_copy(header: str, text: str, tally: Tally, updated: datetime) -> str:
    """The sender's own copy: the arahan and its live tally."""
    return (
        f"{header}\n\n{escape(text)}\n\n"
        f"📊 <b>{tally_line(tally)}</b>\n<i>Diperbarui {wita(updated)}</i>"
    )


def arahan_group_copy(header: str, sender: str, sender_role: Role, text: str) -> str:
    """The copy in the coordination group."""
    return (
        f"{header}\nDari: {sender_line(sender, sender_role)}\n\n{escape(text)}\n\n"
        "<i>Tanggapan petugas muncul sebagai balasan pesan ini.</i>"
    )


_STATUS_MARK = {
    RecipientStatus.MENUNGGU: " (sedang dikirim)",
    RecipientStatus.TIDAK_TERKIRIM: (
        " (⚠️ tidak terkirim: belum membuka atau memblokir bot — minta beliau menekan /start)"
    ),
}
_INACTIVE_MARK = " (nonaktif, tidak diingatkan)"


def _unconfirmed_name(person: Unconfirmed) -> str:
    mark = _STATUS_MARK.get(person.status, "")
    return escape(person.name) + mark + ("" if person.active else _INACTIVE_MARK)


def unconfirmed_blocks(
    number: int,
    grouped: Sequence[tuple[str, Sequence[tuple[Role, Sequence[Unconfirmed]]]]],
    count: int,
    moment: datetime,
    reminded: int | None = None,
) -> list[str]:
    """Who has not confirmed arahan #number, by kecamatan and jabatan: one block a kecamatan.

    With `reminded` (the rounds done), the list sent after the last reminder."""
    if reminded is not None:
        times = "sekali" if reminded == 1 else f"{reminded} kali"
        head = (
            f"⚠️ <b>Arahan #{number}</b> — sudah diingatkan {times}, {_n(count)} petugas belum "
            "menekan Dipahami"
        )
    else:
        head = f"📋 <b>Arahan #{number}</b> — belum menekan Dipahami: {_n(count)} petugas"
    blocks = [f"{head}\n<i>per {wita(moment)}</i>"]
    if not count:
        return [f"{head}\n✅ Semua penerima sudah mengonfirmasi."]
    for place, roles in grouped:
        lines = [f"\n<b>{escape(place)}</b>"]
        for role, people in roles:
            names = ", ".join(_unconfirmed_name(p) for p in people)
            lines.append(f"{ROLE_LABEL.get(role, role.value)}: {names}")
        blocks.append("\n".join(lines))
    return blocks


def arahan_list_private(number: int) -> str:
    """📋 pressed in the group for an arahan not copied there (a toast, up to 200 characters)."""
    return (
        f"Arahan #{number} tidak disalin ke grup; daftarnya hanya di obrolan pribadi dengan "
        f"bot: /status_arahan {number}"
    )


# --- reminders --------------------------------------------------------------------------------


def arahan_reminder(
    number: int, round_: int, rounds: int, sender: str, deadline_at: datetime, now: datetime
) -> str:
    """To a recipient who has not confirmed, under their copy."""
    which = f" ({round_}/{rounds})" if rounds > 1 else ""
    return (
        f"⏰ <b>Pengingat Arahan #{number}</b>{which}\n"
        f"Bapak/Ibu belum menekan ✅ Dipahami untuk arahan dari {escape(sender)} "
        f"(batas {when(deadline_at, now)}). Mohon dibaca, lalu tekan ✅ Dipahami."
    )


# --- /status_arahan ---------------------------------------------------------------------------

STATUS_ARAHAN_USAGE = (
    "Ketik /status_arahan untuk arahan terbaru atau /status_arahan 7 untuk satu arahan."
)
STATUS_ARAHAN_NONE = "Belum ada arahan yang dikirim."


def arahan_not_found(number: int) -> str:
    """An arahan number that does not exist."""
    return f"Arahan #{number} tidak ditemukan. Lihat /status_arahan."


def arahan_status_view(
    header: str, text: str, tally: Tally, answers: int, moment: datetime
) -> str:
    """/status_arahan <nomor>."""
    first = " ".join(text.split()[:20])
    more = " …" if len(text.split()) > 20 else ""
    shown = f"<i>{escape(first)}{more}</i>\n\n" if first else ""
    answered = f"\n💬 Tanggapan: {_n(answers)}" if answers else ""
    return f"{header}\n\n{shown}📊 <b>{tally_line(tally)}</b>{answered}\n<i>per {wita(moment)}</i>"


def arahan_status_line(number: int, sent_at: datetime, audience: Audience, tally: Tally) -> str:
    """One arahan in the /status_arahan list."""
    return (
        f"<b>#{number}</b> {day_wita(sent_at)} · {audience_short(audience)}\n"
        f"   {tally_line(tally)}"
    )


STATUS_ARAHAN_HEAD = "📢 <b>Arahan terbaru</b> (rinciannya: /status_arahan &lt;nomor&gt;)"


# --- the digest -------------------------------------------------------------------------------

DIGEST_ARAHAN_TITLE = "📢 Arahan yang belum dikonfirmasi semua penerima"
DIGEST_ARAHAN_LIMIT = 10


def arahan_lines(shorts: Sequence[ArahanShort], tz_of: datetime) -> list[str]:
    """The digest's lines for arahan short of full confirmation (times in `tz_of`'s zone, with
    the day when it is not `tz_of`'s)."""
    tz = tz_of.tzinfo
    lines = [
        f"#{s.number} {when(s.created_at.astimezone(tz), tz_of)} · {audience_short(s.audience)}: "
        f"{tally_line(s.tally)}"
        for s in shorts[:DIGEST_ARAHAN_LIMIT]
    ]
    if len(shorts) > DIGEST_ARAHAN_LIMIT:
        lines.append(f"… dan {len(shorts) - DIGEST_ARAHAN_LIMIT} arahan lain (/status_arahan).")
    return lines


def arahan_digest_blocks(shorts: Sequence[ArahanShort], tz_of: datetime) -> list[str]:
    """The digest's arahan section as blocks (the title travels with its first line)."""
    lines = arahan_lines(shorts, tz_of)
    if not lines:
        return []
    return [f"\n<b>{DIGEST_ARAHAN_TITLE}</b>\n{lines[0]}", *lines[1:]]


# --- /ekspor ----------------------------------------------------------------------------------

SHEET_ARAHAN = "Arahan"
SHEET_ARAHAN_RECIPIENTS = "Penerima Arahan"
ARAHAN_COLUMNS = (
    "Nomor", "Waktu (WITA)", "Pengirim", "Jabatan pengirim", "Sasaran", "Urgensi",
    "Batas konfirmasi (WITA)", "Teks", "Lampiran", "Penerima", "Terkirim", "Tidak terkirim",
    "Dipahami", "Dipahami terlambat", "Belum", "Tanggapan",
)  # fmt: skip
ARAHAN_RECIPIENT_COLUMNS = (
    "Nomor arahan", "ID Telegram", "Nama", "Jabatan", "Kecamatan", "Status", "Terkirim (WITA)",
    "Dipahami (WITA)", "Terlambat", "Diingatkan", "Keterangan",
)  # fmt: skip
RECIPIENT_STATUS_LABEL = {
    RecipientStatus.MENUNGGU: "sedang dikirim",
    RecipientStatus.BELUM: "terkirim, belum dipahami",
    RecipientStatus.DIPAHAMI: "dipahami",
    RecipientStatus.TERLAMBAT: "dipahami terlambat",
    RecipientStatus.TIDAK_TERKIRIM: "tidak terkirim",
}
YES, NO = "Ya", "Tidak"
# Recorded for a copy still unsent a day after the arahan (shown in the export).
ARAHAN_GIVEN_UP = "tidak terkirim dalam 1 hari"
