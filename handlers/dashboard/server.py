"""The dashboard's web server, in the bot's own event loop, started and stopped with it.

Tornado, because python-telegram-bot's webhook extra installs it and bot/webhook.py already
serves with it: the dashboard adds no second web framework to the process, and tornado's
templates escape every value they print unless told otherwise (nothing here tells them).

    GET  /dasbor              the page; with a valid session cookie its content is in it
    GET  /dasbor/masuk        sign-in page: its script posts the link's secret (the #fragment,
                              which browsers never send, so proxies and logs never see it)
    POST /dasbor/api/signin   {"token": link secret} -> session cookie, 204; else 401
    POST /dasbor/api/miniapp  {"init_data": Telegram's initData} -> {"token": ...}; else 401
    GET  /dasbor/api/content  the content, an HTML fragment                      (401 without)
    GET  /dasbor/api/events   Server-Sent Events: a mark each time content changed (401 without)
    POST /dasbor/api/signout  ends the sign-in
    GET  /dasbor/static/...   the script and the style sheet

Live updates cost almost nothing at rest: one `Watcher` reads a change mark (a few MAX(id),
storage.dashboard.CHANGE_MARK) every `POLL_EVERY` seconds while any screen is open, and wakes
every open stream when it changes; the content is rendered once per mark and shared by every
screen. Each stream checks its sign-in again at every change (and every minute: the mark has the
minute in it, for the ages shown), so a deactivated koordinator's screen goes blank at once.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import socket
import sqlite3
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from http import HTTPStatus
from pathlib import Path
from typing import Any

import tornado.template
import tornado.web
from tornado.httpserver import HTTPServer
from tornado.iostream import StreamClosedError

from bot.access import STAFF, access_of
from bot.services import Services
from bot.settings import Settings
from bot.texts import dashboard as labels
from bot.texts.common import LEVEL_EMOJI
from handlers.dashboard.board import SECTIONS, load_moment
from handlers.dashboard.signin import LINK_VALID, SIGNIN_LASTS, new_secret, verify_init_data
from handlers.digest.schedule import ARAHAN_WINDOW
from storage.dashboard import DashboardRepo, Signin

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
COOKIE = "posko_dasbor"
BASE = "/dasbor"
# Seconds between two reads of the change mark while a screen is open (an update shows within
# this plus the fetch of the content: well under the 5 seconds asked for).
POLL_EVERY = 2.0
# A comment line keeps idle streams open through proxies that cut silent connections.
KEEPALIVE = 15.0
MAX_BODY = 16 * 1024
MAX_SECRET = 128
# Strict: only this origin's own script, style and requests; no inline script or style at all.
# Telegram Web shows a Mini App in a frame of web.telegram.org; nobody else may frame the page.
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'self' https://web.telegram.org"
)


@dataclass(frozen=True)
class Viewer:
    """Who is looking: a signed-in koordinator or admin."""

    user_id: int
    name: str | None
    signin: Signin


class Watcher:
    """Reads the change mark every few seconds while anyone listens, and wakes the listeners."""

    def __init__(self, read: Callable[[], Awaitable[str]], every: float = POLL_EVERY) -> None:
        self._read = read
        self._every = every
        self._listeners = 0
        self._task: asyncio.Task[None] | None = None
        self._changed = asyncio.Event()
        self.mark: str | None = None

    @property
    def listeners(self) -> int:
        """How many streams are open."""
        return self._listeners

    async def subscribe(self) -> str:
        """Starts listening; returns the current mark."""
        self._listeners += 1
        if self._task is None or self._task.done():
            self.mark = await self._read()
            self._task = asyncio.get_running_loop().create_task(self._run(), name="dashboard")
        return self.mark or await self._read()

    def unsubscribe(self) -> None:
        """Stops listening; the reads stop with the last listener."""
        self._listeners -= 1
        if self._listeners <= 0 and self._task is not None:
            self._task.cancel()
            self._task = None

    async def changed(self, seen: str, within: float, closed: asyncio.Event) -> str | None:
        """The new mark once it differs from `seen`; None after `within` s or once `closed`."""
        if self.mark == seen and not closed.is_set():
            waiters = {
                asyncio.ensure_future(self._changed.wait()),
                asyncio.ensure_future(closed.wait()),
            }
            await asyncio.wait(waiters, timeout=within, return_when=asyncio.FIRST_COMPLETED)
            for task in waiters:
                task.cancel()
        return None if closed.is_set() or self.mark == seen else self.mark

    async def _run(self) -> None:
        while True:
            await asyncio.sleep(self._every)
            try:
                mark = await self._read()
            except sqlite3.Error:
                logger.exception("Dashboard: change mark not read")
                continue
            if mark != self.mark:
                self.mark = mark
                woken, self._changed = self._changed, asyncio.Event()
                woken.set()

    def stop(self) -> None:
        """Stops reading (the server is stopping)."""
        if self._task is not None:
            self._task.cancel()
            self._task = None


class Dashboard:
    """The dashboard of one running bot: its server, sign-ins, watcher and rendered content."""

    def __init__(self, settings: Settings, token: str) -> None:
        self.settings = settings
        self._token = token
        self.services: Services | None = None
        self.repo: DashboardRepo | None = None
        self.port: int | None = None
        self._server: HTTPServer | None = None
        self.loader = tornado.template.Loader(
            str(HERE / "templates"), autoescape="xhtml_escape", whitespace="oneline"
        )
        self.watcher = Watcher(self._mark)
        # The open event streams: a stop ends each one cleanly before closing connections.
        self.streams: set[asyncio.Event] = set()
        self._render_lock = asyncio.Lock()
        self._rendered: tuple[str, str] | None = None

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        """Whether the server is listening."""
        return self._server is not None

    def start(self, services: Services) -> None:
        """Listens on DASHBOARD_LISTEN:DASHBOARD_PORT; logs (and serves nothing) if it cannot.

        The dashboard is a view: a port that cannot be had must not keep the bot from taking
        reports, so this logs an error instead of stopping start-up, and /dasbor says so.
        """
        self.services, self.repo = services, DashboardRepo(services.db)
        settings = self.settings
        try:
            listening = _listen(settings.dashboard_listen, settings.dashboard_port)
        except OSError as exc:
            logger.error(
                "Dashboard not started: cannot listen on %s:%s (%s); set DASHBOARD_LISTEN or "
                "DASHBOARD_PORT",
                settings.dashboard_listen,
                settings.dashboard_port,
                exc.strerror or exc,
            )
            return
        self.port = int(listening.getsockname()[1])
        server = HTTPServer(
            self._application(),
            max_body_size=MAX_BODY,
            body_timeout=30,
            idle_connection_timeout=60,
        )
        server.add_sockets([listening])
        self._server = server
        logger.info(
            "Dashboard at %s/dasbor (listening on %s:%s)",
            self.public_url,
            settings.dashboard_listen,
            self.port,
        )

    async def stop(self) -> None:
        """Stops listening and closes every open screen's connection."""
        server, self._server = self._server, None
        if server is None:
            return
        server.stop()
        for stream in self.streams:
            stream.set()
        for _ in range(3):  # let each stream write its end
            await asyncio.sleep(0)
        self.watcher.stop()
        await server.close_all_connections()

    @property
    def public_url(self) -> str:
        """Where people open the dashboard: DASHBOARD_URL, else the local address."""
        if self.settings.dashboard_url:
            return self.settings.dashboard_url
        host = self.settings.dashboard_listen
        if host in ("0.0.0.0", "", "::"):  # noqa: S104 - naming the wildcard, not binding it
            host = "127.0.0.1"
        if ":" in host:
            host = f"[{host}]"
        return f"http://{host}:{self.port}"

    @property
    def secure(self) -> bool:
        """Whether people reach it over https (then its cookie is Secure)."""
        return (self.settings.dashboard_url or "").startswith("https://")

    def _application(self) -> tornado.web.Application:
        options = {"dashboard": self}
        return tornado.web.Application(
            [
                (r"/", tornado.web.RedirectHandler, {"url": BASE}),
                (rf"{BASE}/?", PageHandler, options),
                (rf"{BASE}/masuk", SigninPageHandler, options),
                (rf"{BASE}/api/signin", SigninHandler, options),
                (rf"{BASE}/api/miniapp", MiniAppHandler, options),
                (rf"{BASE}/api/content", ContentHandler, options),
                (rf"{BASE}/api/events", EventsHandler, options),
                (rf"{BASE}/api/signout", SignoutHandler, options),
                (
                    rf"{BASE}/static/(dasbor\.(?:js|css))",
                    StaticHandler,
                    {"path": str(HERE / "static")},
                ),
            ],
            transforms=[Compress],
            log_function=_log_request,
        )

    # --- sign-ins -----------------------------------------------------------------------------

    def _services(self) -> tuple[Services, DashboardRepo]:
        if self.services is None or self.repo is None:
            raise RuntimeError("the dashboard is not started")
        return self.services, self.repo

    async def new_link(self, user_id: int) -> str:
        """A one-time sign-in link for this koordinator or admin."""
        services, repo = self._services()
        secret = new_secret()
        await repo.add_link(user_id, secret, services.clock(), LINK_VALID)
        return f"{self.public_url}{BASE}/masuk#{secret}"

    async def authorize(self, secret: str | None) -> Viewer | None:
        """The viewer a sign-in secret stands for, if it is valid and its person may still see
        the dashboard (an active koordinator or admin); otherwise None."""
        if not secret or len(secret) > MAX_SECRET:
            return None
        services, repo = self._services()
        signin = await repo.signin(secret, services.clock())
        if signin is None:
            return None
        member = await services.members.get(signin.user_id)
        bootstrap = services.is_bootstrap_admin(signin.user_id)
        if access_of(member, bootstrap_admin=bootstrap) not in STAFF:
            await repo.end_all(signin.user_id)
            return None
        return Viewer(signin.user_id, member.name if member else None, signin)

    async def redeem_link(self, link: str) -> tuple[str, Signin] | None:
        """A session for a valid, unused link (which is then used up)."""
        if not link or len(link) > MAX_SECRET:
            return None
        services, repo = self._services()
        session = new_secret()
        signin = await repo.redeem_link(link, session, services.clock(), SIGNIN_LASTS)
        if signin is None or await self.authorize(session) is None:
            return None
        logger.info("Dashboard: user %s signed in with a link", signin.user_id)
        return session, signin

    async def miniapp_signin(self, init_data: str) -> tuple[str, Signin] | None:
        """A Mini App token for a valid initData of a koordinator or admin."""
        services, repo = self._services()
        user = verify_init_data(init_data, self._token, services.clock())
        if user is None:
            return None
        member = await services.members.get(user.user_id)
        bootstrap = services.is_bootstrap_admin(user.user_id)
        if access_of(member, bootstrap_admin=bootstrap) not in STAFF:
            return None
        token = new_secret()
        signin = await repo.add_miniapp(user.user_id, token, services.clock(), SIGNIN_LASTS)
        logger.info("Dashboard: user %s signed in from the Mini App", user.user_id)
        return token, signin

    async def sign_out(self, secret: str) -> None:
        """Ends a sign-in."""
        services, repo = self._services()
        if secret and len(secret) <= MAX_SECRET:
            await repo.end(secret, services.clock())

    # --- content ------------------------------------------------------------------------------

    async def _mark(self) -> str:
        services, repo = self._services()
        numbers = await repo.change_mark(services.clock() - ARAHAN_WINDOW)
        return ".".join([*map(str, numbers), f"{services.now():%Y%m%d%H%M}"])

    async def content(self) -> tuple[str, str]:
        """(mark, HTML) of the content as of now; rendered once per mark for every screen."""
        mark = await self._mark()
        async with self._render_lock:
            if self._rendered is not None and self._rendered[0] == mark:
                return self._rendered
            services, repo = self._services()
            moment = await load_moment(services, repo)
            parts = [
                self.render(
                    "header.html",
                    mark=mark,
                    district=services.region.district,
                    now=moment.now,
                    counts=moment.snapshot.condition_counts,
                )
            ]
            for section in SECTIONS:
                values = await section.load(moment)
                parts.append(self.render(f"{section.name}.html", now=moment.now, **values))
            self._rendered = (mark, "".join(parts))
            return self._rendered

    def render(self, template: str, **values: Any) -> str:
        """A template, with the text catalogue and time helpers at hand."""
        tz = self.settings.timezone

        def local(moment: datetime) -> datetime:
            return moment.astimezone(tz)

        page = self.loader.load(template)
        return page.generate(t=labels, emoji=LEVEL_EMOJI, local=local, **values).decode()


