from datetime import UTC, datetime, timedelta

from domain.enums import Level
from domain.incidents import Incident, IncidentState, condition, opens_incident, worst_first

T0 = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)


def test_condition_is_the_worst_open_incident() -> None:
    assert condition([Level.WASPADA, Level.RAWAN], 5, Level.AMAN) is Level.RAWAN


def test_condition_without_open_incidents_is_the_latest_unresolved_report() -> None:
    assert condition([], 3, Level.WASPADA) is Level.WASPADA
    assert condition([], 3, Level.AMAN) is Level.AMAN


def test_only_resolved_reports_today_count_as_reported_and_aman() -> None:
    assert condition([], 2, None) is Level.AMAN


def test_nothing_today_is_belum_lapor() -> None:
    assert condition([], 0, None) is None
    assert condition([Level.WASPADA], 0, None) is Level.WASPADA


def test_waspada_and_worse_open_incidents() -> None:
    assert [opens_incident(level) for level in Level] == [False, True, True, True]


def _incident(number: int, level: Level, minutes: int) -> Incident:
    at = T0 + timedelta(minutes=minutes)
    return Incident(number, "Telen", level, None, 1, IncidentState.BARU, at, at)


def test_worst_first_then_oldest() -> None:
    ordered = worst_first(
        [
            _incident(1, Level.WASPADA, 0),
            _incident(2, Level.DARURAT, 30),
            _incident(3, Level.DARURAT, 10),
            _incident(4, Level.RAWAN, 5),
        ]
    )
    assert [i.number for i in ordered] == [3, 2, 4, 1]


def test_an_update_may_start_with_a_new_level() -> None:
    from domain.incidents import split_update

    assert split_update("rawan massa bertambah") == (Level.RAWAN, "massa bertambah")
    assert split_update("  Darurat  ada korban ") == (Level.DARURAT, "ada korban")
    assert split_update("massa mulai bubar") == (None, "massa mulai bubar")
    assert split_update("rawan") == (None, "rawan"), "a level alone is the text"
    assert split_update("aman sekarang") == (None, "aman sekarang"), "close it with /selesai"
