"""Time to take up and time to resolve (domain.kinerja), and how /kinerja writes durations."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.texts.common import duration
from domain.enums import Level
from domain.incidents import Incident, IncidentState
from domain.kinerja import (
    Spread,
    closed_by_migration,
    kinerja,
    performance,
    resolve_seconds,
    take_up_seconds,
)

T0 = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)


def incident(
    number: int,
    *,
    kecamatan: str = "Telen",
    level: Level = Level.RAWAN,
    taken: float | None = None,
    closed: float | None = None,
    closed_by: int | None = 7,
    state: IncidentState | None = None,
) -> Incident:
    """An incident opened at T0 + number minutes; `taken` and `closed` are minutes after."""
    opened = T0 + timedelta(minutes=number)
    taken_at = opened + timedelta(minutes=taken) if taken is not None else None
    closed_at = opened + timedelta(minutes=closed) if closed is not None else None
    if state is None:
        state = (
            IncidentState.SELESAI
            if closed is not None
            else IncidentState.DITANGANI
            if taken is not None
            else IncidentState.BARU
        )
    return Incident(
        number, kecamatan, level, None, 1, state, opened, opened,
        taken_by=9 if taken is not None else None, taken_at=taken_at,
        closed_by=closed_by if closed is not None else None, closed_at=closed_at,
        closing_note="selesai" if closed is not None else None,
    )  # fmt: skip


def test_times_run_from_the_opening() -> None:
    done = incident(1, taken=12, closed=45)
    assert take_up_seconds(done) == 12 * 60
    assert resolve_seconds(done) == 45 * 60
    fresh = incident(2)
    assert (take_up_seconds(fresh), resolve_seconds(fresh)) == (None, None)


def test_the_upgrades_closing_is_no_resolution() -> None:
    migrated = incident(1, taken=3, closed=60 * 24 * 30, closed_by=None)
    assert closed_by_migration(migrated)
    assert resolve_seconds(migrated) is None
    assert take_up_seconds(migrated) == 180, "its acknowledgement was a real take-up"
    assert not closed_by_migration(incident(2, closed=5))
    assert not closed_by_migration(incident(3))


def test_figures_of_a_period() -> None:
    figures = performance(
        [
            incident(1, taken=10, closed=60),
            incident(2, taken=20, closed=120),
            incident(3, taken=40),
            incident(4, level=Level.DARURAT),  # waiting to be taken up
            incident(5, level=Level.WASPADA),  # never posted: not waiting
            incident(6, closed=10_000, closed_by=None),
        ]
    )
    assert (figures.opened, figures.taken_up, figures.resolved, figures.migrated) == (6, 3, 2, 1)
    assert (figures.still_open, figures.waiting) == (3, 1)
    assert figures.take_up == Spread(3, 20 * 60, 40 * 60)
    assert figures.resolve == Spread(2, 90 * 60, 120 * 60), "median of an even count"


def test_per_kecamatan_most_incidents_first() -> None:
    report = kinerja(
        [
            incident(1, kecamatan="Telen"),
            incident(2, kecamatan="Busang", closed=30),
            incident(3, kecamatan="Telen", closed=90),
            incident(4, kecamatan="Bengalon"),
        ]
    )
    assert [name for name, _ in report.kecamatan] == ["Telen", "Bengalon", "Busang"]
    assert report.overall.resolve == Spread(2, 60 * 60, 90 * 60)
    assert kinerja([]).overall.take_up is None


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (0, "kurang dari 1 menit"),
        (59.9, "kurang dari 1 menit"),
        (60, "1 menit"),
        (12 * 60 + 30, "12 menit"),
        (3600, "1 jam"),
        (3600 + 25 * 60, "1 jam 25 menit"),
        (24 * 3600, "1 hari"),
        (2 * 86400 + 3 * 3600 + 59 * 60, "2 hari 3 jam"),
    ],
)
def test_durations_read_as_the_other_texts(seconds: float, text: str) -> None:
    assert duration(timedelta(seconds=seconds)) == text


@st.composite
def incidents(draw: st.DrawFn) -> list[Incident]:
    found = []
    for number in range(1, draw(st.integers(0, 25)) + 1):
        taken = draw(st.none() | st.floats(0, 5000))
        closed = draw(st.none() | st.floats(0, 50_000))
        found.append(
            incident(
                number,
                kecamatan=draw(st.sampled_from(["Telen", "Busang", "Kaubun"])),
                level=draw(st.sampled_from(list(Level)[1:])),
                taken=taken,
                closed=closed,
                closed_by=draw(st.sampled_from([7, None])),
            )
        )
    return found


@given(incidents())
def test_the_figures_add_up(items: list[Incident]) -> None:
    report = kinerja(items)
    overall = report.overall
    assert overall.opened == len(items)
    assert overall.opened == overall.resolved + overall.migrated + overall.still_open
    assert overall.waiting <= overall.still_open
    assert overall.taken_up <= overall.opened
    for field in ("opened", "taken_up", "resolved", "migrated", "still_open", "waiting"):
        assert getattr(overall, field) == sum(getattr(f, field) for _, f in report.kecamatan)
    counts = [figures.opened for _, figures in report.kecamatan]
    assert counts == sorted(counts, reverse=True)
    for attr in ("take_up", "resolve"):
        spread: Spread | None = getattr(overall, attr)
        parts = [s for _, f in report.kecamatan if (s := getattr(f, attr)) is not None]
        if spread is None:
            assert parts == []
            continue
        assert spread.count == sum(s.count for s in parts)
        assert spread.worst == max(s.worst for s in parts)
        assert min(s.median for s in parts) <= spread.median <= spread.worst