class Compress(tornado.web.GZipContentEncoding):
    """Gzip for pages and content, never for an event stream (each event leaves as written)."""

    def _compressible_type(self, ctype: str) -> bool:
        return ctype != "text/event-stream" and super()._compressible_type(ctype)


def _listen(host: str, port: int) -> socket.socket:
    """A listening socket (tornado's bind_sockets leaves the socket open when bind fails)."""
    family, kind, proto, _, address = socket.getaddrinfo(
        host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
    )[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setblocking(False)
        sock.bind(address)
        sock.listen(128)
    except OSError:
        sock.close()
        raise
    return sock


def _log_request(handler: tornado.web.RequestHandler) -> None:
    """Quiet for what every open screen does each minute; louder for what needs a look."""
    status = handler.get_status()
    level = logging.DEBUG if status < 400 else logging.INFO if status < 500 else logging.ERROR
    logger.log(
        level,
        "%s %s %s %.1f ms",
        status,
        handler.request.method,
        handler.request.path,
        1000 * handler.request.request_time(),
    )


class DashboardHandler(tornado.web.RequestHandler):
    """Common to every route: headers, the sign-in, errors without details."""

    def initialize(self, dashboard: Dashboard) -> None:
        """Receives the dashboard."""
        self.dashboard = dashboard

    def set_default_headers(self) -> None:
        """Strict headers on every answer."""
        self.clear_header("Server")
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Referrer-Policy", "no-referrer")
        self.set_header("Cache-Control", "no-store")

    def write_error(self, status_code: int, **kwargs: Any) -> None:
        """A status line, never a traceback."""
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.finish(f"{status_code} {HTTPStatus(status_code).phrase}\n")

    def secret(self) -> str | None:
        """The sign-in secret the request carries: a Mini App's bearer token or the cookie."""
        header = self.request.headers.get("Authorization", "")
        if header.startswith("Bearer "):
            return header.removeprefix("Bearer ").strip() or None
        return self.get_cookie(COOKIE)

    async def viewer(self) -> Viewer | None:
        """The signed-in viewer, or None."""
        try:
            return await self.dashboard.authorize(self.secret())
        except sqlite3.Error:
            logger.exception("Dashboard: sign-in not checked")
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE) from None

    async def require_viewer(self) -> Viewer:
        """The signed-in viewer; 401 without one."""
        viewer = await self.viewer()
        if viewer is None:
            raise tornado.web.HTTPError(HTTPStatus.UNAUTHORIZED)
        return viewer

    def json_body(self) -> dict[str, Any]:
        """The JSON object a same-origin script posted; 400 for anything else.

        Only script can send `application/json`, and a cross-site page could only do so after
        a CORS preflight this server never allows; a browser's Sec-Fetch-Site says the rest.
        """
        kind = self.request.headers.get("Content-Type", "").split(";")[0].strip().lower()
        site = self.request.headers.get("Sec-Fetch-Site", "same-origin")
        if kind != "application/json" or site not in ("same-origin", "none"):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        try:
            body = json.loads(self.request.body)
        except ValueError:
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST) from None
        if not isinstance(body, dict):
            raise tornado.web.HTTPError(HTTPStatus.BAD_REQUEST)
        return body

    def page(self, template: str, **values: Any) -> None:
        """Sends a whole page."""
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.finish(self.dashboard.render(template, **values))


