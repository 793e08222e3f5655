"""The objects handlers and jobs share, reachable through `context.services`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from bot.regions import Region
from bot.settings import Settings
from storage.audit import AuditRepo
from storage.config import COORDINATION_CHAT, ConfigRepo
from storage.db import Database
from storage.digests import DigestRepo
from storage.drafts import DraftRepo
from storage.members import MemberRepo
from storage.reports import ReportRepo

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    """The current time, aware, in UTC."""
    return datetime.now(UTC)


@dataclass
class RuntimeConfig:
    """Settings that admins can change from inside the bot (stored in the database)."""

    coordination_chat_id: int | None


@dataclass(frozen=True)
class Services:
    """Settings, region, database repositories and the clock, wired once at start-up."""

    settings: Settings
    region: Region
    db: Database
    members: MemberRepo
    reports: ReportRepo
    digests: DigestRepo
    drafts: DraftRepo
    config: ConfigRepo
    audit: AuditRepo
    clock: Clock
    runtime: RuntimeConfig = field(default_factory=lambda: RuntimeConfig(None))

    @classmethod
    async def create(
        cls, settings: Settings, region: Region, db: Database, clock: Clock
    ) -> Services:
        """Builds the repositories on top of an open database and loads runtime settings."""
        config = ConfigRepo(db)
        stored_chat = await config.get(COORDINATION_CHAT)
        chat_id = int(stored_chat) if stored_chat else settings.coordination_chat_id
        return cls(
            settings=settings,
            region=region,
            db=db,
            members=MemberRepo(db),
            reports=ReportRepo(db),
            digests=DigestRepo(db),
            drafts=DraftRepo(db),
            config=config,
            audit=AuditRepo(db),
            clock=clock,
            runtime=RuntimeConfig(chat_id),
        )

    def now(self) -> datetime:
        """The current time in the configured time zone."""
        return self.clock().astimezone(self.settings.timezone)

    def today(self) -> date:
        """The current local (WITA) date."""
        return self.now().date()

    def is_bootstrap_admin(self, user_id: int) -> bool:
        """Whether this user id is in ADMIN_IDS (admin from start-up, not removable in the bot)."""
        return user_id in self.settings.admin_ids

    @property
    def coordination_chat_id(self) -> int | None:
        """The group that receives escalations and digests (the stored one wins)."""
        return self.runtime.coordination_chat_id
