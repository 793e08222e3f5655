"""Incidents: updates (perkembangan), states, closing, reopening, timelines, /insiden."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from html import escape

from bot.texts.common import LEVEL_EMOJI, ROLE_LABEL, clock_time, duration, level_badge
from bot.texts.layout import MESSAGE_LIMIT, clipped, visible_len
from domain.enums import Level, Role
from domain.incidents import EventKind, IncidentEvent, IncidentState

INCIDENT_STATE = {
    IncidentState.BARU: "🆕 Baru",
    IncidentState.DITANGANI: "👁 Ditangani",
    IncidentState.SELESAI: "✅ Selesai",
}
PERKEMBANGAN_BUTTON = "➕ Perkembangan"


def wita(moment: datetime) -> str:
    """ "14.05 WITA"."""
    return clock_time(moment)


def day_wita(moment: datetime) -> str:
    """ "27/11 14.05 WITA"."""
    return f"{moment:%d/%m} {wita(moment)}"


# --- the group alert ------------------------------------------------------------------------


def alert_state(state: IncidentState) -> str:
    """The state line of the group alert."""
    return f"\n\nStatus insiden: <b>{INCIDENT_STATE[state]}</b>"


# The alert shows the report, its latest perkembangan and its closing note whole while they fit
# one message. Each may be 3000 characters and the names 200, so when they do not, the update,
# then the closing note, then the report's text are shortened: each first down to its opening
# ALERT_SHORTEST characters, then further only if that is still too long (/lihat shows them
# whole).
ALERT_SHORTEST = 100
Clip = int | None  # how much of a text the alert shows, in UTF-16 units (None: all of it)


def fit_alert(render: Callable[[Clip, Clip, Clip], str], sizes: tuple[int, int, int]) -> str:
    """The alert `render(update, note, text)` gives with the least shortening that keeps it
    within one message as Telegram counts it; `sizes`: the UTF-16 lengths of the three."""
    clips: list[Clip] = [None, None, None]
    text = render(*clips)
    for floor in (ALERT_SHORTEST, 0):
        for index, size in enumerate(sizes):
            while (over := visible_len(text) - MESSAGE_LIMIT) > 0:
                shown = clips[index]
                shown = size if shown is None else shown
                if shown <= floor:
                    break
                clips[index] = max(floor, shown - over)
                text = render(*clips)
    return text


def alert_update(number: int, level: Level, moment: datetime, text: str, clip: Clip = None) -> str:
    """The latest perkembangan, shown in the alert of incident #number."""
    shown = clipped(text, clip, number)
    return f"\n➕ Perkembangan terakhir ({wita(moment)}, {level_badge(level)}): {shown}"


def alert_closed(number: int, name: str, moment: datetime, note: str, clip: Clip = None) -> str:
    """The closing, shown in the alert of incident #number."""
    shown = clipped(note, clip, number)
    return f"\n✅ <b>Selesai</b> oleh {escape(name)} pukul {wita(moment)}: {shown}"


def update_for_group(
    number: int, level: Level, kecamatan: str, name: str, moment: datetime, text: str
) -> str:
    """A perkembangan of a Rawan/Darurat incident, posted under its alert."""
    return (
        f"➕ <b>Perkembangan insiden #{number}</b> · {level_badge(level)} · "
        f"{escape(kecamatan)}\n{escape(name)}, pukul {wita(moment)}:\n{escape(text)}"
    )


# --- /perkembangan, /selesai, /buka ---------------------------------------------------------

PERKEMBANGAN_USAGE = (
    "Tulis nomor laporan dan perkembangannya, misalnya "
    "<code>/perkembangan 12 massa mulai bubar</code> atau dengan tingkat baru: "
    "<code>/perkembangan 12 rawan massa bertambah</code>."
)
SELESAI_USAGE = (
    "Tulis nomor laporan dan catatan penutup, misalnya "
    "<code>/selesai 12 massa sudah bubar, konvoi berjalan</code>."
)
BUKA_USAGE = "Tulis nomor laporan, misalnya <code>/buka 12</code>."
NOT_YOUR_KECAMATAN = (
    "Insiden ini bukan di kecamatan Bapak/Ibu; perkembangannya dikirim petugas kecamatan itu "
    "atau koordinator. Kejadian di kecamatan Bapak/Ibu dilaporkan dengan /lapor."
)


def no_incident(number: int) -> str:
    """The report does not exist, or belongs to no incident (Aman reports)."""
    return (
        f"Laporan #{number} tidak termasuk insiden mana pun. Periksa nomornya: petugas lewat "
        "/riwayat, koordinator lewat /insiden."
    )


