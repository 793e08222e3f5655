"""Walks every text of the catalogue (bot/texts/*) for the rules of issue 18 and shared/domain.md.

Every public name a catalogue module defines is covered, or the walk fails: a string constant
(its {placeholders} filled), a CommandText, a table of strings, or a function called through
its sample calls below. A new text therefore cannot be skipped silently: it needs a sample call
here (or, for a helper that returns no text, a line in NOT_TEXT saying so).

What is checked on each text, as Telegram shows it (tags gone, entities unescaped):
- no English word of BANNED (whole words, any case). The exceptions are the bot's own command
  names (`/start`, `/help`), which are names, not prose, and the keys of the calendar file,
  written inside <code> as the file must spell them (CALENDAR_FILE_KEYS);
- no time of day with a colon ("14:05"): the bot writes "14.05" (EYD V). The one exception is
  inside <code>, in a text that also shows the same time with a dot: there the colon spelling is
  offered as also accepted input ("<code>07.00</code> (<code>07:00</code> juga diterima)");
- an officer-facing message (OFFICER_FACING) has at most 12 lines: it fits one phone screen;
- a refusal or error (REFUSAL_NAMES) says what to do next in its first paragraph.
The exported spreadsheets' cells (`logistics_rows`) are data, not messages: their times are
ISO 8601 like every other time cell of the workbook, so only their words are checked.
"""

from __future__ import annotations

import ast
import html
import importlib
import pkgutil
import re
import string
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from functools import partial
from pathlib import Path
from types import ModuleType, UnionType
from typing import Any
from zoneinfo import ZoneInfo

import pytest

import bot.texts
from bot.access import Access
from bot.calendar import load_calendar
from bot.logistics import load_plan
from bot.regions import load_region
from bot.texts import commands as help_texts
from bot.texts import dashboard as D
from bot.texts.calendar import CALENDAR_FILE_KEYS
from bot.texts.commands import CommandText
from domain import calendar as cal
from domain import roster
from domain.arahan import ArahanShort, Audience, RecipientStatus, Tally, Unconfirmed, Urgency
from domain.calendar import Rhythm, WindowRule
from domain.digest import OfficerStatus, build_snapshot, day_bounds
from domain.enums import Level, MemberState, Role
from domain.incidents import EventKind, Incident, IncidentBrief, IncidentEvent, IncidentState
from domain.kerawanan import (
    Finding,
    KecamatanAttention,
    MapLevel,
    MappedKecamatan,
    VulnerabilityMap,
    VulnerableTps,
    kinerja_by_level,
)
from domain.kerawanan import Problem as MapProblem
from domain.kinerja import kinerja
from domain.logistics import (
    Confirmation,
    CountError,
    Kendala,
    PlanError,
    TpsCount,
    WithdrawError,
    build_board,
    due_for_digest,
)
from domain.parsing import QuickReportError
from domain.reports import GroupCount, MediaKind

ROOT = Path(__file__).resolve().parents[2]
MAX_OFFICER_LINES = 12

# English words the bot must not show (shared/domain.md gives the Indonesian word for each
# idea: obrolan, bawaan, rekap, menunggu, galat, berkas, tautan, ...). "Admin" is not here:
# domain.md lists it among the jabatan. Names stay as they are: Telegram, Excel, README, CSV.
BANNED = (
    "and", "audience", "backup", "button", "cancel", "caption", "category", "chat", "count",
    "dashboard", "deadline", "default", "delete", "detail", "digest", "done", "download", "draft",
    "edit", "error", "errors", "every", "false", "feedback", "file", "files", "folder", "forward",
    "from", "group", "help", "level", "link", "location", "login", "message", "of", "offline",
    "ok", "okay", "online", "password", "pending", "photo", "please", "preview", "reminder",
    "reminders", "report", "reports", "reset", "restart", "role", "save", "schedule", "send",
    "server", "setting", "settings", "share", "skip", "sorry", "stage", "stages", "start",
    "submit", "text", "thanks", "the", "timeout", "title", "true", "until", "update", "updates",
    "upload", "user", "username", "users", "window", "yes",
)  # fmt: skip
_BANNED = re.compile(r"\b(" + "|".join(BANNED) + r")\b", re.IGNORECASE)
_COLON_TIME = re.compile(r"\b(\d{1,2}):(\d{2})\b")
_CODE = re.compile(r"<code>(.*?)</code>", re.DOTALL)
_TAG = re.compile(r"<[^>]+>")
_COMMAND = re.compile(r"/([A-Za-z_]+)")

# What a refusal or error offers as the next step (an imperative, or where to look).
NEXT_STEP = (
    "ketik", "kirim", "tekan", "tulis", "pilih", "hubungi", "lihat", "coba", "periksa",
    "perbaiki", "buka", "tunggu", "diberi tahu", "daftar", "ada di /", "gunakan", "ganti",
    "ambil", "perkecil", "pecah", "simpan", "laporkan", "dilaporkan", "minta", "konfirmasi",
    "format:", "tambahkan",
)  # fmt: skip
# A command named in the first paragraph ("Lihat /tahapan", "ada di /bantuan") is a next step
# too.
# Refusals and errors, found by name (so a new one is checked without being listed) ...
REFUSAL_NAMES = re.compile(
    r"USAGE|_ONLY$|REFUSED|FAILED|(^|_)BAD(_|$)|_EMPTY$|TOO_|(^|_)NOT_|UNKNOWN|INVALID|ERROR|"
    r"^STALE_BUTTON$|_PAST$|not_found|_missing$|_error$|^no_|nothing_to|out_of_order|"
    r"_already$|ALREADY_|_expired$|_ENDED$|^incident_closed$|still_open|stale_already|"
    r"stale_reopened|question_expired|NOT_YOURS|_STALE$|quick_report_error|_refused$|"
    r"^lapor_too_long$|_TOO_LONG$|_INVALID$|NOT_REGISTERED|INACTIVE$|PENDING_WAIT",
    re.IGNORECASE,
)
# ... except these, which match the pattern but are not refusals.
NOT_REFUSALS = {
    "STALE_ONGOING_BUTTON": "a button",
    "STALE_DONE_BUTTON": "a button",
    "STALE_CLOSING_NOTE": "the closing note a button stores",
    "reminder_already_reported": "tells the officer nothing more is needed",
    "DAFTAR_NOT_OWN_CONTACT": "asks again, with the three ways to answer",
    "ARAHAN_NOT_YET": "asks to press again shortly",
    "REPORT_COLUMNS": "spreadsheet columns",
    "ack_incident_closed": "a button answer to a koordinator: nothing is left to do",
    "ARAHAN_FORM_DEADLINE_INVALID": "says the valid range with an example",
    "CHART_BARS_YLABEL": "a chart label",
    "ROSTER_PROBLEMS": "parts of impor_failed, which ends with what to do",
    "roster_problem": "a part of impor_failed and impor_file_error",
    "ACK_NOT_READY": "asks to press again shortly",
    "ARAHAN_GIVEN_UP": "a spreadsheet cell",
    "ARAHAN_NOT_FOR_YOU": "a button answer on someone else's copy: nothing to do",
    "IMPOR_NOT_CSV": "says how to save the file as CSV",
    "already_confirmed_toast": "a button answer: the confirmation is already stored",
    "REPORTS_EMPTY": "the dashboard's empty list of latest reports: a state, nothing to do",
    "NOT_REPORTED": "the dashboard's condition label of a kecamatan with no report",
    "NO_STAGE": "the dashboard's stage panel outside the election stages: a state",
}
# bot/texts/arahan.py is reworded by the arahan fixes (parallel work); only its times and
# English words are changed here. Its refusals that still lack a next step are listed, so the
# walk shows them and they are not forgotten.
ARAHAN_REWORDING = {"ARAHAN_TOO_LONG", "ARAHAN_ANSWER_TOO_LONG"}

