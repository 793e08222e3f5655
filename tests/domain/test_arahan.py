"""Arahan rules without Telegram: the sasaran, the one-line form, reminders, lateness, tallies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.regions import load_region
from domain.arahan import (
    MAX_ARAHAN_TEXT,
    ArahanLine,
    Audience,
    AudienceError,
    AudienceInvalid,
    DeliveryState,
    LineError,
    LineInvalid,
    RecipientStatus,
    Tally,
    TallyPart,
    Unconfirmed,
    Urgency,
    by_kecamatan_and_role,
    is_late,
    parse_arahan_line,
    parse_audience,
    parse_minutes,
    recipient_status,
    reminder_due,
    round_to_run,
    tally_parts,
)
from domain.enums import FIELD_ROLES, Role

REGION = load_region()
DANRAMIL, CAMAT, KAPOLSEK = Role.DANRAMIL, Role.CAMAT, Role.KAPOLSEK


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("semua", Audience()),
        ("Semua petugas", Audience()),
        ("danramil", Audience((DANRAMIL,))),
        ("semua Danramil", Audience((DANRAMIL,))),
        ("camat dan kapolsek", Audience((CAMAT, KAPOLSEK))),
        ("camat, kapolsek, danramil", Audience()),
        ("Bengalon", Audience((), ("Bengalon",))),
        ("bengalon,batu ampar", Audience((), ("Batu Ampar", "Bengalon"))),
        ("Bengalon dan Telen", Audience((), ("Bengalon", "Telen"))),
        (
            "danramil Bengalon, Batu Ampar",
            Audience((DANRAMIL,), ("Batu Ampar", "Bengalon")),
        ),
        ("danramil di kecamatan Muara  Wahau", Audience((DANRAMIL,), ("Muara Wahau",))),
        ("Sandaran", Audience((), ("Sandaran",))),  # "dan" inside a name is not a separator
        (
            "kapolsek sangatta utara; sangatta selatan",
            Audience((KAPOLSEK,), ("Sangatta Selatan", "Sangatta Utara")),
        ),
        ("Telen danramil", Audience((DANRAMIL,), ("Telen",))),
        (", ".join(REGION.kecamatan), Audience()),
    ],
)
def test_the_sasaran(text: str, expected: Audience) -> None:
    assert parse_audience(text, REGION) == expected


@pytest.mark.parametrize(
    ("text", "reason", "detail"),
    [
        ("", AudienceError.EMPTY, ""),
        ("  \u200b ", AudienceError.EMPTY, ""),
        ("bupati", AudienceError.UNKNOWN, "bupati"),
        ("danramil Bengalon, Samarinda", AudienceError.UNKNOWN, "Samarinda"),
        ("danramil Kota <Bangun>", AudienceError.UNKNOWN, "Kota <Bangun>"),
    ],
)
def test_a_sasaran_naming_nobody_known_is_refused(
    text: str, reason: AudienceError, detail: str
) -> None:
    with pytest.raises(AudienceInvalid) as refused:
        parse_audience(text, REGION)
    assert (refused.value.reason, refused.value.detail) == (reason, detail)


roles_st = st.sets(st.sampled_from(FIELD_ROLES))
places_st = st.sets(st.sampled_from(REGION.kecamatan))


@given(roles_st, places_st)
def test_the_one_line_syntax_reads_back_any_audience(roles: set[Role], places: set[str]) -> None:
    audience = Audience.of(roles, places, REGION)
    assert parse_audience(audience.as_args(), REGION) == audience


@given(roles_st, places_st, st.randoms())
def test_case_spacing_and_order_do_not_matter(
    roles: set[Role], places: set[str], rnd: object
) -> None:
    import random

    assert isinstance(rnd, random.Random)
    audience = Audience.of(roles, places, REGION)
    shuffled = list(places)
    rnd.shuffle(shuffled)
    role_words = [r.value.upper() if rnd.random() < 0.5 else r.value for r in roles]
    text = "  ".join(role_words) + "   " + " ,  ".join(p.swapcase() for p in shuffled)
    assert parse_audience(text.strip() or "semua", REGION) == audience


@given(st.text(max_size=80))
def test_any_text_is_an_audience_or_a_refusal(text: str) -> None:
    try:
        audience = parse_audience(text, REGION)
    except AudienceInvalid:
        return
    assert set(audience.roles) <= set(FIELD_ROLES)
    assert set(audience.kecamatan) <= set(REGION.kecamatan)


@given(roles_st, places_st, st.sampled_from(Role), st.sampled_from(REGION.kecamatan))
def test_covers_is_membership(roles: set[Role], places: set[str], role: Role, place: str) -> None:
    audience = Audience.of(roles, places, REGION)
    expected = role.is_field and (not roles or role in roles) and (not places or place in places)
    assert audience.covers(role, place) == expected
    assert Audience.from_json(audience.to_json()) == audience


def test_only_field_officers_are_an_audience() -> None:
    with pytest.raises(ValueError, match="field officers"):
        Audience.of({Role.KOORDINATOR}, (), REGION)
    assert not Audience().covers(Role.ADMIN, None)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            "danramil Bengalon, Batu Ampar | Siaga di gudang PPK malam ini",
            ArahanLine(
                Audience((DANRAMIL,), ("Batu Ampar", "Bengalon")),
                "Siaga di gudang PPK malam ini",
            ),
        ),
        ("semua | a | b", ArahanLine(Audience(), "a | b")),
        ("semua |\n baris 1\nbaris 2 ", ArahanLine(Audience(), "baris 1\nbaris 2")),
    ],
)
def test_the_one_line_form(args: str, expected: ArahanLine) -> None:
    assert parse_arahan_line(args, REGION) == expected


@pytest.mark.parametrize(
    ("args", "reason"),
    [
        ("semua siaga", LineError.NO_SEPARATOR),
        ("semua |  ", LineError.NO_TEXT),
        ("semua | " + "x" * (MAX_ARAHAN_TEXT + 1), LineError.TOO_LONG),
        ("semua | " + "😀" * (MAX_ARAHAN_TEXT // 2 + 1), LineError.TOO_LONG),  # UTF-16 units
    ],
)
def test_a_malformed_line_says_why(args: str, reason: LineError) -> None:
    with pytest.raises(LineInvalid) as refused:
        parse_arahan_line(args, REGION)
    assert refused.value.reason is reason


def test_the_longest_text_fits() -> None:
    assert len(parse_arahan_line("semua | " + "x" * MAX_ARAHAN_TEXT, REGION).text) == 3000


def test_an_unknown_sasaran_in_a_line_is_named() -> None:
    with pytest.raises(AudienceInvalid, match="Kutai"):
        parse_arahan_line("Kutai | teks", REGION)


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("30", 30), (" 45 menit", 45), ("5m", 5), ("1440", 1440), ("0", None), ("1441", None),
     ("satu jam", None), ("-5", None), ("2.5", None), ("", None)],
)  # fmt: skip
def test_deadline_minutes(text: str, minutes: int | None) -> None:
    assert parse_minutes(text) == minutes


NOON = datetime(2024, 11, 27, 4, 0, tzinfo=UTC)


def test_reminders_biasa_once_at_the_deadline() -> None:
    assert reminder_due(NOON, Urgency.BIASA, 0) == NOON
    assert reminder_due(NOON, Urgency.BIASA, 1) is None


def test_reminders_segera_every_15_minutes_three_times() -> None:
    due = [reminder_due(NOON, Urgency.SEGERA, done) for done in range(4)]
    assert due == [NOON, NOON + timedelta(minutes=15), NOON + timedelta(minutes=30), None]


@pytest.mark.parametrize(
    ("urgency", "done", "minutes_after", "round_"),
    [
        (Urgency.SEGERA, 0, 0, 1),  # on time: the next round
        (Urgency.SEGERA, 0, 14, 1),
        (Urgency.SEGERA, 0, 15, 2),  # round 1 missed: round 2 only
        (Urgency.SEGERA, 0, 120, 3),  # all missed: the last only
        (Urgency.SEGERA, 1, 29, 2),
        (Urgency.SEGERA, 2, 600, 3),
        (Urgency.BIASA, 0, 600, 1),
    ],
)
def test_missed_rounds_jump_to_the_latest_due(
    urgency: Urgency, done: int, minutes_after: int, round_: int
) -> None:
    assert round_to_run(NOON, urgency, done, NOON + timedelta(minutes=minutes_after)) == round_


def test_lateness_is_after_the_deadline() -> None:
    assert not is_late(NOON, NOON)
    assert is_late(NOON + timedelta(seconds=1), NOON)
    assert not is_late(NOON - timedelta(minutes=1), NOON)


@pytest.mark.parametrize(
    ("state", "confirmed", "late", "status"),
    [
        (DeliveryState.PENDING, False, False, RecipientStatus.MENUNGGU),
        (DeliveryState.DELIVERED, False, False, RecipientStatus.BELUM),
        (DeliveryState.DELIVERED, True, False, RecipientStatus.DIPAHAMI),
        (DeliveryState.DELIVERED, True, True, RecipientStatus.TERLAMBAT),
        (DeliveryState.UNREACHABLE, False, False, RecipientStatus.TIDAK_TERKIRIM),
    ],
)
def test_recipient_status(
    state: DeliveryState, confirmed: bool, late: bool, status: RecipientStatus
) -> None:
    assert recipient_status(state, confirmed, late) is status


def test_the_tally_of_the_issue() -> None:
    tally = Tally(total=54, unreachable=2, confirmed=41)
    assert (tally.unconfirmed, tally.delivered, tally.complete) == (11, 52, False)
    assert tally_parts(tally) == [
        (TallyPart.DIPAHAMI, 41),
        (TallyPart.BELUM, 11),
        (TallyPart.TIDAK_TERKIRIM, 2),
    ]


def test_a_tally_shows_lateness_and_copies_on_their_way_only_when_there_are_any() -> None:
    assert tally_parts(Tally(total=3)) == [(TallyPart.DIPAHAMI, 0), (TallyPart.BELUM, 3)]
    assert tally_parts(Tally(total=10, waiting=4, confirmed=3, late=1)) == [
        (TallyPart.DIPAHAMI, 3),
        (TallyPart.TERLAMBAT, 1),
        (TallyPart.BELUM, 3),
        (TallyPart.DIKIRIM, 4),
    ]
    assert Tally(total=2, confirmed=2).complete


@given(
    st.integers(0, 50), st.integers(0, 50), st.integers(0, 50), st.integers(0, 50),
    st.integers(0, 50),
)  # fmt: skip
def test_a_tally_adds_up(
    waiting: int, unreachable: int, belum: int, on_time: int, late: int
) -> None:
    total = waiting + unreachable + belum + on_time + late
    tally = Tally(total, waiting, unreachable, on_time + late, late)
    parts = dict(tally_parts(tally))
    shown = parts[TallyPart.DIPAHAMI] + parts[TallyPart.BELUM]
    shown += parts.get(TallyPart.DIKIRIM, 0) + parts.get(TallyPart.TIDAK_TERKIRIM, 0)
    assert shown == total
    assert all(count > 0 for part, count in parts.items()
               if part not in (TallyPart.DIPAHAMI, TallyPart.BELUM))  # fmt: skip


def test_non_confirmers_by_kecamatan_then_jabatan() -> None:
    def who(name: str, role: Role, place: str) -> Unconfirmed:
        return Unconfirmed(name, role, place, RecipientStatus.BELUM)

    people = [
        who("Zul", DANRAMIL, "Telen"),
        who("Ani", DANRAMIL, "Telen"),
        who("Budi", CAMAT, "Telen"),
        who("Eko", KAPOLSEK, "Batu Ampar"),
        who("Lain", CAMAT, "Tempat Lama"),  # renamed away since: listed after the region
    ]
    grouped = by_kecamatan_and_role(people, REGION.kecamatan)
    assert [
        (place, [(r, [p.name for p in ps]) for r, ps in roles]) for place, roles in grouped
    ] == [
        ("Batu Ampar", [(KAPOLSEK, ["Eko"])]),
        ("Telen", [(CAMAT, ["Budi"]), (DANRAMIL, ["Ani", "Zul"])]),
        ("Tempat Lama", [(CAMAT, ["Lain"])]),
    ]
