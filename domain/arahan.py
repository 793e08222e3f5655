"""Arahan: instructions down to the officers, and the rules of their confirmations.

Pure: who an arahan is for (the sasaran), the one-line form, when reminders are due, whether a
confirmation is late, and what a tally shows. Storage and the bot runtime build on these.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from domain.enums import FIELD_ROLES, Role
from domain.parsing import is_blank, utf16_len
from domain.regions import Region, normalize_name

MAX_ARAHAN_TEXT = 3000
MAX_ANSWER_TEXT = 3000
# Answers one recipient may give to one arahan: each is relayed to the sender and possibly the
# coordination group, which must not be flooded (the group takes 20 messages a minute).
MAX_ANSWERS = 3
DEFAULT_DEADLINE_MINUTES = 60
MAX_DEADLINE_MINUTES = 24 * 60
DEADLINE_CHOICES = (15, 30, 60, 120)
# Segera: reminded at the deadline and then every 15 minutes, 3 reminders in all.
REMINDER_EVERY = timedelta(minutes=15)
# The list of who still has not confirmed goes to the sender this long after the last
# reminder: time for those just reminded to press ✅ Dipahami.
FINAL_LIST_AFTER = timedelta(minutes=15)

_SEPARATOR = re.compile(r"\s*(?:,|;|/|\+|&|\bdan\b)\s*", re.IGNORECASE)
_ROLE_WORDS = {role.value: role for role in FIELD_ROLES}
# Words that say nothing about who: "semua danramil di kecamatan Bengalon".
_FILLER = frozenset({"semua", "seluruh", "para", "petugas", "kecamatan", "kec", "di", "se"})
_MINUTES = re.compile(r"(\d{1,5})\s*(?:m|mnt|menit)?", re.IGNORECASE)


class Urgency(StrEnum):
    """How hard an arahan chases those who have not confirmed."""

    BIASA = "biasa"
    SEGERA = "segera"

    @property
    def reminders(self) -> int:
        """Reminder rounds: once at the deadline; Segera every 15 minutes, 3 times."""
        return 3 if self is Urgency.SEGERA else 1


class DeliveryState(StrEnum):
    """Where one recipient's copy is."""

    PENDING = "pending"  # recorded, not yet taken by Telegram
    DELIVERED = "delivered"
    UNREACHABLE = "unreachable"  # blocked the bot or never opened it: a state, not an error


class RecipientStatus(StrEnum):
    """What the sender sees for one recipient."""

    MENUNGGU = "menunggu"  # still being sent
    BELUM = "belum"  # delivered, not confirmed
    DIPAHAMI = "dipahami"
    TERLAMBAT = "terlambat"  # confirmed after the deadline
    TIDAK_TERKIRIM = "tidak_terkirim"


def recipient_status(state: DeliveryState, confirmed: bool, late: bool) -> RecipientStatus:
    """One recipient's status from its delivery state and confirmation."""
    if confirmed:
        return RecipientStatus.TERLAMBAT if late else RecipientStatus.DIPAHAMI
    return {
        DeliveryState.PENDING: RecipientStatus.MENUNGGU,
        DeliveryState.DELIVERED: RecipientStatus.BELUM,
        DeliveryState.UNREACHABLE: RecipientStatus.TIDAK_TERKIRIM,
    }[state]


def is_late(confirmed_at: datetime, deadline_at: datetime) -> bool:
    """A confirmation after the deadline is late (at the deadline itself it is not)."""
    return confirmed_at > deadline_at


def reminder_due(deadline_at: datetime, urgency: Urgency, done: int) -> datetime | None:
    """When reminder round `done + 1` is due; None when every round is done."""
    if done >= urgency.reminders:
        return None
    return deadline_at + REMINDER_EVERY * done


def round_to_run(deadline_at: datetime, urgency: Urgency, done: int, now: datetime) -> int:
    """The reminder round to run at `now` after round `done`: the latest one due, so rounds
    missed while the bot was down are skipped rather than sent in a burst (at least the next
    one: the caller runs a round only once it is due)."""
    latest = done + 1
    while latest < urgency.reminders:
        due = reminder_due(deadline_at, urgency, latest)
        if due is None or due > now:
            break
        latest += 1
    return latest


