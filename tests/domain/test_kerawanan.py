"""The vulnerability map's rules: the file, TPS named in texts, the order of attention."""

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import texts
from bot.regions import load_region
from domain.digest import KecamatanStatus
from domain.enums import Level
from domain.incidents import Incident, IncidentState
from domain.kerawanan import (
    EMPTY_MAP,
    Finding,
    MapInvalid,
    MapLevel,
    MappedKecamatan,
    Problem,
    VulnerabilityMap,
    VulnerableTps,
    attention,
    attention_key,
    flagged,
    kinerja_by_level,
    map_rows,
    parse_map,
    tps_matches,
    tps_numbers,
)
from domain.roster import Problem as FileProblem
from domain.roster import RosterFileError

REGION = load_region()
HEADER = "jenis;kecamatan;tingkat;faktor;tps;desa;alasan\n"
MAP = VulnerabilityMap(
    (
        MappedKecamatan("Busang", MapLevel.TINGGI, ("konflik pendukung", "akses sungai")),
        MappedKecamatan("Bengalon", MapLevel.SEDANG, ("politik uang",)),
        MappedKecamatan("Telen", MapLevel.RENDAH),
    ),
    (
        VulnerableTps("Busang", 12, "Long Lees", "akses sungai"),
        VulnerableTps("Busang", 12, "Mekar Baru", "riwayat konflik"),
        VulnerableTps("Bengalon", 7, "Sepaso", "politik uang"),
    ),
)


def test_a_semicolon_file_as_excel_saves_it() -> None:
    data = (
        "\ufeff" + HEADER + "kecamatan;busang;Tinggi;konflik pendukung, akses sungai , ;;;\n"
        "kecamatan;Telen;rendah;;;;\n"
        "\n"
        "tps;Busang;;;TPS 012;Long  Lees;akses sungai, rawan banjir\n"
    ).encode()
    parsed = parse_map(data, REGION)
    assert parsed.kecamatan == (
        MappedKecamatan("Busang", MapLevel.TINGGI, ("konflik pendukung", "akses sungai")),
        MappedKecamatan("Telen", MapLevel.RENDAH, ()),
    )
    assert parsed.tps == (VulnerableTps("Busang", 12, "Long Lees", "akses sungai, rawan banjir"),)
    assert parsed.tinggi == ("Busang",)


def test_a_comma_file_with_quoted_factors_and_columns_in_any_order() -> None:
    data = (
        b"kecamatan,jenis,faktor,tingkat,tps,desa,alasan\r\n"
        b'Bengalon,kecamatan,"politik uang, hoaks",sedang,,,\r\n'
        b'Bengalon,tps,,,7,Sepaso,"politik uang"\r\n'
    )
    parsed = parse_map(data, REGION)
    assert parsed.entry("Bengalon") == MappedKecamatan(
        "Bengalon", MapLevel.SEDANG, ("politik uang", "hoaks")
    )
    assert parsed.tps_of("Bengalon") == (VulnerableTps("Bengalon", 7, "Sepaso", "politik uang"),)


