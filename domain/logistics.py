"""Election logistics: the chain of stages ("tahap logistik") each kecamatan goes through, their
planned deadlines, the officers' confirmations, and which stages are due or late.

Pure: storage reads the rows, this module folds them into a `Board` that the officer view, the
coordination grid, the digest, the late announcements and the export all read.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum

from domain.enums import Level, Role
from domain.parsing import EARLIEST_DAY, DayInvalid, is_blank, parse_day, parse_time_of_day
from domain.regions import Region

# The digest lists a stage from this long before its deadline (and while it is late).
DUE_HORIZON = timedelta(hours=48)
MAX_STAGES = 10
MAX_STAGE_NAME = 60
MAX_TPS = 10_000
MAX_REASON = 500
# "semua" in `/logistik rencana`: every kecamatan.
ALL_WORD = "semua"
CLEAR_WORD = "hapus"
_STAGE_KEY = re.compile(r"^[a-z0-9_]{1,24}$")
_COUNT = re.compile(
    r"^\s*([0-9]{1,6})\s*(?:(?:dari|/)\s*([0-9]{1,6}))?\s*(?:tps)?\s*$", re.IGNORECASE
)
# Longest kecamatan name in words that a command may name before the rest of its arguments.
_MAX_NAME_WORDS = 4
# Longest typed date in words: "Rabu, 27 November 2024", as the bot writes dates.
_MAX_DATE_WORDS = 4
# The strict date shapes of the logistics file's "at" (day first as Indonesians write, or ISO).
_FILE_DATE_FORMATS = ("%d-%m-%Y", "%d/%m/%Y", "%d.%m.%Y", "%Y-%m-%d")
_LATEST_FILE_YEAR = 2100


class LogisticsFileError(Exception):
    """The logistics file is unreadable or does not have the expected shape."""


@dataclass(frozen=True)
class Stage:
    """One stage of the chain: its position (1-based), stable key, name and whether officers
    give a count of TPS with it."""

    number: int
    key: str
    name: str
    counted: bool = False


class StageState(StrEnum):
    """Where one stage of one kecamatan stands."""

    DONE = "done"  # confirmed by at least one officer (not withdrawn)
    LATE = "late"  # not confirmed and its deadline has passed
    DUE = "due"  # not confirmed, deadline ahead
    WAITING = "waiting"  # not confirmed, no deadline planned


@dataclass(frozen=True)
class TpsCount:
    """ "12 dari 14 TPS": how many polling stations a confirmation covers, of how many."""

    done: int
    total: int | None = None


@dataclass(frozen=True)
class Confirmation:
    """An officer's "✅ Sudah" for a stage of their kecamatan; withdrawn ones stay as history."""

    id: int
    kecamatan: str
    stage: str
    officer_id: int
    officer_name: str
    role: Role
    at: datetime
    count: TpsCount | None = None
    photo_file_id: str | None = None
    withdrawn_at: datetime | None = None
    withdrawn_by: int | None = None
    withdrawn_by_name: str | None = None
    withdraw_reason: str | None = None

    @property
    def standing(self) -> bool:
        """Whether it still counts (not withdrawn)."""
        return self.withdrawn_at is None


@dataclass(frozen=True)
class NewConfirmation:
    """A confirmation about to be stored, with the Telegram message it came from."""

    kecamatan: str
    stage: str
    officer_id: int
    officer_name: str
    role: Role
    at: datetime
    source: tuple[int, int]  # (chat id, message id): a replayed message is stored once
    count: TpsCount | None = None
    photo: tuple[str, str] | None = None  # (file id, file unique id)


class ConfirmOutcome(StrEnum):
    """What storing a confirmation did."""

    STORED = "stored"
    REPLAYED = "replayed"  # the same message was stored before (a replayed update)
    ALREADY = "already"  # the officer's standing confirmation of the stage was there before


@dataclass(frozen=True)
class Kendala:
    """A problem reported on a stage: a Logistik report and the incident it opened."""

    report: int  # also the incident's number
    kecamatan: str
    stage: str
    level: Level
    is_open: bool
    at: datetime