WITA = ZoneInfo("Asia/Makassar")
NOW = datetime(2024, 11, 27, 14, 5, tzinfo=WITA)
EARLIER = NOW - timedelta(hours=3, minutes=20)
DAY = NOW.date()
REGION = load_region()
CALENDAR = load_calendar(None)
RHYTHM = Rhythm(CALENDAR, (time(7), time(19)), (time(16),), WITA)
OUTSIDE = Rhythm(cal.Calendar(()), (time(7), time(19)), (time(16),), WITA)
VOTING = CALENDAR.stages[3]  # Pemungutan suara: windows every 3 hours
PLAN = load_plan(None, REGION, WITA)
STAGE, NEXT_STAGE = PLAN.stages[0], PLAN.stages[1]
TEXT = "Massa berkumpul di depan kantor PPK, aparat berjaga."


def _confirmation(number: int, role: Role, name: str, at: datetime, **extra: Any) -> Confirmation:
    return Confirmation(number, "Bengalon", STAGE.key, 2000 + number, name, role, at, **extra)


CONFIRMED = _confirmation(1, Role.CAMAT, "Budi Santoso", EARLIER, photo_file_id="f",
                          count=TpsCount(12, 14))  # fmt: skip
SECOND = _confirmation(2, Role.KAPOLSEK, "Agus", EARLIER + timedelta(minutes=5))
BOARD = build_board(
    PLAN,
    REGION.kecamatan,
    {(NEXT_STAGE.key, "Bengalon"): NOW - timedelta(hours=1),
     (NEXT_STAGE.key, "Telen"): NOW + timedelta(hours=8),
     (PLAN.stages[2].key, "Bengalon"): NOW + timedelta(hours=20)},
    [CONFIRMED, SECOND],
    [Kendala(31, "Bengalon", NEXT_STAGE.key, Level.RAWAN, True, EARLIER)],
    NOW,
)  # fmt: skip
CHAIN = BOARD.chains[REGION.kecamatan.index("Bengalon")]
LATE = [s for s in BOARD.statuses() if s.state.value == "late"]
AUDIENCE = Audience((Role.CAMAT, Role.DANRAMIL), ("Bengalon", "Telen"))
TALLY = Tally(total=54, waiting=2, unreachable=2, confirmed=41, late=3)
SHORT = ArahanShort(7, EARLIER, AUDIENCE, TALLY)
UNCONFIRMED = [
    ("Bengalon", [(Role.CAMAT, [Unconfirmed("Budi", Role.CAMAT, "Bengalon",
                                            RecipientStatus.BELUM)])]),
    ("Telen", [(Role.DANRAMIL, [Unconfirmed("Eko", Role.DANRAMIL, "Telen",
                                            RecipientStatus.TIDAK_TERKIRIM)])]),
]  # fmt: skip


def _incident(number: int, level: Level, state: IncidentState, **extra: Any) -> Incident:
    return Incident(number, "Telen", level, "logistik", 2001, state, EARLIER, EARLIER, **extra)


OPEN = _incident(7, Level.DARURAT, IncidentState.BARU)
TAKEN = _incident(
    3, Level.RAWAN, IncidentState.DITANGANI, taken_at=EARLIER, taken_by=5, taken_by_name="Kasat"
)
RESOLVED = _incident(
    9,
    Level.RAWAN,
    IncidentState.SELESAI,
    taken_at=EARLIER,
    closed_at=NOW - timedelta(hours=1),
    closing_note="Massa sudah bubar.",
)
START, _ = day_bounds(DAY, WITA)
SNAPSHOT = replace(
    build_snapshot(
        REGION,
        [GroupCount("Bengalon", Role.KAPOLSEK, Level.RAWAN, 2, last_number=5),
         GroupCount("Bengalon", Role.CAMAT, Level.AMAN, 1, last_number=4),
         GroupCount("Busang", Role.DANRAMIL, Level.AMAN, 3, last_number=7)],
        START,
        NOW,
        officers=[OfficerStatus("Budi", Role.CAMAT, "Bengalon", Level.AMAN),
                  OfficerStatus("Agus", Role.KAPOLSEK, "Bengalon", Level.DARURAT),
                  OfficerStatus("Eko", Role.DANRAMIL, "Telen", None)],
        incidents=[IncidentBrief(OPEN, TEXT), IncidentBrief(TAKEN, TEXT)],
        incidents_total=3,
        resolved=[IncidentBrief(RESOLVED, TEXT)],
        resolved_total=1,
        resolved_since=NOW - timedelta(hours=7),
        late_slot=NOW - timedelta(minutes=5),
        open_levels={"Telen": Level.DARURAT},
    ),
    logistics=due_for_digest(BOARD),
    arahan=(SHORT,),
    period=RHYTHM.digest_period(datetime(2024, 11, 27, 15, tzinfo=WITA)),
)  # fmt: skip
KINERJA = kinerja([OPEN, TAKEN, RESOLVED])
TELEN_MAP = MappedKecamatan("Telen", MapLevel.TINGGI, ("konflik pendukung", "akses sungai"))
TELEN_TPS = tuple(
    VulnerableTps("Telen", n, "Long Segar", "akses sungai, rawan banjir") for n in (3, 7, 12, 15)
)
VMAP = VulnerabilityMap(
    (TELEN_MAP, MappedKecamatan("Bengalon", MapLevel.SEDANG), MappedKecamatan("Busang",
                                                                             MapLevel.RENDAH)),
    TELEN_TPS,
    version=2,
)  # fmt: skip
MAPPED_SNAPSHOT = replace(SNAPSHOT, vulnerability=VMAP)
assert MAPPED_SNAPSHOT.silent_tinggi, "Telen is mapped tinggi and has not reported"
ATTENTION = [
    KecamatanAttention("Telen", MapLevel.TINGGI, TELEN_MAP.factors, 4, Level.DARURAT, 0, True),
    KecamatanAttention("Sangkulirang", MapLevel.TINGGI, ("sengketa lahan",), 0, None, 0, True),
    KecamatanAttention("Bengalon", MapLevel.SEDANG, (), 0, Level.RAWAN, 3, False),
    KecamatanAttention("Busang", MapLevel.RENDAH, (), 0, Level.AMAN, 3, False),
    KecamatanAttention("Kaubun", None, (), 0, None, 0, False),
]
VOTING_NOW = RHYTHM.now(NOW)
OUTSIDE_NOW = OUTSIDE.now(NOW)
NIGHT = RHYTHM.now(datetime(2024, 11, 27, 2, 30, tzinfo=WITA))  # masa tenang's night window
# Voting day with windows from 08.00 to 20.00 only: 21.00 is outside every window.
GAPS = Rhythm(
    CALENDAR.with_stage(4, replace(VOTING, window=WindowRule(120, 8 * 60, 20 * 60))),
    (time(7), time(19)),
    (time(16),),
    WITA,
)
BETWEEN = GAPS.now(datetime(2024, 11, 27, 21, tzinfo=WITA))
assert BETWEEN.period.window is None, "outside every window"
WINDOW = RHYTHM.windows(DAY)[2]  # 12.00–15.00 on voting day


def _officer_help_pages() -> list[list[str]]:
    """The commands of an officer's /bantuan, as its pages hold them."""
    from bot.app import command_table
    from handlers.registry.start import OFFICER_HELP_PAGE

    lines = command_table().help_lines(Access.PETUGAS)
    return [lines[i : i + OFFICER_HELP_PAGE] for i in range(0, len(lines), OFFICER_HELP_PAGE)]


def _help_pages() -> list[str]:
    texts = bot.texts
    pages = _officer_help_pages()
    greeting = texts.welcome(
        texts.member_title(Role.KAPOLSEK, "Muara Wahau"),
        texts.registered_as("AKP Agus Salim"),
    )
    ids = texts.your_id(123456789)
    return [texts.help_page(greeting, lines, ids, i, len(pages)) for i, lines in enumerate(pages)]


