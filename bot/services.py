"""The objects handlers and jobs share, reachable through `context.services`."""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, NamedTuple

from bot.calendar import load_calendar
from bot.logistics import load_plan
from bot.settings import Settings
from bot.throttle import AnswerThrottle, FormThrottle
from domain.calendar import Calendar, CalendarInvalid, CalendarNow, Rhythm, parse_calendar
from domain.digest import build_snapshot
from domain.kerawanan import EMPTY_MAP, KecamatanAttention, VulnerabilityMap, attention
from domain.logistics import LogisticsPlan
from domain.parsing import parse_times
from domain.regions import Region
from storage.albums import AlbumRepo
from storage.arahan import ArahanRepo
from storage.audit import AuditRepo
from storage.calendar import CalendarRepo, CalendarVersion
from storage.config import (
    COORDINATION_CHAT,
    DIGEST_TIMES,
    DIGESTS_CHANGED_AT,
    FIRST_STARTED_AT,
    REMINDER_TIMES,
    ConfigRepo,
)
from storage.db import Database, from_sql_time, to_sql_time
from storage.drafts import DraftRepo
from storage.health import HealthRepo
from storage.inbox import InboxRepo
from storage.incidents import IncidentRepo
from storage.kerawanan import KerawananRepo
from storage.logistics import LogisticsRepo
from storage.members import MemberRepo
from storage.queries import QueryRepo
from storage.receipts import ReceiptRepo
from storage.reports import ReportRepo
from storage.slots import SlotRepo

logger = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


class FailedReceipt(NamedTuple):
    """A receipt Telegram did not take: where, what, why, when, and when to try again."""

    chat_id: int
    text: str
    error: str
    at: datetime
    retry_at: datetime | None


@dataclass
class Unrecorded:
    """Deliveries whose database record is still to be written."""

    # Report numbers whose receipt Telegram took, but not recorded as sent yet.
    receipts: set[int] = field(default_factory=set)
    # Receipts Telegram did not take whose retry record the database refused.
    failed_receipts: dict[int, FailedReceipt] = field(default_factory=dict)
    # Report number -> (group chat id, alert message id, posted at).
    alerts: dict[int, tuple[int, int, datetime]] = field(default_factory=dict)
    # Digest slot key -> number of parts delivered.
    digest_parts: dict[str, int] = field(default_factory=dict)
    # (incident, period, user id) of a chase question Telegram took -> its message id.
    chases: dict[tuple[int, datetime, int], int] = field(default_factory=dict)
    # Late-logistics announcement id -> number of parts delivered.
    logistics_parts: dict[int, int] = field(default_factory=dict)


@dataclass
class AdminSettings:
    """Settings that admins change from inside the bot; stored in the database, loaded here."""

    coordination_chat_id: int | None
    digest_times: tuple[time, ...] = ()
    reminder_times: tuple[time, ...] = ()
    # Scheduled slots before this moment are never caught up (the bot did not exist yet).
    first_started_at: datetime | None = None
    digests_changed_at: datetime | None = None
    # The election calendar in force, and its stored version (None: the calendar file's).
    calendar: Calendar = field(default_factory=Calendar)
    calendar_version: CalendarVersion | None = None
    # The calendar of CALENDAR_FILE, when one is set (a stored version wins over it).
    file_calendar: Calendar | None = None
    # The vulnerability map in force (/kerawanan impor; empty before the first import).
    vulnerability: VulnerabilityMap = EMPTY_MAP


