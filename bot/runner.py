"""Running Posko on a server: wait for Telegram at start-up, stop within seconds, beat a heart.

This replaces python-telegram-bot's `run_polling`/`run_webhook`, which were measured failing an
operator on a server whose network is not always there (issue 14):

- Start-up. `run_polling` gives up when the Bot API cannot be reached (exit 1 after a traceback
  of 230 lines, 20-40 s in). Here the database is opened first (so the heartbeat shows the
  process alive), then the bot keeps trying with back-off up to `MAX_RETRY` seconds, logs one
  line a minute, and serves as soon as Telegram answers. A token Telegram rejects (401/404 to
  getMe) ends start-up with `TokenRejected`.
- Stopping. `Application.stop` waits for every update in flight, and each may be retrying a
  request to an API that does not answer: 77 s were measured, and runs that stayed minutes in
  "Waiting for update_queue to join". Here a stop signal gives updates in flight until `GRACE`
  seconds after it; what is left is cancelled and stays pending in the inbox (bot.inbox), to be
  handled at the next start. Cleanup steps are bounded too, and a watchdog thread ends the
  process `STOP_WITHIN` seconds after the signal whatever still hangs (a worker thread, the
  database): as safe as a kill -9, which the inbox is built for (tests/test_crash.py).
- Health. Every `HEARTBEAT_EVERY` seconds the bot records in the database that it is alive and
  when getUpdates last succeeded; a clean stop is recorded too. `python3 tasks.py status` reads it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
import sqlite3
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, InvalidToken, NetworkError, RetryAfter, TelegramError
from tornado.httpserver import HTTPServer

from bot.app import open_storage
from bot.context import SERVICES_KEY, PoskoApp
from bot.inbox import InboxBot
from bot.logs import redact
from bot.ratelimit import transient
from bot.services import Services
from bot.settings import Settings
from bot.webhook import URL_PATH, start_server, stop_server
from domain.regions import Region

logger = logging.getLogger(__name__)

T = TypeVar("T")

# Seconds from a stop signal (SIGTERM, SIGINT) to the exit of the process, whatever Telegram
# does; below Docker's 10 s before SIGKILL and the service's TimeoutStopSec.
STOP_WITHIN = 8.0
# Seconds after the signal that updates in flight may take to finish; the rest is cleanup.
GRACE = 5.0
# The last getUpdates, which confirms fetched updates to Telegram, may take this long: the inbox
# holds those updates anyway, and Telegram's repeats of handled ones are skipped.
CONFIRM_WITHIN = 1.5
# Each cleanup step (cancelled work, the stop record, HTTP connections, the database).
CLEANUP_STEP = 0.75
# Start-up retries while Telegram cannot be reached: 1, 2, 4, ... seconds, at most MAX_RETRY.
FIRST_RETRY, MAX_RETRY = 1.0, 30.0
# An outage is logged once, then once a minute while it lasts.
OUTAGE_LOG_EVERY = 60.0
HEARTBEAT_EVERY = 30.0


class TokenRejected(Exception):
    """Telegram answered 401 or 404 to getMe: the token is wrong or was revoked."""


class WebhookRejected(Exception):
    """Telegram refused setWebhook (400): the URL will not work however often it is tried."""


@dataclass(frozen=True)
class Webhook:
    """Where the webhook server listens and the public URL Telegram posts to."""

    listen: str
    port: int
    url: str
    secret: str


class OutageLog:
    """Logs that Telegram cannot be reached at most once a minute, whatever the retry pace."""

    def __init__(self) -> None:
        self._since: float | None = None
        self._logged: float | None = None

    def failed(self, exc: BaseException) -> None:
        """Notes a failed attempt; logs one line if none was logged for a minute."""
        now = time.monotonic()
        if self._since is None:
            self._since = now
        if self._logged is None or now - self._logged >= OUTAGE_LOG_EVERY:
            self._logged = now
            logger.warning(
                "Telegram cannot be reached for %.0f s (%s: %s); still trying",
                now - self._since,
                type(exc).__name__,
                str(exc)[:200],
            )

    def recovered(self) -> None:
        """Logs the end of an outage, if there was one."""
        if self._since is not None:
            logger.info("Telegram answered after %.0f s", time.monotonic() - self._since)
        self._since = self._logged = None


class Watchdog:
    """Ends the process at a deadline, from a thread, if the orderly stop has not ended it."""

    def __init__(self) -> None:
        self._timer: threading.Timer | None = None

    def arm(self, seconds: float, code: int) -> None:
        """Exits with `code` in `seconds` unless the process is gone by then (first arm wins)."""
        if self._timer is None:
            self._timer = threading.Timer(seconds, self._expire, (seconds, code))
            self._timer.daemon = True
            self._timer.start()

    @staticmethod
    def _expire(seconds: float, code: int) -> None:
        # Not through logging: the main thread may hold a handler's lock, stuck on a stalled
        # stderr pipe; a raw write cannot wait for it.
        with contextlib.suppress(OSError):
            os.write(2, f"Still stopping after {seconds:.0f} s; exiting now\n".encode())
        os._exit(code)


def exit_now(code: int) -> None:
    """Ends the process at once (committed data is on disk: WAL with synchronous=FULL)."""
    for handler in logging.getLogger().handlers:
        handler.flush()
    sys.stderr.flush()
    os._exit(code)


class Runner:
    """Runs one application until a stop signal or a fatal start-up error."""

    def __init__(
        self,
        app: PoskoApp,
        settings: Settings,
        region: Region,
        *,
        allowed_updates: Sequence[str],
        webhook: Webhook | None = None,
    ) -> None:
        self.app, self.settings, self.region = app, settings, region
        self.allowed_updates = list(allowed_updates)
        self.webhook = webhook
        self.outage = OutageLog()
        self.watchdog = Watchdog()
        self._stop = asyncio.Event()
        self._stop_deadline: float | None = None  # loop time
        self._heartbeat: asyncio.Task[None] | None = None
        self._server: HTTPServer | None = None

    def run(self) -> None:
        """Runs until stopped; raises TokenRejected (or what else ended start-up)."""
        asyncio.run(self._main())

    async def _main(self) -> None:
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, self._on_signal, signum)
        code = 0
        try:
            start = asyncio.create_task(self._start(), name="start-up")
            stopped = asyncio.create_task(self._stop.wait(), name="stop signal")
            await asyncio.wait({start, stopped}, return_when=asyncio.FIRST_COMPLETED)
            if not start.done():
                start.cancel()  # stopped while waiting for Telegram (or migrating)
            try:
                await start
            except asyncio.CancelledError:
                if not self._stop.is_set():
                    raise
            await stopped
        except (TokenRejected, WebhookRejected):
            code = 2
            raise
        except BaseException:
            code = 1
            raise
        finally:
            await self._shutdown(code)

    def _on_signal(self, signum: int) -> None:
        if self._stop.is_set():
            logger.warning("Second stop signal; exiting now")
            exit_now(0)
        logger.info("Stopping (%s)", signal.Signals(signum).name)
        self._stop_deadline = asyncio.get_running_loop().time() + STOP_WITHIN
        self.watchdog.arm(STOP_WITHIN, 0)
        self._stop.set()

    # --- start-up ------------------------------------------------------------------------

    async def _start(self) -> None:
        """Opens storage, waits for Telegram, then serves (like run_polling's start-up)."""
        app = self.app
        services = await open_storage(app, self.settings, self.region)
        await services.health.started(
            os.getpid(), "webhook" if self.webhook else "polling", services.clock()
        )
        self._heartbeat = asyncio.create_task(self._beat(services), name="heartbeat")
        await self._until_answered(app.initialize)
        if app.post_init is not None:
            await app.post_init(app)
        updater = app.updater
        if updater is None:
            raise RuntimeError("the application has no updater")
        if self.webhook is not None:
            hook = self.webhook
            # Our own server (bot.webhook: the secret compared in constant time), then the
            # webhook registered with Telegram, retried like every start-up call.
            self._server = start_server(app, hook.listen, hook.port, hook.secret)
            try:
                await self._until_answered(
                    lambda: app.bot.set_webhook(
                        hook.url.rstrip("/") + URL_PATH,
                        secret_token=hook.secret,
                        allowed_updates=self.allowed_updates,
                    )
                )
            except BadRequest as exc:  # e.g. not https://, or a port Telegram does not call
                raise WebhookRejected(f"it answered {redact(exc.message)!r}") from None
        else:
            if isinstance(app.bot, InboxBot):
                app.bot.on_poll(self.outage.recovered)  # an outage while running ends here
            await self._until_answered(
                lambda: updater.start_polling(
                    allowed_updates=self.allowed_updates, error_callback=self.outage.failed
                )
            )
        await app.start()
        logger.info("Posko is running (%s)", "webhook" if self.webhook else "long polling")

    async def _until_answered(self, action: Callable[[], Awaitable[object]]) -> None:
        """Runs `action` until Telegram answers it, with back-off; a rejected token is final."""
        delay = FIRST_RETRY
        while True:
            try:
                await action()
            except InvalidToken as exc:
                # python-telegram-bot's own message quotes the token; Telegram's answer does not.
                answer = redact(str(exc.__cause__ or "no description"))
                raise TokenRejected(f"it answered {answer!r}") from None
            except RetryAfter as exc:
                self.outage.failed(exc)
                wait = exc.retry_after
                seconds = wait.total_seconds() if isinstance(wait, timedelta) else float(wait)
                await asyncio.sleep(max(delay, seconds))
            except NetworkError as exc:
                if not transient(exc):
                    raise
                self.outage.failed(exc)
                await asyncio.sleep(delay)
            else:
                self.outage.recovered()
                return
            delay = min(MAX_RETRY, delay * 2)

    async def _beat(self, services: Services) -> None:
        """Records every HEARTBEAT_EVERY seconds that the bot is alive, and its last poll."""
        bot = self.app.bot
        while True:
            last_poll = bot.last_poll if isinstance(bot, InboxBot) else None
            try:
                await services.health.beat(services.clock(), last_poll)
            except sqlite3.Error:
                logger.exception("Heartbeat not recorded")
            await asyncio.sleep(HEARTBEAT_EVERY)

    # --- stopping ------------------------------------------------------------------------

    async def _shutdown(self, code: int) -> None:
        """Stops within STOP_WITHIN seconds of the signal (of now, after a start-up error)."""
        loop = asyncio.get_running_loop()
        if self._stop_deadline is None:
            self._stop_deadline = loop.time() + STOP_WITHIN
            self.watchdog.arm(STOP_WITHIN, code)
        grace_end = self._stop_deadline - (STOP_WITHIN - GRACE)
        app = self.app
        # 1. Stop fetching updates; let those in flight finish until the grace period ends.
        if self._server is not None:
            await _bounded("stopping the webhook server", stop_server(self._server))
        try:
            if app.updater is not None and app.updater.running:
                async with asyncio.timeout(CONFIRM_WITHIN):
                    await app.updater.stop()
        except TimeoutError:
            logger.warning("Telegram did not confirm the last updates; the inbox holds them")
        try:
            if app.running:
                async with asyncio.timeout_at(grace_end):
                    await app.stop()
        except TimeoutError:
            logger.warning(
                "Updates still in flight %.0f s after the stop signal; interrupting them "
                "(they stay in the inbox and are handled at the next start)",
                GRACE,
            )
        if app.post_stop is not None:  # the dashboard's server, as run_polling does it
            await _bounded("stopping the dashboard", app.post_stop(app))
        # 2. Whatever is left is cancelled: updates in flight, jobs, background work, heartbeat.
        await _cancel_other_tasks(CLEANUP_STEP)
        if app.job_queue is not None and app.job_queue.scheduler.running:
            await app.job_queue.stop(wait=False)
        # 3. Record the stop; close the connections to Telegram and the database.
        services = app.bot_data.get(SERVICES_KEY)
        if isinstance(services, Services):
            if self._stop.is_set():
                await _bounded("recording the stop", services.health.stopped(services.clock()))
            pending = await _bounded("counting the inbox", services.inbox.pending_count())
            if pending:
                logger.warning("%s updates wait in the inbox for the next start", pending)
        await _bounded("closing the Telegram connections", app.shutdown())
        # After a failed start (a rejected token) the application was never initialized and
        # its shutdown skips the bot, whose connections are open all the same.
        await _bounded("closing the Telegram connections", app.bot.shutdown())
        if app.post_shutdown is not None:
            await _bounded("closing the database", app.post_shutdown(app))
        logger.info("Stopped")


async def _cancel_other_tasks(within: float) -> None:
    """Cancels every other task of the loop and waits up to `within` seconds for them to end."""
    current = asyncio.current_task()
    others = [task for task in asyncio.all_tasks() if task is not current and not task.done()]
    for task in others:
        task.cancel()
    if others:
        await asyncio.wait(others, timeout=within)


async def _bounded(what: str, work: Awaitable[T]) -> T | None:
    """Awaits `work` for at most CLEANUP_STEP seconds; logs and gives up after that."""
    try:
        async with asyncio.timeout(CLEANUP_STEP):
            return await work
    except TimeoutError:
        logger.warning("Gave up %s after %.2f s", what, CLEANUP_STEP)
    except (sqlite3.Error, TelegramError, RuntimeError):
        logger.exception("Failed %s", what)
    return None