# --- the sasaran ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Audience:
    """Who an arahan is for: field officers of these jabatan in these kecamatan.

    Empty `roles` means every jabatan, empty `kecamatan` every kecamatan. Both are kept in a
    canonical order (FIELD_ROLES; the region's order), so equal audiences compare equal.
    """

    roles: tuple[Role, ...] = ()
    kecamatan: tuple[str, ...] = ()

    @classmethod
    def of(cls, roles: Iterable[Role], kecamatan: Iterable[str], region: Region) -> Audience:
        """The audience of these jabatan and kecamatan, in canonical order."""
        chosen_roles = set(roles)
        if not chosen_roles <= set(FIELD_ROLES):
            raise ValueError("an arahan goes to field officers only")
        chosen = set(kecamatan)
        unknown = chosen - set(region.kecamatan)
        if unknown:
            raise ValueError(f"unknown kecamatan {sorted(unknown)}")
        # Naming every jabatan (or every kecamatan) is the same as naming none.
        if chosen_roles == set(FIELD_ROLES):
            chosen_roles = set()
        if chosen == set(region.kecamatan):
            chosen = set()
        return cls(
            tuple(r for r in FIELD_ROLES if r in chosen_roles),
            tuple(k for k in region.kecamatan if k in chosen),
        )

    @property
    def everyone(self) -> bool:
        """Every field officer of the district."""
        return not self.roles and not self.kecamatan

    def covers(self, role: Role, kecamatan: str | None) -> bool:
        """Whether an officer of this jabatan and kecamatan is in the audience."""
        if not role.is_field:
            return False
        if self.roles and role not in self.roles:
            return False
        return not self.kecamatan or kecamatan in self.kecamatan

    def to_json(self) -> str:
        """The stored form."""
        return json.dumps({"roles": [r.value for r in self.roles], "kecamatan": self.kecamatan})

    @classmethod
    def from_json(cls, text: str) -> Audience:
        """Reads the stored form (written by `to_json`)."""
        data = json.loads(text)
        return cls(tuple(Role(r) for r in data["roles"]), tuple(data["kecamatan"]))

    def as_args(self) -> str:
        """The sasaran in the one-line syntax, e.g. "danramil Bengalon, Batu Ampar"."""
        if self.everyone:
            return "semua"
        roles = " dan ".join(r.value for r in self.roles)
        places = ", ".join(self.kecamatan)
        return f"{roles} {places}".strip()


class AudienceError(StrEnum):
    """Why a sasaran could not be read."""

    EMPTY = "empty"
    UNKNOWN = "unknown"  # a word that is neither a jabatan nor a kecamatan


class AudienceInvalid(ValueError):
    """A sasaran that names no one the bot knows."""

    def __init__(self, reason: AudienceError, detail: str = "") -> None:
        super().__init__(f"{reason.value}: {detail}")
        self.reason = reason
        self.detail = detail


def parse_audience(text: str, region: Region) -> Audience:
    """Reads a sasaran: `semua`, jabatan, kecamatan (comma-separated), or jabatan + kecamatan.

    E.g. "semua", "danramil", "Bengalon, Batu Ampar", "danramil Bengalon, Batu Ampar",
    "camat dan kapolsek Telen". Case, spacing and filler words ("semua", "di", "kecamatan")
    do not matter; a piece that is neither a jabatan nor a kecamatan is refused, naming it.
    """
    if is_blank(text):
        raise AudienceInvalid(AudienceError.EMPTY)
    roles: set[Role] = set()
    places: set[str] = set()
    for item in _SEPARATOR.split(" ".join(text.split())):
        if not item.strip():
            continue
        place = region.find(item)
        if place is not None:
            places.add(place)
            continue
        words = item.split()
        while words and _peel(words[0], roles):
            words.pop(0)
        while words and _peel(words[-1], roles):
            words.pop()
        if not words:
            continue
        place = region.find(" ".join(words))
        if place is None:
            raise AudienceInvalid(AudienceError.UNKNOWN, " ".join(words))
        places.add(place)
    return Audience.of(roles, places, region)


def _peel(word: str, roles: set[Role]) -> bool:
    """Takes a jabatan or filler word (adding the jabatan to `roles`); False for others."""
    key = normalize_name(word)
    role = _ROLE_WORDS.get(key)
    if role is not None:
        roles.add(role)
        return True
    return key in _FILLER


class LineError(StrEnum):
    """Why a one-line arahan could not be read."""

    NO_SEPARATOR = "no_separator"
    NO_TEXT = "no_text"
    TOO_LONG = "too_long"


