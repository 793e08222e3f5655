"""Telegram's state: the chats, the messages the bot sent, ids, files and the update queue.

The bottom layer of FakeTelegram (see emulator/server.py for the whole stack). It knows nothing
of HTTP or of failures: it holds the world the Bot API methods act on and the queue the tests
push updates into, with Telegram's confirmation rule (asking for offset N confirms every update
below N).
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable
from typing import Any

from emulator.model import ApiCall, JsonDict, SentMessage, utf16_len
from emulator.people import FakeChat, FakeUser

DEFAULT_TOKEN = "123456:TEST-token-for-posko-tests-0123456789"  # noqa: S105 (a fake token)


class TelegramState:
    """The state of the fake's little Telegram world."""

    def __init__(self, token: str = DEFAULT_TOKEN) -> None:
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
        # What each file is (photo, voice, video, video_note, document, ...): Telegram refuses
        # to send a file as another type ("type of file mismatch").
        self.file_kinds: dict[str, str] = {}
        self.webhook: JsonDict | None = None
        self.migrated: dict[int, int] = {}
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
            if "media_group_id_json" in message.params:
                data["media_group_id"] = message.params["media_group_id_json"]
        if message.reply_markup and "inline_keyboard" in message.reply_markup:
            data["reply_markup"] = message.reply_markup  # Telegram echoes inline keyboards only
        return data

    def migrate_group(self, old_id: int, new_id: int) -> FakeChat:
        """The group becomes a supergroup: sends to the old id fail with migrate_to_chat_id."""
        new_chat = self.add_group(new_id, self.chats[old_id].data.get("title", "Grup"))
        self.migrated[old_id] = new_id
        return new_chat

    def add_file(self, content: bytes, kind: str = "document") -> JsonDict:
        """Stores a file of `kind` as if a user had uploaded it; returns its file_id fields."""
        file_id = f"file-{next(self.ids)}"
        self.files[file_id] = content
        self.file_kinds[file_id] = kind
        return {"file_id": file_id, "file_unique_id": file_id, "file_size": len(content)}

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

    async def _deliver_updates(
        self, offset: int, limit: int, timeout: float, allowed: Any
    ) -> list[JsonDict]:
        """getUpdates' queue: confirms what is below `offset`, long-polls up to `timeout`."""
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
            if isinstance(allowed, list) and allowed:
                # Telegram never delivers update types the bot did not ask for.
                unwanted = [u for u in self._pending if not any(k in u for k in allowed)]
                for update in unwanted:
                    self._pending.remove(update)
                    self._dropped.add(update["update_id"])
                if unwanted:
                    self._changed.notify_all()
            return self._pending[:limit]

    async def _notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()
