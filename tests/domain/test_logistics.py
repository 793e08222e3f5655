"""The logistics chain: the data file, states, ordering, the digest rule, and the parsers."""

import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import texts
from bot.logistics import load_plan
from bot.regions import load_region
from domain.enums import Level, Role
from domain.logistics import (
    DUE_HORIZON,
    Confirmation,
    ConfirmCheck,
    CountError,
    CountInvalid,
    Kendala,
    LogisticsFileError,
    LogisticsPlan,
    PlanError,
    PlanInvalid,
    StageState,
    TpsCount,
    WithdrawError,
    WithdrawInvalid,
    build_board,
    confirm_check,
    corroboration_offer,
    due_for_digest,
    late_key,
    parse_count,
    parse_file_deadline,
    parse_plan_args,
    parse_withdraw_args,
    split_kecamatan,
    stage_state,
)
from domain.parsing import utf16_len
from emulator.html import parse_html

WITA = ZoneInfo("Asia/Makassar")
REGION = load_region()
PLAN = load_plan(None, REGION, WITA)
NOW = datetime(2024, 11, 26, 2, 0, tzinfo=UTC)  # 26/11 10.00 WITA


def confirmation(
    id_: int,
    stage: str,
    kecamatan: str = "Bengalon",
    officer: int = 1,
    *,
    minutes: int = 0,
    withdrawn: bool = False,
) -> Confirmation:
    return Confirmation(
        id=id_,
        kecamatan=kecamatan,
        stage=stage,
        officer_id=officer,
        officer_name=f"Petugas {officer}",
        role=Role.CAMAT,
        at=NOW - timedelta(hours=5) + timedelta(minutes=minutes),
        withdrawn_at=NOW if withdrawn else None,
    )


def test_the_bundled_file_has_the_five_stages_of_the_issue() -> None:
    assert [s.name for s in PLAN.stages] == [
        "tiba di gudang PPK",
        "didistribusikan ke PPS/TPS",
        "tiba di seluruh TPS",
        "kotak suara kembali ke PPK",
        "diserahkan ke KPU kabupaten",
    ]
    assert [s.number for s in PLAN.stages] == [1, 2, 3, 4, 5]
    assert [s.counted for s in PLAN.stages] == [False, True, True, True, False]
    assert (PLAN.tps, PLAN.deadlines) == ({}, {})


def test_a_replacement_file_gives_tps_and_deadlines(tmp_path: Path) -> None:
    path = tmp_path / "logistik.json"
    path.write_text(
        json.dumps(
            {
                "stages": [
                    {"key": "gudang", "name": "tiba di gudang PPK"},
                    {"key": "tps", "name": "tiba di seluruh TPS", "count": True},
                ],
                "tps": {"muara wahau": 40, "Bengalon": 14},
                "deadlines": [
                    {"stage": 1, "kecamatan": "semua", "at": "25-11-2024 18.00"},
                    {"stage": 2, "kecamatan": "Busang", "at": "2024-11-26 06:30"},
                ],
            }
        ),
        "utf-8",
    )
    plan = load_plan(path, REGION, WITA)
    assert plan.tps == {"Muara Wahau": 40, "Bengalon": 14}
    assert len(plan.deadlines) == 19
    assert plan.deadlines[("gudang", "Telen")] == datetime(2024, 11, 25, 18, 0, tzinfo=WITA)
    assert plan.deadlines[("tps", "Busang")] == datetime(2024, 11, 26, 6, 30, tzinfo=WITA)


@pytest.mark.parametrize(
    "data",
    [
        "not json",
        {"stages": []},
        {"stages": [{"key": "A B", "name": "x"}]},
        {"stages": [{"key": "a", "name": ""}]},
        {"stages": [{"key": "a", "name": "x"}, {"key": "a", "name": "y"}]},
        {"stages": [{"key": "a", "name": "x", "count": "ya"}]},
        {"stages": [{"key": "a", "name": "x"}], "tps": {"Atlantis": 3}},
        {"stages": [{"key": "a", "name": "x"}], "tps": {"Telen": 0}},
        {
            "stages": [{"key": "a", "name": "x"}],
            "deadlines": [{"stage": 2, "kecamatan": "semua", "at": "25-11-2024 18.00"}],
        },
        {
            "stages": [{"key": "a", "name": "x"}],
            "deadlines": [{"stage": 1, "kecamatan": "semua", "at": "besok"}],
        },
    ],
)
def test_a_bad_file_is_refused_with_a_reason(data: object) -> None:
    text = data if isinstance(data, str) else json.dumps(data)
    with pytest.raises(LogisticsFileError):
        LogisticsPlan.from_json(text, REGION, WITA)