# Public names that are no text shown to anyone.
NOT_TEXT = {
    "visible_len": "a length, for fitting messages",
    "CALENDAR_FILE_KEYS": "the calendar file's keys: the exception list of this test",
    # The dashboard's tiles, reports and incidents carry the condition as a CSS class (and
    # data-condition) for their colour; the reader sees condition_label/tile_condition instead.
    "CONDITION_CLASS": "CSS class names of the dashboard, never shown",
    "NO_CONDITION_CLASS": "the CSS class name of a tile with no report, never shown",
    "condition_class": "returns a CSS class name of the dashboard, never shown",
}
# The detail each calendar problem carries (domain.calendar), as a file would give it.
CALENDAR_DETAILS = {
    cal.Problem.UNREADABLE: "",
    cal.Problem.NOT_JSON: "3",
    cal.Problem.UNKNOWN_FIELD: "warna",
    cal.Problem.MISSING_FIELD: "digest_times",
    cal.Problem.DUPLICATE_NAME: "Kampanye",
    cal.Problem.BAD_DATE: "start 2024-13-01",
    cal.Problem.BAD_TIMES: "reminder_times",
    cal.Problem.BAD_EVERY: "0",
    cal.Problem.BAD_WINDOW_TIME: "from 25.00",
    cal.Problem.REMINDER_OUTSIDE_WINDOW: "05.00",
    cal.Problem.SAME_LENGTH_OVERLAP: "3",
}

