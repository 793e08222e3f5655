"""A fake Telegram Bot API over HTTP on 127.0.0.1, driven by tests.

The bot under test talks to it exactly as it talks to Telegram (python-telegram-bot's own HTTP
stack). Tests inject updates as users and inspect what the bot sent. The fake rejects what
Telegram rejects: malformed HTML, empty or too long texts, callback data over 64 bytes, unknown
chats, and (when enabled) flood limits.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import random
import re
import time
from collections import defaultdict, deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from emulator.html import HtmlParseError, parse_html

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# Telegram expects a callback query to be answered within about 15 seconds.
CALLBACK_ANSWER_WINDOW = 15.0
# Parameters whose values are plain strings; every other form value is JSON (as PTB sends it).
_STRING_PARAMS = {
    "text", "caption", "parse_mode", "callback_query_id", "url", "file_id", "description",
    "short_description", "title", "question", "emoji", "business_connection_id",
}  # fmt: skip

JsonDict = dict[str, Any]


class ApiError(Exception):
    """An error answer of the Bot API."""

    def __init__(self, code: int, description: str, parameters: JsonDict | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters


def bad_request(description: str) -> ApiError:
    """A 400 answer."""
    return ApiError(400, f"Bad Request: {description}")


def captioned(caption: str) -> JsonDict:
    """A caption with the command entity Telegram adds when it starts with a command."""
    fields: JsonDict = {"caption": caption}
    if caption.startswith("/"):
        command = caption.split(maxsplit=1)[0]
        fields["caption_entities"] = [
            {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        ]
    return fields


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units, as Telegram counts."""
    return len(text.encode("utf-16-le")) // 2


@dataclass
class ApiCall:
    """One request the bot made, with the answer it got."""

    method: str
    params: JsonDict
    ok: bool
    error: str | None = None


@dataclass
class SentMessage:
    """A message the bot sent (its latest state, after edits)."""

    chat_id: int
    message_id: int
    kind: str
    text: str
    html: str | None
    reply_markup: JsonDict | None
    date: int
    params: JsonDict
    edits: int = 0
    deleted: bool = False

    def buttons(self) -> list[JsonDict]:
        """The inline buttons, row by row flattened."""
        if not self.reply_markup:
            return []
        rows = self.reply_markup.get("inline_keyboard", [])
        return [button for row in rows for button in row]

    def button_texts(self) -> list[str]:
        """The labels of the inline buttons."""
        return [button["text"] for button in self.buttons()]


@dataclass
class FloodLimits:
    """Telegram's documented limits: 20 per group per minute and 30 a second overall."""

    group_messages: int = 20
    group_window: float = 60.0
    global_per_second: int = 30
    private_per_second: int | None = None


class _FloodControl:
    def __init__(self, limits: FloodLimits) -> None:
        self.limits = limits
        self._global: deque[float] = deque()
        self._per_chat: dict[int, deque[float]] = defaultdict(deque)

    def check(self, chat_id: int) -> int | None:
        """Records a send to `chat_id` at now; returns retry_after seconds when over a limit."""
        now = time.monotonic()
        windows = [(self._global, 1.0, self.limits.global_per_second)]
        if chat_id < 0:
            windows.append(
                (self._per_chat[chat_id], self.limits.group_window, self.limits.group_messages)
            )
        elif self.limits.private_per_second is not None:
            windows.append((self._per_chat[chat_id], 1.0, self.limits.private_per_second))
        for window, span, limit in windows:
            while window and window[0] <= now - span:
                window.popleft()
            if len(window) >= limit:
                return max(1, int(window[0] + span - now + 0.999))
        for window, _, _ in windows:
            window.append(now)
        return None


class FakeChat:
    """A chat known to the fake (a private chat with a user, or a group)."""

    def __init__(self, server: FakeTelegram, chat: JsonDict) -> None:
        self.server = server
        self.data = chat

    @property
    def id(self) -> int:
        """The chat id."""
        return int(self.data["id"])

    @property
    def messages(self) -> list[SentMessage]:
        """Messages the bot sent here (not deleted), oldest first."""
        return [m for m in self.server.sent if m.chat_id == self.id and not m.deleted]

    def texts(self) -> list[str]:
        """Plain texts of the bot's messages here."""
        return [m.text for m in self.messages]

    def last_message(self) -> SentMessage:
        """The newest message the bot sent here; fails the test when there is none."""
        messages = self.messages
        if not messages:
            raise AssertionError(f"the bot sent nothing to chat {self.id}")
        return messages[-1]

    async def wait_for_messages(self, count: int, timeout: float = 10.0) -> list[SentMessage]:
        """Waits until the bot has sent at least `count` messages here."""
        await self.server.wait_until(lambda: len(self.messages) >= count, timeout)
        return self.messages


