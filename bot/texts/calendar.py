"""The election calendar: /tahapan, its changes, /jadwal, reporting windows in the views,
the digest and the reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from html import escape

from bot.texts.commands import CommandText
from bot.texts.common import MONTH_NAMES, duration, long_date
from domain.calendar import (
    END_OF_DAY,
    Calendar,
    CalendarNow,
    ChangeError,
    DayRhythm,
    Finding,
    Period,
    Problem,
    Stage,
    Window,
    WindowRule,
)

TAHAPAN = CommandText(
    "tahapan pemilihan dan jendela lapor",
    "/tahapan — tahapan pemilihan sekarang, iramanya, dan tahapan berikutnya",
)
SAVE_BUTTON = "✅ Simpan"
CANCEL_BUTTON = "❌ Batal"


# --- times, days and windows -------------------------------------------------------------------


def clock(moment: time | datetime) -> str:
    """ "14.05" (with seconds "10.02.30"); a digest at the end of the day "24.00"."""
    if isinstance(moment, time) and moment == END_OF_DAY:
        return "24.00"
    return moment.strftime("%H.%M.%S" if moment.second else "%H.%M")


def clocks(times: Sequence[time]) -> str:
    """ "07.00, 12.00, 19.00"."""
    return ", ".join(clock(t) for t in times)


def _minutes(minutes: int) -> str:
    return f"{minutes // 60:02d}.{minutes % 60:02d}"


def day_month(day: date) -> str:
    """ "27 November 2024"."""
    return f"{day.day} {MONTH_NAMES[day.month - 1]} {day.year}"


def date_range(first: date, last: date) -> str:
    """ "27 November 2024", "24–26 November 2024", "25 September–23 November 2024"."""
    if first == last:
        return day_month(first)
    if (first.year, first.month) == (last.year, last.month):
        return f"{first.day}–{day_month(last)}"
    if first.year == last.year:
        return f"{first.day} {MONTH_NAMES[first.month - 1]}–{day_month(last)}"
    return f"{day_month(first)}–{day_month(last)}"


def window_span(window: Window) -> str:
    """ "09.00–12.00 WITA", "21.00–24.00 WITA", or across midnight "25/11 18.00–26/11 06.00
    WITA"; the whole day is "sehari penuh"."""
    if window.whole_day:
        return "sehari penuh"
    zone = window.start.tzname()
    if window.end.date() == window.start.date():
        return f"{clock(window.start)}–{clock(window.end)} {zone}"
    if window.end.date() == window.start.date() + timedelta(days=1) and window.end.time() == time(
        0
    ):
        return f"{clock(window.start)}–24.00 {zone}"
    return (
        f"{window.start:%d/%m} {clock(window.start)}–{window.end:%d/%m} {clock(window.end)} {zone}"
    )


def window_rule(rule: WindowRule | None) -> str:
    """ "setiap 3 jam, 06.00–24.00" or "sehari penuh"."""
    if rule is None:
        return "sehari penuh (lapor harian)"
    until = rule.until if rule.until > rule.start else rule.until + 24 * 60
    end = _minutes(until) if until <= 24 * 60 else f"{_minutes(until - 24 * 60)} hari berikutnya"
    return (
        f"setiap {duration(timedelta(minutes=rule.every_minutes))}, {_minutes(rule.start)}–{end}"
    )


def _reminders(rhythm: DayRhythm | Stage) -> str:
    if not rhythm.reminders:
        return "tidak ada"
    if rhythm.reminder_times:
        return clocks(rhythm.reminder_times)
    return "di tengah setiap jendela lapor"


def stage_name(number: int, stage: Stage) -> str:
    """ "4. Pemungutan suara" (escaped)."""
    return f"{number}. {escape(stage.name)}"


def stage_rhythm(stage: Stage) -> list[str]:
    """A stage's rhythm, one line each: digests, reminders, window."""
    return [
        f"• Rekap: {clocks(stage.digest_times) or 'tidak ada'}",
        f"• Pengingat: {_reminders(stage)}",
        f"• Jendela lapor: {window_rule(stage.window)}",
    ]


# --- the reporting window in the views, the digest and the reminders ---------------------------


def period_note(period: Period) -> str | None:
    """The line saying which reporting window a view counts; None where the WITA day is the
    window (no stage with windows in force)."""
    if not period.windowed:
        return None
    stage = f"Tahapan <b>{escape(period.stage.name)}</b> · " if period.stage else ""
    if period.window is not None:
        return f"🗳 {stage}jendela lapor {window_span(period.window)}"
    following = (
        f"; jendela berikutnya mulai {clock(period.next_window.start)} "
        f"{period.next_window.start.tzname()}"
        if period.next_window is not None
        else ""
    )
    return (
        f"🗳 {stage}di luar jendela lapor: dihitung sejak {clock(period.start)} "
        f"{period.start.tzname()}{following}"
    )


