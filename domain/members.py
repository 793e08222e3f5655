"""Registry records: who may use Posko, in which role and kecamatan."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from domain.enums import MemberState, Role


@dataclass(frozen=True)
class Member:
    """A registry entry; `kecamatan` is set exactly for field roles."""

    user_id: int
    role: Role
    kecamatan: str | None
    name: str
    phone: str | None
    state: MemberState
    created_at: datetime
    updated_at: datetime
    decided_by: int | None = None
    decided_at: datetime | None = None
    blocked_at: datetime | None = None
    service_number: str | None = None  # NRP or NIP

    @property
    def is_active(self) -> bool:
        """Whether the member may use the bot in their role."""
        return self.state is MemberState.ACTIVE


@dataclass(frozen=True)
class MemberEntry:
    """A registry line for `/petugas`: the member and the time of their last report."""

    member: Member
    last_report_at: datetime | None


@dataclass(frozen=True)
class RosterRow:
    """One member to add or update, e.g. from a CSV import."""

    user_id: int
    role: Role
    kecamatan: str | None
    name: str
    phone: str | None = None
    service_number: str | None = None  # NRP or NIP