class FakeUser:
    """A Telegram user who talks to the bot."""

    def __init__(self, server: FakeTelegram, user: JsonDict) -> None:
        self.server = server
        self.data = user
        self.chat = server.chats[user["id"]]

    @property
    def id(self) -> int:
        """The user id (also the id of the private chat)."""
        return int(self.data["id"])

    @property
    def messages(self) -> list[SentMessage]:
        """Messages the bot sent to this user's private chat."""
        return self.chat.messages

    def last_message(self) -> SentMessage:
        """The newest message the bot sent this user."""
        return self.chat.last_message()

    def texts(self) -> list[str]:
        """Plain texts of the bot's messages to this user."""
        return self.chat.texts()

    async def send(
        self, text: str, chat: FakeChat | None = None, *, wait: bool = True, **extra: Any
    ) -> JsonDict:
        """Sends a text message (commands get their entity) and waits until it is handled."""
        target = chat or self.chat
        message = self.server.new_message(target, self.data, text=text, **extra)
        return await self.server.push_update({"message": message}, wait=wait)

    async def send_document(
        self, content: bytes, file_name: str, caption: str | None = None, *,
        mime_type: str = "text/csv", chat: FakeChat | None = None, wait: bool = True,
        reply_to: JsonDict | None = None, size: int | None = None,
    ) -> JsonDict:  # fmt: skip
        """Uploads a document (optionally with a caption, which may be a command)."""
        target = chat or self.chat
        document = {**self.server.add_file(content), "file_name": file_name,
                    "mime_type": mime_type}  # fmt: skip
        if size is not None:
            document["file_size"] = size
        message = self.server.new_message(target, self.data, text="", document=document)
        del message["text"]
        if caption:
            message.update(captioned(caption))
        if reply_to is not None:
            message["reply_to_message"] = reply_to
        return await self.server.push_update({"message": message}, wait=wait)

    async def send_photo(
        self, caption: str | None = None, *, chat: FakeChat | None = None, wait: bool = True
    ) -> JsonDict:
        """Sends a photo (Telegram delivers several sizes; the last is the largest)."""
        target = chat or self.chat
        sizes = [
            {**self.server.add_file(b"\xff\xd8small"), "width": 90, "height": 90},
            {**self.server.add_file(b"\xff\xd8large"), "width": 1280, "height": 960},
        ]
        message = self.server.new_message(target, self.data, text="", photo=sizes)
        del message["text"]
        if caption:
            message.update(captioned(caption))
        return await self.server.push_update({"message": message}, wait=wait)

    async def share_location(
        self, latitude: float, longitude: float, *, wait: bool = True
    ) -> JsonDict:
        """Shares a location (as the location button does)."""
        location = {"latitude": latitude, "longitude": longitude}
        message = self.server.new_message(self.chat, self.data, text="", location=location)
        del message["text"]
        return await self.server.push_update({"message": message}, wait=wait)

    async def send_other(self, kind: str, *, wait: bool = True) -> JsonDict:
        """Sends a sticker, voice note or similar (`kind` is the message field)."""
        payloads: dict[str, JsonDict] = {
            "sticker": {"width": 512, "height": 512, "is_animated": False, "is_video": False,
                        "type": "regular"},
            "voice": {"duration": 3},
        }  # fmt: skip
        body = {**self.server.add_file(b"blob"), **payloads.get(kind, {})}
        message = self.server.new_message(self.chat, self.data, text="", **{kind: body})
        del message["text"]
        return await self.server.push_update({"message": message}, wait=wait)

    async def share_contact(
        self, phone: str, *, user_id: int | None = None, wait: bool = True
    ) -> JsonDict:
        """Shares a contact (by default the user's own, as the contact button does)."""
        contact = {"phone_number": phone, "first_name": self.data["first_name"],
                   "user_id": self.id if user_id is None else user_id}  # fmt: skip
        message = self.server.new_message(self.chat, self.data, text="", contact=contact)
        del message["text"]
        return await self.server.push_update({"message": message}, wait=wait)

    async def press(
        self, label: str, message: SentMessage | None = None, *, wait: bool = True
    ) -> JsonDict:
        """Presses the inline button labelled `label` on `message` (default: the last one)."""
        message = message or self.last_message()
        for button in message.buttons():
            if button["text"] == label and "callback_data" in button:
                return await self.press_data(button["callback_data"], message, wait=wait)
        raise AssertionError(f"no button {label!r} in {message.button_texts()}")

    async def press_data(self, data: str, message: SentMessage, *, wait: bool = True) -> JsonDict:
        """Sends a callback query with arbitrary (possibly forged) data."""
        query_id = str(next(self.server.ids))
        self.server.query_times[query_id] = time.monotonic()
        query = {
            "id": query_id,
            "from": self.data,
            "chat_instance": str(message.chat_id),
            "data": data,
            "message": self.server.message_json(message),
        }
        return await self.server.push_update({"callback_query": query}, wait=wait)


