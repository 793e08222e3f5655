"""The objects handlers and jobs share, reachable through `context.services`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime

from bot.regions import Region
from bot.settings import Settings
from storage.db import Database
from storage.digests import DigestRepo
from storage.officers import OfficerRepo
from storage.reports import ReportRepo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Services:
    """Settings, region, database repositories and the clock, wired once at start-up."""

    settings: Settings
    region: Region
    db: Database
    officers: OfficerRepo
    reports: ReportRepo
    digests: DigestRepo
    clock: Clock

    @classmethod
    def create(cls, settings: Settings, region: Region, db: Database, clock: Clock) -> Services:
        """Builds the repositories on top of an open database."""
        return cls(
            settings=settings,
            region=region,
            db=db,
            officers=OfficerRepo(db),
            reports=ReportRepo(db),
            digests=DigestRepo(db),
            clock=clock,
        )

    def now(self) -> datetime:
        """The current time in the configured time zone."""
        return self.clock().astimezone(self.settings.timezone)

    def today(self) -> date:
        """The current local (WITA) date."""
        return self.now().date()

    def is_admin(self, user_id: int) -> bool:
        """Whether this Telegram user id is an admin."""
        return user_id in self.settings.admin_ids

    @property
    def coordination_chat_id(self) -> int | None:
        """The group that receives escalations and digests."""
        return self.settings.coordination_chat_id
