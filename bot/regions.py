"""Loads the region file: the bundled Kutai Timur list or the one REGION_FILE names."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from domain.regions import Region, RegionFileError


def load_region(path: Path | None = None) -> Region:
    """Loads `path`, or the bundled Kutai Timur list when `path` is None."""
    if path is None:
        text = resources.files("bot").joinpath("regions/kutai_timur.json").read_text("utf-8")
    else:
        try:
            text = path.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise RegionFileError(str(exc)) from None
    return Region.from_json(text)