@dataclass(frozen=True)
class StageStatus:
    """One stage of one kecamatan: its state, deadline, confirmations and kendala."""

    kecamatan: str
    stage: Stage
    state: StageState
    deadline: datetime | None = None
    confirmations: tuple[Confirmation, ...] = ()  # standing ones, oldest first
    kendala: tuple[Kendala, ...] = ()  # every kendala of the stage, oldest first

    @property
    def first(self) -> Confirmation | None:
        """The confirmation that made it ✅ (the oldest standing one)."""
        return self.confirmations[0] if self.confirmations else None

    @property
    def corroborations(self) -> tuple[Confirmation, ...]:
        """Confirmations by other officers after the first."""
        return self.confirmations[1:]

    @property
    def open_kendala(self) -> tuple[Kendala, ...]:
        """Kendala whose incident is still open."""
        return tuple(k for k in self.kendala if k.is_open)

    def confirmed_by(self, officer_id: int) -> Confirmation | None:
        """This officer's standing confirmation of the stage, if any."""
        return next((c for c in self.confirmations if c.officer_id == officer_id), None)


@dataclass(frozen=True)
class Chain:
    """Every stage of one kecamatan, in order."""

    kecamatan: str
    tps: int | None
    stages: tuple[StageStatus, ...]

    @property
    def next(self) -> StageStatus | None:
        """The first stage not yet confirmed (None: all done)."""
        return next((s for s in self.stages if s.state is not StageState.DONE), None)

    @property
    def late(self) -> tuple[StageStatus, ...]:
        """Its late stages."""
        return tuple(s for s in self.stages if s.state is StageState.LATE)

    @property
    def last_done(self) -> StageStatus | None:
        """The last confirmed stage."""
        done = [s for s in self.stages if s.state is StageState.DONE]
        return done[-1] if done else None

    def status(self, key: str) -> StageStatus | None:
        """The stage with this key."""
        return next((s for s in self.stages if s.stage.key == key), None)


@dataclass(frozen=True)
class Board:
    """Every kecamatan's chain at one moment, in region order."""

    at: datetime
    stages: tuple[Stage, ...]
    chains: tuple[Chain, ...]

    def chain(self, kecamatan: str) -> Chain | None:
        """The chain of one kecamatan."""
        return next((c for c in self.chains if c.kecamatan == kecamatan), None)

    def statuses(self) -> Iterator[StageStatus]:
        """Every stage of every kecamatan."""
        for chain in self.chains:
            yield from chain.stages

    def counts(self) -> dict[StageState, int]:
        """How many stages are in each state."""
        counts = dict.fromkeys(StageState, 0)
        for status in self.statuses():
            counts[status.state] += 1
        return counts

    def late_first(self) -> list[Chain]:
        """Kecamatan with late stages first (most first), then those with an open kendala, then
        the rest; region order within each."""
        order = {chain.kecamatan: i for i, chain in enumerate(self.chains)}
        return sorted(
            self.chains,
            key=lambda c: (
                -len(c.late),
                -sum(len(s.open_kendala) for s in c.stages),
                order[c.kecamatan],
            ),
        )


@dataclass(frozen=True)
class LogisticsPlan:
    """The stages, the number of TPS per kecamatan and the planned deadlines of the data file."""

    stages: tuple[Stage, ...]
    tps: Mapping[str, int] = field(default_factory=dict)
    # (stage key, kecamatan) -> deadline; admins' `/logistik rencana` overrides these.
    deadlines: Mapping[tuple[str, str], datetime] = field(default_factory=dict)

    def stage(self, number: int) -> Stage | None:
        """The stage at this position (1-based)."""
        return self.stages[number - 1] if 1 <= number <= len(self.stages) else None

    def by_key(self, key: str) -> Stage | None:
        """The stage with this key."""
        return next((s for s in self.stages if s.key == key), None)

    @classmethod
    def from_json(cls, text: str, region: Region, tz: tzinfo) -> LogisticsPlan:
        """Parses `{"stages": [{"key", "name", "count"?}], "tps"?: {kecamatan: n},
        "deadlines"?: [{"stage": n, "kecamatan": name or "semua", "at": "26-11-2024 18.00"}]}`."""
        try:
            data = json.loads(text)
            raw_stages = data["stages"]
        except (ValueError, KeyError, TypeError) as exc:
            raise LogisticsFileError(f"expected an object with a stages list: {exc}") from None
        if not isinstance(raw_stages, list) or not 1 <= len(raw_stages) <= MAX_STAGES:
            raise LogisticsFileError(f"stages must be a list of 1 to {MAX_STAGES} stages")
        stages = tuple(_stage_from(i, raw) for i, raw in enumerate(raw_stages, start=1))
        if len({s.key for s in stages}) != len(stages):
            raise LogisticsFileError("stage keys must be distinct")
        tps = _tps_from(data.get("tps", {}), region)
        plan = cls(stages, tps)
        deadlines = _deadlines_from(data.get("deadlines", []), plan, region, tz)
        return cls(stages, tps, deadlines)


