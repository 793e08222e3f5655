"""The district and its kecamatan, parsed from the JSON of a region file."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

_NON_ALNUM = re.compile(r"[\W_]+")


class RegionFileError(Exception):
    """The region file is unreadable or does not have the expected shape."""


def normalize_name(text: str) -> str:
    """Reduces a place name to a comparison key: lower case, letters and digits only."""
    return _NON_ALNUM.sub("", text.casefold())


@dataclass(frozen=True)
class Region:
    """A district (kabupaten) and the ordered names of its kecamatan."""

    district: str
    kecamatan: tuple[str, ...]

    def find(self, text: str) -> str | None:
        """Returns the canonical kecamatan name matching `text` ignoring case and spacing."""
        key = normalize_name(text)
        if not key:
            return None
        for name in self.kecamatan:
            if normalize_name(name) == key:
                return name
        return None

    @classmethod
    def from_json(cls, text: str) -> Region:
        """Parses `{"district": str, "kecamatan": [str, ...]}`."""
        try:
            data = json.loads(text)
            district = data["district"]
            names = data["kecamatan"]
        except (ValueError, KeyError, TypeError) as exc:
            raise RegionFileError(f"expected district and kecamatan list: {exc}") from None
        if not isinstance(district, str) or not district.strip():
            raise RegionFileError("district must be a non-empty string")
        if (
            not isinstance(names, list)
            or not names
            or not all(isinstance(n, str) and normalize_name(n) for n in names)
        ):
            raise RegionFileError("kecamatan must be a non-empty list of names")
        keys = [normalize_name(n) for n in names]
        if len(set(keys)) != len(keys):
            raise RegionFileError("kecamatan names must be distinct")
        return cls(district.strip(), tuple(n.strip() for n in names))
