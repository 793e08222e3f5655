"""A fake Telegram Bot API over HTTP on 127.0.0.1, driven by tests.

The bot under test talks to it exactly as it talks to Telegram (python-telegram-bot's own HTTP
stack). Tests inject updates as users and inspect what the bot sent. The fake rejects what
Telegram rejects: malformed HTML, empty or too long texts, callback data over 64 bytes, unknown
chats, and (when enabled) flood limits.

FakeTelegram is one object built as a stack of layers, one module each, every layer using only
the ones below it:

    emulator/state.py    TelegramState    chats, messages, ids, files, the update queue
    emulator/faults.py   FaultInjection   flood limits, fail_next, chaos, hang/resume
    emulator/methods.py  BotApiMethods    the api_<method> handlers and their validation
    emulator/server.py   FakeTelegram     HTTP: the aiohttp app, routing, the token, start/stop

with emulator/model.py (JSON, SentMessage, ApiCall, ApiError) under all of them and
emulator/people.py (FakeUser, FakeChat) on the test side. A stack rather than side-by-side
mixins: each layer then sees the attributes of those below it without stubs (mypy strict checks
every use), and the direction of the dependencies is the order of the bases. This module also
re-exports the names tests and benchmarks import from `emulator.server`.
"""

from __future__ import annotations

import json

from aiohttp import web

from emulator.faults import FaultInjection, FloodLimits, _FloodControl
from emulator.methods import (
    CALLBACK_ANSWER_WINDOW,
    CALLBACK_DATA_LIMIT,
    CAPTION_LIMIT,
    TEXT_LIMIT,
    BotApiMethods,
)
from emulator.model import ApiCall, ApiError, JsonDict, SentMessage, bad_request, utf16_len
from emulator.people import FakeChat, FakeUser, captioned
from emulator.state import DEFAULT_TOKEN, TelegramState

__all__ = [
    "CALLBACK_ANSWER_WINDOW",
    "CALLBACK_DATA_LIMIT",
    "CAPTION_LIMIT",
    "TEXT_LIMIT",
    "ApiCall",
    "ApiError",
    "BotApiMethods",
    "FakeChat",
    "FakeTelegram",
    "FakeUser",
    "FaultInjection",
    "FloodLimits",
    "JsonDict",
    "SentMessage",
    "TelegramState",
    "_FloodControl",
    "bad_request",
    "captioned",
    "utf16_len",
]

# The largest upload Telegram takes from a bot (sendDocument and the like).
UPLOAD_LIMIT = 50 * 1024 * 1024
# Parameters whose values are plain strings; every other form value is JSON (as PTB sends it).
_STRING_PARAMS = {
    "text", "caption", "parse_mode", "callback_query_id", "url", "file_id", "description",
    "short_description", "title", "question", "emoji", "business_connection_id",
}  # fmt: skip


class FakeTelegram(BotApiMethods):
    """The fake Bot API server and the state of its little Telegram world."""

    def __init__(
        self, token: str = DEFAULT_TOKEN, *, latency: float = 0.0, jitter: float = 0.0
    ) -> None:
        """`latency`: seconds of every call's round trip (see `set_latency`)."""
        super().__init__(token)
        self.set_latency(latency, jitter)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- server lifecycle -----------------------------------------------------------------

    @property
    def url(self) -> str:
        """The API root to put in TELEGRAM_API_URL."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self, port: int = 0) -> None:
        """Starts listening on 127.0.0.1 (an ephemeral port unless given; the world is kept, so
        stop() then start(port) is a network outage)."""
        self._closing = False
        # Telegram takes uploads of up to 50 MB from a bot (aiohttp's own default is 1 MB).
        app = web.Application(client_max_size=UPLOAD_LIMIT)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_get("/file/bot{token}/{path:.+}", self._download)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        sockets = getattr(site._server, "sockets", None)
        if not sockets:
            raise RuntimeError("fake Bot API did not bind")
        self.port = int(sockets[0].getsockname()[1])

    async def stop(self) -> None:
        """Ends pending long polls and stops the server."""
        self._closing = True
        self._released.set()
        async with self._changed:
            self._changed.notify_all()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    # --- the HTTP API -----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        far = bool(self.latency or self.jitter)  # on the loopback, not even an extra await
        if far:
            await self._travel()  # on its way to Telegram
        await self._hold_if_hanging(request)
        try:
            response = await self._answer(request)
        except ConnectionResetError:  # the bot went away while its request travelled
            return web.Response(status=499)
        await self._hold_if_hanging(request)  # a request under way when the API stopped answering
        if far:
            await self._travel()  # the answer on its way back
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._read_params(request)
        chaos = await self._chaos_fault(request)
        if chaos is not None:
            return chaos
        handler = getattr(self, "api_" + method[:1].lower() + method[1:], None)
        for observer in self.observers:
            observer(method, params)
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            self._injected_failure(method, params)
            result = await handler(params)
        except ApiError as exc:
            self.calls.append(ApiCall(method, params, ok=False, error=exc.description))
            await self._notify()
            body: JsonDict = {
                "ok": False,
                "error_code": exc.code,
                "description": exc.description,
            }
            if exc.parameters:
                body["parameters"] = exc.parameters
            return web.json_response(body, status=exc.code)
        if method != "getUpdates":
            self.calls.append(ApiCall(method, params, ok=True))
        await self._notify()
        return web.json_response({"ok": True, "result": result})

    async def _download(self, request: web.Request) -> web.Response:
        await self._travel()
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return web.Response(status=404)
        await self._travel()
        return web.Response(body=self.files[file_id])

    @staticmethod
    async def _read_params(request: web.Request) -> JsonDict:
        if request.content_type == "application/json":
            data = await request.json()
            return dict(data) if isinstance(data, dict) else {}
        params: JsonDict = dict(request.query)
        form = await request.post()
        for key, value in form.items():
            if isinstance(value, web.FileField):
                params[key] = {"filename": value.filename, "content": value.file.read()}
            elif key in _STRING_PARAMS:
                params[key] = value
            else:
                try:
                    params[key] = json.loads(value)
                except ValueError:
                    params[key] = value
        return params
