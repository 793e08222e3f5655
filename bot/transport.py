"""The HTTP connections to the Bot API: one aiohttp session of 48 connections, a queue in front.

How many requests must be in flight. Telegram accepts about 30 messages a second in all; a
request carries one message and takes a round trip, about 300 ms from a server in Indonesia
(200-400 ms with TLS and Telegram's own processing). 30 a second at 300 ms is 9 requests in
flight at every moment, 12 at 400 ms, plus the button answers and edits that travel beside
the messages: an arahan to everyone at 300 ms keeps about 10 copies on the wire while the
officers confirming it bring two calls each (the button's answer and the edit of their copy);
with 24 connections the copies queued behind those calls and went out at 23.8 a second. Hence
`CONNECTIONS` = 48. Requests beyond them wait their turn here, first come first served,
instead of failing with a pool timeout.

Why aiohttp and not httpx (python-telegram-bot's default). A request's CPU is what bounds the
bot on a busy day, and httpx spends most of it in its own layers (request and response models,
cookies, auth and redirect hooks) and in httpcore's pure-Python HTTP/1.1 (h11) under anyio.
Measured on this machine, one client process posting Bot API calls to a local server, 2 in
flight: httpx 0.70-0.81 ms of CPU per request, httpcore alone 0.48 ms, aiohttp (C HTTP parser,
plain asyncio) 0.18 ms. On the ingest benchmark that was about 0.9 ms of Posko's 1.7 ms per
update. httpcore's pool also looks at every connection it holds on every request
(`has_expired`, a system call on each idle one), which is why the httpx transport had to be 24
pools of 2; aiohttp's connector takes the idle connection at the head of its queue without
looking at the others, so one pool of 48 costs what one of 2 does (idle connections close
after `KEEPALIVE` seconds unused). aiohttp is a well-kept asyncio HTTP library
(the project's Bot API emulator is built on its server side), and python-telegram-bot's
`BaseRequest` is the documented way to give it another networking backend.

Why not HTTP/2, which would multiplex every request over one connection. api.telegram.org
answers HTTP/2, but the self-hosted Bot API server (tdlib's telegram-bot-api, which
`TELEGRAM_API_URL` is there for) speaks HTTP/1.0 and 1.1 only; python-telegram-bot made HTTP/2
its default in 20.0 and went back to 1.1 in 20.2 because of that and of long polls that broke
over HTTP/2 (python-telegram-bot#3556, #3576). It would also need a pure-Python framing layer
(h2) on every request, and one TCP connection whose one lost packet stalls every request on it.

Timeouts follow python-telegram-bot's (connect, read and write 5 s, 20 s to write a file; the
pool's wait is unbounded, see above). aiohttp has no timeout per write, so the write timeout
bounds the whole request together with the connect and read ones: a stalled upload ends as
`TimedOut` like any other. Failures become python-telegram-bot's `TimedOut` and
`NetworkError`, as they were with httpx, so the rest of the bot (retries, the outbox) sees no
difference; their text never quotes the URL, which holds the bot token (some of aiohttp's
errors do, and an arahan recipient's error is kept and exported). Like httpx under
python-telegram-bot: redirects are not followed (a redirected POST would arrive as a bare GET,
which Telegram answers with a 400 the bot would take for a refusal), and the proxy
(`HTTPS_PROXY`, `NO_PROXY`) and CA (`SSL_CERT_FILE`, `SSL_CERT_DIR`) settings of the
environment apply.

The transport also tells the rate limiter when a message has left (`mark_departure`): when
aiohttp has written the request's last byte to the socket (its request tracing), after any
wait here and after opening the connection when there was none. Marked as the request got its
connection instead, the first messages of a burst, each opening a connection (a TCP and a TLS
handshake, one to three round trips to Telegram), arrived at the emulator 80 ms later than the
same messages over open connections, and the window took them for earlier than they were.
"""

from __future__ import annotations

import asyncio
import io
import json
import os
import ssl
from http import HTTPStatus
from types import SimpleNamespace
from typing import Any

import aiohttp
import certifi
from telegram._utils.defaultvalue import DefaultValue
from telegram._utils.types import ODVInput
from telegram.error import NetworkError, TelegramError, TimedOut
from telegram.request import BaseRequest, RequestData

from bot.logs import redact
from bot.ratelimit import mark_departure

CONNECTIONS = 48
# A file is given time to upload at this rate (a kecamatan office's slow uplink, 1 Mbit/s),
# and never less than python-telegram-bot's 20 s for media.
SLOW_UPLINK = 128 * 1024
MEDIA_WRITE_TIMEOUT = 20.0
# Seconds an idle connection is kept open (httpx's default, which served the bot before).
KEEPALIVE = 5.0
USER_AGENT = "Posko (python-telegram-bot, aiohttp)"


async def _left(session: aiohttp.ClientSession, context: SimpleNamespace, params: object) -> None:
    """Dates the message being sent by now: its headers or a chunk of its body were written."""
    mark_departure()


def _tracing() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_request_headers_sent.append(_left)
    trace.on_request_chunk_sent.append(_left)  # the last chunk's mark stands
    return trace


def upload_timeout(size: int) -> float:
    """Seconds to allow for writing a file of `size` bytes: a 40 MB backup takes 5 minutes at
    1 Mbit/s, and a timeout cut at 20 s would send it again and again."""
    return max(MEDIA_WRITE_TIMEOUT, size / SLOW_UPLINK)


