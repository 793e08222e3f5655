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
        return self >= ESCALATES_FROM

    @classmethod
    def parse(cls, text: str) -> Level | None:
        """Returns the level named by `text` (case-insensitive), or None."""
        try:
            return cls[text.strip().upper()]
        except KeyError:
            return None


class Role(StrEnum):
    """What a registered person is: a field officer role, koordinator or admin."""

    CAMAT = "camat"
    KAPOLSEK = "kapolsek"
    DANRAMIL = "danramil"
    KOORDINATOR = "koordinator"
    ADMIN = "admin"

    @property
    def is_field(self) -> bool:
        """Whether this is a Forkopimcam role, bound to a kecamatan, that files reports."""
        return self in FIELD_ROLES

    @classmethod
    def parse(cls, text: str) -> Role | None:
        """Returns the role named by `text` (case-insensitive), or None."""
        try:
            return cls(text.strip().casefold())
        except ValueError:
            return None


FIELD_ROLES = (Role.CAMAT, Role.KAPOLSEK, Role.DANRAMIL)
# The rules of attention, written once (storage passes them to SQL as parameters).
ESCALATES_FROM = Level.RAWAN  # Rawan and Darurat go to the coordination group at once
NOTABLE_FROM = Level.WASPADA  # Waspada and worse are listed in the digest


# The dialog (draft flow) of /daftar: the way in for people outside the registry.
REGISTRATION_FLOW = "daftar"


class MemberState(StrEnum):
    """Lifecycle of a registry entry."""

    PENDING = "pending"
    ACTIVE = "active"
    INACTIVE = "inactive"
    REJECTED = "rejected"


class Category(StrEnum):
    """What a report is about (stored by these stable keys)."""

    KAMTIBMAS = "kamtibmas"
    LOGISTIK = "logistik"
    NETRALITAS = "netralitas"
    POLITIK_UANG = "politik_uang"
    HOAKS_SARA = "hoaks_sara"
    KAMPANYE_APK = "kampanye_apk"
    BENCANA_CUACA = "bencana_cuaca"
    LAINNYA = "lainnya"