def _stage_from(number: int, raw: object) -> Stage:
    if not isinstance(raw, dict):
        raise LogisticsFileError(f"stage {number} must be an object with key and name")
    key, name, counted = raw.get("key"), raw.get("name"), raw.get("count", False)
    if not isinstance(key, str) or not _STAGE_KEY.match(key):
        raise LogisticsFileError(f"stage {number}: key must be 1-24 of a-z, 0-9 and _")
    if not isinstance(name, str) or not name.strip() or len(name.strip()) > MAX_STAGE_NAME:
        raise LogisticsFileError(f"stage {number}: name must be 1-{MAX_STAGE_NAME} characters")
    if not isinstance(counted, bool):
        raise LogisticsFileError(f"stage {number}: count must be true or false")
    return Stage(number, key, " ".join(name.split()), counted)


def _tps_from(raw: object, region: Region) -> dict[str, int]:
    if not isinstance(raw, dict):
        raise LogisticsFileError("tps must map kecamatan names to numbers of TPS")
    tps: dict[str, int] = {}
    for name, count in raw.items():
        kecamatan = region.find(str(name))
        if kecamatan is None:
            raise LogisticsFileError(f"tps: {name!r} is not a kecamatan of {region.district}")
        if isinstance(count, bool) or not isinstance(count, int) or not 1 <= count <= MAX_TPS:
            raise LogisticsFileError(f"tps: {name!r} must have 1 to {MAX_TPS} TPS")
        tps[kecamatan] = count
    return tps


def _deadlines_from(
    raw: object, plan: LogisticsPlan, region: Region, tz: tzinfo
) -> dict[tuple[str, str], datetime]:
    if not isinstance(raw, list):
        raise LogisticsFileError("deadlines must be a list")
    deadlines: dict[tuple[str, str], datetime] = {}
    for index, entry in enumerate(raw, start=1):
        if not isinstance(entry, dict):
            raise LogisticsFileError(f"deadline {index} must be an object")
        number, place, at = entry.get("stage"), entry.get("kecamatan"), entry.get("at")
        stage = plan.stage(number) if isinstance(number, int) else None
        if stage is None:
            raise LogisticsFileError(f"deadline {index}: stage must be 1 to {len(plan.stages)}")
        if not isinstance(place, str):
            raise LogisticsFileError(f"deadline {index}: kecamatan must be a name or 'semua'")
        places = kecamatan_targets(place, region)
        if places is None:
            raise LogisticsFileError(f"deadline {index}: unknown kecamatan {place!r}")
        try:
            due = parse_file_deadline(str(at), tz)
        except ValueError:
            raise LogisticsFileError(
                f"deadline {index}: at must look like '26-11-2024 18.00'"
            ) from None
        for name in places:
            deadlines[(stage.key, name)] = due
    return deadlines


def kecamatan_targets(text: str, region: Region) -> tuple[str, ...] | None:
    """ "semua" -> every kecamatan; a name -> that one; None when it is neither."""
    if text.strip().casefold() == ALL_WORD:
        return region.kecamatan
    found = region.find(text)
    return (found,) if found is not None else None


# --- the board --------------------------------------------------------------------------------


def stage_state(confirmed: bool, deadline: datetime | None, now: datetime) -> StageState:
    """✅ when confirmed; otherwise ⚠️ once the deadline has passed, ⏳ before it, and waiting
    without one."""
    if confirmed:
        return StageState.DONE
    if deadline is None:
        return StageState.WAITING
    return StageState.LATE if now > deadline else StageState.DUE


