import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot import texts
from bot.regions import load_region
from domain.enums import Role
from domain.members import RosterRow
from domain.roster import Finding, Problem, RosterFileError, RosterInvalid, parse_roster

REGION = load_region()


def test_comma_file_with_bom_and_optional_phone() -> None:
    data = (
        "\ufeffuser_id,peran,kecamatan,nama,telepon\n"
        "101,Camat,sangatta utara,Budi Santoso,0812\n"
        '102,kapolsek,Busang,"AKP Agus, S.H.",\n'
        "\n"
        "103,koordinator,-,Kasat Intel,\n"
    ).encode()
    assert parse_roster(data, REGION) == [
        RosterRow(101, Role.CAMAT, "Sangatta Utara", "Budi Santoso", "0812"),
        RosterRow(102, Role.KAPOLSEK, "Busang", "AKP Agus, S.H.", None),
        RosterRow(103, Role.KOORDINATOR, None, "Kasat Intel", None),
    ]


def test_semicolon_file_columns_in_any_order() -> None:
    data = b"nama;kecamatan;peran;user_id\r\nJoko;Telen;danramil;7\r\n"
    assert parse_roster(data, REGION) == [RosterRow(7, Role.DANRAMIL, "Telen", "Joko")]


def test_every_bad_row_is_reported_with_its_line() -> None:
    data = (
        b"user_id,peran,kecamatan,nama\n"
        b"101,camat,Bengalon,Budi\n"
        b"abc,camat,Bengalon,Ani\n"
        b"103,lurah,Bengalon,Cici\n"
        b"104,camat,Samarinda,Dedi\n"
        b"101,kapolsek,Busang,Eko\n"
        b"105,admin,-,Fajar\n"
        b"106,camat,Bengalon,\n"
        b"1,camat,Bengalon,Admin Utama\n"
    )
    with pytest.raises(RosterInvalid) as caught:
        parse_roster(data, REGION, reserved_ids=frozenset({1}))
    assert caught.value.problems == [
        (3, Finding(Problem.BAD_USER_ID)),
        (4, Finding(Problem.BAD_ROLE)),
        (5, Finding(Problem.UNKNOWN_KECAMATAN, "Samarinda")),
        (6, Finding(Problem.DUPLICATE_ID, "2")),
        (7, Finding(Problem.BAD_ROLE)),
        (8, Finding(Problem.BAD_NAME)),
        (9, Finding(Problem.RESERVED_ID)),
    ]
    assert texts.roster_problem(Finding(Problem.DUPLICATE_ID, "2")) == (
        "user_id ganda (juga di baris 2)"
    )


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (b"user_id,peran,nama\n1,camat,Budi\n", Problem.MISSING_COLUMNS),
        (b"", Problem.EMPTY),
        (b"user_id,peran,kecamatan,nama\n", Problem.NO_ROWS),
        (
            "user_id,peran,kecamatan,nama\n1,camat,Telen,Bud\u00ed\n".encode("latin-1"),
            Problem.NOT_UTF8,
        ),
        (b"\x89PNG\r\n\x1a\n\x00\x00", Problem.NOT_UTF8),
        (b'user_id,peran,kecamatan,nama\n1,camat,Telen,"Budi\n', Problem.BAD_CSV),
    ],
)
def test_unusable_files(data: bytes, reason: Problem) -> None:
    with pytest.raises(RosterFileError) as caught:
        parse_roster(data, REGION)
    assert caught.value.finding.problem is reason


def test_a_broken_csv_names_its_line_not_the_csv_modules_english() -> None:
    data = b'user_id,peran,kecamatan,nama\n1,camat,Telen,Budi\n2,camat,Telen,"Ani\n'
    with pytest.raises(RosterFileError) as caught:
        parse_roster(data, REGION)
    assert caught.value.finding == Finding(Problem.BAD_CSV, "3")


@given(st.binary(max_size=2000))
def test_any_bytes_give_rows_or_the_intended_errors(data: bytes) -> None:
    try:
        rows = parse_roster(data, REGION)
    except (RosterFileError, RosterInvalid):
        return
    assert rows
    assert len({row.user_id for row in rows}) == len(rows)


@given(st.lists(st.lists(st.text(max_size=20), min_size=0, max_size=6), max_size=20))
def test_any_table_gives_rows_or_the_intended_errors(table: list[list[str]]) -> None:
    lines = ["user_id,peran,kecamatan,nama,telepon"]
    lines += [",".join('"' + cell.replace('"', '""') + '"' for cell in row) for row in table]
    try:
        rows = parse_roster("\n".join(lines).encode(), REGION)
    except (RosterFileError, RosterInvalid):
        return
    assert all(row.role is not Role.ADMIN for row in rows)