def digest_stage_line(period: Period | None) -> str | None:
    """The digest's line naming the stage and the window it covers; None outside every stage
    (and for /rekap of a whole day)."""
    if period is None:
        return None
    note = period_note(period)
    if note is not None:
        return note
    if period.stage is not None:
        return f"🗳 Tahapan <b>{escape(period.stage.name)}</b> · lapor harian"
    return None


def window_phrase(period: Period) -> str | None:
    """ "untuk jendela lapor 09.00–12.00 WITA (tahapan Pemungutan suara)", for a reminder in a
    windowed stage; None where the WITA day is the window."""
    if not period.windowed or period.window is None:
        return None
    stage = f" (tahapan {escape(period.stage.name)})" if period.stage else ""
    return f"untuk jendela lapor {window_span(period.window)}{stage}"


def belum_none(period: Period) -> str | None:
    """ "Everyone reported" in a window, or outside every window today; None where the WITA day
    is the window (the daily BELUM_NONE)."""
    note = period_note(period)
    if note is None:
        return None
    if period.window is None:
        return f"✅ Semua petugas terdaftar sudah melapor hari ini.\n{note}"
    return (
        "✅ Semua petugas terdaftar sudah melapor pada jendela lapor "
        f"{window_span(period.window)}."
    )


# --- /tahapan ----------------------------------------------------------------------------------


def _source(version: int | None, changed_at: datetime | None, file: str | None) -> str:
    if version is not None and changed_at is not None:
        return f"diubah di bot, {changed_at:%d/%m/%Y} {clock(changed_at)} {changed_at.tzname()}"
    if file is not None:
        return f"berkas {escape(file)}"
    return "bawaan Pilkada 2024, PKPU 2/2024"


def tahapan_view(
    now: CalendarNow,
    calendar: Calendar,
    *,
    version: int | None,
    changed_at: datetime | None,
    file: str | None,
    admin: bool,
    file_set_aside: bool = False,
    officer: bool = False,
) -> str:
    """/tahapan: the stage in force and its rhythm, the window now, the next stage, the list
    (left out for an `officer`, whose answer fits one phone screen; `file_set_aside`:
    CALENDAR_FILE differs from the calendar stored in the bot, which wins)."""
    today = now.today
    lines = [f"🗳 <b>Tahapan pemilihan</b> — {long_date(today.day)}, pukul {clock(now.moment)} "
             f"{now.moment.tzname()}", ""]  # fmt: skip
    if today.stage is not None and today.number is not None:
        lines.append(
            f"Sekarang: <b>{stage_name(today.number, today.stage)}</b> "
            f"({date_range(today.stage.first_day, today.stage.last_day)})"
        )
        lines += stage_rhythm(today.stage)
    else:
        lines += [
            "Sekarang: <b>di luar tahapan pemilihan</b>; berlaku jadwal biasa (/jadwal).",
            f"• Rekap: {clocks(today.digest_times) or 'tidak ada'}",
            f"• Pengingat: {clocks(today.reminder_times) or 'tidak ada'}",
            f"• Jendela lapor: {window_rule(None)}",
        ]
    period = now.period
    if period.windowed and period.window is not None:
        lines.append(f"Jendela lapor sekarang: <b>{window_span(period.window)}</b>")
    elif period.windowed:
        following = period.next_window
        lines.append(
            "Sekarang di luar jendela lapor"
            + (f"; jendela berikutnya mulai {clock(following.start)} {following.start.tzname()}"
               if following is not None else "")
        )  # fmt: skip
    if now.next_stage is not None:
        first, number, stage = now.next_stage
        lines.append(f"Berikutnya: <b>{stage_name(number, stage)}</b>, mulai {day_month(first)}")
    if officer:
        return "\n".join(lines)
    lines += ["", f"<b>Kalender</b> ({_source(version, changed_at, file)})"]
    if not calendar.stages:
        lines.append("Belum ada tahapan: sepanjang waktu berlaku jadwal biasa.")
    lines += [
        f"{stage_name(n, s)} — {date_range(s.first_day, s.last_day)}"
        for n, s in enumerate(calendar.stages, 1)
    ]
    if admin and file_set_aside and file is not None:
        lines.append(calendar_file_set_aside(file))
    if admin:
        lines += ["", TAHAPAN_ADMIN_USAGE]
    return "\n".join(lines)


