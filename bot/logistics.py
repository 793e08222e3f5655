"""Loads the logistics file: the bundled default chain or the one LOGISTICS_FILE names."""

from __future__ import annotations

from datetime import tzinfo
from importlib import resources
from pathlib import Path

from domain.logistics import LogisticsFileError, LogisticsPlan
from domain.regions import Region


def load_plan(path: Path | None, region: Region, tz: tzinfo) -> LogisticsPlan:
    """Loads `path`, or the bundled five-stage chain (no TPS counts, no deadlines) when None.

    Kecamatan names are matched against `region`; deadlines are local times in `tz`.
    """
    if path is None:
        text = resources.files("bot").joinpath("regions/logistik.json").read_text("utf-8")
    else:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise LogisticsFileError(str(exc)) from None
    return LogisticsPlan.from_json(text, region, tz)