def incident_closed(number: int, *, staff: bool) -> str:
    """An update or closing of a resolved incident (`staff`: to a koordinator or admin, who may
    reopen it themselves)."""
    if staff:
        return (
            f"Insiden #{number} sudah selesai. Jika masih berlangsung, buka kembali dengan "
            f"<code>/buka {number}</code>."
        )
    return (
        f"Insiden #{number} sudah selesai. Jika masih berlangsung, minta koordinator "
        f"membukanya kembali (<code>/buka {number}</code>) atau kirim laporan baru dengan /lapor."
    )


def incident_still_open(number: int) -> str:
    """/buka of an incident that is open."""
    return (
        f"Insiden #{number} masih terbuka; tidak perlu dibuka kembali. Perkembangannya: "
        f"<code>/perkembangan {number} teks</code>."
    )


def update_saved(number: int, level: Level) -> str:
    """Confirmation of a perkembangan."""
    return f"➕ Perkembangan insiden #{number} tercatat. Tingkat insiden: {level_badge(level)}."


def closed_done(number: int) -> str:
    """Confirmation of /selesai."""
    return f"✅ Insiden #{number} tercatat selesai. Terima kasih."


def reopened_done(number: int, state: IncidentState) -> str:
    """Confirmation of /buka."""
    return f"↩️ Insiden #{number} dibuka kembali ({INCIDENT_STATE[state]})."


def ask_update(number: int) -> str:
    """The button asks for the perkembangan in one message."""
    return (
        f"➕ Tulis perkembangan insiden #{number} dalam satu pesan. Jika tingkatnya berubah, "
        "awali dengan tingkat baru, misalnya <code>rawan massa bertambah</code>. "
        "Ketik /batal untuk membatalkan."
    )


UPDATE_EMPTY = "Perkembangan kosong. Tulis perkembangannya atau ketik /batal."


def finish_form_first(number: int) -> str:
    """The perkembangan dialog would replace a form the officer is still filling in."""
    return (
        "📝 Bapak/Ibu masih mengisi formulir yang belum dikirim. Agar isinya tidak hilang, "
        "kirim dulu formulir itu atau batalkan dengan /batal, lalu tekan lagi "
        f"{PERKEMBANGAN_BUTTON}. Perkembangan juga dapat langsung dikirim tanpa menutup "
        f"formulir: <code>/perkembangan {number} isi perkembangan</code>."
    )


def ack_incident_closed(number: int) -> str:
    """Button answer: "✅ Diterima" pressed after the incident was resolved."""
    return f"Insiden #{number} sudah selesai; tombol ✅ Diterima tidak perlu ditekan lagi."


UPDATE_CANCELLED = "❌ Perkembangan dibatalkan, tidak ada yang dicatat."


def update_expired(idle: timedelta) -> str:
    """The update dialog was closed for lack of activity."""
    return (
        f"⌛ Pencatatan perkembangan dibatalkan karena tidak ada kegiatan selama "
        f"{duration(idle)}. Tekan lagi tombol ➕ Perkembangan atau gunakan /perkembangan."
    )


# --- /lihat: the timeline -------------------------------------------------------------------


def timeline_header(
    number: int, level: Level, state: IncidentState, opened: datetime, kecamatan: str
) -> str:
    """The first block of an incident's timeline in /lihat."""
    return (
        f"\n📌 <b>Insiden #{number}</b> · {escape(kecamatan)} · {level_badge(level)} · "
        f"{INCIDENT_STATE[state]}\nDibuka {day_wita(opened)}"
    )


def timeline_line(event: IncidentEvent, moment: datetime, reporter: str | None) -> str:
    """One step of the timeline."""
    who = escape(event.actor_name or reporter or "-")
    level = f" · {level_badge(event.level)}" if event.level is not None else ""
    text = escape(event.text or "")
    if event.kind is EventKind.REPORT:
        return f"{day_wita(moment)} — 📝 Laporan #{event.report}{level} ({who})"
    if event.kind is EventKind.UPDATE:
        return f"{day_wita(moment)} — ➕ Perkembangan oleh {who}{level}: {text}"
    if event.kind is EventKind.TAKE_UP:
        return f"{day_wita(moment)} — 👁 Ditangani oleh {who}"
    if event.kind is EventKind.CLOSE:
        return f"{day_wita(moment)} — ✅ Selesai oleh {who}: {text}"
    return f"{day_wita(moment)} — ↩️ Dibuka kembali oleh {who}"


def reporter_name(role: Role, name: str) -> str:
    """How the reporting officer is named in the timeline (not yet escaped)."""
    return f"{ROLE_LABEL.get(role, role.value)} {name}"


# --- /insiden -------------------------------------------------------------------------------

