"""Settings read once from the environment (and a `.env` file) into a frozen object."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import time
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import load_dotenv

from domain.parsing import parse_time_of_day, parse_times

DEFAULT_API_URL = "https://api.telegram.org"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")
_TOKEN_RE = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
_SECRET_RE = re.compile(r"^[A-Za-z0-9_-]{16,256}$")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it and what is expected."""

    def __init__(self, name: str, expected: str) -> None:
        super().__init__(f"{name}: {expected}")
        self.name = name


def format_time_of_day(value: time) -> str:
    """Formats a time as `HH:MM`, or `HH:MM:SS` when it has seconds."""
    return value.strftime("%H:%M:%S" if value.second else "%H:%M")


@dataclass(frozen=True)
class Settings:
    """Everything the bot needs to know about its deployment."""

    token: str = field(repr=False)
    api_url: str = DEFAULT_API_URL
    database_path: Path = Path("data/posko.db")
    admin_ids: frozenset[int] = frozenset()
    coordination_chat_id: int | None = None
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("Asia/Makassar"))
    digest_times: tuple[time, ...] = (time(7, 0), time(19, 0))
    reminder_times: tuple[time, ...] = (time(16, 0),)
    # Officers of a kecamatan mapped `tinggi` who have not reported are reminded again this
    # long after the first reminder (issue 23).
    reminder_repeat_minutes: float = 60.0
    log_level: str = "INFO"
    region_file: Path | None = None
    logistics_file: Path | None = None
    # The election calendar (stages and their rhythm); None: the bundled Pilkada 2024 one.
    calendar_file: Path | None = None
    escalation_ack_minutes: float = 15.0
    # An open incident nothing was heard of for this long gets its officer asked about it.
    incident_stale_hours: float = 6.0
    # A form (/lapor, /daftar) nobody touched for this long is closed; officers in the field are
    # interrupted, so hours rather than minutes.
    form_idle_hours: float = 4.0
    backup_dir: Path = Path("data/backups")
    backup_keep: int = 14
    backup_time: time = time(2, 0)
    webhook_url: str | None = None
    webhook_secret: str | None = field(default=None, repr=False)
    # The TLS proxy in front is the public side; a container recipe sets 0.0.0.0 explicitly.
    webhook_listen: str = "127.0.0.1"
    webhook_port: int = 8443
    # The live dashboard (handlers/dashboard): on by default, on the loopback address only; the
    # TLS proxy in front is its public side at DASHBOARD_URL. Port 0 takes any free port.
    dashboard_listen: str = "127.0.0.1"
    dashboard_port: int = 8080
    dashboard_url: str | None = None

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """Builds settings from `environ` (default: `.env` loaded into `os.environ`)."""
        if environ is None:
            load_dotenv(Path.cwd() / ".env", override=False)
            environ = os.environ

        def get(name: str) -> str:
            return environ.get(name, "").strip()

        token = get("TELEGRAM_BOT_TOKEN")
        if not token:
            raise SettingsError("TELEGRAM_BOT_TOKEN", "required; the token from @BotFather")
        if not _TOKEN_RE.match(token):
            raise SettingsError(
                "TELEGRAM_BOT_TOKEN", "expected the form 123456789:ABC-def... from @BotFather"
            )

        api_url = (get("TELEGRAM_API_URL") or DEFAULT_API_URL).rstrip("/")
        if not api_url.startswith(("http://", "https://")):
            raise SettingsError("TELEGRAM_API_URL", "expected an http:// or https:// URL")

        admin_ids: set[int] = set()
        for part in filter(None, (p.strip() for p in get("ADMIN_IDS").split(","))):
            if not (part.isascii() and part.isdigit()) or int(part) <= 0:
                raise SettingsError(
                    "ADMIN_IDS", "expected comma-separated numeric user ids, e.g. 12345,67890"
                )
            admin_ids.add(int(part))

        chat_text = get("COORDINATION_CHAT_ID")
        coordination_chat_id: int | None = None
        if chat_text:
            try:
                coordination_chat_id = int(chat_text)
            except ValueError:
                coordination_chat_id = 0
            if coordination_chat_id >= 0:
                raise SettingsError(
                    "COORDINATION_CHAT_ID", "expected the negative numeric id of a group"
                )

        tz_name = get("TIMEZONE") or "Asia/Makassar"
        try:
            timezone = ZoneInfo(tz_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise SettingsError(
                "TIMEZONE", "expected an IANA zone such as Asia/Makassar"
            ) from None

        def times(name: str, default: str) -> tuple[time, ...]:
            try:
                return parse_times(get(name) or default)
            except ValueError:
                raise SettingsError(
                    name, "expected comma-separated times HH.MM or HH:MM, e.g. 07.00,19.00"
                ) from None

        log_level = (get("LOG_LEVEL") or "INFO").upper()
        if log_level not in LOG_LEVELS:
            raise SettingsError("LOG_LEVEL", f"expected one of {', '.join(LOG_LEVELS)}")

        region_text = get("REGION_FILE")
        region_file = Path(region_text) if region_text else None
        if region_file is not None and not region_file.is_file():
            raise SettingsError("REGION_FILE", f"file not found: {region_file}")

        logistics_text = get("LOGISTICS_FILE")
        logistics_file = Path(logistics_text) if logistics_text else None
        if logistics_file is not None and not logistics_file.is_file():
            raise SettingsError("LOGISTICS_FILE", f"file not found: {logistics_file}")

        calendar_text = get("CALENDAR_FILE")
        calendar_file = Path(calendar_text) if calendar_text else None
        if calendar_file is not None and not calendar_file.is_file():
            raise SettingsError("CALENDAR_FILE", f"file not found: {calendar_file}")

        def positive(name: str, default: str, most: float, unit: str, example: str) -> float:
            """A number above 0 and at most `most` (decimals allowed), e.g. minutes or hours."""
            try:
                value = float(get(name) or default)
            except ValueError:
                value = -1.0
            if not 0 < value <= most:
                raise SettingsError(
                    name, f"expected {unit} between 0 and {most:g}, e.g. {default} or {example}"
                )
            return value

        ack_minutes = positive("ESCALATION_ACK_MINUTES", "15", 24 * 60, "minutes", "0.5")
        stale_hours = positive("INCIDENT_STALE_HOURS", "6", 7 * 24, "hours", "1.5")
        repeat_minutes = positive("REMINDER_REPEAT_MINUTES", "60", 12 * 60, "minutes", "30")
        idle_hours = positive("FORM_IDLE_HOURS", "4", 72, "hours", "0.5")

        keep_text = get("BACKUP_KEEP") or "14"
        if not keep_text.isascii() or not keep_text.isdigit() or not 1 <= int(keep_text) <= 1000:
            raise SettingsError("BACKUP_KEEP", "expected a number of backups to keep, 1 to 1000")
        try:
            backup_time = parse_time_of_day(get("BACKUP_TIME") or "02:00")
        except ValueError:
            raise SettingsError(
                "BACKUP_TIME", "expected a time HH.MM or HH:MM, e.g. 02.00"
            ) from None

        webhook_url = get("WEBHOOK_URL") or None
        webhook_secret = get("WEBHOOK_SECRET") or None
        if webhook_url is not None:
            if not webhook_url.startswith(("https://", "http://")):
                raise SettingsError("WEBHOOK_URL", "expected the public https:// URL of the bot")
            if webhook_secret is None or not _SECRET_RE.match(webhook_secret):
                raise SettingsError(
                    "WEBHOOK_SECRET",
                    "required with WEBHOOK_URL: 16-256 characters A-Z, a-z, 0-9, _ or -",
                )
        port_text = get("WEBHOOK_PORT") or "8443"
        if not port_text.isascii() or not port_text.isdigit() or not 0 < int(port_text) < 65536:
            raise SettingsError("WEBHOOK_PORT", "expected a TCP port number, e.g. 8443")

        dashboard_url = (get("DASHBOARD_URL") or "").rstrip("/") or None
        if dashboard_url is not None and (
            not dashboard_url.startswith(("https://", "http://")) or "#" in dashboard_url
        ):
            raise SettingsError(
                "DASHBOARD_URL", "expected the public address of the dashboard, https://..."
            )
        dash_port_text = get("DASHBOARD_PORT") or "8080"
        if (
            not dash_port_text.isascii()
            or not dash_port_text.isdigit()
            or not 0 <= int(dash_port_text) < 65536
        ):
            raise SettingsError("DASHBOARD_PORT", "expected a TCP port number, e.g. 8080")

        return cls(
            token=token,
            api_url=api_url,
            database_path=Path(get("DATABASE_PATH") or "data/posko.db"),
            admin_ids=frozenset(admin_ids),
            coordination_chat_id=coordination_chat_id,
            timezone=timezone,
            digest_times=times("DIGEST_TIMES", "07:00,19:00"),
            reminder_times=times("REMINDER_TIMES", "16:00"),
            reminder_repeat_minutes=repeat_minutes,
            log_level=log_level,
            region_file=region_file,
            logistics_file=logistics_file,
            calendar_file=calendar_file,
            escalation_ack_minutes=ack_minutes,
            incident_stale_hours=stale_hours,
            form_idle_hours=idle_hours,
            backup_dir=Path(get("BACKUP_DIR") or "data/backups"),
            backup_keep=int(keep_text),
            backup_time=backup_time,
            webhook_url=webhook_url,
            webhook_secret=webhook_secret,
            webhook_listen=get("WEBHOOK_LISTEN") or "127.0.0.1",
            webhook_port=int(port_text),
            dashboard_listen=get("DASHBOARD_LISTEN") or "127.0.0.1",
            dashboard_port=int(dash_port_text),
            dashboard_url=dashboard_url,
        )