T = bot.texts
# Each function of the catalogue, called with representative arguments (every branch that
# changes the wording where it is cheap to reach).
SAMPLES: dict[str, list[Callable[[], object]]] = {
    # admin
    "photo_caption": [lambda: T.photo_caption(12)],
    "backup_caption": [lambda: T.backup_caption(NOW)],
    # arahan
    "audience_label": [lambda: T.audience_label(AUDIENCE), lambda: T.audience_label(Audience())],
    "audience_short": [lambda: T.audience_short(Audience((), tuple(REGION.kecamatan[:5])))],
    "arahan_unknown_sasaran": [lambda: T.arahan_unknown_sasaran("Sangata")],
    "arahan_form_expired": [lambda: T.arahan_form_expired(timedelta(hours=4))],
    "arahan_deadline_button": [
        lambda: T.arahan_deadline_button(30),
        lambda: T.arahan_deadline_button(120),
    ],
    "minutes_label": [lambda: T.minutes_label(90)],
    "urgency_toggle": [lambda: T.urgency_toggle(Urgency.SEGERA)],
    "deadline_toggle": [lambda: T.deadline_toggle(45)],
    "copy_toggle": [lambda: T.copy_toggle(True), lambda: T.copy_toggle(False)],
    "attachment_label": [
        lambda: T.attachment_label("photo", None),
        lambda: T.attachment_label("document", "surat-edaran.pdf"),
    ],
    "arahan_preview": [
        lambda: T.arahan_preview(AUDIENCE, 12, TEXT, Urgency.SEGERA, 30, True, "🖼 foto"),
        lambda: T.arahan_preview(AUDIENCE, 0, TEXT, Urgency.BIASA, 60, None, None),
    ],
    "arahan_sent": [lambda: T.arahan_sent(7, 54)],
    "confirmed_button": [lambda: T.confirmed_button(NOW)],
    "arahan_address": [lambda: T.arahan_address(Role.DANRAMIL, "Bengalon")],
    "sender_line": [lambda: T.sender_line("Kasat Intelkam", Role.KOORDINATOR)],
    "arahan_copy": [
        lambda: T.arahan_copy(
            7,
            Urgency.SEGERA,
            "Kasat Intelkam",
            Role.KOORDINATOR,
            EARLIER,
            NOW,
            TEXT,
            Role.DANRAMIL,
            "Bengalon",
            NOW,
        )
    ],
    "attachment_caption": [lambda: T.attachment_caption(7)],
    "confirmed_toast": [lambda: T.confirmed_toast(NOW, True)],
    "already_confirmed_toast": [lambda: T.already_confirmed_toast(NOW)],
    "ask_answer": [lambda: T.ask_answer(7, 0), lambda: T.ask_answer(7, 2)],
    "arahan_answer_expired": [lambda: T.arahan_answer_expired(timedelta(hours=4))],
    "answer_saved": [
        lambda: T.answer_saved(7, True, True),
        lambda: T.answer_saved(7, False, False),
    ],
    "answer_relay": [lambda: T.answer_relay(7, Role.CAMAT, "Bengalon", "Budi", NOW, TEXT)],
    "tally_line": [lambda: T.tally_line(TALLY)],
    "arahan_header": [
        lambda: T.arahan_header(7, Urgency.BIASA, EARLIER, AUDIENCE, 54, NOW, True, NOW)
    ],
    "arahan_tally_copy": [lambda: T.arahan_tally_copy("Arahan #7", TEXT, TALLY, NOW)],
    "arahan_group_copy": [lambda: T.arahan_group_copy("Arahan #7", "Kasat", Role.ADMIN, TEXT)],
    "unconfirmed_blocks": [
        lambda: T.unconfirmed_blocks(7, UNCONFIRMED, 2, NOW),
        lambda: T.unconfirmed_blocks(7, UNCONFIRMED, 2, NOW, reminded=3),
        lambda: T.unconfirmed_blocks(7, [], 0, NOW),
    ],
    "arahan_reminder": [lambda: T.arahan_reminder(7, 2, 3, "Kasat Intelkam", NOW, NOW)],
    "arahan_not_found": [lambda: T.arahan_not_found(99)],
    "arahan_status_view": [lambda: T.arahan_status_view("Arahan #7", TEXT, TALLY, 3, NOW)],
    "arahan_status_line": [lambda: T.arahan_status_line(7, EARLIER, AUDIENCE, TALLY)],
    "arahan_lines": [lambda: T.arahan_lines([SHORT] * 12, NOW)],
    "arahan_digest_blocks": [lambda: T.arahan_digest_blocks([SHORT], NOW)],
    "when": [lambda: T.when(NOW, NOW), lambda: T.when(NOW + timedelta(hours=12), NOW)],
    "answer_limit_reached": [lambda: T.answer_limit_reached(7)],
    "answer_finish_form_first": [lambda: T.answer_finish_form_first(7)],
    "arahan_list_private": [lambda: T.arahan_list_private(7)],
    # calendar
    "clock": [lambda: T.clock(time(7, 30)), lambda: T.clock(time(10, 2, 30))],
    "clocks": [lambda: T.clocks((time(7), time(12), time(19)))],
    "day_month": [lambda: T.day_month(DAY)],
    "date_range": [
        lambda: T.date_range(date(2024, 9, 25), date(2024, 11, 23)),
        lambda: T.date_range(date(2024, 11, 24), date(2024, 11, 26)),
        lambda: T.date_range(date(2024, 12, 30), date(2025, 1, 2)),
    ],
    "window_span": [lambda: T.window_span(WINDOW)],
    "window_rule": [
        lambda: T.window_rule(WindowRule(180, 360, 1440)),
        lambda: T.window_rule(WindowRule(720, 1080, 360)),
        lambda: T.window_rule(None),
    ],
    "stage_name": [lambda: T.stage_name(4, VOTING)],
    "stage_rhythm": [lambda: T.stage_rhythm(VOTING)],
    "period_note": [
        lambda: T.period_note(VOTING_NOW.period),
        lambda: T.period_note(NIGHT.period),
        lambda: T.period_note(BETWEEN.period),
    ],
    "digest_stage_line": [
        lambda: T.digest_stage_line(VOTING_NOW.period),
        lambda: T.digest_stage_line(RHYTHM.now(date_time_of(2024, 10, 1)).period),
    ],
    "window_phrase": [lambda: T.window_phrase(VOTING_NOW.period)],
    "belum_none": [lambda: T.belum_none(VOTING_NOW.period), lambda: T.belum_none(BETWEEN.period)],
    "tahapan_view": [
        lambda: T.tahapan_view(
            VOTING_NOW,
            CALENDAR,
            version=None,
            changed_at=None,
            file=None,
            admin=False,
            officer=True,
        ),
        lambda: T.tahapan_view(
            BETWEEN, CALENDAR, version=None, changed_at=None, file=None, admin=False, officer=True
        ),
        lambda: T.tahapan_view(
            OUTSIDE_NOW,
            CALENDAR,
            version=None,
            changed_at=None,
            file=None,
            admin=False,
            officer=True,
        ),
        lambda: T.tahapan_view(
            VOTING_NOW, CALENDAR, version=2, changed_at=EARLIER, file="tahapan.json", admin=True
        ),
    ],
    "calendar_problem": [
        partial(T.calendar_problem, cal.Finding(p, 2, CALENDAR_DETAILS.get(p, "")))
        for p in cal.Problem
    ],
    "calendar_refused": [
        lambda: T.calendar_refused([cal.Finding(p, 1, "x") for p in cal.Problem], limit=3)
    ],
    "proposal_dates": [
        lambda: T.proposal_dates(4, VOTING, replace(VOTING, last_day=DAY + timedelta(1)))
    ],
    "proposal_rhythm": [lambda: T.proposal_rhythm(4, VOTING, replace(VOTING, window=None))],
    "proposal_import": [
        lambda: T.proposal_import(CALENDAR),
        lambda: T.proposal_import(cal.Calendar(())),
    ],
    "calendar_saved": [lambda: T.calendar_saved(3, VOTING_NOW)],
    "calendar_file_set_aside": [lambda: T.calendar_file_set_aside("kalender-pilkada.json")],
    "jadwal_view": [
        lambda: T.jadwal_view(RHYTHM.on(DAY), (time(7), time(19)), (time(16),), True, False),
        lambda: T.jadwal_view(OUTSIDE.on(DAY), (time(7), time(19)), (time(16),), False, True),
    ],
    "schedule_saved": [
        lambda: T.schedule_saved("digest", (time(7), time(19))),
        lambda: T.schedule_saved("reminder", (time(16),), VOTING),
    ],
    # common
    "level_badge": [partial(T.level_badge, level) for level in Level],
    "long_date": [lambda: T.long_date(DAY)],
    "clock_time": [lambda: T.clock_time(NOW)],
    "duration": [
        lambda: T.duration(timedelta(seconds=30)),
        lambda: T.duration(timedelta(minutes=40)),
        lambda: T.duration(timedelta(hours=3, minutes=5)),
        lambda: T.duration(timedelta(days=2, hours=4)),
    ],
    "date_time": [lambda: T.date_time(NOW)],
    "error_alert": [lambda: T.error_alert("OperationalError", "basis data terkunci")],
    # digest
    "reminder_summary": [lambda: T.reminder_summary(NOW, 40, 2, 1)],
    "snippet": [lambda: T.snippet(TEXT * 3)],
    "condition_counts_line": [lambda: T.condition_counts_line({Level.RAWAN: 2, None: 3})],
    "render_digest": [
        lambda: T.render_digest(SNAPSHOT),
        lambda: T.render_digest(MAPPED_SNAPSHOT),
    ],
    # dashboard (not re-exported by bot.texts: its `clock` is keyed "dashboard.clock")
    "signin_link": [
        lambda: D.signin_link(
            "https://posko.example/masuk?t=abc&x=1", 10, loopback=False, mini_app=True
        ),
        lambda: D.signin_link(
            "http://127.0.0.1:8080/masuk?t=abc", 10, loopback=True, mini_app=False
        ),
    ],
    "condition_label": [lambda: D.condition_label(Level.RAWAN), lambda: D.condition_label(None)],
    "tile_condition": [lambda: D.tile_condition(Level.AMAN), lambda: D.tile_condition(None)],
    "counts_line": [lambda: D.counts_line({Level.RAWAN: 2, Level.AMAN: 12, None: 4})],
    "heading": [lambda: D.heading(REGION.district, NOW)],
    "updated_at": [lambda: D.updated_at(NOW)],
    "tile_reports": [lambda: D.tile_reports(3)],
    "tile_officers": [lambda: D.tile_officers(2, 3)],
    "tile_incidents": [lambda: D.tile_incidents(2), lambda: D.tile_incidents(0)],
    "incidents_title": [lambda: D.incidents_title(4)],
    "incidents_more": [lambda: D.incidents_more(6)],
    "incident_state": [
        partial(D.incident_state, state, level)
        for state in IncidentState
        for level in (Level.WASPADA, Level.DARURAT)
    ],
    "age": [lambda: D.age(timedelta(hours=2, minutes=5))],
    "last_news": [lambda: D.last_news(EARLIER, NOW)],
    "dashboard.clock": [lambda: D.clock(NOW)],
    "day_clock": [lambda: D.day_clock(NOW - timedelta(days=1))],
    "reporter": [
        lambda: D.reporter(Role.KAPOLSEK, "Agus Salim", "Muara Wahau"),
        lambda: D.reporter(Role.CAMAT, None, "Telen"),
    ],
    "category": [lambda: D.category("logistik"), lambda: D.category(None)],
    "silent_line": [
        lambda: D.silent_line([D.officer(Role.CAMAT, "Budi"), D.officer(Role.DANRAMIL, "Eko")], 3),
        lambda: D.silent_line(["Budi", "Agus", "Eko", "Sri"], 2),
    ],
    "officer": [lambda: D.officer(Role.DANRAMIL, "Eko")],
    "arahan_line": [lambda: D.arahan_line(SHORT, NOW)],
    "stage_now": [lambda: D.stage_now(VOTING_NOW), lambda: D.stage_now(OUTSIDE_NOW)],
    "window_now": [
        lambda: D.window_now(VOTING_NOW.period),
        lambda: D.window_now(BETWEEN.period),
        lambda: D.window_now(OUTSIDE_NOW.period),
        lambda: D.window_now(RHYTHM.now(date_time_of(2024, 10, 1)).period),
    ],
    "next_stage": [lambda: D.next_stage(VOTING_NOW), lambda: D.next_stage(OUTSIDE_NOW)],
    "coverage_title": [
        lambda: D.coverage_title(VOTING_NOW.period),
        lambda: D.coverage_title(BETWEEN.period),
        lambda: D.coverage_title(RHYTHM.now(date_time_of(2024, 10, 1)).period),
    ],
    "coverage_done": [
        lambda: D.coverage_done(VOTING_NOW.period),
        lambda: D.coverage_done(RHYTHM.now(date_time_of(2024, 10, 1)).period),
    ],
    # incidents
    "wita": [lambda: T.wita(NOW)],
    "day_wita": [lambda: T.day_wita(NOW)],
    "alert_state": [partial(T.alert_state, state) for state in IncidentState],
    "fit_alert": [
        lambda: T.fit_alert(
            lambda *_: T.escalation(1, Level.RAWAN, "Telen", Role.CAMAT, "Budi", NOW, TEXT),
            (0, 0, 0),
        )
    ],
    "alert_update": [lambda: T.alert_update(7, Level.DARURAT, NOW, TEXT)],
    "alert_closed": [lambda: T.alert_closed(7, "Kasat Intelkam", NOW, TEXT)],
    "update_for_group": [lambda: T.update_for_group(7, Level.RAWAN, "Telen", "Budi", NOW, TEXT)],
    "no_incident": [lambda: T.no_incident(12)],
    "incident_closed": [
        lambda: T.incident_closed(7, staff=True),
        lambda: T.incident_closed(7, staff=False),
    ],
    "incident_still_open": [lambda: T.incident_still_open(7)],
    "update_saved": [lambda: T.update_saved(7, Level.RAWAN)],
    "closed_done": [lambda: T.closed_done(7)],
    "reopened_done": [lambda: T.reopened_done(7, IncidentState.DITANGANI)],
    "ask_update": [lambda: T.ask_update(7)],
    "finish_form_first": [lambda: T.finish_form_first(7)],
    "ack_incident_closed": [lambda: T.ack_incident_closed(7)],
    "update_expired": [lambda: T.update_expired(timedelta(hours=4))],
    "timeline_header": [
        lambda: T.timeline_header(7, Level.RAWAN, IncidentState.BARU, EARLIER, "Telen")
    ],
    "timeline_line": [
        partial(
            T.timeline_line,
            IncidentEvent(7, kind, NOW, 5, "Kasat", 7, Level.RAWAN, TEXT),
            NOW,
            "Camat Budi",
        )
        for kind in EventKind
    ],
    "reporter_name": [lambda: T.reporter_name(Role.CAMAT, "Budi")],
    "insiden_title": [lambda: T.insiden_title("Telen"), lambda: T.insiden_title(None)],
    "insiden_line": [
        lambda: T.insiden_line(7, Level.RAWAN, "Telen", IncidentState.BARU, EARLIER, NOW)
    ],
    "insiden_page": [lambda: T.insiden_page("Insiden", ["#7"], 0, 2, 12, buttons=True)],
    "insiden_update_button": [lambda: T.insiden_update_button(7)],
    "stale_question": [
        lambda: T.stale_question(
            7, Level.RAWAN, "Telen", EARLIER, EARLIER, timedelta(hours=6), TEXT * 6, reporter=False
        ),
    ],
    "stale_already_closed": [lambda: T.stale_already_closed(7)],
    "stale_reopened": [lambda: T.stale_reopened(7)],
    "stale_question_expired": [lambda: T.stale_question_expired(7)],
    "stale_closed": [lambda: T.stale_closed(7)],
    # kerawanan
    "map_badge": [partial(T.map_badge, level) for level in MapLevel],
    "map_problem": [
        partial(T.map_problem, Finding(p, "Sangata" if p is MapProblem.UNKNOWN_KECAMATAN else "4"))
        for p in MapProblem
    ],
    "kerawanan_refused": [
        lambda: T.kerawanan_refused(
            [(n, Finding(MapProblem.BAD_LEVEL, "sangat")) for n in range(2, 6)]
            + [(0, Finding(MapProblem.NO_ROWS))],
            limit=3,
        )
    ],
    "kerawanan_file_error": [
        lambda: T.kerawanan_file_error(roster.Finding(roster.Problem.MISSING_COLUMNS, "jenis")),
        lambda: T.kerawanan_file_error(roster.Finding(roster.Problem.NOT_UTF8)),
    ],
    "kerawanan_saved": [
        lambda: T.kerawanan_saved(2, 1, {MapLevel.TINGGI: 3, MapLevel.SEDANG: 5}, 12),
        lambda: T.kerawanan_saved(1, None, {MapLevel.RENDAH: 18}, 0),
    ],
    "condition_text": [partial(T.condition_text, item) for item in ATTENTION],
    "kerawanan_view": [
        lambda: T.kerawanan_view(REGION.district, ATTENTION, 4, 2, EARLIER, NOW, None),
        lambda: T.kerawanan_view(
            REGION.district, ATTENTION, 4, 2, EARLIER, NOW, T.period_note(VOTING_NOW.period)
        ),
    ],
    "kerawanan_detail": [
        lambda: T.kerawanan_detail("Telen", TELEN_MAP, ATTENTION[0], TELEN_TPS),
        lambda: T.kerawanan_detail("Kaubun", None, ATTENTION[-1], ()),
    ],
    "status_line_flagged": [
        lambda: T.status_line_flagged("Telen", Level.DARURAT),
        lambda: T.status_line_flagged("Sangkulirang", None),
    ],
    "flagged_digest_blocks": [
        lambda: T.flagged_digest_blocks(MAPPED_SNAPSHOT),
        lambda: T.flagged_digest_blocks(SNAPSHOT),
    ],
    "second_reminder": [
        lambda: T.second_reminder("Camat Telen", "Telen", DAY),
        lambda: T.second_reminder("Camat Telen", "Telen", DAY, T.window_phrase(VOTING_NOW.period)),
    ],
    "silent_tinggi_notice": [
        lambda: T.silent_tinggi_notice(
            EARLIER,
            NOW,
            [
                ("Telen", [(Role.CAMAT, "Budi", True), (Role.DANRAMIL, "Eko", False)]),
                ("Sangkulirang", []),
            ],
        )
    ],
    "alert_map_note": [
        lambda: T.alert_map_note(TELEN_MAP, TELEN_TPS),
        lambda: T.alert_map_note(MappedKecamatan("Busang", MapLevel.RENDAH), TELEN_TPS[:1]),
        lambda: T.alert_map_note(None, ()),
    ],
    "kinerja_levels_block": [
        lambda: T.kinerja_levels_block(kinerja_by_level([OPEN, TAKEN, RESOLVED], VMAP)),
        lambda: T.kinerja_levels_block(
            kinerja_by_level([replace(OPEN, kecamatan="Kaubun")], VMAP)
        ),
    ],
    # kinerja
    "period_text": [
        lambda: T.period_text(DAY, DAY),
        lambda: T.period_text(DAY - timedelta(6), DAY),
    ],
    "kinerja_empty": [lambda: T.kinerja_empty(DAY - timedelta(6), DAY)],
    "render_kinerja": [lambda: T.render_kinerja(KINERJA, DAY - timedelta(6), DAY)],
    # layout
    "cut_utf16": [lambda: T.cut_utf16(TEXT, 10)],
    "clipped": [lambda: T.clipped(TEXT, 10, 7)],
    "split_messages": [lambda: T.split_messages([TEXT] * 3, limit=120)],
    # logistics
    "logistik_corroborate_button": [lambda: T.logistik_corroborate_button(1)],
    "logistik_stage": [lambda: T.logistik_stage(STAGE)],
    "logistik_chain": [lambda: T.logistik_chain(CHAIN, NOW, WITA)],
    "logistik_officer_view": [
        lambda: T.logistik_officer_view(CHAIN, NOW, WITA, 1),
        lambda: T.logistik_officer_view(BOARD.chains[0], NOW, WITA, None),
    ],
    "logistik_staff_detail": [lambda: T.logistik_staff_detail(CHAIN, NOW, WITA, admin=True)],
    "logistik_photo_caption": [lambda: T.logistik_photo_caption("Bengalon", STAGE, CONFIRMED)],
    "logistik_grid": [lambda: T.logistik_grid(BOARD, REGION.district, WITA, admin=True)],
    "logistik_ask_proof": [
        lambda: T.logistik_ask_proof(STAGE, "Bengalon", None, corroborating=True),
        lambda: T.logistik_ask_proof(
            replace(STAGE, counted=True), "Bengalon", 14, corroborating=False
        ),
    ],
    "logistik_count_error": [
        partial(T.logistik_count_error, e, "Bengalon", 14) for e in CountError
    ],
    "logistik_expired": [lambda: T.logistik_expired(timedelta(hours=4))],
    "logistik_out_of_order": [lambda: T.logistik_out_of_order(NEXT_STAGE, STAGE)],
    "logistik_already": [lambda: T.logistik_already(STAGE, NOW)],
    "logistik_confirmed": [
        lambda: T.logistik_confirmed(STAGE, "Bengalon", CONFIRMED, WITA, NEXT_STAGE, CONFIRMED),
        lambda: T.logistik_confirmed(STAGE, "Bengalon", SECOND, WITA, None, CONFIRMED),
    ],
    "logistik_ask_level": [lambda: T.logistik_ask_level(STAGE, "Bengalon")],
    "logistik_ask_kendala": [lambda: T.logistik_ask_kendala(STAGE, Level.RAWAN)],
    "logistik_kendala_report": [lambda: T.logistik_kendala_report(STAGE, TEXT)],
    "logistik_kendala_saved": [lambda: T.logistik_kendala_saved(STAGE, 31)],
    "logistik_stages_list": [lambda: T.logistik_stages_list(PLAN.stages)],
    "logistik_plan_error": [partial(T.logistik_plan_error, e, PLAN.stages) for e in PlanError],
    "logistik_plan_saved": [
        lambda: T.logistik_plan_saved(STAGE, None, NOW - timedelta(hours=1), NOW),
        lambda: T.logistik_plan_saved(STAGE, "Bengalon", None, NOW),
    ],
    "logistik_withdraw_error": [
        partial(T.logistik_withdraw_error, e, PLAN.stages) for e in WithdrawError
    ],
    "logistik_nothing_to_withdraw": [lambda: T.logistik_nothing_to_withdraw(STAGE, "Bengalon")],
    "logistik_withdrawn": [lambda: T.logistik_withdrawn(STAGE, "Bengalon", 2, "salah tekan")],
    "logistik_withdrawn_notice": [
        lambda: T.logistik_withdrawn_notice(STAGE, "Bengalon", "Operator", "salah tekan")
    ],
    "logistik_late_announcement": [lambda: T.logistik_late_announcement(LATE, NOW, WITA)],
    "logistik_digest_blocks": [lambda: T.logistik_digest_blocks(due_for_digest(BOARD), WITA)],
    "logistics_rows": [lambda: T.logistics_rows(BOARD, WITA)],
    # reading
    "status_view": [lambda: T.status_view(DAY, NOW, "🔴 1 · 🟠 0", "jendela lapor")],
    "status_line": [
        lambda: T.status_line("Telen", Level.RAWAN, 3),
        lambda: T.status_line("Telen", None, 0),
    ],
    "belum_view": [lambda: T.belum_view(DAY, ["Telen: Camat Budi"], 1, "jendela lapor")],
    "report_line": [lambda: T.report_line(12, NOW, Level.WASPADA, "Busang", Role.CAMAT, TEXT, 1)],
    "listing_page": [lambda: T.listing_page("Laporan", ["#12"], 0, 3, 25)],
    "laporan_title": [lambda: T.laporan_title("Busang", DAY)],
    "lihat_missing": [lambda: T.lihat_missing(99)],
    "report_detail": [
        lambda: T.report_detail(
            12,
            Level.RAWAN,
            "Telen",
            Role.CAMAT,
            "Budi",
            2001,
            NOW,
            "logistik",
            TEXT,
            2,
            (0.5, 117.5),
            None,
            True,
            (MediaKind.VOICE,),
        )
    ],
    "ack_line": [lambda: T.ack_line("Kasat Intelkam", NOW, 180)],
    "correction_block": [lambda: T.correction_block(NOW, TEXT)],
    "cari_title": [lambda: T.cari_title("blokade")],
    "cari_empty": [lambda: T.cari_empty("blokade")],
    "ekspor_empty": [lambda: T.ekspor_empty(DAY, DAY)],
    "ekspor_caption": [lambda: T.ekspor_caption(DAY, DAY, 12, "Excel")],
    "grafik_empty": [lambda: T.grafik_empty(7)],
    "grafik_caption": [lambda: T.grafik_caption(7, DAY)],
    "chart_bars_title": [lambda: T.chart_bars_title("Kabupaten Kutai Timur")],
    "search_hit": [lambda: T.search_hit(12, NOW, Level.RAWAN, "Telen", "<b>blokade</b> jalan")],
    # registry
    "welcome": [
        lambda: T.welcome("Kapolsek Muara Wahau", "Terdaftar."),
        lambda: T.welcome(None, T.NOT_REGISTERED),
    ],
    "help_page": [lambda: _help_pages()],
    "registered_as": [lambda: T.registered_as("Budi")],
    "your_id": [lambda: T.your_id(123456789)],
    "group_id": [lambda: T.group_id(-100123)],
    "tambah_bad_kecamatan": [lambda: T.tambah_bad_kecamatan(REGION.kecamatan)],
    "officer_saved": [
        lambda: T.officer_saved("Budi", Role.CAMAT, "Bengalon", 1, added=True),
        lambda: T.officer_saved("Budi", Role.ADMIN, None, 1, added=False),
    ],
    "member_title": [lambda: T.member_title(Role.KOORDINATOR, None)],
    "daftar_summary": [
        lambda: T.daftar_summary(Role.KAPOLSEK, "Telen", "AKP Agus", "123456", "0812")
    ],
    "daftar_expired": [lambda: T.daftar_expired(timedelta(hours=4), "AKP Agus")],
    "daftar_sent": [lambda: T.daftar_sent(Role.KAPOLSEK, "Telen", "AKP Agus")],
    "registration_request": [
        lambda: T.registration_request(
            9,
            Role.KAPOLSEK,
            "Telen",
            "AKP Agus",
            "0812",
            "123456",
            [("Budi", 8, MemberState.ACTIVE)],
        )
    ],
    "decision_note": [
        lambda: T.decision_note(True, "Operator", NOW),
        lambda: T.decision_note(False, "Operator", NOW),
    ],
    "decided_answer": [lambda: T.decided_answer(True), lambda: T.decided_answer(False)],
    "approved_for_member": [lambda: T.approved_for_member(Role.CAMAT, "Telen")],
    "added_for_member": [
        lambda: T.added_for_member(Role.CAMAT, "Telen"),
        lambda: T.added_for_member(Role.KOORDINATOR, None),
    ],
    "decided_reply": [lambda: T.decided_reply(True, "Budi", 9)],
    "no_pending": [lambda: T.no_pending(9)],
    "activation_reply": [lambda: T.activation_reply(False, "Budi", 9)],
    "no_member": [lambda: T.no_member(9)],
    "directory_page": [lambda: T.directory_page(["• Budi"], 0, 2, 12, "Telen")],
    "directory_line": [
        lambda: T.directory_line("Budi", Role.CAMAT, "Telen", MemberState.INACTIVE, 9, NOW)
    ],
    "roster_problem": [partial(T.roster_problem, roster.Finding(p, "3")) for p in roster.Problem],
    "impor_failed": [
        lambda: T.impor_failed(
            [(n, roster.Finding(roster.Problem.BAD_ROLE)) for n in range(2, 6)], limit=2
        )
    ],
    "impor_file_error": [lambda: T.impor_file_error(roster.Finding(roster.Problem.EMPTY))],
    "impor_done": [lambda: T.impor_done(12, 3)],
    # reports
    "lapor_too_long": [lambda: T.lapor_too_long(3000)],
    "quick_report_error": [partial(T.quick_report_error, e) for e in QuickReportError],
    "receipt": [
        lambda: T.receipt(12, Level.RAWAN, "Telen", NOW, nihil=False),
        lambda: T.receipt(12, Level.AMAN, "Telen", NOW, nihil=True),
    ],
    "escalation_failed": [lambda: T.escalation_failed(12, Level.RAWAN, "Telen")],
    "category_label": [lambda: T.category_label("logistik"), lambda: T.category_label(None)],
    "escalation": [
        lambda: T.escalation(
            12,
            Level.DARURAT,
            "Telen",
            Role.CAMAT,
            "Budi",
            NOW,
            TEXT,
            category="logistik",
            photos=2,
            location=True,
            media=(MediaKind.VOICE, MediaKind.VIDEO),
        )
    ],
    "ack_note": [lambda: T.ack_note("Kasat Intelkam", NOW, 180)],
    "ack_for_officer": [lambda: T.ack_for_officer(12, "Kasat Intelkam", NOW)],
    "ack_done": [lambda: T.ack_done(12)],
    "ack_taken": [lambda: T.ack_taken("Kasat"), lambda: T.ack_taken(None)],
    "repage": [lambda: T.repage(12, Level.DARURAT, "Telen", EARLIER, 15, 2)],
    "media_counts": [lambda: T.media_counts((MediaKind.VOICE, MediaKind.VIDEO_NOTE))],
    "media_caption": [partial(T.media_caption, 12, kind) for kind in MediaKind],
    "attachment_name": [lambda: T.attachment_name("photo"), lambda: T.attachment_name("voice")],
    "not_recorded": [lambda: T.not_recorded("video")],
    "album_not_recorded": [lambda: T.album_not_recorded(4)],
    "form_kept": [lambda: T.form_kept("Foto", T.FORM_NEXT_TEXT)],
    "form_attachments_kept": [lambda: T.form_attachments_kept("photo", 2, 1, 5)],
    "form_expired": [
        lambda: T.form_expired(timedelta(hours=4), None, TEXT, 2),
        lambda: T.form_expired(timedelta(hours=4), Level.RAWAN, "", 0),
    ],
    "form_summary": [
        lambda: T.form_summary(Level.RAWAN, "logistik", TEXT, 2, True, (MediaKind.VOICE,))
    ],
    "reminder": [
        lambda: T.reminder("Camat Bengalon", DAY),
        lambda: T.reminder("Camat Bengalon", DAY, T.window_phrase(VOTING_NOW.period)),
    ],
    "reminder_already_reported": [lambda: T.reminder_already_reported(12)],
    "reminder_nihil_done": [lambda: T.reminder_nihil_done(12)],
    "reminder_past": [
        lambda: T.reminder_past(whole_day=True),
        lambda: T.reminder_past(whole_day=False),
    ],
    "files_not_recorded": [
        lambda: T.files_not_recorded("/lapor rawan jalan ditutup massa"),
        lambda: T.files_not_recorded(None),
    ],
    "form_still_open": [
        lambda: T.form_still_open(Level.RAWAN, TEXT, 2, 1),
        lambda: T.form_still_open(None, "", 0, 0),
    ],
    "form_restarted": [
        lambda: T.form_restarted(Level.WASPADA, TEXT, 1),
        lambda: T.form_restarted(None, "", 0),
    ],
    "ralat_not_found": [lambda: T.ralat_not_found(12)],
    "ralat_saved": [lambda: T.ralat_saved(12)],
    "ralat_for_group": [lambda: T.ralat_for_group(12, Role.CAMAT, "Telen", "Budi", TEXT)],
    "riwayat_page": [
        lambda: T.riwayat_page(
            [T.riwayat_line(n, NOW, Level.WASPADA, TEXT, 1) for n in range(5)], 0, 6, 30
        )
    ],
    "riwayat_line": [lambda: T.riwayat_line(12, NOW, Level.AMAN, "", 0)],
}
# Officer-facing: what a Camat, Kapolsek or Danramil receives, by name. Each must fit one phone
# screen (MAX_OFFICER_LINES).
OFFICER_FACING = {
    # registration, greeting, help
    "welcome", "help_page", "registered_as", "your_id", "DAFTAR_CHOOSE_ROLE",
    "DAFTAR_CHOOSE_KECAMATAN", "DAFTAR_ASK_NAME", "DAFTAR_BAD_NAME", "DAFTAR_ASK_NRP",
    "DAFTAR_BAD_NRP", "DAFTAR_ASK_PHONE", "DAFTAR_NOT_OWN_CONTACT", "DAFTAR_BAD_PHONE",
    "DAFTAR_PHONE_KEPT", "DAFTAR_PHONE_SKIPPED", "daftar_summary", "DAFTAR_USE_BUTTONS",
    "DAFTAR_CANCELLED", "DAFTAR_ENDED", "daftar_expired", "NOTHING_TO_CANCEL",
    "DAFTAR_ALREADY_ACTIVE", "daftar_sent", "approved_for_member", "added_for_member",
    "REJECTED_FOR_MEMBER", "DEACTIVATED_FOR_MEMBER", "ACTIVATED_FOR_MEMBER", "LAPOR_HELP",
    # refusals and errors anyone may get
    "NOT_REGISTERED", "INACTIVE", "PENDING_WAIT", "ADMIN_ONLY", "ROLE_REFUSED", "GROUP_ONLY",
    "COORDINATION_ONLY", "CALLBACK_REFUSED", "STALE_BUTTON", "FORWARDED_COMMAND", "ANONYMOUS",
    "PRIVATE_ONLY", "UNKNOWN_COMMAND", "PLAIN_TEXT_HINT", "SAVE_FAILED", "INTERNAL_ERROR",
    "STORAGE_ERROR",
    # reports, receipts, the form, reminders, /ralat, /riwayat
    "LAPOR_EMPTY", "LAPOR_UNKNOWN_LEVEL", "LAPOR_TEXT_REQUIRED", "lapor_too_long",
    "quick_report_error", "receipt", "RECEIPT_DELAYED", "ack_for_officer", "not_recorded",
    "album_not_recorded", "FORM_LEVEL", "FORM_LEVEL_UNKNOWN", "FORM_AMAN", "FORM_CATEGORY",
    "FORM_TEXT", "FORM_TEXT_EMPTY", "FORM_TEXT_HINT", "FORM_PHOTOS", "form_kept",
    "form_attachments_kept", "FORM_PHOTO_LIMIT", "FORM_MEDIA_LIMIT", "FORM_PHOTO_HINT",
    "FORM_LOCATION", "FORM_LOCATION_HINT", "FORM_LOCATION_OK", "FORM_LOCATION_SKIPPED",
    "FORM_USE_BUTTONS", "FORM_EDIT_WHICH", "FORM_CANCELLED", "FORM_SAVE_FAILED", "form_expired",
    "form_summary", "reminder", "reminder_already_reported", "reminder_nihil_done",
    "REMINDER_SAVE_FAILED", "reminder_past", "RALAT_USAGE", "RALAT_TOO_OLD", "ralat_not_found",
    "ralat_saved", "RIWAYAT_EMPTY", "riwayat_page",
    # incidents
    "NOT_YOUR_KECAMATAN", "no_incident", "incident_closed", "update_saved", "closed_done",
    "ask_update", "UPDATE_EMPTY", "finish_form_first", "UPDATE_CANCELLED", "update_expired",
    "PERKEMBANGAN_USAGE", "SELESAI_USAGE", "stale_question", "stale_already_closed",
    "stale_reopened", "stale_question_expired", "stale_closed",
    # logistics
    "logistik_officer_view", "logistik_ask_proof", "logistik_count_error", "LOGISTIK_NO_COUNT",
    "LOGISTIK_PHOTO_ONLY", "LOGISTIK_USE_BUTTONS", "LOGISTIK_NOT_OWN",
    "LOGISTIK_FINISH_FORM_FIRST", "LOGISTIK_CANCELLED", "logistik_expired",
    "logistik_out_of_order", "logistik_already", "logistik_confirmed", "logistik_ask_level",
    "logistik_ask_kendala", "LOGISTIK_KENDALA_EMPTY", "logistik_kendala_saved",
    "logistik_withdraw_error", "logistik_nothing_to_withdraw", "logistik_withdrawn",
    "logistik_withdrawn_notice", "LOGISTIK_OFFICER_USAGE", "LOGISTIK_TARIK_USAGE",
    "LOGISTIK_TARIK_REFUSED",
    # arahan: the recipient's copy and what follows it
    "arahan_copy", "confirmed_toast", "already_confirmed_toast", "ARAHAN_NOT_FOR_YOU",
    "ARAHAN_NOT_YET", "ask_answer", "answer_limit_reached", "answer_finish_form_first",
    "ARAHAN_ANSWER_EMPTY", "ARAHAN_ANSWER_TOO_LONG", "ARAHAN_ANSWER_CANCELLED",
    "arahan_answer_expired", "answer_saved", "arahan_reminder",
    # the vulnerability map: the second reminder of a kecamatan mapped tinggi
    "second_reminder",
    # the election calendar as an officer sees it
    "tahapan_view",
}  # fmt: skip
# An officer sees only these samples of a function that also serves staff.
OFFICER_SAMPLES = {"tahapan_view": 3}