INSIDEN_USAGE = "Format: <code>/insiden [kecamatan]</code>, misalnya <code>/insiden telen</code>."
INSIDEN_EMPTY = "✅ Tidak ada insiden terbuka."


def insiden_title(kecamatan: str | None) -> str:
    """Title of the /insiden listing."""
    title = "🚨 <b>Insiden terbuka</b>"
    return f"{title} — {escape(kecamatan)}" if kecamatan else title


def insiden_line(
    number: int, level: Level, kecamatan: str, state: IncidentState, opened: datetime,
    now: datetime,
) -> str:  # fmt: skip
    """One open incident in /insiden."""
    age = duration(now - opened)
    return (
        f"#{number} · {LEVEL_EMOJI[level]} <b>{escape(kecamatan)}</b> · {INCIDENT_STATE[state]} · "
        f"sejak {day_wita(opened)} ({age})"
    )


def insiden_page(
    title: str, lines: list[str], page: int, pages: int, total: int, *, buttons: bool = False
) -> str:
    """A page of /insiden (with `buttons`, each incident has a ➕ button under it)."""
    footer = f"\nHalaman {page + 1}/{pages} · /lihat &lt;nomor&gt; untuk linimasa"
    if buttons:
        footer += "\nTekan ➕ #nomor untuk mencatat perkembangan insiden itu."
    return "\n".join([f"{title} ({total} insiden)", "", *lines]) + footer


def insiden_update_button(number: int) -> str:
    """The button of one incident under a private /insiden page."""
    return f"➕ #{number}"


# --- stale incidents: "is it still going on?" -----------------------------------------------

STALE_ONGOING_BUTTON = "⏳ Masih berlangsung"
STALE_DONE_BUTTON = "✅ Sudah selesai"
# The closing note of "Sudah selesai" (one tap; a note of one's own is /selesai <nomor> ...).
STALE_CLOSING_NOTE = "Dinyatakan selesai melalui tombol pengingat, tanpa catatan tambahan."
STALE_SNIPPET = 200


def stale_question(
    number: int,
    level: Level,
    kecamatan: str,
    opened: datetime,
    quiet_since: datetime,
    quiet: timedelta,
    latest: str,
    *,
    reporter: bool,
) -> str:
    """Asks an officer privately whether a silent incident is still going on."""
    shown = latest if len(latest) <= STALE_SNIPPET else latest[:STALE_SNIPPET].rstrip() + " …"
    lines = [
        f"⏳ <b>Insiden #{number} masih berlangsung?</b>",
        f"{level_badge(level)} · {escape(kecamatan)} · dibuka {day_wita(opened)}",
        f"Belum ada kabar selama {duration(quiet)} (sejak {day_wita(quiet_since)}).",
    ]
    if shown.strip():
        lines.append(f"<i>{escape(shown)}</i>")
    if not reporter:
        lines.append(
            "Bot tidak dapat mengirim pesan kepada pelapor, sehingga pertanyaan ini dikirim "
            "kepada Bapak/Ibu sebagai petugas kecamatan yang sama."
        )
    lines += [
        "",
        f"Jika masih berlangsung, tekan <b>{STALE_ONGOING_BUTTON}</b> lalu tulis "
        f"perkembangannya. Jika sudah selesai, tekan <b>{STALE_DONE_BUTTON}</b>; untuk menutup "
        f"dengan catatan sendiri kirim <code>/selesai {number} catatan</code>.",
    ]
    return "\n".join(lines)


def stale_already_closed(number: int) -> str:
    """Button answer (plain text): the incident was resolved meanwhile."""
    return f"Insiden #{number} sudah selesai. Jika ada kejadian baru, laporkan dengan /lapor."


def stale_reopened(number: int) -> str:
    """Button answer (plain text, at most 200 characters): "✅ Sudah selesai" of a question
    asked before the incident was reopened."""
    return (
        f"Insiden #{number} dibuka kembali setelah pertanyaan ini dikirim, jadi tombol ini tidak "
        f"berlaku lagi. Jika sudah selesai, kirim /selesai {number} catatan."
    )


def stale_question_expired(number: int) -> str:
    """Button answer (plain text, at most 200 characters): a question no longer asked."""
    return (
        f"Pertanyaan ini sudah tidak berlaku. Jika insiden #{number} sudah selesai, kirim "
        f"/selesai {number} catatan."
    )


def stale_closed(number: int) -> str:
    """Confirmation of "Sudah selesai"."""
    return (
        f"✅ Insiden #{number} tercatat selesai. Terima kasih. "
        f"Catatan penutup: <i>{escape(STALE_CLOSING_NOTE)}</i>"
    )
