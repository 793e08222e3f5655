"""The live dashboard: /dasbor's answer (HTML for Telegram) and the page's labels.

The page's labels are plain text: the page's templates escape everything they print, so these
contain no HTML. The Telegram answers below are HTML, with the link escaped here.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from html import escape, unescape

from bot.texts.arahan import audience_short, tally_line
from bot.texts.calendar import clock as calendar_clock
from bot.texts.calendar import date_range, day_month, window_span
from bot.texts.commands import CommandText
from bot.texts.common import (
    CATEGORY_LABEL,
    LEVEL_EMOJI,
    LEVEL_LABEL,
    ROLE_LABEL,
    duration,
    long_date,
)
from bot.texts.digest import condition_counts_line
from bot.texts.incidents import INCIDENT_STATE
from domain.arahan import ArahanShort
from domain.calendar import CalendarNow, Period
from domain.enums import Category, Level, Role
from domain.incidents import IncidentState

# --- /dasbor in Telegram (HTML) ------------------------------------------------------------

DASBOR = CommandText(
    "dasbor pantauan langsung",
    "/dasbor — tautan masuk ke dasbor pantauan langsung (layar posko dan ponsel)",
)
OPEN_IN_TELEGRAM = "📱 Buka di Telegram"
OPEN_IN_BROWSER = "🌐 Buka di peramban"
DASHBOARD_OFF = (
    "⚠️ Dasbor tidak aktif pada bot ini: alamatnya tidak dapat dipakai saat bot dijalankan. "
    "Hubungi operator Kesbangpol."
)


def signin_link(url: str, minutes: int, *, loopback: bool, mini_app: bool) -> str:
    """The answer to /dasbor: a personal link, usable once, valid for `minutes`."""
    lines = [
        "🖥 <b>Dasbor Posko</b>",
        f"Tautan masuk pribadi Bapak/Ibu, sekali pakai dan berlaku {minutes} menit:",
        f'<a href="{escape(url)}">{escape(url)}</a>',
        "",
        "Jangan teruskan tautan ini. Setelah dibuka, perangkat itu tetap masuk paling lama "
        "12 jam.",
    ]
    if mini_app:
        lines.append(f"Di ponsel, tekan <b>{OPEN_IN_TELEGRAM}</b> untuk membukanya di Telegram.")
    if loopback:
        lines += [
            "",
            "ℹ️ Alamat ini hanya dapat dibuka di komputer tempat bot berjalan, tidak dari "
            "ponsel. Agar dapat dibuka dari mana saja, operator mengatur alamat publik dasbor "
            "(<code>DASHBOARD_URL</code>).",
        ]
    return "\n".join(lines)


# --- the page (plain text: the templates escape it) -----------------------------------------

PAGE_TITLE = "Dasbor Posko"
WALL_MODE = "Mode layar posko"
PHONE_MODE = "Mode biasa"
SIGN_OUT = "Keluar"
SIGNED_IN_AS = "Masuk sebagai"
SIGNING_IN = "Sedang masuk…"
NOT_SIGNED_IN = (
    "Bapak/Ibu belum masuk. Kirim /dasbor ke bot Posko di Telegram untuk mendapat tautan masuk."
)
LINK_INCOMPLETE = "Tautan masuk tidak lengkap. Salin seluruh tautan dari pesan bot."
LINK_REFUSED = (
    "Tautan ini tidak berlaku lagi: sudah dipakai atau lewat 10 menit. Kirim /dasbor ke bot "
    "untuk tautan baru."
)
MINIAPP_REFUSED = (
    "Tidak dapat masuk dari Telegram. Tutup dasbor ini, lalu buka lagi dengan /dasbor di bot."
)
SIGNED_OUT = "Sesi dasbor berakhir. Kirim /dasbor ke bot untuk masuk lagi."
OFFLINE = "Koneksi ke Posko terputus, mencoba lagi…"
UPDATED_AT = "Diperbarui"

TILES_TITLE = "Kondisi kecamatan"
# A kecamatan mapped `tinggi` on the vulnerability map that has not reported in the window.
TILE_FLAGGED = "⚠️ rawan tinggi, belum lapor"
INCIDENTS_TITLE = "Insiden terbuka"
INCIDENTS_EMPTY = "Tidak ada insiden terbuka."
REPORTS_TITLE = "Laporan terbaru"
REPORTS_EMPTY = "Belum ada laporan."
COVERAGE_TITLE = "Belum lapor hari ini"
COVERAGE_DONE = "Semua petugas sudah melapor hari ini."
NO_OFFICERS = "belum ada petugas terdaftar"
NOT_REPORTED = "Belum lapor"

CONDITION_CLASS = {
    Level.AMAN: "aman",
    Level.WASPADA: "waspada",
    Level.RAWAN: "rawan",
    Level.DARURAT: "darurat",
}
NO_CONDITION_CLASS = "belum"


def condition_class(level: Level | None) -> str:
    """The CSS class that colours a tile (and names the condition for tests and styles)."""
    return CONDITION_CLASS[level] if level is not None else NO_CONDITION_CLASS


def condition_label(level: Level | None) -> str:
    """ "🟠 Rawan", or "⚪ Belum lapor"."""
    if level is None:
        return f"⚪ {NOT_REPORTED}"
    return f"{LEVEL_EMOJI[level]} {LEVEL_LABEL[level]}"


def tile_condition(level: Level | None) -> str:
    """A tile's condition word ("Rawan", "Belum lapor"): its colour says it too."""
    return LEVEL_LABEL[level] if level is not None else NOT_REPORTED


def counts_line(counts: dict[Level | None, int]) -> str:
    """The header line of counts, as the digest and /status show it."""
    return condition_counts_line(counts)


