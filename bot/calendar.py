"""Loads the calendar file: the bundled Pilkada 2024 calendar or the one CALENDAR_FILE names."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from domain.calendar import Calendar, CalendarInvalid, Finding, Problem, parse_calendar

BUNDLED = "regions/pilkada_2024.json"


def load_calendar(path: Path | None) -> Calendar:
    """Loads `path`, or the bundled Pilkada 2024 calendar (PKPU 2/2024) when `path` is None;
    raises CalendarInvalid listing every problem."""
    if path is None:
        text = resources.files("bot").joinpath(BUNDLED).read_text("utf-8")
    else:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CalendarInvalid([Finding(Problem.UNREADABLE, None, str(exc))]) from None
    return parse_calendar(text)
