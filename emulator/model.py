"""The data the fake Bot API and the tests share: JSON, the bot's messages, its calls, errors.

Plain values with no behaviour of the fake in them, so every other module of the emulator (and
every test) can import them without importing the server.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
