"""Telegram's HTML parse mode, as strictly as the Bot API applies it."""

from __future__ import annotations

import re

ALLOWED_TAGS = {
    "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
    "code", "pre", "blockquote", "tg-emoji",
}  # fmt: skip
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#x([0-9a-fA-F]{1,6})|([a-zA-Z]+));")
_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)((?:\s+[a-zA-Z-]+(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>]+))?)*)\s*>"
)
_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")


class HtmlParseError(ValueError):
    """The text is not valid Telegram HTML; the message mimics the Bot API's description."""


def parse_html(text: str) -> str:
    """Returns the plain text of Telegram-HTML `text`, or raises HtmlParseError."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "<":
            end = _END_TAG.match(text, i)
            if end:
                name = end[1].lower()
                if not stack or stack[-1] != name:
                    raise HtmlParseError(
                        f"Can't find end tag corresponding to start tag {name}"
                        if stack
                        else f"Unmatched end tag at byte offset {_offset(text, i)}, "
                        f'expected "</{name}>"'
                    )
                stack.pop()
                i = end.end()
                continue
            start = _START_TAG.match(text, i)
            if not start:
                raise HtmlParseError(f"Unsupported start tag at byte offset {_offset(text, i)}")
            name = start[1].lower()
            if name not in ALLOWED_TAGS:
                raise HtmlParseError(
                    f'Unsupported start tag "{name}" at byte offset {_offset(text, i)}'
                )
            stack.append(name)
            i = start.end()
            continue
        if char == ">":
            raise HtmlParseError(f"Unexpected > at byte offset {_offset(text, i)}")
        if char == "&":
            entity = _ENTITY.match(text, i)
            if not entity:
                raise HtmlParseError(f"Unsupported HTML entity at byte offset {_offset(text, i)}")
            if entity[3] is not None:
                if entity[3] not in _NAMED_ENTITIES:
                    raise HtmlParseError(
                        f'Unsupported HTML entity "&{entity[3]};" at byte offset '
                        f"{_offset(text, i)}"
                    )
                out.append(_NAMED_ENTITIES[entity[3]])
            else:
                code = int(entity[1]) if entity[1] else int(entity[2], 16)
                out.append(chr(code) if code < 0x110000 else "\ufffd")
            i = entity.end()
            continue
        out.append(char)
        i += 1
    if stack:
        raise HtmlParseError(f"Can't find end tag corresponding to start tag {stack[-1]}")
    return "".join(out)


def _offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))