class FakeTelegram:
    """The fake Bot API server and the state of its little Telegram world."""

    def __init__(self, token: str = "123456:TEST-token-for-posko-tests-0123456789") -> None:
        self.token = token
        self.bot_user = {
            "id": int(token.split(":")[0]),
            "is_bot": True,
            "first_name": "Posko",
            "username": "PoskoTestBot",
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
        }
        self.chats: dict[int, FakeChat] = {}
        self.sent: list[SentMessage] = []
        self.calls: list[ApiCall] = []
        self.commands: dict[str, list[JsonDict]] = {}
        self.callback_answers: dict[str, JsonDict] = {}
        self.query_times: dict[str, float] = {}
        self.not_started: set[int] = set()
        self.blocked: set[int] = set()
        self.files: dict[str, bytes] = {}
        self.webhook: JsonDict | None = None
        self.migrated: dict[int, int] = {}
        self.rejected_429 = 0
        # [method, status, description, count, skip, retry_after]
        self._failures: list[list[Any]] = []
        self._chaos: tuple[random.Random, float, tuple[str, ...], float] | None = None
        self.chaos_faults: dict[str, int] = defaultdict(int)
        self.flood: _FloodControl | None = None
        self.settle: Callable[[], Awaitable[None]] | None = None
        # Called with (method, params) before each request is answered; tests use it to look at
        # the world (e.g. the database) at the moment the bot sends something.
        self.observers: list[Callable[[str, JsonDict], None]] = []
        self.ids = itertools.count(1)
        self._last_message_id: dict[int, int] = {}
        self.deleted_ids: dict[int, set[int]] = defaultdict(set)
        self._update_ids = itertools.count(1000)
        self._pending: list[JsonDict] = []
        self._confirmed = 0
        self._dropped: set[int] = set()
        self._changed = asyncio.Condition()
        self._closing = False
        self._hanging = False
        self._released = asyncio.Event()
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
        app = web.Application()
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

    def hang(self) -> None:
        """Stops answering, like an API whose network went away without closing connections.

        Requests under way and every request from now on are held open, unanswered, until the
        server stops.
        """
        self._hanging = True
        self._released.clear()

    def resume(self) -> None:
        """Answers again; the requests held meanwhile are dropped without an answer."""
        self._hanging = False
        self._released.set()

    async def _hold_if_hanging(self, request: web.Request) -> None:
        if self._hanging:
            await self._released.wait()
            if request.transport is not None:
                request.transport.abort()

    def fail_next(
        self, method: str, status: int = 500, description: str = "Internal Server Error",
        count: int = 1, skip: int = 0, retry_after: int | None = None,
        chat_id: int | None = None,
    ) -> None:  # fmt: skip
        """Answers `count` calls of `method` (to `chat_id` only, if given) with an error, after
        `skip` successful ones."""
        self._failures.append([method, status, description, count, skip, retry_after, chat_id])

    def enable_chaos(
        self,
        rate: float,
        *,
        seed: int = 0,
        kinds: tuple[str, ...] = ("500", "502", "drop", "429"),
        stall: float = 0.0,
    ) -> None:
        """Makes a share of calls fail the way a bad network or a busy Telegram does.

        Failed calls are never carried out: "500"/"502" answer an error, "429" a flood wait,
        "drop" closes the connection without an answer, "stall" (if listed) holds the request
        for `stall` seconds and then drops it.
        """
        self._chaos = (random.Random(seed), rate, kinds, stall) if rate > 0 else None

    def migrate_group(self, old_id: int, new_id: int) -> FakeChat:
        """The group becomes a supergroup: sends to the old id fail with migrate_to_chat_id."""
        new_chat = self.add_group(new_id, self.chats[old_id].data.get("title", "Grup"))
        self.migrated[old_id] = new_id
        return new_chat

    def enable_flood_limits(self, limits: FloodLimits | None = None) -> None:
        """Answers 429 with retry_after when the bot exceeds Telegram's limits."""
        self.flood = _FloodControl(limits or FloodLimits())

    # --- the world ------------------------------------------------------------------------

    def add_user(
        self, user_id: int, first_name: str = "Petugas", username: str | None = None,
        *, started: bool = True,
    ) -> FakeUser:  # fmt: skip
        """Adds a user; `started=False`: they never pressed Start (the bot cannot write first)."""
        if not started:
            self.not_started.add(user_id)
        user: JsonDict = {"id": user_id, "is_bot": False, "first_name": first_name}
        if username:
            user["username"] = username
        self.chats[user_id] = FakeChat(
            self, {"id": user_id, "type": "private", "first_name": first_name}
        )
        return FakeUser(self, user)

    def add_group(self, chat_id: int, title: str = "Posko Koordinasi") -> FakeChat:
        """Adds a (super)group the bot is a member of."""
        if chat_id >= 0:
            raise ValueError("group ids are negative")
        kind = "supergroup" if str(chat_id).startswith("-100") else "group"
        chat = FakeChat(self, {"id": chat_id, "type": kind, "title": title})
        self.chats[chat_id] = chat
        return chat

    def peek_message_id(self, chat_id: int) -> int:
        """The id the next message in this chat will get."""
        return self._last_message_id.get(chat_id, 0) + 1

    def next_message_id(self, chat_id: int) -> int:
        """Message ids count per chat, shared by users and the bot."""
        self._last_message_id[chat_id] = self.peek_message_id(chat_id)
        return self._last_message_id[chat_id]

    def delete_user_message(self, chat_id: int, message_id: int) -> None:
        """A user deleted one of their messages (replies to it then fail)."""
        self.deleted_ids[chat_id].add(message_id)

    def new_message(
        self, chat: FakeChat, sender: JsonDict, *, text: str, **extra: Any
    ) -> JsonDict:
        """Builds the JSON of a message a user sends (writing to the bot counts as Start)."""
        self.not_started.discard(int(sender["id"]))
        message: JsonDict = {
            "message_id": self.next_message_id(chat.id),
            "from": sender,
            "chat": chat.data,
            "date": int(time.time()),
            "text": text,
        }
        if text.startswith("/"):
            command = text.split(maxsplit=1)[0]
            message["entities"] = [
                {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
            ]
        message.update(extra)
        return message

    def message_json(self, message: SentMessage) -> JsonDict:
        """The JSON Telegram would return for a message the bot sent."""
        data: JsonDict = {
            "message_id": message.message_id,
            "from": self.bot_user,
            "chat": self.chats[message.chat_id].data,
            "date": message.date,
        }
        if message.kind == "text":
            data["text"] = message.text
        else:
            data[message.kind] = message.params.get(message.kind + "_json", {})
            if message.text:
                data["caption"] = message.text
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup  # Telegram echoes inline keyboards only
        return data

    # --- updates ---------------------------------------------------------------------------

    async def push_update(self, payload: JsonDict, *, wait: bool = True) -> JsonDict:
        """Queues an update; with `wait`, returns once the bot has fetched and handled it."""
        update = {"update_id": next(self._update_ids), **payload}
        async with self._changed:
            self._pending.append(update)
            self._changed.notify_all()
        if wait:
            await self.wait_confirmed(update["update_id"])
            if self.settle is not None:
                await self.settle()
        return update

    async def wait_confirmed(self, update_id: int, timeout: float = 10.0) -> None:
        """Waits until the bot confirmed `update_id` (asked for a higher offset)."""
        await self.wait_until(
            lambda: self._confirmed > update_id or update_id in self._dropped, timeout
        )

    async def wait_until(self, predicate: Callable[[], bool], timeout: float = 10.0) -> None:
        """Waits until `predicate()` holds, re-checking whenever the fake's state changes."""
        async with asyncio.timeout(timeout), self._changed:
            await self._changed.wait_for(predicate)

    @property
    def pending_updates(self) -> list[JsonDict]:
        """Updates not yet confirmed by the bot."""
        return list(self._pending)

    # --- the HTTP API -----------------------------------------------------------------------

    async def _handle(self, request: web.Request) -> web.Response:
        await self._hold_if_hanging(request)
        response = await self._answer(request)
        await self._hold_if_hanging(request)  # a request under way when the API stopped answering
        return response

    async def _answer(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.json_response(
                {"ok": False, "error_code": 401, "description": "Unauthorized"}, status=401
            )
        method = request.match_info["method"]
        params = await self._read_params(request)
        if self._chaos is not None:
            rng, rate, kinds, stall = self._chaos
            if rng.random() < rate:
                kind = rng.choice(kinds)
                self.chaos_faults[kind] += 1
                if kind in ("500", "502"):
                    status = int(kind)
                    return web.json_response(
                        {"ok": False, "error_code": status, "description": "Chaos"}, status=status
                    )
                if kind == "429":
                    return web.json_response(
                        {"ok": False, "error_code": 429, "description": "Too Many Requests: "
                         "retry after 1", "parameters": {"retry_after": 1}}, status=429,
                    )  # fmt: skip
                if kind == "stall":
                    await asyncio.sleep(stall)
                if request.transport is not None:
                    request.transport.abort()  # "drop" (and a stall's end): no answer at all
                return web.Response(status=500)
        handler = getattr(self, "api_" + method[:1].lower() + method[1:], None)
        for observer in self.observers:
            observer(method, params)
        try:
            if handler is None:
                raise ApiError(404, "Not Found")
            for failure in self._failures:
                if failure[0] != method or (
                    failure[6] is not None and str(params.get("chat_id")) != str(failure[6])
                ):
                    continue
                if failure[4] > 0:
                    failure[4] -= 1
                    break
                failure[3] -= 1
                if failure[3] == 0:
                    self._failures.remove(failure)
                extra = {"retry_after": failure[5]} if failure[5] is not None else None
                raise ApiError(failure[1], failure[2], extra)
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
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        file_id = request.match_info["path"].rsplit("/", 1)[-1]
        if file_id not in self.files:
            return web.Response(status=404)
        return web.Response(body=self.files[file_id])

    def add_file(self, content: bytes) -> JsonDict:
        """Stores a file as if a user had uploaded it; returns its file_id fields."""
        file_id = f"file-{next(self.ids)}"
        self.files[file_id] = content
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(content)}

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

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

    # --- validation helpers -----------------------------------------------------------------

    def _chat(self, params: JsonDict) -> FakeChat:
        chat_id = params.get("chat_id")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if not isinstance(chat_id, int) or chat_id not in self.chats:
            raise bad_request("chat not found")
        if chat_id in self.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        if chat_id in self.not_started:
            raise ApiError(403, "Forbidden: bot can't initiate conversation with a user")
        if chat_id in self.migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self.migrated[chat_id]},
            )
        return self.chats[chat_id]

    @staticmethod
    def _render(
        params: JsonDict, key: str, limit: int, *, required: bool
    ) -> tuple[str, str | None]:
        raw = params.get(key)
        if raw is None or raw == "":
            if required:
                raise bad_request("message text is empty")
            return "", None
        if not isinstance(raw, str):
            raw = str(raw)
        mode = str(params.get("parse_mode") or "").upper()
        if mode == "HTML":
            try:
                plain = parse_html(raw)
            except HtmlParseError as exc:
                raise bad_request(f"can't parse entities: {exc}") from None
        elif mode:
            raise bad_request(f"unsupported parse_mode {mode}")
        else:
            plain = raw
        if required and not plain.strip():
            raise bad_request("message text is empty")
        if utf16_len(plain) > limit:
            raise bad_request(
                "message is too long" if key == "text" else "message caption is too long"
            )
        return plain, raw if mode == "HTML" else None

    @staticmethod
    def _markup(params: JsonDict) -> JsonDict | None:
        markup = params.get("reply_markup")
        if markup is None:
            return None
        if not isinstance(markup, dict):
            raise bad_request("can't parse reply keyboard markup JSON object")
        for row in markup.get("inline_keyboard", []):
            for button in row:
                if not button.get("text"):
                    raise bad_request("text buttons are unallowed in the inline keyboard")
                data = button.get("callback_data")
                if (
                    data is not None
                    and not 1 <= len(str(data).encode("utf-8")) <= CALLBACK_DATA_LIMIT
                ):
                    raise bad_request("BUTTON_DATA_INVALID")
        return markup

    def _flood_check(self, chat_id: int) -> None:
        if self.flood is None:
            return
        retry_after = self.flood.check(chat_id)
        if retry_after is not None:
            self.rejected_429 += 1
            raise ApiError(
                429,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )

    def _store(
        self, chat: FakeChat, kind: str, text: str, html: str | None, params: JsonDict
    ) -> JsonDict:
        markup = self._markup(params)
        reply = params.get("reply_parameters")
        if isinstance(reply, dict) and not reply.get("allow_sending_without_reply"):
            target = reply.get("message_id")
            known = target in self.deleted_ids.get(chat.id, set()) or not (
                0 < int(target or 0) < self.peek_message_id(chat.id)
            )
            if known:
                raise bad_request("message to be replied not found")
        self._flood_check(chat.id)
        message = SentMessage(
            chat_id=chat.id,
            message_id=self.next_message_id(chat.id),
            kind=kind,
            text=text,
            html=html,
            reply_markup=markup,
            date=int(time.time()),
            params=params,
        )
        self.sent.append(message)
        return self.message_json(message)

    def _find(self, params: JsonDict) -> SentMessage:
        chat = self._chat(params)
        message_id = params.get("message_id")
        for message in self.sent:
            if message.chat_id == chat.id and message.message_id == message_id:
                if message.deleted:
                    break
                return message
        raise bad_request("message to edit not found")

    # --- methods ------------------------------------------------------------------------------

    async def api_getMe(self, params: JsonDict) -> JsonDict:
        return self.bot_user

    async def api_logOut(self, params: JsonDict) -> bool:
        return True

    async def api_close(self, params: JsonDict) -> bool:
        return True

    async def api_deleteWebhook(self, params: JsonDict) -> bool:
        self.webhook = None
        return True

    async def api_setWebhook(self, params: JsonDict) -> bool:
        url = str(params.get("url") or "")
        if url and not url.startswith(("https://", "http://127.0.0.1")):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        self.webhook = params
        return True

    async def api_getWebhookInfo(self, params: JsonDict) -> JsonDict:
        return {"url": "", "has_custom_certificate": False, "pending_update_count": 0}

    async def api_setMyCommands(self, params: JsonDict) -> bool:
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "chat":
            self._chat(scope)
        commands = params.get("commands") or []
        if not isinstance(commands, list) or len(commands) > 100:
            raise bad_request("BOT_COMMANDS_TOO_MUCH")
        for command in commands:
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(command.get("command", ""))):
                raise bad_request("BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise bad_request("command description is empty or too long")
        self.commands[json.dumps(scope, sort_keys=True)] = commands
        return True

    async def api_deleteMyCommands(self, params: JsonDict) -> bool:
        scope = params.get("scope") or {"type": "default"}
        if scope.get("type") == "chat":
            self._chat(scope)
        self.commands.pop(json.dumps(scope, sort_keys=True), None)
        return True

    async def api_getFile(self, params: JsonDict) -> JsonDict:
        file_id = str(params.get("file_id"))
        if file_id not in self.files:
            raise bad_request("invalid file_id")
        if len(self.files[file_id]) > 20 * 1024 * 1024:
            raise bad_request("file is too big")
        size = len(self.files[file_id])
        path = f"documents/{file_id}"
        return {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_size": size,
            "file_path": path,
        }

    async def api_getUpdates(self, params: JsonDict) -> list[JsonDict]:
        offset = int(params.get("offset") or 0)
        limit = max(1, min(int(params.get("limit") or 100), 100))
        timeout = float(params.get("timeout") or 0)
        async with self._changed:
            if offset > self._confirmed:
                self._confirmed = offset
                self._pending = [u for u in self._pending if u["update_id"] >= offset]
                self._changed.notify_all()
            if not self._pending and timeout > 0 and not self._closing:
                try:
                    async with asyncio.timeout(timeout):
                        await self._changed.wait_for(lambda: bool(self._pending) or self._closing)
                except TimeoutError:
                    pass
            allowed = params.get("allowed_updates")
            if isinstance(allowed, list) and allowed:
                # Telegram never delivers update types the bot did not ask for.
                unwanted = [u for u in self._pending if not any(k in u for k in allowed)]
                for update in unwanted:
                    self._pending.remove(update)
                    self._dropped.add(update["update_id"])
                if unwanted:
                    self._changed.notify_all()
            return self._pending[:limit]

    async def api_sendMessage(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        text, html = self._render(params, "text", TEXT_LIMIT, required=True)
        return self._store(chat, "text", text, html, params)

    def _file_param(self, value: Any) -> str:
        """An uploaded file is stored; a file_id must be one Telegram knows."""
        if isinstance(value, dict) and "content" in value:
            return str(self.add_file(value["content"])["file_id"])
        if isinstance(value, str) and value.startswith("attach://"):
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not isinstance(value, str) or value not in self.files:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return value

    async def api_sendPhoto(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        caption, html = self._render(params, "caption", CAPTION_LIMIT, required=False)
        file_id = self._file_param(params.get("photo"))
        params["photo_json"] = [
            {"file_id": file_id, "file_unique_id": file_id, "width": 640, "height": 480}
        ]
        return self._store(chat, "photo", caption, html, params)

    async def api_sendMediaGroup(self, params: JsonDict) -> list[JsonDict]:
        chat = self._chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the album")
        sent = []
        for item in media:
            if item.get("type") != "photo":
                raise bad_request("unsupported media type in the album")
            file_id = self._file_param(item.get("media"))
            caption, html = self._render(item, "caption", CAPTION_LIMIT, required=False)
            item_params = {
                **params,
                "photo": file_id,
                "photo_json": [
                    {"file_id": file_id, "file_unique_id": file_id, "width": 640, "height": 480}
                ],
            }
            sent.append(self._store(chat, "photo", caption, html, item_params))
        return sent

    async def api_sendLocation(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        latitude, longitude = params.get("latitude"), params.get("longitude")
        if not isinstance(latitude, (int, float)) or not -90 <= latitude <= 90:
            raise bad_request("wrong latitude")
        if not isinstance(longitude, (int, float)) or not -180 <= longitude <= 180:
            raise bad_request("wrong longitude")
        params["location_json"] = {"latitude": latitude, "longitude": longitude}
        return self._store(chat, "location", "", None, params)

    async def api_sendDocument(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        caption, html = self._render(params, "caption", CAPTION_LIMIT, required=False)
        document = params.get("document")
        name = document.get("filename") if isinstance(document, dict) else "file"
        file_id = f"document-{next(self.ids)}"
        params["document_json"] = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": name,
        }
        return self._store(chat, "document", caption, html, params)

    async def api_editMessageText(self, params: JsonDict) -> JsonDict:
        message = self._find(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, html = self._render(params, "text", TEXT_LIMIT, required=True)
        markup = self._markup(params)
        if text == message.text and markup == message.reply_markup:
            raise bad_request(
                "message is not modified: specified new message content and reply markup are "
                "exactly the same as a current content and reply markup of the message"
            )
        message.text, message.html, message.reply_markup = text, html, markup
        message.edits += 1
        return self.message_json(message)

    async def api_editMessageReplyMarkup(self, params: JsonDict) -> JsonDict:
        message = self._find(params)
        markup = self._markup(params)
        if markup == message.reply_markup:
            raise bad_request("message is not modified")
        message.reply_markup = markup
        message.edits += 1
        return self.message_json(message)

    async def api_deleteMessage(self, params: JsonDict) -> bool:
        message = self._find(params)
        message.deleted = True
        return True

    async def api_answerCallbackQuery(self, params: JsonDict) -> bool:
        query_id = str(params.get("callback_query_id"))
        created = self.query_times.get(query_id)
        if created is not None and time.monotonic() - created > CALLBACK_ANSWER_WINDOW:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        if query_id in self.callback_answers:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(str(text)) > 200:
            raise bad_request("MESSAGE_TOO_LONG")
        self.callback_answers[query_id] = params
        return True