def calendar_file_set_aside(file: str) -> str:
    """For admins: the calendar stored in the bot is in force, not CALENDAR_FILE."""
    return (
        f"⚠️ Yang berlaku kalender dari bot, bukan dari berkas {escape(file)} (isinya berbeda). "
        "Untuk memakai berkas itu, kirim dengan keterangan <code>/tahapan impor</code>."
    )


TAHAPAN_ADMIN_USAGE = (
    "<b>Ubah</b> (admin, dengan konfirmasi):\n"
    "<code>/tahapan ubah 4 | 27-11-2024 | 27-11-2024</code> — tanggal tahapan 4 "
    "(juga <code>2024-11-27</code>, <code>hari ini</code>, <code>besok</code>)\n"
    "<code>/tahapan atur 4 rekap 07.00,12.00,19.00</code> — jam rekap "
    "(<code>-</code>: tidak ada)\n"
    "<code>/tahapan atur 4 pengingat 15.00</code> — jam pengingat (<code>tengah</code>: di tengah "
    "setiap jendela; <code>mati</code>: tidak ada)\n"
    "<code>/tahapan atur 4 jendela 180 06.00-24.00</code> — jendela lapor tiap 180 menit "
    "(<code>harian</code>: sehari penuh)\n"
    "Kirim berkas JSON dengan keterangan <code>/tahapan impor</code> untuk mengganti seluruh "
    "kalender."
)
TAHAPAN_ADMIN_ONLY = (
    "Mengubah tahapan hanya dapat dilakukan admin, di obrolan pribadi dengan bot. Tahapan yang "
    "berlaku: /tahapan."
)
TAHAPAN_USAGE = (
    "Format: <code>/tahapan</code>, <code>/tahapan ubah &lt;nomor&gt; | &lt;dari&gt; | "
    "&lt;sampai&gt;</code>, <code>/tahapan atur &lt;nomor&gt; rekap|pengingat|jendela "
    "&lt;nilai&gt;</code>, atau berkas JSON dengan keterangan <code>/tahapan impor</code>."
)

CHANGE_ERRORS = {
    ChangeError.USAGE: "Format: <code>/tahapan ubah 4 | 27-11-2024 | 27-11-2024</code> atau "
    "<code>/tahapan atur 4 rekap 07.00,19.00</code>.",
    ChangeError.STAGE: "Nomor tahapan tidak ada. Lihat daftarnya dengan /tahapan.",
    ChangeError.DATE: "Tanggal tidak dikenal. Tulis misalnya <code>27-11-2024</code>, "
    "<code>27 Nov 2024</code>, <code>hari ini</code>, <code>besok</code>, atau <code>lusa</code>.",
    ChangeError.FIELD: "Bagian tidak dikenal. Tulis <code>rekap</code>, <code>pengingat</code>, "
    "atau <code>jendela</code> setelah nomor tahapan.",
    ChangeError.TIMES: "Jam tidak dikenal. Tulis jam 24 jam dipisah koma, misalnya "
    "<code>07.00,12.00</code> (<code>07:00,12:00</code> juga diterima).",
    ChangeError.WINDOW: "Jendela tidak dikenal. Tulis menit lalu jam mulai dan selesai, misalnya "
    "<code>jendela 180 06.00-24.00</code> atau <code>jendela harian</code>.",
}