class LineInvalid(ValueError):
    """`/arahan <sasaran> | <teks>` is malformed."""

    def __init__(self, reason: LineError) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class ArahanLine:
    """`/arahan <sasaran> | <teks>`."""

    audience: Audience
    text: str


def parse_arahan_line(args: str, region: Region) -> ArahanLine:
    """Reads the one-line form; raises LineInvalid, or AudienceInvalid for the sasaran."""
    sasaran, bar, text = args.partition("|")
    if not bar:
        raise LineInvalid(LineError.NO_SEPARATOR)
    text = text.strip()
    if is_blank(text):
        raise LineInvalid(LineError.NO_TEXT)
    if utf16_len(text) > MAX_ARAHAN_TEXT:
        raise LineInvalid(LineError.TOO_LONG)
    return ArahanLine(parse_audience(sasaran, region), text)


def parse_minutes(text: str) -> int | None:
    """A confirmation deadline in whole minutes ("30", "30 menit"), 1 to 24 hours; else None."""
    match = _MINUTES.fullmatch(text.strip())
    if match is None:
        return None
    minutes = int(match[1])
    return minutes if 1 <= minutes <= MAX_DEADLINE_MINUTES else None


# --- the tally --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Tally:
    """Counts of one arahan's recipients."""

    total: int
    waiting: int = 0  # not yet taken by Telegram (the round is under way)
    unreachable: int = 0
    confirmed: int = 0  # late ones included
    late: int = 0

    @property
    def unconfirmed(self) -> int:
        """Delivered and not (yet) confirmed: "belum"."""
        return self.total - self.waiting - self.unreachable - self.confirmed

    @property
    def delivered(self) -> int:
        """Copies Telegram took."""
        return self.total - self.waiting - self.unreachable

    @property
    def complete(self) -> bool:
        """Everyone confirmed."""
        return self.confirmed == self.total


class TallyPart(StrEnum):
    """The pieces of a tally line, in the order shown."""

    DIPAHAMI = "dipahami"  # always, as "confirmed/total"
    TERLAMBAT = "terlambat"  # of those confirmed, when any were late
    BELUM = "belum"  # always
    DIKIRIM = "dikirim"  # while copies are still on their way
    TIDAK_TERKIRIM = "tidak_terkirim"  # when anyone is unreachable


def tally_parts(tally: Tally) -> list[tuple[TallyPart, int]]:
    """What a tally line shows: the confirmed and belum counts always, the rest when not 0."""
    parts = [(TallyPart.DIPAHAMI, tally.confirmed)]
    if tally.late:
        parts.append((TallyPart.TERLAMBAT, tally.late))
    parts.append((TallyPart.BELUM, tally.unconfirmed))
    if tally.waiting:
        parts.append((TallyPart.DIKIRIM, tally.waiting))
    if tally.unreachable:
        parts.append((TallyPart.TIDAK_TERKIRIM, tally.unreachable))
    return parts


@dataclass(frozen=True)
class Unconfirmed:
    """A recipient who has not confirmed (yet), as the sender's list shows them."""

    name: str
    role: Role
    kecamatan: str
    status: RecipientStatus
    active: bool = True  # False: deactivated since, so they can no longer confirm


def by_kecamatan_and_role(
    people: Iterable[Unconfirmed], order: Sequence[str]
) -> list[tuple[str, list[tuple[Role, list[Unconfirmed]]]]]:
    """Groups people by kecamatan (region order, others after it by name), then by jabatan
    (Camat, Kapolsek, Danramil), names sorted within."""
    grouped: dict[str, dict[Role, list[Unconfirmed]]] = defaultdict(lambda: defaultdict(list))
    for person in people:
        grouped[person.kecamatan][person.role].append(person)
    rank = {name: i for i, name in enumerate(order)}
    places = sorted(grouped, key=lambda k: (rank.get(k, len(rank)), k))
    return [
        (
            place,
            [
                (role, sorted(grouped[place][role], key=lambda p: p.name.casefold()))
                for role in FIELD_ROLES
                if grouped[place].get(role)
            ],
        )
        for place in places
    ]


@dataclass(frozen=True)
class ArahanShort:
    """An arahan as the digest lists it: still short of full confirmation."""

    number: int
    created_at: datetime
    audience: Audience
    tally: Tally