def date_time_of(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, 9, tzinfo=WITA)


# --- walking the catalogue ---------------------------------------------------------------------


def catalogue_modules() -> list[ModuleType]:
    """Every module of bot/texts (a new one joins the walk by existing)."""
    names = [m.name for m in pkgutil.iter_modules(bot.texts.__path__)]
    return [importlib.import_module(f"bot.texts.{name}") for name in sorted(names)]


def public_names(module: ModuleType) -> list[str]:
    """The public names a module defines itself (assigned or def'd at its top level)."""
    tree = ast.parse(Path(module.__file__ or "").read_text("utf-8"))
    names: list[str] = []
    for node in tree.body:
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = node.targets
        elif isinstance(node, ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.FunctionDef | ast.ClassDef):
            names.append(node.name)
        for target in targets:
            elements = target.elts if isinstance(target, ast.Tuple) else [target]
            names += [e.id for e in elements if isinstance(e, ast.Name)]
    return [name for name in names if not name.startswith("_")]


def strings_in(value: object) -> Iterator[str]:
    """The texts a value holds: itself, the fields of a CommandText, the values of tables."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, CommandText):
        yield value.menu
        yield value.help
    elif isinstance(value, dict):
        for item in value.values():
            yield from strings_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from strings_in(item)


FIELD_SAMPLES = {
    "role": "Kapolsek", "kecamatan": "Muara Wahau", "level": "🟠 Rawan", "category": "Kamtibmas",
    "title": "Camat Bengalon", "command": "setujui", "roles": "Camat, Danramil",
    "audience": "Camat — Bengalon", "count": "12", "detail": "3",
}  # fmt: skip


def filled(text: str) -> str:
    """A template constant with its {placeholders} filled as the handlers fill them."""
    fields = [f for _, f, _, _ in string.Formatter().parse(text) if f]
    return text.format(**{f: FIELD_SAMPLES[f] for f in fields}) if fields else text


def rendered(name: str, value: object) -> list[str]:
    """Every text a catalogue name stands for: its own, or what its sample calls return."""
    if callable(value) and not isinstance(value, type):
        outputs: list[str] = []
        for call in SAMPLES.get(name, []):  # NOT_TEXT helpers have none
            outputs += list(strings_in(call()))
        return outputs
    return [filled(text) for text in strings_in(value)]


def sample_key(module: str, name: str) -> str:
    """A name as SAMPLES knows it: "area.name" for a function whose name another area also
    uses (bot.texts.dashboard, which bot.texts does not re-export, has its own `clock`)."""
    qualified = f"{module.rsplit('.', 1)[-1]}.{name}"
    return qualified if qualified in SAMPLES else name


def every_text() -> Iterator[tuple[str, str, object]]:
    """(module, name, value) of every public name of the catalogue (NOT_TEXT left out), the
    name as SAMPLES knows it."""
    for module in catalogue_modules():
        for name in public_names(module):
            if name not in NOT_TEXT:
                yield module.__name__, sample_key(module.__name__, name), getattr(module, name)


def _shown(text: str) -> str:
    """The text as the reader sees it: commands and file keys left out, tags gone."""
    from bot.app import command_table

    commands = {n for c in command_table().commands for n in (c.name, *c.aliases)}
    text = _CODE.sub(
        lambda m: "".join(w for w in re.split(r"(\W+)", m[1]) if w not in CALENDAR_FILE_KEYS),
        text,
    )
    text = _COMMAND.sub(lambda m: "" if m[1] in commands else m[0], text)
    return html.unescape(_TAG.sub("", text))


# --- the checks ---------------------------------------------------------------------------------


def test_every_public_name_is_covered() -> None:
    """A text the walk cannot reach fails here: add a sample call (or say why it is no text)."""
    missing = []
    for module, name, value in every_text():
        if isinstance(value, type | UnionType | int | float | re.Pattern) and not isinstance(
            value, bool
        ):
            continue  # classes (CommandText), type aliases, limits
        if callable(value):
            if name not in SAMPLES:
                missing.append(f"{module}.{name}")
        elif not list(strings_in(value)):
            missing.append(f"{module}.{name} (no text in it)")
    assert not missing, f"not walked by the catalogue test: {missing}"
    unused = set(SAMPLES) - {name for _, name, _ in every_text()}
    assert not unused, f"samples of names the catalogue no longer has: {unused}"
    assert set(OFFICER_FACING) <= {name for _, name, _ in every_text()}


def test_no_english_words() -> None:
    found = []
    for module, name, value in every_text():
        for text in rendered(name, value):
            for match in _BANNED.finditer(_shown(text)):
                found.append(f"{module}.{name}: {match[0]!r} in {text!r}")
    assert not found, "\n".join(found)


def test_no_time_with_a_colon() -> None:
    found = []
    for module, name, value in every_text():
        if name == "logistics_rows":
            continue  # spreadsheet cells: ISO 8601, as every time cell of the workbook
        for text in rendered(name, value):
            spans = [m.span() for m in _CODE.finditer(text)]
            for match in _COLON_TIME.finditer(text):
                in_code = any(start <= match.start() < end for start, end in spans)
                with_dot = f"{match[1]}.{match[2]}" in text
                if not (in_code and with_dot):
                    found.append(f"{module}.{name}: {match[0]!r} in {text!r}")
    assert not found, "\n".join(found)


def test_officer_messages_fit_one_screen() -> None:
    values = {name: value for _, name, value in every_text()}
    too_long = []
    for name in sorted(OFFICER_FACING):
        value = values[name]
        if callable(value):
            calls = SAMPLES[name][: OFFICER_SAMPLES.get(name)]
            texts = [t for call in calls for t in strings_in(call())]
        else:
            texts = rendered(name, value)
        for text in texts:
            lines = text.count("\n") + 1
            if lines > MAX_OFFICER_LINES:
                too_long.append(f"{name}: {lines} lines\n{text}")
    assert not too_long, "\n\n".join(too_long)


def test_one_register() -> None:
    """Bapak/Ibu throughout (not "Anda"), and no greeting that exclaims a Telegram name."""
    found = []
    for module, name, value in every_text():
        for text in rendered(name, value):
            if re.search(r"\bAnda\b", text):
                found.append(f"{module}.{name}: {text!r}")
    assert not found, "\n".join(found)
    for text in rendered("welcome", bot.texts.welcome):
        assert "!" not in text
        assert text.startswith("Selamat datang di <b>Posko</b>")


def test_refusals_and_errors_say_what_to_do_next() -> None:
    refusals = [
        (name, value)
        for _, name, value in every_text()
        if REFUSAL_NAMES.search(name) and name not in {*NOT_REFUSALS, *ARAHAN_REWORDING}
    ]
    assert len(refusals) > 60, "the name pattern should find the refusals"
    silent = []
    for name, value in refusals:
        for text in rendered(name, value):
            first = html.unescape(_TAG.sub("", text)).split("\n\n")[0].casefold()
            if not any(cue in first for cue in NEXT_STEP) and not _COMMAND.search(first):
                silent.append(f"{name}: {text!r}")
    assert not silent, "\n".join(silent)


@pytest.mark.parametrize(
    "text",
    ["Kirim berkasnya", "Buka <code>/start</code>", "misalnya <code>true</code>"],
)
def test_the_exceptions_are_narrow(text: str) -> None:
    """Commands and file keys in <code> are left out; the same words in prose are not."""
    assert not _BANNED.search(_shown(text))
    assert _BANNED.search(_shown("Kirim file"))
    assert _BANNED.search(_shown("nilai true"))
    assert _BANNED.search(_shown("lihat /digest")), "only the bot's own commands are names"


def test_the_officer_help_is_paged() -> None:
    from bot.app import command_table

    pages = _officer_help_pages()
    assert len(pages) > 1, "an officer's /bantuan does not fit one page"
    assert [line for page in pages for line in page] == command_table().help_lines(Access.PETUGAS)
    assert help_texts.LAPOR.help in pages[0], "how to report comes first"