# HTML; {detail} (escaped by calendar_problem) is a field, a value, a name, or a line. The
# file's own keys are shown in <code> as they must be written.
_PROBLEMS = {
    Problem.UNREADABLE: "berkas tidak dapat dibaca sebagai teks UTF-8; simpan ulang sebagai "
    "UTF-8 lalu kirim lagi",
    Problem.NOT_JSON: "bukan JSON yang sah; periksa tanda kutip, koma, dan kurung di baris "
    "{detail}",
    Problem.NOT_CALENDAR: "isi berkas harus berupa objek dengan daftar <code>stages</code>",
    Problem.TOO_MANY_STAGES: "paling banyak 40 tahapan",
    Problem.NOT_STAGE: "tahapan harus berupa objek",
    Problem.UNKNOWN_FIELD: "kolom tidak dikenal: <code>{detail}</code>",
    Problem.MISSING_FIELD: "kolom wajib tidak ada: <code>{detail}</code>",
    Problem.BAD_NAME: "nama harus 1–60 karakter",
    Problem.DUPLICATE_NAME: "nama sudah dipakai tahapan lain: {detail}",
    Problem.BAD_DATE: "tanggal tidak sah; tulis seperti <code>2024-11-27</code> "
    "(<code>{detail}</code>)",
    Problem.DATES_REVERSED: "tanggal selesai sebelum tanggal mulai",
    Problem.BAD_TIMES: "<code>{detail}</code> harus berupa daftar jam, misalnya "
    '<code>["07.00", "19.00"]</code> (paling banyak 48)',
    Problem.BAD_REMINDERS: "<code>reminders</code> harus <code>true</code> atau "
    "<code>false</code>",
    Problem.REMINDERS_OFF_WITH_TIMES: "<code>reminders</code> bernilai <code>false</code>, "
    "tetapi <code>reminder_times</code> diisi",
    Problem.BAD_WINDOW: "<code>window</code> harus berisi <code>every_minutes</code>, "
    "<code>from</code>, dan <code>until</code>",
    Problem.BAD_EVERY: "<code>every_minutes</code> harus bilangan bulat 1 sampai 1440 "
    "(<code>{detail}</code>)",
    Problem.BAD_WINDOW_TIME: 'jam jendela tidak sah; tulis seperti <code>"06.00"</code>, '
    '<code>until</code> boleh <code>"24.00"</code> (<code>{detail}</code>)',
    Problem.REMINDER_OUTSIDE_WINDOW: "jam pengingat {detail} di luar jendela lapor (di luar "
    "jendela tidak ada pengingat)",
    Problem.SAME_LENGTH_OVERLAP: "bertumpang tindih dengan tahapan {detail} yang sama panjangnya "
    "(tidak jelas mana yang berlaku)",
}
# Keys of the calendar file (README, "The election calendar"), named in the problems above:
# a file format, so they stay as the file spells them.
CALENDAR_FILE_KEYS = (
    "stages", "name", "start", "end", "digest_times", "reminder_times", "reminders", "window",
    "every_minutes", "from", "until", "true", "false",
)  # fmt: skip


def calendar_problem(finding: Finding) -> str:
    """One problem of a calendar, in words (the detail escaped)."""
    text = _PROBLEMS[finding.problem].format(detail=escape(finding.detail))
    return f"Tahap {finding.stage}: {text}" if finding.stage is not None else text


def calendar_refused(findings: Sequence[Finding], limit: int = 40) -> str:
    """Every problem (up to `limit`) of a refused calendar file or change."""
    lines = [f"❌ <b>Tidak disimpan</b>: {len(findings)} kesalahan, kalender tidak berubah."]
    lines += [f"• {calendar_problem(f)}" for f in findings[:limit]]
    if len(findings) > limit:
        lines.append(f"... dan {len(findings) - limit} kesalahan lain.")
    lines.append("Perbaiki kesalahan di atas, lalu kirim lagi.")
    return "\n".join(lines)


def proposal_dates(number: int, before: Stage, after: Stage) -> str:
    """The confirmation question of new dates for a stage."""
    return (
        f"🗳 Ubah tanggal tahapan <b>{stage_name(number, before)}</b>\n"
        f"Sebelumnya: {date_range(before.first_day, before.last_day)}\n"
        f"Menjadi: <b>{date_range(after.first_day, after.last_day)}</b>\n\n"
        "Simpan perubahan ini? Berlaku segera, termasuk jadwal rekap dan pengingat hari ini."
    )


def proposal_rhythm(number: int, before: Stage, after: Stage) -> str:
    """The confirmation question of a new rhythm for a stage."""
    return "\n".join(
        [
            f"🗳 Ubah irama tahapan <b>{stage_name(number, before)}</b> "
            f"({date_range(before.first_day, before.last_day)})",
            "Sebelumnya:",
            *stage_rhythm(before),
            "Menjadi:",
            *stage_rhythm(after),
            "",
            "Simpan perubahan ini? Berlaku segera.",
        ]
    )


def proposal_import(calendar: Calendar) -> str:
    """The confirmation question of a whole new calendar."""
    lines = [f"🗳 Ganti seluruh kalender dengan {len(calendar.stages)} tahapan ini?"]
    for number, stage in enumerate(calendar.stages, 1):
        lines.append(
            f"<b>{stage_name(number, stage)}</b> — {date_range(stage.first_day, stage.last_day)}"
        )
        lines += stage_rhythm(stage)
    if not calendar.stages:
        lines.append("(tanpa tahapan: sepanjang waktu berlaku jadwal biasa)")
    lines += ["", "Berlaku segera. Kalender lama tetap tersimpan sebagai riwayat."]
    return "\n".join(lines)


