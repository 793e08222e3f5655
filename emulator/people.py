"""The test side: users who write to the bot and the chats they write in.

A test drives the bot through these (`user.send("/lapor ...")`, `user.press("Aman")`,
`chat.last_message()`). They only touch Telegram's state (emulator/state.py): they add messages
and callback queries to the update queue and read what the bot sent; they never see HTTP or the
fault injection, so `server` is typed as the state layer.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import urlencode

from emulator.model import JsonDict, SentMessage, utf16_len

if TYPE_CHECKING:
    from emulator.state import TelegramState


def captioned(caption: str) -> JsonDict:
    """A caption with the command entity Telegram adds when it starts with a command."""
    fields: JsonDict = {"caption": caption}
    if caption.startswith("/"):
        command = caption.split(maxsplit=1)[0]
        fields["caption_entities"] = [
            {"type": "bot_command", "offset": 0, "length": utf16_len(command)}
        ]
    return fields


class FakeChat:
    """A chat known to the fake (a private chat with a user, or a group)."""

    def __init__(self, server: TelegramState, chat: JsonDict) -> None:
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

    def __init__(self, server: TelegramState, user: JsonDict) -> None:
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
        document = {**self.server.add_file(content, "document"), "file_name": file_name,
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
        message = self._media_message("photo", caption, chat or self.chat)
        return await self.server.push_update({"message": message}, wait=wait)

    async def send_voice(
        self, caption: str | None = None, *, duration: int = 12, wait: bool = True
    ) -> JsonDict:
        """Sends a voice note (recorded in Telegram), optionally with a caption."""
        message = self._media_message("voice", caption, self.chat, duration=duration)
        return await self.server.push_update({"message": message}, wait=wait)

    async def send_video(
        self, caption: str | None = None, *, duration: int = 20, wait: bool = True
    ) -> JsonDict:
        """Sends a video, optionally with a caption."""
        message = self._media_message("video", caption, self.chat, duration=duration)
        return await self.server.push_update({"message": message}, wait=wait)

    async def send_video_note(self, *, duration: int = 8, wait: bool = True) -> JsonDict:
        """Sends a round video (video note); Telegram gives those no caption."""
        message = self._media_message("video_note", None, self.chat, duration=duration)
        return await self.server.push_update({"message": message}, wait=wait)

    async def send_album(
        self, kinds: list[str], caption: str | None = None, *, caption_at: int = 0,
        wait: bool = True,
    ) -> list[JsonDict]:  # fmt: skip
        """Sends an album as Telegram delivers it: one message per item (photo or video),
        sharing a media_group_id, the caption on one item only (`caption_at`)."""
        if not 2 <= len(kinds) <= 10 or not set(kinds) <= {"photo", "video"}:
            raise ValueError("an album has 2 to 10 photos and videos")
        group = f"{next(self.server.ids)}{self.id}"
        updates = []
        for index, kind in enumerate(kinds):
            text = caption if index == caption_at else None
            message = self._media_message(kind, text, self.chat, duration=15)
            message["media_group_id"] = group
            updates.append(await self.server.push_update({"message": message}, wait=False))
        if wait:
            for update in updates:
                await self.server.wait_confirmed(update["update_id"])
            if self.server.settle is not None:
                await self.server.settle()
        return updates

    def _media_message(
        self, kind: str, caption: str | None, chat: FakeChat, *, duration: int = 0
    ) -> JsonDict:
        """The JSON of a user's photo, voice note, video or round video."""
        body: Any
        if kind == "photo":
            body = [
                {**self.server.add_file(b"\xff\xd8small", "photo"), "width": 90, "height": 90},
                {**self.server.add_file(b"\xff\xd8large", "photo"), "width": 1280,
                 "height": 960},
            ]  # fmt: skip
        elif kind == "voice":
            body = {**self.server.add_file(b"OggS", kind), "duration": duration,
                    "mime_type": "audio/ogg"}  # fmt: skip
        elif kind == "video":
            body = {**self.server.add_file(b"\x00\x00\x00\x18ftypmp42", kind), "width": 1280,
                    "height": 720, "duration": duration, "mime_type": "video/mp4"}  # fmt: skip
        elif kind == "video_note":
            body = {**self.server.add_file(b"\x00\x00\x00\x18ftypmp42", kind), "length": 240,
                    "duration": duration}  # fmt: skip
        else:
            raise ValueError(f"not a media kind: {kind}")
        message = self.server.new_message(chat, self.data, text="", **{kind: body})
        del message["text"]
        if caption:
            message.update(captioned(caption))
        return message

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
        body = {**self.server.add_file(b"blob", kind), **payloads.get(kind, {})}
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

    async def open_link(self, label: str, message: SentMessage, *, wait: bool = True) -> JsonDict:
        """Opens the URL button labelled `label`: a `t.me/<bot>?start=<payload>` link opens the
        private chat with the bot and sends `/start <payload>` there, as Telegram's apps do."""
        for button in message.buttons():
            if button["text"] == label and "url" in button:
                url = str(button["url"])
                prefix = f"https://t.me/{self.server.bot_user['username']}?start="
                if not url.startswith(prefix):
                    raise AssertionError(f"{url!r} is not a start link of this bot")
                return await self.send(f"/start {url.removeprefix(prefix)}", wait=wait)
        raise AssertionError(f"no link {label!r} in {message.button_texts()}")

    def web_app_launch(self, label: str, message: SentMessage, **fields: str) -> str:
        """The address Telegram's app opens for the Mini App button labelled `label`: its URL
        with the launch parameters in the fragment, `tgWebAppData` being initData signed with
        the bot token as Telegram signs it (`fields` add to or replace initData's fields)."""
        for button in message.buttons():
            if button["text"] == label and "web_app" in button:
                data = {
                    "query_id": f"AAH{next(self.server.ids)}",
                    "user": json.dumps(
                        {"id": self.id, "first_name": self.data.get("first_name", "")},
                        separators=(",", ":"),
                    ),
                    "auth_date": str(int(time.time())),
                    **fields,
                }
                check = "\n".join(f"{key}={data[key]}" for key in sorted(data))
                key = hmac.new(b"WebAppData", self.server.token.encode(), hashlib.sha256)
                data["hash"] = hmac.new(key.digest(), check.encode(), hashlib.sha256).hexdigest()
                launch = urlencode(
                    {
                        "tgWebAppData": urlencode(data),
                        "tgWebAppVersion": "8.0",
                        "tgWebAppPlatform": "tdesktop",
                    }
                )
                return f"{button['web_app']['url']}#{launch}"
        raise AssertionError(f"no Mini App button {label!r} in {message.button_texts()}")

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