class PageHandler(DashboardHandler):
    """The page; its content is rendered in when the browser has a valid session."""

    async def get(self) -> None:
        """Serves the page (wall mode with `?tampilan=dinding`)."""
        viewer = await self.viewer()
        content = (await self.dashboard.content())[1] if viewer is not None else None
        wall = self.get_query_argument("tampilan", "") == "dinding"
        self.page("page.html", viewer=viewer, content=content, wall=wall)


class SigninPageHandler(DashboardHandler):
    """The page a sign-in link opens: its script completes the sign-in."""

    def get(self) -> None:
        """Serves the sign-in page (the secret stays in the fragment, unseen here)."""
        self.page("signin.html")


class SigninHandler(DashboardHandler):
    """Exchanges a link's secret for a session cookie."""

    async def post(self) -> None:
        """204 with the cookie, or 401."""
        token = self.json_body().get("token")
        try:
            found = await self.dashboard.redeem_link(token if isinstance(token, str) else "")
        except sqlite3.Error:
            logger.exception("Dashboard: sign-in not recorded")
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE) from None
        if found is None:
            raise tornado.web.HTTPError(HTTPStatus.UNAUTHORIZED)
        session, signin = found
        # SameSite=Lax, not Strict: Telegram opens links as cross-site navigations, on which a
        # Strict cookie is not sent (the first page after the sign-in would look signed out).
        self.set_cookie(
            COOKIE,
            session,
            path=BASE,
            httponly=True,
            samesite="Lax",
            secure=self.dashboard.secure,
            max_age=int((signin.expires_at - signin.created_at).total_seconds()),
        )
        self.set_status(HTTPStatus.NO_CONTENT)
        self.finish()