def test_every_bad_row_is_listed_with_its_line() -> None:
    data = (
        HEADER + "kecamatan;Busang;tinggi;konflik;;;\n"
        "kecamatan;Samarinda;tinggi;;;;\n"
        "kecamatan;Telen;parah;;;;\n"
        "kecamatan;BUSANG;sedang;;;;\n"
        "tps;Busang;;;abc;Long Lees;akses\n"
        "tps;Busang;;;12;;akses\n"
        "tps;Busang;;;12;Long Lees;\n"
        "lurah;Busang;;;;;\n"
        "tps;Busang;;;12;Long Lees;akses\n"
        "tps;Busang;;;12;long lees;lagi\n"
        f"kecamatan;Kaubun;sedang;{'x' * 61};;;\n"
        f"kecamatan;Karangan;sedang;{','.join('abcdefghi')};;;\n"
        "tps;Busang;;;0;Long Lees;akses\n"
    ).encode()
    with pytest.raises(MapInvalid) as caught:
        parse_map(data, REGION)
    assert caught.value.problems == [
        (3, Finding(Problem.UNKNOWN_KECAMATAN, "Samarinda")),
        (4, Finding(Problem.BAD_LEVEL, "parah")),
        (5, Finding(Problem.DUPLICATE_KECAMATAN, "2")),
        (6, Finding(Problem.BAD_TPS, "abc")),
        (7, Finding(Problem.BAD_DESA)),
        (8, Finding(Problem.BAD_REASON)),
        (9, Finding(Problem.BAD_KIND, "lurah")),
        (11, Finding(Problem.DUPLICATE_TPS, "10")),
        (12, Finding(Problem.FACTOR_TOO_LONG)),
        (13, Finding(Problem.TOO_MANY_FACTORS)),
        (14, Finding(Problem.BAD_TPS, "0")),
    ]
    refused = texts.kerawanan_refused(caught.value.problems)
    assert "Baris 3: kecamatan tidak dikenal: Samarinda" in refused
    assert "Baris 5: kecamatan ganda (juga di baris 2)" in refused
    assert "Baris 11: TPS ganda: kecamatan, desa, dan nomor sama (juga di baris 10)" in refused


def test_files_that_are_no_map() -> None:
    with pytest.raises(RosterFileError) as missing:
        parse_map(b"kecamatan;tingkat\nBusang;tinggi\n", REGION)
    assert missing.value.finding.problem is FileProblem.MISSING_COLUMNS
    assert missing.value.finding.detail == "jenis"
    with pytest.raises(RosterFileError) as latin:
        parse_map((HEADER + "kecamatan;Busang;tinggi;tokoh adat é;;;\n").encode("latin-1"), REGION)
    assert latin.value.finding.problem is FileProblem.NOT_UTF8
    with pytest.raises(MapInvalid) as empty:
        parse_map(HEADER.encode(), REGION)
    assert empty.value.problems == [(0, Finding(Problem.NO_ROWS))]
    assert texts.kerawanan_refused(empty.value.problems).splitlines()[1] == "tidak ada baris data"


def test_the_export_rows_are_the_import_format() -> None:
    rows = map_rows(MAP)
    assert rows[0] == ("kecamatan", "Busang", "tinggi", "konflik pendukung, akses sungai", "",
                       "", "")  # fmt: skip
    text = HEADER + "".join(";".join(row) + "\n" for row in rows)
    again = parse_map(text.encode(), REGION)
    assert set(again.kecamatan) == set(MAP.kecamatan)
    assert set(again.tps) == set(MAP.tps)


@pytest.mark.parametrize(
    ("text", "numbers"),
    [
        ("massa berkumpul di TPS 12 Desa Long Lees", (12,)),
        ("tps 012 dan TPS-7 ricuh", (12, 7)),
        ("TPS No. 3, TPS nomor 4, TPS #5, TPS12", (3, 4, 5, 12)),
        ("TPS 12 dan 13", (12,)),
        ("semua TPS aman, 1200 pemilih", ()),
        ("STPS 12 bukan TPS", ()),
        ("TPS 0 tidak ada", ()),
        ("TPS 12 lalu TPS 12 lagi", (12,)),
    ],
)
def test_tps_numbers_as_officers_write_them(text: str, numbers: tuple[int, ...]) -> None:
    assert tps_numbers(text) == numbers


@given(st.text(max_size=200))
def test_tps_numbers_never_fail(text: str) -> None:
    assert all(1 <= n <= 9999 for n in tps_numbers(text))