def effective_deadlines(
    plan: LogisticsPlan, planned: Mapping[tuple[str, str], datetime | None]
) -> dict[tuple[str, str], datetime]:
    """The file's deadlines with the admins' over them (None: an admin cleared it)."""
    merged: dict[tuple[str, str], datetime | None] = {**plan.deadlines, **planned}
    return {key: due for key, due in merged.items() if due is not None}


def build_board(
    plan: LogisticsPlan,
    kecamatan: Sequence[str],
    planned: Mapping[tuple[str, str], datetime | None],
    confirmations: Iterable[Confirmation],
    kendala: Iterable[Kendala],
    now: datetime,
) -> Board:
    """Folds the stored rows into every kecamatan's chain as it stands at `now`."""
    deadlines = effective_deadlines(plan, planned)
    standing: dict[tuple[str, str], list[Confirmation]] = {}
    for confirmation in sorted(confirmations, key=lambda c: (c.at, c.id)):
        if confirmation.standing:
            standing.setdefault((confirmation.stage, confirmation.kecamatan), []).append(
                confirmation
            )
    problems: dict[tuple[str, str], list[Kendala]] = {}
    for item in sorted(kendala, key=lambda k: (k.at, k.report)):
        problems.setdefault((item.stage, item.kecamatan), []).append(item)
    chains = []
    for name in kecamatan:
        statuses = []
        for stage in plan.stages:
            key = (stage.key, name)
            done = tuple(standing.get(key, ()))
            deadline = deadlines.get(key)
            statuses.append(
                StageStatus(
                    kecamatan=name,
                    stage=stage,
                    state=stage_state(bool(done), deadline, now),
                    deadline=deadline,
                    confirmations=done,
                    kendala=tuple(problems.get(key, ())),
                )
            )
        chains.append(Chain(name, plan.tps.get(name), tuple(statuses)))
    return Board(now, plan.stages, tuple(chains))


class ConfirmCheck(StrEnum):
    """What a "✅ Sudah" from an officer would be."""

    CONFIRM = "confirm"  # the next stage: records it
    CORROBORATE = "corroborate"  # confirmed by another officer: recorded as corroboration
    ALREADY = "already"  # this officer confirmed it already
    OUT_OF_ORDER = "out_of_order"  # an earlier stage is not confirmed yet


def confirm_check(chain: Chain, key: str, officer_id: int) -> ConfirmCheck | None:
    """Whether `officer_id` may confirm stage `key` of the chain now (None: no such stage).

    Stages are confirmed in order: the next unconfirmed stage, or one that another officer of
    the kecamatan confirmed already (a corroboration).
    """
    status = chain.status(key)
    if status is None:
        return None
    if status.state is StageState.DONE:
        if status.confirmed_by(officer_id) is not None:
            return ConfirmCheck.ALREADY
        return ConfirmCheck.CORROBORATE
    following = chain.next
    if following is not None and following.stage.key != key:
        return ConfirmCheck.OUT_OF_ORDER
    return ConfirmCheck.CONFIRM


def corroboration_offer(chain: Chain, officer_id: int) -> StageStatus | None:
    """The last confirmed stage, when this officer has not confirmed it yet: the view offers
    to corroborate it."""
    last = chain.last_done
    if last is None or last.confirmed_by(officer_id) is not None:
        return None
    return last


@dataclass(frozen=True)
class LogisticsDue:
    """The digest's logistics section: the kecamatan behind, and counts for one line."""

    at: datetime
    behind: tuple[tuple[str, tuple[StageStatus, ...]], ...]  # kecamatan, its due/late stages
    late: int
    due_soon: int
    kecamatan_total: int


def is_pressing(status: StageStatus, now: datetime, horizon: timedelta = DUE_HORIZON) -> bool:
    """Late, or unconfirmed with its deadline within `horizon`."""
    if status.state is StageState.LATE:
        return True
    return (
        status.state is StageState.DUE
        and status.deadline is not None
        and status.deadline - now <= horizon
    )