def calendar_saved(version: int, now: CalendarNow) -> str:
    """After a change was saved: what is in force now."""
    today = now.today
    current = (
        f"<b>{stage_name(today.number, today.stage)}</b>"
        if today.stage is not None and today.number is not None
        else "di luar tahapan pemilihan"
    )
    note = period_note(now.period)
    tail = f"\n{note}" if note else ""
    return (
        f"✅ Disimpan (kalender versi {version}), berlaku mulai sekarang.\n"
        f"Tahapan hari ini: {current}{tail}"
    )


CALENDAR_CANCELLED = "❌ Dibatalkan. Kalender tidak berubah."
CALENDAR_STALE = (
    "⚠️ Tidak disimpan: kalender sudah berubah sejak perubahan ini diusulkan. Lihat /tahapan, "
    "lalu kirim perintahnya lagi."
)
CALENDAR_NOT_YOURS = (
    "Perubahan ini diusulkan admin lain; hanya admin itu yang dapat menyimpannya. Lihat /tahapan."
)
TAHAPAN_IMPOR_HELP = (
    "Kirim berkas kalender (JSON, paling besar 256 KB) dengan keterangan "
    "<code>/tahapan impor</code>, atau balas berkasnya dengan <code>/tahapan impor</code>. "
    "Formatnya ada di README (bagian kalender pemilihan)."
)
TAHAPAN_IMPOR_TOO_BIG = "Berkas terlalu besar (paling besar 256 KB). Perkecil lalu kirim lagi."
TAHAPAN_IMPOR_DOWNLOAD_FAILED = "Berkas tidak dapat diunduh dari Telegram. Coba kirim lagi."


# --- /jadwal -----------------------------------------------------------------------------------


def jadwal_view(
    today: DayRhythm,
    base_digests: Sequence[time],
    base_reminders: Sequence[time],
    digests_changed: bool,
    reminders_changed: bool,
) -> str:
    """/jadwal: the rhythm in force today and which stage it comes from, and the times that
    apply outside every stage."""

    def source(changed: bool) -> str:
        return "diubah di bot" if changed else "pengaturan awal"

    usage = (
        "Ubah: <code>/jadwal rekap 07.00,12.00,19.00</code> · <code>/jadwal pengingat 15.00</code>"
    )
    if today.stage is None or today.number is None:
        return "\n".join(
            [
                "🗓 <b>Jadwal</b> — di luar tahapan pemilihan",
                f"Rekap ke grup koordinasi: <b>{clocks(base_digests)}</b> "
                f"({source(digests_changed)})",
                f"Pengingat petugas: <b>{clocks(base_reminders)}</b> "
                f"({source(reminders_changed)})",
                f"Jendela lapor: {window_rule(None)}",
                "",
                usage,
                "Kalender tahapan: /tahapan",
            ]
        )
    stage = today.stage
    name = escape(stage.name)
    return "\n".join(
        [
            f"🗓 <b>Jadwal</b> — tahapan <b>{stage_name(today.number, stage)}</b> "
            f"({date_range(stage.first_day, stage.last_day)})",
            f"Rekap ke grup koordinasi: <b>{clocks(stage.digest_times) or 'tidak ada'}</b> "
            f"(dari tahapan {name})",
            f"Pengingat petugas: <b>{_reminders(stage)}</b> (dari tahapan {name})",
            f"Jendela lapor: {window_rule(stage.window)}",
            f"Di luar tahapan: rekap {clocks(base_digests)} ({source(digests_changed)}) · "
            f"pengingat {clocks(base_reminders)} ({source(reminders_changed)})",
            "",
            usage,
            f"Perubahan sekarang berlaku untuk tahapan {name} sampai tahapan itu berakhir "
            f"({day_month(stage.last_day)}). Kalender tahapan: /tahapan",
        ]
    )


JADWAL_USAGE = (
    "Format: <code>/jadwal rekap 07.00,19.00</code> atau <code>/jadwal pengingat 16.00</code> "
    "(jam 24 jam dipisah koma; <code>07:00</code> juga diterima)."
)


def schedule_saved(kind: str, times: Sequence[time], stage: Stage | None = None) -> str:
    """Confirmation of a /jadwal change; during a stage it lasts until the stage ends."""
    what = "rekap" if kind == "digest" else "pengingat"
    if stage is None:
        return f"✅ Jadwal {what} sekarang: <b>{clocks(times)}</b> (berlaku mulai sekarang)."
    return (
        f"✅ Jadwal {what} tahapan <b>{escape(stage.name)}</b> sekarang: <b>{clocks(times)}</b>, "
        f"berlaku mulai sekarang sampai tahapan itu berakhir ({day_month(stage.last_day)}). "
        "Sesudahnya berlaku irama tahapan berikutnya atau, di luar tahapan, jadwal biasa."
    )