def test_stage_state() -> None:
    due = NOW + timedelta(hours=1)
    assert stage_state(True, due - timedelta(days=2), NOW) is StageState.DONE
    assert stage_state(False, None, NOW) is StageState.WAITING
    assert stage_state(False, due, NOW) is StageState.DUE
    assert stage_state(False, NOW, NOW) is StageState.DUE, "late only once it has passed"
    assert stage_state(False, NOW - timedelta(seconds=1), NOW) is StageState.LATE


def test_board_folds_confirmations_deadlines_and_kendala() -> None:
    planned = {
        ("distribusi", "Bengalon"): NOW - timedelta(hours=1),
        ("seluruh_tps", "Bengalon"): NOW + timedelta(hours=30),
        ("distribusi", "Busang"): None,  # cleared by an admin
    }
    rows = [
        confirmation(1, "gudang_ppk", officer=1, minutes=5),
        confirmation(2, "gudang_ppk", officer=2, minutes=1),  # earlier: the first
        confirmation(3, "distribusi", officer=1, withdrawn=True),
    ]
    kendala = [Kendala(9, "Bengalon", "distribusi", Level.RAWAN, True, NOW)]
    board = build_board(PLAN, REGION.kecamatan, planned, rows, kendala, NOW)
    chain = board.chain("Bengalon")
    assert chain is not None
    states = [s.state for s in chain.stages]
    assert states == [
        StageState.DONE,
        StageState.LATE,
        StageState.DUE,
        StageState.WAITING,
        StageState.WAITING,
    ]
    first = chain.stages[0]
    assert first.first is not None
    assert (first.first.officer_id, [c.officer_id for c in first.corroborations]) == (2, [1])
    assert chain.next is chain.stages[1]
    assert chain.stages[1].open_kendala == tuple(kendala)
    assert board.late_first()[0].kecamatan == "Bengalon"
    assert board.counts()[StageState.DONE] == 1
    assert late_key(chain.stages[1]) == ("Bengalon", "distribusi", NOW - timedelta(hours=1))


def test_file_deadlines_are_overridden_by_admins() -> None:
    plan = LogisticsPlan(
        PLAN.stages,
        {},
        {
            ("gudang_ppk", "Telen"): NOW - timedelta(hours=1),
            ("gudang_ppk", "Busang"): NOW - timedelta(hours=1),
        },
    )
    planned = {("gudang_ppk", "Telen"): NOW + timedelta(hours=1), ("gudang_ppk", "Busang"): None}
    board = build_board(plan, REGION.kecamatan, planned, [], [], NOW)
    telen, busang = board.chain("Telen"), board.chain("Busang")
    assert telen is not None
    assert busang is not None
    assert telen.stages[0].state is StageState.DUE
    assert busang.stages[0].state is StageState.WAITING


def test_stages_are_confirmed_in_order_and_corroborated_by_others() -> None:
    board = build_board(
        PLAN, ["Bengalon"], {}, [confirmation(1, "gudang_ppk", officer=1)], [], NOW
    )
    chain = board.chain("Bengalon")
    assert chain is not None
    assert confirm_check(chain, "distribusi", 1) is ConfirmCheck.CONFIRM
    assert confirm_check(chain, "seluruh_tps", 1) is ConfirmCheck.OUT_OF_ORDER
    assert confirm_check(chain, "gudang_ppk", 1) is ConfirmCheck.ALREADY
    assert confirm_check(chain, "gudang_ppk", 2) is ConfirmCheck.CORROBORATE
    assert confirm_check(chain, "tidak_ada", 2) is None
    offer = corroboration_offer(chain, 2)
    assert offer is not None
    assert offer.stage.number == 1
    assert corroboration_offer(chain, 1) is None