def due_for_digest(board: Board, horizon: timedelta = DUE_HORIZON) -> LogisticsDue | None:
    """The kecamatan with a stage late or due within `horizon`, late ones first; None while
    nothing is due (the digest then has no logistics section)."""
    behind = []
    late = due_soon = 0
    for chain in board.late_first():
        pressing = tuple(s for s in chain.stages if is_pressing(s, board.at, horizon))
        if not pressing:
            continue
        behind.append((chain.kecamatan, pressing))
        late += sum(1 for s in pressing if s.state is StageState.LATE)
        due_soon += sum(1 for s in pressing if s.state is StageState.DUE)
    if not behind:
        return None
    return LogisticsDue(board.at, tuple(behind), late, due_soon, len(board.chains))


def late_key(status: StageStatus) -> tuple[str, str, datetime]:
    """What makes a lateness announced once: kecamatan, stage and the deadline it missed (a new
    deadline that passes too is a new lateness)."""
    if status.deadline is None:
        raise ValueError("a stage without a deadline is never late")
    return status.kecamatan, status.stage.key, status.deadline


# --- parsing ----------------------------------------------------------------------------------


class CountError(StrEnum):
    """Why a count of TPS was refused."""

    FORMAT = "format"
    RANGE = "range"
    TPS_TOTAL = "tps_total"  # "x dari N" where the file says the kecamatan has another number
    TPS_OVER = "tps_over"  # more than the kecamatan's TPS


class CountInvalid(ValueError):
    """A count of TPS is malformed or out of range."""

    def __init__(self, reason: CountError) -> None:
        super().__init__(reason.value)
        self.reason = reason


def parse_count(text: str, tps: int | None) -> TpsCount:
    """Parses "12", "12 dari 14", "12 dari 14 TPS" or "12/14", checked against the kecamatan's
    number of TPS when the data file gives one (which then is the total)."""
    match = _COUNT.match(text)
    if not match:
        raise CountInvalid(CountError.FORMAT)
    done = int(match[1])
    total = int(match[2]) if match[2] is not None else None
    if not 1 <= done <= MAX_TPS or (total is not None and not done <= total <= MAX_TPS):
        raise CountInvalid(CountError.RANGE)
    if tps is not None:
        if total is not None and total != tps:
            raise CountInvalid(CountError.TPS_TOTAL)
        if done > tps:
            raise CountInvalid(CountError.TPS_OVER)
        total = tps
    return TpsCount(done, total)


class PlanError(StrEnum):
    """Why `/logistik rencana` arguments were refused."""

    USAGE = "usage"
    STAGE = "stage"
    KECAMATAN = "kecamatan"
    DATE = "date"
    TIME = "time"


class PlanInvalid(ValueError):
    """`/logistik rencana` arguments are malformed."""

    def __init__(self, reason: PlanError) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class PlanArgs:
    """`/logistik rencana <tahap> <kecamatan|semua> <tanggal> <jam>` (or `hapus`)."""

    stage: int
    kecamatan: tuple[str, ...]
    due: datetime | None  # None: clear the deadline
    everywhere: bool = False


def parse_file_deadline(text: str, tz: tzinfo) -> datetime:
    """The logistics file's "at": "26-11-2024 18.00" (also 26/11/2024, 26.11.2024 or
    2024-11-26, and 18:00) as an aware local moment; raises ValueError.

    A file is written once and read at every start, whatever the day, so its dates are not
    read like typed ones (`parse_day` takes "besok" or "27 Nov" relative to today, and refuses
    years after the next): only a full numeric date with its year, checked by `strptime`, no
    regex of our own. The time is read by the one parser of typed times.
    """
    date_text, _, time_text = text.strip().partition(" ")
    for form in _FILE_DATE_FORMATS:
        try:
            day = datetime.strptime(date_text, form).date()
        except ValueError:
            continue
        if day >= EARLIEST_DAY and day.year <= _LATEST_FILE_YEAR:
            return datetime.combine(day, parse_time_of_day(time_text), tzinfo=tz)
        break
    raise ValueError(text)


def _stage_number(word: str, stage_count: int) -> int | None:
    if not (word.isascii() and word.isdigit() and len(word) <= 2):
        return None
    number = int(word)
    return number if 1 <= number <= stage_count else None