def tls_context() -> ssl.SSLContext:
    """Certificate checks as httpx made them: against `SSL_CERT_FILE` / `SSL_CERT_DIR` when set
    (a private CA in front of a self-hosted Bot API server), else certifi's CA bundle (a slim
    server image may have no system CA store)."""
    cafile, capath = os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR")
    if cafile or capath:
        return ssl.create_default_context(cafile=cafile or None, capath=capath or None)
    return ssl.create_default_context(cafile=certifi.where())


class AiohttpRequest(BaseRequest):
    """Bot API calls over one aiohttp session of `connections` connections, queued in front."""

    def __init__(
        self,
        connections: int = CONNECTIONS,
        *,
        connect_timeout: float | None = 5.0,
        read_timeout: float | None = 5.0,
        write_timeout: float | None = 5.0,
        media_write_timeout: float | None = MEDIA_WRITE_TIMEOUT,
    ) -> None:
        self._connections = max(1, connections)
        self._timeouts = (connect_timeout, read_timeout, write_timeout, media_write_timeout)
        self._session: aiohttp.ClientSession | None = None
        self._slots = asyncio.Semaphore(self._connections)
        self._busy = 0

    @property
    def read_timeout(self) -> float | None:
        """The default read timeout."""
        return self._timeouts[1]

    async def initialize(self) -> None:
        """Opens the session (connections open on first use)."""
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self._connections,
                limit_per_host=0,
                keepalive_timeout=KEEPALIVE,
                ssl=tls_context(),
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                headers={"User-Agent": USER_AGENT},
                trace_configs=[_tracing()],
                skip_auto_headers=("Accept-Encoding",),  # Bot API answers are small JSON
                raise_for_status=False,
                trust_env=True,  # HTTP(S)_PROXY and NO_PROXY, as httpx honoured them
            )

    async def shutdown(self) -> None:
        """Closes the session and its connections."""
        if self._session is not None and not self._session.closed:
            await self._session.close()

    def in_use(self) -> int:
        """Requests under way now (at most the connections)."""
        return self._busy

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        write_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        connect_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
        pool_timeout: ODVInput[float] = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Sends the request on a free connection once there is one (`pool_timeout` is not
        used: requests wait their turn); returns the status and the body."""
        session = self._session
        if session is None or session.closed:
            raise RuntimeError("AiohttpRequest is not initialized")
        connect_default, read_default, write_default, media_default = self._timeouts
        files = request_data is not None and request_data.contains_files
        connect = _given(connect_timeout, connect_default)
        read = _given(read_timeout, read_default)
        write = _given(write_timeout, media_default if files else write_default)
        timeout = aiohttp.ClientTimeout(total=None, sock_connect=connect, sock_read=read)
        overall = (
            None if connect is None or read is None or write is None else connect + read + write
        )
        async with self._slots:
            self._busy += 1
            try:
                async with asyncio.timeout(overall):
                    async with session.request(
                        method,
                        url,
                        data=_body(request_data),
                        timeout=timeout,
                        allow_redirects=False,  # a POST redirected would arrive as a bare GET
                    ) as response:
                        return response.status, await response.read()
            except TimeoutError as exc:  # aiohttp's own timeouts are TimeoutErrors too
                raise TimedOut from exc
            except aiohttp.ClientResponseError as exc:  # its text quotes the URL: the token
                raise NetworkError(
                    f"aiohttp.{type(exc).__name__}: {exc.status} {redact(exc.message)}"
                ) from exc
            except aiohttp.ClientError as exc:
                raise NetworkError(f"aiohttp.{type(exc).__name__}: {redact(str(exc))}") from exc
            except (ValueError, TypeError) as exc:  # a request aiohttp cannot send: no retry
                raise TelegramError(f"Request not sent: {type(exc).__name__}") from exc
            finally:
                self._busy -= 1


def _given(value: ODVInput[float], default: float | None) -> float | None:
    """A timeout passed to a call, or this transport's default when none was."""
    return default if isinstance(value, DefaultValue) else value


def _body(request_data: RequestData | None) -> aiohttp.FormData | dict[str, str] | None:
    """The parameters form-encoded, or as multipart with the files to upload."""
    if request_data is None:
        return None
    fields = request_data.json_parameters
    if not request_data.contains_files:
        return fields
    form = aiohttp.FormData(quote_fields=False)
    for name, value in fields.items():
        form.add_field(name, value)
    for name, (filename, content, mimetype) in request_data.multipart_data.items():
        # Bytes as a stream: sent in chunks (aiohttp warns that a large bytes body blocks).
        body = io.BytesIO(content) if isinstance(content, bytes) else content
        form.add_field(name, body, filename=filename, content_type=mimetype)
    return form


class UpdatesRequest(AiohttpRequest):
    """The getUpdates connection; keeps each fetched update's JSON as Telegram sent it.

    The inbox stores updates before they are confirmed; taking Telegram's own JSON spares
    serializing every parsed Update back to JSON.
    """

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(connections=1, **kwargs)
        self._fetched: dict[int, str] = {}

    async def do_request(self, *args: Any, **kwargs: Any) -> tuple[int, bytes]:
        """Fetches updates and keeps their JSON for `take_json`."""
        code, payload = await super().do_request(*args, **kwargs)
        self._fetched = {}
        if code == HTTPStatus.OK:
            try:
                result = json.loads(payload)["result"]
                self._fetched = {int(u["update_id"]): json.dumps(u) for u in result}
            except (ValueError, TypeError, KeyError):
                pass  # not a getUpdates answer; the caller serializes updates itself
        return code, payload

    def take_json(self, update_id: int) -> str | None:
        """The JSON of update `update_id` from the last fetch, if it came in it."""
        return self._fetched.pop(update_id, None)