def test_the_digest_lists_late_and_due_within_48_hours_only() -> None:
    planned = {
        ("gudang_ppk", "Busang"): NOW - timedelta(minutes=1),  # late
        ("gudang_ppk", "Telen"): NOW + DUE_HORIZON,  # due in exactly 48 h: listed
        ("gudang_ppk", "Kaubun"): NOW + DUE_HORIZON + timedelta(minutes=1),  # not yet
        ("gudang_ppk", "Bengalon"): NOW - timedelta(hours=3),  # confirmed: not behind
    }
    rows = [confirmation(1, "gudang_ppk", "Bengalon")]
    due = due_for_digest(build_board(PLAN, REGION.kecamatan, planned, rows, [], NOW))
    assert due is not None
    assert [name for name, _ in due.behind] == ["Busang", "Telen"]
    assert (due.late, due.due_soon, due.kecamatan_total) == (1, 1, 18)
    nothing = {("gudang_ppk", "Kaubun"): NOW + timedelta(days=3)}
    assert due_for_digest(build_board(PLAN, REGION.kecamatan, nothing, [], [], NOW)) is None


@pytest.mark.parametrize(
    ("text", "tps", "expected"),
    [
        ("12", None, TpsCount(12, None)),
        ("12 dari 14 TPS", None, TpsCount(12, 14)),
        ("12 DARI 14 tps", None, TpsCount(12, 14)),
        (" 12/14 ", None, TpsCount(12, 14)),
        ("14 TPS", None, TpsCount(14, None)),
        ("12", 14, TpsCount(12, 14)),
        ("14 dari 14", 14, TpsCount(14, 14)),
    ],
)
def test_count(text: str, tps: int | None, expected: TpsCount) -> None:
    assert parse_count(text, tps) == expected


@pytest.mark.parametrize(
    ("text", "tps", "reason"),
    [
        ("dua belas", None, CountError.FORMAT),
        ("12 dari 14 TPS sudah", None, CountError.FORMAT),
        ("-3", None, CountError.FORMAT),
        ("١٢", None, CountError.FORMAT),  # Arabic-Indic digits are not a count here
        ("0", None, CountError.RANGE),
        ("15 dari 14", None, CountError.RANGE),
        ("12 dari 0", None, CountError.RANGE),
        ("99999", None, CountError.RANGE),
        ("12 dari 15 TPS", 14, CountError.TPS_TOTAL),
        ("15", 14, CountError.TPS_OVER),
    ],
)
def test_count_refused(text: str, tps: int | None, reason: CountError) -> None:
    with pytest.raises(CountInvalid) as caught:
        parse_count(text, tps)
    assert caught.value.reason is reason


@given(st.integers(1, 10_000), st.integers(0, 10_000), st.sampled_from([" dari ", "/", " / "]))
def test_any_count_in_range_is_read_back(done: int, extra: int, joiner: str) -> None:
    total = min(done + extra, 10_000)
    assert parse_count(f"{done}{joiner}{total} TPS", None) == TpsCount(done, total)
    assert parse_count(str(done), total) == TpsCount(done, total)


@given(st.text(max_size=30), st.one_of(st.none(), st.integers(1, 10_000)))
def test_a_count_is_either_in_range_or_refused(text: str, tps: int | None) -> None:
    try:
        count = parse_count(text, tps)
    except CountInvalid:
        return
    assert 1 <= count.done <= 10_000
    if tps is not None:
        assert count.total == tps
        assert count.done <= tps
    if count.total is not None:
        assert count.done <= count.total


TODAY = date(2024, 11, 27)  # the WITA day the admin types on


def test_plan_args() -> None:
    parsed = parse_plan_args("2 semua 26-11-2024 18.00", REGION, 5, WITA, TODAY)
    assert (parsed.stage, len(parsed.kecamatan), parsed.everywhere) == (2, 18, True)
    assert parsed.due == datetime(2024, 11, 26, 18, 0, tzinfo=WITA)
    one = parse_plan_args("3 muara  wahau 27/11/2024 6:30", REGION, 5, WITA, TODAY)
    assert (one.kecamatan, one.due) == (
        ("Muara Wahau",),
        datetime(2024, 11, 27, 6, 30, tzinfo=WITA),
    )
    cleared = parse_plan_args("1 Telen hapus", REGION, 5, WITA, TODAY)
    assert (cleared.kecamatan, cleared.due) == (("Telen",), None)
    several = parse_plan_args("1 Sangatta Utara hapus", REGION, 5, WITA, TODAY)
    assert (several.kecamatan, several.due) == (("Sangatta Utara",), None)
    assert not several.everywhere