def test_a_report_is_matched_to_the_listed_tps_of_its_own_kecamatan() -> None:
    long_lees, mekar_baru, sepaso = MAP.tps_of("Busang")[0], MAP.tps_of("Busang")[1], MAP.tps[2]
    assert tps_matches(MAP, "Busang", "ricuh di TPS 12 Desa Long Lees") == (long_lees,)
    # Without its desa, "TPS 12" may be either listed TPS 12 of Busang: both are named.
    assert tps_matches(MAP, "Busang", "ricuh di TPS 12") == (long_lees, mekar_baru)
    assert tps_matches(MAP, "Busang", "TPS 7 ricuh") == ()  # TPS 7 is listed in Bengalon only
    assert tps_matches(MAP, "Bengalon", "politik uang di tps 07") == (sepaso,)
    assert tps_matches(EMPTY_MAP, "Busang", "TPS 12") == ()


def status(name: str, latest: Level | None, count: int) -> KecamatanStatus:
    return KecamatanStatus(name, count, latest)


def test_attention_puts_silent_tinggi_first_then_conditions_by_mapped_level() -> None:
    statuses = [
        status("Batu Ampar", Level.RAWAN, 2),
        status("Bengalon", Level.AMAN, 1),
        status("Busang", None, 0),
        status("Karangan", Level.AMAN, 1),
        status("Telen", Level.AMAN, 3),
        status("Kaubun", None, 0),
        status("Kongbeng", Level.DARURAT, 1),
    ]
    ordered = [s.name for s in sorted(statuses, key=lambda s: attention_key(MAP, s))]
    assert ordered == [
        "Busang",  # mapped tinggi, silent: first, above a Darurat
        "Kongbeng",
        "Batu Ampar",
        "Bengalon",  # Aman: sedang, rendah, then not mapped
        "Telen",
        "Karangan",
        "Kaubun",
    ]
    assert [s.name for s in sorted(statuses, key=lambda s: attention_key(EMPTY_MAP, s))] == [
        "Kongbeng", "Batu Ampar", "Bengalon", "Karangan", "Telen", "Busang", "Kaubun",
    ], "without a map, worst first then by name, as before"  # fmt: skip


def test_an_open_incident_is_not_a_report_in_the_window() -> None:
    assert flagged(MAP, status("Busang", Level.RAWAN, 0))
    assert not flagged(MAP, status("Busang", Level.AMAN, 1))
    assert not flagged(MAP, status("Bengalon", None, 0)), "only tinggi is flagged"
    [busang] = attention(MAP, [status("Busang", Level.RAWAN, 0)])
    assert (busang.mapped, busang.vulnerable_tps, busang.flagged) == (MapLevel.TINGGI, 2, True)
    assert texts.condition_text(busang) == "🟠 Rawan · ⚠️ rawan tinggi, belum lapor"


def incident(number: int, kecamatan: str, taken_minutes: int | None) -> Incident:
    opened = datetime(2024, 11, 27, 2, tzinfo=UTC)
    taken = opened + timedelta(minutes=taken_minutes) if taken_minutes is not None else None
    return Incident(number, kecamatan, Level.RAWAN, None, 1, IncidentState.BARU, opened, opened,
                    taken_at=taken)  # fmt: skip


def test_kinerja_by_mapped_level() -> None:
    rows = kinerja_by_level(
        [incident(1, "Busang", 10), incident(2, "Busang", 30), incident(3, "Kaubun", None),
         incident(4, "Telen", 5)],
        MAP,
    )  # fmt: skip
    assert [(level, figures.opened, figures.taken_up) for level, figures in rows] == [
        (MapLevel.TINGGI, 2, 2),
        (MapLevel.RENDAH, 1, 1),
        (None, 1, 0),
    ]
    tinggi = rows[0][1].take_up
    assert tinggi is not None
    assert (tinggi.median, tinggi.worst) == (1200, 1800)
    block = texts.kinerja_levels_block(rows)
    assert (
        "🔺 Kerawanan tinggi — 2 insiden\n    ⏱ Waktu tanggap: median 20 menit, terlama 30 menit"
        in block
    )
    assert "Belum dipetakan — 1 insiden" in block
