"""Core vocabulary of Posko: condition levels and officer roles."""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Level(IntEnum):
    """Condition level of a report; the integer order is the severity order."""

    AMAN = 0
    WASPADA = 1
    RAWAN = 2
    DARURAT = 3

    @property
    def escalates(self) -> bool:
        """Whether a report at this level goes to the coordination group at once."""
        return self >= Level.RAWAN

    @classmethod
    def parse(cls, text: str) -> Level | None:
        """Returns the level named by `text` (case-insensitive), or None."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            return None


class Role(StrEnum):
    """Role of a field officer within the Forkopimcam trio."""

    CAMAT = "camat"
    KAPOLSEK = "kapolsek"
    DANRAMIL = "danramil"

    @classmethod
    def parse(cls, text: str) -> Role | None:
        """Returns the role named by `text` (case-insensitive), or None."""
        try:
            return cls(text.strip().casefold())
        except ValueError:
            return None


class OfficerState(StrEnum):
    """Lifecycle of an officer record."""

    ACTIVE = "active"
    PENDING = "pending"
    INACTIVE = "inactive"