@pytest.mark.parametrize(
    ("args", "kecamatan", "due"),
    [
        ("2 Sangatta Utara 27 Nov 2024 18.00", "Sangatta Utara", datetime(2024, 11, 27, 18)),
        ("2 semua besok 18:00", None, datetime(2024, 11, 28, 18)),
        ("2 Bengalon 27-11-2024 18.00 WITA", "Bengalon", datetime(2024, 11, 27, 18)),
        ("2 Bengalon 27-11-2024 18.00wita", "Bengalon", datetime(2024, 11, 27, 18)),
        ("4 Muara Wahau Rabu, 27 November 2024 06.30", "Muara Wahau",
         datetime(2024, 11, 27, 6, 30)),
        ("1 Sangatta Selatan Kamis 28 Nov 2024 7:05 wita", "Sangatta Selatan",
         datetime(2024, 11, 28, 7, 5)),
        ("2 Bengalon Rabu 27 Nov 2024 18.00", "Bengalon", datetime(2024, 11, 27, 18)),
        ("3 Teluk Pandan lusa 12.00", "Teluk Pandan", datetime(2024, 11, 29, 12)),
        ("3 Telen hari ini 23.59", "Telen", datetime(2024, 11, 27, 23, 59)),
        ("3 telen kemarin lusa 08.00", "Telen", datetime(2024, 11, 25, 8)),
        ("5 Busang 1 Des 12.00", "Busang", datetime(2024, 12, 1, 12)),
        ("5 Busang 1 Desember 2024 12.00", "Busang", datetime(2024, 12, 1, 12)),
        ("5 semua 2024-12-01 12:00", None, datetime(2024, 12, 1, 12)),
        ("5 semua 1-12-24 12.00", None, datetime(2024, 12, 1, 12)),
    ],
)  # fmt: skip
def test_plan_args_read_dates_and_times_as_every_command_does(
    args: str, kecamatan: str | None, due: datetime
) -> None:
    parsed = parse_plan_args(args, REGION, 5, WITA, TODAY)
    assert parsed.due == due.replace(tzinfo=WITA)
    assert parsed.everywhere is (kecamatan is None)
    if kecamatan is None:
        assert parsed.kecamatan == REGION.kecamatan
    else:
        assert parsed.kecamatan == (kecamatan,)


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ("", PlanError.USAGE),
        ("2 semua", PlanError.USAGE),
        ("2 semua 26-11-2024", PlanError.USAGE),
        ("6 semua 26-11-2024 18.00", PlanError.STAGE),
        ("dua semua 26-11-2024 18.00", PlanError.STAGE),
        ("2 Atlantis 26-11-2024 18.00", PlanError.KECAMATAN),
        ("2 Sangatta Barat 27 Nov 2024 18.00", PlanError.KECAMATAN),
        ("2 Bengalon Ulu 27 Nov 2024 18.00", PlanError.KECAMATAN),
        ("2 semua 31-11-2024 18.00", PlanError.DATE),
        ("2 Bengalon 32 Nov 2024 18.00", PlanError.DATE),
        ("2 Sangatta Utara 27 Novem 2024 18.00", PlanError.DATE),
        ("2 semua minggu depan 18.00", PlanError.DATE),
        ("2 semua 1-1-2026 18.00", PlanError.DATE),  # after the end of next year
        ("2 semua 26-11-2024 24.00", PlanError.TIME),
        ("2 semua 26-11-2024 jam6", PlanError.TIME),
        ("2 Bengalon 27 Nov 2024 18.60 WITA", PlanError.TIME),
        ("2 Bengalon 27 Nov 2024", PlanError.TIME),  # the time forgotten
        ("2 semua 18.00 WITA", PlanError.USAGE),
    ],
)
def test_plan_args_refused(args: str, reason: PlanError) -> None:
    with pytest.raises(PlanInvalid) as caught:
        parse_plan_args(args, REGION, 5, WITA, TODAY)
    assert caught.value.reason is reason