def heading(district: str, now: datetime) -> str:
    """ "Kabupaten Kutai Timur · Rabu, 27 November 2024"."""
    return f"{district} · {long_date(now.date())}"


def updated_at(now: datetime) -> str:
    """ "Diperbarui 10.05 WITA"."""
    return f"{UPDATED_AT} {now:%H.%M} {now.tzname()}"


def tile_reports(count: int) -> str:
    """ "3 laporan" on a tile."""
    return f"{count} laporan"


def tile_officers(reported: int, total: int) -> str:
    """ "2/3 petugas melapor" on a tile."""
    return f"{reported}/{total} petugas melapor"


def tile_incidents(count: int) -> str:
    """ "2 insiden terbuka" on a tile (nothing when there are none)."""
    return f"{count} insiden terbuka" if count else ""


def incidents_title(total: int) -> str:
    """ "Insiden terbuka (4)"."""
    return f"{INCIDENTS_TITLE} ({total})"


def incidents_more(hidden: int) -> str:
    """Below a cut list."""
    return f"… dan {hidden} insiden lain (daftar lengkap: /insiden di bot)."


def incident_state(state: IncidentState, level: Level) -> str:
    """ "🆕 Baru, belum diterima" for an urgent incident nobody took up, else the state."""
    text = INCIDENT_STATE[state]
    if state is IncidentState.BARU and level.escalates:
        text += ", belum diterima"
    return text


def age(span: timedelta) -> str:
    """ "sejak 2 jam 5 menit"."""
    return f"sejak {duration(span)}"


def last_news(moment: datetime, now: datetime) -> str:
    """ "kabar terakhir 10.20 WITA (15 menit lalu)"."""
    return f"kabar terakhir {moment:%H.%M} {moment.tzname()} ({duration(now - moment)} lalu)"


def clock(moment: datetime) -> str:
    """ "10.20"."""
    return f"{moment:%H.%M}"


def day_clock(moment: datetime) -> str:
    """ "26/11 22.10"."""
    return f"{moment:%d/%m %H.%M}"


def reporter(role: Role, name: str | None, kecamatan: str) -> str:
    """ "Kapolsek Muara Wahau (Agus Salim)"."""
    who = f"{ROLE_LABEL.get(role, role.value.capitalize())} {kecamatan}"
    return f"{who} ({name})" if name else who


def category(key: str | None) -> str:
    """A report's category label ("" when none)."""
    if not key:
        return ""
    try:
        return CATEGORY_LABEL[Category(key)]
    except ValueError:
        return key


NIHIL = "nihil"


def silent_line(names: list[str], limit: int) -> str:
    """The officers of one kecamatan who have not reported (a few named, the rest counted)."""
    if len(names) <= limit:
        return ", ".join(names)
    return f"{', '.join(names[:limit])}, dan {len(names) - limit} lainnya"


def officer(role: Role, name: str) -> str:
    """ "Camat Budi Santoso"."""
    return f"{ROLE_LABEL.get(role, role.value.capitalize())} {name}"


ARAHAN_TITLE = "Arahan menunggu konfirmasi"


def arahan_line(short: ArahanShort, now: datetime) -> str:
    """ "#7 · 09.30 WITA · Danramil — Dipahami 41/54 · belum 11" (the digest's tally words)."""
    sent = short.created_at.astimezone(now.tzinfo)
    # The Telegram wording escapes kecamatan names as HTML; the page's templates escape anyway.
    who = unescape(audience_short(short.audience))
    return f"#{short.number} · {sent:%H.%M} {sent.tzname()} · {who} — {tally_line(short.tally)}"


STAGE_TITLE = "Tahapan pemilihan"
NO_STAGE = "Di luar tahapan pemilihan: berlaku jadwal biasa."


def stage_now(now: CalendarNow) -> str:
    """ "4. Pemungutan suara (27 November 2024)", or that no stage is in force."""
    today = now.today
    if today.stage is None or today.number is None:
        return NO_STAGE
    stage = today.stage
    return f"{today.number}. {stage.name} ({date_range(stage.first_day, stage.last_day)})"


def window_now(period: Period) -> str:
    """ "Jendela lapor sekarang: 09.00–12.00 WITA", "Di luar jendela lapor; jendela berikutnya
    mulai 06.00 WITA", or "Jendela lapor: sehari penuh"."""
    if not period.windowed:
        return "Jendela lapor: sehari penuh"
    if period.window is not None:
        return f"Jendela lapor sekarang: {window_span(period.window)}"
    following = period.next_window
    if following is None:
        return "Di luar jendela lapor"
    start = following.start
    return f"Di luar jendela lapor; berikutnya mulai {calendar_clock(start)} {start.tzname()}"


def next_stage(now: CalendarNow) -> str:
    """ "Berikutnya: 5. Penghitungan suara, mulai 28 November 2024" ("" without one)."""
    if now.next_stage is None:
        return ""
    first, number, stage = now.next_stage
    return f"Berikutnya: {number}. {stage.name}, mulai {day_month(first)}"


def coverage_title(period: Period) -> str:
    """ "Belum lapor hari ini", "Belum lapor, jendela 09.00–12.00 WITA", or outside every
    window "Belum lapor sejak 00.00 WITA"."""
    if not period.windowed:
        return COVERAGE_TITLE
    if period.window is not None:
        return f"Belum lapor, jendela {window_span(period.window)}"
    return f"Belum lapor sejak {calendar_clock(period.start)} {period.start.tzname()}"


def coverage_done(period: Period) -> str:
    """Everyone reported in the period counted."""
    if not period.windowed:
        return COVERAGE_DONE
    return "Semua petugas sudah melapor pada jendela ini."