@dataclass
class RuntimeState:
    """What this process holds while it runs: locks, work in flight, deliveries to record."""

    # The first catch-up of this process (it runs once the scheduler is up): slots before it
    # were missed, not owned by their daily job, and are posted by the catch-up however recent.
    started_at: datetime | None = None
    # Serializes digest posting within the process (the daily job vs. the catch-up).
    digest_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Serializes changes of the coordination group (an admin's choice vs. a migration).
    coordination_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # One lock per member being changed (see Services.member_lock); gone once unused.
    member_locks: weakref.WeakValueDictionary[int, asyncio.Lock] = field(
        default_factory=weakref.WeakValueDictionary
    )
    # Report numbers whose escalation is being posted right now.
    escalating: set[int] = field(default_factory=set)
    # Report number -> (failed attempts, next attempt) of escalations that could not be posted.
    escalation_retry: dict[int, tuple[int, datetime]] = field(default_factory=dict)
    # Held while the calendar is checked, stored and applied (two admins' changes never mix).
    calendar_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    # Reminder rounds running now (the catch-up must not run a second copy beside one).
    reminder_rounds: set[str] = field(default_factory=set)
    # Held while stale incidents are chased: a second sweep (e.g. run by hand) must not send
    # the questions of one still running again.
    chase_lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    unrecorded: Unrecorded = field(default_factory=Unrecorded)
    # When each non-member was last answered (see bot.access.hold_back_strangers).
    stranger_answers: AnswerThrottle = field(default_factory=AnswerThrottle)
    # How often a registration form in progress is answered (see the same function).
    form_answers: FormThrottle = field(default_factory=FormThrottle)
    # Albums being collected: (chat id, media group id) -> loop time of their newest item.
    albums: dict[tuple[int, str], float] = field(default_factory=dict)
    # Work that runs beside update handling (e.g. escalations); awaited at shutdown.
    background: set[asyncio.Task[None]] = field(default_factory=set)


@dataclass(frozen=True)
class Services:
    """Settings, region, database repositories and the clock, wired once at start-up."""

    settings: Settings
    region: Region
    db: Database
    members: MemberRepo
    reports: ReportRepo
    slots: SlotRepo
    drafts: DraftRepo
    config: ConfigRepo
    audit: AuditRepo
    queries: QueryRepo
    inbox: InboxRepo
    receipts: ReceiptRepo
    health: HealthRepo
    incidents: IncidentRepo
    logistics: LogisticsRepo
    calendars: CalendarRepo
    # The logistics chain, TPS counts and planned deadlines of the logistics file.
    logistics_plan: LogisticsPlan
    arahan: ArahanRepo
    albums: AlbumRepo
    clock: Clock
    kerawanan: KerawananRepo
    admin_settings: AdminSettings = field(default_factory=lambda: AdminSettings(None))
    runtime: RuntimeState = field(default_factory=RuntimeState)

    @classmethod
    async def create(
        cls, settings: Settings, region: Region, db: Database, clock: Clock
    ) -> Services:
        """Builds the repositories on top of an open database and loads runtime settings."""
        config = ConfigRepo(db)
        stored_chat = await config.get(COORDINATION_CHAT)
        chat_id = int(stored_chat) if stored_chat else settings.coordination_chat_id
        stored_digests = await config.get(DIGEST_TIMES)
        stored_reminders = await config.get(REMINDER_TIMES)
        changed = await config.get(DIGESTS_CHANGED_AT)
        first_started = await config.get(FIRST_STARTED_AT)
        if first_started is None:
            first_started = to_sql_time(clock())
            await config.set(FIRST_STARTED_AT, first_started, clock(), None, audit=False)
        calendars = CalendarRepo(db)
        stored_calendar = await calendars.latest()
        calendar = load_calendar(settings.calendar_file)
        file_calendar = calendar if settings.calendar_file is not None else None
        if stored_calendar is not None:
            try:
                calendar = parse_calendar(stored_calendar.calendar)
            except CalendarInvalid as exc:  # pragma: no cover - it was checked before storing
                logger.error(
                    "Stored calendar %s unreadable (%s); using the file",
                    stored_calendar.version,
                    exc,
                )
                stored_calendar = None
        if stored_calendar is not None and file_calendar not in (None, calendar):
            logger.warning(
                "CALENDAR_FILE %s differs from the calendar stored in the bot (version %s), "
                "which stays in force; to use the file, send it to the bot with /tahapan impor",
                settings.calendar_file,
                stored_calendar.version,
            )
        kerawanan = KerawananRepo(db)
        admin_settings = AdminSettings(
            coordination_chat_id=chat_id,
            digest_times=parse_times(stored_digests) if stored_digests else settings.digest_times,
            reminder_times=(
                parse_times(stored_reminders) if stored_reminders else settings.reminder_times
            ),
            first_started_at=from_sql_time(first_started),
            digests_changed_at=from_sql_time(changed) if changed else None,
            calendar=calendar,
            calendar_version=stored_calendar,
            file_calendar=file_calendar,
            vulnerability=(await kerawanan.current())[1],
        )
        return cls(
            settings=settings,
            region=region,
            db=db,
            members=MemberRepo(db),
            reports=ReportRepo(db),
            slots=SlotRepo(db),
            drafts=DraftRepo(db),
            config=config,
            audit=AuditRepo(db),
            queries=QueryRepo(db),
            inbox=InboxRepo(db),
            receipts=ReceiptRepo(db),
            health=HealthRepo(db),
            incidents=IncidentRepo(db),
            logistics=LogisticsRepo(db),
            calendars=calendars,
            logistics_plan=load_plan(settings.logistics_file, region, settings.timezone),
            arahan=ArahanRepo(db),
            albums=AlbumRepo(db),
            clock=clock,
            kerawanan=kerawanan,
            admin_settings=admin_settings,
        )

    def spawn(self, work: Coroutine[Any, Any, None]) -> None:
        """Runs `work` beside update handling; errors are logged, never lost silently.

        Not `Application.create_task`: python-telegram-bot's `Application.stop()` awaits every
        task made that way without a time limit, and a stop must end within seconds whatever
        Telegram does (bot.runner). These tasks are drained for a bounded time and then
        cancelled (`drain`), which is safe: what they do is retried after a restart (the
        escalation sweep, the menu fingerprint).
        """
        task = asyncio.get_running_loop().create_task(work)
        self.runtime.background.add(task)
        task.add_done_callback(self._finished)

    def track(self, task: asyncio.Task[None]) -> None:
        """Counts a task made elsewhere (e.g. by `Application.create_task`, which a stop
        awaits) as background work, so `drain` waits for it too; it reports its own errors."""
        self.runtime.background.add(task)
        task.add_done_callback(self.runtime.background.discard)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self.runtime.background.discard(task)
        if not task.cancelled() and task.exception() is not None:
            logger.error("Background work failed", exc_info=task.exception())

    async def drain(self, limit: float, *, cancel: bool = False) -> None:
        """Waits up to `limit` seconds for background work; optionally cancels what is left.

        Cancelled escalations are safe: their reports are still unescalated in the database and
        the escalation sweep posts them after the next start.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + limit
        while self.runtime.background and loop.time() < deadline:
            await asyncio.wait(set(self.runtime.background), timeout=deadline - loop.time())
        if cancel and self.runtime.background:
            leftover = set(self.runtime.background)
            logger.warning("Stopping with %s background tasks unfinished", len(leftover))
            for task in leftover:
                task.cancel()
            await asyncio.gather(*leftover, return_exceptions=True)

    def now(self) -> datetime:
        """The current time in the configured time zone."""
        return self.clock().astimezone(self.settings.timezone)

    def today(self) -> date:
        """The current local (WITA) date."""
        return self.now().date()

    def rhythm(self) -> Rhythm:
        """The reporting rhythm in force: the election calendar, and outside its stages the
        digest and reminder times of /jadwal or the environment."""
        admin_settings = self.admin_settings
        return Rhythm(
            admin_settings.calendar,
            admin_settings.digest_times,
            admin_settings.reminder_times,
            self.settings.timezone,
        )

    def calendar_now(self) -> CalendarNow:
        """The election stage, today's rhythm, the current reporting window (or "di luar
        jendela") and the next stage, now."""
        return self.rhythm().now(self.now())

    async def kecamatan_attention(self) -> tuple[KecamatanAttention, ...]:
        """Every kecamatan with its place on the vulnerability map and its condition in the
        current reporting window, in the order of attention: mapped `tinggi` and silent first
        ("⚠️ rawan tinggi, belum lapor"), then worst condition first, within a condition by
        mapped level (domain.kerawanan). For /kerawanan, and for the dashboard."""
        period = self.rhythm().period_at(self.now())
        # Stored times have whole seconds: a report stamped now belongs to the window.
        until = period.end.replace(microsecond=0) + timedelta(seconds=1)
        counts = await self.reports.group_counts(period.start, until)
        open_levels = await self.incidents.worst_open()
        snapshot = build_snapshot(
            self.region, counts, period.start, period.end, open_levels=open_levels
        )
        return attention(self.admin_settings.vulnerability, snapshot.kecamatan)

    async def is_member(self, user_id: int) -> bool:
        """Whether this user is an active member (any role) or an ADMIN_IDS admin."""
        if self.is_bootstrap_admin(user_id):
            return True
        member = await self.members.get(user_id)
        return member is not None and member.is_active

    def is_bootstrap_admin(self, user_id: int) -> bool:
        """Whether this user id is in ADMIN_IDS (admin from start-up, not removable in the bot)."""
        return user_id in self.settings.admin_ids

    @property
    def coordination_chat_id(self) -> int | None:
        """The group that receives escalations and digests (the stored one wins)."""
        return self.admin_settings.coordination_chat_id

    def member_lock(self, user_id: int) -> asyncio.Lock:
        """Held while one member's registry entry changes and everyone is told about it.

        Two admins acting on the same member at once (approve and reject, deactivate and
        activate) would otherwise interleave: notices, messages and command menus could end up
        telling a different story from the database.
        """
        lock = self.runtime.member_locks.get(user_id)
        if lock is None:
            lock = self.runtime.member_locks[user_id] = asyncio.Lock()
        return lock

    async def set_coordination_chat(
        self, chat_id: int, actor_id: int | None, *, replacing: int | None = None
    ) -> bool:
        """Stores and applies a new coordination group; with `replacing`, only if that is still
        the current one (a migration must not undo an admin's newer choice)."""
        async with self.runtime.coordination_lock:
            if replacing is not None and self.admin_settings.coordination_chat_id != replacing:
                return False
            await self.config.set(COORDINATION_CHAT, str(chat_id), self.clock(), actor_id)
            self.admin_settings.coordination_chat_id = chat_id
            return True
