"""Webhook mode: Telegram POSTs each update to a small HTTP server behind the TLS proxy.

python-telegram-bot's own webhook server compares the secret header with `!=`, whose running
time depends on how much of a guess is right, and it cannot be given another check. So the
bot runs its own server (tornado, which python-telegram-bot's webhook extra installs) around
the same Application, started and stopped the way `Application.run_webhook` does it:
initialize, post_init, start, serve until SIGINT/SIGTERM, stop, shutdown, post_shutdown.

The server listens on 127.0.0.1 unless WEBHOOK_LISTEN says otherwise: the TLS proxy in front
is the public side. An update is queued, i.e. committed to the inbox, before the server
answers 200, so Telegram redelivers anything that was not stored.
"""

from __future__ import annotations

import asyncio
import hmac
import json
import logging
import signal
from collections.abc import Sequence
from http import HTTPStatus

import tornado.web
from telegram import Update
from telegram.ext import ExtBot
from tornado.httpserver import HTTPServer

from bot.context import PoskoApp
from bot.settings import Settings

logger = logging.getLogger(__name__)

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
URL_PATH = "/telegram"
MAX_BODY = 1 << 20  # bytes


def secret_matches(given: str | None, secret: str) -> bool:
    """Whether the request carries the secret, compared in constant time."""
    return hmac.compare_digest((given or "").encode(), secret.encode())


class UpdateHandler(tornado.web.RequestHandler):
    """Takes one update from Telegram: secret checked, then queued (stored), then 200."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, bot: ExtBot[int], queue: asyncio.Queue[object], secret: str) -> None:
        """Receives the application's bot and update queue, and the secret."""
        self.bot, self.queue, self.secret = bot, queue, secret

    async def post(self) -> None:
        """Refuses requests without the secret (403) or without an update (400)."""
        if not secret_matches(self.request.headers.get(SECRET_HEADER), self.secret):
            raise tornado.web.HTTPError(HTTPStatus.FORBIDDEN)
        try:
            data = json.loads(self.request.body)
            if not isinstance(data, dict) or type(data.get("update_id")) is not int:
                raise ValueError("not an update")
            update = Update.de_json(data, self.bot)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        logger.debug("Update %s received on the webhook", update.update_id)
        await self.queue.put(update)


def webhook_app(app: PoskoApp, secret: str) -> tornado.web.Application:
    """The tornado application that feeds `app`'s update queue."""
    options = {"bot": app.bot, "queue": app.update_queue, "secret": secret}
    return tornado.web.Application([(rf"{URL_PATH}/?", UpdateHandler, options)])


def start_server(app: PoskoApp, listen: str, port: int, secret: str) -> HTTPServer:
    """Starts serving the webhook for `app` (stop it with `stop_server`)."""
    # Telegram's updates are small; a body is read in full before the secret is checked, so
    # its size and the time a connection may take are bounded.
    server = HTTPServer(
        webhook_app(app, secret),
        max_body_size=MAX_BODY,
        body_timeout=30,
        idle_connection_timeout=60,
    )
    server.listen(port, address=listen)
    logger.info("Webhook server listening on %s:%s", listen, port)
    return server


async def stop_server(server: HTTPServer) -> None:
    """Stops accepting requests and closes open connections."""
    server.stop()
    await server.close_all_connections()


async def serve_webhook(
    app: PoskoApp,
    settings: Settings,
    allowed_updates: Sequence[str],
    stop: asyncio.Event | None = None,
) -> None:
    """Starts the application and the server, registers the webhook, and stops on `stop`
    (default: SIGINT or SIGTERM). main.py serves through `bot.runner`, which adds the bounded
    stop and the wait for Telegram; this plain lifecycle serves the tests."""
    if not settings.webhook_url or not settings.webhook_secret:
        raise ValueError("webhook mode needs WEBHOOK_URL and WEBHOOK_SECRET")
    if stop is None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
    await app.initialize()
    try:
        if app.post_init is not None:
            await app.post_init(app)
        await app.start()
        server = start_server(
            app, settings.webhook_listen, settings.webhook_port, settings.webhook_secret
        )
        try:
            await app.bot.set_webhook(
                settings.webhook_url.rstrip("/") + URL_PATH,
                secret_token=settings.webhook_secret,
                allowed_updates=list(allowed_updates),
            )
            await stop.wait()
        finally:
            await stop_server(server)
            await app.stop()
    finally:
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)