def parse_plan_args(
    args: str, region: Region, stage_count: int, tz: tzinfo, today: date
) -> PlanArgs:
    """Parses what follows `/logistik rencana`: `<tahap> <kecamatan|semua> <tanggal> <jam>` or
    `<tahap> <kecamatan|semua> hapus`.

    The time is the last word ("18.00", "18:00", also followed by "WITA"). The date is the
    longest run of words before it (up to four: "Rabu, 27 November 2024") that `parse_day`
    reads relative to `today` (the WITA day), so "besok", "27 Nov 2024" and "27-11-2024" all
    work; the words before the date name the kecamatan, which may have several ("Sangatta
    Utara"). Raises PlanInvalid for the first part that does not fit, checked in the order
    stage, time, date, kecamatan.
    """
    words = args.split()
    if len(words) < 3:
        raise PlanInvalid(PlanError.USAGE)
    stage = _stage_number(words[0], stage_count)
    if stage is None:
        raise PlanInvalid(PlanError.STAGE)
    if words[-1].casefold() == CLEAR_WORD:
        place = " ".join(words[1:-1])
        return PlanArgs(stage, _plan_targets(place, region), None, _everywhere(place))
    time_words = 2 if words[-1].casefold() == "wita" else 1
    rest = words[1:-time_words]
    if len(rest) < 2:  # a kecamatan and a date at least
        raise PlanInvalid(PlanError.USAGE)
    try:
        at = parse_time_of_day(" ".join(words[-time_words:]))
    except ValueError:
        raise PlanInvalid(PlanError.TIME) from None
    day, place = _split_date(rest, today)
    targets = _plan_targets(place, region)
    return PlanArgs(stage, targets, datetime.combine(day, at, tzinfo=tz), _everywhere(place))


def _split_date(words: Sequence[str], today: date) -> tuple[date, str]:
    """The date at the end of `words` (the longest run `parse_day` reads, leaving at least one
    word before it) and the words before it; raises PlanInvalid(DATE) when none reads."""
    for size in range(min(_MAX_DATE_WORDS, len(words) - 1), 0, -1):
        try:
            day = parse_day(" ".join(words[-size:]), today)
        except DayInvalid:
            continue
        return day, " ".join(words[:-size])
    raise PlanInvalid(PlanError.DATE)


def _plan_targets(place: str, region: Region) -> tuple[str, ...]:
    targets = kecamatan_targets(place, region)
    if targets is None:
        raise PlanInvalid(PlanError.KECAMATAN)
    return targets


def _everywhere(place: str) -> bool:
    return place.casefold() == ALL_WORD


class WithdrawError(StrEnum):
    """Why `/logistik tarik` arguments were refused."""

    USAGE = "usage"
    STAGE = "stage"
    REASON = "reason"


class WithdrawInvalid(ValueError):
    """`/logistik tarik` arguments are malformed."""

    def __init__(self, reason: WithdrawError) -> None:
        super().__init__(reason.value)
        self.reason = reason


@dataclass(frozen=True)
class WithdrawArgs:
    """`/logistik tarik <tahap> [kecamatan] <alasan>`."""

    stage: int
    kecamatan: str | None
    reason: str


def split_kecamatan(text: str, region: Region) -> tuple[str | None, str]:
    """A kecamatan named at the start of `text` (longest match, up to four words) and the rest;
    (None, text) when it starts with none."""
    words = text.split()
    for size in range(min(_MAX_NAME_WORDS, len(words)), 0, -1):
        found = region.find(" ".join(words[:size]))
        if found is not None:
            rest = text.strip().split(maxsplit=size)
            return found, rest[size] if len(rest) > size else ""
    return None, text.strip()


def parse_withdraw_args(args: str, region: Region, stage_count: int) -> WithdrawArgs:
    """Parses what follows `/logistik tarik`."""
    first, _, rest = args.strip().partition(" ")
    if not first:
        raise WithdrawInvalid(WithdrawError.USAGE)
    stage = _stage_number(first, stage_count)
    if stage is None:
        raise WithdrawInvalid(WithdrawError.STAGE)
    kecamatan, reason = split_kecamatan(rest, region)
    reason = " ".join(reason.split())
    if is_blank(reason) or len(reason) > MAX_REASON:
        raise WithdrawInvalid(WithdrawError.REASON)
    return WithdrawArgs(stage, kecamatan, reason)