class MiniAppHandler(DashboardHandler):
    """Exchanges a Mini App's initData for a token (cookies do not reach a Mini App's frame)."""

    async def post(self) -> None:
        """{"token": ..., "expires": ...}, or 401."""
        init_data = self.json_body().get("init_data")
        try:
            found = await self.dashboard.miniapp_signin(
                init_data if isinstance(init_data, str) else ""
            )
        except sqlite3.Error:
            logger.exception("Dashboard: Mini App sign-in not recorded")
            raise tornado.web.HTTPError(HTTPStatus.SERVICE_UNAVAILABLE) from None
        if found is None:
            raise tornado.web.HTTPError(HTTPStatus.UNAUTHORIZED)
        token, signin = found
        self.finish({"token": token, "expires": signin.expires_at.isoformat()})


class ContentHandler(DashboardHandler):
    """The content, for the page's script to put in place."""

    async def get(self) -> None:
        """The HTML fragment (its mark in a header); 401 without a sign-in."""
        await self.require_viewer()
        mark, html = await self.dashboard.content()
        self.set_header("Content-Type", "text/html; charset=utf-8")
        self.set_header("X-Posko-Mark", mark)
        self.finish(html)


class EventsHandler(DashboardHandler):
    """Server-Sent Events: `data: <mark>` whenever the content changed."""

    closed: asyncio.Event

    async def get(self) -> None:
        """Streams until the viewer leaves, signs out or loses access; 401 without a sign-in."""
        secret = self.secret()
        await self.require_viewer()
        self.closed = asyncio.Event()
        self.dashboard.streams.add(self.closed)
        watcher = self.dashboard.watcher
        self.set_header("Content-Type", "text/event-stream; charset=utf-8")
        self.set_header("X-Accel-Buffering", "no")  # nginx: pass each event on at once
        mark = await watcher.subscribe()
        try:
            self.write(f"retry: 3000\ndata: {mark}\n\n")
            await self.flush()
            while not self.closed.is_set():
                new = await watcher.changed(mark, KEEPALIVE, self.closed)
                if new is None:
                    if self.closed.is_set():
                        break
                    self.write(": -\n\n")
                else:
                    mark = new
                    if await self.dashboard.authorize(secret) is None:
                        self.write("event: signout\ndata: -\n\n")
                        await self.flush()
                        break
                    self.write(f"data: {mark}\n\n")
                await self.flush()
        except StreamClosedError:
            pass
        finally:
            watcher.unsubscribe()
            self.dashboard.streams.discard(self.closed)

    def on_connection_close(self) -> None:
        """Ends the stream's loop."""
        with contextlib.suppress(AttributeError):
            self.closed.set()


class SignoutHandler(DashboardHandler):
    """Ends the sign-in and forgets the cookie."""

    async def post(self) -> None:
        """204 whatever the secret was."""
        self.json_body()
        secret = self.secret()
        if secret:
            await self.dashboard.sign_out(secret)
        self.clear_cookie(COOKIE, path=BASE)
        self.set_status(HTTPStatus.NO_CONTENT)
        self.finish()


class StaticHandler(tornado.web.StaticFileHandler):
    """The script and the style sheet, with the same strict headers."""

    def set_default_headers(self) -> None:
        """Strict headers; short caching (a new version is picked up within minutes)."""
        self.clear_header("Server")
        self.set_header("Content-Security-Policy", CSP)
        self.set_header("X-Content-Type-Options", "nosniff")
        self.set_header("Cache-Control", "max-age=300")