def test_the_file_deadline_is_a_full_numeric_date_and_a_time() -> None:
    expected = datetime(2024, 11, 26, 18, 0, tzinfo=WITA)
    for text in ("26-11-2024 18.00", "26-11-2024 18:00", "2024-11-26 18:00", "26/11/2024 18.00",
                 "26.11.2024 18.00", " 26-11-2024  18.00 WITA"):  # fmt: skip
        assert parse_file_deadline(text, WITA) == expected, text
    # A file is read at every start: nothing relative to the day, nothing without a year.
    for text in ("besok 18.00", "26 Nov 2024 18.00", "26-11 18.00", "26-11-24 18.00",
                 "26-11/2024 18.00", "31-11-2024 18.00", "26-11-1999 18.00", "26-11-2024",
                 "26-11-2024 24.00", "18.00 26-11-2024", ""):  # fmt: skip
        data = {
            "stages": [{"key": "a", "name": "x"}],
            "deadlines": [{"stage": 1, "kecamatan": "semua", "at": text}],
        }
        with pytest.raises(LogisticsFileError, match="at must look like"):
            LogisticsPlan.from_json(json.dumps(data), REGION, WITA)


def test_withdraw_args() -> None:
    own = parse_withdraw_args("2 salah tekan,  truk belum berangkat", REGION, 5)
    assert (own.stage, own.kecamatan, own.reason) == (2, None, "salah tekan, truk belum berangkat")
    other = parse_withdraw_args("1 Sangatta Utara dobel", REGION, 5)
    assert (other.kecamatan, other.reason) == ("Sangatta Utara", "dobel")
    for args, reason in (
        ("", WithdrawError.USAGE),
        ("9 x", WithdrawError.STAGE),
        ("2", WithdrawError.REASON),
        ("2 Telen", WithdrawError.REASON),
        ("2 \u200b", WithdrawError.REASON),
    ):
        with pytest.raises(WithdrawInvalid) as caught:
            parse_withdraw_args(args, REGION, 5)
        assert caught.value.reason is reason, args


def test_split_kecamatan_takes_the_longest_name() -> None:
    assert split_kecamatan("sangatta selatan banjir", REGION) == ("Sangatta Selatan", "banjir")
    assert split_kecamatan("banjir di telen", REGION) == (None, "banjir di telen")


def test_the_grid_of_18_kecamatan_and_5_stages_fits_one_message_at_worst() -> None:
    """Every stage late, every stage with open kendala: still one message, one short line per
    kecamatan (readable on a phone), the late details cut to what fits."""
    planned = {(s.key, k): NOW - timedelta(days=2) for s in PLAN.stages for k in REGION.kecamatan}
    kendala = [
        Kendala(1000 + i, k, s.key, Level.DARURAT, True, NOW)
        for i, (k, s) in enumerate((k, s) for k in REGION.kecamatan for s in PLAN.stages)
    ]
    board = build_board(PLAN, REGION.kecamatan, planned, [], kendala, NOW)
    text = texts.logistik_grid(board, "Kabupaten Kutai Timur", WITA, admin=True)
    assert utf16_len(text) <= 4096
    plain = parse_html(text)
    grid = [line for line in plain.splitlines() if line.startswith("⚠️⚠️⚠️⚠️⚠️")]
    assert len(grid) == 18
    assert max(len(line) for line in grid) <= 60
    assert grid[0] == "⚠️⚠️⚠️⚠️⚠️ Batu Ampar 🚧 #1000, #1001, #1002 +2"
    assert "… dan " in plain
    assert plain.endswith("<kecamatan atau semua> <tanggal> <jam>")


def test_late_announcements_and_the_digest_section_stay_within_telegram_limits() -> None:
    planned = {(s.key, k): NOW - timedelta(hours=1) for s in PLAN.stages for k in REGION.kecamatan}
    board = build_board(PLAN, REGION.kecamatan, planned, [], [], NOW)
    late = list(board.statuses())
    parts = texts.logistik_late_announcement(late, NOW, WITA)
    assert all(utf16_len(part) <= 4096 for part in parts)
    assert sum(part.count("• ") for part in parts) == 90
    due = due_for_digest(board)
    assert due is not None
    blocks = texts.logistik_digest_blocks(due, WITA)
    assert len(blocks) == 1 + 18
    assert parse_html(blocks[1]) == (
        "⚠️ Batu Ampar: tahap 1 terlambat 1 jam; tahap 2 terlambat 1 jam; tahap 3 terlambat "
        "1 jam; tahap 4 terlambat 1 jam; tahap 5 terlambat 1 jam"
    )
