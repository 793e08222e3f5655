"""Runs the real Posko application against the fake Bot API, as production runs it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from bot import texts
from bot.app import build_application
from bot.context import SERVICES_KEY, PoskoApp
from bot.ratelimit import PoskoRateLimiter, RateLimits
from bot.regions import load_region
from bot.services import Clock, Services
from bot.settings import Settings
from domain.regions import Region
from emulator import FakeTelegram, FakeUser, SentMessage
from emulator.html import parse_html
from main import ALLOWED_UPDATES

ADMIN_ID = 1001
COORDINATION_CHAT_ID = -1001234567890
# 2024-11-27 10:00 WITA, voting day of the 2024 Pilkada.
DEFAULT_NOW = datetime(2024, 11, 27, 2, 0, tzinfo=UTC)
# An election calendar without stages: the bundled Pilkada 2024 calendar would make the default
# clock's day a windowed voting day, so tests keep the environment's rhythm (the whole WITA day,
# DIGEST_TIMES, REMINDER_TIMES) unless they load a calendar (`calendar_file=None`: the bundled).
NO_STAGES = Path(__file__).with_name("no_stages.json")


class FakeClock:
    """A settable clock returning aware UTC datetimes."""

    def __init__(self, now: datetime = DEFAULT_NOW) -> None:
        self.current = now

    def __call__(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        """Moves the clock to `moment`."""
        self.current = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        """Moves the clock forward by `timedelta(**delta)`."""
        self.current += timedelta(**delta)


def make_settings(fake: FakeTelegram, database_path: Path, **overrides: Any) -> Settings:
    """Settings pointing at the fake Bot API, with one admin and a coordination group."""
    base = Settings(
        token=fake.token,
        api_url=fake.url,
        database_path=database_path,
        admin_ids=frozenset({ADMIN_ID}),
        coordination_chat_id=COORDINATION_CHAT_ID,
        dashboard_port=0,  # any free port: tests never take the default 8080
        calendar_file=NO_STAGES,
    )
    return replace(base, **overrides)


class Posko:
    """A running Posko application wired to a fake Telegram."""

    def __init__(
        self,
        fake: FakeTelegram,
        settings: Settings,
        clock: Clock | None = None,
        region: Region | None = None,
        rate_limits: RateLimits | None = None,
    ) -> None:
        self.fake = fake
        self.settings = settings
        self.clock: Clock = clock if clock is not None else FakeClock()
        self.region = region or load_region()
        self.rate_limits = rate_limits
        self._app: PoskoApp | None = None

    @property
    def app(self) -> PoskoApp:
        """The running application."""
        if self._app is None:
            raise RuntimeError("Posko is not running")
        return self._app

    @property
    def services(self) -> Services:
        """The services of the running application."""
        services = self.app.bot_data[SERVICES_KEY]
        assert isinstance(services, Services)
        return services

    async def start(self) -> None:
        """Starts like `Application.run_polling` does: initialize, post_init, poll, start."""
        if self.fake.settle is not None:
            # Two bots polling one token would both handle every update (Telegram answers 409).
            raise RuntimeError("another Posko is already polling this fake Bot API")
        app = build_application(
            self.settings, self.region, clock=self.clock, rate_limits=self.rate_limits
        )
        await app.initialize()
        if app.post_init is not None:
            await app.post_init(app)
        assert app.updater is not None
        await app.updater.start_polling(
            poll_interval=0, timeout=5, allowed_updates=ALLOWED_UPDATES
        )
        await app.start()
        self._app = app
        self.fake.settle = self.settle
        await self.services.drain(limit=30)  # start-up work in the background (menus)

    async def run_job(self, name: str) -> None:
        """Runs the scheduled job called `name` now."""
        queue = self.app.job_queue
        assert queue is not None
        [job] = queue.get_jobs_by_name(name)
        await job.run(self.app)

    def pause_jobs(self, *names: str) -> None:
        """Keeps the scheduled jobs `names` from running on their real-time timers (a test that
        moves the clock by days would otherwise meet, say, the digest catch-up at any moment)."""
        queue = self.app.job_queue
        assert queue is not None
        for name in names:
            for job in queue.get_jobs_by_name(name):
                job.enabled = False

    def without_retries(self) -> None:
        """Makes the next Telegram failures final (as if every retry had failed too)."""
        limiter = self.app.bot.rate_limiter
        assert isinstance(limiter, PoskoRateLimiter)
        limiter.limits = RateLimits(max_retries=0)

    async def settle(self) -> None:
        """Waits until queued updates and the work they started (escalations) are done."""
        await self.app.update_queue.join()
        await self.services.drain(limit=30)

    async def stop(self) -> None:
        """Stops like `run_polling` does on SIGTERM: stop polling, drain, shut down."""
        app = self.app
        self.fake.settle = None
        assert app.updater is not None
        if app.updater.running:
            await app.updater.stop()
        if app.running:
            await app.stop()
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
        self._app = None

    async def restart(self) -> None:
        """Stops and starts again on the same database."""
        await self.stop()
        await self.start()


async def receipt_of(services: Services, number: int) -> str:
    """The plain text of the receipt of stored report #number, from the text catalogue."""
    report = await services.reports.get(number)
    assert report is not None, f"report #{number} is not stored"
    local = report.created_at.astimezone(services.settings.timezone)
    html = texts.receipt(
        report.number, report.level, report.kecamatan, local, nihil=report.is_nihil
    )
    return parse_html(html)


async def replay_after_crash(posko: Posko, update: dict[str, Any]) -> None:
    """Restarts as if killed after `update` was handled but before it was marked handled."""
    async with posko.services.db.transaction() as conn:
        await conn.execute(
            "UPDATE inbox SET done_at = NULL WHERE update_id = ?", (update["update_id"],)
        )
    await posko.restart()
    await posko.settle()


FormStep = Literal["narrative", "photos", "summary", "sent"]


async def fill_form(
    officer: FakeUser,
    level: str,
    category: str,
    narrative: str | None = None,
    *,
    until: FormStep = "sent",
) -> None:
    """Walks the /lapor form as an officer does, up to the step `until` (the step then asked;
    "sent": the report filed): /lapor, the `level` and `category` buttons, `narrative` typed,
    then as `finish_form` does (no photo, no location, ✅ Kirim)."""
    await officer.send("/lapor")
    await officer.press(level)
    await officer.press(category)
    if until == "narrative":
        return
    assert narrative is not None, f"a form filled until {until!r} needs a narrative"
    await officer.send(narrative)
    if until != "photos":
        await finish_form(officer, until=until)


async def finish_form(
    officer: FakeUser,
    photo_button: str = "⏭ Lewati",
    *,
    photo_step: SentMessage | None = None,
    until: Literal["summary", "sent"] = "sent",
) -> None:
    """Takes a form asking for photos on to the summary and files it: `photo_button` on the
    photo step (`photo_step`, default the last message; "✅ Selesai" once a photo or recording
    is in), no location ("Lewati" typed), then ✅ Kirim unless `until` is "summary"."""
    await officer.press(photo_button, photo_step)
    await officer.send("Lewati")
    if until == "sent":
        await officer.press("✅ Kirim")
