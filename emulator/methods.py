"""The Bot API methods, strict where Telegram is strict.

The third layer of FakeTelegram (see emulator/server.py): each `api_<method>` takes the request's
parameters and returns the result, or raises ApiError with the answer Telegram gives. It rejects
what Telegram rejects: malformed HTML (emulator/html.py), empty or too long texts and captions,
callback data over 64 bytes, unknown or blocked chats, replies to missing messages, a file sent
as another type (a photo as a voice note: "type of file mismatch"), albums of 1 or over 10
items or of media that do not mix (voice notes and round videos never go in one), and (through
the fault layer) sends over the flood limits.
"""

from __future__ import annotations

import json
import re
import time
from typing import Any

from emulator.faults import FaultInjection
from emulator.html import HtmlParseError, parse_html
from emulator.model import ApiError, JsonDict, SentMessage, bad_request, utf16_len
from emulator.people import FakeChat

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_DATA_LIMIT = 64
# Telegram expects a callback query to be answered within about 15 seconds.
CALLBACK_ANSWER_WINDOW = 15.0


# A deep link's start parameter: 1-64 characters A-Z, a-z, 0-9, _ and -.
_START_LINK = re.compile(r"^https://t\.me/[A-Za-z0-9_]{5,32}\?start=[A-Za-z0-9_-]{1,64}$")


def _valid_url(url: str) -> bool:
    """Whether Telegram takes `url` for an inline button (t.me start links are checked)."""
    if url.startswith("https://t.me/") and "?start=" in url:
        return _START_LINK.match(url) is not None
    return url.startswith(("http://", "https://", "tg://"))


class BotApiMethods(FaultInjection):
    """The Bot API methods the bot uses, acting on Telegram's state."""

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
    def _markup(params: JsonDict, private: bool | None = None) -> JsonDict | None:
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
                url = button.get("url")
                if url is not None and not _valid_url(str(url)):
                    raise bad_request("BUTTON_URL_INVALID")
                web_app = button.get("web_app")
                if web_app is not None:
                    # Telegram opens a Mini App only from https://, and only in private chats.
                    page = web_app.get("url", "") if isinstance(web_app, dict) else ""
                    if not str(page).startswith("https://"):
                        raise bad_request("BUTTON_URL_INVALID")
                    if private is False:
                        raise bad_request("BUTTON_TYPE_INVALID")
        return markup

    def _store(
        self, chat: FakeChat, kind: str, text: str, html: str | None, params: JsonDict
    ) -> JsonDict:
        markup = self._markup(params, private=chat.id > 0)
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
        return await self._deliver_updates(offset, limit, timeout, params.get("allowed_updates"))

    async def api_sendMessage(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        text, html = self._render(params, "text", TEXT_LIMIT, required=True)
        return self._store(chat, "text", text, html, params)

    def _file_param(self, value: Any, kind: str) -> str:
        """An uploaded file is stored as `kind`; a file_id must be one Telegram knows, of that
        kind (a voice note cannot be sent as a video, nor a photo as a voice note)."""
        if isinstance(value, dict) and "content" in value:
            return str(self.add_file(value["content"], kind)["file_id"])
        if isinstance(value, str) and value.startswith("attach://"):
            raise bad_request("wrong file identifier/HTTP URL specified")
        if not isinstance(value, str) or value not in self.files:
            raise bad_request("wrong file identifier/HTTP URL specified")
        if self.file_kinds.get(value, kind) != kind:
            raise bad_request("type of file mismatch")
        return value

    async def _send_file(self, params: JsonDict, kind: str, fields: JsonDict) -> JsonDict:
        """sendVoice, sendVideo, sendVideoNote: a file of `kind`, with a caption where the type
        has one (a round video has none: Telegram ignores a caption sent with it)."""
        chat = self._chat(params)
        if kind == "video_note":
            caption, html = "", None
        else:
            caption, html = self._render(params, "caption", CAPTION_LIMIT, required=False)
        file_id = self._file_param(params.get(kind), kind)
        params[kind + "_json"] = {"file_id": file_id, "file_unique_id": file_id, **fields}
        return self._store(chat, kind, caption, html, params)

    async def api_sendPhoto(self, params: JsonDict) -> JsonDict:
        chat = self._chat(params)
        caption, html = self._render(params, "caption", CAPTION_LIMIT, required=False)
        file_id = self._file_param(params.get("photo"), "photo")
        params["photo_json"] = [
            {"file_id": file_id, "file_unique_id": file_id, "width": 640, "height": 480}
        ]
        return self._store(chat, "photo", caption, html, params)

    async def api_sendVoice(self, params: JsonDict) -> JsonDict:
        return await self._send_file(params, "voice", {"duration": 3, "mime_type": "audio/ogg"})

    async def api_sendVideo(self, params: JsonDict) -> JsonDict:
        fields = {"width": 640, "height": 360, "duration": 10, "mime_type": "video/mp4"}
        return await self._send_file(params, "video", fields)

    async def api_sendVideoNote(self, params: JsonDict) -> JsonDict:
        return await self._send_file(params, "video_note", {"length": 240, "duration": 5})

    async def api_sendMediaGroup(self, params: JsonDict) -> list[JsonDict]:
        chat = self._chat(params)
        media = params.get("media")
        if not isinstance(media, list) or not 2 <= len(media) <= 10:
            raise bad_request("wrong number of media in the album")
        kinds = {item.get("type") for item in media}
        # Photos and videos mix; documents and audio form albums only of their own kind; voice
        # notes and round videos never go in an album (InputMedia has no such type).
        if not (kinds <= {"photo", "video"} or kinds in ({"document"}, {"audio"})):
            raise bad_request("can't use the media of the specified type in the album")
        group = f"album-{next(self.ids)}"
        sent = []
        for item in media:
            kind = str(item.get("type"))
            file_id = self._file_param(item.get("media"), kind)
            caption, html = self._render(item, "caption", CAPTION_LIMIT, required=False)
            shape: JsonDict = {"file_id": file_id, "file_unique_id": file_id}
            if kind in ("photo", "video"):
                shape.update(width=640, height=480)
            if kind in ("video", "audio"):
                shape["duration"] = 10
            item_params = {
                **params,
                kind: file_id,
                f"{kind}_json": [shape] if kind == "photo" else shape,
                "media_group_id_json": group,
            }
            sent.append(self._store(chat, kind, caption, html, item_params))
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
